//! Rules over live state: robots that lost contact, and collectors that stopped collecting.

use chrono::{DateTime, Utc};

use super::config::DetectionConfig;
use super::types::{AnomalyKind, Finding, Severity, dedup_key};
use crate::fleet::{RobotState, RobotStatus, SourceId};
use crate::sources::SourceHealth;

/// **Robots.** `Disconnected` → RobotDisconnected (Error). Otherwise the vendor's `unresponsive`
/// flag, or a `reported_at` heartbeat older than `robot_unresponsive_after_secs` (strictly),
/// → RobotUnresponsive (Warn). A robot that never reported and is not flagged says nothing.
///
/// Dedup `robot_disconnected:{source}:{robot vendor_key}` and
/// `robot_unresponsive:{source}:{robot vendor_key}`; occurrence is the constant condition
/// (`disconnected` / `unresponsive`), so an ongoing outage counts once.
pub fn detect_robot_problems(
    robots: &[RobotStatus],
    cfg: &DetectionConfig,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let limit = cfg.robot_unresponsive_after_secs as i64;
    robots
        .iter()
        .filter_map(|r| {
            let silent = r.reported_at.map(|t| (now - t).num_seconds());
            let last = match (r.reported_at, silent) {
                (Some(t), Some(s)) => format!("last heartbeat {} ({s} s ago)", t.to_rfc3339()),
                _ => "no heartbeat on record".to_owned(),
            };
            let (kind, severity, occurrence, what) = if r.state == RobotState::Disconnected {
                (
                    AnomalyKind::RobotDisconnected,
                    Severity::Error,
                    "disconnected",
                    "is disconnected",
                )
            } else if r.unresponsive || silent.is_some_and(|s| s > limit) {
                (
                    AnomalyKind::RobotUnresponsive,
                    Severity::Warn,
                    "unresponsive",
                    "is not responding",
                )
            } else {
                return None;
            };
            let mut f = Finding::new(
                kind,
                severity,
                dedup_key(kind, &[r.source.as_str(), &r.vendor_key]),
                format!("Robot {} {what}", r.name),
                format!(
                    "Robot {} on {} {what} (vendor state {:?}); {last}",
                    r.name, r.source, r.raw_state
                ),
                occurrence.to_owned(),
                now,
            );
            f.source = Some(r.source.clone());
            f.robot = Some(r.name.clone());
            f.vm = r.vm.clone();
            Some(f)
        })
        .collect()
}

/// **Collector stale.** For each `(health, poll_interval_secs)`: no successful poll for more than
/// `collector_stale_intervals` × interval (strictly) → Error; more than
/// `collector_fatal_intervals` × interval → Fatal. Paused sources never fire. A source that
/// has never polled successfully fires (Error) once it has recorded an error, and says nothing
/// before its first attempt. An interval of 0 counts as 1 s.
///
/// Dedup `collector_stale:{source}`; occurrence is the constant `stale`, so the anomaly counts
/// once while the outage lasts and its severity rises to Fatal by refiring.
pub fn detect_stale_collectors(
    sources: &[(SourceHealth, u64)],
    cfg: &DetectionConfig,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, interval) in sources.iter().filter(|(h, _)| !h.paused) {
        let interval = (*interval).max(1) as i64;
        let last_error = h
            .last_error
            .as_deref()
            .map(|e| format!("; last error: {e}"))
            .unwrap_or_default();
        let (severity, detail) = match h.last_success_at {
            Some(ok) => {
                let silent = (now - ok).num_seconds();
                let severity = if silent > interval * i64::from(cfg.collector_fatal_intervals) {
                    Severity::Fatal
                } else if silent > interval * i64::from(cfg.collector_stale_intervals) {
                    Severity::Error
                } else {
                    continue;
                };
                let detail = format!(
                    "No successful poll of {} for {} min (since {}, poll interval {interval} s){last_error}",
                    h.source,
                    silent / 60,
                    ok.to_rfc3339()
                );
                (severity, detail)
            }
            None if h.last_error_at.is_some() => (
                Severity::Error,
                format!(
                    "{} has never been polled successfully{last_error}",
                    h.source
                ),
            ),
            None => continue,
        };
        out.push(stale_finding(
            &h.source,
            &h.department,
            severity,
            detail,
            now,
        ));
    }
    out
}

