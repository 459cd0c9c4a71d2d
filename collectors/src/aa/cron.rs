//! Control Room schedules → Quartz 7-field cron (`sec min hour dom month dow year`).
//!
//! The Control Room describes a schedule by type (`DAILY`, `WEEKLY`, `MONTHLY`, `ONCE`), a
//! start time of day and an optional repeat window ("every N minutes/hours until HH:mm").
//! Quartz says the same thing in one expression, read in the schedule's IANA zone, with
//! these limits (the result is `None` rather than wrong where Quartz cannot say it):
//! - every N days with N > 1 becomes `1/N` in day-of-month, which restarts each month;
//! - every N weeks with N > 1 has no Quartz form → `None`;
//! - a minute repeat must divide 60; its first hour fires from minute `start % N`, so a
//!   08:45 start every 30 minutes also fires at 08:15, and its last hour fires at every
//!   step of that hour even past the end time (Quartz cannot start or stop mid-hour);
//! - start/end dates are not part of a cron (ONCE pins the year instead).

use super::dto::{Recurrence, RepeatOccurrence, Schedule};

/// The Quartz cron of a schedule, or `None` when it cannot be expressed.
pub fn schedule_to_quartz(s: &Schedule) -> Option<String> {
    let (hour, minute) = parse_hhmm(s.start_time.as_deref()?)?;
    let repeat = if s.repeat_enabled.unwrap_or(false) {
        s.repeat_occurrence.as_ref()
    } else {
        None
    };
    let (min_f, hour_f) = time_fields(hour, minute, repeat)?;
    let kind = s.schedule_type.as_deref()?.trim().to_ascii_uppercase();
    let default = Recurrence::default();
    match kind.as_str() {
        "ONCE" => {
            let (y, mo, d) = parse_date(s.start_date.as_deref()?)?;
            Some(format!("0 {min_f} {hour_f} {d} {mo} ? {y}"))
        }
        "DAILY" => {
            let n = s.daily_recurrence.as_ref().and_then(|r| r.interval);
            let dom = match n.unwrap_or(1) {
                0 | 1 => "*".to_owned(),
                n => format!("1/{n}"),
            };
            Some(format!("0 {min_f} {hour_f} {dom} * ? *"))
        }
        "WEEKLY" => {
            let r = s.weekly_recurrence.as_ref().unwrap_or(&default);
            if r.interval.unwrap_or(1) > 1 {
                return None;
            }
            let days = day_list(&r.days_of_week)?;
            Some(format!("0 {min_f} {hour_f} ? * {days} *"))
        }
        "MONTHLY" => {
            let r = s.monthly_recurrence.as_ref().unwrap_or(&default);
            let month = match r.interval.unwrap_or(1) {
                0 | 1 => "*".to_owned(),
                n => format!("1/{n}"),
            };
            if !r.days_of_month.is_empty() {
                let days = month_days(&r.days_of_month)?;
                return Some(format!("0 {min_f} {hour_f} {days} {month} ? *"));
            }
            let [day] = r.days_of_week.as_slice() else {
                return None;
            };
            let day = day_abbrev(day)?;
            let dow = match r
                .week_of_month
                .as_deref()?
                .trim()
                .to_ascii_uppercase()
                .as_str()
            {
                "FIRST" | "1" => format!("{day}#1"),
                "SECOND" | "2" => format!("{day}#2"),
                "THIRD" | "3" => format!("{day}#3"),
                "FOURTH" | "4" => format!("{day}#4"),
                "LAST" => format!("{day}L"),
                _ => return None,
            };
            Some(format!("0 {min_f} {hour_f} ? {month} {dow} *"))
        }
        _ => None,
    }
}

/// The minute and hour fields for a start time and an optional repeat window.
pub fn time_fields(
    hour: u32,
    minute: u32,
    repeat: Option<&RepeatOccurrence>,
) -> Option<(String, String)> {
    let Some(rep) = repeat else {
        return Some((minute.to_string(), hour.to_string()));
    };
    let every = rep.run_every.filter(|n| *n > 0)?;
    let unit = rep.time_unit.as_deref().unwrap_or("MINUTES").trim();
    let (end_h, end_m) = match rep.end_time.as_deref() {
        Some(t) => parse_hhmm(t)?,
        None => (23, 59),
    };
    let minutes = match unit.to_ascii_uppercase().as_str() {
        "MINUTES" | "MINUTE" => every,
        "HOURS" | "HOUR" => every.checked_mul(60)?,
        _ => return None,
    };
    if minutes.is_multiple_of(60) {
        let step = (minutes / 60) as usize;
        let hours: Vec<String> = (hour..24)
            .step_by(step)
            .filter(|h| *h < end_h || (*h == end_h && minute <= end_m))
            .map(|h| h.to_string())
            .collect();
        if hours.is_empty() {
            return None;
        }
        return Some((minute.to_string(), hours.join(",")));
    }
    if !60u32.is_multiple_of(minutes) {
        return None;
    }
    let first = minute % minutes;
    let last_hour = if first <= end_m {
        end_h
    } else {
        end_h.checked_sub(1)?
    };
    if last_hour < hour {
        return None;
    }
    let hour_f = if last_hour == hour {
        hour.to_string()
    } else {
        format!("{hour}-{last_hour}")
    };
    Some((format!("{first}/{minutes}"), hour_f))
}

