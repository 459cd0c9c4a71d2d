//! The simulator's HTTP face: the Control Room endpoints the collector uses.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::Shared;
use crate::aa::auth::AUTH_HEADER;
use crate::aa::dto::{AuthRequest, ListRequest};
use crate::aa::sim::query;
use crate::sim::{Fault, FaultScope};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/authentication", post(login))
        .route("/v2/authentication", post(login))
        .route("/v1/authentication/token", post(refresh))
        .route("/v2/authentication/token", post(refresh))
        .route("/v3/activity/list", post(activity))
        .route("/v2/activity/list", post(activity))
        .route("/v2/devices/list", post(devices))
        .route("/v1/schedule/automations/list", post(schedules))
        .with_state(shared)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "details": "", "message": message})),
    )
        .into_response()
}

fn presented(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// Consumes the next armed fault for `scope`: some answer instead of the endpoint, some
/// (slow, token expiry, rows arriving) change what happens next.
async fn inject(shared: &Shared, scope: FaultScope, token: Option<&str>) -> Option<Response> {
    match shared.faults.take(scope)? {
        Fault::RateLimited { retry_after_secs } => Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                axum::Json(json!({"code": "TOO_MANY_REQUESTS", "message": "Too many requests"})),
            )
                .into_response(),
        ),
        Fault::ServerError { status } => Some(error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "SERVER_ERROR",
            "Internal error",
        )),
        Fault::Slow { delay } => {
            tokio::time::sleep(delay).await;
            None
        }
        Fault::MalformedJson => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"page\":{\"offset\":0,\"total\":12,\"totalFil",
            )
                .into_response(),
        ),
        Fault::ExpireToken => {
            if let Some(t) = token {
                shared.world().revoke(t);
            }
            None
        }
        Fault::InsertWhilePaging { rows } => {
            shared.world().insert_while_paging(rows);
            None
        }
    }
}

async fn login(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    shared.hit(uri.path());
    if let Some(r) = inject(&shared, FaultScope::Auth, None).await {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<AuthRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "Invalid request body",
        );
    };
    let token = shared.world().login(
        &req.username,
        req.api_key.as_deref(),
        req.password.as_deref(),
    );
    match token {
        Some(token) => axum::Json(json!({
            "token": token,
            "user": {"id": 7, "username": req.username, "email": "svc_hangar@corp.example",
                     "domain": null, "roles": [{"name": "Hangar-Reader"}]}
        }))
        .into_response(),
        None => error(
            StatusCode::UNAUTHORIZED,
            "um.users.invalid.credentials",
            "Invalid credentials",
        ),
    }
}

async fn refresh(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.hit(uri.path());
    if let Some(r) = inject(&shared, FaultScope::Auth, None).await {
        return r;
    }
    let token = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| presented(&headers));
    let fresh = token.and_then(|t| shared.world().refresh(&t));
    match fresh {
        Some(t) => axum::Json(json!({ "token": t })).into_response(),
        None => error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Token is invalid or expired",
        ),
    }
}

/// The shared prologue of data endpoints: count, faults, token.
async fn guard(
    shared: &Shared,
    path: &str,
    scope: FaultScope,
    headers: &HeaderMap,
) -> Option<Response> {
    shared.hit(path);
    let token = presented(headers);
    if let Some(r) = inject(shared, scope, token.as_deref()).await {
        return Some(r);
    }
    let live = token.is_some_and(|t| shared.world().token_live(&t));
    (!live).then(|| error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized"))
}

fn parse_list(body: &Bytes) -> Result<ListRequest, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ListRequest::default());
    }
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn answer(shared: &Shared, rows: Vec<Value>, req: &ListRequest) -> Response {
    let cfg = &shared.config;
    match query::list(
        rows,
        req.filter.as_ref(),
        &req.sort,
        req.page,
        cfg.default_page_length,
        cfg.max_page_length,
    ) {
        Ok(page) => axum::Json(page).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, "INVALID_FILTER", &e),
    }
}

/// The steps every list endpoint shares: auth and faults, then the list request, then
/// filtering, sorting and paging the rows `rows` renders from the world.
async fn list_endpoint(
    shared: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    scope: FaultScope,
    rows: impl FnOnce(&Shared) -> Vec<Value>,
) -> Response {
    if let Some(r) = guard(shared, uri.path(), scope, headers).await {
        return r;
    }
    let req = match parse_list(body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &e),
    };
    answer(shared, rows(shared), &req)
}

async fn activity(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    list_endpoint(&shared, &uri, &headers, &body, FaultScope::Runs, |shared| {
        let w = shared.world();
        w.execs
            .iter()
            .filter_map(|e| serde_json::to_value(w.activity(e)).ok())
            .collect()
    })
    .await
}

async fn devices(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    list_endpoint(
        &shared,
        &uri,
        &headers,
        &body,
        FaultScope::AnyData,
        |shared| {
            let w = shared.world();
            w.devices
                .iter()
                .filter_map(|d| serde_json::to_value(w.device(d)).ok())
                .collect()
        },
    )
    .await
}

async fn schedules(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    list_endpoint(
        &shared,
        &uri,
        &headers,
        &body,
        FaultScope::AnyData,
        |shared| {
            let w = shared.world();
            w.schedules
                .iter()
                .filter_map(|s| {
                    let mut dto = s.dto.clone();
                    dto.zoned_next_run_date_time = s.next_run(w.now).map(|t| t.to_rfc3339());
                    dto.device_ids = vec![w.devices[s.device].id.clone()];
                    serde_json::to_value(dto).ok()
                })
                .collect()
        },
    )
    .await
}
