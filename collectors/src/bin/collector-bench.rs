//! Collector benchmark: what keeping a busy UiPath tenant fresh costs in requests, and how fast
//! vendor pages parse into normalized runs.
//!
//! `cargo run --release -p hangar-collectors --bin collector-bench [-- --sim-minutes 60
//! --compliance-minutes 3]`
//!
//! 1. Freshness cost: a simulated tenant creating ≈5,000 jobs per simulated hour is polled once
//!    every 15 simulated seconds with an unthrottled budget; Jobs requests per simulated minute
//!    and the correctness of the resulting store are reported. Then a second tenant runs in real
//!    time against a collector with the default 100/min budget, polled every 15 s.
//! 2. Parse + normalize throughput of real simulator pages (UiPath Jobs, AA activity).

use std::collections::HashMap;
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hangar_collectors::aa::dto::{ListRequest, PageRequest};
use hangar_collectors::aa::sim::{AaSimulator, SimConfig as AaSimConfig};
use hangar_collectors::aa::{AaOptions, parse_and_normalize_activity};
use hangar_collectors::uipath::client::FOLDER_HEADER;
use hangar_collectors::uipath::normalize::run_state;
use hangar_collectors::uipath::sim::{SimConfig, SimHandle, UipathSimulator};
use hangar_collectors::uipath::{UipathCollector, UipathCursor, parse_and_normalize_jobs};
use hangar_collectors::{Collector, Cursor};
use hangar_model::fleet::{Batch, Run, SourceId};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Every endpoint the UiPath simulator counts.
const ENDPOINTS: &[&str] = &[
    "Jobs",
    "QueueItems",
    "Folders",
    "Machines",
    "Robots",
    "Sessions",
    "Releases",
    "ProcessSchedules",
    "QueueDefinitions",
    "token",
    "Authenticate",
];
const POLL_EVERY: Duration = Duration::from_secs(15);
const JOBS_LIMIT: u32 = 100;
const PARSE_TARGET: usize = 50_000;

/// A tenant creating ≈5,000 jobs per simulated hour. The simulator starts at most one manual
/// job per simulated second (3,600/h); the rest comes from 1,600 processes' schedules
/// (≈1,390/h). 1,200 robots (200 per leaf folder) keep pending queues short.
fn busy_tenant(history: Duration) -> SimConfig {
    SimConfig {
        robots: 1200,
        vms: 600,
        processes: 1600,
        manual_jobs_per_hour: 3600.0,
        history,
        ..SimConfig::default()
    }
}

struct Args {
    sim_minutes: u64,
    compliance_minutes: u64,
}

