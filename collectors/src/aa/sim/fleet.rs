//! The simulated fleet: run-as users, devices (`VM-AA-07`), bot files and schedules, made
//! from the seed. Schedules fire in their zone's standard-time offset (the simulator has no
//! time-zone database, so it ignores daylight saving).

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc, Weekday,
};
use rand::Rng;
use rand::rngs::StdRng;

use crate::aa::dto::{Recurrence, RepeatOccurrence, Schedule};

pub struct SimDevice {
    pub id: String,
    pub host: String,
    pub user: usize,
    pub connected: bool,
    pub updated_on: DateTime<Utc>,
    pub pool: String,
    pub agent: String,
}

pub struct SimBot {
    pub file_id: String,
    pub name: String,
    pub path: String,
    pub mean_secs: i64,
}

#[derive(Clone, Debug)]
pub enum DateRule {
    Daily { every_days: u32 },
    Weekly { days: Vec<Weekday> },
    Monthly { days: Vec<u32> },
    Once,
}

pub struct SimSchedule {
    pub dto: Schedule,
    pub bot: usize,
    pub device: usize,
    pub offset: FixedOffset,
    pub rule: DateRule,
    pub start_date: NaiveDate,
    /// Minutes after midnight, local.
    pub start_min: u32,
    /// `(every minutes, last start minute)` when repeating.
    pub repeat: Option<(u32, u32)>,
    pub active: bool,
}

const BOTS: [(&str, &str); 8] = [
    ("Invoices", "Finance"),
    ("VendorOnboarding", "Procurement"),
    ("PayrollReconciliation", "HR"),
    ("SAP_GL_Posting", "Finance"),
    ("ExpenseAudit", "Finance"),
    ("CustomerKYC", "Compliance"),
    ("ClaimsIntake", "Insurance"),
    ("ReportDistribution", "Operations"),
];

const ZONES: [(&str, i32); 6] = [
    ("America/New_York", -300),
    ("Europe/Berlin", 60),
    ("Asia/Kolkata", 330),
    ("America/Los_Angeles", -480),
    ("UTC", 0),
    ("Asia/Tokyo", 540),
];

pub fn users(n: usize) -> Vec<String> {
    (1..=n.max(1)).map(|i| format!("svc_rpa_{i:02}")).collect()
}

pub fn devices(n: usize, users: usize, start: DateTime<Utc>) -> Vec<SimDevice> {
    (1..=n.max(1))
        .map(|i| SimDevice {
            id: (i + 10).to_string(),
            host: format!("VM-AA-{i:02}"),
            user: (i - 1) % users.max(1),
            connected: true,
            updated_on: start,
            pool: if i % 2 == 0 {
                "Finance-Pool"
            } else {
                "Shared-Pool"
            }
            .to_owned(),
            agent: "22.60.10".to_owned(),
        })
        .collect()
}

pub fn bots(n: usize, rng: &mut StdRng) -> Vec<SimBot> {
    (0..n.max(1))
        .map(|i| {
            let (name, dept) = BOTS[i % BOTS.len()];
            let name = if i < BOTS.len() {
                name.to_owned()
            } else {
                format!("{name}{}", i / BOTS.len() + 1)
            };
            SimBot {
                file_id: (101 + i).to_string(),
                path: format!("Automation Anywhere\\Bots\\{dept}\\{name}"),
                name,
                mean_secs: rng.random_range(60..900),
            }
        })
        .collect()
}

/// The schedule patterns, cycled: each `(type, zone, start, repeat, rule)`.
pub fn schedules(
    n: usize,
    bots: &[SimBot],
    devices: usize,
    start: DateTime<Utc>,
) -> Vec<SimSchedule> {
    (0..n)
        .map(|i| {
            let (zone, off) = ZONES[i % ZONES.len()];
            let offset = FixedOffset::east_opt(off * 60).unwrap_or(Utc.fix());
            let local_start = start.with_timezone(&offset).date_naive();
            let (rule, start_min, repeat) = match i % 6 {
                0 => (
                    DateRule::Daily { every_days: 1 },
                    8 * 60,
                    Some((30, 18 * 60)),
                ),
                1 => (DateRule::Daily { every_days: 1 }, 7 * 60 + 30, None),
                2 => (
                    DateRule::Weekly {
                        days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
                    },
                    6 * 60 + 15,
                    None,
                ),
                3 => (DateRule::Monthly { days: vec![1, 15] }, 2 * 60, None),
                4 => (
                    DateRule::Daily { every_days: 1 },
                    6 * 60,
                    Some((120, 20 * 60)),
                ),
                _ => (DateRule::Once, 10 * 60, None),
            };
            let start_date = match rule {
                DateRule::Once => local_start + Duration::days(1),
                _ => local_start,
            };
            let bot = i % bots.len().max(1);
            let active = i % 7 != 6;
            let dto = schedule_dto(
                i, &bots[bot], zone, &rule, start_date, start_min, repeat, active,
            );
            SimSchedule {
                dto,
                bot,
                device: i % devices.max(1),
                offset,
                rule,
                start_date,
                start_min,
                repeat,
                active,
            }
        })
        .collect()
}

fn hhmm(min: u32) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

