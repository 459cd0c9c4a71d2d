//! Monitoring-pipeline benchmark: what the store, the ingest writer and the stream cost.
//!
//! `cargo run --release -p hangar-server --bin hangar-bench -- [--runs N] [--stored N]
//! [--hooks N] [--skip-pg]`
//!
//! 1. Ingest end to end: run events (running → finished, so rollups work) submitted through
//!    `Ingest` by concurrent producers in poll-sized batches, beside a bare multi-row INSERT of
//!    the same rows into a fresh table of the same shape. SQLite (temp file, WAL) and PostgreSQL.
//! 2. Reads the wall makes with 1,000,000 runs and 30 days of rollups stored: `wall_summary`
//!    and `saturation` over 500 robots × 30 days.
//! 3. Webhook received → `runs_changed` SSE frame sent, through a real app over real HTTP.

use std::collections::HashMap;
use std::error::Error;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use hangar_collectors::uipath;
use hangar_model::{Batch, Run, RunState, SourceId, Vendor};
use hangar_server::Application;
use hangar_server::collect::{SourceSpec, vendor_factory};
use hangar_server::config::{Config, DatabaseConfig};
use hangar_server::events::EventHub;
use hangar_server::ingest::{Ingest, IngestConfig};
use hangar_server::store::{self, Store};
use secrecy::SecretString;
use sqlx::{Connection, PgPool, SqlitePool};

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const ROBOTS: usize = 500;
const PROCESSES: usize = 50;
const SOURCES: usize = 4;
const PRODUCERS: usize = 4;
const BATCH: usize = 500;
const DAYS: i64 = 30;

/// `--name N` from the command line, or `default`.
fn opt(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name);
    at.and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// A cheap deterministic hash, for spreading states and durations.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    x = (x ^ (x >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "NOT MET" }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn summary(label: &str, mut ms: Vec<f64>, goal_ms: f64) {
    ms.sort_by(f64::total_cmp);
    let (p50, p99, max) = (pct(&ms, 0.5), pct(&ms, 0.99), pct(&ms, 1.0));
    println!(
        "  {label:<34} n={:<4} p50 {p50:>8.2} ms  p99 {p99:>8.2} ms  max {max:>8.2} ms   goal p99 ≤ {goal_ms} ms: {}",
        ms.len(),
        verdict(p99 <= goal_ms)
    );
}

fn source(i: usize) -> SourceId {
    SourceId(format!("bench-{i}"))
}

/// One run report, started at `at` for `secs`; `finished` gives its last report.
fn run(src: usize, idx: u64, at: DateTime<Utc>, secs: i64, finished: bool) -> Run {
    let (h, robot) = (mix(idx), idx % ROBOTS as u64);
    let ended = at + chrono::Duration::seconds(secs);
    let (state, raw) = match (finished, h % 100) {
        (false, _) => (RunState::Running, "Running"),
        (true, 0..=7) => (RunState::Failed, "Faulted"),
        (true, 8..=9) => (RunState::Stopped, "Stopped"),
        (true, _) => (RunState::Succeeded, "Successful"),
    };
    Run {
        source: source(src),
        vendor: Vendor::Uipath,
        vendor_key: format!("{:08x}-6a0e-4c5e-9a51-{idx:012x}", h as u32),
        process: format!("Process_{:02}", (h >> 8) as usize % PROCESSES),
        robot: Some(format!("bot-{robot:03}")),
        vm: Some(format!("vm-{robot:03}")),
        folder: Some("Finance/AP".to_owned()),
        state,
        raw_state: raw.to_owned(),
        created_at: Some(at),
        started_at: Some(at),
        ended_at: finished.then_some(ended),
        updated_at: Some(if finished { ended } else { at }),
        error: (state == RunState::Failed).then(|| "No element 'Submit'.".to_owned()),
        trigger: Some("schedule".to_owned()),
        schedule_key: None,
    }
}

/// Each producer's batches: batch j reports chunk j starting and chunk j−1 finishing.
fn ingest_workload(events: usize, base: DateTime<Utc>) -> Vec<Vec<Batch>> {
    let half = BATCH / 2;
    let per = events / (PRODUCERS * BATCH);
    (0..PRODUCERS)
        .map(|p| {
            let chunk = |c: usize, fin: bool| -> Vec<Run> {
                (0..half)
                    .map(|k| ((p * (per + 1) + c) * half + k) as u64)
                    .map(|i| {
                        run(
                            p,
                            i,
                            base + chrono::Duration::seconds((i % 86_400) as i64),
                            60 + (mix(i) % 1_740) as i64,
                            fin,
                        )
                    })
                    .collect()
            };
            (0..=per)
                .map(|j| {
                    let mut runs = if j < per { chunk(j, false) } else { Vec::new() };
                    if j > 0 {
                        runs.extend(chunk(j - 1, true));
                    }
                    Batch {
                        runs,
                        ..Default::default()
                    }
                })
                .collect()
        })
        .collect()
}

