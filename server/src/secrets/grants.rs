//! Grants, and robot retrieval: an owner grants a secret to a robot or process under an
//! asset name (as an Orchestrator credential asset); a robot token then reads exactly the
//! secrets granted to its grantee. Revoking, or deleting the secret, stops it at once:
//! every read looks the live grant up again.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use hangar_model::secrets::{NewGrant, SecretGrant, check_grantee, check_label};
use hangar_model::{ApiError, ErrorCode, GrantId, SecretId};
use serde_json::json;

use super::access::{allow_read, allow_write, audit, audit_failure, robot_grantee};
use super::api::{no_store, owned, target};
use super::service::binding;
use super::types::RobotCredential;
use crate::audit::AuditOutcome;
use crate::auth::Principal;
use crate::error::{AppError, AppJson, AppPath};
use crate::state::AppState;

/// The grants of one of your secrets, revoked ones included.
#[utoipa::path(get, path = "/api/v1/secrets/{id}/grants", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")),
    responses(
        (status = 200, description = "Grants, oldest first", body = Vec<SecretGrant>),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
) -> Result<AppJson<Vec<SecretGrant>>, AppError> {
    allow_read(&principal)?;
    state.vault.require_unsealed().await?;
    owned(&state, &principal, id).await?;
    Ok(AppJson(state.store.list_grants(id).await?))
}

/// Grants one of your secrets to a robot or process under an asset name.
#[utoipa::path(post, path = "/api/v1/secrets/{id}/grants", tag = "secrets",
    params(("id" = String, Path, description = "Secret id")), request_body = NewGrant,
    responses(
        (status = 201, description = "Granted", body = SecretGrant),
        (status = 400, description = "Grantee or asset name invalid", body = ApiError),
        (status = 404, description = "No such secret of yours", body = ApiError),
        (status = 409, description = "The grantee already has a live grant with this asset name, or the secret is deleted", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<SecretId>,
    AppJson(body): AppJson<NewGrant>,
) -> Result<(StatusCode, AppJson<SecretGrant>), AppError> {
    allow_write(&principal)?;
    state.vault.require_unsealed().await?;
    let bad = |m: String| AppError::client(ErrorCode::BadRequest, m);
    check_grantee(&body.grantee).map_err(bad)?;
    check_label("asset_name", &body.asset_name).map_err(bad)?;
    let meta = owned(&state, &principal, id).await?;
    if meta.deleted_at.is_some() {
        return Err(AppError::client(
            ErrorCode::Conflict,
            format!("secret {id} is deleted; undelete it first"),
        ));
    }
    let grant = SecretGrant {
        id: GrantId(uuid::Uuid::new_v4()),
        secret_id: id,
        grantee: body.grantee,
        asset_name: body.asset_name,
        created_at: Utc::now(),
        created_by: principal.username.clone(),
        revoked_at: None,
    };
    let detail =
        json!({ "grant": grant.id, "grantee": grant.grantee, "asset_name": grant.asset_name });
    audit(
        &state,
        Some(&principal),
        "secret.grant",
        target(id),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    let outcome = match state.store.insert_grant(&grant).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::client(
            ErrorCode::Conflict,
            format!(
                "{} already has a live grant named {:?}; revoke it first",
                grant.grantee, grant.asset_name
            ),
        )),
        Err(e) => Err(AppError::from(e)),
    };
    if let Err(e) = outcome {
        audit_failure(&state, &principal, "secret.grant", target(id), &e).await;
        return Err(e);
    }
    Ok((StatusCode::CREATED, AppJson(grant)))
}

