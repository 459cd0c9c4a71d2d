//! Kill -9 in the middle of ingest, restart: no run lost, none counted twice. On both engines.
//!
//! The real `hangar` binary collects from a UiPath simulator running in this test while the
//! simulator produces jobs; it is SIGKILLed several times at arbitrary moments and restarted
//! on the same database. Because a batch and the cursor that produced it are committed in one
//! transaction, and finished runs are claimed for the rollups in that transaction too, the end
//! state must match the simulator exactly.

use std::time::{Duration, Instant};

use crate::support::{Engine, TestDb};
use chrono::Utc;
use hangar_collectors::uipath::sim::{SimConfig, UipathSimulator};
use hangar_model::SourceId;
use hangar_server::collect::SourceSpec;

async fn all_runs(http: &reqwest::Client, base: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    loop {
        let page: Vec<serde_json::Value> = http
            .get(format!(
                "{base}/api/v1/runs?source=crash&limit=500&offset={}",
                out.len()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = page.len();
        out.extend(page);
        if n < 500 {
            return out;
        }
    }
}

async fn kill_minus_nine_during_ingest_loses_and_repeats_nothing(engine: Engine) {
    let db = TestDb::new(engine).await;
    let history = Duration::from_secs(20 * 60);
    let sim = UipathSimulator::start(SimConfig {
        start: Utc::now() - chrono::Duration::from_std(history).unwrap(),
        history,
        vms: 8,
        robots: 12,
        processes: 8,
        manual_jobs_per_hour: 3_000.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut config = sim.source_config(SourceId("crash".to_owned()), "finance");
    config.poll_interval_secs = 1;
    let http = crate::support::bearer_client(&crate::support::admin_token(&db).await);

    let (mut child, mut base) = crate::support::spawn_binary(&db);
    let r = http
        .post(format!("{base}/api/v1/sources"))
        .json(&SourceSpec::simulated(&config))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    // Jobs keep coming while the node is killed at arbitrary moments of its work.
    for round in 0..4u64 {
        let until = Instant::now() + Duration::from_millis(700 + 350 * round);
        while Instant::now() < until {
            sim.advance(Duration::from_secs(20));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        sim.advance(Duration::from_secs(30));
        // Same database, new process (and a new port).
        (child, base) = crate::support::spawn_binary(&db);
    }

    // Quiet now: wait until the store has caught up with the simulator.
    let truth: std::collections::BTreeMap<String, String> = sim
        .jobs()
        .into_iter()
        .map(|(key, state, _)| (key, state))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stored = Vec::new();
    while Instant::now() < deadline {
        stored = all_runs(&http, &base).await;
        let done = stored.len() == truth.len()
            && stored.iter().all(|r| {
                truth
                    .get(r["vendor_key"].as_str().unwrap())
                    .map(String::as_str)
                    == r["raw_state"].as_str()
            });
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let keys: std::collections::BTreeSet<&str> = stored
        .iter()
        .map(|r| r["vendor_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), stored.len(), "no run stored twice");
    let missing: Vec<&String> = truth
        .keys()
        .filter(|k| !keys.contains(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} runs lost",
        missing.len(),
        truth.len()
    );
    for r in &stored {
        let key = r["vendor_key"].as_str().unwrap();
        assert_eq!(
            truth.get(key).map(String::as_str),
            r["raw_state"].as_str(),
            "state of {key}"
        );
    }

    // The rollups counted each finished run exactly once, whatever the kills interrupted.
    let finished = stored
        .iter()
        .filter(|r| {
            matches!(
                r["state"].as_str(),
                Some("succeeded" | "failed" | "stopped")
            )
        })
        .count() as u64;
    let mut rolled = 0;
    for _ in 0..20 {
        let summary: serde_json::Value = http
            .get(format!("{base}/api/v1/summary"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The simulated history is 20 minutes long: everything is today unless the test runs
        // across midnight UTC, in which case the departments' totals still hold every day's.
        rolled = summary["finished_today"].as_u64().unwrap();
        if rolled == finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if Utc::now().format("%H:%M").to_string().as_str() > "00:25" {
        assert_eq!(rolled, finished, "each finished run rolled up once");
    }
    assert!(
        truth.len() > 200,
        "the simulator produced enough work to interrupt: {}",
        truth.len()
    );

    child.kill().unwrap();
    child.wait().unwrap();
    sim.stop().await;
    db.drop().await;
}

on_both_engines!(kill_minus_nine_during_ingest_loses_and_repeats_nothing);