fn args() -> BenchResult<Args> {
    let mut a = Args {
        sim_minutes: 60,
        compliance_minutes: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse()?;
        match flag.as_str() {
            "--sim-minutes" => a.sim_minutes = value.max(1),
            "--compliance-minutes" => a.compliance_minutes = value.max(1),
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let started = Instant::now();
    let args = args()?;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "collector-bench (hangar-collectors {})",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "machine: {cores} cores available, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let sim = freshness_unthrottled(args.sim_minutes).await?;
    freshness_budgeted(args.compliance_minutes).await?;
    parse_uipath(&sim).await?;
    sim.stop().await;
    parse_aa().await?;
    println!();
    println!("total bench time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Runs the collector delivered, deduplicated by `Key` (the newest version wins), with a count
/// of every `(Key, LastModificationTime)` version delivered more than once.
#[derive(Default)]
struct Store {
    runs: HashMap<String, Run>,
    versions: HashMap<(String, Option<DateTime<Utc>>), u32>,
    delivered: u64,
}

impl Store {
    fn absorb(&mut self, batch: Batch) {
        for run in batch.runs {
            self.delivered += 1;
            *self
                .versions
                .entry((run.vendor_key.clone(), run.updated_at))
                .or_default() += 1;
            match self.runs.get(&run.vendor_key) {
                Some(old) if old.updated_at > run.updated_at => {}
                _ => {
                    self.runs.insert(run.vendor_key.clone(), run);
                }
            }
        }
    }

    /// Compares with the simulator's ground truth and prints the verdict.
    fn check(&self, truth: &[(String, String, DateTime<Utc>)]) {
        let mut lost = 0;
        let mut stale = 0;
        for (key, state, modified) in truth {
            match self.runs.get(key) {
                None => lost += 1,
                Some(r) if r.state != run_state(state) || r.updated_at != Some(*modified) => {
                    stale += 1;
                }
                Some(_) => {}
            }
        }
        let extra = self.runs.len().saturating_sub(truth.len() - lost);
        let duplicated = self.versions.values().filter(|&&n| n > 1).count();
        let ok = lost == 0 && stale == 0 && extra == 0 && duplicated == 0;
        println!(
            "  store vs ground truth: {} jobs in sim, {} runs stored ({} deliveries); \
             lost {lost}, stale state {stale}, unknown {extra}, duplicated versions {duplicated} -> {}",
            truth.len(),
            self.runs.len(),
            self.delivered,
            if ok { "MATCH" } else { "MISMATCH" }
        );
    }
}

fn all_requests(sim: &SimHandle) -> u64 {
    ENDPOINTS.iter().map(|e| sim.total_requests(e)).sum()
}

fn mean_max(v: &[u64]) -> (f64, u64) {
    let mean = v.iter().sum::<u64>() as f64 / v.len().max(1) as f64;
    (mean, v.iter().copied().max().unwrap_or(0))
}

/// `(folders, folders without any job yet, pending jobs)` of a stored cursor.
fn cursor_shape(cursor: &serde_json::Value) -> BenchResult<(usize, usize, usize)> {
    let cur = UipathCursor::from_stored(Some(cursor.clone()))?;
    let empty = cur
        .folders
        .values()
        .filter(|f| f.jobs_watermark.is_none())
        .count();
    let pending = cur.folders.values().map(|f| f.pending.len()).sum();
    Ok((cur.folders.len(), empty, pending))
}

/// Part 1a: simulated time, unthrottled budget, one poll per 15 simulated seconds.
async fn freshness_unthrottled(minutes: u64) -> BenchResult<SimHandle> {
    println!();
    println!("== 1a. Freshness cost, UiPath, unthrottled (simulated time) ==");
    let cfg = busy_tenant(Duration::from_secs(3600));
    let t = Instant::now();
    let sim = UipathSimulator::start(cfg.clone()).await?;
    let mut source = sim.source_config(SourceId::parse("bench-uipath")?, "bench");
    source.requests_per_minute = 1_000_000;
    // Polled every 15 s: the collector paces its re-checks of unfinished jobs by this.
    source.poll_interval_secs = 15;
    let collector = UipathCollector::new(&source)?;
    let mut store = Store::default();
    let (batch, cursor) = collector.poll(None).await?;
    store.absorb(batch);
    let mut cursor: Cursor = Some(cursor);
    let jobs_before = sim.jobs().len();
    println!(
        "  tenant: {} robots, {} VMs, {} processes, manual {}/h, {} leaf folders; \
         1 h of history ({jobs_before} jobs) read by a warm-up poll in {:.1} s",
        cfg.robots,
        cfg.vms,
        cfg.processes,
        cfg.manual_jobs_per_hour,
        cfg.folders.len(),
        t.elapsed().as_secs_f64()
    );
    let polls = minutes * 60 / POLL_EVERY.as_secs();
    let per_minute = 60 / POLL_EVERY.as_secs();
    let mut jobs_min = vec![0u64; minutes as usize];
    let mut all_min = vec![0u64; minutes as usize];
    let mut poll_ms = Vec::new();
    let mut pending_sum = 0usize;
    let mut shape = (0, 0, 0);
    let window = Instant::now();
    for i in 0..polls {
        sim.advance(POLL_EVERY);
        let (jobs0, all0) = (sim.total_requests("Jobs"), all_requests(&sim));
        let t = Instant::now();
        let (batch, next) = collector.poll(cursor.take()).await?;
        poll_ms.push(t.elapsed().as_millis() as u64);
        store.absorb(batch);
        shape = cursor_shape(&next)?;
        pending_sum += shape.2;
        cursor = Some(next);
        let m = (i / per_minute) as usize;
        jobs_min[m] += sim.total_requests("Jobs") - jobs0;
        all_min[m] += all_requests(&sim) - all0;
    }
    let truth = sim.jobs();
    let created = truth.len() - jobs_before;
    let (folders, empty, _) = shape;
    let (jobs_mean, jobs_max) = mean_max(&jobs_min);
    let (all_mean, all_max) = mean_max(&all_min);
    let (poll_mean, poll_max) = mean_max(&poll_ms);
    let jobs_total: u64 = jobs_min.iter().sum();
    let scans = polls * folders as u64;
    println!(
        "  window: {minutes} simulated min, {polls} polls (advance 15 s, then poll), \
         {:.1} s wall",
        window.elapsed().as_secs_f64()
    );
    println!(
        "  jobs created in window: {created} ({:.0}/simulated hour)",
        created as f64 * 60.0 / minutes as f64
    );
    println!(
        "  Jobs requests/min: mean {jobs_mean:.1}, max {jobs_max} (goal <= {JOBS_LIMIT}) -> {}",
        if jobs_max <= u64::from(JOBS_LIMIT) {
            "MET"
        } else {
            "NOT MET"
        }
    );
    println!(
        "  Jobs requests per poll: {:.1} = {folders} folder scans ({empty} folders never hold \
         jobs) + {:.1} pending re-checks (mean {:.0} non-terminal jobs tracked, {} ids per \
         request)",
        jobs_total as f64 / polls as f64,
        jobs_total.saturating_sub(scans) as f64 / polls as f64,
        pending_sum as f64 / polls as f64,
        50
    );
    println!(
        "  Jobs requests/min by source: scans {:.1} (of which empty folders {:.1}), \
         re-checks {:.1}",
        scans as f64 / minutes as f64,
        (polls * empty as u64) as f64 / minutes as f64,
        jobs_total.saturating_sub(scans) as f64 / minutes as f64
    );
    println!("  all endpoints requests/min: mean {all_mean:.1}, max {all_max}");
    println!(
        "  poll wall time: mean {poll_mean:.0} ms, max {poll_max} ms; collector stats {:?}",
        collector.stats()
    );
    store.check(&truth);
    Ok(sim)
}

/// Part 1b: real time, the default 100/min budget, one poll every 15 s.
async fn freshness_budgeted(minutes: u64) -> BenchResult<()> {
    println!();
    println!("== 1b. Same tenant, default budget ({JOBS_LIMIT}/min), real time ==");
    let sim = UipathSimulator::start(busy_tenant(Duration::from_secs(15 * 60))).await?;
    let mut source = sim.source_config(SourceId::parse("bench-uipath-budget")?, "bench");
    source.poll_interval_secs = 15;
    let budget = source.requests_per_minute;
    let collector = UipathCollector::new(&source)?;
    sim.set_realtime(true);
    let jobs_before = sim.jobs().len();
    let started = Instant::now();
    let mut store = Store::default();
    let mut cursor: Cursor = None;
    let mut every = tokio::time::interval(POLL_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut spans: Vec<(Instant, Instant)> = Vec::new();
    while started.elapsed() < Duration::from_secs(minutes * 60) {
        every.tick().await;
        let t = Instant::now();
        let (batch, next) = collector.poll(cursor.take()).await?;
        spans.push((t, Instant::now()));
        store.absorb(batch);
        cursor = Some(next);
    }
    sim.set_realtime(false);
    let (batch, next) = collector.poll(cursor.take()).await?;
    store.absorb(batch);
    let (_, _, pending) = cursor_shape(&next)?;
    let truth = sim.jobs();
    let created = truth.len() - jobs_before;
    let jobs_min = sim.requests_per_minute("Jobs");
    let queue_min = sim.requests_per_minute("QueueItems");
    let full = jobs_min.len().saturating_sub(1);
    let jobs_full: Vec<u64> = jobs_min.iter().take(full).map(|&n| u64::from(n)).collect();
    let (mean, max) = mean_max(&jobs_full);
    let max_any = jobs_min.iter().copied().max().unwrap_or(0);
    let queue_max = queue_min.iter().copied().max().unwrap_or(0);
    let durations: Vec<u64> = spans
        .iter()
        .skip(1)
        .map(|(s, e)| (*e - *s).as_millis() as u64)
        .collect();
    let (dur_mean, dur_max) = mean_max(&durations);
    let worst_gap = spans
        .windows(2)
        .skip(1)
        .map(|w| w[1].1 - w[0].0)
        .max()
        .unwrap_or_default();
    println!(
        "  {minutes} min wall (sim in real time), {} polls + 1 final; {created} jobs created \
         ({:.0}/h); 15 min of history read by the first poll in {:.1} s",
        spans.len(),
        created as f64 * 3600.0 / started.elapsed().as_secs_f64(),
        spans.first().map_or(0.0, |(s, e)| (*e - *s).as_secs_f64())
    );
    println!("  Jobs requests per wall minute (sim's counts): {jobs_min:?}");
    println!(
        "  Jobs requests/min over full minutes: mean {mean:.1}, max {max}; max in any minute \
         {max_any}; QueueItems max {queue_max} -> budget {budget}/min {}",
        if max_any <= budget && queue_max <= budget {
            "NEVER EXCEEDED"
        } else {
            "EXCEEDED"
        }
    );
    println!(
        "  steady polls: mean {:.1} s, max {:.1} s; worst staleness bound (poll k start -> \
         poll k+1 end) {:.1} s; {pending} non-terminal jobs tracked",
        dur_mean / 1000.0,
        dur_max as f64 / 1000.0,
        worst_gap.as_secs_f64()
    );
    println!("  collector stats {:?}", collector.stats());
    store.check(&truth);
    sim.stop().await;
    Ok(())
}

/// Times `parse` over `pages` (repeated until at least `PARSE_TARGET` rows) and prints rows/s
/// and MB/s.
fn time_parse(
    label: &str,
    unit: &str,
    pages: &[Vec<u8>],
    parse: impl Fn(&[u8]) -> BenchResult<usize>,
) -> BenchResult<()> {
    let mut rows_per_round = 0;
    for p in pages {
        rows_per_round += parse(p)?;
    }
    if rows_per_round == 0 {
        return Err(format!("{label}: no rows to parse").into());
    }
    let rounds = PARSE_TARGET.div_ceil(rows_per_round);
    let bytes_per_round: usize = pages.iter().map(Vec::len).sum();
    let t = Instant::now();
    let mut rows = 0;
    for _ in 0..rounds {
        for p in pages {
            rows += black_box(parse(black_box(p))?);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let bytes = bytes_per_round * rounds;
    println!(
        "  {label}: {} pages x {rounds} rounds = {rows} {unit}, {:.1} MB in {:.3} s",
        pages.len(),
        bytes as f64 / 1e6,
        secs
    );
    println!(
        "  {label}: {:.0} {unit}/s, {:.1} MB/s, {:.2} us/{}, {:.0} bytes/{}",
        rows as f64 / secs,
        bytes as f64 / 1e6 / secs,
        secs * 1e6 / rows as f64,
        unit.trim_end_matches('s'),
        bytes_per_round as f64 / rows_per_round as f64,
        unit.trim_end_matches('s'),
    );
    Ok(())
}

/// Part 2a: full 1,000-job pages exactly as the simulator serves them to the collector.
async fn parse_uipath(sim: &SimHandle) -> BenchResult<()> {
    println!();
    println!("== 2a. Parse + normalize, UiPath Jobs pages ==");
    let http = reqwest::Client::new();
    let cfg = SimConfig::default();
    let token: serde_json::Value = http
        .post(format!("{}/identity_/connect/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token["access_token"].as_str().ok_or("no access_token")?;
    let source = SourceId::parse("bench-uipath")?;
    let mut pages = Vec::new();
    for folder in 1..=12i64 {
        for skip in (0..).step_by(1000) {
            let resp = http
                .get(format!("{}/odata/Jobs", sim.base_url()))
                .query(&[
                    ("$top", "1000".to_owned()),
                    ("$skip", skip.to_string()),
                    ("$orderby", "LastModificationTime asc,Id asc".to_owned()),
                    ("$expand", "Robot,Release".to_owned()),
                ])
                .bearer_auth(token)
                .header(FOLDER_HEADER, folder.to_string())
                .send()
                .await?;
            if !resp.status().is_success() {
                break;
            }
            let body = resp.bytes().await?.to_vec();
            let n = parse_and_normalize_jobs(&body, &source)?.len();
            if n < 1000 {
                break;
            }
            pages.push(body);
        }
    }
    time_parse("parse_and_normalize_jobs", "jobs", &pages, |b| {
        Ok(parse_and_normalize_jobs(b, &source)?.len())
    })
}

/// Part 2b: activity pages of the collector's page length from a busy AA simulator.
async fn parse_aa() -> BenchResult<()> {
    println!();
    println!("== 2b. Parse + normalize, Automation Anywhere activity pages ==");
    let cfg = AaSimConfig {
        devices: 200,
        users: 200,
        bots: 60,
        schedules: 40,
        run_now_per_hour: 5000.0,
        ..AaSimConfig::default()
    };
    let sim = AaSimulator::start(cfg.clone()).await?;
    sim.advance(Duration::from_secs(2 * 3600)).await;
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/v1/authentication", sim.base_url()))
        .json(&serde_json::json!({"username": cfg.username, "apiKey": cfg.api_key}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().ok_or("no token")?;
    let source = SourceId::parse("bench-aa")?;
    let length = AaOptions::default().page_length;
    let mut pages = Vec::new();
    let mut offset = 0;
    while pages.len() < 100 {
        let req = ListRequest {
            page: Some(PageRequest {
                offset,
                length: Some(length),
            }),
            ..ListRequest::default()
        };
        let body = http
            .post(format!("{}/v3/activity/list", sim.base_url()))
            .header("X-Authorization", token)
            .json(&req)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?
            .to_vec();
        let n = parse_and_normalize_activity(&body, &source)?.len() as u64;
        if n < length {
            break;
        }
        pages.push(body);
        offset += length;
    }
    println!(
        "  {} executions in the simulator after 2 simulated hours; {length}-row pages",
        sim.executions().len()
    );
    time_parse("parse_and_normalize_activity", "executions", &pages, |b| {
        Ok(parse_and_normalize_activity(b, &source)?.len())
    })?;
    sim.stop().await;
    Ok(())
}
