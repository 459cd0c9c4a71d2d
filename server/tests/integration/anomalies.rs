//! Detection through the whole pipeline, on both engines: collector → ingest → store →
//! detector → stream, and the hand actions on anomalies.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::support::sse::SseReader;
use crate::support::{Engine, TestApp, TestDb};
use async_trait::async_trait;
use chrono::{TimeDelta, Utc};
use hangar_collectors::{ClientStats, CollectError, Collector, Cursor, SourceConfig};
use hangar_model::{Batch, Run, RunState, SourceId, Vendor};
use hangar_server::collect::CollectorFactory;

/// A collector that reports whatever the test last told it to.
struct Told {
    source: SourceId,
    runs: Arc<std::sync::Mutex<Vec<Run>>>,
    polls: AtomicU64,
}

#[async_trait]
impl Collector for Told {
    fn source(&self) -> &SourceId {
        &self.source
    }
    async fn poll(&self, _: Cursor) -> Result<(Batch, serde_json::Value), CollectError> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        let runs = self.runs.lock().unwrap().clone();
        Ok((
            Batch {
                runs,
                ..Batch::default()
            },
            serde_json::json!({}),
        ))
    }
    fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.polls.load(Ordering::Relaxed),
            ..ClientStats::default()
        }
    }
}

fn run(key: &str, state: RunState, mins_ago: i64) -> Run {
    let end = Utc::now() - TimeDelta::minutes(mins_ago);
    Run {
        source: SourceId("fin".to_owned()),
        vendor: Vendor::Uipath,
        vendor_key: key.to_owned(),
        process: "Invoices".to_owned(),
        robot: Some("ap-bot-01".to_owned()),
        vm: Some("vm-rpa-01".to_owned()),
        folder: None,
        state,
        raw_state: format!("{state:?}"),
        created_at: Some(end - TimeDelta::minutes(3)),
        started_at: Some(end - TimeDelta::minutes(3)),
        ended_at: Some(end),
        updated_at: Some(end),
        error: (state == RunState::Failed).then(|| "Could not find 'Submit'".to_owned()),
        trigger: Some("Schedule".to_owned()),
        schedule_key: None,
    }
}

async fn next_named(s: &mut SseReader, name: &str) -> serde_json::Value {
    while let Some(f) = s.next_event(Duration::from_secs(10)).await {
        if f.event.as_deref() == Some(name) {
            return serde_json::from_str(f.data.as_deref().unwrap()).unwrap();
        }
    }
    panic!("no {name} event within 10 s");
}

async fn a_faulted_run_becomes_an_anomaly_that_acks_and_resolves(engine: Engine) {
    let db = TestDb::new(engine).await;
    let told = Arc::new(std::sync::Mutex::new(vec![run(
        "j1",
        RunState::Succeeded,
        30,
    )]));
    let shared = Arc::clone(&told);
    let factory: CollectorFactory = Arc::new(
        move |cfg: &SourceConfig| -> Result<Arc<dyn Collector>, CollectError> {
            Ok(Arc::new(Told {
                source: cfg.id.clone(),
                runs: Arc::clone(&shared),
                polls: AtomicU64::new(0),
            }))
        },
    );
    let mut config = db.config();
    config.detect.interval_secs = 1;
    let app = TestApp::spawn_with(config, factory).await;
    let spec = serde_json::json!({
        "id": "fin", "department": "finance", "base_url": "http://127.0.0.1:9",
        "auth": {"kind": "uipath_on_prem", "tenancy_name": "D", "username": "u", "password": {"value": "x"}},
        "poll_interval_secs": 1, "simulated": true
    });
    assert_eq!(app.post_json("/api/v1/sources", &spec).await.0, 201);
    let mut stream = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;

    // The process's newest run fails: within seconds there is an anomaly, on the stream.
    told.lock().unwrap().push(run("j2", RunState::Failed, 1));
    let opened = next_named(&mut stream, "anomaly_opened").await;
    assert_eq!(opened["kind"], "run_faulted");
    assert_eq!(opened["severity"], "error");
    assert_eq!(opened["department"], "finance");
    assert_eq!(opened["state"], "open");
    let id = opened["id"].as_i64().unwrap();

    let (_, list) = app.get_json("/api/v1/anomalies").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, summary) = app.get_json("/api/v1/summary").await;
    assert_eq!(summary["anomalies_open"], 1);

    // Acknowledge; it fails again (a new failed run): still acknowledged, count 2.
    let (status, acked) = app
        .post_json(
            &format!("/api/v1/anomalies/{id}/acknowledge"),
            // "by" is ignored: the history names the signed-in user.
            &serde_json::json!({"by": "someone-else", "note": "looking"}),
        )
        .await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(acked["state"], "acknowledged");
    assert_eq!(
        next_named(&mut stream, "anomaly_acknowledged").await["ack"]["by"],
        "test-admin"
    );
    told.lock().unwrap().push(run("j3", RunState::Failed, 0));
    let updated = next_named(&mut stream, "anomaly_updated").await;
    assert_eq!(
        (updated["state"].as_str(), updated["count"].as_u64()),
        (Some("acknowledged"), Some(2))
    );

    // A second acknowledge is a conflict, in Hangar's error shape; notes are bounded.
    let (status, e) = app
        .post_json(
            &format!("/api/v1/anomalies/{id}/acknowledge"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/anomalies/{id}/resolve"),
            &serde_json::json!({"note": "x".repeat(2_001)}),
        )
        .await;
    assert_eq!(status, 400);

    // The process succeeds again: resolved automatically.
    told.lock().unwrap().push(run("j4", RunState::Succeeded, 0));
    let resolved = next_named(&mut stream, "anomaly_resolved").await;
    assert_eq!(resolved["id"].as_i64(), Some(id));
    assert_eq!(
        resolved["resolved_by"],
        serde_json::Value::Null,
        "resolved by the system"
    );

    // Its history says who did what.
    let (_, detail) = app.get_json(&format!("/api/v1/anomalies/{id}")).await;
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["opened", "acknowledged", "auto_resolved"]);
    assert_eq!(detail["history"][1]["actor"], "test-admin");
    assert_eq!(detail["history"][1]["note"], "looking");

    // It fails once more: a new anomaly, not the old one reopened.
    told.lock().unwrap().push(run("j5", RunState::Failed, 0));
    let again = next_named(&mut stream, "anomaly_opened").await;
    assert_ne!(again["id"].as_i64(), Some(id));
    let (status, _) = app.get_json("/api/v1/anomalies?state=bogus").await;
    assert_eq!(status, 400);
    app.stop().await;
    db.drop().await;
}

on_both_engines!(a_faulted_run_becomes_an_anomaly_that_acks_and_resolves);
