//! The HTTP surface: API, stream, health, metrics and the wall, behind one middleware stack.

mod anomalies;
mod health;
mod hooks;
mod metrics;
mod openapi;
mod runs;
mod sources;
mod status;
mod stream;
mod summary;
mod wall;

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{BoxError, Router, middleware};
use hangar_model::ErrorCode;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use self::metrics::install_prometheus;
pub use self::openapi::ApiDoc;
pub use self::wall::WallAssets;

use crate::error::{error_response, method_not_allowed, not_found};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, assets: &WallAssets) -> Router {
    let timeout = Duration::from_secs(state.config.http.request_timeout_secs);
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/status", get(status::get_status))
        .route("/api/v1/stream", get(stream::stream))
        .route("/api/v1/sources", get(sources::list).post(sources::add))
        .route(
            "/api/v1/sources/{id}",
            get(sources::get).delete(sources::remove),
        )
        .route("/api/v1/sources/{id}/pause", post(sources::pause))
        .route("/api/v1/sources/{id}/resume", post(sources::resume))
        .route("/api/v1/runs", get(runs::list))
        .route("/api/v1/summary", get(summary::summary))
        .route("/api/v1/anomalies", get(anomalies::list))
        .route("/api/v1/anomalies/{id}", get(anomalies::get))
        .route(
            "/api/v1/anomalies/{id}/acknowledge",
            post(anomalies::acknowledge),
        )
        .route(
            "/api/v1/anomalies/{id}/unacknowledge",
            post(anomalies::unacknowledge),
        )
        .route("/api/v1/anomalies/{id}/resolve", post(anomalies::resolve))
        .route("/api/v1/saturation", get(summary::saturation))
        .merge(crate::secrets::routes())
        .route("/hooks/uipath/{source}", post(hooks::uipath_hook))
        .route("/hooks/aa/{source}", post(hooks::aa_hook))
        .route("/", get(|| async { Redirect::temporary("/wall") }))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());

    api.merge(wall::router(&state, assets))
        .layer(middleware::from_fn(metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(|_| {
                    tracing::error!("handler panicked");
                    error_response(ErrorCode::Internal, "internal error")
                }))
                // Event streams are left alone by the default predicate (they must flush).
                .layer(CompressionLayer::new())
                .layer(HandleErrorLayer::new(move |e: BoxError| async move {
                    timeout_or_internal(e, timeout)
                }))
                .timeout(timeout),
        )
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}

fn timeout_or_internal(e: BoxError, limit: Duration) -> axum::response::Response {
    if e.is::<tower::timeout::error::Elapsed>() {
        error_response(
            ErrorCode::Timeout,
            format!("the request took longer than {} s", limit.as_secs()),
        )
    } else {
        tracing::error!(error = %e, "middleware failed");
        error_response(ErrorCode::Internal, "internal error").into_response()
    }
}
