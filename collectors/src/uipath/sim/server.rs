//! The simulator's HTTP face: login endpoints and OData collections under both the cloud
//! (`/{org}/{tenant}/orchestrator_/odata/…`) and on-prem (`/odata/…`) layouts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::filter;
use super::render;
use super::{Shared, TOKEN_PREFIX};
use crate::sim::{Fault, FaultScope};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/identity_/connect/token", post(token_global))
        .route("/{org}/identity_/connect/token", post(token_org))
        .route("/api/Account/Authenticate", post(authenticate))
        .route("/api/account/authenticate", post(authenticate))
        .route("/odata/{collection}", get(odata_on_prem))
        .route(
            "/{org}/{tenant}/orchestrator_/odata/{collection}",
            get(odata_cloud),
        )
        .merge(super::control::router())
        .with_state(shared)
}

pub(crate) fn error(status: StatusCode, code: i64, message: &str) -> Response {
    let trace = format!(
        "00-{:032x}-{:016x}-00",
        rand::random::<u128>(),
        rand::random::<u64>()
    );
    (
        status,
        axum::Json(json!({"message": message, "errorCode": code, "traceId": trace})),
    )
        .into_response()
}

/// What an armed fault does to a request.
enum Outcome {
    /// Answer this instead.
    Respond(Response),
    /// Serve normally, after inserting this many rows.
    Insert(u32),
    Serve,
}

/// Applies an armed fault of `scope`.
async fn fault(shared: &Shared, scope: FaultScope, headers: &HeaderMap) -> Outcome {
    let Some(fault) = shared.faults.take(scope) else {
        return Outcome::Serve;
    };
    let response = match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, 1015, "Too many requests.");
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            r
        }
        Fault::ServerError { status } => error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            0,
            "An error has occurred.",
        ),
        Fault::Slow { delay } => {
            tokio::time::sleep(delay).await;
            return Outcome::Serve;
        }
        Fault::InsertWhilePaging { rows } => return Outcome::Insert(rows),
        Fault::MalformedJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"@odata.context\":\"$metadata#Jobs\",\"value\":[{\"Id\":1,\"Key\":",
        )
            .into_response(),
        Fault::ExpireToken => {
            if let Some(token) = bearer(headers) {
                shared.lock_tokens().remove(&token);
            }
            error(StatusCode::UNAUTHORIZED, 0, "You are not authenticated!")
        }
    };
    Outcome::Respond(response)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_owned)
}

fn issue_token(shared: &Shared, lifetime: std::time::Duration) -> String {
    let token = format!("{TOKEN_PREFIX}{:032x}", rand::random::<u128>());
    shared
        .lock_tokens()
        .insert(token.clone(), Instant::now() + lifetime);
    token
}

async fn token_global(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    token(&s, &headers, &body).await
}

async fn token_org(
    State(s): State<Arc<Shared>>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if org != s.cfg.organization {
        return error(StatusCode::NOT_FOUND, 0, "Unknown organization.");
    }
    token(&s, &headers, &body).await
}

async fn token(s: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    s.count("token");
    if let Outcome::Respond(r) = fault(s, FaultScope::Auth, headers).await {
        return r;
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id") == Some(&s.cfg.client_id)
        && form.get("client_secret") == Some(&s.cfg.client_secret);
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let lifetime = s.cfg.token_lifetime;
    let token = issue_token(s, lifetime);
    axum::Json(json!({
        "access_token": token, "expires_in": lifetime.as_secs(), "token_type": "Bearer",
        "scope": form.get("scope").cloned().unwrap_or_default(),
    }))
    .into_response()
}

/// ROPC login; property names bind case-insensitively, as the real server does.
async fn authenticate(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    s.count("Authenticate");
    if let Outcome::Respond(r) = fault(&s, FaultScope::Auth, &headers).await {
        return r;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |name: &str| {
        v.as_object().and_then(|o| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        })
    };
    let ok = field("TenancyName").as_deref() == Some(s.cfg.tenant.as_str())
        && field("UsernameOrEmailAddress").as_deref() == Some(s.cfg.username.as_str())
        && field("Password").as_deref() == Some(s.cfg.password.as_str());
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"result": null, "targetUrl": null, "success": false,
                "error": {"code": 0, "message": "Login failed!", "details": "Invalid user name or password"},
                "unAuthorizedRequest": false, "__abp": true})),
        )
            .into_response();
    }
    let token = issue_token(&s, s.cfg.on_prem_token_lifetime);
    axum::Json(
        json!({"result": token, "targetUrl": null, "success": true, "error": null,
        "unAuthorizedRequest": false, "__abp": true}),
    )
    .into_response()
}

async fn odata_cloud(
    State(s): State<Arc<Shared>>,
    Path((org, tenant, collection)): Path<(String, String, String)>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if org != s.cfg.organization || tenant != s.cfg.tenant {
        return error(StatusCode::NOT_FOUND, 0, "Unknown organization or tenant.");
    }
    odata(&s, &collection, &headers, &q).await
}

async fn odata_on_prem(
    State(s): State<Arc<Shared>>,
    Path(collection): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    odata(&s, &collection, &headers, &q).await
}

const FOLDER_SCOPED: &[&str] = &[
    "Jobs",
    "Robots",
    "Sessions",
    "Releases",
    "QueueDefinitions",
    "QueueItems",
    "ProcessSchedules",
];
const TENANT_SCOPED: &[&str] = &["Folders", "Machines"];

