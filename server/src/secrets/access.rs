//! Who may do what with secrets, and the audit trail every action leaves.
//!
//! * Managing one's own secrets: a session, or an API token with `api:read` (reading
//!   metadata) / `api:write` (changing anything).
//! * Revealing plaintext: a session only. A leaked API token must not dump its owner's
//!   passwords; robots read what they were granted through `/api/v1/robot/credentials`.
//! * Robot tokens (tokens that act for a grantee) reach nothing here but that endpoint.
//! * Per-secret routes answer 404 to everyone but the owner, admins included, so an id
//!   tells nobody else whether it exists.

use hangar_model::{ErrorCode, Scope};
use serde_json::Value;

use crate::audit::{AuditEvent, AuditOutcome};
use crate::auth::{AuthVia, Principal};
use crate::error::AppError;
use crate::state::AppState;

fn forbidden(message: &str) -> AppError {
    AppError::client(ErrorCode::Forbidden, message)
}

fn token_allows(principal: &Principal, scope: Scope) -> bool {
    match &principal.via {
        AuthVia::Session => true,
        AuthVia::Token { scopes, robot, .. } => robot.is_none() && scopes.contains(&scope),
    }
}

/// Reading one's own secrets' metadata.
pub fn allow_read(principal: &Principal) -> Result<(), AppError> {
    if token_allows(principal, Scope::ApiRead) || token_allows(principal, Scope::ApiWrite) {
        Ok(())
    } else {
        Err(forbidden(
            "this token cannot read secrets: it needs the api:read scope and must not be a robot token",
        ))
    }
}

/// Creating, changing, deleting and granting one's own secrets.
pub fn allow_write(principal: &Principal) -> Result<(), AppError> {
    if token_allows(principal, Scope::ApiWrite) {
        Ok(())
    } else {
        Err(forbidden(
            "this token cannot change secrets: it needs the api:write scope and must not be a robot token",
        ))
    }
}

/// Revealing plaintext: a signed-in person only.
pub fn allow_reveal(principal: &Principal) -> Result<(), AppError> {
    match principal.via {
        AuthVia::Session => Ok(()),
        AuthVia::Token { .. } => Err(forbidden(
            "secrets are revealed to a signed-in user only; robots read granted credentials at /api/v1/robot/credentials/{asset_name}",
        )),
    }
}

/// Vault administration: an admin, by session or by an `api:write` token.
pub fn allow_vault_admin(principal: &Principal) -> Result<(), AppError> {
    if principal.role != hangar_model::Role::Admin {
        return Err(forbidden("only an admin may manage the vault"));
    }
    allow_write(principal)
}

/// The grantee a robot token acts for, if it may read credentials.
pub fn robot_grantee(principal: &Principal) -> Option<&str> {
    match &principal.via {
        AuthVia::Token {
            scopes,
            robot: Some(robot),
            ..
        } if scopes.contains(&Scope::RobotCredentials) => Some(robot),
        _ => None,
    }
}

/// Records an audit event; fail-closed, so callers propagate the error before acting.
pub async fn audit(
    state: &AppState,
    principal: Option<&Principal>,
    action: &'static str,
    target: String,
    outcome: AuditOutcome,
    detail: Value,
) -> Result<(), AppError> {
    state
        .audit
        .record(
            principal,
            AuditEvent {
                action,
                target,
                outcome,
                detail,
            },
        )
        .await
}

/// Records that an action already audited as allowed then failed (a race lost, a store
/// error). Best effort: the caller is already answering with the original error.
pub async fn audit_failure(
    state: &AppState,
    principal: &Principal,
    action: &'static str,
    target: String,
    error: &AppError,
) {
    let reason = match error {
        AppError::Client { code, .. } => code.as_str(),
        _ => "internal",
    };
    let detail = serde_json::json!({ "reason": reason });
    if let Err(e) = audit(
        state,
        Some(principal),
        action,
        target,
        AuditOutcome::Failed,
        detail,
    )
    .await
    {
        tracing::error!(error = %e, action, "could not record a failed action in the audit log");
    }
}
