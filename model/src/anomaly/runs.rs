//! Rules over runs: the last run of a process faulted, and a run that has been going for far
//! longer than that process usually takes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::config::DetectionConfig;
use super::types::{AnomalyKind, Finding, Severity, dedup_key};
use crate::fleet::{Run, RunState, SourceId};

/// A process within a source: process names are only unique per tenant.
pub type ProcessKey = (SourceId, String);

/// When a finished run finished, as best the vendor told us.
fn finished_at(r: &Run) -> Option<DateTime<Utc>> {
    r.ended_at
        .or(r.updated_at)
        .or(r.started_at)
        .or(r.created_at)
}

/// **Faulted run.** `finished` holds recent runs (any order, any processes; unfinished ones are
/// ignored). Per source+process, the most recent run that *succeeded or failed* decides: failed →
/// one finding, succeeded → none (the anomaly auto-resolves). Stopped runs were stopped by a
/// person and decide nothing. Runs with no time at all are ignored; among equal times the later
/// one in the input wins.
///
/// Dedup `run_faulted:{source}:{process}`; occurrence = the failed run's key, so every further
/// failure counts once. Severity Error; detail = the vendor's error text.
pub fn detect_faulted_runs(finished: &[Run], now: DateTime<Utc>) -> Vec<Finding> {
    let mut last: BTreeMap<(&SourceId, &str), (DateTime<Utc>, &Run)> = BTreeMap::new();
    for r in finished
        .iter()
        .filter(|r| matches!(r.state, RunState::Failed | RunState::Succeeded))
    {
        let Some(t) = finished_at(r) else { continue };
        let slot = last
            .entry((&r.source, r.process.as_str()))
            .or_insert((t, r));
        if t >= slot.0 {
            *slot = (t, r);
        }
    }
    last.into_values()
        .filter(|(_, r)| r.state == RunState::Failed)
        .map(|(t, r)| {
            let error = r
                .error
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .unwrap_or("failed without an error message");
            let mut f = Finding::new(
                AnomalyKind::RunFaulted,
                Severity::Error,
                dedup_key(AnomalyKind::RunFaulted, &[r.source.as_str(), &r.process]),
                format!("{} failed on {}", r.process, r.source),
                format!("Run {} failed at {}: {error}", r.vendor_key, t.to_rfc3339()),
                r.vendor_key.clone(),
                now,
            );
            f.source = Some(r.source.clone());
            f.process = Some(r.process.clone());
            f.robot = r.robot.clone();
            f.vm = r.vm.clone();
            f
        })
        .collect()
}

/// What a process usually takes: median and median absolute deviation of successful durations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Baseline {
    pub median: f64,
    pub mad: f64,
    pub samples: usize,
}

fn median_of_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The baseline of successful run durations (seconds). Negative and non-finite values are
/// dropped. `None` when fewer than `min_samples` (at least 1) remain: too little history to say
/// what is normal.
pub fn duration_baseline(
    successful_durations_secs: &[f64],
    min_samples: usize,
) -> Option<Baseline> {
    let mut v: Vec<f64> = successful_durations_secs
        .iter()
        .copied()
        .filter(|d| d.is_finite() && *d >= 0.0)
        .collect();
    if v.len() < min_samples.max(1) {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let median = median_of_sorted(&v);
    let mut dev: Vec<f64> = v.iter().map(|d| (d - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    Some(Baseline {
        median,
        mad: median_of_sorted(&dev),
        samples: v.len(),
    })
}

fn human_secs(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match s {
        0..120 => format!("{s} s"),
        120..7200 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// **Stuck run.** For each run that is `Running` or `Stopping` (not `Suspended`: a run waiting
/// for a person is not stuck) with a start time, elapsed = `now − started_at`. The threshold is
/// `max(floor, median + k·MAD)` from `baselines[(source, process)]`; a baseline with fewer than
/// `stuck_min_samples` samples counts as none. Without a baseline only the absolute cap
/// (default 8 h) applies, and with the cap off there is no finding. Fires when elapsed is
/// strictly above the threshold: Warn, Error past `stuck_error_factor` × threshold.
///
/// Dedup `run_stuck:{source}:{run vendor_key}`; occurrence = the run key (a stuck run is one
/// event; it resolves when the run finishes or leaves the input).
pub fn detect_stuck_runs(
    runs: &[Run],
    baselines: &BTreeMap<ProcessKey, Baseline>,
    cfg: &DetectionConfig,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in runs
        .iter()
        .filter(|r| matches!(r.state, RunState::Running | RunState::Stopping))
    {
        let Some(started) = r.started_at else {
            continue;
        };
        let elapsed = (now - started).num_milliseconds() as f64 / 1000.0;
        let baseline = baselines
            .get(&(r.source.clone(), r.process.clone()))
            .filter(|b| b.samples >= cfg.stuck_min_samples);
        let (threshold, why) = match baseline {
            Some(b) => {
                let t = (b.median + cfg.stuck_mad_k * b.mad).max(cfg.stuck_floor_secs as f64);
                let why = format!(
                    "usually {} (median of {} successful runs, MAD {})",
                    human_secs(b.median),
                    b.samples,
                    human_secs(b.mad)
                );
                (t, why)
            }
            None => match cfg.stuck_cap_without_baseline_secs {
                Some(cap) => (
                    cap.max(cfg.stuck_floor_secs) as f64,
                    "no duration history yet, so the absolute cap applies".to_owned(),
                ),
                None => continue,
            },
        };
        if elapsed <= threshold {
            continue;
        }
        let severity = if elapsed > threshold * cfg.stuck_error_factor {
            Severity::Error
        } else {
            Severity::Warn
        };
        let mut f = Finding::new(
            AnomalyKind::RunStuck,
            severity,
            dedup_key(AnomalyKind::RunStuck, &[r.source.as_str(), &r.vendor_key]),
            format!("{} running for {}", r.process, human_secs(elapsed)),
            format!(
                "Run {} started {}, running {} against a limit of {}; {why}",
                r.vendor_key,
                started.to_rfc3339(),
                human_secs(elapsed),
                human_secs(threshold)
            ),
            r.vendor_key.clone(),
            now,
        );
        f.source = Some(r.source.clone());
        f.process = Some(r.process.clone());
        f.robot = r.robot.clone();
        f.vm = r.vm.clone();
        out.push(f);
    }
    out
}

#[cfg(test)]
#[path = "runs_tests.rs"]
mod tests;