/// Revokes a grant of one of your secrets; the robot's next read fails.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "secrets",
    params(("id" = String, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such grant on a secret of yours", body = ApiError),
        (status = 409, description = "Already revoked", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<GrantId>,
) -> Result<StatusCode, AppError> {
    allow_write(&principal)?;
    state.vault.require_unsealed().await?;
    let no_such = || AppError::not_found(format!("no grant {id}"));
    let grant = state.store.grant(id).await?.ok_or_else(no_such)?;
    owned(&state, &principal, grant.secret_id)
        .await
        .map_err(|_| no_such())?;
    if grant.revoked_at.is_some() {
        return Err(AppError::client(
            ErrorCode::Conflict,
            format!("grant {id} is already revoked"),
        ));
    }
    let detail = json!({ "grant": id, "grantee": grant.grantee, "asset_name": grant.asset_name });
    let target = target(grant.secret_id);
    audit(
        &state,
        Some(&principal),
        "secret.revoke",
        target.clone(),
        AuditOutcome::Ok,
        detail,
    )
    .await?;
    match state.store.revoke_grant(id, Utc::now()).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => {
            let e = AppError::client(
                ErrorCode::Conflict,
                format!("grant {id} is already revoked"),
            );
            audit_failure(&state, &principal, "secret.revoke", target, &e).await;
            Err(e)
        }
        Err(e) => {
            let e = AppError::from(e);
            audit_failure(&state, &principal, "secret.revoke", target, &e).await;
            Err(e)
        }
    }
}

/// A robot reads the credential granted to it under `asset_name`: the current version's
/// username and password. Robot tokens with the `robot:credentials` scope only; every read,
/// allowed or not, is audited with the grantee and asset name.
#[utoipa::path(get, path = "/api/v1/robot/credentials/{asset_name}", tag = "secrets",
    params(("asset_name" = String, Path, description = "The asset name the grant gives")),
    responses(
        (status = 200, description = "The credential, with Cache-Control: no-store", body = super::types::RobotCredentialSchema),
        (status = 403, description = "Not a robot token with robot:credentials", body = ApiError),
        (status = 404, description = "Nothing granted to this robot under this name", body = ApiError),
        (status = 503, description = "The vault is sealed (vault_sealed)", body = ApiError),
    ))]
pub async fn robot_read(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(asset_name): AppPath<String>,
) -> Result<Response, AppError> {
    let asset_target = format!("asset:{asset_name}");
    let Some(grantee) = robot_grantee(&principal).map(str::to_owned) else {
        let detail = json!({ "asset_name": asset_name, "reason": "not a robot token with robot:credentials" });
        audit(
            &state,
            Some(&principal),
            "robot.credential_read",
            asset_target,
            AuditOutcome::Denied,
            detail,
        )
        .await?;
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "only a robot token with the robot:credentials scope reads credentials",
        ));
    };
    let detail =
        |reason: &str| json!({ "grantee": grantee, "asset_name": asset_name, "reason": reason });
    if let Err(e) = state.vault.require_unsealed().await {
        audit(
            &state,
            Some(&principal),
            "robot.credential_read",
            asset_target,
            AuditOutcome::Failed,
            detail("vault sealed"),
        )
        .await?;
        return Err(e);
    }
    let Some((grant, meta)) = state.store.granted_secret(&grantee, &asset_name).await? else {
        audit(
            &state,
            Some(&principal),
            "robot.credential_read",
            asset_target,
            AuditOutcome::Denied,
            detail("no live grant"),
        )
        .await?;
        return Err(AppError::not_found(format!(
            "no credential {asset_name:?} is granted to {grantee}"
        )));
    };
    let version = meta.current_version;
    let opened = match state.store.sealed_version(meta.id, version).await? {
        Some(stored) => {
            state
                .vault
                .decrypt(&binding(meta.owner, meta.id, version), &stored)
                .await
        }
        None => Err(AppError::Internal(anyhow::anyhow!(
            "secret {} lost its current version",
            meta.id
        ))),
    };
    let payload = match opened {
        Ok(payload) => payload,
        Err(e) => {
            audit(
                &state,
                Some(&principal),
                "robot.credential_read",
                target(meta.id),
                AuditOutcome::Failed,
                detail("could not open"),
            )
            .await?;
            return Err(e);
        }
    };
    let ok =
        json!({ "grantee": grantee, "asset_name": asset_name, "grant": grant, "version": version });
    audit(
        &state,
        Some(&principal),
        "robot.credential_read",
        target(meta.id),
        AuditOutcome::Ok,
        ok,
    )
    .await?;
    Ok(no_store(AppJson(RobotCredential {
        asset_name,
        payload,
    })))
}
