//! The demo path end to end, on both engines: the vendor simulators behind real clients over
//! real HTTP, and webhooks checked, stored and deduplicated.

use std::time::Duration;

use crate::support::{Engine, TestApp, TestDb};
use hangar_collectors::uipath;
use hangar_model::SourceId;
use hangar_server::collect::SourceSpec;
use hangar_server::demo::{AA_SOURCE, DemoFleet, UIPATH_SOURCE};

async fn runs_of(app: &TestApp, source: &str) -> Vec<serde_json::Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/runs?source={source}&limit=500"))
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn the_demo_fleet_reaches_the_store_through_real_clients(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let app_collectors = {
        // The same registry the API uses: the demo registers its sources there.
        let (status, list) = app.get_json("/api/v1/sources").await;
        assert_eq!((status, list.as_array().unwrap().len()), (200, 0));
        app.collectors.clone()
    };
    let fleet = DemoFleet::start(app_collectors, app.addr)
        .await
        .expect("demo fleet starts");

    // Webhooks can bring runs in before a source's first poll ends: wait for both.
    let polled = |list: &serde_json::Value| {
        list.as_array().is_some_and(|l| {
            l.len() == 2 && l.iter().all(|s| s["health"]["last_success_at"].is_string())
        })
    };
    let mut both = false;
    for _ in 0..150 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if !runs_of(&app, UIPATH_SOURCE).await.is_empty()
            && !runs_of(&app, AA_SOURCE).await.is_empty()
            && polled(&app.get_json("/api/v1/sources").await.1)
        {
            both = true;
            break;
        }
    }
    assert!(both, "runs from both simulators reached the store");

    let (_, sources) = app.get_json("/api/v1/sources").await;
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), 2);
    for s in sources {
        assert_eq!(s["simulated"], true);
        assert!(s["health"]["last_success_at"].is_string(), "{s}");
        assert_eq!(s["health"]["last_error"], serde_json::Value::Null, "{s}");
        assert!(
            !s.to_string().contains("secret"),
            "no credentials in the view: {s}"
        );
    }
    let uipath_runs = runs_of(&app, UIPATH_SOURCE).await;
    assert!(
        uipath_runs
            .iter()
            .all(|r| r["vendor"] == "uipath" && r["vm"].is_string())
    );
    fleet.stop().await;
    app.stop().await;
    db.drop().await;
}

fn job_faulted(event_id: &str, key: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "Type": "job.faulted",
        "EventId": event_id,
        "Timestamp": "2026-11-21T10:02:45.1234567Z",
        "Job": {
            "Id": 90017, "Key": key, "State": "Faulted", "Type": "Unattended",
            "StartTime": "2026-11-21T10:00:05.12Z", "EndTime": "2026-11-21T10:02:44.9Z",
            "Info": "Could not find the UI element 'Submit'.", "OutputArguments": null,
            "Robot": {"Id": 12, "Name": "ap-bot-01", "MachineName": "VM-RPA-01"},
            "Release": {"Id": 77, "Key": "6c1d7f0e-1111-4a2b-8c3d-000000000077", "ProcessKey": "Invoices", "Name": "Invoices_Prod"}
        },
        "TenantId": 3,
        "OrganizationUnitId": 5
    }))
    .unwrap()
}

async fn webhooks_are_verified_stored_and_deduplicated(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let sim = uipath::sim::UipathSimulator::start(uipath::sim::SimConfig::default())
        .await
        .unwrap();
    let mut config = sim.source_config(SourceId("fin".to_owned()), "finance");
    let secret = "whsec-test-1234";
    config.webhook_secret = Some(secrecy::SecretString::from(secret.to_owned()));
    let (status, body) = app
        .post_json(
            "/api/v1/sources",
            &serde_json::to_value(SourceSpec::simulated(&config)).unwrap(),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["webhook_signed"], true);

    let key = "0b6f3a52-6a0e-4c5e-9a51-2f1de0c0a001";
    let body = job_faulted("evt-1", key);
    let post = |sig: Option<String>, body: Vec<u8>, path: &str| {
        let mut req = app
            .http
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(sig) = sig {
            req = req.header(uipath::webhook::SIGNATURE_HEADER, sig);
        }
        req.send()
    };

    let r = post(
        Some(uipath::webhook::sign(secret, &body)),
        body.clone(),
        "/hooks/uipath/fin",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let ack: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (ack["event_id"].as_str(), ack["duplicate"].as_bool()),
        (Some("evt-1"), Some(false))
    );
    let runs = runs_of(&app, "fin").await;
    let run = runs
        .iter()
        .find(|r| r["vendor_key"] == key)
        .expect("the webhook's run is stored");
    assert_eq!(run["state"], "failed");
    assert_eq!(run["error"], "Could not find the UI element 'Submit'.");

    // A redelivery is acknowledged and not applied again.
    let r = post(
        Some(uipath::webhook::sign(secret, &body)),
        body.clone(),
        "/hooks/uipath/fin",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let ack: serde_json::Value = r.json().await.unwrap();
    assert_eq!(ack["duplicate"].as_bool(), Some(true));

    // Forged, unsigned, signed with another secret, or over a changed body: refused.
    let forged = job_faulted("evt-2", key);
    for sig in [
        None,
        Some("bm90IGEgc2lnbmF0dXJl".to_owned()),
        Some(uipath::webhook::sign("other", &forged)),
    ] {
        let r = post(sig, forged.clone(), "/hooks/uipath/fin")
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "unauthorized");
    }
    let tampered = job_faulted("evt-3", "ffffffff-6a0e-4c5e-9a51-2f1de0c0a001");
    let r = post(
        Some(uipath::webhook::sign(secret, &body)),
        tampered,
        "/hooks/uipath/fin",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Garbage that is correctly signed is a clear 400, not a crash.
    let garbage = b"{not json".to_vec();
    let r = post(
        Some(uipath::webhook::sign(secret, &garbage)),
        garbage,
        "/hooks/uipath/fin",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // Unknown sources, and a UiPath source on the AA path, are 404.
    let r = post(
        Some(uipath::webhook::sign(secret, &body)),
        body.clone(),
        "/hooks/uipath/nope",
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = post(None, body.clone(), "/hooks/aa/fin").await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    // The recorder is process-wide (both engines' tests count here), so check the series exist.
    for outcome in ["accepted", "duplicate", "rejected"] {
        let series = format!("hangar_webhooks_total{{source=\"fin\",outcome=\"{outcome}\"}}");
        assert!(metrics.contains(&series), "{series} missing");
    }
    sim.stop().await;
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    the_demo_fleet_reaches_the_store_through_real_clients,
    webhooks_are_verified_stored_and_deduplicated,
);
