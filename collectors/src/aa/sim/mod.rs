//! An in-process Automation Anywhere Control Room for tests and the demo.
//!
//! `AaSimulator::start(SimConfig)` serves, on `127.0.0.1:<free port>`:
//! `POST /v1|v2/authentication`, `/v1|v2/authentication/token`, `/v3|v2/activity/list`,
//! `/v2/devices/list`, `/v1/schedule/automations/list` — with the list grammar, 401 without a
//! live `X-Authorization` token (20 minutes of simulated time; a password login ends the
//! user's earlier password sessions), and the shared [`Faults`].
//!
//! Simulated time only moves through [`SimHandle::advance`] (deterministic for a seed), or
//! through the realtime ticker when [`SimConfig::realtime`] is set. The fleet grows with time:
//! executions from schedules and run-now, with varying durations, a few failures with
//! realistic messages, stuck runs that never finish, devices dropping off.
//!
//! Knobs for facts that are UNCONFIRMED: the activity user field casing
//! (`user_name_casing_v1`), the device status other than `CONNECTED` (`disconnected_status`),
//! page length defaults and caps, and the deploy-callback body (see `world.rs`).

mod fleet;
pub mod query;
mod server;
mod world;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use hangar_model::SourceId;
use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::sim::Faults;
use crate::source::{SourceAuth, SourceConfig};
use world::World;

/// Where the simulator POSTs deploy callbacks of the run-now executions it starts.
#[derive(Clone, Debug)]
pub struct CallbackConfig {
    pub url: String,
    /// The static header the operator configured in `callbackInfo.headers`.
    pub header: String,
    pub token: String,
}

/// Simulated time moving by itself: every `tick` of wall time, `tick × speed` of simulated time.
#[derive(Clone, Copy, Debug)]
pub struct Realtime {
    pub tick: Duration,
    pub speed: u32,
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    pub devices: usize,
    pub users: usize,
    pub bots: usize,
    pub schedules: usize,
    /// Simulated time at start (a Monday morning by default).
    pub start: DateTime<Utc>,
    /// Granularity of [`SimHandle::advance`].
    pub step: Duration,
    pub run_now_per_hour: f64,
    pub failure_rate: f64,
    pub stuck_rate: f64,
    pub pause_rate: f64,
    pub disconnects_per_device_hour: f64,
    /// The API user and its credentials.
    pub username: String,
    pub api_key: String,
    pub password: String,
    pub token_lifetime: Duration,
    /// Rows a page holds when the request gives no length (UNCONFIRMED; 100 per [A10]).
    pub default_page_length: u64,
    /// Largest page served whatever the request asks (UNCONFIRMED).
    pub max_page_length: u64,
    /// Serve the run-as user as `username` (v1 history casing) instead of `userName`.
    pub user_name_casing_v1: bool,
    /// Status of a device that is not connected (only `CONNECTED` is confirmed).
    pub disconnected_status: String,
    /// Timestamps with 9 (or 3, or 0) fractional digits at random; otherwise always 3.
    pub nanosecond_timestamps: bool,
    pub callback: Option<CallbackConfig>,
    pub realtime: Option<Realtime>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 7,
            devices: 12,
            users: 15,
            bots: 8,
            schedules: 6,
            start: Utc
                .with_ymd_and_hms(2026, 11, 16, 11, 0, 0)
                .single()
                .unwrap_or_default(),
            step: Duration::from_secs(10),
            run_now_per_hour: 12.0,
            failure_rate: 0.04,
            stuck_rate: 0.01,
            pause_rate: 0.01,
            disconnects_per_device_hour: 0.05,
            username: "svc_hangar".into(),
            api_key: "aK3vQ9xT2mL7pR4sW8yZ1bN6cD5fG0hJ3kE7uI2o".into(),
            password: "Hangar-sim-password-1".into(),
            token_lifetime: Duration::from_secs(20 * 60),
            default_page_length: 100,
            max_page_length: 200,
            user_name_casing_v1: false,
            disconnected_status: "DISCONNECTED".into(),
            nanosecond_timestamps: true,
            callback: None,
            realtime: None,
        }
    }
}

/// What the simulator holds about one execution: the ground truth tests compare against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionTruth {
    pub id: String,
    pub status: String,
    pub modified_on: DateTime<Utc>,
    pub device_id: String,
    pub file_name: String,
}

pub(crate) struct Shared {
    world: Mutex<World>,
    config: SimConfig,
    faults: Faults,
    hits: Mutex<Vec<(String, Instant)>>,
    started: Instant,
    http: reqwest::Client,
}

impl Shared {
    fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn hit(&self, path: &str) {
        self.hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((path.to_owned(), Instant::now()));
    }

    async fn advance(&self, d: Duration) {
        let outbox = {
            let mut w = self.world();
            w.advance(d);
            std::mem::take(&mut w.outbox)
        };
        for (url, header, token, body) in outbox {
            let sent = self
                .http
                .post(&url)
                .header(header, token)
                .json(&body)
                .send()
                .await;
            if let Err(e) = sent {
                tracing::debug!(error = %e, "simulated deploy callback not delivered");
            }
        }
    }
}

