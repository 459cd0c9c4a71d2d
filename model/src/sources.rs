//! Collector sources as the API and the wall see them, and the rule that merges what several
//! channels (polling, webhooks) say about one run.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fleet::{RunState, SourceId, Vendor};

/// How a source's collector is doing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceHealth {
    pub source: SourceId,
    pub vendor: Vendor,
    pub department: String,
    pub paused: bool,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The last error, as the operator should read it (never contains a secret).
    pub last_error: Option<String>,
    /// Seconds since the last successful poll, as of `as_of`.
    pub lag_secs: Option<u64>,
    /// Requests to the vendor in the last minute.
    pub requests_last_minute: u64,
    /// Total requests, retries and throttled answers since start.
    pub requests_total: u64,
    pub retries_total: u64,
    pub throttled_total: u64,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub as_of: DateTime<Utc>,
}

impl SourceHealth {
    /// Collecting as it should: polled successfully since the last error, and recently.
    /// Paused sources are neither healthy nor failing; callers show them as paused.
    pub fn is_healthy(&self, stale_after_secs: u64) -> bool {
        let recovered = match (self.last_success_at, self.last_error_at) {
            (Some(ok), Some(err)) => ok >= err,
            (Some(_), None) => true,
            (None, _) => false,
        };
        recovered && self.lag_secs.is_some_and(|lag| lag <= stale_after_secs)
    }
}

/// A configured source, without its secrets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceView {
    pub id: SourceId,
    pub vendor: Vendor,
    pub department: String,
    pub base_url: String,
    /// `uipath_cloud`, `uipath_on_prem`, `aa_api_key` or `aa_password`.
    pub auth_kind: String,
    /// Points at one of Hangar's own simulators (the demo).
    pub simulated: bool,
    pub paused: bool,
    pub poll_interval_secs: u64,
    pub requests_per_minute: u32,
    pub webhook_signed: bool,
    pub health: Option<SourceHealth>,
}

/// Whether an incoming report of a run should replace the stored one.
///
/// Polling and webhooks race: a page fetched before a job faulted can arrive after the
/// `job.faulted` webhook. A finished run never goes back to unfinished, and an older report
/// never replaces a newer one.
pub fn should_replace_run(
    stored: (RunState, Option<DateTime<Utc>>),
    incoming: (RunState, Option<DateTime<Utc>>),
) -> bool {
    let (stored_state, stored_at) = stored;
    let (incoming_state, incoming_at) = incoming;
    if stored_state.is_terminal() && !incoming_state.is_terminal() {
        return false;
    }
    match (stored_at, incoming_at) {
        (Some(s), Some(i)) => i >= s,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, s).unwrap())
    }

    fn health(
        ok: Option<DateTime<Utc>>,
        err: Option<DateTime<Utc>>,
        lag: Option<u64>,
    ) -> SourceHealth {
        SourceHealth {
            source: SourceId("fin".to_owned()),
            vendor: Vendor::Uipath,
            department: "finance".to_owned(),
            paused: false,
            last_success_at: ok,
            last_error_at: err,
            last_error: err.map(|_| "HTTP 503".to_owned()),
            lag_secs: lag,
            requests_last_minute: 0,
            requests_total: 0,
            retries_total: 0,
            throttled_total: 0,
            next_poll_at: None,
            as_of: Utc.with_ymd_and_hms(2026, 11, 21, 3, 1, 0).unwrap(),
        }
    }

    #[test]
    fn healthy_means_recent_success_after_any_error() {
        assert!(health(t(5), None, Some(10)).is_healthy(60));
        assert!(health(t(5), t(4), Some(10)).is_healthy(60), "recovered");
        assert!(!health(t(4), t(5), Some(10)).is_healthy(60), "failing now");
        assert!(!health(t(5), None, Some(61)).is_healthy(60), "stale");
        assert!(!health(None, None, None).is_healthy(60), "never polled");
    }

    #[test]
    fn newer_reports_win() {
        use RunState::*;
        assert!(should_replace_run((Running, t(1)), (Running, t(2))));
        assert!(should_replace_run((Running, t(1)), (Failed, t(2))));
        assert!(!should_replace_run((Running, t(2)), (Succeeded, t(1))));
        assert!(
            should_replace_run((Running, t(2)), (Running, t(2))),
            "same time: idempotent"
        );
    }

    #[test]
    fn finished_runs_never_reopen() {
        use RunState::*;
        assert!(!should_replace_run((Failed, t(1)), (Running, t(5))));
        assert!(!should_replace_run((Succeeded, None), (Queued, None)));
        assert!(
            should_replace_run((Failed, t(1)), (Failed, t(2))),
            "a terminal update may refine"
        );
    }

    #[test]
    fn missing_times_let_the_report_through() {
        use RunState::*;
        assert!(should_replace_run((Queued, None), (Running, t(1))));
        assert!(should_replace_run((Running, t(1)), (Failed, None)));
    }
}
