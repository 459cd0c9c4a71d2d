//! Quartz cron expressions in IANA time zones, on top of `croner` and `chrono-tz`.
//!
//! Quartz: `sec min hour dom month dow [year]`, weekdays `1`–`7` = `SUN`–`SAT`, names
//! (`MON`, `JAN`), `?`, `L` (last day of month), `nL` (last weekday n of the month), `n#k`
//! (k-th weekday n), `W`, lists, ranges and steps (including Quartz's `0/15`). The year field is
//! optional and handled by croner.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use serde::{Deserialize, Serialize};

/// Why a schedule cannot be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "message", rename_all = "snake_case")]
pub enum ScheduleError {
    #[error("invalid Quartz cron expression: {0}")]
    InvalidCron(String),
    #[error("unknown IANA time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("the schedule has no cron expression")]
    NoCron,
}

/// Parses a Quartz cron expression (6 or 7 fields, seconds first).
pub fn parse_quartz(expr: &str) -> Result<Cron, ScheduleError> {
    CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Optional)
        .alternative_weekdays(true)
        .sloppy_ranges(true)
        .build()
        .parse(expr.trim())
        .map_err(|e| ScheduleError::InvalidCron(e.to_string()))
}

/// An IANA zone; `None` or blank means UTC.
pub(crate) fn parse_zone(zone: Option<&str>) -> Result<Tz, ScheduleError> {
    match zone.map(str::trim).filter(|z| !z.is_empty()) {
        None => Ok(Tz::UTC),
        Some(z) => z
            .parse::<Tz>()
            .map_err(|_| ScheduleError::UnknownTimeZone(z.to_owned())),
    }
}

