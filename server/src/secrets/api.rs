//! `/api/v1/secrets`: the owner's own credentials — list, create, read metadata, write a new
//! version (check-and-set), reveal, soft delete and undelete. Every change and every reveal
//! is audited before it takes effect; the audit detail names versions, never values.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hangar_model::secrets::{MAX_SECRET_VERSIONS, SecretDetail, SecretMeta};
use hangar_model::{ApiError, ErrorCode, SecretId};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::access::{allow_read, allow_reveal, allow_write, audit, audit_failure};
use super::service::binding;
use super::types::{RevealRequest, Revealed, SecretWrite};
use crate::audit::AuditOutcome;
use crate::auth::Principal;
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::state::AppState;
use crate::store::secrets::{NewSecret, SecretChange, UpdateOutcome};

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Every user's secrets (metadata only; admins only).
    pub all: Option<bool>,
    /// Soft-deleted secrets too.
    pub include_deleted: Option<bool>,
}

pub(super) fn target(id: SecretId) -> String {
    format!("secret:{id}")
}

fn no_such(id: SecretId) -> AppError {
    AppError::not_found(format!("no secret {id}"))
}

fn deleted(id: SecretId) -> AppError {
    AppError::client(
        ErrorCode::Conflict,
        format!("secret {id} is deleted; undelete it first"),
    )
}

/// The secret if `principal` owns it; 404 otherwise, for admins too.
pub(super) async fn owned(
    state: &AppState,
    principal: &Principal,
    id: SecretId,
) -> Result<SecretMeta, AppError> {
    match state.store.secret(id).await? {
        Some(meta) if meta.owner == principal.user_id => Ok(meta),
        _ => Err(no_such(id)),
    }
}

