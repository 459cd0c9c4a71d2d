//! The wall's headline numbers, and the saturation math behind robot utilization.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fleet::{SourceId, Vendor};

/// Counts for one department and product (vendor).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub department: String,
    pub vendor: Option<Vendor>,
    pub running: u64,
    pub runs_today: u64,
    pub failures_today: u64,
    pub open_anomalies: u64,
}

/// What the wall's KPI strip shows, read from rollups.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WallSummary {
    pub as_of: DateTime<Utc>,
    pub running: u64,
    pub queued: u64,
    pub suspended: u64,
    /// Finished today (UTC day): all, succeeded, failed (stopped by hand is neither).
    pub finished_today: u64,
    pub succeeded_today: u64,
    pub failures_today: u64,
    /// succeeded / (succeeded + failed) today; `None` before any finished today.
    pub success_rate_today: Option<f64>,
    pub robots_busy: u64,
    pub robots_idle: u64,
    pub robots_disconnected: u64,
    pub robots_unknown: u64,
    pub anomalies_open: u64,
    pub anomalies_acknowledged: u64,
    /// Active (open or acknowledged) by severity: info, warn, error, fatal.
    pub anomalies_by_severity: [u64; 4],
    pub by_department: Vec<Breakdown>,
}

/// The share of an hour a robot was busy, 0–1, from busy seconds (clamped: overlapping runs
/// reported by a vendor must not make a robot more than fully busy).
pub fn saturation(busy_secs: f64, window_secs: f64) -> f64 {
    if window_secs <= 0.0 {
        return 0.0;
    }
    (busy_secs / window_secs).clamp(0.0, 1.0)
}

/// Splits a run's busy time across the UTC hours it touched: `(hour start, seconds)`.
pub fn busy_by_hour(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, f64)> {
    use chrono::{DurationRound, TimeDelta};
    let mut out = Vec::new();
    if end <= start {
        return out;
    }
    let hour = TimeDelta::hours(1);
    let mut cursor = start;
    while cursor < end {
        let Ok(bucket) = cursor.duration_trunc(hour) else {
            break;
        };
        let next = bucket + hour;
        let until = next.min(end);
        out.push((bucket, (until - cursor).num_milliseconds() as f64 / 1_000.0));
        cursor = until;
    }
    out
}

/// Robot × hour busy share for the saturation heatmap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaturationCell {
    pub source: SourceId,
    pub robot: String,
    pub hour: DateTime<Utc>,
    pub busy_share: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn busy_time_is_split_across_hours() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 11, 21, h, m, s).unwrap();
        let parts = busy_by_hour(at(9, 30, 0), at(11, 15, 0));
        assert_eq!(
            parts,
            vec![
                (at(9, 0, 0), 1_800.0),
                (at(10, 0, 0), 3_600.0),
                (at(11, 0, 0), 900.0)
            ]
        );
        assert_eq!(busy_by_hour(at(9, 0, 0), at(9, 0, 0)), vec![]);
        assert_eq!(
            busy_by_hour(at(9, 10, 0), at(9, 20, 0)),
            vec![(at(9, 0, 0), 600.0)]
        );
    }

    #[test]
    fn saturation_is_a_clamped_share() {
        assert_eq!(saturation(1_800.0, 3_600.0), 0.5);
        assert_eq!(saturation(5_000.0, 3_600.0), 1.0);
        assert_eq!(saturation(10.0, 0.0), 0.0);
    }
}
