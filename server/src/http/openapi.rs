//! The OpenAPI document of Hangar's own API, at `/api/v1/openapi.json`.

use axum::Json;
use hangar_model::{
    ApiError, ApiErrorBody, Breakdown, DbEngine, DbStatus, ErrorCode, NodeStatus, Run, RunState,
    SaturationCell, SourceHealth, SourceView, StreamStats, SystemStatus, Vendor, WallSummary,
};
use utoipa::OpenApi;

use super::{anomalies, health, hooks, runs, sources, status, stream, summary, wall_api};
use crate::collect::{AuthSpec, SecretRef, SourceSpec};
use crate::store::AnomalyLogEntry;
use hangar_model::anomaly::{Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Severity};
use hangar_model::wall;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hangar API",
        description = "Runs and watches the shared VMs that RPA robots work on. Every error \
                       answers {\"error\":{\"code\":…,\"message\":…}}; codes are stable."
    ),
    paths(
        health::healthz, health::readyz, status::get_status, stream::stream,
        sources::list, sources::get, sources::add, sources::remove, sources::pause, sources::resume,
        runs::list, hooks::uipath_hook, hooks::aa_hook, summary::summary, summary::saturation,
        anomalies::list, anomalies::get, anomalies::acknowledge, anomalies::unacknowledge, anomalies::resolve,
        wall_api::data, wall_api::list, wall_api::get, wall_api::put, wall_api::delete,
    ),
    components(schemas(
        ApiError, ApiErrorBody, ErrorCode, SystemStatus, NodeStatus, DbStatus, DbEngine,
        StreamStats, health::Health, health::Readiness, SourceView, SourceHealth, SourceSpec,
        AuthSpec, SecretRef, Vendor, Run, RunState, hooks::HookAck, WallSummary, Breakdown,
        SaturationCell, Anomaly, AnomalyKind, AnomalyState, Severity, Acknowledgement,
        AnomalyLogEntry, anomalies::AnomalyDetail, anomalies::AnomalyActionRequest,
        wall::WallProfile, wall::ScreenSpec, wall::PanelKind, wall::LocalText, wall::WallData,
        wall::Kpi, wall::VmTile, wall::RobotTile, wall::RunRef, wall::Timeline, wall::Lane,
        wall::Bar, wall::Heatmap, wall::HeatRow
    )),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "system", description = "Hangar's own state"),
        (name = "stream", description = "Live server-sent events"),
        (name = "sources", description = "Vendor tenants Hangar collects from"),
        (name = "runs", description = "Runs as collected"),
        (name = "hooks", description = "Vendor webhooks and callbacks"),
        (name = "monitoring", description = "Summaries, saturation and anomalies"),
        (name = "wall", description = "Wall profiles and what each screen shows"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
