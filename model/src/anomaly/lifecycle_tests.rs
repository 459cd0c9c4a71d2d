use super::*;
use crate::anomaly::testutil::{at, finding};

const K: AnomalyKind = AnomalyKind::RunFaulted;

fn open(id: i64, key: &str, occ: &str) -> Anomaly {
    Anomaly::from_finding(id, &finding(K, key, occ, at(8, 0, 0)))
}

/// Runs `reconcile` and applies its changes to the list, opening with ids from 100.
fn round(store: &mut Vec<Anomaly>, findings: &[Finding], now: DateTime<Utc>) -> Vec<Change> {
    let changes = reconcile(store, findings, &[K], now);
    for c in &changes {
        match c {
            Change::Open(f) => {
                let id = 100 + store.len() as i64;
                store.push(Anomaly::from_finding(id, f));
            }
            other => {
                for a in store.iter_mut() {
                    *a = a.apply(other);
                }
            }
        }
    }
    changes
}

#[test]
fn new_finding_opens_an_anomaly() {
    let f = finding(K, "run_faulted:fin:p", "job-1", at(9, 0, 0));
    let changes = reconcile(&[], std::slice::from_ref(&f), &[K], at(9, 0, 0));
    assert_eq!(changes, vec![Change::Open(f.clone())]);
    let a = Anomaly::from_finding(7, &f);
    assert_eq!(
        (a.count, a.state, a.first_seen),
        (1, AnomalyState::Open, at(9, 0, 0))
    );
    assert_eq!(a.last_occurrence, "job-1");
}

#[test]
fn same_occurrence_refires_without_counting() {
    let a = open(1, "k", "job-1");
    let f = finding(K, "k", "job-1", at(9, 0, 0));
    let changes = reconcile(&[a], &[f], &[K], at(9, 0, 0));
    let Change::Refire {
        id,
        count,
        last_seen,
        ..
    } = &changes[0]
    else {
        panic!("{changes:?}")
    };
    assert_eq!((*id, *count, *last_seen), (1, 1, at(9, 0, 0)));
}

#[test]
fn new_occurrence_counts_once() {
    let mut store = vec![open(1, "k", "job-1")];
    round(
        &mut store,
        &[finding(K, "k", "job-2", at(9, 0, 0))],
        at(9, 0, 0),
    );
    round(
        &mut store,
        &[finding(K, "k", "job-2", at(9, 1, 0))],
        at(9, 1, 0),
    );
    round(
        &mut store,
        &[finding(K, "k", "job-3", at(9, 2, 0))],
        at(9, 2, 0),
    );
    assert_eq!(store.len(), 1);
    assert_eq!(store[0].count, 3);
    assert_eq!(store[0].last_occurrence, "job-3");
    assert_eq!(store[0].detail, "detail job-3");
    assert_eq!(store[0].last_seen, at(9, 2, 0));
}

#[test]
fn severity_rises_but_never_falls() {
    let mut store = vec![open(1, "k", "o")];
    let mut f = finding(K, "k", "o", at(9, 0, 0));
    f.severity = Severity::Error;
    round(&mut store, &[f.clone()], at(9, 0, 0));
    assert_eq!(store[0].severity, Severity::Error);
    f.severity = Severity::Info;
    round(&mut store, &[f], at(9, 1, 0));
    assert_eq!(store[0].severity, Severity::Error);
}

#[test]
fn acknowledged_stays_acknowledged_while_firing() {
    let a = acknowledge(&open(1, "k", "job-1"), "ana", Some("on it"), at(8, 30, 0)).unwrap();
    let mut store = vec![a];
    let changes = round(
        &mut store,
        &[finding(K, "k", "job-2", at(9, 0, 0))],
        at(9, 0, 0),
    );
    assert!(matches!(
        changes[0],
        Change::Refire {
            id: 1,
            count: 2,
            ..
        }
    ));
    assert_eq!(store[0].state, AnomalyState::Acknowledged);
    assert_eq!(store[0].ack.as_ref().unwrap().by, "ana");
    assert_eq!(
        store[0].ack.as_ref().unwrap().note.as_deref(),
        Some("on it")
    );
}

#[test]
fn clears_auto_resolve_active_anomalies() {
    let acked = acknowledge(&open(2, "k2", "o"), "ana", None, at(8, 0, 0)).unwrap();
    let mut store = vec![open(1, "k1", "o"), acked];
    let changes = round(&mut store, &[], at(9, 0, 0));
    assert_eq!(
        changes,
        vec![
            Change::AutoResolve {
                id: 1,
                at: at(9, 0, 0)
            },
            Change::AutoResolve {
                id: 2,
                at: at(9, 0, 0)
            }
        ]
    );
    for a in &store {
        assert_eq!(a.state, AnomalyState::Resolved);
        assert_eq!(a.resolved_at, Some(at(9, 0, 0)));
        assert_eq!(a.resolved_by, None, "automatic");
    }
}

