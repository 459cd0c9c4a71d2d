//! `/api/v1/summary` and `/api/v1/saturation`: what the wall's KPI strip and heatmap show.

use axum::extract::State;
use chrono::{DurationRound, TimeDelta, Utc};
use hangar_model::{ApiError, ErrorCode, SaturationCell, WallSummary};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, AppJson, AppQuery};
use crate::state::AppState;

/// Running and queued now; finished, failed and success rate today (UTC); robots busy and
/// idle; active anomalies; the same by department and product.
#[utoipa::path(get, path = "/api/v1/summary", tag = "monitoring",
    responses(
        (status = 200, description = "The wall summary", body = WallSummary),
        (status = 500, description = "Internal error", body = ApiError),
    ))]
pub async fn summary(State(state): State<AppState>) -> Result<AppJson<WallSummary>, AppError> {
    Ok(AppJson(state.store.wall_summary(Utc::now()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SaturationQuery {
    /// How many days back from now, 1–31 (default 7).
    pub days: Option<u32>,
}

/// Busy share (0–1) of every robot for every hour of the last days.
#[utoipa::path(get, path = "/api/v1/saturation", tag = "monitoring",
    params(SaturationQuery),
    responses(
        (status = 200, description = "Robot × hour busy shares", body = Vec<SaturationCell>),
        (status = 400, description = "Bad range", body = ApiError),
    ))]
pub async fn saturation(
    State(state): State<AppState>,
    AppQuery(q): AppQuery<SaturationQuery>,
) -> Result<AppJson<Vec<SaturationCell>>, AppError> {
    let days = q.days.unwrap_or(7);
    if !(1..=31).contains(&days) {
        return Err(AppError::client(
            ErrorCode::InvalidQuery,
            "days must be 1 to 31",
        ));
    }
    let now = Utc::now();
    let to = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now) + TimeDelta::hours(1);
    let from = to - TimeDelta::days(i64::from(days));
    Ok(AppJson(state.store.saturation(from, to).await?))
}
