//! The UiPath client against the simulator over real HTTP: through every injected fault it
//! ends up with exactly the jobs the simulator holds (none lost, none duplicated), within
//! the request budget, and a restart from a stored cursor changes nothing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hangar_collectors::sim::{Fault, FaultScope};
use hangar_collectors::uipath::UipathCollector;
use hangar_collectors::uipath::sim::{SimConfig, SimHandle, SimLogin, UipathSimulator};
use hangar_collectors::{Collector, RetryPolicy};
use hangar_model::fleet::{Batch, RunState, SourceId};

fn small_fleet(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        vms: 6,
        robots: 8,
        processes: 6,
        queues: 3,
        folders: ["Finance/AP", "HR/Onboarding", "IT/ServiceDesk"]
            .map(str::to_owned)
            .to_vec(),
        history: Duration::from_secs(3600),
        manual_jobs_per_hour: 40.0,
        fault_rate: 0.1,
        disconnect_rate: 1.0 / 3000.0,
        ..SimConfig::default()
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(2),
        max_attempts: 6,
    }
}

fn collector(sim: &SimHandle, budget: u32, http: Option<reqwest::Client>) -> UipathCollector {
    let mut cfg = sim.source_config(SourceId::parse("finance-uipath").unwrap(), "finance");
    cfg.requests_per_minute = budget;
    let c = match http {
        Some(http) => UipathCollector::with_client(&cfg, http),
        None => UipathCollector::new(&cfg),
    };
    c.unwrap()
        .with_retry_policy(fast_retries())
        .with_page_sizes(7, 10)
}

/// Everything the collector delivered, as a server would store it.
#[derive(Default)]
struct Ledger {
    jobs: HashMap<String, (String, Option<DateTime<Utc>>)>,
    versions: HashSet<(String, Option<DateTime<Utc>>)>,
    duplicates: Vec<(String, Option<DateTime<Utc>>)>,
    queue_items: HashMap<String, String>,
    failed_polls: usize,
    cursor: Option<serde_json::Value>,
}

impl Ledger {
    fn take(&mut self, batch: &Batch) {
        for r in &batch.runs {
            let v = (r.vendor_key.clone(), r.updated_at);
            if !self.versions.insert(v.clone()) {
                self.duplicates.push(v);
            }
            self.jobs
                .insert(r.vendor_key.clone(), (r.raw_state.clone(), r.updated_at));
        }
        for q in &batch.queue_items {
            self.queue_items
                .insert(q.vendor_key.clone(), q.raw_state.clone());
        }
    }

    /// Polls until a poll brings nothing new; failed polls are retried from the same
    /// cursor, as the server does.
    async fn sync(&mut self, c: &UipathCollector) {
        for _ in 0..20 {
            match c.poll(self.cursor.clone()).await {
                Ok((batch, cursor)) => {
                    self.take(&batch);
                    self.cursor = Some(cursor);
                    if batch.runs.is_empty() {
                        return;
                    }
                }
                Err(e) => {
                    eprintln!("poll failed (will retry): {e}");
                    self.failed_polls += 1;
                }
            }
        }
        panic!("no quiescence after 20 polls");
    }

    fn assert_matches(&self, sim: &SimHandle) {
        assert!(
            self.duplicates.is_empty(),
            "duplicated: {:?}",
            self.duplicates
        );
        let truth = sim.jobs();
        let keys: HashSet<&String> = truth.iter().map(|(k, _, _)| k).collect();
        let mine: HashSet<&String> = self.jobs.keys().collect();
        let lost: Vec<_> = keys.difference(&mine).collect();
        let extra: Vec<_> = mine.difference(&keys).collect();
        assert!(lost.is_empty(), "lost {} jobs: {lost:?}", lost.len());
        assert!(extra.is_empty(), "invented jobs: {extra:?}");
        for (key, state, modified) in &truth {
            let (s, m) = &self.jobs[key];
            assert_eq!((s, *m), (state, Some(*modified)), "job {key}");
        }
        // Queue items that ended are reported with their final status.
        for (id, status) in sim.queue_items() {
            if matches!(
                status.as_str(),
                "Successful" | "Failed" | "Abandoned" | "Retried"
            ) {
                assert_eq!(
                    self.queue_items.get(&id.to_string()),
                    Some(&status),
                    "item {id}"
                );
            }
        }
    }
}

