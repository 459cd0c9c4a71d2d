//! An in-process UiPath Orchestrator for tests and the demo.
//!
//! It serves the OData collections Hangar reads under both URL layouts, both cloud token
//! URLs and the on-prem `Authenticate` login, enforces `$top` caps, the folder header and
//! bearer tokens, counts requests per endpoint per minute, and takes faults from the shared
//! [`Faults`]. Its fleet is generated from a seed and moves on in simulated time
//! ([`SimHandle::advance`]) or, for the demo, in real time ([`SimHandle::set_realtime`]).
//!
//! Knobs for what the vendor documentation leaves UNCONFIRMED: `default_top` (page size when
//! `$top` is absent), `always_emit_count` (`@odata.count` without `$count=true`),
//! `webhook_timeout` / `webhook_breaker` (delivery success criterion and breaker time),
//! `late_commit` (how far in the past rows inserted while paging are stamped).
//!
//! Knobs that steer the tenant into trouble on purpose (for end-to-end detection tests) are in
//! `knobs.rs`: a process whose runs fault or hang, schedule occurrences that pass without a
//! job, a robot that stops responding, a queue item past its due date. Tests outside the
//! process (the browser tests against `hangar demo`) reach some of them over HTTP under
//! `/_sim/` (`control.rs`): the simulator's own test control surface, not a UiPath endpoint.

mod control;
mod filter;
mod hooks;
mod knobs;
mod render;
mod server;
mod tick;
mod world;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use hangar_model::fleet::SourceId;
use secrecy::SecretString;

pub use filter::{Expr, parse as parse_filter};
pub use hooks::WebhookStats;
pub use knobs::JobFate;

use crate::sim::Faults;
use crate::source::{SourceAuth, SourceConfig};

pub(crate) const TOKEN_PREFIX: &str = "sim-";

/// Which login [`SimHandle::source_config`] hands out (the simulator serves all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimLogin {
    /// Client credentials at `/identity_/connect/token`, cloud URL layout.
    Cloud,
    /// Client credentials at `/{org}/identity_/connect/token`, cloud URL layout.
    CloudOrgScoped,
    /// `/api/Account/Authenticate`, on-prem URL layout.
    OnPrem,
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    pub vms: usize,
    pub robots: usize,
    pub processes: usize,
    pub queues: usize,
    /// Leaf folder paths; their parents exist as folders too.
    pub folders: Vec<String>,
    pub login: SimLogin,
    pub organization: String,
    /// Cloud tenant name, and on-prem tenancy name.
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
    pub token_lifetime: Duration,
    pub on_prem_token_lifetime: Duration,
    /// Simulated time at start, before `history` is played.
    pub start: DateTime<Utc>,
    /// Simulated time played at start so the tenant has a past.
    pub history: Duration,
    pub manual_jobs_per_hour: f64,
    pub fault_rate: f64,
    pub stuck_rate: f64,
    /// Chance per idle robot per simulated second of disconnecting (and, separately, of
    /// turning unresponsive).
    pub disconnect_rate: f64,
    /// Items arriving per hour in every queue; `None` (the default) draws a rate per queue
    /// from the seed. `Some(0.0)` keeps queues empty but for [`SimHandle::add_queue_item`].
    pub queue_arrivals_per_hour: Option<f64>,
    pub default_top: usize,
    pub always_emit_count: bool,
    pub late_commit: Duration,
    /// `(url, secret)`: POST signed events there.
    pub webhook: Option<(String, String)>,
    pub webhook_timeout: Duration,
    pub webhook_breaker: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 7,
            vms: 28,
            robots: 45,
            processes: 22,
            queues: 8,
            folders: [
                "Finance/AP",
                "Finance/AR",
                "HR/Onboarding",
                "HR/Payroll",
                "Operations/Logistics",
                "IT/ServiceDesk",
            ]
            .map(str::to_owned)
            .to_vec(),
            login: SimLogin::Cloud,
            organization: "acme".into(),
            tenant: "Prod".into(),
            client_id: "hangar-collector".into(),
            client_secret: "sim-client-secret".into(),
            username: "admin".into(),
            password: "sim-password".into(),
            token_lifetime: Duration::from_secs(3600),
            on_prem_token_lifetime: Duration::from_secs(1800),
            start: Utc
                .with_ymd_and_hms(2026, 3, 2, 6, 0, 0)
                .single()
                .unwrap_or_default(),
            history: Duration::from_secs(2 * 3600),
            manual_jobs_per_hour: 12.0,
            fault_rate: 0.04,
            stuck_rate: 0.01,
            disconnect_rate: 1.0 / 20_000.0,
            queue_arrivals_per_hour: None,
            default_top: 1000,
            always_emit_count: true,
            late_commit: Duration::from_secs(2),
            webhook: None,
            webhook_timeout: Duration::from_secs(5),
            webhook_breaker: Duration::from_secs(3600),
        }
    }
}

pub(crate) struct Shared {
    world: Mutex<world::World>,
    tokens: Mutex<HashMap<String, Instant>>,
    counts: Mutex<HashMap<String, BTreeMap<u64, u32>>>,
    hook_stats: Mutex<WebhookStats>,
    faults: Faults,
    started: Instant,
    realtime: AtomicBool,
    /// Wakes the webhook delivery loop before its next 100 ms round.
    webhook_wake: tokio::sync::Notify,
    addr: SocketAddr,
    cfg: SimConfig,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn lock_world(&self) -> MutexGuard<'_, world::World> {
        lock(&self.world)
    }
    fn lock_tokens(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        lock(&self.tokens)
    }
    fn lock_hook_stats(&self) -> MutexGuard<'_, WebhookStats> {
        lock(&self.hook_stats)
    }
    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    fn count(&self, endpoint: &str) {
        let minute = self.started.elapsed().as_secs() / 60;
        *lock(&self.counts)
            .entry(endpoint.to_owned())
            .or_default()
            .entry(minute)
            .or_default() += 1;
    }
}

