//! Liveness and readiness, for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

/// The process is up and serving HTTP. Says nothing about the database.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "The process answers", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// The database answered a query.
    pub database: bool,
    /// Every migration in this binary is applied.
    pub migrations: bool,
    /// The node is shutting down and wants no new traffic.
    pub draining: bool,
}

/// Ready to take traffic: the database answers, its schema is current, no shutdown under way.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready; the body says which check failed", body = Readiness),
    ))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = state.store.ping().await.is_ok();
    let migrations = database && state.store.migrations_current().await.unwrap_or(false);
    let draining = state.shutdown.is_cancelled();
    let ready = database && migrations && !draining;
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(Readiness {
            ready,
            database,
            migrations,
            draining,
        }),
    )
}