fn assert_within_budget(sim: &SimHandle, budget: u32) {
    for ep in ["Jobs", "QueueItems"] {
        let per_minute = sim.requests_per_minute(ep);
        assert!(!per_minute.is_empty(), "no {ep} requests");
        assert!(
            per_minute.iter().all(|&n| n <= budget),
            "{ep} over budget {budget}: {per_minute:?}"
        );
    }
}

async fn rounds(sim: &SimHandle, c: &UipathCollector, ledger: &mut Ledger, n: usize) {
    for _ in 0..n {
        sim.advance(Duration::from_secs(600));
        ledger.sync(c).await;
    }
}

#[tokio::test]
async fn clean_sync_matches_ground_truth_and_budget() {
    let sim = UipathSimulator::start(small_fleet(1)).await.unwrap();
    let c = collector(&sim, 1200, None);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    rounds(&sim, &c, &mut ledger, 3).await;
    ledger.assert_matches(&sim);
    assert_eq!(ledger.failed_polls, 0);
    assert!(sim.jobs().len() > 20, "a fleet with a past");
    assert!(
        sim.jobs().iter().any(|(_, s, _)| s == "Faulted"),
        "some jobs fault"
    );
    assert_within_budget(&sim, 1200);
    let stats = c.stats();
    assert_eq!(stats.retries, 0);
    assert!(stats.requests > 0);
    // A full snapshot reports every robot, with its VM.
    let (batch, _) = c.poll(ledger.cursor.clone()).await.unwrap();
    assert_eq!(batch.robots.len(), 8);
    assert!(
        batch
            .robots
            .iter()
            .all(|r| r.vm.as_deref().is_some_and(|v| v.starts_with("vm-rpa-")))
    );
    assert_eq!(batch.processes.len(), 6);
    assert!(
        batch
            .schedules
            .iter()
            .all(|s| s.cron.as_deref().is_some_and(|c| c.split(' ').count() == 7))
    );
    sim.stop().await;
}

#[tokio::test]
async fn strict_default_budget_is_never_exceeded() {
    let mut cfg = small_fleet(2);
    cfg.history = Duration::from_secs(1200);
    let sim = UipathSimulator::start(cfg).await.unwrap();
    let c = collector(&sim, 100, None).with_page_sizes(1000, 100);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    rounds(&sim, &c, &mut ledger, 1).await;
    ledger.assert_matches(&sim);
    assert_within_budget(&sim, 100);
    sim.stop().await;
}

#[tokio::test]
async fn a_full_minute_of_polling_stays_within_the_published_limit() {
    // Polls back to back for over a minute: the limiter, not the test, sets the pace, and no
    // minute of the simulator's request counts exceeds 100 on Jobs or QueueItems.
    let mut cfg = small_fleet(15);
    cfg.history = Duration::from_secs(600);
    let sim = UipathSimulator::start(cfg).await.unwrap();
    let c = collector(&sim, 100, None).with_page_sizes(1000, 100);
    let mut cursor = None;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(62) {
        sim.advance(Duration::from_secs(60));
        cursor = Some(c.poll(cursor).await.unwrap().1);
    }
    assert_within_budget(&sim, 100);
    let jobs = sim.requests_per_minute("Jobs");
    assert!(jobs[0] >= 80, "the budget is used, not wasted: {jobs:?}");
    sim.stop().await;
}

/// One fault case: sync, arm `faults`, let the tenant move on, sync to quiescence, compare.
async fn fault_case(
    seed: u64,
    faults: &[(FaultScope, Fault, u32)],
    http: Option<reqwest::Client>,
) -> Ledger {
    let sim = UipathSimulator::start(small_fleet(seed)).await.unwrap();
    let c = collector(&sim, 1200, http);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    for (scope, fault, times) in faults {
        sim.faults().arm(*scope, fault.clone(), *times);
    }
    rounds(&sim, &c, &mut ledger, 2).await;
    assert_eq!(sim.faults().pending(), 0, "every fault was hit");
    ledger.assert_matches(&sim);
    assert_within_budget(&sim, 1200);
    sim.stop().await;
    ledger
}

#[tokio::test]
async fn survives_429_with_retry_after() {
    let l = fault_case(
        3,
        &[(
            FaultScope::Runs,
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            3,
        )],
        None,
    )
    .await;
    assert_eq!(l.failed_polls, 0);
}

