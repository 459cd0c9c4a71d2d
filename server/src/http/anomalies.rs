//! `/api/v1/anomalies`: list and filter, and the hand actions — acknowledge, unacknowledge,
//! resolve — each recorded in the anomaly's history with who, when and why.

use axum::extract::State;
use chrono::Utc;
use hangar_model::anomaly::{self, Anomaly, AnomalyKind, AnomalyState, LifecycleError, Severity};
use hangar_model::{AnomalyAction, ApiError, ErrorCode, SourceId, StreamEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{AuditEvent, AuditOutcome};
use crate::auth::{Principal, Tenancy};
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::state::AppState;
use crate::store::{AnomalyFilter, AnomalyLogEntry};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AnomalyQuery {
    /// `active` (open and acknowledged, the default), `open`, `acknowledged`, `resolved` or `all`.
    pub state: Option<String>,
    pub kind: Option<String>,
    /// At least this severe: `info`, `warn`, `error`, `fatal`.
    pub min_severity: Option<Severity>,
    pub department: Option<String>,
    pub source: Option<String>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::InvalidQuery, m)
}

/// Anomalies, most urgent first: active before resolved, then by severity, then newest.
#[utoipa::path(get, path = "/api/v1/anomalies", tag = "monitoring",
    params(AnomalyQuery),
    responses(
        (status = 200, description = "A page of anomalies", body = Vec<Anomaly>),
        (status = 400, description = "A parameter is invalid", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Option<Principal>,
    AppQuery(q): AppQuery<AnomalyQuery>,
) -> Result<AppJson<Vec<Anomaly>>, AppError> {
    let states = match q.state.as_deref().unwrap_or("active") {
        "active" => vec![AnomalyState::Open, AnomalyState::Acknowledged],
        "open" => vec![AnomalyState::Open],
        "acknowledged" => vec![AnomalyState::Acknowledged],
        "resolved" => vec![AnomalyState::Resolved],
        "all" => vec![],
        other => return Err(bad(format!("unknown state {other:?}"))),
    };
    let kind = q
        .kind
        .as_deref()
        .map(|k| AnomalyKind::parse(k).ok_or_else(|| bad(format!("unknown kind {k:?}"))))
        .transpose()?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit must be 1 to 500"));
    }
    let source = q
        .source
        .as_deref()
        .map(SourceId::parse)
        .transpose()
        .map_err(bad)?;
    let department = match Tenancy::of(who.as_ref()) {
        Tenancy::All => q.department,
        // A departmental role asking for another department gets nothing, not an error
        // that would confirm the department exists.
        Tenancy::Only(mine) if q.department.as_ref().is_none_or(|d| *d == mine) => Some(mine),
        Tenancy::Only(_) => return Ok(AppJson(Vec::new())),
    };
    let filter = AnomalyFilter {
        states,
        kind,
        min_severity: q.min_severity,
        department,
        source,
        limit,
        offset: q.offset.unwrap_or(0),
    };
    Ok(AppJson(state.store.list_anomalies(&filter).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AnomalyDetail {
    #[serde(flatten)]
    pub anomaly: Anomaly,
    /// Who did what, oldest first.
    pub history: Vec<AnomalyLogEntry>,
}

/// One anomaly with its history.
#[utoipa::path(get, path = "/api/v1/anomalies/{id}", tag = "monitoring",
    params(("id" = i64, Path, description = "Anomaly id")),
    responses(
        (status = 200, description = "The anomaly", body = AnomalyDetail),
        (status = 404, description = "No such anomaly", body = ApiError),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Option<Principal>,
    AppPath(id): AppPath<i64>,
) -> Result<AppJson<AnomalyDetail>, AppError> {
    let anomaly = visible_anomaly(&state, who.as_ref(), id).await?;
    let history = state.store.anomaly_history(id).await?;
    Ok(AppJson(AnomalyDetail { anomaly, history }))
}

/// Another department's anomaly is "not found" (404, not 403): its existence is not confirmed.
async fn visible_anomaly(
    state: &AppState,
    who: Option<&Principal>,
    id: i64,
) -> Result<Anomaly, AppError> {
    let tenancy = Tenancy::of(who);
    state
        .store
        .anomaly(id)
        .await?
        .filter(|a| tenancy.sees(a.department.as_deref()))
        .ok_or_else(|| AppError::not_found(format!("no anomaly {id}")))
}

/// The signed-in user is who acts; the body carries only an optional note. (Unknown fields
/// are ignored, so older clients that still send `by` keep working; it is not used.)
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnomalyActionRequest {
    /// Why, for the history (optional).
    pub note: Option<String>,
}

/// Acknowledges an open anomaly: it stays acknowledged while it keeps firing, until resolved.
#[utoipa::path(post, path = "/api/v1/anomalies/{id}/acknowledge", tag = "monitoring",
    params(("id" = i64, Path, description = "Anomaly id")), request_body = AnomalyActionRequest,
    responses(
        (status = 200, description = "Acknowledged", body = Anomaly),
        (status = 404, description = "No such anomaly", body = ApiError),
        (status = 409, description = "Not open (already acknowledged or resolved)", body = ApiError),
    ))]
pub async fn acknowledge(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    let note = req.note.clone();
    act(
        state,
        who,
        id,
        req,
        AnomalyAction::Acknowledged,
        move |a, by, now| anomaly::acknowledge(a, by, note.as_deref(), now),
    )
    .await
}

/// Takes an acknowledgement back: the anomaly is open again.
#[utoipa::path(post, path = "/api/v1/anomalies/{id}/unacknowledge", tag = "monitoring",
    params(("id" = i64, Path, description = "Anomaly id")), request_body = AnomalyActionRequest,
    responses(
        (status = 200, description = "Open again", body = Anomaly),
        (status = 404, description = "No such anomaly", body = ApiError),
        (status = 409, description = "Not acknowledged", body = ApiError),
    ))]
