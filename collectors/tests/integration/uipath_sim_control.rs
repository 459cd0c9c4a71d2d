//! The simulator's test control surface under `/_sim/`: processes, fates, and a job started
//! now whose fault reaches the webhook receiver.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hangar_collectors::uipath::sim::{SimConfig, SimHandle, UipathSimulator};
use hangar_collectors::uipath::webhook::{SIGNATURE_HEADER, verify_signature};
use serde_json::{Value, json};

const SECRET: &str = "control-test-secret";

/// A webhook receiver on port 0 that keeps every delivery whose signature checks out.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    async fn take(
        State(got): State<Arc<Mutex<Vec<Value>>>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        let sig = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        if !verify_signature(SECRET, &body, sig) {
            return StatusCode::UNAUTHORIZED;
        }
        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        got.lock().unwrap().push(value);
        StatusCode::ACCEPTED
    }
    let got = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(take))
        .with_state(Arc::clone(&got));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

async fn sim_with_hooks() -> (SimHandle, Arc<Mutex<Vec<Value>>>) {
    let (url, got) = receiver().await;
    let sim = UipathSimulator::start(SimConfig {
        webhook: Some((url, SECRET.to_owned())),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    (sim, got)
}

async fn call(sim: &SimHandle, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", sim.base_url());
    let http = reqwest::Client::new();
    let mut req = match method {
        "GET" => http.get(url),
        _ => http.post(url),
    };
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// Waits (up to 10 s, so a broken build fails instead of hanging) for a delivery of `kind`
/// about job `id`.
async fn delivery(got: &Mutex<Vec<Value>>, kind: &str, id: i64) -> Value {
    for _ in 0..200 {
        let found = got
            .lock()
            .unwrap()
            .iter()
            .find(|v| v["Type"] == kind && v["Job"]["Id"] == id)
            .cloned();
        if let Some(v) = found {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {kind} webhook for job {id}");
}

#[tokio::test]
async fn processes_are_listed_with_key_name_folder_and_fate() {
    let (sim, _) = sim_with_hooks().await;
    let (status, list) = call(&sim, "GET", "/_sim/processes", None).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 5, "the default tenant has several processes");
    for p in list {
        assert!(p["key"].as_str().is_some_and(|k| !k.is_empty()));
        assert!(p["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(p["folder"].as_str().is_some_and(|f| !f.is_empty()));
        assert_eq!(p["fate"], Value::Null);
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_job_started_with_fate_fault_faults_at_once_and_its_webhook_goes_out() {
    let (sim, got) = sim_with_hooks().await;
    let (_, list) = call(&sim, "GET", "/_sim/processes", None).await;
    let key = list[0]["key"].as_str().unwrap().to_owned();

    let (status, view) = call(
        &sim,
        "POST",
        &format!("/_sim/processes/{key}/fate"),
        Some(json!({"fate": "fault"})),
    )
    .await;
    assert_eq!((status, view["key"].as_str()), (200, Some(key.as_str())));
    assert_eq!(view["fate"], "fault");

    let (status, started) = call(&sim, "POST", &format!("/_sim/processes/{key}/jobs"), None).await;
    assert_eq!(status, 201);
    let id = started["id"].as_i64().unwrap();

    // Faulted in the simulator's ground truth already, without simulated time moving on.
    let job = &delivery(&got, "job.faulted", id).await["Job"];
    assert_eq!(job["State"], "Faulted");
    assert_eq!(job["Key"], started["key"]);
    assert_eq!(job["Release"]["ProcessKey"], key.as_str());
    assert!(job["Info"].as_str().is_some_and(|i| i.contains("password")));
    let faulted = sim.jobs().into_iter().filter(|j| j.1 == "Faulted").count();
    assert!(faulted >= 1);

    // Cleared: the next job of the process does not fault at once.
    let (status, view) = call(
        &sim,
        "POST",
        &format!("/_sim/processes/{key}/fate"),
        Some(json!({"fate": null})),
    )
    .await;
    assert_eq!((status, &view["fate"]), (200, &Value::Null));
    let (_, started) = call(&sim, "POST", &format!("/_sim/processes/{key}/jobs"), None).await;
    let next = started["id"].as_i64().unwrap();
    let states: Vec<_> = sim.jobs().into_iter().map(|j| j.1).collect();
    assert!(states.iter().any(|s| s == "Running" || s == "Pending"));
    assert_ne!(next, id);
    sim.stop().await;
}

#[tokio::test]
async fn a_job_started_with_fate_hang_is_running() {
    let (sim, got) = sim_with_hooks().await;
    let (_, list) = call(&sim, "GET", "/_sim/processes", None).await;
    let key = list[1]["key"].as_str().unwrap().to_owned();
    let fate = Some(json!({"fate": "hang"}));
    let path = format!("/_sim/processes/{key}/fate");
    assert_eq!(call(&sim, "POST", &path, fate).await.1["fate"], "hang");
    let (_, listed) = call(&sim, "GET", "/_sim/processes", None).await;
    let shown = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == key.as_str())
        .cloned();
    assert_eq!(shown.unwrap()["fate"], "hang");

    let faulted = |sim: &SimHandle| sim.jobs().iter().filter(|j| j.1 == "Faulted").count();
    let (jobs, faulted_before) = (sim.jobs().len(), faulted(&sim));
    let (status, started) = call(&sim, "POST", &format!("/_sim/processes/{key}/jobs"), None).await;
    assert_eq!(status, 201);
    assert!(started["id"].as_i64().is_some());
    // A new job, running or waiting for a robot; simulated time did not move, and it did not
    // fault. Its job.created webhook goes out.
    assert_eq!(sim.jobs().len(), jobs + 1);
    assert_eq!(faulted(&sim), faulted_before);
    for _ in 0..200 {
        if got
            .lock()
            .unwrap()
            .iter()
            .any(|v| v["Type"] == "job.created")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        got.lock()
            .unwrap()
            .iter()
            .any(|v| v["Type"] == "job.created")
    );
    sim.stop().await;
}

#[tokio::test]
async fn unknown_processes_and_bad_fates_are_refused() {
    let (sim, _) = sim_with_hooks().await;
    let (status, body) = call(
        &sim,
        "POST",
        "/_sim/processes/NoSuchProcess/fate",
        Some(json!({"fate": "fault"})),
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["message"].as_str().unwrap().contains("NoSuchProcess"));
    assert_eq!(
        call(&sim, "POST", "/_sim/processes/NoSuchProcess/jobs", None)
            .await
            .0,
        404
    );
    let (_, list) = call(&sim, "GET", "/_sim/processes", None).await;
    let key = list[0]["key"].as_str().unwrap();
    let path = format!("/_sim/processes/{key}/fate");
    let (status, body) = call(&sim, "POST", &path, Some(json!({"fate": "explode"}))).await;
    assert_eq!(status, 400);
    assert!(body["message"].is_string());
    sim.stop().await;
}
