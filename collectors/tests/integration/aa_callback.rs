//! Deploy callbacks: the simulator POSTs one when a run-now execution it started finishes;
//! the receiver checks the shared-secret header and reads the body into a run hint that agrees
//! with what polling reports. Also: activity parsing for benches, unknown statuses, and the
//! UNCONFIRMED knobs (user field casing, device status vocabulary).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use hangar_collectors::Collector;
use hangar_collectors::aa::sim::{AaSimulator, CallbackConfig, SimConfig};
use hangar_collectors::aa::{AaCollector, callback, parse_and_normalize_activity};
use hangar_model::{RobotState, RunState, SourceId};

type Received = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;

async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let app = Router::new()
        .route(
            "/hooks/aa/aa-hr",
            post(
                |State(got): State<Received>, headers: HeaderMap, body: Bytes| async move {
                    let token = headers
                        .get("X-Hangar-Token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    got.lock().unwrap().push((token, body));
                    "ok"
                },
            ),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/aa/aa-hr", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

#[tokio::test]
async fn simulator_calls_back_when_a_run_now_finishes() {
    let (url, got) = receiver().await;
    let sim = AaSimulator::start(SimConfig {
        run_now_per_hour: 0.0,
        failure_rate: 0.0,
        stuck_rate: 0.0,
        pause_rate: 0.0,
        disconnects_per_device_hour: 0.0,
        callback: Some(CallbackConfig {
            url,
            header: "X-Hangar-Token".into(),
            token: "cb-secret-1".into(),
        }),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let id = sim.run_now(2, 4);
    sim.advance(Duration::from_secs(3 * 3600)).await;
    let source = SourceId("aa-hr".into());
    let truth = sim.executions().into_iter().find(|e| e.id == id).unwrap();
    assert_eq!(truth.status, "COMPLETED");
    let deliveries = got.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1, "only run-now executions call back");
    let (token, body) = &deliveries[0];
    assert!(callback::verify_token("cb-secret-1", token.as_deref()));
    assert!(!callback::verify_token("cb-secret-2", token.as_deref()));
    let event = callback::parse(&source, body).unwrap();
    assert_eq!(event.event_id, format!("{id}:COMPLETED"));
    assert_eq!(event.kind, "execution.succeeded");
    let hint = &event.batch.runs[0];
    // Polling says the same.
    let c = AaCollector::new(&sim.source_config(source.clone(), "hr", true)).unwrap();
    let (batch, _) = c.poll(None).await.unwrap();
    let polled = batch.runs.iter().find(|r| r.vendor_key == id).unwrap();
    assert_eq!(
        (&hint.vendor_key, hint.state, &hint.process, &hint.vm),
        (
            &polled.vendor_key,
            polled.state,
            &polled.process,
            &polled.vm
        )
    );
    assert_eq!(hint.ended_at, polled.ended_at);
    let details = callback::parse_details(body).unwrap();
    assert!(details.out_variables.contains_key("itemsProcessed"));
    sim.stop().await;
}

#[test]
fn activity_pages_parse_for_benches() {
    let body = br#"{"page":{"offset":0,"total":5120,"totalFilter":3},"list":[
        {"id":"2d9a6a0e-5b1c-4c49-9f9e-1f2e3d4c5b6a_9b0c638c47251ef4","automationName":"Invoices.2025.03.01",
         "fileName":"Invoices","filePath":"Automation Anywhere\\Bots\\Finance\\Invoices","type":"RUN_NOW",
         "startDateTime":"2025-03-01T10:00:02.123456789Z","endDateTime":"2025-03-01T10:03:10.5Z",
         "command":"Recorder: Capture","status":"RUN_FAILED","progress":64,
         "deploymentId":"14c2b6f8-c2a0-4a57-959d-ef413df0d179","deviceName":"VM-AA-07","userId":"31",
         "deviceId":"6","message":"Window not found","modifiedOn":"2025-03-01T10:03:10.500000001Z"},
        {"id":"e2","status":"A_STATUS_FROM_THE_FUTURE","fileName":"Payroll","username":"svc_rpa_02"},
        {"status":"COMPLETED"}]}"#;
    let source = SourceId("aa-fin".into());
    let runs = parse_and_normalize_activity(body, &source).unwrap();
    assert_eq!(runs.len(), 2, "a row without an id is skipped");
    assert_eq!(runs[0].state, RunState::Failed);
    assert_eq!(runs[0].error.as_deref(), Some("Window not found"));
    assert_eq!(runs[0].vm.as_deref(), Some("vm-aa-07"));
    assert_eq!(
        runs[0].updated_at.unwrap().timestamp_subsec_nanos(),
        500_000_001
    );
    assert_eq!(runs[1].state, RunState::Unknown);
    assert_eq!(runs[1].raw_state, "A_STATUS_FROM_THE_FUTURE");
    assert_eq!(runs[1].robot.as_deref(), Some("svc_rpa_02"));
    assert!(parse_and_normalize_activity(b"{\"page\":", &source).is_err());
}

#[tokio::test]
async fn unconfirmed_knobs_user_casing_and_device_status() {
    let sim = AaSimulator::start(SimConfig {
        seed: 3,
        user_name_casing_v1: true,
        disconnected_status: "OFFLINE".into(),
        disconnects_per_device_hour: 6.0,
        nanosecond_timestamps: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.advance(Duration::from_secs(2 * 3600)).await;
    let c = AaCollector::new(&sim.source_config(SourceId("aa-x".into()), "x", true)).unwrap();
    let (batch, _) = c.poll(None).await.unwrap();
    assert!(!batch.runs.is_empty());
    assert!(
        batch.runs.iter().all(|r| r.robot.is_some()),
        "username casing read"
    );
    let offline = sim.devices().values().filter(|c| !**c).count();
    let unknown = batch
        .robots
        .iter()
        .filter(|r| r.state == RobotState::Unknown)
        .count();
    assert_eq!(
        unknown, offline,
        "a status other than CONNECTED/DISCONNECTED is unknown"
    );
    assert!(
        batch
            .robots
            .iter()
            .filter(|r| r.state == RobotState::Unknown)
            .all(|r| r.raw_state == "OFFLINE")
    );
    sim.stop().await;
}
