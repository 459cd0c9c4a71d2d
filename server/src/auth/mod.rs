//! Identity: who is calling (a [`Principal`]), how they proved it, and what they may see.
//!
//! * `guard.rs`: the middleware every request passes — resolves a bearer token or session
//!   cookie, checks CSRF, and applies [`policy::POLICY`].
//! * `accounts.rs`: users, passwords (Argon2id off the async runtime) and token issuance,
//!   shared by the API, the CLI and the demo.
//! * `throttle.rs`: login throttling per user name and per address.

pub mod accounts;
pub mod cookies;
pub mod guard;
pub mod policy;
pub mod throttle;

use std::net::IpAddr;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hangar_model::{ErrorCode, Role, Scope, TokenId, UserId};
use sha2::{Digest, Sha256};

pub use accounts::Auth;

use crate::error::AppError;
use crate::state::AppState;

/// Who is calling. A token acts for the user who created it, never with more than their role.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    /// None = no department (only sensible for global roles).
    pub department: Option<String>,
    pub via: AuthVia,
    /// The peer (or the first X-Forwarded-For hop when config trusts a proxy).
    pub ip: Option<IpAddr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AuthVia {
    Session,
    /// An API token. `robot` is the grantee the token acts for, e.g. "robot:demo-uipath/RPA-FIN-01"
    /// or "process:demo-uipath/InvoiceIntake" (only robot tokens have one).
    Token {
        token_id: TokenId,
        scopes: Vec<Scope>,
        robot: Option<String>,
    },
}

impl AuthVia {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthVia::Session => "session",
            AuthVia::Token { .. } => "token",
        }
    }
}

/// Which departments a reader sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tenancy {
    /// Global roles, and anonymous readers of an open wall.
    All,
    /// Only this department's sources, runs, anomalies and figures.
    Only(String),
}

impl Tenancy {
    /// For a caller, or for nobody (an open wall: the demo shows everything).
    pub fn of(who: Option<&Principal>) -> Tenancy {
        match who {
            None => Tenancy::All,
            Some(p) if p.role.is_global() => Tenancy::All,
            // A departmental role without a department sees no department's data.
            Some(p) => Tenancy::Only(p.department.clone().unwrap_or_default()),
        }
    }

    /// The department to filter by, if any.
    pub fn department(&self) -> Option<&str> {
        match self {
            Tenancy::All => None,
            Tenancy::Only(d) => Some(d),
        }
    }

    pub fn sees(&self, department: Option<&str>) -> bool {
        match self {
            Tenancy::All => true,
            Tenancy::Only(d) => department == Some(d.as_str()),
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            AppError::client(ErrorCode::Unauthenticated, "sign in or send a bearer token")
        })
    }
}

impl OptionalFromRequestParts<AppState> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned())
    }
}

/// 256 random bits, base64url: session cookies, CSRF tokens and API tokens.
pub fn random_secret() -> String {
    // rand's thread generator is a CSPRNG (ChaCha, seeded and reseeded from the OS).
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// SHA-256, hex. Right for session cookies and API tokens: they are 256-bit random values,
/// so a slow password hash would add cost and no protection (nothing to brute-force).
pub fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equal strings, compared without an early exit (for CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The prefix every API token starts with, so leaked tokens are easy to scan for.
pub const TOKEN_PREFIX: &str = "hgr_";