/// The first occurrence of a Quartz cron, read in an IANA zone (UTC when `None`), strictly
/// after `after`; `None` when there is none within a year.
pub fn next_occurrence(
    expr: &str,
    zone: Option<&str>,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ScheduleError> {
    let cron = parse_quartz(expr)?;
    let tz = parse_zone(zone)?;
    let from = after + chrono::Duration::seconds(1);
    Ok(
        expected_occurrences(&cron, tz, from, from + chrono::Duration::days(366), 1)
            .into_iter()
            .next(),
    )
}

/// The occurrences of `cron` read in zone `tz` within `[from, to]` (both inclusive), oldest
/// first, at most `limit` of them (the oldest ones).
pub fn expected_occurrences(
    cron: &Cron,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    let mut cursor = from.with_timezone(&tz);
    let mut inclusive = true;
    while out.len() < limit {
        let Ok(next) = cron.find_next_occurrence(&cursor, inclusive) else {
            break;
        };
        let utc = next.with_timezone(&Utc);
        if utc > to {
            break;
        }
        out.push(utc);
        cursor = next;
        inclusive = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn occ(expr: &str, zone: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let cron = parse_quartz(expr).unwrap();
        expected_occurrences(&cron, parse_zone(Some(zone)).unwrap(), from, to, 100)
    }

    #[test]
    fn nine_am_shanghai_is_one_am_utc() {
        let got = occ(
            "0 0 9 * * ?",
            "Asia/Shanghai",
            utc(2026, 11, 19, 0, 0),
            utc(2026, 11, 21, 0, 0),
        );
        assert_eq!(got, [utc(2026, 11, 19, 1, 0), utc(2026, 11, 20, 1, 0)]);
    }

    #[test]
    fn bounds_are_inclusive() {
        let t = utc(2026, 11, 20, 1, 0);
        assert_eq!(occ("0 0 9 * * ?", "Asia/Shanghai", t, t), [t]);
    }

    #[test]
    fn quartz_weekdays_question_mark_and_names() {
        // 2026-11: the 2nd is a Monday. Quartz 2 = MON, 6 = FRI.
        let nov = (utc(2026, 11, 1, 0, 0), utc(2026, 11, 8, 0, 0));
        let mon_fri = occ("0 30 7 ? * 2,6", "UTC", nov.0, nov.1);
        assert_eq!(mon_fri, [utc(2026, 11, 2, 7, 30), utc(2026, 11, 6, 7, 30)]);
        assert_eq!(occ("0 30 7 ? NOV MON,FRI", "UTC", nov.0, nov.1), mon_fri);
        let weekdays = occ("0 0 12 ? * MON-FRI", "UTC", nov.0, nov.1);
        assert_eq!(weekdays.len(), 5);
        assert_eq!(
            occ("0 0 12 5 * ?", "UTC", nov.0, nov.1),
            [utc(2026, 11, 5, 12, 0)]
        );
    }

    #[test]
    fn quartz_last_and_nth() {
        let year = (utc(2026, 1, 1, 0, 0), utc(2026, 12, 31, 23, 59));
        let last_day = occ("0 0 18 L * ?", "UTC", year.0, utc(2026, 3, 1, 0, 0));
        assert_eq!(last_day, [utc(2026, 1, 31, 18, 0), utc(2026, 2, 28, 18, 0)]);
        // Third Friday (Quartz 6#3) of November 2026 is the 20th.
        let third_fri = occ(
            "0 0 8 ? * 6#3",
            "UTC",
            utc(2026, 11, 1, 0, 0),
            utc(2026, 11, 30, 0, 0),
        );
        assert_eq!(third_fri, [utc(2026, 11, 20, 8, 0)]);
        // Last Friday (Quartz 6L) of November 2026 is the 27th.
        let last_fri = occ(
            "0 0 8 ? * 6L",
            "UTC",
            utc(2026, 11, 1, 0, 0),
            utc(2026, 11, 30, 0, 0),
        );
        assert_eq!(last_fri, [utc(2026, 11, 27, 8, 0)]);
        assert_eq!(occ("0 0 8 ? * 6L", "UTC", year.0, year.1).len(), 12);
    }

    #[test]
    fn year_field_limits_occurrences() {
        let span = (utc(2026, 12, 30, 0, 0), utc(2027, 1, 3, 0, 0));
        assert_eq!(occ("0 0 9 * * ? 2026", "UTC", span.0, span.1).len(), 2);
        assert_eq!(occ("0 0 9 * * ? 2027-2028", "UTC", span.0, span.1).len(), 2);
        assert_eq!(occ("0 0 9 * * ? *", "UTC", span.0, span.1).len(), 4);
        assert!(
            occ("0 0 9 * * ? 2020", "UTC", span.0, span.1).is_empty(),
            "past year"
        );
    }

    #[test]
    fn steps_in_quartz_form() {
        let got = occ(
            "0 0/15 9 * * ?",
            "UTC",
            utc(2026, 11, 20, 9, 0),
            utc(2026, 11, 20, 10, 0),
        );
        assert_eq!(got.len(), 4);
        let sec = occ(
            "30 0 9 * * ?",
            "UTC",
            utc(2026, 11, 20, 0, 0),
            utc(2026, 11, 21, 0, 0),
        );
        assert_eq!(
            sec,
            [utc(2026, 11, 20, 9, 0) + chrono::Duration::seconds(30)]
        );
    }

    #[test]
    fn limit_keeps_the_oldest() {
        let cron = parse_quartz("0 * * * * ?").unwrap();
        let got = expected_occurrences(
            &cron,
            Tz::UTC,
            utc(2026, 1, 1, 0, 0),
            utc(2026, 1, 2, 0, 0),
            3,
        );
        assert_eq!(
            got,
            [
                utc(2026, 1, 1, 0, 0),
                utc(2026, 1, 1, 0, 1),
                utc(2026, 1, 1, 0, 2)
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            parse_quartz("not a cron"),
            Err(ScheduleError::InvalidCron(_))
        ));
        assert!(
            matches!(
                parse_quartz("0 9 * * *"),
                Err(ScheduleError::InvalidCron(_))
            ),
            "5 fields"
        );
        assert_eq!(
            parse_zone(Some("Mars/Olympus")),
            Err(ScheduleError::UnknownTimeZone("Mars/Olympus".into()))
        );
        assert_eq!(parse_zone(None), Ok(Tz::UTC));
        assert_eq!(parse_zone(Some(" ")), Ok(Tz::UTC));
    }

    #[test]
    fn dst_changes_keep_local_wall_time() {
        // Europe/Berlin leaves summer time on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 after.
        let got = occ(
            "0 0 9 * * ?",
            "Europe/Berlin",
            utc(2026, 10, 24, 0, 0),
            utc(2026, 10, 26, 0, 0),
        );
        assert_eq!(got, [utc(2026, 10, 24, 7, 0), utc(2026, 10, 25, 8, 0)]);
    }
}
