//! `/api/v1/audit` (admins): the audit log, newest first, filtered and paged.

use axum::extract::State;
use chrono::{DateTime, Utc};
use hangar_model::{ApiError, ErrorCode};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppJson, AppQuery};
use crate::state::AppState;
use crate::store::{AuditFilter, AuditRecord};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only entries by this user name (case-insensitive).
    pub actor: Option<String>,
    /// Only this action, e.g. `auth.login_failed`.
    pub action: Option<String>,
    /// Only this target, e.g. `anomaly:42`.
    pub target: Option<String>,
    /// From this time (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of audit entries", body = Vec<AuditRecord>),
        (status = 400, description = "A parameter is invalid", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(q): AppQuery<AuditQuery>,
) -> Result<AppJson<Vec<AuditRecord>>, AppError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::client(
            ErrorCode::InvalidQuery,
            "limit must be 1 to 500",
        ));
    }
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        target: q.target,
        since: q.since,
        until: q.until,
        limit,
        offset: q.offset.unwrap_or(0),
    };
    Ok(AppJson(state.store.list_audit(&filter).await?))
}
