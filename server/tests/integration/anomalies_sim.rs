//! Every kind of anomaly, end to end on both engines: the vendor simulators are steered into
//! trouble with their knobs, real collectors poll them over HTTP, and each anomaly must show up
//! as `anomaly_opened` on the live stream.
//!
//! Simulated time is lined up with Hangar's clock: the UiPath tenant plays a calm past (no
//! faults, no stuck runs, no outages) from more than a day ago up to an hour before now, then
//! the knobs are set and it plays the last hour, so every timestamp is about "now".

use std::time::Duration;

use crate::support::sse::SseReader;
use crate::support::{Engine, TestApp, TestDb};
use chrono::{DateTime, TimeDelta, Utc};
use hangar_collectors::sim::{Fault, FaultScope};
use hangar_collectors::{aa, uipath};
use hangar_model::SourceId;
use hangar_server::collect::SourceSpec;
use serde_json::Value;
use uipath::sim::JobFate;

/// The one process of the UiPath tenant, scheduled every 15 minutes (Europe/Berlin). With
/// seed 9 the simulator fires that schedule 88 s after each quarter hour: well within the
/// 10-minute grace, so the calm past has no missed occurrences of its own.
const PROCESS: &str = "Invoices";
/// The same process as Hangar names it: by its release.
const RELEASE: &str = "Invoices_Prod";
const SEED: u64 = 9;
/// How long each anomaly may take to reach the stream.
const WITHIN: Duration = Duration::from_secs(20);

/// The stream, with every `anomaly_opened` seen so far (they arrive in any order).
struct Watch<'a> {
    app: &'a TestApp,
    stream: SseReader,
    opened: Vec<Value>,
}

impl Watch<'_> {
    /// The first anomaly of `kind` opened (now or earlier) that `matches`, running a detection
    /// round every two seconds so nothing waits for the background loop's schedule checks.
    async fn opened(&mut self, kind: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WITHIN;
        let mut next_round = tokio::time::Instant::now();
        loop {
            if let Some(a) = self.opened.iter().find(|a| a["kind"] == kind && matches(a)) {
                return a.clone();
            }
            let now = tokio::time::Instant::now();
            let seen: Vec<String> = self
                .opened
                .iter()
                .map(|a| format!("{} {}", a["kind"], a["subject"]))
                .collect();
            assert!(
                now < deadline,
                "no {kind} opened within {WITHIN:?}; saw {seen:#?}"
            );
            if now >= next_round {
                // A round racing the background loop may fail; the next one catches up.
                let _ = self.app.detector.round(Utc::now(), true).await;
                next_round = now + Duration::from_secs(2);
            }
            if let Some(f) = self.stream.next_event(Duration::from_millis(500)).await
                && f.event.as_deref() == Some("anomaly_opened")
            {
                let data = f.data.as_deref().expect("event data");
                self.opened
                    .push(serde_json::from_str(data).expect("anomaly JSON"));
            }
        }
    }
}

fn std_dur(d: TimeDelta) -> Duration {
    d.to_std().unwrap_or_default()
}

/// The UiPath tenant up to `t0`, steered: a run that hangs an hour ago, two schedule
/// occurrences skipped right after it, and in the last three minutes every run faulting (an
/// expired password) after a calm history with no failures at all. Returns the simulator,
/// the skipped schedule's id and the robot made unresponsive.
async fn uipath_tenant(t0: DateTime<Utc>) -> (uipath::sim::SimHandle, i64, String) {
    let midnight = t0
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    // More than the 24 h lookback of missed schedules, and 8 h of yesterday for the failure
    // rate's baseline (32 runs of the process).
    let start = (t0 - TimeDelta::hours(25)).min(midnight - TimeDelta::hours(8));
    let last_hour = t0 - TimeDelta::hours(1);
    let sim = uipath::sim::UipathSimulator::start(uipath::sim::SimConfig {
        seed: SEED,
        vms: 3,
        robots: 5,
        processes: 1,
        queues: 1,
        folders: vec!["Finance/AP".to_owned()],
        login: uipath::sim::SimLogin::OnPrem,
        start,
        history: std_dur(last_hour - start),
        manual_jobs_per_hour: 0.0,
        fault_rate: 0.0,
        stuck_rate: 0.0,
        disconnect_rate: 0.0,
        queue_arrivals_per_hour: Some(0.0),
        ..uipath::sim::SimConfig::default()
    })
    .await
    .expect("UiPath simulator starts");
    let schedules = sim.schedules();
    assert_eq!(schedules.len(), 1, "{schedules:?}");
    let (schedule, process, enabled) = schedules[0].clone();
    assert_eq!((process.as_str(), enabled), (PROCESS, true));

    // An hour ago: one run that hangs, then the trigger misses two occurrences.
    assert!(sim.set_process_fate(PROCESS, Some(JobFate::Hang)));
    sim.start_job(PROCESS).expect("job started");
    sim.advance(Duration::from_secs(5));
    sim.set_process_fate(PROCESS, None);
    sim.skip_next_occurrences(schedule, 2);
    sim.advance(std_dur(t0 - TimeDelta::minutes(3) - sim.now()));

    // The last three minutes: the service account's password expired; four runs fault.
    sim.set_process_fate(PROCESS, Some(JobFate::Fault));
    for _ in 0..4 {
        sim.start_job(PROCESS).expect("job started");
    }
    sim.advance(std_dur(Utc::now() - sim.now()));
    let jobs = sim.jobs();
    let faulted = jobs.iter().filter(|j| j.1 == "Faulted").count();
    let running = jobs.iter().filter(|j| j.1 == "Running").count();
    assert!(
        faulted >= 3 && running >= 1,
        "{faulted} faulted, {running} running"
    );

    // Now: a robot stops responding, and an item arrives already past its due date.
    let robot = sim
        .set_unresponsive(14, Duration::from_secs(3600))
        .expect("robot 14 exists");
    sim.add_queue_item(0, Utc::now() - TimeDelta::minutes(5))
        .expect("the tenant has a queue");
    (sim, schedule, robot)
}

