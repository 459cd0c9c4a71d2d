//! Every threshold the rules use, with its default and the reason for it.

use serde::{Deserialize, Serialize};

/// Thresholds for the detection rules. Missing fields take their defaults when deserialized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetectionConfig {
    /// Stuck run: threshold = median + k·MAD of the process's successful durations.
    /// Default **3**: MAD is used raw (no 1.4826 scaling), so 3·MAD ≈ 2σ on normal data; run
    /// durations are right-skewed, and the floor below keeps short processes quiet.
    pub stuck_mad_k: f64,
    /// Stuck run: successful runs needed before a baseline exists. Default **10**: a median and
    /// MAD of fewer runs swing too much to alert on. With fewer, only the absolute cap applies.
    pub stuck_min_samples: usize,
    /// Stuck run: never flag a run younger than this. Default **600 s (10 min)**: a 30-second
    /// process taking 3 minutes is not worth waking anyone.
    pub stuck_floor_secs: u64,
    /// Stuck run: flag any run older than this when the process has no baseline yet.
    /// Default **8 h** (a working day): generous on purpose, since nothing is known about the
    /// process. `None` turns it off.
    pub stuck_cap_without_baseline_secs: Option<u64>,
    /// Stuck run: Warn becomes Error past this multiple of the threshold. Default **2**.
    pub stuck_error_factor: f64,
    /// Missed schedule: how late a run may start before the occurrence counts as missed.
    /// Default **600 s (10 min)**: robots are often busy when a trigger fires and UiPath queues the
    /// job; Sentry's 1-minute margin is reported as too noisy for hundreds of jobs.
    pub schedule_grace_secs: u64,
    /// Missed schedule: how far back occurrences are checked. Default **24 h**: a missed daily
    /// run stays visible for a day, and the history the server must pass in stays small.
    pub schedule_lookback_secs: u64,
    /// Missed schedule: a run may start this much before the occurrence and still count (clock
    /// skew between vendor and Hangar). Default **60 s**.
    pub schedule_early_secs: u64,
    /// Missed schedule: most occurrences checked per schedule per round. Default **1440** (one a
    /// minute for 24 h); a schedule firing every second is not a missed-run candidate.
    pub schedule_max_occurrences: usize,
    /// Robot: no heartbeat for longer than this means unresponsive. Default **120 s**: UiPath's
    /// own rule (30 s heartbeat, 4 missed).
    pub robot_unresponsive_after_secs: u64,
    /// Collector: stale (Error) after this many poll intervals without a successful poll.
    /// Default **3**: one slow or failed poll is retried and normal; three in a row is not.
    pub collector_stale_intervals: u32,
    /// Collector: Fatal after this many intervals. Default **10**: the wall has been showing
    /// old data for a long time.
    pub collector_fatal_intervals: u32,
    /// Failure-rate spike: failures today needed before it can fire. Default **3**: one or two
    /// failures are the faulted-run rule's business.
    pub failure_min_failures: u64,
    /// Failure-rate spike: runs on previous days needed for a baseline. Default **20**: a rate
    /// from fewer runs is too rough to compare against.
    pub failure_min_baseline_runs: u64,
    /// Failure-rate spike: today's rate must exceed this multiple of the baseline rate.
    /// Default **2**.
    pub failure_rate_factor: f64,
    /// Failure-rate spike: …and the baseline plus this many standard errors
    /// (`p + z·sqrt(p(1−p)/n)`, n = today's runs). Default **3**.
    pub failure_rate_z: f64,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        DetectionConfig {
            stuck_mad_k: 3.0,
            stuck_min_samples: 10,
            stuck_floor_secs: 600,
            stuck_cap_without_baseline_secs: Some(8 * 3600),
            stuck_error_factor: 2.0,
            schedule_grace_secs: 600,
            schedule_lookback_secs: 24 * 3600,
            schedule_early_secs: 60,
            schedule_max_occurrences: 1440,
            robot_unresponsive_after_secs: 120,
            collector_stale_intervals: 3,
            collector_fatal_intervals: 10,
            failure_min_failures: 3,
            failure_min_baseline_runs: 20,
            failure_rate_factor: 2.0,
            failure_rate_z: 3.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_config_takes_defaults() {
        let c: DetectionConfig = serde_json::from_str(r#"{"schedule_grace_secs": 60}"#).unwrap();
        assert_eq!(c.schedule_grace_secs, 60);
        assert_eq!(c.stuck_min_samples, 10);
        assert_eq!(c.robot_unresponsive_after_secs, 120);
    }
}