async fn odata(
    s: &Shared,
    collection: &str,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
) -> Response {
    if !FOLDER_SCOPED.contains(&collection) && !TENANT_SCOPED.contains(&collection) {
        return error(StatusCode::NOT_FOUND, 0, "No such collection.");
    }
    s.count(collection);
    let valid = bearer(headers)
        .and_then(|t| s.lock_tokens().get(&t).copied())
        .is_some_and(|exp| exp > Instant::now());
    if !valid {
        return error(StatusCode::UNAUTHORIZED, 0, "You are not authenticated!");
    }
    let jobs = collection == "Jobs";
    let scope = if jobs {
        FaultScope::Runs
    } else {
        FaultScope::AnyData
    };
    let insert = match fault(s, scope, headers).await {
        Outcome::Respond(r) => return r,
        Outcome::Insert(n) => Some(n),
        Outcome::Serve => None,
    };
    let folder = match headers.get(crate::uipath::client::FOLDER_HEADER) {
        Some(v) => match v.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()) {
            Some(id) => Some(id),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    1100,
                    "Folder does not exist or the user does not have access to the folder.",
                );
            }
        },
        None => None,
    };
    if FOLDER_SCOPED.contains(&collection) && folder.is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            1101,
            "A folder is required for this action.",
        );
    }
    let cap = if collection == "QueueItems" {
        100
    } else {
        1000
    };
    let top = match q.get("$top").map(|t| t.parse::<usize>()) {
        None => s.cfg.default_top.min(cap),
        Some(Ok(t)) if t <= cap => t,
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                1002,
                &format!("The limit of {cap} for the $top query option has been exceeded."),
            );
        }
    };
    let skip = q
        .get("$skip")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let expand: Vec<String> = q
        .get("$expand")
        .map(|e| {
            e.split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let expr = match q.get("$filter").map(|f| filter::parse(f)) {
        None => None,
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => return error(StatusCode::BAD_REQUEST, 0, &format!("Invalid $filter: {e}")),
    };
    let order = match q.get("$orderby").map(|o| filter::parse_orderby(o)) {
        None => vec![("Id".to_owned(), false)],
        Some(Ok(o)) => o,
        Some(Err(e)) => {
            return error(
                StatusCode::BAD_REQUEST,
                0,
                &format!("Invalid $orderby: {e}"),
            );
        }
    };
    let rows = {
        let mut w = s.lock_world();
        if let Some(f) = folder
            && !w.folders.iter().any(|x| x.id == f)
        {
            return error(
                StatusCode::BAD_REQUEST,
                1100,
                "Folder does not exist or the user does not have access to the folder.",
            );
        }
        let mut rows = select(&w, collection, folder, &expand, expr.as_ref(), &order);
        if let Some(n) = insert {
            // Work arriving while the client pages: a job it already read changes (and moves
            // behind the page), and new rows commit late (and land before it).
            let read: Vec<i64> = rows[..skip.min(rows.len())]
                .iter()
                .filter(|r| {
                    !matches!(
                        r["State"].as_str(),
                        Some("Successful" | "Faulted" | "Stopped")
                    )
                })
                .filter_map(|r| r["Id"].as_i64())
                .collect();
            w.insert_while_paging(n, jobs, folder.unwrap_or_default(), read.first().copied());
            rows = select(&w, collection, folder, &expand, expr.as_ref(), &order);
        }
        rows
    };
    let count = rows.len();
    let page: Vec<Value> = rows.into_iter().skip(skip).take(top).collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/odata/$metadata#{collection}", s.base_url())),
    );
    if s.cfg.always_emit_count || q.get("$count").is_some_and(|c| c == "true") {
        body.insert("@odata.count".into(), json!(count));
    }
    body.insert("value".into(), Value::Array(page));
    axum::Json(Value::Object(body)).into_response()
}

fn select(
    w: &super::world::World,
    collection: &str,
    folder: Option<i64>,
    expand: &[String],
    expr: Option<&filter::Expr>,
    order: &[(String, bool)],
) -> Vec<Value> {
    let mut rows = rows_of(w, collection, folder, expand);
    if let Some(expr) = expr {
        rows.retain(|r| filter::eval(expr, r));
    }
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|(p, desc)| {
                let o = filter::cmp_values(filter::lookup(a, p), filter::lookup(b, p));
                if *desc { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows
}

fn rows_of(
    w: &super::world::World,
    collection: &str,
    folder: Option<i64>,
    expand: &[String],
) -> Vec<Value> {
    let f = folder.unwrap_or_default();
    let has = |x: &str| expand.iter().any(|e| e == x);
    match collection {
        "Folders" => w.folders.iter().map(render::folder).collect(),
        "Machines" => w.machines.iter().map(render::machine).collect(),
        "Jobs" => (0..w.jobs.len())
            .filter(|&j| w.jobs[j].folder == f)
            .map(|j| render::job(w, j, has("robot"), has("release")))
            .collect(),
        "Robots" => (0..w.robots.len())
            .filter(|&r| w.robots[r].folder == f)
            .map(|r| render::robot(w, r))
            .collect(),
        "Sessions" => (0..w.robots.len())
            .filter(|&r| w.robots[r].folder == f)
            .map(|r| render::session(w, r, has("robot")))
            .collect(),
        "Releases" => (0..w.releases.len())
            .filter(|&r| w.releases[r].folder == f)
            .map(|r| render::release(w, r))
            .collect(),
        "ProcessSchedules" => (0..w.schedules.len())
            .filter(|&x| w.schedules[x].folder == f)
            .map(|x| render::schedule(w, x))
            .collect(),
        "QueueDefinitions" => (0..w.queues.len())
            .filter(|&x| w.queues[x].folder == f)
            .map(|x| render::queue_definition(w, x))
            .collect(),
        "QueueItems" => (0..w.items.len())
            .filter(|&i| w.queues[w.items[i].queue].folder == f)
            .map(|i| render::queue_item(w, i))
            .collect(),
        _ => Vec::new(),
    }
}
