//! The AA collector against the AA simulator over real HTTP: through every injected fault it
//! ends with exactly the executions the simulator holds — none lost, none handed out twice,
//! final states equal — within the request budget, and from any stored cursor.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hangar_collectors::aa::client::{ACTIVITY_PATH, DEVICES_PATH};
use hangar_collectors::aa::sim::{AaSimulator, SimConfig, SimHandle};
use hangar_collectors::aa::{AaCollector, AaOptions};
use hangar_collectors::sim::{Fault, FaultScope};
use hangar_collectors::{CollectError, Collector, RetryPolicy};
use hangar_model::{RobotState, Run, SourceId};

const MIN: Duration = Duration::from_secs(60);

/// What the server would have stored: runs upserted by key, and the cursor.
#[derive(Clone, Default)]
struct Store {
    runs: HashMap<String, Run>,
    sent: HashSet<(String, Option<DateTime<Utc>>)>,
    cursor: Option<serde_json::Value>,
}

impl Store {
    async fn poll(&mut self, c: &AaCollector) -> Result<usize, CollectError> {
        let (batch, cursor) = c.poll(self.cursor.clone()).await?;
        let mut keys = HashSet::new();
        for r in &batch.runs {
            assert!(
                keys.insert(r.vendor_key.clone()),
                "{} twice in one batch",
                r.vendor_key
            );
            assert!(
                self.sent.insert((r.vendor_key.clone(), r.updated_at)),
                "{} at {:?} handed out twice",
                r.vendor_key,
                r.updated_at
            );
            self.runs.insert(r.vendor_key.clone(), r.clone());
        }
        // Stored as text, the way the server keeps it.
        self.cursor = Some(serde_json::from_str(&cursor.to_string()).expect("cursor is JSON"));
        Ok(batch.runs.len())
    }

    fn assert_matches(&self, sim: &SimHandle) {
        let truth = sim.executions();
        assert!(!truth.is_empty());
        let mut lost = Vec::new();
        for t in &truth {
            match self.runs.get(&t.id) {
                None => lost.push(t.id.clone()),
                Some(r) => {
                    assert_eq!(r.raw_state, t.status, "state of {}", t.id);
                    assert_eq!(r.updated_at, Some(t.modified_on), "modifiedOn of {}", t.id);
                }
            }
        }
        assert!(
            lost.is_empty(),
            "{} of {} lost: {lost:?}",
            lost.len(),
            truth.len()
        );
        assert_eq!(
            self.runs.len(),
            truth.len(),
            "runs the simulator does not hold"
        );
    }
}

fn busy_config(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        run_now_per_hour: 120.0,
        // Stuck runs sit early in the modifiedOn ordering: when one reports progress while
        // the collector pages, every later row shifts.
        stuck_rate: 0.03,
        ..SimConfig::default()
    }
}

