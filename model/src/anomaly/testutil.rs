//! Builders shared by the anomaly tests.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::AnomalyKind;
use super::types::{Finding, Severity};
use crate::fleet::{Run, RunState, SourceId, Vendor};

/// 2026-11-20 (a Friday) at the given UTC time.
pub fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s).unwrap()
}

pub fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

pub fn src(s: &str) -> SourceId {
    SourceId(s.to_owned())
}

pub fn finding(kind: AnomalyKind, key: &str, occurrence: &str, t: DateTime<Utc>) -> Finding {
    let mut f = Finding::new(
        kind,
        Severity::Warn,
        key.to_owned(),
        format!("subject {key}"),
        format!("detail {occurrence}"),
        occurrence.to_owned(),
        t,
    );
    f.source = Some(src("fin"));
    f
}

pub fn run(key: &str, process: &str, state: RunState) -> Run {
    Run {
        source: src("fin"),
        vendor: Vendor::Uipath,
        vendor_key: key.to_owned(),
        process: process.to_owned(),
        robot: Some("bot-1".to_owned()),
        vm: Some("vm-rpa-01".to_owned()),
        folder: None,
        state,
        raw_state: state.as_str().to_owned(),
        created_at: None,
        started_at: None,
        ended_at: None,
        updated_at: None,
        error: None,
        trigger: None,
        schedule_key: None,
    }
}