/// A quiet Automation Anywhere Control Room up to now, with one device just dropped off.
async fn aa_control_room(t0: DateTime<Utc>) -> (aa::sim::SimHandle, String) {
    let history = TimeDelta::minutes(30);
    let sim = aa::sim::AaSimulator::start(aa::sim::SimConfig {
        devices: 2,
        users: 2,
        bots: 2,
        schedules: 0,
        start: t0 - history,
        run_now_per_hour: 4.0,
        failure_rate: 0.0,
        stuck_rate: 0.0,
        pause_rate: 0.0,
        disconnects_per_device_hour: 0.0,
        ..aa::sim::SimConfig::default()
    })
    .await
    .expect("AA simulator starts");
    sim.advance(std_dur(Utc::now() - sim.now())).await;
    let device = sim.disconnect_device(0);
    (sim, device)
}

/// Waits out the few minutes around UTC midnight, when "today's" failures could fall on
/// yesterday and the failure-rate spike would have nothing to compare.
async fn away_from_midnight() -> DateTime<Utc> {
    let now = Utc::now();
    let since = now
        - now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc();
    let wait = if since < TimeDelta::minutes(5) {
        TimeDelta::minutes(5) - since
    } else if since > TimeDelta::hours(24) - TimeDelta::minutes(2) {
        TimeDelta::hours(24) + TimeDelta::minutes(5) - since
    } else {
        TimeDelta::zero()
    };
    tokio::time::sleep(std_dur(wait)).await;
    Utc::now()
}

async fn add_source(app: &TestApp, mut config: hangar_collectors::SourceConfig, every: u64) {
    config.poll_interval_secs = every;
    let spec = serde_json::to_value(SourceSpec::simulated(&config)).unwrap();
    let (status, body) = app.post_json("/api/v1/sources", &spec).await;
    assert_eq!(status, 201, "{body}");
}

async fn every_kind_of_anomaly_reaches_the_stream(engine: Engine) {
    let t0 = away_from_midnight().await;
    let (uipath, schedule, robot) = uipath_tenant(t0).await;
    let (aa, device) = aa_control_room(t0).await;

    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.detect.interval_secs = 1;
    let app = TestApp::spawn(config).await;
    let stream = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;
    assert_eq!(stream.status, 200);
    add_source(
        &app,
        uipath.source_config(SourceId("ap".into()), "finance"),
        1,
    )
    .await;
    add_source(
        &app,
        aa.source_config(SourceId("ops".into()), "operations", true),
        2,
    )
    .await;
    let mut watch = Watch {
        app: &app,
        stream,
        opened: Vec::new(),
    };
    let on = |source: &'static str| move |a: &Value| a["source"] == source;
    let of_process = |a: &Value| a["source"] == "ap" && a["process"] == RELEASE;

    // Faulted runs, and a failure rate far above the calm days before.
    let faulted = watch.opened("run_faulted", of_process).await;
    assert_eq!(faulted["department"], "finance");
    assert_eq!(faulted["source"], "ap");
    assert_eq!(faulted["subject"], format!("{RELEASE} failed on ap"));
    assert!(
        faulted["detail"]
            .as_str()
            .is_some_and(|d| d.contains("password has expired")),
        "{faulted}"
    );
    let spike = watch.opened("failure_rate_spike", of_process).await;
    assert!(
        spike["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with(&format!("{RELEASE} failing"))),
        "{spike}"
    );

    // The run that hangs, an hour into a process that usually takes minutes.
    watch.opened("run_stuck", of_process).await;

    // The skipped occurrences: missed, on the schedule that was skipped.
    let missed = watch.opened("schedule_missed", of_process).await;
    assert!(
        missed["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with(&format!("{RELEASE} did not start at"))),
        "{missed}"
    );
    let occurrence: DateTime<Utc> = missed["last_occurrence"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("occurrence time");
    assert!(
        missed["dedup_key"]
            .as_str()
            .is_some_and(|k| k.contains(&format!(":{schedule}:")))
            && occurrence > t0 - TimeDelta::minutes(65),
        "a skipped occurrence of schedule {schedule}: {missed}"
    );

    // Robots: one UiPath session unresponsive, one AA device disconnected.
    let silent = watch
        .opened("robot_unresponsive", |a| {
            a["source"] == "ap" && a["robot"] == robot.as_str()
        })
        .await;
    assert_eq!(
        silent["subject"],
        format!("Robot {robot} is not responding")
    );
    let dropped = watch.opened("robot_disconnected", on("ops")).await;
    assert_eq!(dropped["department"], "operations");
    assert!(
        dropped["detail"]
            .as_str()
            .is_some_and(|d| d.contains("is disconnected")),
        "{dropped} ({device})"
    );

    // The item that arrived past its due date.
    let late = watch.opened("queue_sla_breached", on("ap")).await;
    assert!(
        late["subject"]
            .as_str()
            .is_some_and(|s| s.ends_with("1 item past due")),
        "{late}"
    );

    // Last: Orchestrator answers 500 to everything, and the collector goes stale.
    uipath.faults().arm(
        FaultScope::AnyData,
        Fault::ServerError { status: 500 },
        100_000,
    );
    let stale = watch.opened("collector_stale", on("ap")).await;
    assert_eq!(stale["department"], "finance");

    drop(watch);
    app.stop().await;
    uipath.stop().await;
    aa.stop().await;
    db.drop().await;
}

on_both_engines!(every_kind_of_anomaly_reaches_the_stream);
