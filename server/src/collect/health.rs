//! A source's collector health, kept by its runner and read by the API, stream and metrics.

use std::collections::VecDeque;
use std::time::Instant;

use chrono::{DateTime, Utc};
use hangar_collectors::ClientStats;
use hangar_model::{SourceHealth, SourceId, Vendor};

/// Mutable health of one source; the runner updates it, readers take a [`SourceHealth`].
pub struct HealthState {
    source: SourceId,
    vendor: Vendor,
    department: String,
    pub paused: bool,
    last_success_at: Option<DateTime<Utc>>,
    last_error_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    pub next_poll_at: Option<DateTime<Utc>>,
    stats: ClientStats,
    /// (when, requests so far): enough samples to count the requests of the last minute.
    samples: VecDeque<(Instant, u64)>,
}

impl HealthState {
    pub fn new(source: SourceId, vendor: Vendor, department: String, paused: bool) -> Self {
        HealthState {
            source,
            vendor,
            department,
            paused,
            last_success_at: None,
            last_error_at: None,
            last_error: None,
            next_poll_at: None,
            stats: ClientStats::default(),
            // A zero at start, so the first minute counts from the first request.
            samples: VecDeque::from([(Instant::now(), 0)]),
        }
    }

    pub fn record_stats(&mut self, stats: ClientStats) {
        let now = Instant::now();
        self.stats = stats;
        self.samples.push_back((now, stats.requests));
        // Keep one sample at least a minute old as the baseline, drop the older ones.
        while self
            .samples
            .get(1)
            .is_some_and(|(t, _)| now.duration_since(*t).as_secs() >= 60)
        {
            self.samples.pop_front();
        }
        let label = self.source.as_str().to_owned();
        metrics::counter!("hangar_collector_requests_total", "source" => label.clone())
            .absolute(stats.requests);
        metrics::counter!("hangar_collector_retries_total", "source" => label.clone())
            .absolute(stats.retries);
        metrics::counter!("hangar_collector_throttled_total", "source" => label)
            .absolute(stats.throttled);
    }

    pub fn success(&mut self, at: DateTime<Utc>) {
        self.last_success_at = Some(at);
        metrics::gauge!("hangar_collector_last_success_timestamp_seconds", "source" => self.source.as_str().to_owned())
            .set(at.timestamp() as f64);
        metrics::counter!("hangar_collector_polls_total", "source" => self.source.as_str().to_owned(), "outcome" => "ok")
            .increment(1);
    }

    /// `message` must already be free of secrets (collector errors are).
    pub fn failure(&mut self, at: DateTime<Utc>, message: String) {
        self.last_error_at = Some(at);
        self.last_error = Some(message);
        metrics::counter!("hangar_collector_polls_total", "source" => self.source.as_str().to_owned(), "outcome" => "error")
            .increment(1);
    }

    pub fn snapshot(&self, now: DateTime<Utc>) -> SourceHealth {
        let requests_last_minute = match (self.samples.front(), self.samples.back()) {
            (Some((_, first)), Some((_, last))) => last - first,
            _ => 0,
        };
        SourceHealth {
            source: self.source.clone(),
            vendor: self.vendor,
            department: self.department.clone(),
            paused: self.paused,
            last_success_at: self.last_success_at,
            last_error_at: self.last_error_at,
            last_error: self.last_error.clone(),
            lag_secs: self
                .last_success_at
                .map(|t| now.signed_duration_since(t).num_seconds().max(0) as u64),
            requests_last_minute,
            requests_total: self.stats.requests,
            retries_total: self.stats.retries,
            throttled_total: self.stats.throttled,
            next_poll_at: self.next_poll_at,
            as_of: now,
        }
    }
}
