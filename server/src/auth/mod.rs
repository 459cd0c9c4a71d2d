//! STAND-IN for engineer A's `server/src/auth/mod.rs` (issue #6 identity contract). The whole
//! file is dropped at merge in favour of A's. It exists so the vault can be built and tested
//! against the contract's `Principal` before real sessions and tokens exist.
//!
//! The extractor reads `X-Test-Principal: <uuid>|<username>|<role>|<department or ->|<via>[|<scopes>]`
//! where `<via>` is `session` or `token:<robot or ->` and `<scopes>` a comma list
//! (default: `robot:credentials` for a robot token, `api:read,api:write` for other tokens).
//! It authenticates nobody in a release build, so it can never ship as a real door.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hangar_model::{ErrorCode, Role, Scope, TokenId, UserId};

use crate::error::AppError;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub department: Option<String>,
    pub via: AuthVia,
    pub ip: Option<IpAddr>,
}

#[derive(Clone, Debug)]
pub enum AuthVia {
    Session,
    /// An API token. `robot` is the grantee the token acts for, e.g. "robot:demo-uipath/RPA-FIN-01".
    Token {
        token_id: TokenId,
        scopes: Vec<Scope>,
        robot: Option<String>,
    },
}

pub const TEST_PRINCIPAL_HEADER: &str = "x-test-principal";

fn unauthenticated() -> AppError {
    AppError::client(
        ErrorCode::Unauthenticated,
        "sign in or present an API token",
    )
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        if !cfg!(debug_assertions) {
            return Err(unauthenticated());
        }
        let header = parts
            .headers
            .get(TEST_PRINCIPAL_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(unauthenticated)?;
        parse(header).ok_or_else(unauthenticated)
    }
}

fn parse(header: &str) -> Option<Principal> {
    let mut parts = header.split('|');
    let user_id = UserId(parts.next()?.parse().ok()?);
    let username = parts.next()?.to_owned();
    let role = serde_json::from_value(serde_json::Value::String(parts.next()?.to_owned())).ok()?;
    let department = Some(parts.next()?).filter(|d| *d != "-").map(str::to_owned);
    let via = parts.next()?;
    let scopes = parts.next();
    let via = if via == "session" {
        AuthVia::Session
    } else {
        let robot = Some(via.strip_prefix("token:")?)
            .filter(|r| *r != "-")
            .map(str::to_owned);
        let scopes = match scopes {
            Some(list) => list
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| serde_json::from_value(serde_json::Value::String(s.to_owned())).ok())
                .collect::<Option<Vec<Scope>>>()?,
            None if robot.is_some() => vec![Scope::RobotCredentials],
            None => vec![Scope::ApiRead, Scope::ApiWrite],
        };
        AuthVia::Token {
            token_id: TokenId(uuid::Uuid::new_v4()),
            scopes,
            robot,
        }
    };
    Some(Principal {
        user_id,
        username,
        role,
        department,
        via,
        ip: None,
    })
}
