//! The OpenAPI document of Hangar's own API, at `/api/v1/openapi.json`.

use axum::Json;
use hangar_model::{
    ApiError, ApiErrorBody, Breakdown, DbEngine, DbStatus, ErrorCode, NodeStatus, Run, RunState,
    SaturationCell, SourceHealth, SourceView, StreamStats, SystemStatus, Vendor, WallSummary,
};
use utoipa::OpenApi;

use super::{anomalies, health, hooks, runs, sources, status, stream, summary};
use crate::collect::{AuthSpec, SecretRef, SourceSpec};
use crate::secrets;
use crate::store::AnomalyLogEntry;
use hangar_model::anomaly::{Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Severity};
use hangar_model::secrets::{
    NewGrant, RotateReport, SecretDetail, SecretGrant, SecretMeta, SecretVersionInfo, VaultStatus,
};

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
        secrets::admin::status, secrets::admin::unseal, secrets::admin::seal, secrets::admin::rotate,
        secrets::api::list, secrets::api::create, secrets::api::get, secrets::api::update,
        secrets::api::reveal, secrets::api::delete, secrets::api::undelete,
        secrets::grants::list, secrets::grants::create, secrets::grants::revoke, secrets::grants::robot_read,
    ),
    components(schemas(
        ApiError, ApiErrorBody, ErrorCode, SystemStatus, NodeStatus, DbStatus, DbEngine,
        StreamStats, health::Health, health::Readiness, SourceView, SourceHealth, SourceSpec,
        AuthSpec, SecretRef, Vendor, Run, RunState, hooks::HookAck, WallSummary, Breakdown,
        SaturationCell, Anomaly, AnomalyKind, AnomalyState, Severity, Acknowledgement,
        AnomalyLogEntry, anomalies::AnomalyDetail, anomalies::AnomalyActionRequest,
        SecretMeta, SecretDetail, SecretVersionInfo, SecretGrant, NewGrant, VaultStatus, RotateReport,
        secrets::types::SecretWrite, secrets::types::RevealRequest, secrets::types::RevealedSchema,
        secrets::types::RobotCredentialSchema, secrets::types::UnsealRequest
    )),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "system", description = "Hangar's own state"),
        (name = "stream", description = "Live server-sent events"),
        (name = "sources", description = "Vendor tenants Hangar collects from"),
        (name = "runs", description = "Runs as collected"),
        (name = "hooks", description = "Vendor webhooks and callbacks"),
        (name = "monitoring", description = "Summaries, saturation and anomalies"),
        (name = "secrets", description = "Your credentials (encrypted at rest), grants, robot retrieval"),
        (name = "vault", description = "The credential vault's keys: status, unseal, seal, rotation (admins)"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
