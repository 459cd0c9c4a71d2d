//! The HTTP surface: API, stream, health, metrics and the wall, behind one middleware stack.

mod anomalies;
mod audit;
mod auth;
mod health;
mod hooks;
mod metrics;
mod openapi;
mod runs;
mod sources;
mod status;
mod stream;
mod summary;
mod tokens;
mod users;
pub(crate) mod wall;
mod wall_api;

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use axum::{BoxError, Router, middleware};
use hangar_model::ErrorCode;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use self::metrics::install_prometheus;
pub use self::openapi::ApiDoc;
pub use self::wall::{WallAssets, is_page};

use crate::error::{error_response, method_not_allowed, not_found};
use crate::secrets;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every API route as (method, template, handler). The router is built from this list, and
/// a unit test holds it against the policy table, so no route escapes the table.
fn api_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/healthz", get(health::healthz)),
        ("GET", "/readyz", get(health::readyz)),
        ("GET", "/metrics", get(metrics::render)),
        ("GET", "/api/v1/openapi.json", get(openapi::document)),
        ("POST", "/api/v1/auth/login", post(auth::login)),
        ("POST", "/api/v1/auth/logout", post(auth::logout)),
        ("GET", "/api/v1/auth/me", get(auth::me)),
        ("POST", "/api/v1/auth/password", post(auth::change_password)),
        ("GET", "/api/v1/users", get(users::list)),
        ("POST", "/api/v1/users", post(users::create)),
        ("PATCH", "/api/v1/users/{id}", patch(users::patch)),
        (
            "POST",
            "/api/v1/users/{id}/password",
            post(users::reset_password),
        ),
        ("GET", "/api/v1/tokens", get(tokens::list)),
        ("POST", "/api/v1/tokens", post(tokens::create)),
        ("DELETE", "/api/v1/tokens/{id}", delete(tokens::revoke)),
        ("GET", "/api/v1/audit", get(audit::list)),
        ("GET", "/api/v1/status", get(status::get_status)),
        ("GET", "/api/v1/stream", get(stream::stream)),
        ("GET", "/api/v1/sources", get(sources::list)),
        ("POST", "/api/v1/sources", post(sources::add)),
        ("GET", "/api/v1/sources/{id}", get(sources::get)),
        ("DELETE", "/api/v1/sources/{id}", delete(sources::remove)),
        ("POST", "/api/v1/sources/{id}/pause", post(sources::pause)),
        ("POST", "/api/v1/sources/{id}/resume", post(sources::resume)),
        ("GET", "/api/v1/runs", get(runs::list)),
        ("GET", "/api/v1/summary", get(summary::summary)),
        ("GET", "/api/v1/anomalies", get(anomalies::list)),
        ("GET", "/api/v1/anomalies/{id}", get(anomalies::get)),
        (
            "POST",
            "/api/v1/anomalies/{id}/acknowledge",
            post(anomalies::acknowledge),
        ),
        (
            "POST",
            "/api/v1/anomalies/{id}/unacknowledge",
            post(anomalies::unacknowledge),
        ),
        (
            "POST",
            "/api/v1/anomalies/{id}/resolve",
            post(anomalies::resolve),
        ),
        ("GET", "/api/v1/saturation", get(summary::saturation)),
        ("GET", "/api/v1/wall/data", get(wall_api::data)),
        ("GET", "/api/v1/wall/profiles", get(wall_api::list)),
        ("GET", "/api/v1/wall/profiles/{name}", get(wall_api::get)),
        ("PUT", "/api/v1/wall/profiles/{name}", put(wall_api::put)),
        (
            "DELETE",
            "/api/v1/wall/profiles/{name}",
            delete(wall_api::delete),
        ),
        // The credential vault (server/src/secrets).
        ("GET", "/api/v1/vault/status", get(secrets::admin::status)),
        ("POST", "/api/v1/vault/unseal", post(secrets::admin::unseal)),
        ("POST", "/api/v1/vault/seal", post(secrets::admin::seal)),
        ("POST", "/api/v1/vault/rotate", post(secrets::admin::rotate)),
        ("GET", "/api/v1/secrets", get(secrets::api::list)),
        ("POST", "/api/v1/secrets", post(secrets::api::create)),
        ("GET", "/api/v1/secrets/{id}", get(secrets::api::get)),
        ("PUT", "/api/v1/secrets/{id}", put(secrets::api::update)),
        (
            "DELETE",
            "/api/v1/secrets/{id}",
            delete(secrets::api::delete),
        ),
        (
            "POST",
            "/api/v1/secrets/{id}/reveal",
            post(secrets::api::reveal),
        ),
        (
            "POST",
            "/api/v1/secrets/{id}/undelete",
            post(secrets::api::undelete),
        ),
        (
            "GET",
            "/api/v1/secrets/{id}/grants",
            get(secrets::grants::list),
        ),
        (
            "POST",
            "/api/v1/secrets/{id}/grants",
            post(secrets::grants::create),
        ),
        (
            "DELETE",
            "/api/v1/grants/{id}",
            delete(secrets::grants::revoke),
        ),
        (
            "GET",
            "/api/v1/robot/credentials/{asset_name}",
            get(secrets::grants::robot_read),
        ),
        ("POST", "/hooks/uipath/{source}", post(hooks::uipath_hook)),
        ("POST", "/hooks/aa/{source}", post(hooks::aa_hook)),
        ("GET", "/", get(|| async { Redirect::temporary("/wall") })),
    ]
}

pub fn router(state: AppState, assets: &WallAssets) -> Router {
    let timeout = Duration::from_secs(state.config.http.request_timeout_secs);
    let api = api_routes()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone());

    api.merge(wall::router(&state, assets))
        // Inside the routing, so it sees each request's route template (MatchedPath).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::guard::guard,
        ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::policy::{Lookup, PKG_TEMPLATE, POLICY, lookup};

    #[test]
    fn every_routed_path_is_in_the_policy_table() {
        let routes = api_routes();
        for (method, path, _) in &routes {
            assert!(
                matches!(lookup(method, path), Lookup::Found(_)),
                "{method} {path} is routed but not in auth::policy::POLICY"
            );
        }
        // And the table names no route that does not exist (the wall page and its assets
        // are routed by `wall::router`).
        for rule in POLICY {
            let routed = routes
                .iter()
                .any(|(m, p, _)| *m == rule.method && *p == rule.path)
                || (rule.method == "GET" && wall::is_page(rule.path))
                || rule.path == PKG_TEMPLATE;
            assert!(
                routed,
                "{} {} is in the table but not routed",
                rule.method, rule.path
            );
        }
    }
}