/// Responses carrying plaintext: never stored by a cache or the browser.
pub(super) fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Your secrets' metadata (never usernames, passwords or notes). `all=true`: every user's,
/// for admins.
#[utoipa::path(get, path = "/api/v1/secrets", tag = "secrets", params(ListQuery),
    responses(
        (status = 200, description = "Metadata, by name", body = Vec<SecretMeta>),
        (status = 403, description = "all=true by a non-admin", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<AppJson<Vec<SecretMeta>>, AppError> {
    allow_read(&principal)?;
    state.vault.require_unsealed().await?;
    let include_deleted = q.include_deleted.unwrap_or(false);
    let owner = if q.all.unwrap_or(false) {
        if principal.role != hangar_model::Role::Admin {
            return Err(AppError::client(
                ErrorCode::Forbidden,
                "only an admin may list every user's secrets",
            ));
        }
        let detail = json!({ "include_deleted": include_deleted });
        audit(
            &state,
            Some(&principal),
            "secret.list_all",
            "secrets".into(),
            AuditOutcome::Ok,
            detail,
        )
        .await?;
        None
    } else {
        Some(principal.user_id)
    };
    Ok(AppJson(
        state.store.list_secrets(owner, include_deleted).await?,
    ))
}

/// Stores a new secret (version 1). Username, password and notes are sealed; only the
/// labels are stored in the clear.
#[utoipa::path(post, path = "/api/v1/secrets", tag = "secrets", request_body = SecretWrite,
    responses(
        (status = 201, description = "Stored", body = SecretMeta),
        (status = 400, description = "A field is invalid", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<SecretWrite>,
) -> Result<(StatusCode, AppJson<SecretMeta>), AppError> {
    allow_write(&principal)?;
    state.vault.require_unsealed().await?;
    if body.cas.is_some() {
        return Err(AppError::client(
            ErrorCode::BadRequest,
            "cas is for updates only",
        ));
    }
    let labels = body.labels()?;
    let payload = body.payload()?;
    let now = Utc::now();
    let meta = SecretMeta {
        id: SecretId(uuid::Uuid::new_v4()),
        owner: principal.user_id,
        owner_name: principal.username.clone(),
        name: labels.name,
        system: labels.system,
        url: labels.url,
        tags: labels.tags,
        current_version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let (sealed, kek_version) = state
        .vault
        .encrypt(&binding(meta.owner, meta.id, 1), &payload)
        .await?;
    drop(payload);
    let detail = json!({ "name": meta.name, "version": 1 });
    audit(
        &state,
        Some(&principal),
        "secret.create",
        target(meta.id),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    let stored = state
        .store
        .insert_secret(&NewSecret {
            meta: &meta,
            kek_version,
            sealed: &sealed,
            created_by: &principal.username,
        })
        .await;
    if let Err(e) = stored {
        let e = AppError::from(e);
        audit_failure(&state, &principal, "secret.create", target(meta.id), &e).await;
        return Err(e);
    }
    Ok((StatusCode::CREATED, AppJson(meta)))
}

/// One of your secrets: metadata and its kept versions (at most 10), newest first.
#[utoipa::path(get, path = "/api/v1/secrets/{id}", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "The secret's metadata", body = SecretDetail),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
) -> Result<AppJson<SecretDetail>, AppError> {
    allow_read(&principal)?;
    state.vault.require_unsealed().await?;
    let meta = owned(&state, &principal, id).await?;
    let versions = state.store.secret_versions(id).await?;
    Ok(AppJson(SecretDetail { meta, versions }))
}

/// Writes a new version if `cas` is still the current one; the 11th-newest version is
/// deleted for good.
#[utoipa::path(put, path = "/api/v1/secrets/{id}", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")), request_body = SecretWrite,
    responses(
        (status = 200, description = "The new version is current", body = SecretMeta),
        (status = 400, description = "A field is invalid or cas is missing", body = ApiError),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 409, description = "cas_mismatch: the secret changed; or it is deleted", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
    AppJson(body): AppJson<SecretWrite>,
) -> Result<AppJson<SecretMeta>, AppError> {
    allow_write(&principal)?;
    state.vault.require_unsealed().await?;
    let cas = body.cas.ok_or_else(|| {
        AppError::client(
            ErrorCode::BadRequest,
            "cas (the version you are replacing) is required",
        )
    })?;
    let labels = body.labels()?;
    let payload = body.payload()?;
    let meta = owned(&state, &principal, id).await?;
    if meta.deleted_at.is_some() {
        return Err(deleted(id));
    }
    if meta.current_version != cas {
        return Err(cas_mismatch(cas, meta.current_version));
    }
    let version = cas + 1;
    let (sealed, kek_version) = state
        .vault
        .encrypt(&binding(meta.owner, id, version), &payload)
        .await?;
    drop(payload);
    let detail = json!({ "name": labels.name, "version": version });
    audit(
        &state,
        Some(&principal),
        "secret.update",
        target(id),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    let change = SecretChange {
        id,
        cas,
        name: &labels.name,
        system: labels.system.as_deref(),
        url: labels.url.as_deref(),
        tags: &labels.tags,
        sealed: &sealed,
        kek_version,
        created_by: &principal.username,
        at: Utc::now(),
        keep: MAX_SECRET_VERSIONS,
    };
    let outcome = match state.store.update_secret(&change).await {
        Ok(UpdateOutcome::Updated { .. }) => Ok(()),
        Ok(UpdateOutcome::CasMismatch { current }) => Err(cas_mismatch(cas, current)),
        Ok(UpdateOutcome::Deleted) => Err(deleted(id)),
        Ok(UpdateOutcome::NotFound) => Err(no_such(id)),
        Err(e) => Err(AppError::from(e)),
    };
    if let Err(e) = outcome {
        audit_failure(&state, &principal, "secret.update", target(id), &e).await;
        return Err(e);
    }
    Ok(AppJson(
        state.store.secret(id).await?.ok_or_else(|| no_such(id))?,
    ))
}

fn cas_mismatch(given: u32, current: u32) -> AppError {
    AppError::client(
        ErrorCode::CasMismatch,
        format!("cas {given} does not match the current version {current}; read it and retry"),
    )
}

/// Reveals the username, password and notes of a version (the current one by default).
/// Signed-in owners only; audited; never cached.
#[utoipa::path(post, path = "/api/v1/secrets/{id}/reveal", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")), request_body = RevealRequest,
    responses(
        (status = 200, description = "The values, with Cache-Control: no-store", body = super::types::RevealedSchema),
        (status = 403, description = "Not a signed-in session", body = ApiError),
        (status = 404, description = "No such secret of yours, or no such kept version", body = ApiError),
        (status = 409, description = "The secret is deleted", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
    AppJson(body): AppJson<RevealRequest>,
) -> Result<Response, AppError> {
    allow_reveal(&principal)?;
    state.vault.require_unsealed().await?;
    let meta = match owned(&state, &principal, id).await {
        Ok(meta) => meta,
        Err(e) => {
            // Someone asked for plaintext that is not theirs: worth a trace.
            let detail = json!({ "reason": "not the owner, or no such secret" });
            audit(
                &state,
                Some(&principal),
                "secret.reveal",
                target(id),
                AuditOutcome::Denied,
                detail,
            )
            .await?;
            return Err(e);
        }
    };
    if meta.deleted_at.is_some() {
        return Err(deleted(id));
    }
    let version = body.version.unwrap_or(meta.current_version);
    let stored = state.store.sealed_version(id, version).await?.ok_or_else(|| {
        AppError::not_found(format!(
            "secret {id} has no version {version}; only the newest {MAX_SECRET_VERSIONS} are kept"
        ))
    })?;
    let payload = match state
        .vault
        .decrypt(&binding(meta.owner, id, version), &stored)
        .await
    {
        Ok(payload) => payload,
        Err(e) => {
            audit_failure(&state, &principal, "secret.reveal", target(id), &e).await;
            return Err(e);
        }
    };
    let detail = json!({ "version": version });
    audit(
        &state,
        Some(&principal),
        "secret.reveal",
        target(id),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    Ok(no_store(AppJson(Revealed {
        secret_id: id,
        version,
        payload,
    })))
}

/// Soft-deletes a secret: nothing reads it any more, grants included, until it is undeleted.
#[utoipa::path(delete, path = "/api/v1/secrets/{id}", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 409, description = "Already deleted", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
) -> Result<StatusCode, AppError> {
    set_deleted(&state, &principal, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restores a soft-deleted secret, with its versions and grants.
#[utoipa::path(post, path = "/api/v1/secrets/{id}/undelete", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "Restored", body = SecretMeta),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 409, description = "Not deleted", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn undelete(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
) -> Result<AppJson<SecretMeta>, AppError> {
    set_deleted(&state, &principal, id, false).await?;
    Ok(AppJson(
        state.store.secret(id).await?.ok_or_else(|| no_such(id))?,
    ))
}

async fn set_deleted(
    state: &AppState,
    principal: &Principal,
    id: SecretId,
    delete: bool,
) -> Result<(), AppError> {
    allow_write(principal)?;
    state.vault.require_unsealed().await?;
    let meta = owned(state, principal, id).await?;
    let (action, wrong_state) = if delete {
        ("secret.delete", meta.deleted_at.is_some())
    } else {
        ("secret.undelete", meta.deleted_at.is_none())
    };
    if wrong_state {
        let state_now = if delete {
            "already deleted"
        } else {
            "not deleted"
        };
        return Err(AppError::client(
            ErrorCode::Conflict,
            format!("secret {id} is {state_now}"),
        ));
    }
    let detail = json!({ "name": meta.name });
    audit(
        state,
        Some(principal),
        action,
        target(id),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    let now = Utc::now();
    let changed = state
        .store
        .set_secret_deleted(id, delete.then_some(now), now)
        .await;
    match changed {
        Ok(true) => Ok(()),
        Ok(false) => {
            let e = AppError::client(
                ErrorCode::Conflict,
                format!("secret {id} changed meanwhile"),
            );
            audit_failure(state, principal, action, target(id), &e).await;
            Err(e)
        }
        Err(e) => {
            let e = AppError::from(e);
            audit_failure(state, principal, action, target(id), &e).await;
            Err(e)
        }
    }
}