/// A raw pool on the benchmark database, for bare inserts, loading and plans.
enum Raw {
    Lite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$pool` bound to the engine's pool and `$db` naming its `sqlx` database.
macro_rules! on_raw {
    ($raw:expr, $pool:ident, $db:ident => $body:expr) => {
        match $raw {
            Raw::Lite($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            Raw::Pg($pool) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}

/// A table of the same columns, key and indexes as `runs`, without the upsert and rollup.
const BARE: &str = "CREATE TABLE runs_bare AS SELECT * FROM runs WHERE 1 = 0;
    CREATE UNIQUE INDEX rb_pk ON runs_bare (source_id, vendor_key);
    CREATE INDEX rb_started ON runs_bare (started_at);
    CREATE INDEX rb_state ON runs_bare (state) WHERE state NOT IN ('succeeded', 'failed', 'stopped');
    CREATE INDEX rb_spe ON runs_bare (source_id, process, ended_at);
    CREATE INDEX rb_ended ON runs_bare (ended_at);
    CREATE INDEX rb_roll ON runs_bare (source_id)
        WHERE NOT rolled_up AND state IN ('succeeded', 'failed', 'stopped');";

const RUN_COLS: &str = "source_id, vendor_key, vendor, process, robot, vm, folder, state, raw_state, \
    created_at, started_at, ended_at, updated_at, error, trigger_kind, schedule_key, first_seen_at, \
    last_seen_at, rolled_up";

impl Raw {
    async fn open(url: &str) -> BenchResult<Raw> {
        Ok(if url.starts_with("sqlite:") {
            let o = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30));
            Raw::Lite(SqlitePool::connect_with(o).await?)
        } else {
            Raw::Pg(PgPool::connect(url).await?)
        })
    }

    async fn exec(&self, sql: &str) -> BenchResult<()> {
        on_raw!(self, p, D => { sqlx::raw_sql(sql).execute(p).await?; });
        Ok(())
    }

    /// Multi-row INSERTs of `BATCH` rows each, one transaction for all `runs`.
    async fn insert_runs(&self, table: &str, runs: &[Run], rolled: bool) -> BenchResult<()> {
        let now = Utc::now();
        on_raw!(self, p, D => {
            let mut tx = p.begin().await?;
            for rows in runs.chunks(BATCH) {
                let mut qb = sqlx::QueryBuilder::<D>::new(format!("INSERT INTO {table} ({RUN_COLS}) "));
                qb.push_values(rows, |mut b, r| {
                    b.push_bind(r.source.as_str()).push_bind(r.vendor_key.as_str())
                        .push_bind(r.vendor.as_str()).push_bind(r.process.as_str())
                        .push_bind(r.robot.as_deref()).push_bind(r.vm.as_deref())
                        .push_bind(r.folder.as_deref()).push_bind(r.state.as_str())
                        .push_bind(r.raw_state.as_str()).push_bind(r.created_at)
                        .push_bind(r.started_at).push_bind(r.ended_at).push_bind(r.updated_at)
                        .push_bind(r.error.as_deref()).push_bind(r.trigger.as_deref())
                        .push_bind(r.schedule_key.as_deref()).push_bind(now).push_bind(now)
                        .push_bind(rolled && r.state.is_terminal());
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// A fresh database: a SQLite file in a temp dir, or a new PostgreSQL database.
struct Db {
    url: String,
    dir: std::path::PathBuf,
    pg_name: Option<String>,
}

impl Db {
    async fn new(pg: bool) -> BenchResult<Db> {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("hangar-bench-{tag}"));
        std::fs::create_dir_all(&dir)?;
        let pg_name = pg.then(|| format!("hangar_bench_{tag}"));
        let url = match &pg_name {
            None => format!("sqlite://{}", dir.join("hangar.db").display()),
            Some(name) => {
                let mut c = sqlx::PgConnection::connect(PG_ADMIN).await?;
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await?;
                format!("postgres://postgres@127.0.0.1:5432/{name}")
            }
        };
        Ok(Db { url, dir, pg_name })
    }

    /// The store (migrated, with the benchmark's sources) and a raw pool beside it.
    async fn open(&self) -> BenchResult<(Arc<dyn Store>, Raw)> {
        let url = SecretString::from(self.url.clone());
        let s = store::connect(&url, &DatabaseConfig::default()).await?;
        s.migrate().await?;
        let raw = Raw::open(&self.url).await?;
        for i in 0..SOURCES {
            let (src, at) = (source(i), Utc::now().to_rfc3339());
            let row = format!("'{src}', 'uipath', 'dept-{i}', '{{}}', TRUE, FALSE, '{at}', '{at}'");
            let sql = format!("INSERT INTO sources VALUES ({row}) ON CONFLICT DO NOTHING");
            raw.exec(&sql).await?;
        }
        Ok((s, raw))
    }

    async fn drop(self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut c) = sqlx::PgConnection::connect(PG_ADMIN).await
        {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c)
                .await;
            let _ = c.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// 1. Ingest through the real writer, then a bare INSERT of the same rows beside it.
async fn bench_ingest(engine: &str, db: &Db, events: usize) -> BenchResult<()> {
    let (st, raw) = db.open().await?;
    let hub = Arc::new(EventHub::new(1, 64));
    let (ingest, writer) = Ingest::start(
        Arc::clone(&st),
        Arc::clone(&hub),
        Arc::new(tokio::sync::Notify::new()),
        IngestConfig::default(),
    );
    let base = Utc::now() - chrono::Duration::days(2);
    let work = ingest_workload(events, base);
    let total: usize = work.iter().flatten().map(|b| b.runs.len()).sum();
    let n_batches: usize = work.iter().map(Vec::len).sum();
    let t = Instant::now();
    futures::future::try_join_all(work.into_iter().enumerate().map(|(p, batches)| {
        let ingest = ingest.clone();
        async move {
            for b in batches {
                ingest.submit(source(p), b, None).await?;
            }
            Ok::<_, hangar_server::ingest::IngestError>(())
        }
    }))
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let commits = hub.published().max(1);
    drop(ingest);
    writer.await?;
    let rate = total as f64 / secs;
    let per_commit = n_batches as f64 / commits as f64;
    let stored = st.count_runs(None).await?;
    st.close().await;

    raw.exec(BARE).await?;
    // The same rows, each event its own row (keys made unique), in transactions holding as
    // many poll batches as the writer's commits did on average.
    let tx_batches = per_commit.round().max(1.0) as usize;
    let work = ingest_workload(events, base).into_iter().flatten();
    let mut rows: Vec<Run> = work.flat_map(|b| b.runs).collect();
    (0..rows.len()).for_each(|i| rows[i].vendor_key.push_str(&format!("#{i}")));
    let t = Instant::now();
    for tx in rows.chunks(tx_batches * BATCH) {
        raw.insert_runs("runs_bare", tx, false).await?;
    }
    let bare = rows.len() as f64 / t.elapsed().as_secs_f64();

    let lite = engine == "SQLite";
    let (goal, ratio) = (if lite { 50_000.0 } else { 20_000.0 }, rate / bare);
    let ratio_verdict = ["n/a", verdict(ratio >= 0.3)][usize::from(lite)];
    println!(
        "  ingest (upsert + rollup), {PRODUCERS} producers × {BATCH}-run batches: {total} events \
         in {secs:.2} s = {rate:.0} ev/s   goal ≥ {goal:.0}/s: {}\n    {commits} commits, \
         {per_commit:.1} batches/commit; {stored} runs stored ({} distinct expected)\n  \
         bare multi-row INSERT, {} rows/tx: {bare:.0} rows/s\n  ingest / bare = {:.1} %   \
         goal ≥ 30 % (SQLite): {ratio_verdict}",
        verdict(rate >= goal),
        total / 2,
        tx_batches * BATCH,
        ratio * 100.0,
    );
    Ok(())
}

/// 2. Loads `stored` runs and 30 days of rollups, then times the wall's reads.
async fn bench_reads(db: &Db, stored: usize) -> BenchResult<()> {
    let (st, raw) = db.open().await?;
    raw.exec("DELETE FROM runs; DELETE FROM process_daily; DELETE FROM robot_hourly; DELETE FROM robots;")
        .await?;
    let (now, t) = (Utc::now(), Instant::now());
    let start = now - chrono::Duration::days(DAYS);
    let per_robot = (stored / ROBOTS).max(1);
    let slot = (DAYS * 86_400) / per_robot as i64;
    let mut buf = Vec::with_capacity(20_000);
    for i in 0..stored {
        let (robot, nth) = (i % ROBOTS, i / ROBOTS);
        let at = start + chrono::Duration::seconds(nth as i64 * slot);
        let mut r = run(robot % SOURCES, i as u64, at, slot * 7 / 10, true);
        if nth + 1 == per_robot && robot % 5 != 4 {
            r.state = [RunState::Running, RunState::Queued][usize::from(robot.is_multiple_of(5))];
            (r.ended_at, r.error) = (None, None);
        }
        buf.push(r);
        if buf.len() == 20_000 || i + 1 == stored {
            raw.insert_runs("runs", &buf, true).await?;
            buf.clear();
        }
    }
    let hourly: Vec<String> = (0..ROBOTS * DAYS as usize * 24)
        .map(|n| {
            let (robot, h) = (n % ROBOTS, (n / ROBOTS) as i64);
            let hour = (start + chrono::Duration::hours(h + 1)).format("%Y-%m-%dT%H");
            let (src, busy) = (source(robot % SOURCES), mix(n as u64) % 3_601);
            format!("('{src}', 'bot-{robot:03}', '{hour}', {busy})")
        })
        .collect();
    let n = stored / (SOURCES * PROCESSES * DAYS as usize);
    let counts = format!(
        "{n}, {}, {}, {}, {}",
        n * 9 / 10,
        n / 12,
        n - n * 9 / 10 - n / 12,
        n * 900
    );
    let daily: Vec<String> = (0..SOURCES * PROCESSES * (DAYS as usize + 1))
        .map(|n| {
            let (src, p) = (source(n % SOURCES), n / SOURCES % PROCESSES);
            let day = start + chrono::Duration::days((n / SOURCES / PROCESSES) as i64);
            format!(
                "('{src}', 'Process_{p:02}', '{}', {counts})",
                day.format("%Y-%m-%d")
            )
        })
        .collect();
    let (at, states) = (
        now.to_rfc3339(),
        ["busy", "busy", "available", "disconnected"],
    );
    let robots: Vec<String> = (0..ROBOTS)
        .map(|r| (r, source(r % SOURCES), states[r % 4]))
        .map(|(r, src, st)| format!("('{src}', 'r{r}', 'uipath', 'bot-{r:03}', NULL, NULL, '{st}', 'x', FALSE, NULL, '{at}')"))
        .collect();
    let tables = [
        ("robot_hourly", &hourly),
        ("process_daily", &daily),
        ("robots", &robots),
    ];
    for (table, rows) in tables {
        for chunk in rows.chunks(5_000) {
            let values = chunk.join(",");
            raw.exec(&format!("INSERT INTO {table} VALUES {values}"))
                .await?;
        }
    }
    raw.exec("ANALYZE").await?;
    println!(
        "  loaded {} runs, {} robot_hourly, {} process_daily rows in {:.1} s",
        st.count_runs(None).await?,
        hourly.len(),
        daily.len(),
        t.elapsed().as_secs_f64()
    );

    let mut ms = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        std::hint::black_box(st.wall_summary(now).await?);
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    summary("wall_summary(now)", ms, 10.0);
    let (mut ms, mut cells, from) = (Vec::new(), 0, now - chrono::Duration::days(DAYS));
    for _ in 0..20 {
        let t = Instant::now();
        cells = st.saturation(from, now).await?.len();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    summary(&format!("saturation(30 d) → {cells} cells"), ms, 100.0);
    st.close().await;
    Ok(())
}

/// The keys of the runs in a `runs_changed` frame.
fn run_keys(frame: &str) -> Vec<String> {
    if !frame.lines().any(|l| l == "event: runs_changed") {
        return Vec::new();
    }
    let data = frame.lines().filter_map(|l| l.strip_prefix("data: "));
    let values = data.filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok());
    let runs = values.flat_map(|v| v["runs"].as_array().cloned().unwrap_or_default());
    runs.filter_map(|r| Some(r["vendor_key"].as_str()?.to_owned()))
        .collect()
}

/// A signed-webhook body for job `i`, and the job's key.
fn job_event(i: usize) -> (String, Vec<u8>) {
    let key = format!("00000000-beef-4000-8000-{i:012}");
    let (kind, state) =
        [("faulted", "Faulted"), ("completed", "Successful")][usize::from(!i.is_multiple_of(3))];
    let (now, bot) = (Utc::now(), i % 10);
    let start = (now - chrono::Duration::seconds(90)).to_rfc3339();
    let body = format!(
        r#"{{"Type":"job.{kind}","EventId":"bench-evt-{i}","Timestamp":"{now}","TenantId":3,
        "OrganizationUnitId":5,"Job":{{"Id":{id},"Key":"{key}","State":"{state}","Type":"Unattended",
        "StartTime":"{start}","EndTime":"{now}","Info":"Could not find 'Submit'.","OutputArguments":null,
        "Robot":{{"Id":{bot},"Name":"ap-bot-{bot:02}","MachineName":"VM-RPA-{bot:02}"}},
        "Release":{{"Id":77,"Key":"6c1d7f0e-1111-4a2b-8c3d-000000000077","ProcessKey":"Invoices",
        "Name":"Invoices_Prod"}}}}}}"#,
        now = now.to_rfc3339(),
        id = 500_000 + i
    );
    (key, body.into_bytes())
}

/// 3. Signed webhooks into a real app; time until the stream carries each job's key.
async fn bench_webhooks(hooks: usize) -> BenchResult<()> {
    let db = Db::new(false).await?;
    let mut config = Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: db.dir.clone(),
        site_dir: db.dir.join("site"),
        ..Config::default()
    };
    config.database.url = Some(SecretString::from(db.url.clone()));
    let app = Application::build_with(config, vendor_factory()).await?;
    let base = format!("http://{}", app.local_addr());
    let shutdown = app.shutdown_token();
    let served = tokio::spawn(app.run());
    let sim = uipath::sim::UipathSimulator::start(uipath::sim::SimConfig::default()).await?;
    let mut sc = sim.source_config(SourceId("fin".to_owned()), "finance");
    let secret = "whsec-bench-1234";
    sc.webhook_secret = Some(SecretString::from(secret.to_owned()));
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/sources"))
        .json(&SourceSpec::simulated(&sc))
        .send()
        .await?;
    if r.status().as_u16() != 201 {
        return Err(format!("adding the source: {} {}", r.status(), r.text().await?).into());
    }
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut body = http
        .get(format!("{base}/api/v1/stream"))
        .send()
        .await?
        .bytes_stream();
    let seen_w = Arc::clone(&seen);
    let reader = tokio::spawn(async move {
        let mut buf = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let frame: String = buf.drain(..end + 2).collect();
                let (at, keys) = (Instant::now(), run_keys(&frame));
                let mut seen = seen_w.lock().unwrap_or_else(|e| e.into_inner());
                keys.into_iter()
                    .for_each(|k| _ = seen.entry(k).or_insert(at));
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (mut sent, mut post_ms) = (Vec::new(), Vec::new());
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    for i in 0..hooks {
        tick.tick().await;
        let (key, payload) = job_event(i);
        let sig = uipath::webhook::sign(secret, &payload);
        let t = Instant::now();
        let hook = http.post(format!("{base}/hooks/uipath/fin")).body(payload);
        let hook = hook.header("content-type", "application/json");
        let r = hook
            .header(uipath::webhook::SIGNATURE_HEADER, sig)
            .send()
            .await?;
        post_ms.push(t.elapsed().as_secs_f64() * 1e3);
        if r.status().as_u16() != 202 {
            return Err(format!("webhook {i}: {}", r.status()).into());
        }
        sent.push((key, t));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let ms = |(k, t): &(String, Instant)| Some(seen.get(k)?.duration_since(*t).as_secs_f64() * 1e3);
    let lat: Vec<f64> = sent.iter().filter_map(ms).collect();
    println!(
        "  {hooks} webhooks at 20/s, {} seen in runs_changed frames",
        lat.len()
    );
    summary("POST → response (202)", post_ms, 250.0);
    summary("POST → runs_changed SSE frame", lat.clone(), 250.0);
    if lat.len() < hooks {
        println!("  {} never reached the stream: NOT MET", hooks - lat.len());
    }
    reader.abort();
    sim.stop().await;
    shutdown.cancel();
    served.await??;
    db.drop().await;
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let (runs, stored, hooks) = (
        opt("--runs", 200_000),
        opt("--stored", 1_000_000),
        opt("--hooks", 300),
    );
    let skip_pg = std::env::args().any(|a| a == "--skip-pg");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "hangar-bench: {cores} cores, {} {}; {} events, {} stored runs, {} webhooks; {ROBOTS} robots, {PROCESSES} processes, {SOURCES} sources",
        std::env::consts::OS,
        std::env::consts::ARCH,
        runs,
        stored,
        hooks
    );
    let engines = [("SQLite", false), ("PostgreSQL", true)];
    for (engine, pg) in engines.into_iter().take(if skip_pg { 1 } else { 2 }) {
        println!("\n== {engine}");
        let db = Db::new(pg).await?;
        let outcome = async {
            bench_ingest(engine, &db, runs).await?;
            bench_reads(&db, stored).await
        }
        .await;
        db.drop().await;
        outcome?;
    }
    println!("\n== Webhook → stream (SQLite app on port 0, UiPath simulated source)");
    bench_webhooks(hooks).await
}
