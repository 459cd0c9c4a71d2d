//! The simulator's test control surface, under `/_sim/`: NOT a UiPath endpoint.
//!
//! Browser tests drive a running demo from outside the process, so the knobs of `knobs.rs`
//! that they need are also served over HTTP on the simulator's own port (its base URL is the
//! source's `base_url` in `GET /api/v1/sources`). Nothing here needs a token: the simulator
//! only listens on loopback and exists for tests and the demo.
//!
//! - `GET /_sim/processes` → `[{"key", "name", "folder", "fate"}]`
//! - `POST /_sim/processes/{key}/fate` with `{"fate": "fault" | "hang" | null}` → the process
//! - `POST /_sim/processes/{key}/jobs` → `201 {"id", "key"}`: a job of the process starts now; with
//!   fate `fault` it faults at once, and its `job.faulted` webhook goes out immediately.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::Shared;
use super::knobs::JobFate;
use super::server::error;

/// A process as the control surface shows it.
#[derive(Debug, Serialize)]
struct ProcessView {
    /// The `ProcessKey`, used in the other routes.
    key: String,
    /// The release's display name.
    name: String,
    /// The folder's full path.
    folder: String,
    /// `fault`, `hang`, or null when its runs behave normally.
    fate: Option<FateName>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FateName {
    Fault,
    Hang,
}

impl From<FateName> for JobFate {
    fn from(f: FateName) -> Self {
        match f {
            FateName::Fault => JobFate::Fault,
            FateName::Hang => JobFate::Hang,
        }
    }
}

impl From<JobFate> for FateName {
    fn from(f: JobFate) -> Self {
        match f {
            JobFate::Fault => FateName::Fault,
            JobFate::Hang => FateName::Hang,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FateBody {
    fate: Option<FateName>,
}

#[derive(Debug, Serialize)]
struct StartedJob {
    /// The job's `Id`.
    id: i64,
    /// The job's `Key`: the `vendor_key` of its run in Hangar.
    key: String,
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/processes", get(processes))
        .route("/_sim/processes/{key}/fate", post(set_fate))
        .route("/_sim/processes/{key}/jobs", post(start_job))
}

fn views(shared: &Shared, only: Option<&str>) -> Vec<ProcessView> {
    let w = shared.lock_world();
    w.releases
        .iter()
        .enumerate()
        .filter(|(_, r)| only.is_none_or(|k| r.process_key == k))
        .map(|(i, r)| ProcessView {
            key: r.process_key.clone(),
            name: r.name.clone(),
            folder: w
                .folders
                .iter()
                .find(|f| f.id == r.folder)
                .map(|f| f.path.clone())
                .unwrap_or_default(),
            fate: w.fates.get(&i).copied().map(FateName::from),
        })
        .collect()
}

fn no_process(key: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        1002,
        &format!("No process with key {key}."),
    )
}

async fn processes(State(s): State<Arc<Shared>>) -> Json<Vec<ProcessView>> {
    Json(views(&s, None))
}

async fn set_fate(
    State(s): State<Arc<Shared>>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    // Parsed by hand so a bad body gets the same JSON error shape as everything else here.
    let body: FateBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                0,
                &format!("expected {{\"fate\": \"fault\" | \"hang\" | null}}: {e}"),
            );
        }
    };
    if !s.set_process_fate(&key, body.fate.map(JobFate::from)) {
        return no_process(&key);
    }
    match views(&s, Some(&key)).into_iter().next() {
        Some(view) => Json(view).into_response(),
        None => no_process(&key),
    }
}

async fn start_job(State(s): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    match s.start_job_now(&key) {
        Some((id, key)) => (StatusCode::CREATED, Json(StartedJob { id, key })).into_response(),
        None => no_process(&key),
    }
}
