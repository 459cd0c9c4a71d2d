//! Departments as tenants, on both engines: a departmental role reads only its department's
//! sources, runs, anomalies, summary and stream; another department's anomaly or source is
//! "not found"; global roles see everything. Anomaly actions are audited with the actor.

use std::time::Duration;

use crate::support::sse::SseReader;
use crate::support::{Engine, TestApp, TestDb};
use chrono::{TimeDelta, Utc};
use hangar_model::anomaly::{AnomalyKind, Change, Finding, Severity};
use hangar_model::{Batch, Role, Run, RunState, SourceId, Vendor};

fn run(source: &str, key: &str) -> Run {
    let end = Utc::now() - TimeDelta::minutes(1);
    Run {
        source: SourceId(source.to_owned()),
        vendor: Vendor::Uipath,
        vendor_key: key.to_owned(),
        process: "Invoices".to_owned(),
        robot: Some(format!("{source}-bot")),
        vm: None,
        folder: None,
        state: RunState::Failed,
        raw_state: "Faulted".to_owned(),
        created_at: Some(end - TimeDelta::minutes(3)),
        started_at: Some(end - TimeDelta::minutes(3)),
        ended_at: Some(end),
        updated_at: Some(end),
        error: None,
        trigger: None,
        schedule_key: None,
    }
}

async fn add_source(app: &TestApp, id: &str, department: &str) {
    let spec = serde_json::json!({
        "id": id, "department": department, "base_url": "http://127.0.0.1:9",
        "auth": {"kind": "uipath_on_prem", "tenancy_name": "D", "username": "u", "password": {"value": "x"}},
        "poll_interval_secs": 3600, "simulated": true
    });
    assert_eq!(app.post_json("/api/v1/sources", &spec).await.0, 201);
}

/// Two departments, each with a source, a failed run and an open anomaly; returns the
/// anomaly ids (finance, operations).
async fn two_departments(app: &TestApp) -> (i64, i64) {
    let mut ids = Vec::new();
    for (source, department) in [("fin", "finance"), ("ops", "operations")] {
        add_source(app, source, department).await;
        let batch = Batch {
            runs: vec![run(source, &format!("{source}-1"))],
            ..Batch::default()
        };
        app.store
            .apply_batch(&SourceId(source.to_owned()), &batch, None)
            .await
            .unwrap();
        let mut finding = Finding::new(
            AnomalyKind::RunFaulted,
            Severity::Error,
            format!("run_faulted:{source}"),
            format!("{source} failed"),
            "test".to_owned(),
            format!("{source}-1"),
            Utc::now(),
        );
        finding.source = Some(SourceId(source.to_owned()));
        finding.department = Some(department.to_owned());
        let opened = app
            .store
            .apply_anomaly_changes(&[Change::Open(finding)], Utc::now())
            .await
            .unwrap();
        ids.push(opened[0].0.id);
    }
    (ids[0], ids[1])
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = client.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

fn field<'a>(list: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap())
        .collect();
    out.sort();
    out
}

async fn a_department_sees_only_its_own(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    // Detection stays out of the way: the anomalies here are made by hand.
    config.detect.interval_secs = 3_600;
    let app = TestApp::spawn(config).await;
    let (fin_anomaly, ops_anomaly) = two_departments(&app).await;
    let finance = app.client_for(Role::Business, Some("finance")).await;
    let ops = app.client_for(Role::Ops, None).await;

    let (_, sources) = get(&finance, &app, "/api/v1/sources").await;
    assert_eq!(field(&sources, "id"), ["fin"]);
    assert_eq!(get(&finance, &app, "/api/v1/sources/ops").await.0, 404);
    let (_, runs) = get(&finance, &app, "/api/v1/runs").await;
    assert_eq!(field(&runs, "source"), ["fin"]);
    let (_, anomalies) = get(&finance, &app, "/api/v1/anomalies").await;
    assert_eq!(field(&anomalies, "department"), ["finance"]);
    let (_, other) = get(&finance, &app, "/api/v1/anomalies?department=operations").await;
    assert_eq!(other, serde_json::json!([]));
    // Another department's anomaly is not found: its existence is not confirmed.
    let (status, e) = get(&finance, &app, &format!("/api/v1/anomalies/{ops_anomaly}")).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(
        get(&finance, &app, &format!("/api/v1/anomalies/{fin_anomaly}"))
            .await
            .0,
        200
    );
    let (_, summary) = get(&finance, &app, "/api/v1/summary").await;
    assert_eq!(summary["anomalies_open"], 1);
    assert_eq!(field(&summary["by_department"], "department"), ["finance"]);

    // A global role sees both.
    let (_, sources) = get(&ops, &app, "/api/v1/sources").await;
    assert_eq!(field(&sources, "id"), ["fin", "ops"]);
    let (_, runs) = get(&ops, &app, "/api/v1/runs").await;
    assert_eq!(field(&runs, "source"), ["fin", "ops"]);
    let (_, summary) = get(&ops, &app, "/api/v1/summary").await;
    assert_eq!(summary["anomalies_open"], 2);
    assert_eq!(
        get(&ops, &app, &format!("/api/v1/anomalies/{ops_anomaly}"))
            .await
            .0,
        200
    );

    // The stream, too: the finance reader gets the finance anomaly's event only.
    let (finance_user, _) = app.user(Role::Manager, Some("finance")).await;
    let finance_token = app
        .token_for(&finance_user, &[hangar_model::Scope::WallRead], None)
        .await;
    let mut stream =
        SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&finance_token)).await;
    for id in [ops_anomaly, fin_anomaly] {
        let r = ops
            .post(app.url(&format!("/api/v1/anomalies/{id}/acknowledge")))
            .json(&serde_json::json!({"note": "on it"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let mut seen = Vec::new();
    while let Some(frame) = stream.next_event(Duration::from_secs(3)).await {
        if frame.event.as_deref() == Some("anomaly_acknowledged") {
            let a: serde_json::Value =
                serde_json::from_str(frame.data.as_deref().unwrap()).unwrap();
            seen.push(a["id"].as_i64().unwrap());
            if a["id"].as_i64() == Some(fin_anomaly) {
                break;
            }
        }
    }
    assert_eq!(
        seen,
        [fin_anomaly],
        "the operations anomaly never reaches finance"
    );

    // Every action is audited with who did it.
    let (_, audit) = get(
        &app.http,
        &app,
        &format!("/api/v1/audit?action=anomaly.acknowledge&target=anomaly:{fin_anomaly}"),
    )
    .await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["via"], "token");
    assert_eq!(entries[0]["outcome"], "ok");
    assert!(
        entries[0]["actor_name"]
            .as_str()
            .unwrap()
            .starts_with("ops-")
    );
    let (_, detail) = get(&ops, &app, &format!("/api/v1/anomalies/{fin_anomaly}")).await;
    assert_eq!(detail["ack"]["by"], entries[0]["actor_name"]);
    app.stop().await;
    db.drop().await;
}

on_both_engines!(a_department_sees_only_its_own);
