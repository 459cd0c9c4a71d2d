use super::*;
use crate::anomaly::testutil::{at, run, src};
use crate::fleet::{RunState, Vendor};

fn schedule(cron: &str, zone: Option<&str>) -> ScheduleInfo {
    ScheduleInfo {
        source: src("fin"),
        vendor: Vendor::Uipath,
        vendor_key: "sch-1".into(),
        name: "Morning invoices".into(),
        process: "Invoices".into(),
        enabled: true,
        cron: Some(cron.into()),
        time_zone: zone.map(str::to_owned),
        next_run_at: None,
        folder: None,
    }
}

fn started(key: &str, process: &str, schedule_key: Option<&str>, t: DateTime<Utc>) -> Run {
    let mut r = run(key, process, RunState::Succeeded);
    r.started_at = Some(t);
    r.schedule_key = schedule_key.map(str::to_owned);
    r
}

fn detect(
    s: &ScheduleInfo,
    runs: &[Run],
    cal: Option<&Calendar>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    detect_missed_schedules(
        std::slice::from_ref(s),
        runs,
        cal,
        &DetectionConfig::default(),
        now,
    )
}

/// 09:00 Asia/Shanghai on 2026-11-20 is 01:00 UTC.
fn shanghai() -> ScheduleInfo {
    schedule("0 0 9 * * ?", Some("Asia/Shanghai"))
}

#[test]
fn missed_shanghai_nine_am_fires_once_grace_is_past() {
    let fs = detect(&shanghai(), &[], None, at(1, 30, 0));
    assert_eq!(fs.len(), 1);
    let f = &fs[0];
    assert_eq!(f.kind, AnomalyKind::ScheduleMissed);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.dedup_key,
        "schedule_missed:fin:sch-1:2026-11-20T01:00:00Z"
    );
    assert_eq!(f.occurrence, "2026-11-20T01:00:00Z");
    assert!(f.subject.contains("2026-11-20 09:00 CST"), "{}", f.subject);
    assert_eq!(f.process.as_deref(), Some("Invoices"));
}

#[test]
fn grace_boundary() {
    let s = shanghai();
    assert!(
        detect(&s, &[], None, at(1, 10, 0)).is_empty(),
        "exactly at grace: still in grace"
    );
    assert_eq!(
        detect(&s, &[], None, at(1, 10, 1)).len(),
        1,
        "one second past grace: missed"
    );
}

#[test]
fn lookback_bounds_the_search() {
    let s = shanghai();
    // 24 h later, the 2026-11-20 occurrence is exactly at the lookback edge, the 21st is in grace.
    let fs = detect(&s, &[], None, at(1, 0, 0) + chrono::Duration::hours(24));
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].occurrence, "2026-11-20T01:00:00Z");
    let fs = detect(&s, &[], None, at(1, 0, 1) + chrono::Duration::hours(24));
    assert!(fs.is_empty(), "fell out of the window: auto-resolves");
}

#[test]
fn a_run_within_the_window_satisfies_the_occurrence() {
    let s = shanghai();
    let now = at(2, 0, 0);
    for t in [at(0, 59, 0), at(1, 0, 0), at(1, 10, 0)] {
        let runs = [started("j", "Invoices", Some("sch-1"), t)];
        assert!(detect(&s, &runs, None, now).is_empty(), "run at {t}");
    }
    for t in [at(0, 58, 59), at(1, 10, 1)] {
        let runs = [started("j", "Invoices", Some("sch-1"), t)];
        assert_eq!(
            detect(&s, &runs, None, now).len(),
            1,
            "run at {t} is outside"
        );
    }
}

#[test]
fn created_counts_when_the_job_waited_in_the_queue() {
    let mut r = started("j", "Invoices", Some("sch-1"), at(1, 40, 0));
    r.created_at = Some(at(1, 0, 2));
    assert!(detect(&shanghai(), &[r], None, at(2, 0, 0)).is_empty());
}

