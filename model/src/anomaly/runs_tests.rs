use super::*;
use crate::anomaly::testutil::{at, mins, run, src};

fn finished(key: &str, process: &str, state: RunState, end: DateTime<Utc>) -> Run {
    let mut r = run(key, process, state);
    r.ended_at = Some(end);
    r
}

#[test]
fn last_run_failed_fires_with_error_text() {
    let mut failed = finished("j2", "Invoices", RunState::Failed, at(9, 0, 0));
    failed.error = Some("Selector not found".into());
    let runs = vec![
        failed,
        finished("j1", "Invoices", RunState::Succeeded, at(8, 0, 0)),
    ];
    let fs = detect_faulted_runs(&runs, at(9, 5, 0));
    assert_eq!(fs.len(), 1);
    let f = &fs[0];
    assert_eq!(f.kind, AnomalyKind::RunFaulted);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.dedup_key, "run_faulted:fin:Invoices");
    assert_eq!(f.occurrence, "j2");
    assert!(f.detail.contains("Selector not found"), "{}", f.detail);
    assert_eq!(f.process.as_deref(), Some("Invoices"));
    assert_eq!(f.vm.as_deref(), Some("vm-rpa-01"));
    assert_eq!(f.observed_at, at(9, 5, 0));
}

#[test]
fn success_after_failure_clears() {
    let runs = vec![
        finished("j1", "Invoices", RunState::Failed, at(8, 0, 0)),
        finished("j2", "Invoices", RunState::Succeeded, at(9, 0, 0)),
    ];
    assert!(detect_faulted_runs(&runs, at(9, 5, 0)).is_empty());
}

#[test]
fn stopped_and_unfinished_runs_decide_nothing() {
    let mut running = run("j4", "Invoices", RunState::Running);
    running.started_at = Some(at(9, 30, 0));
    let runs = vec![
        finished("j1", "Invoices", RunState::Failed, at(8, 0, 0)),
        finished("j3", "Invoices", RunState::Stopped, at(9, 0, 0)),
        running,
    ];
    let fs = detect_faulted_runs(&runs, at(9, 35, 0));
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].occurrence, "j1");
}

#[test]
fn processes_and_sources_are_separate() {
    let mut other_source = finished("j9", "Invoices", RunState::Succeeded, at(10, 0, 0));
    other_source.source = src("hr");
    let runs = vec![
        finished("j1", "Invoices", RunState::Failed, at(8, 0, 0)),
        finished("j2", "Payroll", RunState::Failed, at(8, 0, 0)),
        other_source,
    ];
    let keys: Vec<String> = detect_faulted_runs(&runs, at(10, 0, 0))
        .into_iter()
        .map(|f| f.dedup_key)
        .collect();
    assert_eq!(
        keys,
        ["run_faulted:fin:Invoices", "run_faulted:fin:Payroll"]
    );
}

#[test]
fn missing_error_text_is_said_plainly() {
    let runs = vec![finished("j1", "P", RunState::Failed, at(8, 0, 0))];
    let fs = detect_faulted_runs(&runs, at(9, 0, 0));
    assert!(fs[0].detail.contains("without an error message"));
}

#[test]
fn baseline_is_median_and_mad() {
    let b = duration_baseline(&[1.0, 2.0, 3.0, 4.0, 100.0], 5).unwrap();
    assert_eq!(
        b,
        Baseline {
            median: 3.0,
            mad: 1.0,
            samples: 5
        }
    );
    let b = duration_baseline(&[10.0, 20.0, 30.0, 40.0], 1).unwrap();
    assert_eq!((b.median, b.mad), (25.0, 10.0));
}

#[test]
fn fewer_samples_than_the_minimum_give_no_baseline() {
    let nine = [60.0; 9];
    assert_eq!(duration_baseline(&nine, 10), None);
    assert!(duration_baseline(&[60.0; 10], 10).is_some());
    assert_eq!(
        duration_baseline(&[f64::NAN, -1.0, f64::INFINITY], 1),
        None,
        "junk dropped"
    );
    assert_eq!(duration_baseline(&[], 0), None);
}

fn running(key: &str, started: DateTime<Utc>) -> Run {
    let mut r = run(key, "Invoices", RunState::Running);
    r.started_at = Some(started);
    r
}

fn baselines(median: f64, mad: f64, samples: usize) -> BTreeMap<ProcessKey, Baseline> {
    BTreeMap::from([(
        (src("fin"), "Invoices".to_owned()),
        Baseline {
            median,
            mad,
            samples,
        },
    )])
}

#[test]
fn stuck_past_median_plus_three_mad() {
    let cfg = DetectionConfig::default();
    // median 20 min, MAD 5 min → threshold 35 min.
    let b = baselines(1200.0, 300.0, 30);
    let start = at(8, 0, 0);
    let at_limit = start + mins(35);
    assert!(detect_stuck_runs(&[running("j1", start)], &b, &cfg, at_limit).is_empty());
    let fs = detect_stuck_runs(
        &[running("j1", start)],
        &b,
        &cfg,
        at_limit + chrono::Duration::seconds(1),
    );
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].severity, Severity::Warn);
    assert_eq!(fs[0].dedup_key, "run_stuck:fin:j1");
    assert_eq!(fs[0].occurrence, "j1");
    assert!(fs[0].detail.contains("limit of 35 min"), "{}", fs[0].detail);
    let fs = detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(71));
    assert_eq!(fs[0].severity, Severity::Error, "past twice the threshold");
}

#[test]
fn floor_protects_short_processes() {
    let cfg = DetectionConfig::default();
    let b = baselines(30.0, 5.0, 50); // threshold 45 s, floored to 10 min
    let start = at(8, 0, 0);
    assert!(detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(10)).is_empty());
    assert_eq!(
        detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(11)).len(),
        1
    );
}

#[test]
fn too_few_samples_fall_back_to_the_cap() {
    let cfg = DetectionConfig::default();
    let b = baselines(60.0, 1.0, 9); // below the 10-sample minimum: ignored
    let start = at(0, 0, 0);
    assert!(detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(60)).is_empty());
    assert!(detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(8 * 60)).is_empty());
    let fs = detect_stuck_runs(&[running("j1", start)], &b, &cfg, start + mins(8 * 60 + 1));
    assert_eq!(fs.len(), 1);
    assert!(fs[0].detail.contains("no duration history"));
    let no_cap = DetectionConfig {
        stuck_cap_without_baseline_secs: None,
        ..cfg
    };
    let empty = BTreeMap::new();
    assert!(
        detect_stuck_runs(&[running("j1", start)], &empty, &no_cap, start + mins(5000)).is_empty()
    );
}

#[test]
fn only_running_and_stopping_runs_can_be_stuck() {
    let cfg = DetectionConfig::default();
    let b = baselines(60.0, 1.0, 20);
    let start = at(0, 0, 0);
    let mut runs = Vec::new();
    for (i, state) in [
        RunState::Suspended,
        RunState::Queued,
        RunState::Failed,
        RunState::Stopping,
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = running(&format!("j{i}"), start);
        r.state = state;
        runs.push(r);
    }
    let mut no_start = running("nostart", start);
    no_start.started_at = None;
    runs.push(no_start);
    let fs = detect_stuck_runs(&runs, &b, &cfg, start + mins(60));
    let keys: Vec<&str> = fs.iter().map(|f| f.occurrence.as_str()).collect();
    assert_eq!(keys, ["j3"]);
}
