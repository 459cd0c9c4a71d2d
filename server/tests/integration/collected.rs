//! Sources and collected records in the store, on SQLite and PostgreSQL alike.

use std::sync::Arc;

use crate::support::{Engine, TestDb};
use chrono::{DateTime, Duration, TimeZone, Utc};
use hangar_model::{
    Batch, RobotState, RobotStatus, Run, RunState, SourceId, Vendor, should_replace_run,
};
use hangar_server::config::DatabaseConfig;
use hangar_server::store::{self, RunFilter, SourceRecord, Store};
use secrecy::SecretString;

async fn open(db: &TestDb) -> Arc<dyn Store> {
    let s = store::connect(
        &SecretString::from(db.url.clone()),
        &DatabaseConfig::default(),
    )
    .await
    .expect("connects");
    s.migrate().await.expect("migrates");
    s
}

fn source(id: &str) -> SourceRecord {
    let now = Utc::now();
    SourceRecord {
        id: SourceId(id.to_owned()),
        vendor: Vendor::Uipath,
        department: "finance".to_owned(),
        spec: serde_json::json!({"base_url": "http://127.0.0.1:9", "auth": {"kind": "uipath_on_prem"}}),
        simulated: true,
        paused: false,
        created_at: now,
        updated_at: now,
    }
}

fn at(secs: i64) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap() + Duration::seconds(secs))
}

fn run(key: &str, state: RunState, updated: Option<DateTime<Utc>>) -> Run {
    Run {
        source: SourceId("fin".to_owned()),
        vendor: Vendor::Uipath,
        vendor_key: key.to_owned(),
        process: "Invoices".to_owned(),
        robot: Some("ap-bot-01".to_owned()),
        vm: Some("vm-rpa-01".to_owned()),
        folder: Some("Finance/AP".to_owned()),
        state,
        raw_state: format!("{state:?}"),
        created_at: at(0),
        started_at: at(1),
        ended_at: state.is_terminal().then(|| at(100)).flatten(),
        updated_at: updated,
        error: (state == RunState::Failed).then(|| "Could not find 'Submit'".to_owned()),
        trigger: Some("Schedule".to_owned()),
        schedule_key: None,
    }
}

fn batch(runs: Vec<Run>) -> Batch {
    Batch {
        runs,
        ..Batch::default()
    }
}

async fn sources_are_added_listed_paused_and_removed(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = open(&db).await;
    assert!(s.insert_source(&source("fin")).await.unwrap());
    assert!(
        !s.insert_source(&source("fin")).await.unwrap(),
        "ids are unique"
    );
    assert!(s.insert_source(&source("hr")).await.unwrap());
    let listed = s.list_sources().await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["fin", "hr"]
    );
    assert_eq!(listed[0].spec["auth"]["kind"], "uipath_on_prem");

    let fin = SourceId("fin".to_owned());
    assert!(s.set_source_paused(&fin, true).await.unwrap());
    assert!(s.list_sources().await.unwrap()[0].paused);
    assert!(
        !s.set_source_paused(&SourceId("nope".to_owned()), true)
            .await
            .unwrap()
    );

    s.apply_batch(
        &fin,
        &batch(vec![run("j1", RunState::Running, at(5))]),
        Some(&serde_json::json!({"w": 1})),
    )
    .await
    .unwrap();
    assert!(s.delete_source(&fin).await.unwrap());
    assert_eq!(
        s.count_runs(None).await.unwrap(),
        0,
        "a removed source takes its data along"
    );
    assert_eq!(s.load_cursor(&fin).await.unwrap(), None);
    s.close().await;
    db.drop().await;
}

async fn batches_and_cursors_move_together(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = open(&db).await;
    s.insert_source(&source("fin")).await.unwrap();
    let fin = SourceId("fin".to_owned());
    assert_eq!(s.load_cursor(&fin).await.unwrap(), None);

    let b = Batch {
        runs: vec![
            run("j1", RunState::Running, at(5)),
            run("j2", RunState::Failed, at(6)),
        ],
        robots: vec![RobotStatus {
            source: fin.clone(),
            vendor: Vendor::Uipath,
            vendor_key: "12".to_owned(),
            name: "ap-bot-01".to_owned(),
            vm: Some("vm-rpa-01".to_owned()),
            folder: None,
            state: RobotState::Busy,
            raw_state: "Busy".to_owned(),
            unresponsive: false,
            reported_at: at(4),
        }],
        ..Batch::default()
    };
    let stats = s
        .apply_batch(&fin, &b, Some(&serde_json::json!({"watermark": "x"})))
        .await
        .unwrap();
    assert_eq!((stats.runs_changed, stats.runs_ignored), (2, 0));
    assert_eq!(
        s.load_cursor(&fin).await.unwrap(),
        Some(serde_json::json!({"watermark": "x"}))
    );

    // The same batch again changes nothing but is not an error: redelivery is idempotent.
    s.apply_batch(&fin, &b, None).await.unwrap();
    assert_eq!(s.count_runs(Some(&fin)).await.unwrap(), 2);

    let failed = s
        .list_runs(&RunFilter {
            source: Some(fin.clone()),
            state: Some(RunState::Failed),
            department: None,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    let stored = &failed[0];
    assert_eq!(stored.vendor_key, "j2");
    assert_eq!(stored.error.as_deref(), Some("Could not find 'Submit'"));
    assert_eq!(stored.updated_at, at(6));
    assert_eq!(stored.vm.as_deref(), Some("vm-rpa-01"));
    s.close().await;
    db.drop().await;
}

/// Every combination of stored and incoming report: the SQL upsert decides exactly as
/// `should_replace_run` does.
async fn the_store_merges_runs_as_the_model_rule_says(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = open(&db).await;
    s.insert_source(&source("fin")).await.unwrap();
    let fin = SourceId("fin".to_owned());
    use RunState::*;
    let states = [Queued, Running, Succeeded, Failed];
    let times = [None, at(10), at(20)];
    let mut n = 0;
    for &s0 in &states {
        for &t0 in &times {
            for &s1 in &states {
                for &t1 in &times {
                    n += 1;
                    let key = format!("k{n}");
                    s.apply_batch(&fin, &batch(vec![run(&key, s0, t0)]), None)
                        .await
                        .unwrap();
                    s.apply_batch(&fin, &batch(vec![run(&key, s1, t1)]), None)
                        .await
                        .unwrap();
                    let got = s
                        .list_runs(&RunFilter {
                            source: Some(fin.clone()),
                            limit: 1000,
                            ..RunFilter::default()
                        })
                        .await
                        .unwrap()
                        .into_iter()
                        .find(|r| r.vendor_key == key)
                        .unwrap();
                    let expected = if should_replace_run((s0, t0), (s1, t1)) {
                        s1
                    } else {
                        s0
                    };
                    assert_eq!(
                        got.state, expected,
                        "stored {s0:?}@{t0:?}, incoming {s1:?}@{t1:?}"
                    );
                }
            }
        }
    }
    s.close().await;
    db.drop().await;
}

on_both_engines!(
    sources_are_added_listed_paused_and_removed,
    batches_and_cursors_move_together,
    the_store_merges_runs_as_the_model_rule_says,
);