#[test]
fn runs_match_by_schedule_key_else_process() {
    let s = shanghai();
    let now = at(2, 0, 0);
    let by_process = [started("j", "Invoices", None, at(1, 0, 5))];
    assert!(detect(&s, &by_process, None, now).is_empty());
    let other_schedule = [started("j", "Invoices", Some("sch-2"), at(1, 0, 5))];
    assert_eq!(detect(&s, &other_schedule, None, now).len(), 1);
    let other_process = [started("j", "Payroll", None, at(1, 0, 5))];
    assert_eq!(detect(&s, &other_process, None, now).len(), 1);
    let mut other_source = started("j", "Invoices", Some("sch-1"), at(1, 0, 5));
    other_source.source = src("hr");
    assert_eq!(detect(&s, &[other_source], None, now).len(), 1);
}

#[test]
fn disabled_schedules_never_fire() {
    let mut s = shanghai();
    s.enabled = false;
    assert!(detect(&s, &[], None, at(12, 0, 0)).is_empty());
}

#[test]
fn schedules_without_cron_or_with_bad_input_are_skipped() {
    let mut s = shanghai();
    s.cron = None;
    assert!(detect(&s, &[], None, at(12, 0, 0)).is_empty());
    assert!(detect(&schedule("garbage", None), &[], None, at(12, 0, 0)).is_empty());
    assert!(
        detect(
            &schedule("0 0 9 * * ?", Some("Nowhere/City")),
            &[],
            None,
            at(12, 0, 0)
        )
        .is_empty()
    );
}

#[test]
fn no_zone_means_utc() {
    let fs = detect(&schedule("0 0 9 * * ?", None), &[], None, at(9, 10, 1));
    assert_eq!(fs[0].occurrence, "2026-11-20T09:00:00Z");
}

#[test]
fn non_working_days_in_the_schedule_zone_are_skipped() {
    // 01:00 UTC on the 20th is the 20th in Shanghai, but 20:00 on the 19th in New York.
    let holiday = Calendar {
        non_working_dates: BTreeSet::from([NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()]),
        weekend_days: vec![],
    };
    assert!(detect(&shanghai(), &[], Some(&holiday), at(2, 0, 0)).is_empty());
    let ny = schedule("0 0 20 * * ?", Some("America/New_York"));
    assert_eq!(
        detect(&ny, &[], Some(&holiday), at(2, 0, 0)).len(),
        1,
        "the 19th in New York"
    );
    assert_eq!(
        detect(&shanghai(), &[], Some(&Calendar::default()), at(2, 0, 0)).len(),
        1
    );
}

#[test]
fn weekend_days_are_skipped() {
    let weekend = Calendar {
        non_working_dates: BTreeSet::new(),
        weekend_days: vec![Weekday::Sat, Weekday::Sun],
    };
    let daily = schedule("0 0 9 * * ?", None);
    // Sunday 2026-11-22 09:00 UTC.
    let sunday_noon = at(12, 0, 0) + chrono::Duration::days(2);
    assert!(detect(&daily, &[], Some(&weekend), sunday_noon).is_empty());
    assert_eq!(detect(&daily, &[], None, sunday_noon).len(), 1);
}

#[test]
fn each_missed_occurrence_is_its_own_finding() {
    let hourly = schedule("0 0 * * * ?", None);
    let runs = [started("j", "Invoices", Some("sch-1"), at(5, 0, 0))];
    let fs = detect(&hourly, &runs, None, at(6, 30, 0));
    // Lookback 24 h: 2026-11-19 07:00 … 2026-11-20 06:00 = 24 occurrences, one of them ran.
    assert_eq!(fs.len(), 23);
    let keys: BTreeSet<&str> = fs.iter().map(|f| f.dedup_key.as_str()).collect();
    assert_eq!(keys.len(), 23);
    assert!(!keys.contains("schedule_missed:fin:sch-1:2026-11-20T05:00:00Z"));
}

#[test]
fn quartz_last_friday_in_a_zone() {
    // 2026-11-27 is the last Friday of November; 18:00 in Tokyo is 09:00 UTC.
    let s = schedule("0 0 18 ? * 6L", Some("Asia/Tokyo"));
    let now = at(9, 30, 0) + chrono::Duration::days(7);
    let fs = detect(&s, &[], None, now);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].occurrence, "2026-11-27T09:00:00Z");
    assert!(
        detect(&s, &[], None, at(12, 0, 0)).is_empty(),
        "the 20th is not the last Friday"
    );
}
