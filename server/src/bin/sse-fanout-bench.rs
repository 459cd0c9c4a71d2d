//! SSE fan-out: how many `/api/v1/stream` clients one node carries, how fast events reach them,
//! and what each costs the server in memory.
//!
//! `cargo build --release -p hangar-server --bin hangar --bin sse-fanout-bench &&
//!  target/release/sse-fanout-bench [--clients 1000] [--rate 100] [--secs 30] [--hangar PATH]`
//!
//! It starts the real `hangar` binary (found next to this one) as a child process on SQLite in
//! a temp dir, so the server's memory is read from `/proc/<pid>/status` apart from the clients'.
//! It adds a webhook-only UiPath source whose secret it sets, opens `--clients` raw TCP SSE
//! clients, then sends `--rate` signed `job.completed` webhooks a second for `--secs` seconds.
//! Each webhook reaches the stream as a `runs_changed` event (carrying the job's key, which
//! encodes the webhook's number, so each client times publish → read) and a
//! `collector_health` event. The clients run in this process on the same cores as the
//! server, so throughput figures are a floor.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hangar_collectors::uipath::webhook::{SIGNATURE_HEADER, sign};
use memchr::memmem;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Job keys end in the webhook's number: `00000000-fa17-4000-8000-<12 digits>`.
const KEY_MARK: &[u8] = b"00000000-fa17-4000-8000-";
const SECRET: &str = "fanout-bench-webhook-secret";

