//! The wall over HTTP: saved profiles, what each screen's data holds (only its panels, its
//! departments), and the rendered page for each screen, on both engines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeDelta, Utc};
use hangar_collectors::{ClientStats, CollectError, Collector, Cursor, SourceConfig};
use hangar_model::{Batch, RobotState, RobotStatus, Run, RunState, SourceId, Vendor};
use hangar_server::collect::CollectorFactory;
use serde_json::{Value, json};

use crate::support::{Engine, TestApp, TestDb};

/// Serves each source the batch the test holds for it.
struct Fixed {
    source: SourceId,
    batches: Arc<Mutex<HashMap<String, Batch>>>,
}

#[async_trait]
impl Collector for Fixed {
    fn source(&self) -> &SourceId {
        &self.source
    }
    async fn poll(&self, _: Cursor) -> Result<(Batch, Value), CollectError> {
        let batch = self
            .batches
            .lock()
            .unwrap()
            .get(self.source.as_str())
            .cloned()
            .unwrap_or_default();
        Ok((batch, json!({})))
    }
    fn stats(&self) -> ClientStats {
        ClientStats::default()
    }
}

fn run(source: &str, key: &str, robot: &str, state: RunState, mins_ago: i64) -> Run {
    let start = Utc::now() - TimeDelta::minutes(mins_ago);
    let ended = state.is_terminal().then(|| start + TimeDelta::seconds(40));
    Run {
        source: SourceId(source.to_owned()),
        vendor: Vendor::Uipath,
        vendor_key: key.to_owned(),
        process: format!("{source}-process"),
        robot: Some(robot.to_owned()),
        vm: Some(format!("vm-{robot}")),
        folder: None,
        state,
        raw_state: format!("{state:?}"),
        created_at: Some(start),
        started_at: Some(start),
        ended_at: ended,
        updated_at: Some(ended.unwrap_or(start)),
        error: None,
        trigger: None,
        schedule_key: None,
    }
}

fn robot(source: &str, name: &str) -> RobotStatus {
    RobotStatus {
        source: SourceId(source.to_owned()),
        vendor: Vendor::Uipath,
        vendor_key: name.to_owned(),
        name: name.to_owned(),
        vm: Some(format!("vm-{name}")),
        folder: None,
        state: RobotState::Available,
        raw_state: "Available".to_owned(),
        unresponsive: false,
        reported_at: Some(Utc::now()),
    }
}

/// An app with two sources, `fin` (finance) and `ops` (operations), one robot each, a run
/// running on each and a few finished today.
async fn app_with_fleet(db: &TestDb) -> TestApp {
    let batches = Arc::new(Mutex::new(HashMap::from([
        (
            "fin".to_owned(),
            Batch {
                runs: vec![
                    run("fin", "f1", "fin-bot", RunState::Succeeded, 50),
                    run("fin", "f2", "fin-bot", RunState::Failed, 30),
                    run("fin", "f3", "fin-bot", RunState::Running, 5),
                ],
                robots: vec![robot("fin", "fin-bot")],
                ..Batch::default()
            },
        ),
        (
            "ops".to_owned(),
            Batch {
                runs: vec![
                    run("ops", "o1", "ops-bot", RunState::Succeeded, 20),
                    run("ops", "o2", "ops-bot", RunState::Running, 2),
                ],
                robots: vec![robot("ops", "ops-bot")],
                ..Batch::default()
            },
        ),
    ])));
    let factory: CollectorFactory = Arc::new(
        move |cfg: &SourceConfig| -> Result<Arc<dyn Collector>, CollectError> {
            Ok(Arc::new(Fixed {
                source: cfg.id.clone(),
                batches: Arc::clone(&batches),
            }))
        },
    );
    let app = TestApp::spawn_with(db.config(), factory).await;
    for (id, department) in [("fin", "finance"), ("ops", "operations")] {
        let spec = json!({
            "id": id, "department": department, "base_url": "http://127.0.0.1:9",
            "auth": {"kind": "uipath_on_prem", "tenancy_name": "D", "username": "u", "password": {"value": "x"}},
            "poll_interval_secs": 1, "simulated": true
        });
        assert_eq!(app.post_json("/api/v1/sources", &spec).await.0, 201);
    }
    // Wait until both sources' runs are in.
    for _ in 0..100 {
        let (_, runs) = app.get_json("/api/v1/runs?limit=100").await;
        if runs.as_array().map_or(0, Vec::len) == 5 {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the fleet never arrived");
}

fn finance_profile() -> Value {
    json!({
        "name": "finance-floor", "lang": "zh-CN", "rotate_secs": 0, "stale_after_secs": 20,
        "screens": [
            {"title": {"en": "Finance now", "zh-CN": "财务"}, "panels": ["kpi", "fleet", "anomalies"],
             "departments": ["finance"]},
            {"title": {"en": "Finance runs", "zh-CN": "财务运行"}, "panels": ["timeline", "collectors"],
             "departments": ["finance"]}
        ]
    })
}

async fn profiles_are_saved_validated_listed_and_deleted(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;

    // The built-in default exists before anything is saved.
    let (status, list) = app.get_json("/api/v1/wall/profiles").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["name"], "ops-floor");
    assert_eq!(list[0]["screens"].as_array().unwrap().len(), 3);

    let put = |name: &str, body: &Value| {
        app.http
            .put(app.url(&format!("/api/v1/wall/profiles/{name}")))
            .json(body)
            .send()
    };
    // Refused with a reason: a name that differs from the path, then a bad rotation.
    let r = put("other", &finance_profile()).await.unwrap();
    assert_eq!(r.status(), 400);
    let mut bad = finance_profile();
    bad["rotate_secs"] = json!(2);
    let r = put("finance-floor", &bad).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rotate_secs")
    );
    // Unknown panels are a JSON error in Hangar's shape, not a crash.
    let mut unknown = finance_profile();
    unknown["screens"][0]["panels"] = json!(["pie_chart"]);
    let r = put("finance-floor", &unknown).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");

    let r = put("finance-floor", &finance_profile()).await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, got) = app.get_json("/api/v1/wall/profiles/finance-floor").await;
    assert_eq!(status, 200);
    assert_eq!(got["lang"], "zh-CN");
    assert_eq!(got["screens"][0]["departments"], json!(["finance"]));
    let (_, list) = app.get_json("/api/v1/wall/profiles").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["finance-floor", "ops-floor"]);

    let r = app
        .http
        .delete(app.url("/api/v1/wall/profiles/finance-floor"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, body) = app.get_json("/api/v1/wall/profiles/finance-floor").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
    db.drop().await;
}