fn fast_options() -> AaOptions {
    AaOptions {
        retry: RetryPolicy {
            base: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        ..AaOptions::default()
    }
}

fn collector(sim: &SimHandle, api_key: bool, per_minute: u32) -> AaCollector {
    let mut cfg = sim.source_config(SourceId("aa-finance".into()), "finance", api_key);
    cfg.requests_per_minute = per_minute;
    AaCollector::with_options(&cfg, fast_options()).expect("an AA source")
}

/// Arms `faults` on a busy fleet, polls through them while the fleet keeps working, then
/// checks the collector holds exactly what the simulator holds.
async fn survives(seed: u64, faults: &[(FaultScope, Fault, u32)]) -> (Store, SimHandle) {
    let sim = AaSimulator::start(busy_config(seed)).await.unwrap();
    sim.advance(150 * MIN).await;
    let c = collector(&sim, seed.is_multiple_of(2), 3000);
    for (scope, fault, times) in faults {
        sim.faults().arm(*scope, fault.clone(), *times);
    }
    let mut store = Store::default();
    let mut errors = 0;
    for round in 0..12 {
        if round % 2 == 1 {
            sim.advance(7 * MIN).await;
        }
        if store.poll(&c).await.is_err() {
            errors += 1;
        }
    }
    assert_eq!(sim.faults().pending(), 0, "every armed fault was met");
    assert!(errors <= 6, "{errors} failed polls");
    store.poll(&c).await.expect("a clean poll at the end");
    store.assert_matches(&sim);
    let used = sim.max_requests_in_any_minute(ACTIVITY_PATH);
    assert!(used <= 3000, "{used} activity requests in a minute");
    (store, sim)
}

fn noop(times: u32) -> (FaultScope, Fault, u32) {
    (
        FaultScope::Runs,
        Fault::Slow {
            delay: Duration::ZERO,
        },
        times,
    )
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let (_, sim) = survives(
        1,
        &[
            noop(1),
            (
                FaultScope::Runs,
                Fault::RateLimited {
                    retry_after_secs: 1,
                },
                2,
            ),
            (
                FaultScope::AnyData,
                Fault::RateLimited {
                    retry_after_secs: 0,
                },
                2,
            ),
        ],
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn server_errors() {
    let (_, sim) = survives(
        2,
        &[
            noop(2),
            (FaultScope::Runs, Fault::ServerError { status: 503 }, 3),
            (FaultScope::Runs, Fault::ServerError { status: 500 }, 1),
            (FaultScope::AnyData, Fault::ServerError { status: 502 }, 2),
        ],
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn slow_answers() {
    let slow = Fault::Slow {
        delay: Duration::from_millis(400),
    };
    let (_, sim) = survives(
        3,
        &[
            (FaultScope::Runs, slow.clone(), 3),
            (FaultScope::AnyData, slow, 2),
        ],
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn malformed_json() {
    let (_, sim) = survives(
        4,
        &[
            noop(1),
            (FaultScope::Runs, Fault::MalformedJson, 4),
            (FaultScope::AnyData, Fault::MalformedJson, 1),
        ],
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn token_expires_mid_paging() {
    let (_, sim) = survives(
        5,
        &[
            noop(2),
            (FaultScope::Runs, Fault::ExpireToken, 1),
            noop(3),
            (FaultScope::Runs, Fault::ExpireToken, 1),
        ],
    )
    .await;
    assert!(sim.logins() >= 3, "logged in again: {}", sim.logins());
    sim.stop().await;
}

#[tokio::test]
async fn rows_inserted_and_moved_while_paging() {
    let (_, sim) = survives(
        6,
        &[
            noop(1),
            (FaultScope::Runs, Fault::InsertWhilePaging { rows: 4 }, 8),
        ],
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn everything_at_once() {
    let (store, sim) = survives(
        8,
        &[
            noop(1),
            (FaultScope::Runs, Fault::InsertWhilePaging { rows: 2 }, 2),
            (
                FaultScope::Runs,
                Fault::RateLimited {
                    retry_after_secs: 1,
                },
                1,
            ),
            (FaultScope::Runs, Fault::ExpireToken, 1),
            (FaultScope::Runs, Fault::MalformedJson, 1),
            (FaultScope::Runs, Fault::ServerError { status: 504 }, 1),
            (
                FaultScope::AnyData,
                Fault::Slow {
                    delay: Duration::from_millis(100),
                },
                1,
            ),
            (FaultScope::Runs, Fault::InsertWhilePaging { rows: 3 }, 2),
        ],
    )
    .await;
    // A busy fleet has failures with their messages and runs still going.
    let failed = store
        .runs
        .values()
        .filter(|r| r.raw_state == "RUN_FAILED")
        .count();
    assert!(failed > 0);
    assert!(
        store
            .runs
            .values()
            .filter(|r| r.raw_state == "RUN_FAILED")
            .all(|r| r.error.is_some())
    );
    sim.stop().await;
}

/// A collector restarted from any cursor it ever stored (the server stores the cursor with
/// the rows, so a crash loses neither) ends with exactly the simulator's executions.
#[tokio::test]
async fn restart_from_any_stored_cursor() {
    let sim = AaSimulator::start(busy_config(9)).await.unwrap();
    sim.advance(60 * MIN).await;
    let first = collector(&sim, true, 3000);
    let mut snapshots = vec![Store::default()];
    let mut store = Store::default();
    for _ in 0..5 {
        store.poll(&first).await.unwrap();
        snapshots.push(store.clone());
        sim.advance(11 * MIN).await;
    }
    drop(first);
    for (k, snap) in snapshots.into_iter().enumerate() {
        let mut s = snap;
        let restarted = collector(&sim, true, 3000);
        for _ in 0..2 {
            s.poll(&restarted)
                .await
                .unwrap_or_else(|e| panic!("from cursor {k}: {e}"));
        }
        s.assert_matches(&sim);
    }
    // Garbage starts afresh rather than failing.
    let mut s = Store {
        cursor: Some(serde_json::json!({"watermark": "soon"})),
        ..Store::default()
    };
    s.poll(&collector(&sim, true, 3000)).await.unwrap();
    s.assert_matches(&sim);
    sim.stop().await;
}

/// With a small budget the collector waits instead of exceeding it: never more than
/// `requests_per_minute` activity requests in any 60 seconds.
#[tokio::test]
async fn stays_within_the_request_budget() {
    let sim = AaSimulator::start(SimConfig {
        seed: 10,
        run_now_per_hour: 420.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.advance(300 * MIN).await;
    let n = sim.executions().len();
    assert!(n > 1800, "{n} executions");
    let c = collector(&sim, true, 120);
    let mut store = Store::default();
    let t0 = Instant::now();
    store.poll(&c).await.unwrap();
    let took = t0.elapsed();
    store.assert_matches(&sim);
    let requests = sim.requests(ACTIVITY_PATH);
    assert!(requests >= 19, "{requests} pages");
    // 10 at once, then 109 a minute.
    let floor = Duration::from_secs_f64((requests - 10) as f64 * 60.0 / 109.0 * 0.9);
    assert!(took >= floor, "{requests} requests took {took:?}");
    assert!(sim.max_requests_in_any_minute(ACTIVITY_PATH) <= 120);
    assert!(sim.max_requests_in_any_minute(DEVICES_PATH) <= 120);
    assert_eq!(
        sim.requests_per_minute(ACTIVITY_PATH).iter().sum::<u64>(),
        requests
    );
    sim.stop().await;
}

/// Devices, schedules and bot files come with every poll; runs still open are re-checked
/// until they finish.
#[tokio::test]
async fn snapshots_and_open_runs() {
    let sim = AaSimulator::start(SimConfig {
        seed: 11,
        disconnects_per_device_hour: 2.0,
        ..busy_config(11)
    })
    .await
    .unwrap();
    sim.advance(90 * MIN).await;
    let c = collector(&sim, true, 3000);
    let mut store = Store::default();
    store.poll(&c).await.unwrap();
    let (batch, cursor) = c.poll(store.cursor.clone()).await.unwrap();
    assert!(batch.runs.is_empty(), "nothing changed, nothing handed out");
    assert_eq!(batch.robots.len(), 12);
    assert!(
        batch
            .robots
            .iter()
            .all(|r| r.vm.as_deref().is_some_and(|v| v.starts_with("vm-aa-")))
    );
    let devices = sim.devices();
    for r in &batch.robots {
        let connected = devices[&r.vendor_key];
        assert_eq!(
            r.state == RobotState::Disconnected,
            !connected,
            "{}",
            r.vendor_key
        );
    }
    assert!(batch.robots.iter().any(|r| r.state == RobotState::Busy));
    assert_eq!(batch.schedules.len(), 6);
    assert!(batch.schedules.iter().filter(|s| s.cron.is_some()).count() >= 5);
    assert!(
        batch
            .schedules
            .iter()
            .all(|s| s.time_zone.is_some() && !s.process.is_empty())
    );
    assert_eq!(batch.processes.len(), 8);
    assert!(
        batch
            .processes
            .iter()
            .all(|p| p.vendor_key.parse::<u32>().is_ok())
    );
    let open = cursor["pending"].as_object().unwrap().len();
    assert!(open > 0, "some runs are still going");
    sim.advance(4 * 60 * MIN).await;
    store.poll(&c).await.unwrap();
    store.assert_matches(&sim);
    sim.stop().await;
}

/// The demo's realtime ticker moves simulated time by itself.
#[tokio::test]
async fn realtime_ticker_moves_time() {
    let sim = AaSimulator::start(SimConfig {
        realtime: Some(hangar_collectors::aa::sim::Realtime {
            tick: Duration::from_millis(20),
            speed: 3000,
        }),
        ..busy_config(12)
    })
    .await
    .unwrap();
    let t0 = sim.now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.now() - t0 >= chrono::Duration::minutes(5));
    let mut store = Store::default();
    store.poll(&collector(&sim, true, 3000)).await.unwrap();
    assert!(!store.runs.is_empty());
    sim.stop().await;
}