#[test]
fn kinds_not_evaluated_are_left_alone() {
    let mut other = open(1, "robot_disconnected:fin:r", "disconnected");
    other.kind = AnomalyKind::RobotDisconnected;
    let changes = reconcile(&[other], &[], &[K, AnomalyKind::RunStuck], at(9, 0, 0));
    assert!(changes.is_empty());
    let changes = reconcile(&[], &[], &[], at(9, 0, 0));
    assert!(changes.is_empty());
}

#[test]
fn recurrence_after_resolution_opens_a_new_anomaly() {
    let mut store = vec![open(1, "k", "job-1")];
    round(&mut store, &[], at(9, 0, 0));
    assert_eq!(store[0].state, AnomalyState::Resolved);
    let changes = round(
        &mut store,
        &[finding(K, "k", "job-9", at(10, 0, 0))],
        at(10, 0, 0),
    );
    assert!(matches!(changes[0], Change::Open(_)));
    assert_eq!(store.len(), 2);
    assert_eq!(store[1].state, AnomalyState::Open);
    assert_eq!(store[1].count, 1);
    assert_eq!(store[0].state, AnomalyState::Resolved, "old one untouched");
}

#[test]
fn hand_resolved_then_still_firing_opens_a_new_one() {
    let resolved = resolve_by_hand(&open(1, "k", "job-1"), "ana", at(9, 0, 0)).unwrap();
    assert_eq!(resolved.resolved_by.as_deref(), Some("ana"));
    let changes = reconcile(
        &[resolved],
        &[finding(K, "k", "job-1", at(9, 1, 0))],
        &[K],
        at(9, 1, 0),
    );
    assert!(matches!(changes[..], [Change::Open(_)]));
}

#[test]
fn duplicate_findings_in_a_round_count_once_most_severe_wins() {
    let mut a = finding(K, "k", "o1", at(9, 0, 0));
    let mut b = finding(K, "k", "o2", at(9, 0, 0));
    a.severity = Severity::Warn;
    b.severity = Severity::Error;
    let changes = reconcile(&[], &[a, b.clone()], &[K], at(9, 0, 0));
    assert_eq!(changes, vec![Change::Open(b)]);
}

#[test]
fn duplicate_active_keys_refire_the_newest() {
    let changes = reconcile(
        &[open(3, "k", "o"), open(5, "k", "o")],
        &[finding(K, "k", "o", at(9, 0, 0))],
        &[K],
        at(9, 0, 0),
    );
    assert!(matches!(changes[..], [Change::Refire { id: 5, .. }]));
}

#[test]
fn hand_transitions_and_their_errors() {
    let a = open(1, "k", "o");
    assert_eq!(unacknowledge(&a), Err(LifecycleError::NotAcknowledged));
    assert_eq!(
        acknowledge(&a, "  ", None, at(9, 0, 0)),
        Err(LifecycleError::MissingActor)
    );
    let acked = acknowledge(&a, " ana ", Some("  "), at(9, 0, 0)).unwrap();
    assert_eq!(
        acked.ack,
        Some(Acknowledgement {
            by: "ana".into(),
            at: at(9, 0, 0),
            note: None
        })
    );
    assert_eq!(
        acknowledge(&acked, "bo", None, at(9, 1, 0)),
        Err(LifecycleError::NotOpen)
    );
    let back = unacknowledge(&acked).unwrap();
    assert_eq!((back.state, back.ack.clone()), (AnomalyState::Open, None));
    let res = resolve_by_hand(&acked, "bo", at(9, 2, 0)).unwrap();
    assert_eq!(res.state, AnomalyState::Resolved);
    assert_eq!(
        resolve_by_hand(&res, "bo", at(9, 3, 0)),
        Err(LifecycleError::AlreadyResolved)
    );
    assert_eq!(
        acknowledge(&res, "bo", None, at(9, 3, 0)),
        Err(LifecycleError::AlreadyResolved)
    );
    assert_eq!(unacknowledge(&res), Err(LifecycleError::AlreadyResolved));
    assert_eq!(
        resolve_by_hand(&a, "", at(9, 3, 0)),
        Err(LifecycleError::MissingActor)
    );
    assert_eq!(LifecycleError::NotOpen.as_str(), "not_open");
    assert_eq!(
        serde_json::to_string(&LifecycleError::AlreadyResolved).unwrap(),
        "\"already_resolved\""
    );
}

#[test]
fn resolved_anomalies_in_active_are_ignored() {
    let res = resolve_by_hand(&open(1, "k", "o"), "ana", at(9, 0, 0)).unwrap();
    assert!(reconcile(&[res], &[], &[K], at(9, 1, 0)).is_empty());
}
