//! The anomaly vocabulary: what kinds exist, how bad they are, and the record the wall and the
//! alert pipeline keep for each one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fleet::SourceId;

/// What went wrong. Each kind has its own rule and its own dedup key scheme (see the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AnomalyKind {
    RunFaulted,
    RunStuck,
    ScheduleMissed,
    RobotDisconnected,
    RobotUnresponsive,
    CollectorStale,
    QueueSlaBreached,
    FailureRateSpike,
}

impl AnomalyKind {
    /// Every kind, in declaration order.
    pub const ALL: [AnomalyKind; 8] = [
        AnomalyKind::RunFaulted,
        AnomalyKind::RunStuck,
        AnomalyKind::ScheduleMissed,
        AnomalyKind::RobotDisconnected,
        AnomalyKind::RobotUnresponsive,
        AnomalyKind::CollectorStale,
        AnomalyKind::QueueSlaBreached,
        AnomalyKind::FailureRateSpike,
    ];

    /// The wire name; also the first segment of every dedup key of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::RunFaulted => "run_faulted",
            AnomalyKind::RunStuck => "run_stuck",
            AnomalyKind::ScheduleMissed => "schedule_missed",
            AnomalyKind::RobotDisconnected => "robot_disconnected",
            AnomalyKind::RobotUnresponsive => "robot_unresponsive",
            AnomalyKind::CollectorStale => "collector_stale",
            AnomalyKind::QueueSlaBreached => "queue_sla_breached",
            AnomalyKind::FailureRateSpike => "failure_rate_spike",
        }
    }

    /// The kind named by [`AnomalyKind::as_str`].
    pub fn parse(s: &str) -> Option<AnomalyKind> {
        AnomalyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How bad an anomaly is; ordered, `Info < Warn < Error < Fatal` (UiPath's alert levels
/// without `Success`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Info,
    Warn,
    Error,
    Fatal,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }
}

/// Where an anomaly is in its life. Open and Acknowledged are *active*: they still fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AnomalyState {
    Open,
    Acknowledged,
    Resolved,
}

impl AnomalyState {
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyState::Open => "open",
            AnomalyState::Acknowledged => "acknowledged",
            AnomalyState::Resolved => "resolved",
        }
    }

    /// Still firing: Open or Acknowledged.
    pub fn is_active(self) -> bool {
        !matches!(self, AnomalyState::Resolved)
    }
}

/// Someone said "I have it": the anomaly stays acknowledged until it resolves
/// ("ack until resolved", the Alertmanager request #1860).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acknowledgement {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// One anomaly as stored: a run of one condition under one dedup key, from first seen to resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Anomaly {
    pub id: i64,
    pub kind: AnomalyKind,
    pub severity: Severity,
    pub dedup_key: String,
    pub subject: String,
    pub detail: String,
    pub source: Option<SourceId>,
    pub department: Option<String>,
    pub process: Option<String>,
    pub robot: Option<String>,
    pub vm: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Distinct occurrences seen (see [`Finding::occurrence`]); 1 when opened.
    pub count: u64,
    pub last_occurrence: String,
    pub state: AnomalyState,
    pub ack: Option<Acknowledgement>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who resolved it by hand; `None` on a resolved anomaly means it resolved by itself.
    pub resolved_by: Option<String>,
}

impl Anomaly {
    /// The record a [`crate::anomaly::Change::Open`] creates, once the store gave it an id.
    pub fn from_finding(id: i64, f: &Finding) -> Anomaly {
        Anomaly {
            id,
            kind: f.kind,
            severity: f.severity,
            dedup_key: f.dedup_key.clone(),
            subject: f.subject.clone(),
            detail: f.detail.clone(),
            source: f.source.clone(),
            department: f.department.clone(),
            process: f.process.clone(),
            robot: f.robot.clone(),
            vm: f.vm.clone(),
            first_seen: f.observed_at,
            last_seen: f.observed_at,
            count: 1,
            last_occurrence: f.occurrence.clone(),
            state: AnomalyState::Open,
            ack: None,
            resolved_at: None,
            resolved_by: None,
        }
    }

    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }
}

/// What a rule saw this round. Findings carry no state: [`crate::anomaly::reconcile`] turns
/// them into changes to the stored anomalies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: AnomalyKind,
    pub severity: Severity,
    /// Same key, same anomaly (while it is active). Every key starts with `kind.as_str()`.
    pub dedup_key: String,
    pub subject: String,
    pub detail: String,
    pub source: Option<SourceId>,
    pub department: Option<String>,
    pub process: Option<String>,
    pub robot: Option<String>,
    pub vm: Option<String>,
    /// Identifies the distinct event behind the finding (e.g. the failed run's key). The
    /// anomaly's count grows only when this changes, so re-evaluating the same state does not
    /// inflate it.
    pub occurrence: String,
    pub observed_at: DateTime<Utc>,
}

impl Finding {
    /// A finding with no source, department, process, robot or VM; set those fields after.
    pub fn new(
        kind: AnomalyKind,
        severity: Severity,
        dedup_key: String,
        subject: String,
        detail: String,
        occurrence: String,
        observed_at: DateTime<Utc>,
    ) -> Finding {
        Finding {
            kind,
            severity,
            dedup_key,
            subject,
            detail,
            source: None,
            department: None,
            process: None,
            robot: None,
            vm: None,
            occurrence,
            observed_at,
        }
    }
}

/// Rules only know sources; the server knows which department each source belongs to. Fills
/// `department` where a rule left it empty.
pub fn assign_departments(findings: &mut [Finding], departments: &BTreeMap<SourceId, String>) {
    for f in findings.iter_mut().filter(|f| f.department.is_none()) {
        if let Some(d) = f.source.as_ref().and_then(|s| departments.get(s)) {
            f.department = Some(d.clone());
        }
    }
}

/// `kind:part:part…`, the one shape of every dedup key.
pub(crate) fn dedup_key(kind: AnomalyKind, parts: &[&str]) -> String {
    let mut key = kind.as_str().to_owned();
    for p in parts {
        key.push(':');
        key.push_str(p);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_stable_snake_case_names() {
        for k in AnomalyKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(AnomalyKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AnomalyKind::QueueSlaBreached.as_str(), "queue_sla_breached");
        assert_eq!(AnomalyKind::parse("nope"), None);
    }

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Info < Severity::Warn);
        assert!(Severity::Warn < Severity::Error);
        assert!(Severity::Error < Severity::Fatal);
        assert_eq!(serde_json::to_string(&Severity::Warn).unwrap(), "\"warn\"");
    }

    #[test]
    fn departments_fill_only_blanks() {
        let t = DateTime::<Utc>::UNIX_EPOCH;
        let mk = |src: &str, dept: Option<&str>| {
            let mut f = Finding::new(
                AnomalyKind::RunFaulted,
                Severity::Error,
                "k".into(),
                "s".into(),
                "d".into(),
                "o".into(),
                t,
            );
            f.source = Some(SourceId(src.into()));
            f.department = dept.map(str::to_owned);
            f
        };
        let mut fs = vec![mk("fin", None), mk("fin", Some("own")), mk("hr", None)];
        let map = BTreeMap::from([(SourceId("fin".into()), "finance".to_owned())]);
        assign_departments(&mut fs, &map);
        assert_eq!(fs[0].department.as_deref(), Some("finance"));
        assert_eq!(fs[1].department.as_deref(), Some("own"));
        assert_eq!(fs[2].department, None);
    }
}
