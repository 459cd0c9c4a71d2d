//! Anomaly detection as pure functions: rules turn fleet state into [`Finding`]s, and
//! [`reconcile`] turns findings into changes to the stored [`Anomaly`] records.
//!
//! The server runs each round as: gather inputs → call the rules it has fresh data for →
//! `reconcile(active, findings, kinds_it_evaluated, now)` → apply the [`Change`]s. Nothing here
//! reads a clock: `now` is always a parameter.
//!
//! Dedup key schemes (`kind:…`, see each rule):
//! * `run_faulted:{source}:{process}`
//! * `run_stuck:{source}:{run vendor_key}`
//! * `schedule_missed:{source}:{schedule vendor_key}:{occurrence, RFC 3339 UTC}`
//! * `robot_disconnected:{source}:{robot vendor_key}`, `robot_unresponsive:{source}:{robot vendor_key}`
//! * `collector_stale:{source}`
//! * `queue_sla_breached:{source}:{queue}`
//! * `failure_rate_spike:{source}:{process}`

mod config;
mod cron;
mod health;
mod lifecycle;
mod runs;
mod schedule;
mod types;
mod workload;

#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod testutil;

pub use config::DetectionConfig;
pub use cron::{ScheduleError, expected_occurrences, next_occurrence, parse_quartz};
pub use health::{detect_robot_problems, detect_stale_collectors};
pub use lifecycle::{
    Change, LifecycleError, acknowledge, reconcile, resolve_by_hand, unacknowledge,
};
pub use runs::{Baseline, ProcessKey, detect_faulted_runs, detect_stuck_runs, duration_baseline};
pub use schedule::{Calendar, detect_missed_schedules};
pub use types::{
    Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Finding, Severity, assign_departments,
};
pub use workload::{
    FailureStats, detect_failure_rate_spikes, detect_queue_sla, failure_rate_threshold,
};