pub async fn unacknowledge(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    act(
        state,
        who,
        id,
        req,
        AnomalyAction::Unacknowledged,
        |a, _, _| anomaly::unacknowledge(a),
    )
    .await
}

/// Resolves an anomaly by hand. If its condition still holds it opens again as a new anomaly.
#[utoipa::path(post, path = "/api/v1/anomalies/{id}/resolve", tag = "monitoring",
    params(("id" = i64, Path, description = "Anomaly id")), request_body = AnomalyActionRequest,
    responses(
        (status = 200, description = "Resolved", body = Anomaly),
        (status = 404, description = "No such anomaly", body = ApiError),
        (status = 409, description = "Already resolved", body = ApiError),
    ))]
pub async fn resolve(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    act(
        state,
        who,
        id,
        req,
        AnomalyAction::Resolved,
        anomaly::resolve_by_hand,
    )
    .await
}

async fn act(
    state: AppState,
    who: Principal,
    id: i64,
    req: AnomalyActionRequest,
    action: AnomalyAction,
    step: impl FnOnce(&Anomaly, &str, chrono::DateTime<Utc>) -> Result<Anomaly, LifecycleError>,
) -> Result<AppJson<Anomaly>, AppError> {
    let by = who.username.as_str();
    if req.note.as_ref().is_some_and(|n| n.len() > 2_000) {
        return Err(AppError::client(
            ErrorCode::BadRequest,
            "note is limited to 2000 characters",
        ));
    }
    let current = visible_anomaly(&state, Some(&who), id).await?;
    let now = Utc::now();
    let next = step(&current, by, now)
        .map_err(|e: LifecycleError| AppError::client(ErrorCode::Conflict, e.to_string()))?;
    let (verb, audit_action) = match action {
        AnomalyAction::Acknowledged => ("acknowledged", "anomaly.acknowledge"),
        AnomalyAction::Unacknowledged => ("unacknowledged", "anomaly.unacknowledge"),
        _ => ("resolved", "anomaly.resolve"),
    };
    let event = AuditEvent::ok(audit_action, format!("anomaly:{id}"))
        .with_detail(serde_json::json!({ "note": req.note }));
    state.audit.record(Some(&who), event.clone()).await?;
    if !state
        .store
        .transition_anomaly(&next, current.state, verb, by, req.note.as_deref(), now)
        .await?
    {
        let failed = event.with_outcome(AuditOutcome::Failed);
        state.audit.record(Some(&who), failed).await?;
        return Err(AppError::client(
            ErrorCode::Conflict,
            "the anomaly changed meanwhile; reload and try again",
        ));
    }
    tracing::info!(id, action = verb, by, "anomaly");
    state.hub.publish(StreamEvent::Anomaly {
        action,
        anomaly: Box::new(next.clone()),
    });
    Ok(AppJson(next))
}
