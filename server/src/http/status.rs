//! `/api/v1/status`: what the wall's system panels show, as JSON.

use axum::Json;
use axum::extract::State;
use hangar_model::{ApiError, SystemStatus};

use crate::state::AppState;

/// The live status of this node, its database and every node sharing it.
#[utoipa::path(get, path = "/api/v1/status", tag = "system",
    responses(
        (status = 200, description = "Current status", body = SystemStatus),
        (status = 500, description = "Internal error", body = ApiError),
    ))]
pub async fn get_status(State(state): State<AppState>) -> Json<SystemStatus> {
    // Built fresh rather than served from the last tick: an API caller wants "now".
    Json(state.status.snapshot().await)
}
