//! `/api/v1/runs`: runs as collected, newest first, with paging.

use axum::extract::State;
use hangar_model::{ApiError, ErrorCode, Run, RunState, SourceId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, Tenancy};
use crate::error::{AppError, AppJson, AppQuery};
use crate::state::AppState;
use crate::store::RunFilter;

#[derive(Debug, Deserialize, IntoParams)]
pub struct RunQuery {
    /// Only runs of this source.
    pub source: Option<String>,
    /// Only runs in this state (`running`, `failed`, …).
    pub state: Option<RunState>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u32>,
    /// Runs to skip.
    pub offset: Option<u32>,
}

/// Runs, newest first; a departmental role sees only its department's.
#[utoipa::path(get, path = "/api/v1/runs", tag = "runs",
    params(RunQuery),
    responses(
        (status = 200, description = "A page of runs", body = Vec<Run>),
        (status = 400, description = "A parameter is invalid", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Option<Principal>,
    AppQuery(q): AppQuery<RunQuery>,
) -> Result<AppJson<Vec<Run>>, AppError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::client(
            ErrorCode::InvalidQuery,
            "limit must be 1 to 500",
        ));
    }
    let source = q
        .source
        .as_deref()
        .map(SourceId::parse)
        .transpose()
        .map_err(|m| AppError::client(ErrorCode::InvalidQuery, m))?;
    let filter = RunFilter {
        source,
        state: q.state,
        department: Tenancy::of(who.as_ref()).department().map(str::to_owned),
        limit,
        offset: q.offset.unwrap_or(0),
    };
    Ok(AppJson(state.store.list_runs(&filter).await?))
}
