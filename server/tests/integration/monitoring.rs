//! Rollups and the wall summary, on SQLite and PostgreSQL alike.

use std::sync::Arc;

use crate::support::{Engine, TestDb};
use chrono::{Duration, DurationRound, TimeDelta, Utc};
use hangar_model::{Batch, Run, RunState, SourceId, Vendor};
use hangar_server::config::DatabaseConfig;
use hangar_server::store::{self, SourceRecord, Store};
use secrecy::SecretString;

async fn open(db: &TestDb) -> Arc<dyn Store> {
    let s = store::connect(
        &SecretString::from(db.url.clone()),
        &DatabaseConfig::default(),
    )
    .await
    .expect("connects");
    s.migrate().await.expect("migrates");
    let now = Utc::now();
    s.insert_source(&SourceRecord {
        id: SourceId("fin".to_owned()),
        vendor: Vendor::Uipath,
        department: "finance".to_owned(),
        spec: serde_json::json!({}),
        simulated: true,
        paused: false,
        created_at: now,
        updated_at: now,
    })
    .await
    .unwrap();
    s
}

fn run(key: &str, state: RunState, started_mins_ago: i64, minutes: i64) -> Run {
    let start = Utc::now() - Duration::minutes(started_mins_ago);
    let end = state
        .is_terminal()
        .then(|| start + Duration::minutes(minutes));
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
        created_at: Some(start),
        started_at: Some(start),
        ended_at: end,
        updated_at: end.or(Some(start)),
        error: None,
        trigger: None,
        schedule_key: None,
    }
}

async fn finished_runs_are_rolled_up_exactly_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = open(&db).await;
    let fin = SourceId("fin".to_owned());
    // Started a few minutes ago so "today" is today for all of them, even just after midnight.
    let b = Batch {
        runs: vec![
            run("a", RunState::Succeeded, 3, 1),
            run("b", RunState::Failed, 3, 2),
            run("c", RunState::Running, 2, 0),
            run("d", RunState::Succeeded, 2, 1),
        ],
        ..Batch::default()
    };
    s.apply_batch(&fin, &b, None).await.unwrap();
    // Redelivery of the same batch must not count anything twice.
    s.apply_batch(&fin, &b, None).await.unwrap();
    let sum = s.wall_summary(Utc::now()).await.unwrap();
    assert_eq!(
        (sum.finished_today, sum.succeeded_today, sum.failures_today),
        (3, 2, 1)
    );
    assert_eq!(sum.running, 1);
    assert_eq!(sum.success_rate_today, Some(2.0 / 3.0));

    // The running one finishes: counted then, once.
    let done = Batch {
        runs: vec![run("c", RunState::Failed, 2, 1)],
        ..Batch::default()
    };
    s.apply_batch(&fin, &done, None).await.unwrap();
    s.apply_batch(&fin, &done, None).await.unwrap();
    let sum = s.wall_summary(Utc::now()).await.unwrap();
    assert_eq!(
        (sum.finished_today, sum.failures_today, sum.running),
        (4, 2, 0)
    );
    let fin_row = sum
        .by_department
        .iter()
        .find(|b| b.department == "finance")
        .unwrap();
    assert_eq!((fin_row.runs_today, fin_row.failures_today), (4, 2));
    s.close().await;
    db.drop().await;
}

async fn saturation_reports_busy_shares_per_robot_hour(engine: Engine) {
    let db = TestDb::new(engine).await;
    let s = open(&db).await;
    let fin = SourceId("fin".to_owned());
    let hour = Utc::now().duration_trunc(TimeDelta::hours(1)).unwrap() - TimeDelta::hours(2);
    let mut r = run("x", RunState::Succeeded, 0, 0);
    r.started_at = Some(hour + TimeDelta::minutes(30));
    r.ended_at = Some(hour + TimeDelta::minutes(90));
    r.updated_at = r.ended_at;
    s.apply_batch(
        &fin,
        &Batch {
            runs: vec![r],
            ..Batch::default()
        },
        None,
    )
    .await
    .unwrap();
    let cells = s
        .saturation(hour - TimeDelta::hours(1), hour + TimeDelta::hours(3))
        .await
        .unwrap();
    let shares: Vec<(i64, f64)> = cells
        .iter()
        .map(|c| ((c.hour - hour).num_hours(), c.busy_share))
        .collect();
    assert_eq!(shares, vec![(0, 0.5), (1, 0.5)]);
    assert!(cells.iter().all(|c| c.robot == "ap-bot-01"));
    s.close().await;
    db.drop().await;
}

on_both_engines!(
    finished_runs_are_rolled_up_exactly_once,
    saturation_reports_busy_shares_per_robot_hour,
);