fn opt(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn opt_str(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

/// Delivery latencies in 100 µs buckets up to 30 s, shared by every client.
struct Histogram {
    buckets: Vec<AtomicU64>,
    max_us: AtomicU64,
}

impl Histogram {
    const BUCKET_US: u64 = 100;
    fn new() -> Self {
        Histogram {
            buckets: (0..300_000).map(|_| AtomicU64::new(0)).collect(),
            max_us: AtomicU64::new(0),
        }
    }
    fn record(&self, us: u64) {
        let i = usize::try_from(us / Self::BUCKET_US)
            .unwrap_or(usize::MAX)
            .min(self.buckets.len() - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.max_us.fetch_max(us, Ordering::Relaxed);
    }
    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }
    /// The latency in ms below which a fraction `q` of deliveries fell (bucket upper edge).
    fn quantile_ms(&self, q: f64) -> f64 {
        let total = self.count();
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            seen += b.load(Ordering::Relaxed);
            if seen >= want {
                return ((i as u64 + 1) * Self::BUCKET_US) as f64 / 1e3;
            }
        }
        f64::NAN
    }
}

/// What every client adds to.
struct Shared {
    /// When webhook `i` was sent, in µs since `t0` (0 = not yet).
    sent_us: Vec<AtomicU64>,
    t0: Instant,
    latency: Histogram,
    connected: AtomicUsize,
    failed_connects: AtomicUsize,
    /// Streams that ended (or broke) before the bench stopped them.
    disconnects: AtomicUsize,
    /// `reset` events: a client lagged so far behind that the server dropped events for it.
    resets: AtomicU64,
    /// Frames with an id (every event but `reset`).
    events: AtomicU64,
    bytes: AtomicU64,
}

async fn client(addr: String, shared: Arc<Shared>, gate: Arc<Semaphore>) {
    let permit = gate.acquire().await;
    let Ok(mut tcp) = TcpStream::connect(&addr).await else {
        shared.failed_connects.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let request =
        format!("GET /api/v1/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    if tcp.write_all(request.as_bytes()).await.is_err() {
        shared.failed_connects.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let mut reader = BufReader::with_capacity(16 * 1024, tcp);
    let mut status = String::new();
    if reader.read_line(&mut status).await.is_err() || !status.contains(" 200 ") {
        shared.failed_connects.fetch_add(1, Ordering::Relaxed);
        return;
    }
    shared.connected.fetch_add(1, Ordering::Relaxed);
    drop(permit);
    let (key, id, reset) = (
        memmem::Finder::new(KEY_MARK),
        memmem::Finder::new(b"\nid: "),
        memmem::Finder::new(b"event: reset"),
    );
    let mut buf = vec![0u8; 16 * 1024];
    // Bytes kept from the previous read, so a marker split across two reads is still found.
    let mut carry = 0usize;
    loop {
        let n = match reader.read(&mut buf[carry..]).await {
            Ok(0) | Err(_) => {
                shared.disconnects.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(n) => n,
        };
        let now_us = shared.t0.elapsed().as_micros() as u64;
        let end = carry + n;
        let data = &buf[..end];
        shared.bytes.fetch_add(n as u64, Ordering::Relaxed);
        // Count only markers that end in the new bytes (the carried ones were counted).
        let fresh = |at: usize, len: usize| at + len > carry;
        let ids = id.find_iter(data).filter(|&a| fresh(a, 5)).count();
        shared.events.fetch_add(ids as u64, Ordering::Relaxed);
        let resets = reset.find_iter(data).filter(|&a| fresh(a, 12)).count();
        shared.resets.fetch_add(resets as u64, Ordering::Relaxed);
        for at in key.find_iter(data) {
            let digits = &data[at + KEY_MARK.len()..];
            if digits.len() < 12 || !fresh(at, KEY_MARK.len() + 12) {
                continue;
            }
            let seq = std::str::from_utf8(&digits[..12])
                .ok()
                .and_then(|s| s.parse::<usize>().ok());
            if let Some(sent) = seq.and_then(|s| shared.sent_us.get(s)) {
                let sent = sent.load(Ordering::Relaxed);
                if sent > 0 {
                    shared.latency.record(now_us.saturating_sub(sent));
                }
            }
        }
        // Keep the tail long enough to hold a marker cut in two.
        let keep = end.min(KEY_MARK.len() + 12);
        buf.copy_within(end - keep..end, 0);
        carry = keep;
    }
}

fn job_completed(seq: u64) -> Vec<u8> {
    let now = chrono::Utc::now();
    let start = (now - chrono::Duration::seconds(40)).to_rfc3339();
    let bot = seq % 50;
    format!(
        r#"{{"Type":"job.completed","EventId":"fanout-{seq}","Timestamp":"{now}","TenantId":3,"OrganizationUnitId":5,"Job":{{"Id":{id},"Key":"00000000-fa17-4000-8000-{seq:012}","State":"Successful","Type":"Unattended","StartTime":"{start}","EndTime":"{now}","Info":"Job completed","OutputArguments":null,"Robot":{{"Id":{bot},"Name":"fan-bot-{bot:02}","MachineName":"VM-FAN-{bot:02}"}},"Release":{{"Id":77,"Key":"6c1d7f0e-1111-4a2b-8c3d-000000000077","ProcessKey":"Fanout","Name":"Fanout_Prod"}}}}}}"#,
        now = now.to_rfc3339(),
        id = 800_000 + seq,
    )
    .into_bytes()
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds (user + system) a process has used.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat; here 0-based after the name: 11, 12.
    (ticks(11) + ticks(12)) / 100.0
}

async fn published(http: &reqwest::Client, base: &str) -> BenchResult<u64> {
    let status: serde_json::Value = http
        .get(format!("{base}/api/v1/status"))
        .send()
        .await?
        .json()
        .await?;
    Ok(status["stream"]["events_published"].as_u64().unwrap_or(0))
}

/// Starts `hangar serve` on port 0 and returns it with its base URL.
async fn start_node(
    bin: &str,
    dir: &std::path::Path,
) -> BenchResult<(tokio::process::Child, String)> {
    let mut child = tokio::process::Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HANGAR_DATA_DIR", dir)
        .env("HANGAR_SITE_DIR", dir)
        .env("HANGAR_LOG__FILTER", "warn")
        .env("FANOUT_BENCH_WEBHOOK_SECRET", SECRET)
        .env("FANOUT_BENCH_PASSWORD", "unused")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {bin}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("hangar listening on ") {
                return Some(url.split_whitespace().next().unwrap_or("").to_owned());
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("hangar did not say where it listens")?;
    // Keep draining its stdout so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, base))
}

async fn add_source(http: &reqwest::Client, base: &str) -> BenchResult<String> {
    let spec = serde_json::json!({
        "id": "fanout", "department": "bench", "base_url": "http://127.0.0.1:9",
        "auth": {"kind": "uipath_on_prem", "tenancy_name": "Default", "username": "bench",
                 "password": {"env": "FANOUT_BENCH_PASSWORD"}},
        "webhook_secret": {"env": "FANOUT_BENCH_WEBHOOK_SECRET"},
    });
    let r = http
        .post(format!("{base}/api/v1/sources"))
        .json(&spec)
        .send()
        .await?;
    if r.status().as_u16() != 201 {
        return Err(format!("adding the source: {} {}", r.status(), r.text().await?).into());
    }
    // Paused: it takes webhooks but never polls the closed port above.
    let r = http
        .post(format!("{base}/api/v1/sources/fanout/pause"))
        .send()
        .await?;
    if !r.status().is_success() {
        return Err(format!("pausing the source: {}", r.status()).into());
    }
    Ok(format!("{base}/hooks/uipath/fanout"))
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let (clients, rate, secs) = (
        opt("--clients", 1_000) as usize,
        opt("--rate", 100),
        opt("--secs", 30),
    );
    let bin = opt_str("--hangar").unwrap_or_else(|| {
        let exe = std::env::current_exe().unwrap_or_default();
        exe.with_file_name("hangar").to_string_lossy().into_owned()
    });
    let nofile = rlimit::increase_nofile_limit(u64::MAX)?;
    if (nofile as usize) < clients + 256 {
        return Err(format!("open files limit {nofile} is too low for {clients} clients").into());
    }
    let dir = std::env::temp_dir().join(format!("hangar-fanout-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir)?;
    let (mut child, base) = start_node(&bin, &dir).await?;
    let pid = child.id().ok_or("hangar exited")?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let hook = add_source(&http, &base).await?;
    let addr = base.trim_start_matches("http://").to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "sse-fanout-bench: {cores} cores; {clients} clients, {rate} webhooks/s for {secs} s; nofile {nofile}; node {base} (pid {pid})"
    );

    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = rss_kib(pid);
    let total = usize::try_from(rate * secs).unwrap_or(usize::MAX);
    let shared = Arc::new(Shared {
        sent_us: (0..total).map(|_| AtomicU64::new(0)).collect(),
        t0: Instant::now(),
        latency: Histogram::new(),
        connected: AtomicUsize::new(0),
        failed_connects: AtomicUsize::new(0),
        disconnects: AtomicUsize::new(0),
        resets: AtomicU64::new(0),
        events: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
    });
    // Connect a few hundred at a time so the listen backlog never overflows.
    let gate = Arc::new(Semaphore::new(256));
    let t_connect = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client(addr.clone(), Arc::clone(&shared), Arc::clone(&gate))))
        .collect();
    while shared.connected.load(Ordering::Relaxed) + shared.failed_connects.load(Ordering::Relaxed)
        < clients
    {
        if t_connect.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connect_secs = t_connect.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_connected = rss_kib(pid);
    let connected = shared.connected.load(Ordering::Relaxed);
    println!(
        "  connected {connected}/{clients} in {connect_secs:.1} s ({} failed)",
        shared.failed_connects.load(Ordering::Relaxed)
    );

    // Publish: webhook i is sent at t0 + i/rate, at most 64 in flight.
    let own_cpu0 = cpu_secs(std::process::id());
    let (events0, bytes0, pub0, cpu0) = (
        shared.events.load(Ordering::Relaxed),
        shared.bytes.load(Ordering::Relaxed),
        published(&http, &base).await?,
        cpu_secs(pid),
    );
    let t_pub = Instant::now();
    let inflight = Arc::new(Semaphore::new(64));
    let hook_failures = Arc::new(AtomicU64::new(0));
    let mut late = 0u64;
    for i in 0..total {
        let due = t_pub + Duration::from_secs_f64(i as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = Arc::clone(&inflight).try_acquire_owned() else {
            late += 1;
            continue;
        };
        let body = job_completed(i as u64);
        let signature = sign(SECRET, &body);
        let (http, hook, shared, failures) = (
            http.clone(),
            hook.clone(),
            Arc::clone(&shared),
            Arc::clone(&hook_failures),
        );
        tokio::spawn(async move {
            shared.sent_us[i].store(shared.t0.elapsed().as_micros() as u64, Ordering::Relaxed);
            let sent = http
                .post(&hook)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, signature)
                .body(body)
                .send()
                .await;
            if !sent.is_ok_and(|r| r.status().as_u16() == 202) {
                failures.fetch_add(1, Ordering::Relaxed);
            }
            drop(permit);
        });
    }
    let pub_secs = t_pub.elapsed().as_secs_f64();
    let own_cpu = (cpu_secs(std::process::id()) - own_cpu0) / pub_secs;
    let (events1, bytes1, pub1, cpu1) = (
        shared.events.load(Ordering::Relaxed),
        shared.bytes.load(Ordering::Relaxed),
        published(&http, &base).await?,
        cpu_secs(pid),
    );
    // Let what is in flight arrive.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = rss_kib(pid);
    let still = connected - shared.disconnects.load(Ordering::Relaxed).min(connected);

    let per_client = |kib: u64| kib as f64 / connected.max(1) as f64;
    let delivered = (events1 - events0) as f64 / connected.max(1) as f64 / pub_secs;
    let published_rate = (pub1 - pub0) as f64 / pub_secs;
    let lat = &shared.latency;
    let expected = (total as u64 - late) * connected as u64;
    println!(
        "  published {published_rate:.0} stream events/s ({} webhooks sent, {late} skipped: driver behind, {} failed)",
        total as u64 - late,
        hook_failures.load(Ordering::Relaxed)
    );
    println!(
        "  delivered {delivered:.0} events/s per client ({:.0} events/s in all, {:.1} MB/s); CPU: server {:.2} cores, clients {own_cpu:.2} cores; {:.2} µs of server CPU per event delivered",
        delivered * connected as f64,
        (bytes1 - bytes0) as f64 / 1e6 / pub_secs,
        (cpu1 - cpu0) / pub_secs,
        (cpu1 - cpu0) * 1e6 / (events1 - events0).max(1) as f64,
    );
    println!(
        "  publish → client read (runs_changed, {} of {expected} timed): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.count(),
        lat.quantile_ms(0.50),
        lat.quantile_ms(0.99),
        lat.max_us.load(Ordering::Relaxed) as f64 / 1e3,
    );
    println!(
        "  server RSS: {} KiB before, {} KiB with clients connected, {} KiB after; {:.1} KiB per client connected, {:.1} KiB per client after the run",
        rss_before,
        rss_connected,
        rss_after,
        per_client(rss_connected.saturating_sub(rss_before)),
        per_client(rss_after.saturating_sub(rss_before)),
    );
    println!(
        "  errors: {} failed connects, {} disconnects ({still} still connected), {} lag resets",
        shared.failed_connects.load(Ordering::Relaxed),
        shared.disconnects.load(Ordering::Relaxed),
        shared.resets.load(Ordering::Relaxed),
    );
    for t in tasks {
        t.abort();
    }
    child.kill().await?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
