//! Sources through the API, and the poll runner storing what a collector returns, on both
//! engines. The collector here is a scripted fake; the real clients are tested against their
//! simulators in the collectors crate and end to end in `demo.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::support::sse::SseReader;
use crate::support::{Engine, TestApp, TestDb};
use async_trait::async_trait;
use hangar_collectors::{ClientStats, CollectError, Collector, Cursor, SourceConfig};
use hangar_model::{Batch, Run, RunState, SourceId, Vendor};
use hangar_server::collect::CollectorFactory;

/// Each poll reports one new finished run, `job-<n>`, and moves the cursor to n + 1.
struct Scripted {
    source: SourceId,
    polls: AtomicU64,
}

#[async_trait]
impl Collector for Scripted {
    fn source(&self) -> &SourceId {
        &self.source
    }

    async fn poll(&self, cursor: Cursor) -> Result<(Batch, serde_json::Value), CollectError> {
        let n = cursor.as_ref().and_then(|c| c["n"].as_u64()).unwrap_or(0);
        self.polls.fetch_add(1, Ordering::Relaxed);
        let run = Run {
            source: self.source.clone(),
            vendor: Vendor::Uipath,
            vendor_key: format!("job-{n}"),
            process: "Invoices".to_owned(),
            robot: None,
            vm: Some("vm-rpa-01".to_owned()),
            folder: None,
            state: RunState::Succeeded,
            raw_state: "Successful".to_owned(),
            created_at: None,
            started_at: None,
            ended_at: None,
            updated_at: None,
            error: None,
            trigger: None,
            schedule_key: None,
        };
        Ok((
            Batch {
                runs: vec![run],
                ..Batch::default()
            },
            serde_json::json!({ "n": n + 1 }),
        ))
    }

    fn stats(&self) -> ClientStats {
        let polls = self.polls.load(Ordering::Relaxed);
        ClientStats {
            requests: polls * 2,
            retries: 0,
            throttled: 0,
        }
    }
}

fn scripted() -> CollectorFactory {
    Arc::new(
        |cfg: &SourceConfig| -> Result<Arc<dyn Collector>, CollectError> {
            Ok(Arc::new(Scripted {
                source: cfg.id.clone(),
                polls: AtomicU64::new(0),
            }))
        },
    )
}

fn spec(id: &str, secret: serde_json::Value, simulated: bool) -> serde_json::Value {
    serde_json::json!({
        "id": id, "department": "finance", "base_url": "http://127.0.0.1:9",
        "auth": {"kind": "uipath_on_prem", "tenancy_name": "Default", "username": "svc", "password": secret},
        "poll_interval_secs": 1,
        "simulated": simulated
    })
}

async fn sources_are_managed_through_the_api(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn_with(db.config(), scripted()).await;

    let (status, body) = app
        .post_json(
            "/api/v1/sources",
            &spec("fin", serde_json::json!({"env": "PATH"}), false),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], "fin");
    assert_eq!(body["auth_kind"], "uipath_on_prem");
    assert_eq!(body["vendor"], "uipath");
    assert!(
        !body.to_string().contains(&std::env::var("PATH").unwrap()),
        "no secret in views"
    );

    let (status, body) = app
        .post_json(
            "/api/v1/sources",
            &spec("fin", serde_json::json!({"env": "PATH"}), false),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict"))
    );

    let (status, body) = app
        .post_json(
            "/api/v1/sources",
            &spec("hr", serde_json::json!({"value": "hunter2"}), false),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("vault"),
        "{body}"
    );

    let (status, body) = app
        .post_json(
            "/api/v1/sources",
            &spec(
                "hr",
                serde_json::json!({"env": "HANGAR_TEST_SURELY_UNSET_42"}),
                false,
            ),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HANGAR_TEST_SURELY_UNSET_42")
    );

    let (status, body) = app
        .post_json("/api/v1/sources", &serde_json::json!({"id": "x"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );

    let (status, body) = app
        .post_json("/api/v1/sources/fin/pause", &serde_json::json!({}))
        .await;
    assert_eq!((status, body["paused"].as_bool()), (200, Some(true)));
    let (status, body) = app
        .post_json("/api/v1/sources/fin/resume", &serde_json::json!({}))
        .await;
    assert_eq!((status, body["paused"].as_bool()), (200, Some(false)));

    let (_, list) = app.get_json("/api/v1/sources").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = app
        .http
        .delete(app.url("/api/v1/sources/fin"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, _) = app.get_json("/api/v1/sources/fin").await;
    assert_eq!(status, 404);
    app.stop().await;
    db.drop().await;
}

async fn polls_land_in_the_store_with_their_cursor(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn_with(db.config(), scripted()).await;
    let (status, _) = app
        .post_json(
            "/api/v1/sources",
            &spec("fin", serde_json::json!({"value": "x"}), true),
        )
        .await;
    assert_eq!(status, 201);

    let mut runs = serde_json::Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        runs = app.get_json("/api/v1/runs?source=fin").await.1;
        if runs.as_array().unwrap().len() >= 3 {
            break;
        }
    }
    let keys: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["vendor_key"].as_str().unwrap())
        .collect();
    assert!(keys.len() >= 3, "{keys:?}");
    assert!(keys.contains(&"job-0") && keys.contains(&"job-1") && keys.contains(&"job-2"));

    let (_, source) = app.get_json("/api/v1/sources/fin").await;
    let health = &source["health"];
    assert!(health["last_success_at"].is_string(), "{health}");
    assert!(health["requests_total"].as_u64().unwrap() >= 2);
    assert_eq!(health["last_error"], serde_json::Value::Null);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("hangar_collector_polls_total{source=\"fin\",outcome=\"ok\"}"),
        "{metrics}"
    );
    app.stop().await;

    // A restart resumes from the stored cursor: no run is collected twice, none skipped.
    let app = TestApp::spawn_with(db.config(), scripted()).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let runs = app.get_json("/api/v1/runs?source=fin&limit=500").await.1;
    let mut keys: Vec<u64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["vendor_key"]
                .as_str()
                .unwrap()
                .trim_start_matches("job-")
                .parse()
                .unwrap()
        })
        .collect();
    keys.sort_unstable();
    let expected: Vec<u64> = (0..keys.len() as u64).collect();
    assert_eq!(keys, expected, "contiguous, no gaps and no duplicates");
    app.stop().await;
    db.drop().await;
}

async fn collector_health_is_on_the_stream(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn_with(db.config(), scripted()).await;
    app.post_json(
        "/api/v1/sources",
        &spec("fin", serde_json::json!({"value": "x"}), true),
    )
    .await;
    let mut s = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;
    let mut found = None;
    while let Some(f) = s.next_event(Duration::from_secs(5)).await {
        if f.event.as_deref() == Some("collector_health") {
            found = f.data;
            break;
        }
    }
    let health: hangar_model::SourceHealth =
        serde_json::from_str(&found.expect("a health event")).unwrap();
    assert_eq!(health.source.as_str(), "fin");
    assert_eq!(health.department, "finance");
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    sources_are_managed_through_the_api,
    polls_land_in_the_store_with_their_cursor,
    collector_health_is_on_the_stream,
);
