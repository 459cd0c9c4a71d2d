//! `/api/v1/vault/*`: status, unseal, seal and KEK rotation, for admins. Unseal, seal and
//! rotate are audited; the passphrase never is, nor is it logged or printed.

use axum::extract::State;
use hangar_model::secrets::{RotateReport, VaultStatus};
use hangar_model::{ApiError, ErrorCode};
use serde_json::json;

use super::access::{allow_vault_admin, audit};
use super::service::{RootInput, Unsealed};
use super::types::UnsealRequest;
use crate::audit::AuditOutcome;
use crate::auth::Principal;
use crate::error::{AppError, AppJson};
use crate::state::AppState;

const TARGET: &str = "vault";

/// Sealed or not, initialised or not, KEK versions and how many secrets there are.
#[utoipa::path(get, path = "/api/v1/vault/status", tag = "vault",
    responses(
        (status = 200, description = "The vault's state on this node", body = VaultStatus),
        (status = 403, description = "Not an admin", body = ApiError),
    ))]
pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<AppJson<VaultStatus>, AppError> {
    allow_vault_admin(&principal)?;
    Ok(AppJson(state.vault.status().await?))
}

/// Unseals this node with the passphrase (or, without one, the configured key file). With
/// no keyring yet, this creates it from that root key.
#[utoipa::path(post, path = "/api/v1/vault/unseal", tag = "vault", request_body = UnsealRequest,
    responses(
        (status = 200, description = "Unsealed", body = VaultStatus),
        (status = 400, description = "unseal_failed: wrong passphrase or key file", body = ApiError),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 409, description = "Already unsealed", body = ApiError),
    ))]
pub async fn unseal(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<UnsealRequest>,
) -> Result<AppJson<VaultStatus>, AppError> {
    allow_vault_admin(&principal)?;
    let (input, method) = match (body.passphrase, state.vault.configured_key_file()) {
        (Some(pass), _) => (RootInput::Passphrase(pass), "passphrase"),
        (None, Some(path)) => (RootInput::KeyFile(path.to_owned()), "key_file"),
        (None, None) => {
            return Err(AppError::client(
                ErrorCode::BadRequest,
                "give the passphrase; no vault.key_file is configured",
            ));
        }
    };
    match state.vault.unseal(input).await {
        Ok(outcome) => {
            let detail =
                json!({ "method": method, "initialized": outcome == Unsealed::Initialized });
            let action = if outcome == Unsealed::Initialized {
                "vault.init"
            } else {
                "vault.unseal"
            };
            if let Err(e) = audit(
                &state,
                Some(&principal),
                action,
                TARGET.into(),
                AuditOutcome::Ok,
                detail,
            )
            .await
            {
                // Fail closed: an unseal nobody can trace does not stand.
                state.vault.seal_vault().await;
                return Err(e);
            }
            Ok(AppJson(state.vault.status().await?))
        }
        Err(e) => {
            let outcome = match &e {
                AppError::Client {
                    code: ErrorCode::UnsealFailed,
                    ..
                } => AuditOutcome::Denied,
                _ => AuditOutcome::Failed,
            };
            let detail = json!({ "method": method });
            audit(
                &state,
                Some(&principal),
                "vault.unseal",
                TARGET.into(),
                outcome,
                detail,
            )
            .await?;
            Err(e)
        }
    }
}

/// Seals this node: it forgets every key until unsealed again. Other nodes are not affected.
#[utoipa::path(post, path = "/api/v1/vault/seal", tag = "vault",
    responses(
        (status = 200, description = "Sealed", body = VaultStatus),
        (status = 403, description = "Not an admin", body = ApiError),
    ))]
pub async fn seal(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<AppJson<VaultStatus>, AppError> {
    allow_vault_admin(&principal)?;
    audit(
        &state,
        Some(&principal),
        "vault.seal",
        TARGET.into(),
        AuditOutcome::Ok,
        json!({}),
    )
    .await?;
    state.vault.seal_vault().await;
    Ok(AppJson(state.vault.status().await?))
}

/// A new KEK version, then every stored data key rewrapped under it, online. `failed` must
/// be 0; failed versions still open under their old KEK.
#[utoipa::path(post, path = "/api/v1/vault/rotate", tag = "vault",
    responses(
        (status = 200, description = "Rotated", body = RotateReport),
        (status = 403, description = "Not an admin", body = ApiError),
        (status = 409, description = "A rotation is already running", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn rotate(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<AppJson<RotateReport>, AppError> {
    allow_vault_admin(&principal)?;
    state.vault.require_unsealed().await?;
    match state.vault.rotate().await {
        Ok(report) => {
            let outcome = if report.failed == 0 {
                AuditOutcome::Ok
            } else {
                AuditOutcome::Failed
            };
            let detail = serde_json::to_value(&report).unwrap_or_default();
            audit(
                &state,
                Some(&principal),
                "vault.rotate",
                TARGET.into(),
                outcome,
                detail,
            )
            .await?;
            Ok(AppJson(report))
        }
        Err(e) => {
            audit(
                &state,
                Some(&principal),
                "vault.rotate",
                TARGET.into(),
                AuditOutcome::Failed,
                json!({}),
            )
            .await?;
            Err(e)
        }
    }
}
