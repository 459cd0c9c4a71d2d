//! `/api/v1/tokens`: one's own API tokens — list, create (the value is shown once), revoke.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hangar_model::{ApiError, ErrorCode, Role, Scope, TokenId, UserId};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{AuditEvent, AuditOutcome};
use crate::auth::Principal;
use crate::auth::accounts::{NewToken, issue_token};
use crate::error::{AppError, AppJson, AppPath};
use crate::state::AppState;
use crate::store::TokenRecord;

/// A token as listed: never its value, only its first 8 characters.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    #[schema(value_type = String, format = Uuid)]
    pub id: TokenId,
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub robot: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&TokenRecord> for TokenView {
    fn from(t: &TokenRecord) -> Self {
        TokenView {
            id: t.id,
            user_id: t.user_id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scopes: t.scopes.clone(),
            robot: t.robot.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's tokens, newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, description = "Your tokens", body = Vec<TokenView>)))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
) -> Result<AppJson<Vec<TokenView>>, AppError> {
    let tokens = state.store.list_tokens(Some(who.user_id)).await?;
    Ok(AppJson(tokens.iter().map(TokenView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Days until it expires (required; at most `auth.token_max_days`, 90 by default).
    pub expires_days: u32,
    /// The robot or process it acts for (only with `robot:credentials`).
    pub robot: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: TokenView,
    /// The token itself, shown this once: send it as `Authorization: Bearer …`.
    pub secret: String,
}

/// Creates a token for the caller. It never grants more than the caller's role allows.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken,
    responses(
        (status = 201, description = "Created; the value is in `secret`, shown once", body = CreatedToken),
        (status = 400, description = "Invalid name, scopes, expiry or robot", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    AppJson(req): AppJson<CreateToken>,
) -> Result<(StatusCode, AppJson<CreatedToken>), AppError> {
    let owner = state
        .store
        .user(who.user_id)
        .await?
        .ok_or_else(|| AppError::client(ErrorCode::Unauthenticated, "no such user"))?;
    let event = AuditEvent::ok("token.create", format!("user:{}", owner.id)).with_detail(
        serde_json::json!({"name": req.name, "scopes": req.scopes, "robot": req.robot}),
    );
    state.audit.record(Some(&who), event.clone()).await?;
    let new = NewToken {
        name: req.name,
        scopes: req.scopes,
        expires_days: req.expires_days,
        robot: req.robot,
    };
    let issued = issue_token(state.store.as_ref(), &state.config.auth, &owner, new).await;
    let (token, secret) = match issued {
        Ok(issued) => issued,
        Err(e) => {
            let failed = event.with_outcome(AuditOutcome::Failed);
            state.audit.record(Some(&who), failed).await?;
            return Err(e);
        }
    };
    Ok((
        StatusCode::CREATED,
        AppJson(CreatedToken {
            token: TokenView::from(&token),
            secret: secret.expose_secret().to_owned(),
        }),
    ))
}

/// Revokes a token at once. Your own; admins may revoke anyone's.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token of yours (or already revoked)", body = ApiError),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, AppError> {
    let missing = || AppError::not_found(format!("no token {id}"));
    let token_id: TokenId = id.parse().map_err(|_| missing())?;
    let token = state.store.token(token_id).await?.ok_or_else(missing)?;
    // Someone else's token is "not found": its existence is not confirmed.
    if token.user_id != who.user_id && who.role != Role::Admin {
        return Err(missing());
    }
    let event = AuditEvent::ok("token.revoke", format!("token:{token_id}"));
    state.audit.record(Some(&who), event.clone()).await?;
    if state.store.revoke_token(token_id, Utc::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        let failed = event.with_outcome(AuditOutcome::Failed);
        state.audit.record(Some(&who), failed).await?;
        Err(missing())
    }
}
