//! `/api/v1/summary` and `/api/v1/saturation`: what the wall's KPI strip and heatmap show.

use axum::extract::State;
use chrono::{DurationRound, TimeDelta, Utc};
use hangar_model::{ApiError, ErrorCode, SaturationCell, WallSummary};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, Tenancy};
use crate::error::{AppError, AppJson, AppQuery};
use crate::state::AppState;

/// Running and queued now; finished, failed and success rate today (UTC); robots busy and
/// idle; active anomalies; the same by department and product. A departmental role gets
/// its department's figures only.
#[utoipa::path(get, path = "/api/v1/summary", tag = "monitoring",
    responses(
        (status = 200, description = "The wall summary", body = WallSummary),
        (status = 500, description = "Internal error", body = ApiError),
    ))]
pub async fn summary(
    State(state): State<AppState>,
    who: Option<Principal>,
) -> Result<AppJson<WallSummary>, AppError> {
    let tenancy = Tenancy::of(who.as_ref());
    Ok(AppJson(
        state
            .store
            .wall_summary_for(Utc::now(), tenancy.department())
            .await?,
    ))
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
    who: Option<Principal>,
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
    let tenancy = Tenancy::of(who.as_ref());
    Ok(AppJson(
        state
            .store
            .saturation_for(from, to, tenancy.department())
            .await?,
    ))
}