async fn screen_data_holds_only_its_panels_and_departments(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = app_with_fleet(&db).await;

    // Screen 1 of the default profile: every department, KPI and anomalies, no charts.
    let (status, all) = app.get_json("/api/v1/wall/data?screen=1").await;
    assert_eq!(status, 200);
    assert_eq!(all["profile"], "ops-floor");
    assert_eq!(all["kpi"]["running"], 2);
    assert_eq!(all["kpi"]["failures_today"], 1);
    assert_eq!(all["kpi"]["succeeded_today"], 2);
    assert_eq!(all["kpi"]["robots_busy"], 2);
    assert_eq!(all["sources"].as_array().unwrap().len(), 2);
    assert!(all["timeline"].is_null() && all["fleet"].is_null());
    assert!(all["breakdown"].is_array());

    // Screen 3: the Gantt and the heatmap, nothing else.
    let (_, charts) = app.get_json("/api/v1/wall/data?screen=3").await;
    assert!(charts["kpi"].is_null());
    let lanes = charts["timeline"]["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 2);
    assert_eq!(lanes[0]["robot"], "fin-bot");
    assert_eq!(lanes[0]["bars"].as_array().unwrap().len(), 3);
    assert!(
        lanes[0]["bars"][2]["end"].is_null(),
        "the running run is open"
    );
    assert_eq!(charts["saturation"]["hours"], 168);

    // A finance-only profile sees finance only.
    let r = app
        .http
        .put(app.url("/api/v1/wall/profiles/finance-floor"))
        .json(&finance_profile())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, fin) = app
        .get_json("/api/v1/wall/data?profile=finance-floor&screen=1")
        .await;
    assert_eq!(fin["kpi"]["running"], 1);
    assert_eq!(fin["kpi"]["robots_total"], 1);
    let tiles = fin["fleet"].as_array().unwrap();
    assert_eq!(tiles.len(), 1);
    assert_eq!(tiles[0]["vm"], "vm-fin-bot");
    assert_eq!(tiles[0]["department"], "finance");
    assert_eq!(tiles[0]["robots"][0]["current"]["process"], "fin-process");
    assert_eq!(fin["sources"].as_array().unwrap().len(), 1);

    // Unknown profiles and screens are a 404 in Hangar's error shape.
    let (status, body) = app.get_json("/api/v1/wall/data?profile=nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = app.get_json("/api/v1/wall/data?screen=9").await;
    assert_eq!(status, 404);
    app.stop().await;
    db.drop().await;
}

async fn every_screen_renders_with_its_data_in_the_first_html(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = app_with_fleet(&db).await;
    for (path, panel) in [
        ("/wall", "panel-anomalies"),
        ("/wall/1", "panel-kpi"),
        ("/wall/2", "panel-fleet"),
        ("/wall/3", "panel-timeline"),
        ("/wall?screen=3", "panel-saturation"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{panel}\"")),
            "{path} lacks {panel}"
        );
    }
    // The Gantt is drawn on the server, not left for the browser.
    let html = app.get("/wall/3").await.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("fin-bot"));
    // The fleet screen names the VMs.
    let html = app.get("/wall/2").await.text().await.unwrap();
    assert!(html.contains("vm-ops-bot"));
    // A profile's language applies to all its screens; ?lang= still wins.
    let r = app
        .http
        .put(app.url("/api/v1/wall/profiles/finance-floor"))
        .json(&finance_profile())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = app
        .get("/wall/1?profile=finance-floor")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("lang=\"zh-CN\""), "profile language");
    assert!(html.contains("关键指标"));
    assert!(
        !html.contains("vm-ops-bot"),
        "operations is not on a finance screen"
    );
    let html = app
        .get("/wall/1?profile=finance-floor&lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Key figures"));
    // A screen or profile that does not exist says so, with a 404.
    for path in ["/wall/7", "/wall/x", "/wall?profile=nope"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    profiles_are_saved_validated_listed_and_deleted,
    screen_data_holds_only_its_panels_and_departments,
    every_screen_renders_with_its_data_in_the_first_html,
);