#[tokio::test]
async fn survives_5xx() {
    let faults = [
        (FaultScope::Runs, Fault::ServerError { status: 503 }, 2),
        (FaultScope::AnyData, Fault::ServerError { status: 502 }, 2),
        (FaultScope::Runs, Fault::ServerError { status: 504 }, 1),
    ];
    assert_eq!(fault_case(4, &faults, None).await.failed_polls, 0);
}

#[tokio::test]
async fn a_500_fails_the_poll_and_the_next_poll_recovers() {
    let l = fault_case(
        5,
        &[(FaultScope::Runs, Fault::ServerError { status: 500 }, 1)],
        None,
    )
    .await;
    assert_eq!(l.failed_polls, 1);
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried() {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let faults = [(
        FaultScope::Runs,
        Fault::Slow {
            delay: Duration::from_millis(1500),
        },
        2,
    )];
    assert_eq!(fault_case(6, &faults, Some(http)).await.failed_polls, 0);
}

#[tokio::test]
async fn malformed_json_is_read_again() {
    let faults = [
        (FaultScope::Runs, Fault::MalformedJson, 1),
        (FaultScope::AnyData, Fault::MalformedJson, 1),
    ];
    assert_eq!(fault_case(7, &faults, None).await.failed_polls, 0);
}

#[tokio::test]
async fn token_expiry_mid_paging_logs_in_again_once() {
    let faults = [
        (
            FaultScope::Runs,
            Fault::Slow {
                delay: Duration::ZERO,
            },
            1,
        ),
        (FaultScope::Runs, Fault::ExpireToken, 1),
        (FaultScope::AnyData, Fault::ExpireToken, 1),
    ];
    assert_eq!(fault_case(8, &faults, None).await.failed_polls, 0);
}

#[tokio::test]
async fn a_token_refused_twice_is_an_auth_error_and_the_next_poll_recovers() {
    let faults = [(FaultScope::Runs, Fault::ExpireToken, 2)];
    assert_eq!(fault_case(9, &faults, None).await.failed_polls, 1);
}

#[tokio::test]
async fn login_throttled_then_served() {
    let sim = UipathSimulator::start(small_fleet(10)).await.unwrap();
    sim.faults().arm(
        FaultScope::Auth,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
        1,
    );
    sim.faults()
        .arm(FaultScope::Auth, Fault::ServerError { status: 503 }, 1);
    let c = collector(&sim, 1200, None);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    ledger.assert_matches(&sim);
    assert_eq!(ledger.failed_polls, 0);
    sim.stop().await;
}

#[tokio::test]
async fn rows_inserted_and_moved_while_paging_are_neither_lost_nor_duplicated() {
    // Pages of 2 rows, and Jobs pages that see a job already read change (it moves behind
    // the page: `$skip` now skips a row) and late-committed jobs appear before the page (a
    // row is read twice).
    let sim = UipathSimulator::start(small_fleet(11)).await.unwrap();
    let c = collector(&sim, 1200, None).with_page_sizes(2, 2);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    for _ in 0..3 {
        sim.advance(Duration::from_secs(1800));
        sim.faults()
            .arm(FaultScope::Runs, Fault::InsertWhilePaging { rows: 2 }, 12);
        sim.faults()
            .arm(FaultScope::AnyData, Fault::InsertWhilePaging { rows: 3 }, 4);
        ledger.sync(&c).await;
        sim.faults().clear();
        ledger.sync(&c).await;
    }
    ledger.assert_matches(&sim);
    assert_eq!(ledger.failed_polls, 0);
    sim.stop().await;
}

#[tokio::test]
async fn late_commits_inside_the_overlap_are_caught_and_outside_are_not() {
    let sim = UipathSimulator::start(small_fleet(16)).await.unwrap();
    let c = collector(&sim, 1200, None);
    let mut ledger = Ledger::default();
    ledger.sync(&c).await;
    // Rows older than the newest one the client has read, by less than the overlap (5 s).
    assert_eq!(
        sim.commit_late_jobs("Finance/AP", 3, Duration::from_secs(2)),
        3
    );
    ledger.sync(&c).await;
    ledger.assert_matches(&sim);
    // The same without the overlap: the rows sort before the watermark and stay unseen
    // (until they change) - which is what the overlap is for.
    let blind = collector(&sim, 1200, None).with_overlap(Duration::ZERO);
    let mut blind_ledger = Ledger::default();
    blind_ledger.sync(&blind).await;
    sim.commit_late_jobs("HR/Onboarding", 2, Duration::from_secs(2));
    blind_ledger.sync(&blind).await;
    let truth = sim.jobs().len();
    assert_eq!(blind_ledger.jobs.len(), truth - 2);
    sim.stop().await;
}

#[tokio::test]
async fn restart_from_a_stored_cursor_loses_and_repeats_nothing() {
    let sim = UipathSimulator::start(small_fleet(12)).await.unwrap();
    let mut ledger = Ledger::default();
    {
        let c = collector(&sim, 1200, None);
        ledger.sync(&c).await;
        rounds(&sim, &c, &mut ledger, 1).await;
    }
    for _ in 0..3 {
        // The server stores the cursor as text and a new process reads it back.
        let stored = serde_json::to_string(ledger.cursor.as_ref().unwrap()).unwrap();
        ledger.cursor = Some(serde_json::from_str(&stored).unwrap());
        let c = collector(&sim, 1200, None);
        sim.faults()
            .arm(FaultScope::Runs, Fault::InsertWhilePaging { rows: 1 }, 2);
        rounds(&sim, &c, &mut ledger, 1).await;
    }
    ledger.assert_matches(&sim);
    assert!(
        sim.jobs().iter().any(|(_, s, _)| !RunState::is_terminal(
            hangar_collectors::uipath::normalize::run_state(s)
        )) || ledger.jobs.len() > 10
    );
    sim.stop().await;
}

#[tokio::test]
async fn on_prem_and_org_scoped_logins_work() {
    for login in [SimLogin::OnPrem, SimLogin::CloudOrgScoped] {
        let sim = UipathSimulator::start(SimConfig {
            login,
            ..small_fleet(13)
        })
        .await
        .unwrap();
        let c = collector(&sim, 1200, None);
        match login {
            SimLogin::OnPrem => assert_eq!(c.odata_root(), format!("{}/odata", sim.base_url())),
            _ => assert!(c.odata_root().ends_with("/acme/Prod/orchestrator_/odata")),
        }
        let mut ledger = Ledger::default();
        ledger.sync(&c).await;
        rounds(&sim, &c, &mut ledger, 1).await;
        ledger.assert_matches(&sim);
        sim.stop().await;
    }
}

#[tokio::test]
async fn the_token_is_cached_and_renewed_only_when_refused() {
    use hangar_collectors::uipath::auth::renew_after;
    assert_eq!(
        renew_after(Duration::from_secs(3600)),
        Duration::from_secs(3300)
    );
    assert_eq!(
        renew_after(Duration::from_secs(1800)),
        Duration::from_secs(1500)
    );
    assert_eq!(
        renew_after(Duration::from_secs(400)),
        Duration::from_secs(200)
    );
    for login in [SimLogin::Cloud, SimLogin::OnPrem] {
        let sim = UipathSimulator::start(SimConfig {
            login,
            ..small_fleet(17)
        })
        .await
        .unwrap();
        let endpoint = if login == SimLogin::OnPrem {
            "Authenticate"
        } else {
            "token"
        };
        let c = collector(&sim, 1200, None);
        let mut ledger = Ledger::default();
        rounds(&sim, &c, &mut ledger, 2).await;
        assert_eq!(
            sim.total_requests(endpoint),
            1,
            "one login for many requests"
        );
        sim.faults().arm(FaultScope::AnyData, Fault::ExpireToken, 1);
        rounds(&sim, &c, &mut ledger, 1).await;
        assert_eq!(
            sim.total_requests(endpoint),
            2,
            "one more login after a 401"
        );
        ledger.assert_matches(&sim);
        sim.stop().await;
    }
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error() {
    let sim = UipathSimulator::start(small_fleet(14)).await.unwrap();
    let mut cfg = sim.source_config(SourceId::parse("x").unwrap(), "d");
    if let hangar_collectors::SourceAuth::UipathCloud { client_secret, .. } = &mut cfg.auth {
        *client_secret = "nope".to_owned().into();
    }
    let c = UipathCollector::new(&cfg).unwrap();
    let err = c.poll(None).await.unwrap_err();
    assert!(
        matches!(err, hangar_collectors::CollectError::Auth(_)),
        "{err}"
    );
    assert!(!err.to_string().contains("nope"));
    sim.stop().await;
}