fn stale_finding(
    source: &SourceId,
    department: &str,
    severity: Severity,
    detail: String,
    now: DateTime<Utc>,
) -> Finding {
    let kind = AnomalyKind::CollectorStale;
    let mut f = Finding::new(
        kind,
        severity,
        dedup_key(kind, &[source.as_str()]),
        format!("Collector {source} is not collecting"),
        detail,
        "stale".to_owned(),
        now,
    );
    f.source = Some(source.clone());
    f.department = Some(department.to_owned()).filter(|d| !d.is_empty());
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anomaly::testutil::{at, src};
    use crate::fleet::Vendor;
    use chrono::Duration;

    fn robot(
        state: RobotState,
        unresponsive: bool,
        reported: Option<DateTime<Utc>>,
    ) -> RobotStatus {
        RobotStatus {
            source: src("fin"),
            vendor: Vendor::Uipath,
            vendor_key: "42".into(),
            name: "bot-1".into(),
            vm: Some("vm-rpa-01".into()),
            folder: None,
            state,
            raw_state: "Available".into(),
            unresponsive,
            reported_at: reported,
        }
    }

    fn one(r: RobotStatus, now: DateTime<Utc>) -> Option<Finding> {
        let mut fs = detect_robot_problems(&[r], &DetectionConfig::default(), now);
        assert!(fs.len() <= 1);
        fs.pop()
    }

    #[test]
    fn disconnected_is_an_error() {
        let f = one(
            robot(RobotState::Disconnected, true, Some(at(8, 0, 0))),
            at(9, 0, 0),
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (AnomalyKind::RobotDisconnected, Severity::Error)
        );
        assert_eq!(f.dedup_key, "robot_disconnected:fin:42");
        assert_eq!(f.occurrence, "disconnected");
        assert_eq!(f.robot.as_deref(), Some("bot-1"));
        assert_eq!(f.vm.as_deref(), Some("vm-rpa-01"));
    }

    #[test]
    fn unresponsive_by_flag_or_by_silence() {
        let now = at(9, 0, 0);
        let f = one(robot(RobotState::Busy, true, Some(now)), now).unwrap();
        assert_eq!(
            (f.kind, f.severity),
            (AnomalyKind::RobotUnresponsive, Severity::Warn)
        );
        assert_eq!(f.dedup_key, "robot_unresponsive:fin:42");
        let at_limit = now - Duration::seconds(120);
        assert!(
            one(robot(RobotState::Available, false, Some(at_limit)), now).is_none(),
            "120 s is fine"
        );
        let past = now - Duration::seconds(121);
        let f = one(robot(RobotState::Available, false, Some(past)), now).unwrap();
        assert_eq!(f.kind, AnomalyKind::RobotUnresponsive);
        assert!(f.detail.contains("121 s ago"), "{}", f.detail);
    }

    #[test]
    fn healthy_or_unknown_robots_say_nothing() {
        let now = at(9, 0, 0);
        assert!(one(robot(RobotState::Available, false, Some(now)), now).is_none());
        assert!(one(robot(RobotState::Unknown, false, None), now).is_none());
        let cfg = DetectionConfig {
            robot_unresponsive_after_secs: 600,
            ..DetectionConfig::default()
        };
        let r = robot(RobotState::Busy, false, Some(now - Duration::seconds(300)));
        assert!(
            detect_robot_problems(&[r], &cfg, now).is_empty(),
            "configurable"
        );
    }

    fn health(paused: bool, ok: Option<DateTime<Utc>>, err: Option<DateTime<Utc>>) -> SourceHealth {
        SourceHealth {
            source: src("fin"),
            vendor: Vendor::Uipath,
            department: "finance".into(),
            paused,
            last_success_at: ok,
            last_error_at: err,
            last_error: err.map(|_| "HTTP 503".into()),
            lag_secs: None,
            requests_last_minute: 0,
            requests_total: 0,
            retries_total: 0,
            throttled_total: 0,
            next_poll_at: None,
            as_of: at(9, 0, 0),
        }
    }

    fn stale(h: SourceHealth, interval: u64, now: DateTime<Utc>) -> Vec<Finding> {
        detect_stale_collectors(&[(h, interval)], &DetectionConfig::default(), now)
    }

    #[test]
    fn stale_after_three_intervals_fatal_after_ten() {
        let ok = at(9, 0, 0);
        let h = || health(false, Some(ok), Some(at(9, 1, 0)));
        assert!(
            stale(h(), 60, ok + Duration::seconds(180)).is_empty(),
            "exactly 3 intervals"
        );
        let fs = stale(h(), 60, ok + Duration::seconds(181));
        assert_eq!(fs.len(), 1);
        assert_eq!(
            (fs[0].kind, fs[0].severity),
            (AnomalyKind::CollectorStale, Severity::Error)
        );
        assert_eq!(fs[0].dedup_key, "collector_stale:fin");
        assert_eq!(fs[0].department.as_deref(), Some("finance"));
        assert!(fs[0].detail.contains("HTTP 503"), "{}", fs[0].detail);
        assert_eq!(
            stale(h(), 60, ok + Duration::seconds(600))[0].severity,
            Severity::Error
        );
        assert_eq!(
            stale(h(), 60, ok + Duration::seconds(601))[0].severity,
            Severity::Fatal
        );
    }

    #[test]
    fn paused_sources_never_fire() {
        let h = health(true, Some(at(0, 0, 0)), Some(at(0, 1, 0)));
        assert!(stale(h, 60, at(12, 0, 0)).is_empty());
        assert!(stale(health(true, None, Some(at(0, 1, 0))), 60, at(12, 0, 0)).is_empty());
    }

    #[test]
    fn never_polled_sources() {
        assert!(
            stale(health(false, None, None), 60, at(12, 0, 0)).is_empty(),
            "not tried yet"
        );
        let fs = stale(health(false, None, Some(at(11, 0, 0))), 60, at(12, 0, 0));
        assert_eq!(fs[0].severity, Severity::Error);
        assert!(fs[0].detail.contains("never been polled"));
    }

    #[test]
    fn zero_interval_counts_as_one_second() {
        let ok = at(9, 0, 0);
        assert_eq!(
            stale(health(false, Some(ok), None), 0, ok + Duration::seconds(4)).len(),
            1
        );
    }
}
