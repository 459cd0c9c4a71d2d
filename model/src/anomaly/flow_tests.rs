//! Rules and lifecycle together, round by round, as the server will drive them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::testutil::{at, mins, run, src};
use super::*;
use crate::fleet::RunState;
use crate::sources::SourceHealth;

/// A minimal store: applies changes, opening ids from 1.
#[derive(Default)]
struct Store {
    all: Vec<Anomaly>,
}

impl Store {
    fn round(&mut self, findings: &[Finding], kinds: &[AnomalyKind], now: DateTime<Utc>) {
        let active: Vec<Anomaly> = self.all.iter().filter(|a| a.is_active()).cloned().collect();
        for c in reconcile(&active, findings, kinds, now) {
            match &c {
                Change::Open(f) => {
                    let id = self.all.len() as i64 + 1;
                    self.all.push(Anomaly::from_finding(id, f));
                }
                other => self.all.iter_mut().for_each(|a| *a = a.apply(other)),
            }
        }
    }

    fn active(&self) -> Vec<&Anomaly> {
        self.all.iter().filter(|a| a.is_active()).collect()
    }
}

fn done(key: &str, state: RunState, end: DateTime<Utc>) -> crate::fleet::Run {
    let mut r = run(key, "Invoices", state);
    r.ended_at = Some(end);
    r
}

#[test]
fn faulted_process_counts_failures_and_clears_on_success() {
    let k = [AnomalyKind::RunFaulted];
    let mut store = Store::default();
    let mut runs = vec![done("j1", RunState::Failed, at(8, 0, 0))];
    store.round(&detect_faulted_runs(&runs, at(8, 1, 0)), &k, at(8, 1, 0));
    store.round(&detect_faulted_runs(&runs, at(8, 2, 0)), &k, at(8, 2, 0));
    assert_eq!(store.active()[0].count, 1, "same failed run seen twice");
    runs.push(done("j2", RunState::Failed, at(9, 0, 0)));
    store.round(&detect_faulted_runs(&runs, at(9, 1, 0)), &k, at(9, 1, 0));
    assert_eq!(store.active()[0].count, 2);
    runs.push(done("j3", RunState::Succeeded, at(10, 0, 0)));
    store.round(&detect_faulted_runs(&runs, at(10, 1, 0)), &k, at(10, 1, 0));
    assert!(store.active().is_empty());
    assert_eq!(store.all[0].resolved_at, Some(at(10, 1, 0)));
    runs.push(done("j4", RunState::Failed, at(11, 0, 0)));
    store.round(&detect_faulted_runs(&runs, at(11, 1, 0)), &k, at(11, 1, 0));
    assert_eq!(store.all.len(), 2, "recurrence is a new anomaly");
    assert_eq!(store.active()[0].id, 2);
}

#[test]
fn acknowledged_stuck_run_escalates_but_stays_acknowledged() {
    let k = [AnomalyKind::RunStuck];
    let cfg = DetectionConfig::default();
    let b = BTreeMap::from([(
        (src("fin"), "Invoices".to_owned()),
        duration_baseline(&[600.0; 12], cfg.stuck_min_samples).unwrap(),
    )]);
    let mut r = run("j1", "Invoices", RunState::Running);
    r.started_at = Some(at(8, 0, 0));
    let mut store = Store::default();
    let now = at(8, 0, 0) + mins(15);
    store.round(&detect_stuck_runs(&[r.clone()], &b, &cfg, now), &k, now);
    assert_eq!(store.all[0].severity, Severity::Warn);
    store.all[0] = acknowledge(&store.all[0], "ana", None, now).unwrap();
    let later = at(8, 0, 0) + mins(25);
    store.round(&detect_stuck_runs(&[r.clone()], &b, &cfg, later), &k, later);
    let a = &store.all[0];
    assert_eq!(
        (a.severity, a.state, a.count),
        (Severity::Error, AnomalyState::Acknowledged, 1)
    );
    r.state = RunState::Succeeded;
    store.round(&detect_stuck_runs(&[r], &b, &cfg, later), &k, later);
    assert_eq!(store.all[0].state, AnomalyState::Resolved);
}

#[test]
fn stale_collector_escalates_without_counting() {
    let k = [AnomalyKind::CollectorStale];
    let cfg = DetectionConfig::default();
    let h = SourceHealth {
        source: src("fin"),
        vendor: crate::fleet::Vendor::Uipath,
        department: "finance".into(),
        paused: false,
        last_success_at: Some(at(8, 0, 0)),
        last_error_at: Some(at(8, 1, 0)),
        last_error: Some("HTTP 503".into()),
        lag_secs: None,
        requests_last_minute: 0,
        requests_total: 0,
        retries_total: 0,
        throttled_total: 0,
        next_poll_at: None,
        as_of: at(8, 1, 0),
    };
    let mut store = Store::default();
    for minute in [4, 6, 11, 20] {
        let now = at(8, minute, 0);
        store.round(
            &detect_stale_collectors(&[(h.clone(), 60)], &cfg, now),
            &k,
            now,
        );
    }
    let a = &store.all[0];
    assert_eq!(
        (a.severity, a.count, store.all.len()),
        (Severity::Fatal, 1, 1)
    );
    assert_eq!(a.last_seen, at(8, 20, 0));
    assert_eq!(a.first_seen, at(8, 4, 0));
}

#[test]
fn evaluating_one_kind_leaves_the_others_alone() {
    let mut store = Store::default();
    let runs = vec![done("j1", RunState::Failed, at(8, 0, 0))];
    store.round(
        &detect_faulted_runs(&runs, at(8, 1, 0)),
        &[AnomalyKind::RunFaulted],
        at(8, 1, 0),
    );
    let now = at(9, 0, 0) + Duration::hours(1);
    store.round(
        &[],
        &[AnomalyKind::ScheduleMissed, AnomalyKind::QueueSlaBreached],
        now,
    );
    assert_eq!(store.active().len(), 1);
}
