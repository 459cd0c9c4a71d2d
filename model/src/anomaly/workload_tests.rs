use super::*;
use crate::anomaly::testutil::{at, mins, src};
use crate::fleet::Vendor;

fn item(queue: &str, state: QueueItemState, due: Option<DateTime<Utc>>) -> QueueItem {
    QueueItem {
        source: src("fin"),
        vendor: Vendor::Uipath,
        vendor_key: "i".into(),
        queue: queue.into(),
        folder: None,
        state,
        raw_state: "New".into(),
        reference: None,
        created_at: None,
        started_at: None,
        ended_at: None,
        due_at: due,
        error: None,
    }
}

#[test]
fn overdue_items_group_per_queue() {
    let now = at(12, 0, 0);
    let items = vec![
        item("Invoices", QueueItemState::New, Some(now - mins(30))),
        item("Invoices", QueueItemState::InProgress, Some(now - mins(90))),
        item("Invoices", QueueItemState::New, Some(now + mins(5))),
        item("Invoices", QueueItemState::Succeeded, Some(now - mins(500))),
        item("Invoices", QueueItemState::Failed, Some(now - mins(500))),
        item("Invoices", QueueItemState::New, None),
        item("Claims", QueueItemState::New, Some(now - mins(1))),
    ];
    let fs = detect_queue_sla(&items, now);
    assert_eq!(fs.len(), 2);
    let claims = &fs[0];
    assert_eq!(claims.dedup_key, "queue_sla_breached:fin:Claims");
    assert_eq!(claims.occurrence, "1");
    let inv = &fs[1];
    assert_eq!(
        (inv.kind, inv.severity),
        (AnomalyKind::QueueSlaBreached, Severity::Warn)
    );
    assert_eq!(inv.dedup_key, "queue_sla_breached:fin:Invoices");
    assert_eq!(inv.occurrence, "2");
    assert!(inv.subject.contains("2 items past due"), "{}", inv.subject);
    assert!(inv.detail.contains("90 min ago"), "{}", inv.detail);
}

#[test]
fn due_exactly_now_is_not_overdue() {
    let now = at(12, 0, 0);
    assert!(detect_queue_sla(&[item("Q", QueueItemState::New, Some(now))], now).is_empty());
    let late = item(
        "Q",
        QueueItemState::New,
        Some(now - chrono::Duration::seconds(1)),
    );
    assert_eq!(detect_queue_sla(&[late], now).len(), 1);
}

fn stats(runs: u64, failures: u64, baseline_runs: u64, baseline_failures: u64) -> FailureStats {
    FailureStats {
        source: src("fin"),
        process: "Invoices".into(),
        runs,
        failures,
        baseline_runs,
        baseline_failures,
    }
}

fn spikes(s: FailureStats) -> Vec<Finding> {
    detect_failure_rate_spikes(&[s], &DetectionConfig::default(), at(12, 0, 0))
}

#[test]
fn spike_above_noise_and_double_the_baseline() {
    // Baseline 10%; today 3 of 5 = 60% > max(20%, 10% + 3·13.4%) = 50.2%.
    let fs = spikes(stats(5, 3, 200, 20));
    assert_eq!(fs.len(), 1);
    assert_eq!(
        (fs[0].kind, fs[0].severity),
        (AnomalyKind::FailureRateSpike, Severity::Warn)
    );
    assert_eq!(fs[0].dedup_key, "failure_rate_spike:fin:Invoices");
    assert_eq!(fs[0].occurrence, "3");
    assert!(fs[0].detail.contains("3 of 5 runs"), "{}", fs[0].detail);
}

#[test]
fn within_noise_is_not_a_spike() {
    // Baseline 10%; today 4 of 20 = 20% ≤ max(20%, 10% + 3·6.7%) = 30.1%.
    assert!(spikes(stats(20, 4, 200, 20)).is_empty());
    // Baseline 10%; today 30 of 100 = 30% > max(20%, 19%).
    assert_eq!(spikes(stats(100, 30, 200, 20)).len(), 1);
}

#[test]
fn minimum_failures_and_minimum_history() {
    assert!(
        spikes(stats(2, 2, 200, 0)).is_empty(),
        "two failures are not enough"
    );
    assert_eq!(spikes(stats(3, 3, 200, 0)).len(), 1, "never failed before");
    assert!(spikes(stats(3, 3, 19, 0)).is_empty(), "too little history");
    assert_eq!(spikes(stats(3, 3, 20, 0)).len(), 1);
    assert!(spikes(stats(0, 3, 200, 0)).is_empty(), "no runs, bad input");
}

#[test]
fn a_process_that_always_fails_is_not_spiking() {
    assert!(spikes(stats(10, 10, 100, 100)).is_empty());
    let t = failure_rate_threshold(&stats(10, 10, 100, 100), &DetectionConfig::default()).unwrap();
    assert!(t >= 1.0);
}
