//! `/api/v1/anomalies`: list and filter, and the hand actions — acknowledge, unacknowledge,
//! resolve — each recorded in the anomaly's history with who, when and why.

use axum::extract::State;
use chrono::Utc;
use hangar_model::anomaly::{self, Anomaly, AnomalyKind, AnomalyState, LifecycleError, Severity};
use hangar_model::{AnomalyAction, ApiError, ErrorCode, SourceId, StreamEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    let filter = AnomalyFilter {
        states,
        kind,
        min_severity: q.min_severity,
        department: q.department,
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
    AppPath(id): AppPath<i64>,
) -> Result<AppJson<AnomalyDetail>, AppError> {
    let anomaly = state
        .store
        .anomaly(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no anomaly {id}")))?;
    let history = state.store.anomaly_history(id).await?;
    Ok(AppJson(AnomalyDetail { anomaly, history }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyActionRequest {
    /// Who acts. (Taken from the signed-in user once users exist.)
    pub by: String,
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
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    let note = req.note.clone();
    act(
        state,
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
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    act(state, id, req, AnomalyAction::Unacknowledged, |a, _, _| {
        anomaly::unacknowledge(a)
    })
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
    AppPath(id): AppPath<i64>,
    AppJson(req): AppJson<AnomalyActionRequest>,
) -> Result<AppJson<Anomaly>, AppError> {
    act(state, id, req, AnomalyAction::Resolved, |a, by, now| {
        anomaly::resolve_by_hand(a, by, now)
    })
    .await
}

async fn act(
    state: AppState,
    id: i64,
    req: AnomalyActionRequest,
    action: AnomalyAction,
    step: impl FnOnce(&Anomaly, &str, chrono::DateTime<Utc>) -> Result<Anomaly, LifecycleError>,
) -> Result<AppJson<Anomaly>, AppError> {
    let by = req.by.trim();
    if by.is_empty() || by.len() > 200 {
        return Err(AppError::client(
            ErrorCode::BadRequest,
            "by must name who acts (1-200 characters)",
        ));
    }
    if req.note.as_ref().is_some_and(|n| n.len() > 2_000) {
        return Err(AppError::client(
            ErrorCode::BadRequest,
            "note is limited to 2000 characters",
        ));
    }
    let current = state
        .store
        .anomaly(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no anomaly {id}")))?;
    let now = Utc::now();
    let next = step(&current, by, now)
        .map_err(|e: LifecycleError| AppError::client(ErrorCode::Conflict, e.to_string()))?;
    let verb = match action {
        AnomalyAction::Acknowledged => "acknowledged",
        AnomalyAction::Unacknowledged => "unacknowledged",
        _ => "resolved",
    };
    if !state
        .store
        .transition_anomaly(&next, current.state, verb, by, req.note.as_deref(), now)
        .await?
    {
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
