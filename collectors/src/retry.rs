//! When and how long to wait before asking a vendor API again.
//!
//! Vendors publish rate limits (UiPath: 100 requests/min for Jobs and QueueItems) and answer
//! 429 with `Retry-After`. A client that retries at once makes the throttling worse, so every
//! client waits as this policy says: the vendor's own `Retry-After` when given (capped, so a
//! hostile or broken header cannot park a collector for a day), otherwise exponential backoff
//! with full jitter so that many collectors do not retry in lockstep.

use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First backoff step.
    pub base: Duration,
    /// Largest backoff step, before jitter.
    pub max_backoff: Duration,
    /// Largest wait a `Retry-After` header may impose.
    pub max_retry_after: Duration,
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_attempts: 6,
        }
    }
}

/// Statuses that say "try again later" rather than "you are wrong".
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// Reads `Retry-After` as delta-seconds or as an HTTP-date (RFC 9110 §10.2.3).
/// A date in the past means "now"; anything unreadable is ignored.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some(
        at.signed_duration_since(now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

impl RetryPolicy {
    /// How long to wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed,
    /// or `None` when the attempts are spent. `jitter` is a uniform sample from [0, 1): the
    /// caller supplies it so the policy stays a pure function.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        if let Some(wait) = retry_after {
            return Some(wait.min(self.max_retry_after));
        }
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
        let step = self.base.saturating_mul(exp).min(self.max_backoff);
        Some(step.mul_f64(jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retryable_statuses_are_the_transient_ones() {
        for s in [408, 429, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 409, 500, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sat, 21 Nov 2026 08:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sat, 21 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn retry_after_is_honoured_but_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(9)), 0.5),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(86_400)), 0.5),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, None, 1.0), Some(Duration::from_millis(500)));
        assert_eq!(p.delay(2, None, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(p.delay(3, None, 1.0), Some(Duration::from_secs(2)));
        assert_eq!(p.delay(3, None, 0.5), Some(Duration::from_secs(1)));
        let long = RetryPolicy {
            max_attempts: 100,
            ..p
        };
        assert_eq!(long.delay(40, None, 1.0), Some(Duration::from_secs(30)));
    }

    #[test]
    fn attempts_run_out() {
        let p = RetryPolicy::default();
        assert!(p.delay(5, None, 0.3).is_some());
        assert_eq!(p.delay(6, None, 0.3), None);
        assert_eq!(p.delay(6, Some(Duration::from_secs(1)), 0.3), None);
    }
}