pub struct UipathSimulator;

impl UipathSimulator {
    /// Builds the fleet, plays `history`, and serves on `127.0.0.1:0`.
    pub async fn start(cfg: SimConfig) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut world = world::World::build(cfg.clone());
        world.advance(cfg.history);
        world.outbox.clear();
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            tokens: Mutex::new(HashMap::new()),
            counts: Mutex::new(HashMap::new()),
            hook_stats: Mutex::new(WebhookStats::default()),
            faults: Faults::default(),
            started: Instant::now(),
            realtime: AtomicBool::new(false),
            webhook_wake: tokio::sync::Notify::new(),
            addr,
            cfg: cfg.clone(),
        });
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(shared.clone());
        let mut tasks = vec![tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await;
        })];
        let ticker = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                if ticker.realtime.load(Ordering::Relaxed) {
                    ticker.lock_world().advance(Duration::from_secs(1));
                }
            }
        }));
        if let Some((url, secret)) = cfg.webhook.clone() {
            tasks.push(tokio::spawn(hooks::deliver_loop(
                shared.clone(),
                url,
                secret,
            )));
        }
        Ok(SimHandle {
            shared,
            stop: Some(stop_tx),
            tasks,
        })
    }
}

/// A running simulator. Dropping it stops the background tasks.
pub struct SimHandle {
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:<port>`: the base URL for both layouts.
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// A source configured with the credentials the simulator accepts, for `SimConfig::login`.
    pub fn source_config(&self, id: SourceId, department: &str) -> SourceConfig {
        let c = &self.shared.cfg;
        let auth = match c.login {
            SimLogin::Cloud | SimLogin::CloudOrgScoped => SourceAuth::UipathCloud {
                organization: c.organization.clone(),
                tenant: c.tenant.clone(),
                client_id: c.client_id.clone(),
                client_secret: SecretString::from(c.client_secret.clone()),
                scope: "OR.Jobs.Read OR.Robots.Read OR.Machines.Read OR.Execution.Read OR.Queues.Read OR.Folders.Read".into(),
                org_scoped_token_url: c.login == SimLogin::CloudOrgScoped,
            },
            SimLogin::OnPrem => SourceAuth::UipathOnPrem {
                tenancy_name: c.tenant.clone(),
                username: c.username.clone(),
                password: SecretString::from(c.password.clone()),
            },
        };
        SourceConfig {
            id,
            department: department.to_owned(),
            base_url: self.base_url(),
            auth,
            poll_interval_secs: 10,
            requests_per_minute: 100,
            webhook_secret: c
                .webhook
                .as_ref()
                .map(|(_, s)| SecretString::from(s.clone())),
        }
    }

    /// Moves simulated time on by `d` (whole seconds; the remainder carries over).
    pub fn advance(&self, d: Duration) {
        self.shared.lock_world().advance(d);
    }

    /// Models transactions that commit late: `rows` new jobs appear in folder `path` with a
    /// `LastModificationTime` `before` earlier than the newest one already visible there.
    /// Returns how many were added.
    pub fn commit_late_jobs(&self, path: &str, rows: u32, before: Duration) -> u32 {
        let before = chrono::Duration::from_std(before).unwrap_or_default();
        self.shared.lock_world().commit_late(path, rows, before)
    }

    /// Lets simulated time follow real time (one simulated second per second), for the demo.
    pub fn set_realtime(&self, on: bool) {
        self.shared.realtime.store(on, Ordering::Relaxed);
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.shared.lock_world().now
    }

    /// Ground truth: every job as `(Key, State, LastModificationTime)`.
    pub fn jobs(&self) -> Vec<(String, String, DateTime<Utc>)> {
        let w = self.shared.lock_world();
        w.jobs
            .iter()
            .map(|j| (j.key.to_string(), j.state.to_owned(), j.modified))
            .collect()
    }

    /// Ground truth: every queue item as `(Id, Status)`.
    pub fn queue_items(&self) -> Vec<(i64, String)> {
        let w = self.shared.lock_world();
        w.items
            .iter()
            .map(|i| (i.id, i.status.to_owned()))
            .collect()
    }

    /// Ground truth: every robot as `(Id, session State, IsUnresponsive)`.
    pub fn robots(&self) -> Vec<(i64, String, bool)> {
        let w = self.shared.lock_world();
        w.robots
            .iter()
            .map(|r| (r.id, r.state.to_owned(), r.unresponsive_until.is_some()))
            .collect()
    }

    /// Requests to `endpoint` (`Jobs`, `QueueItems`, …, and the logins `token` and
    /// `Authenticate`) in each minute since start.
    pub fn requests_per_minute(&self, endpoint: &str) -> Vec<u32> {
        lock(&self.shared.counts)
            .get(endpoint)
            .map(|m| m.values().copied().collect())
            .unwrap_or_default()
    }

    pub fn total_requests(&self, endpoint: &str) -> u64 {
        self.requests_per_minute(endpoint)
            .iter()
            .map(|&n| u64::from(n))
            .sum()
    }

    pub fn webhook_stats(&self) -> WebhookStats {
        *self.shared.lock_hook_stats()
    }

    /// Stops serving and the background tasks.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        for t in self.tasks.drain(..) {
            t.abort();
            let _ = t.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}