pub struct AaSimulator;

impl AaSimulator {
    /// Starts a simulator on a free local port.
    pub async fn start(config: SimConfig) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(config.clone())),
            config: config.clone(),
            faults: Faults::default(),
            hits: Mutex::new(Vec::new()),
            started: Instant::now(),
            http: crate::http::client(),
        });
        let (tx, rx) = oneshot::channel::<()>();
        let app = server::router(shared.clone());
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "AA simulator stopped");
            }
        });
        let ticker = config.realtime.map(|rt| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(rt.tick);
                every.tick().await;
                loop {
                    every.tick().await;
                    shared.advance(rt.tick * rt.speed.max(1)).await;
                }
            })
        });
        Ok(SimHandle {
            shared,
            addr,
            server,
            ticker,
            shutdown: Some(tx),
        })
    }
}

pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
    ticker: Option<JoinHandle<()>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl SimHandle {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// A source pointing at this simulator, logging in with its API key or its password.
    pub fn source_config(&self, id: SourceId, department: &str, api_key: bool) -> SourceConfig {
        let cfg = &self.shared.config;
        let auth = if api_key {
            SourceAuth::AaApiKey {
                username: cfg.username.clone(),
                api_key: SecretString::from(cfg.api_key.clone()),
            }
        } else {
            SourceAuth::AaPassword {
                username: cfg.username.clone(),
                password: SecretString::from(cfg.password.clone()),
            }
        };
        SourceConfig {
            id,
            department: department.to_owned(),
            base_url: self.base_url(),
            auth,
            poll_interval_secs: 10,
            requests_per_minute: 100,
            webhook_secret: None,
        }
    }

    /// Moves simulated time forward by `d` (then delivers any deploy callbacks due).
    pub async fn advance(&self, d: Duration) {
        self.shared.advance(d).await;
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.shared.world().now
    }

    /// Every execution with its status and `modifiedOn`, in creation order.
    pub fn executions(&self) -> Vec<ExecutionTruth> {
        let w = self.shared.world();
        w.execs
            .iter()
            .map(|e| ExecutionTruth {
                id: e.id.clone(),
                status: e.status.clone(),
                modified_on: e.modified,
                device_id: w.devices[e.device].id.clone(),
                file_name: w.bots[e.bot].name.clone(),
            })
            .collect()
    }

    /// Device id → connected.
    pub fn devices(&self) -> BTreeMap<String, bool> {
        let w = self.shared.world();
        w.devices
            .iter()
            .map(|d| (d.id.clone(), d.connected))
            .collect()
    }

    /// Test knob: the `device`-th device (wrapped) drops off now, its status no longer
    /// `CONNECTED`. Like any dropped device it may come back once simulated time moves on
    /// (within about ten simulated minutes). Returns its id.
    pub fn disconnect_device(&self, device: usize) -> String {
        let mut w = self.shared.world();
        let d = device % w.devices.len();
        let now = w.now;
        let dev = &mut w.devices[d];
        dev.connected = false;
        dev.updated_on = now;
        dev.id.clone()
    }

    /// Starts a run-now execution of bot `bot` on device `device` (indexes into the fleet,
    /// wrapped), now. Returns its id.
    pub fn run_now(&self, bot: usize, device: usize) -> String {
        let mut w = self.shared.world();
        let (b, d) = (bot % w.bots.len(), device % w.devices.len());
        let now = w.now;
        w.create(now, b, d, "RUN_NOW", None)
    }

    /// A password login by someone else as the API user (another script sharing the
    /// account): ends the earlier password sessions. Returns the new token.
    pub fn login_elsewhere(&self) -> Option<String> {
        let cfg = &self.shared.config;
        self.shared
            .world()
            .login(&cfg.username, None, Some(&cfg.password))
    }

    /// Successful logins so far.
    pub fn logins(&self) -> u64 {
        self.shared.world().logins
    }

    /// Requests to `path` in each wall-clock minute since start.
    pub fn requests_per_minute(&self, path: &str) -> Vec<u64> {
        let hits = self.shared.hits.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<u64> = Vec::new();
        for (_, at) in hits.iter().filter(|(p, _)| p == path) {
            let m = (at.duration_since(self.shared.started).as_secs() / 60) as usize;
            if out.len() <= m {
                out.resize(m + 1, 0);
            }
            out[m] += 1;
        }
        out
    }

    /// The most requests to `path` in any 60 seconds (sliding window).
    pub fn max_requests_in_any_minute(&self, path: &str) -> u64 {
        let hits = self.shared.hits.lock().unwrap_or_else(|p| p.into_inner());
        let times: Vec<Instant> = hits
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..times.len() {
            while times[hi].duration_since(times[lo]) >= Duration::from_secs(60) {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best as u64
    }

    /// Requests to `path` since start.
    pub fn requests(&self, path: &str) -> u64 {
        let hits = self.shared.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.iter().filter(|(p, _)| p == path).count() as u64
    }

    pub async fn stop(mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.server).await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        self.server.abort();
    }
}
