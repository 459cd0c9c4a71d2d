//! `/api/v1/sources`: the vendor tenants Hangar collects from, added and steered at run time.

use axum::extract::State;
use axum::http::StatusCode;
use hangar_model::{ApiError, ErrorCode, SourceId, SourceView};

use crate::audit::{AuditEvent, AuditOutcome};
use crate::auth::{Principal, Tenancy};
use crate::collect::{SourceError, SourceSpec};
use crate::error::{AppError, AppJson, AppPath};
use crate::state::AppState;

fn source_id(raw: &str) -> Result<SourceId, AppError> {
    SourceId::parse(raw).map_err(|m| AppError::client(ErrorCode::BadRequest, m))
}

fn unknown(id: &SourceId) -> AppError {
    AppError::not_found(format!("no source {id}"))
}

/// Every source with its collector health.
#[utoipa::path(get, path = "/api/v1/sources", tag = "sources",
    responses((status = 200, description = "The sources", body = Vec<SourceView>)))]
pub async fn list(
    State(state): State<AppState>,
    who: Option<Principal>,
) -> AppJson<Vec<SourceView>> {
    let tenancy = Tenancy::of(who.as_ref());
    let mut sources = state.collectors.list();
    sources.retain(|s| tenancy.sees(Some(&s.department)));
    AppJson(sources)
}

/// One source with its collector health.
#[utoipa::path(get, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "The source", body = SourceView),
        (status = 404, description = "No such source", body = ApiError),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Option<Principal>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<SourceView>, AppError> {
    let id = source_id(&id)?;
    let tenancy = Tenancy::of(who.as_ref());
    // Another department's source is "not found": its existence is not confirmed.
    state
        .collectors
        .get(&id)
        .filter(|s| tenancy.sees(Some(&s.department)))
        .map(AppJson)
        .ok_or_else(|| unknown(&id))
}

/// Adds a source and starts collecting from it at once.
///
/// Secrets are given as `{"env": "VARIABLE"}`, naming an environment variable of the hangar
/// process: they are not stored until the vault exists.
#[utoipa::path(post, path = "/api/v1/sources", tag = "sources",
    request_body = SourceSpec,
    responses(
        (status = 201, description = "Added and started", body = SourceView),
        (status = 400, description = "The spec is invalid (the message says why)", body = ApiError),
        (status = 409, description = "The id is taken", body = ApiError),
    ))]
pub async fn add(
    State(state): State<AppState>,
    who: Principal,
    AppJson(spec): AppJson<SourceSpec>,
) -> Result<(StatusCode, AppJson<SourceView>), AppError> {
    // The spec's secrets are references or simulator values: only names go in the log.
    let event = AuditEvent::ok("source.add", format!("source:{}", spec.id)).with_detail(
        serde_json::json!({"vendor": spec.vendor(), "department": spec.department, "base_url": spec.base_url}),
    );
    state.audit.record(Some(&who), event.clone()).await?;
    let added = state.collectors.add(spec).await;
    if added.is_err() {
        let failed = event.with_outcome(AuditOutcome::Failed);
        state.audit.record(Some(&who), failed).await?;
    }
    match added {
        Ok(view) => Ok((StatusCode::CREATED, AppJson(view))),
        Err(SourceError::Exists(id)) => Err(AppError::client(
            ErrorCode::Conflict,
            format!("a source with id {id} already exists"),
        )),
        Err(SourceError::Invalid(e)) => Err(AppError::client(ErrorCode::BadRequest, e.to_string())),
        Err(SourceError::Collector(e)) => Err(AppError::client(
            ErrorCode::BadRequest,
            format!("the collector could not be set up: {e}"),
        )),
        Err(SourceError::Store(e)) => Err(e.into()),
    }
}

/// Stops collecting and deletes the source with everything collected from it.
#[utoipa::path(delete, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such source", body = ApiError),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, AppError> {
    let id = source_id(&id)?;
    if state.collectors.get(&id).is_none() {
        return Err(unknown(&id));
    }
    let event = AuditEvent::ok("source.remove", format!("source:{id}"));
    state.audit.record(Some(&who), event).await?;
    if state.collectors.remove(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unknown(&id))
    }
}

/// Stops polling the source (webhooks are still taken) until it is resumed.
#[utoipa::path(post, path = "/api/v1/sources/{id}/pause", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "Paused", body = SourceView),
        (status = 404, description = "No such source", body = ApiError),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<SourceView>, AppError> {
    set_paused(state, who, id, true).await
}

/// Resumes polling, starting with an immediate poll.
#[utoipa::path(post, path = "/api/v1/sources/{id}/resume", tag = "sources",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "Resumed", body = SourceView),
        (status = 404, description = "No such source", body = ApiError),
    ))]
pub async fn resume(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<SourceView>, AppError> {
    set_paused(state, who, id, false).await
}

async fn set_paused(
    state: AppState,
    who: Principal,
    id: String,
    paused: bool,
) -> Result<AppJson<SourceView>, AppError> {
    let id = source_id(&id)?;
    if state.collectors.get(&id).is_none() {
        return Err(unknown(&id));
    }
    let action = if paused {
        "source.pause"
    } else {
        "source.resume"
    };
    state
        .audit
        .record(Some(&who), AuditEvent::ok(action, format!("source:{id}")))
        .await?;
    state
        .collectors
        .set_paused(&id, paused)
        .await?
        .map(AppJson)
        .ok_or_else(|| unknown(&id))
}