/// `HH:mm` (seconds, if present, are ignored).
pub fn parse_hhmm(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.trim().split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    (h < 24 && m < 60).then_some((h, m))
}

fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let d = chrono::NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    Some((d.year(), d.month(), d.day()))
}

/// `MONDAY` (or `Mon`, `MON`) → `MON`.
pub fn day_abbrev(day: &str) -> Option<&'static str> {
    const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let d = day.trim().to_ascii_uppercase();
    DAYS.into_iter()
        .find(|abbr| d.starts_with(abbr) && d.len() >= 3)
}

fn day_list(days: &[String]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for d in days {
        let a = day_abbrev(d)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    (!out.is_empty()).then(|| out.join(","))
}

fn month_days(days: &[String]) -> Option<String> {
    let mut out = Vec::new();
    for d in days {
        let d = d.trim();
        if d.eq_ignore_ascii_case("LAST") || d.eq_ignore_ascii_case("L") {
            out.push("L".to_owned());
        } else {
            let n: u32 = d.parse().ok()?;
            if !(1..=31).contains(&n) {
                return None;
            }
            out.push(n.to_string());
        }
    }
    (!out.is_empty()).then(|| out.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(json: serde_json::Value) -> Schedule {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn daily_at_a_time() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"07:30",
            "dailyRecurrence":{"interval":1},"timeZone":"Europe/Berlin"}),
        );
        assert_eq!(schedule_to_quartz(&s).as_deref(), Some("0 30 7 * * ? *"));
    }

    #[test]
    fn daily_every_other_day_approximates_with_day_of_month_step() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"23:05",
            "dailyRecurrence":{"interval":"2"}}),
        );
        assert_eq!(schedule_to_quartz(&s).as_deref(), Some("0 5 23 1/2 * ? *"));
    }

    #[test]
    fn daily_repeating_every_30_minutes_in_office_hours() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"08:00",
            "repeatEnabled":true,
            "repeatOccurrence":{"runEvery":"30","timeUnit":"MINUTES","endTime":"17:00"}}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 0/30 8-17 * * ? *")
        );
        // Runs at :10/:40 ending 16:05 → 15:40 is the last run, hour 16 is left out.
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"08:10",
            "repeatEnabled":true,
            "repeatOccurrence":{"runEvery":30,"timeUnit":"MINUTES","endTime":"16:05"}}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 10/30 8-15 * * ? *")
        );
    }

    #[test]
    fn repeat_every_two_hours_lists_the_hours() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"WEEKLY","startTime":"06:15",
            "weeklyRecurrence":{"interval":1,"daysOfWeek":["MONDAY","WEDNESDAY","FRIDAY"]},
            "repeatEnabled":true,
            "repeatOccurrence":{"runEvery":2,"timeUnit":"HOURS","endTime":"14:15"}}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 15 6,8,10,12,14 ? * MON,WED,FRI *")
        );
    }

    #[test]
    fn repeat_disabled_ignores_the_occurrence() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"06:15",
            "repeatEnabled":false,
            "repeatOccurrence":{"runEvery":2,"timeUnit":"HOURS","endTime":"14:15"}}),
        );
        assert_eq!(schedule_to_quartz(&s).as_deref(), Some("0 15 6 * * ? *"));
    }

    #[test]
    fn monthly_by_date_and_by_weekday() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"MONTHLY","startTime":"02:00",
            "monthlyRecurrence":{"daysOfMonth":["1","15","LAST"]}}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 0 2 1,15,L * ? *")
        );
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"MONTHLY","startTime":"02:00",
            "monthlyRecurrence":{"interval":3,"weekOfMonth":"LAST","daysOfWeek":["FRIDAY"]}}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 0 2 ? 1/3 FRIL *")
        );
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"MONTHLY","startTime":"02:00",
            "monthlyRecurrence":{"weekOfMonth":"SECOND","daysOfWeek":["TUESDAY"]}}),
        );
        assert_eq!(schedule_to_quartz(&s).as_deref(), Some("0 0 2 ? * TUE#2 *"));
    }

    #[test]
    fn once_pins_the_date() {
        let s = sched(
            serde_json::json!({"id":"1","scheduleType":"ONCE","startTime":"18:45",
            "startDate":"2026-12-24"}),
        );
        assert_eq!(
            schedule_to_quartz(&s).as_deref(),
            Some("0 45 18 24 12 ? 2026")
        );
    }

    #[test]
    fn inexpressible_schedules_have_no_cron() {
        for json in [
            serde_json::json!({"id":"1","scheduleType":"WEEKLY","startTime":"06:00",
                "weeklyRecurrence":{"interval":2,"daysOfWeek":["MONDAY"]}}),
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"06:00",
                "repeatEnabled":true,"repeatOccurrence":{"runEvery":45,"timeUnit":"MINUTES"}}),
            serde_json::json!({"id":"1","scheduleType":"HOURLY","startTime":"06:00"}),
            serde_json::json!({"id":"1","scheduleType":"DAILY","startTime":"25:00"}),
            serde_json::json!({"id":"1","scheduleType":"WEEKLY","startTime":"06:00"}),
        ] {
            assert_eq!(schedule_to_quartz(&sched(json.clone())), None, "{json}");
        }
    }

    #[test]
    fn day_names() {
        assert_eq!(day_abbrev("monday"), Some("MON"));
        assert_eq!(day_abbrev("SUN"), Some("SUN"));
        assert_eq!(day_abbrev("MO"), None);
    }
}
