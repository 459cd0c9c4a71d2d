//! Rules over work done: queue items past their due time, and processes failing far more
//! often today than they used to.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::DetectionConfig;
use super::types::{AnomalyKind, Finding, Severity, dedup_key};
use crate::fleet::{QueueItem, QueueItemState, SourceId};

/// **Queue SLA.** Items still `New` or `InProgress` whose `due_at` is before `now` (strictly)
/// are overdue; one finding per source+queue names how many and the oldest due time. Warn.
///
/// Dedup `queue_sla_breached:{source}:{queue}`; occurrence = the number of overdue items as
/// text, so the count grows when the backlog changes and not on every round.
pub fn detect_queue_sla(items: &[QueueItem], now: DateTime<Utc>) -> Vec<Finding> {
    let mut overdue: BTreeMap<(&SourceId, &str), (usize, DateTime<Utc>)> = BTreeMap::new();
    for it in items
        .iter()
        .filter(|i| matches!(i.state, QueueItemState::New | QueueItemState::InProgress))
    {
        let Some(due) = it.due_at.filter(|d| *d < now) else {
            continue;
        };
        let slot = overdue
            .entry((&it.source, it.queue.as_str()))
            .or_insert((0, due));
        slot.0 += 1;
        slot.1 = slot.1.min(due);
    }
    overdue
        .into_iter()
        .map(|((source, queue), (n, oldest))| {
            let kind = AnomalyKind::QueueSlaBreached;
            let items = if n == 1 { "item" } else { "items" };
            let mut f = Finding::new(
                kind,
                Severity::Warn,
                dedup_key(kind, &[source.as_str(), queue]),
                format!("Queue {queue}: {n} {items} past due"),
                format!(
                    "{n} {items} in queue {queue} on {source} not done by their due time; the oldest \
                     was due {} ({} min ago)",
                    oldest.to_rfc3339(),
                    (now - oldest).num_minutes()
                ),
                n.to_string(),
                now,
            );
            f.source = Some(source.clone());
            f
        })
        .collect()
}

/// One process's runs today against its history, counted by the caller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailureStats {
    pub source: SourceId,
    pub process: String,
    /// Finished runs today and how many of them failed.
    pub runs: u64,
    pub failures: u64,
    /// Finished runs and failures over the previous days (the baseline, e.g. 14 days).
    pub baseline_runs: u64,
    pub baseline_failures: u64,
}

/// Today's failure rate above which a spike is reported, or `None` with too little history.
///
/// With baseline rate `p` and `n` runs today: `max(factor·p, p + z·sqrt(p(1−p)/n))`. The first
/// term asks for a clear relative jump, the second for one beyond binomial noise at today's
/// sample size (a process that fails 10% of the time failing 3 of 5 runs today is a spike; 1 of
/// 5 is not). With `p = 0` the threshold is 0: any failures (at least `failure_min_failures`)
/// from a process that never failed are a spike.
pub fn failure_rate_threshold(s: &FailureStats, cfg: &DetectionConfig) -> Option<f64> {
    if s.runs == 0 || s.baseline_runs < cfg.failure_min_baseline_runs.max(1) {
        return None;
    }
    let p = (s.baseline_failures.min(s.baseline_runs) as f64) / s.baseline_runs as f64;
    let n = s.runs as f64;
    let noise = p + cfg.failure_rate_z * (p * (1.0 - p) / n).sqrt();
    Some((cfg.failure_rate_factor * p).max(noise))
}

/// **Failure-rate spike.** Fires for a process when today's failures ≥ `failure_min_failures`
/// and today's rate is strictly above [`failure_rate_threshold`]. No baseline (fewer than
/// `failure_min_baseline_runs` runs before today) means no finding. Warn.
///
/// Dedup `failure_rate_spike:{source}:{process}`; occurrence = today's failure count as text.
/// When the day rolls over and today's counts reset, the finding goes and the anomaly resolves.
pub fn detect_failure_rate_spikes(
    stats: &[FailureStats],
    cfg: &DetectionConfig,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    stats
        .iter()
        .filter(|s| s.failures >= cfg.failure_min_failures)
        .filter_map(|s| {
            let threshold = failure_rate_threshold(s, cfg)?;
            let rate = s.failures.min(s.runs) as f64 / s.runs as f64;
            if rate <= threshold {
                return None;
            }
            let base = s.baseline_failures.min(s.baseline_runs) as f64 / s.baseline_runs as f64;
            let kind = AnomalyKind::FailureRateSpike;
            let mut f = Finding::new(
                kind,
                Severity::Warn,
                dedup_key(kind, &[s.source.as_str(), &s.process]),
                format!("{} failing {:.0}% of runs today", s.process, rate * 100.0),
                format!(
                    "{} of {} runs of {} failed today ({:.0}%), against {:.1}% before ({} of {}); \
                     alert above {:.1}%",
                    s.failures,
                    s.runs,
                    s.process,
                    rate * 100.0,
                    base * 100.0,
                    s.baseline_failures,
                    s.baseline_runs,
                    threshold * 100.0
                ),
                s.failures.to_string(),
                now,
            );
            f.source = Some(s.source.clone());
            f.process = Some(s.process.clone());
            Some(f)
        })
        .collect()
}

#[cfg(test)]
#[path = "workload_tests.rs"]
mod tests;
