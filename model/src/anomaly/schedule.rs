//! Missed schedules: a trigger should have started a run and nothing started.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::config::DetectionConfig;
use super::cron::{expected_occurrences, parse_quartz, parse_zone};
use super::types::{AnomalyKind, Finding, Severity, dedup_key};
use crate::fleet::{Run, ScheduleInfo};

/// Days on which schedules are not expected to run (holidays, plant shutdowns, weekends).
/// Dates are read in each schedule's own time zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    pub non_working_dates: BTreeSet<NaiveDate>,
    /// Weekdays that are never working days (e.g. `["Sat", "Sun"]`); empty = none.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub weekend_days: Vec<Weekday>,
}

impl Calendar {
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.non_working_dates.contains(&date) && !self.weekend_days.contains(&date.weekday())
    }
}

/// Whether `run` may be the run `schedule` started: same source, and either the vendor says
/// this schedule started it, or the vendor names no schedule and the process is the same.
fn belongs_to(run: &Run, schedule: &ScheduleInfo) -> bool {
    run.source == schedule.source
        && match &run.schedule_key {
            Some(k) => *k == schedule.vendor_key,
            None => run.process == schedule.process,
        }
}

/// **Missed schedule.** For every enabled schedule with a cron, the expected occurrences in
/// `[now − lookback, now − grace)` (an occurrence becomes late once the grace has fully elapsed,
/// like healthchecks.io: exactly at `occurrence + grace` it is still within grace). An occurrence
/// is missed when no run of the schedule was created or started in
/// `[occurrence − early, occurrence + grace]` (created counts: a job queued behind busy robots
/// did fire). Occurrences on non-working days of `calendar`, read in the schedule's zone, are
/// skipped. Disabled schedules never fire. Schedules with an invalid cron or unknown zone are
/// skipped (check them with [`parse_quartz`] and [`super::expected_occurrences`]).
///
/// `runs` must cover the lookback window (any order, any processes).
///
/// Dedup `schedule_missed:{source}:{schedule vendor_key}:{occurrence RFC 3339 UTC}`: each missed
/// occurrence is its own anomaly, and it auto-resolves once it leaves the lookback window.
/// Severity Error.
pub fn detect_missed_schedules(
    schedules: &[ScheduleInfo],
    runs: &[Run],
    calendar: Option<&Calendar>,
    cfg: &DetectionConfig,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let grace = Duration::seconds(cfg.schedule_grace_secs as i64);
    let early = Duration::seconds(cfg.schedule_early_secs as i64);
    let from = now - Duration::seconds(cfg.schedule_lookback_secs as i64);
    // Late means strictly past grace: the last instant checked is one second before now − grace.
    let to = now - grace - Duration::seconds(1);
    let mut out = Vec::new();
    for s in schedules.iter().filter(|s| s.enabled) {
        let Some(expr) = s.cron.as_deref() else {
            continue;
        };
        let (Ok(cron), Ok(tz)) = (parse_quartz(expr), parse_zone(s.time_zone.as_deref())) else {
            continue;
        };
        let mine: Vec<&Run> = runs.iter().filter(|r| belongs_to(r, s)).collect();
        for occ in expected_occurrences(&cron, tz, from, to, cfg.schedule_max_occurrences) {
            let local = occ.with_timezone(&tz);
            if calendar.is_some_and(|c| !c.is_working_day(local.date_naive())) {
                continue;
            }
            let window = (occ - early)..=(occ + grace);
            let ran = mine.iter().any(|r| {
                [r.created_at, r.started_at]
                    .into_iter()
                    .flatten()
                    .any(|t| window.contains(&t))
            });
            if ran {
                continue;
            }
            let occ_text = occ.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let mut f = Finding::new(
                AnomalyKind::ScheduleMissed,
                Severity::Error,
                dedup_key(
                    AnomalyKind::ScheduleMissed,
                    &[s.source.as_str(), &s.vendor_key, &occ_text],
                ),
                format!(
                    "{} did not start at {}",
                    s.process,
                    local.format("%Y-%m-%d %H:%M %Z")
                ),
                format!(
                    "Schedule {:?} ({expr}, {tz}) should have started {} at {} ({occ_text}); no run \
                     started within {} min",
                    s.name,
                    s.process,
                    local.format("%Y-%m-%d %H:%M:%S %Z"),
                    cfg.schedule_grace_secs / 60
                ),
                occ_text.clone(),
                now,
            );
            f.source = Some(s.source.clone());
            f.process = Some(s.process.clone());
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
