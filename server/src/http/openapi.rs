//! The OpenAPI document of Hangar's own API, at `/api/v1/openapi.json`.

use axum::Json;
use hangar_model::{
    ApiError, ApiErrorBody, Breakdown, DbEngine, DbStatus, ErrorCode, NodeStatus, Run, RunState,
    SaturationCell, SourceHealth, SourceView, StreamStats, SystemStatus, Vendor, WallSummary,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    anomalies, audit, auth, health, hooks, runs, sources, status, stream, summary, tokens, users,
    wall_api,
};
use crate::collect::{AuthSpec, SecretRef, SourceSpec};
use crate::secrets;
use crate::store::AnomalyLogEntry;
use crate::store::AuditRecord;
use hangar_model::anomaly::{Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Severity};
use hangar_model::secrets::{
    NewGrant, RotateReport, SecretDetail, SecretGrant, SecretMeta, SecretVersionInfo, VaultStatus,
};
use hangar_model::wall;
use hangar_model::{Role, Scope};

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
        auth::login, auth::logout, auth::me, auth::change_password,
        users::list, users::create, users::patch, users::reset_password,
        tokens::list, tokens::create, tokens::revoke, audit::list,
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
        wall::WallProfile, wall::ScreenSpec, wall::PanelKind, wall::LocalText, wall::WallData,
        wall::Kpi, wall::VmTile, wall::RobotTile, wall::RunRef, wall::Timeline, wall::Lane,
        wall::Bar, wall::Heatmap, wall::HeatRow,
        Role, Scope, auth::UserView, auth::LoginRequest, auth::LoginResponse, auth::Me,
        auth::ChangePassword, users::CreateUser, users::PatchUser, users::ResetPassword,
        tokens::TokenView, tokens::CreateToken, tokens::CreatedToken, AuditRecord,
        SecretMeta, SecretDetail, SecretVersionInfo, SecretGrant, NewGrant, VaultStatus, RotateReport,
        secrets::types::SecretWrite, secrets::types::RevealRequest, secrets::types::RevealedSchema,
        secrets::types::RobotCredentialSchema, secrets::types::UnsealRequest
    )),
    modifiers(&SecuritySchemes),
    // Every operation needs one of these unless it says otherwise (health, sign-in, hooks);
    // which roles and token scopes may call what is the policy table (docs/operations.md).
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "system", description = "Hangar's own state"),
        (name = "stream", description = "Live server-sent events"),
        (name = "sources", description = "Vendor tenants Hangar collects from"),
        (name = "runs", description = "Runs as collected"),
        (name = "hooks", description = "Vendor webhooks and callbacks"),
        (name = "monitoring", description = "Summaries, saturation and anomalies"),
        (name = "wall", description = "Wall profiles and what each screen shows"),
        (name = "auth", description = "Sign-in, sessions and the caller's identity"),
        (name = "users", description = "Local users (admins)"),
        (name = "tokens", description = "API tokens for robots, wall screens and automation"),
        (name = "audit", description = "The append-only audit log (admins)"),
        (name = "secrets", description = "Your credentials (encrypted at rest), grants, robot retrieval"),
        (name = "vault", description = "The credential vault's keys: status, unseal, seal, rotation (admins)"),
    )
)]
pub struct ApiDoc;

/// Bearer API tokens (`hgr_…`) and the session cookie. State-changing requests made with
/// the cookie must also carry `X-CSRF-Token` (the `hangar_csrf` cookie's value).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("hgr_<base64url>")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("hangar_session"))),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