#[allow(clippy::too_many_arguments)]
fn schedule_dto(
    i: usize,
    bot: &SimBot,
    zone: &str,
    rule: &DateRule,
    start_date: NaiveDate,
    start_min: u32,
    repeat: Option<(u32, u32)>,
    active: bool,
) -> Schedule {
    let day_name = |d: &Weekday| {
        match d {
            Weekday::Mon => "MONDAY",
            Weekday::Tue => "TUESDAY",
            Weekday::Wed => "WEDNESDAY",
            Weekday::Thu => "THURSDAY",
            Weekday::Fri => "FRIDAY",
            Weekday::Sat => "SATURDAY",
            Weekday::Sun => "SUNDAY",
        }
        .to_owned()
    };
    let mut s = Schedule {
        id: (501 + i).to_string(),
        name: Some(format!(
            "{} {}",
            bot.name,
            ["hourly", "morning", "MWF", "mid-month", "shift", "one-off"][i % 6]
        )),
        file_id: Some(bot.file_id.clone()),
        file_name: Some(bot.name.clone()),
        status: Some(if active { "ACTIVE" } else { "INACTIVE" }.to_owned()),
        time_zone: Some(zone.to_owned()),
        start_date: Some(start_date.format("%Y-%m-%d").to_string()),
        start_time: Some(hhmm(start_min)),
        repeat_enabled: Some(repeat.is_some()),
        ..Schedule::default()
    };
    match rule {
        DateRule::Daily { every_days } => {
            s.schedule_type = Some("DAILY".into());
            s.daily_recurrence = Some(Recurrence {
                interval: Some(*every_days),
                ..Recurrence::default()
            });
        }
        DateRule::Weekly { days } => {
            s.schedule_type = Some("WEEKLY".into());
            s.weekly_recurrence = Some(Recurrence {
                interval: Some(1),
                days_of_week: days.iter().map(day_name).collect(),
                ..Recurrence::default()
            });
        }
        DateRule::Monthly { days } => {
            s.schedule_type = Some("MONTHLY".into());
            s.monthly_recurrence = Some(Recurrence {
                interval: Some(1),
                days_of_month: days.iter().map(u32::to_string).collect(),
                ..Recurrence::default()
            });
        }
        DateRule::Once => s.schedule_type = Some("ONCE".into()),
    }
    if let Some((every, end)) = repeat {
        s.repeat_occurrence = Some(if every.is_multiple_of(60) {
            RepeatOccurrence {
                run_every: Some(every / 60),
                time_unit: Some("HOURS".into()),
                end_time: Some(hhmm(end)),
            }
        } else {
            RepeatOccurrence {
                run_every: Some(every),
                time_unit: Some("MINUTES".into()),
                end_time: Some(hhmm(end)),
            }
        });
    }
    s
}

impl SimSchedule {
    fn date_ok(&self, d: NaiveDate) -> bool {
        if d < self.start_date {
            return false;
        }
        match &self.rule {
            DateRule::Daily { every_days } => {
                (d - self.start_date).num_days() % i64::from((*every_days).max(1)) == 0
            }
            DateRule::Weekly { days } => days.contains(&d.weekday()),
            DateRule::Monthly { days } => days.contains(&d.day()),
            DateRule::Once => d == self.start_date,
        }
    }

    fn minute_ok(&self, m: u32) -> bool {
        match self.repeat {
            None => m == self.start_min,
            Some((every, end)) => {
                m >= self.start_min && m <= end && (m - self.start_min).is_multiple_of(every.max(1))
            }
        }
    }

    /// Whether it fires at this local wall-clock minute.
    pub fn fires_at(&self, local: NaiveDateTime) -> bool {
        use chrono::Timelike;
        self.active
            && local.second() == 0
            && self.date_ok(local.date())
            && self.minute_ok(local.hour() * 60 + local.minute())
    }

    /// The first firing strictly after `now`, within 40 days.
    pub fn next_run(&self, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
        use chrono::Timelike;
        if !self.active {
            return None;
        }
        let local = now.with_timezone(&self.offset);
        let today = local.date_naive();
        let now_min = local.hour() * 60 + local.minute();
        for day in 0..40 {
            let d = today + Duration::days(day);
            if !self.date_ok(d) {
                continue;
            }
            let from = if day == 0 { now_min + 1 } else { 0 };
            if let Some(m) = (from..24 * 60).find(|m| self.minute_ok(*m)) {
                let naive = d.and_hms_opt(m / 60, m % 60, 0)?;
                return naive.and_local_timezone(self.offset).single();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand::SeedableRng;

    #[test]
    fn schedules_fire_on_their_pattern() {
        let start = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        let b = bots(8, &mut rng);
        let s = schedules(6, &b, 12, start);
        // America/New_York (UTC-5), every 30 min 08:00–18:00.
        let at = |h, m| {
            NaiveDate::from_ymd_opt(2026, 11, 16)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        };
        assert!(s[0].fires_at(at(8, 0)) && s[0].fires_at(at(18, 0)) && !s[0].fires_at(at(18, 30)));
        assert!(!s[0].fires_at(at(8, 15)));
        let next = s[0].next_run(start).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-16T08:00:00-05:00");
        // Weekly MON/WED/FRI at 06:15: 2026-11-16 is a Monday.
        assert!(s[2].fires_at(at(6, 15)));
        assert_eq!(
            crate::aa::cron::schedule_to_quartz(&s[2].dto).as_deref(),
            Some("0 15 6 ? * MON,WED,FRI *")
        );
    }
}
