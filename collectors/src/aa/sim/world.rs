//! The simulated Control Room's state and how it moves in simulated time: executions from
//! schedules and run-now, their lifecycle, devices dropping off, and login sessions.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::SimConfig;
use super::fleet::{self, SimBot, SimDevice, SimSchedule};
use crate::aa::dto::{Activity, Device};

const FAILURES: [&str; 6] = [
    "Window 'SAP Logon 760' not found within 30 seconds",
    "Object 'btnSubmit' not found on page 'Vendor Portal - Invoices'",
    "Credential 'sap_prod' attribute 'password' is not available in locker 'Finance'",
    "Excel advanced: file 'C:\\RPA\\in\\batch.xlsx' is locked by another process",
    "REST Web Service: HTTP 503 from https://erp.corp.example/api/orders",
    "Email: could not connect to imap.corp.example:993 (connection timed out)",
];

#[derive(Clone, Debug)]
enum Step {
    Package,
    Start,
    Progress(u32),
    Pause,
    Resume,
    Finish(&'static str, Option<String>),
}

pub struct Exec {
    pub id: String,
    pub deployment_id: String,
    pub bot: usize,
    pub device: usize,
    pub user: usize,
    pub kind: &'static str,
    pub schedule_id: Option<String>,
    pub status: String,
    pub progress: u32,
    pub message: Option<String>,
    pub created: DateTime<Utc>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub modified: DateTime<Utc>,
    pub callback: bool,
    plan: VecDeque<(DateTime<Utc>, Step)>,
}

struct Session {
    user: String,
    expires: DateTime<Utc>,
    api_key: bool,
    epoch: u64,
    revoked: bool,
}

/// `true` with probability `p` (clamped to [0, 1]; not a number is never).
fn chance(rng: &mut StdRng, p: f64) -> bool {
    p.is_finite() && rng.random_bool(p.clamp(0.0, 1.0))
}

/// A callback to deliver: `(url, header name, header value, body)`.
pub type Callback = (String, String, String, Value);

pub struct World {
    pub cfg: SimConfig,
    pub now: DateTime<Utc>,
    rng: StdRng,
    pub users: Vec<String>,
    pub devices: Vec<SimDevice>,
    pub bots: Vec<SimBot>,
    pub schedules: Vec<SimSchedule>,
    pub execs: Vec<Exec>,
    sessions: HashMap<String, Session>,
    epochs: HashMap<String, u64>,
    pub logins: u64,
    pub outbox: Vec<Callback>,
}

impl World {
    pub fn new(cfg: SimConfig) -> World {
        let mut rng = StdRng::seed_from_u64(cfg.seed);
        let users = fleet::users(cfg.users);
        let devices = fleet::devices(cfg.devices, users.len(), cfg.start);
        let bots = fleet::bots(cfg.bots, &mut rng);
        let schedules = fleet::schedules(cfg.schedules, &bots, devices.len(), cfg.start);
        World {
            now: cfg.start,
            cfg,
            rng,
            users,
            devices,
            bots,
            schedules,
            execs: Vec::new(),
            sessions: HashMap::new(),
            epochs: HashMap::new(),
            logins: 0,
            outbox: Vec::new(),
        }
    }

    /// A timestamp at `t`, sometimes with 9 fractional digits, sometimes 3, sometimes none.
    fn stamp(&mut self, t: DateTime<Utc>) -> DateTime<Utc> {
        let t = t + Duration::nanoseconds(self.rng.random_range(0..1_000_000_000));
        if !self.cfg.nanosecond_timestamps {
            return t.trunc_subsecs(3);
        }
        match self.rng.random_range(0..3) {
            0 => t.trunc_subsecs(0),
            1 => t.trunc_subsecs(3),
            _ => t,
        }
    }

    /// Steps simulated time forward by `d`, in steps of `cfg.step`.
    pub fn advance(&mut self, d: std::time::Duration) {
        let target = self.now + Duration::from_std(d).unwrap_or_default();
        let step = Duration::from_std(self.cfg.step)
            .unwrap_or(Duration::seconds(10))
            .max(Duration::seconds(1));
        while self.now < target {
            let to = (self.now + step).min(target);
            self.step_to(to);
        }
    }

    fn step_to(&mut self, to: DateTime<Utc>) {
        let from = self.now;
        let secs = (to - from).num_milliseconds() as f64 / 1000.0;
        // Run-now arrivals.
        let expected = self.cfg.run_now_per_hour * secs / 3600.0;
        let mut n = expected.floor() as u32;
        if chance(&mut self.rng, expected - expected.floor()) {
            n += 1;
        }
        for _ in 0..n {
            let at = from
                + Duration::milliseconds(self.rng.random_range(0..((secs * 1000.0) as i64).max(1)));
            let bot = self.rng.random_range(0..self.bots.len());
            let device = self.rng.random_range(0..self.devices.len());
            self.create(at, bot, device, "RUN_NOW", None);
        }
        // Schedules, minute by minute.
        let mut minute =
            from.trunc_subsecs(0) - Duration::seconds(i64::from(chrono::Timelike::second(&from)));
        while minute <= to {
            if minute > from {
                for i in 0..self.schedules.len() {
                    let s = &self.schedules[i];
                    if s.fires_at(minute.with_timezone(&s.offset).naive_local()) {
                        let (bot, device, id) = (s.bot, s.device, s.dto.id.clone());
                        self.create(minute, bot, device, "SCHEDULED", Some(id));
                    }
                }
            }
            minute += Duration::minutes(1);
        }
        // Devices drop off and come back.
        let drop_p = (self.cfg.disconnects_per_device_hour * secs / 3600.0).clamp(0.0, 1.0);
        let back_p = (secs / 600.0).clamp(0.0, 1.0);
        for i in 0..self.devices.len() {
            let flip = if self.devices[i].connected {
                chance(&mut self.rng, drop_p)
            } else {
                chance(&mut self.rng, back_p)
            };
            if flip {
                let t = self.stamp(from);
                let d = &mut self.devices[i];
                d.connected = !d.connected;
                d.updated_on = t.min(to);
            }
        }
        // Planned transitions, in time order per execution.
        for i in 0..self.execs.len() {
            while let Some((at, _)) = self.execs[i].plan.front() {
                if *at > to {
                    break;
                }
                let Some((at, step)) = self.execs[i].plan.pop_front() else {
                    break;
                };
                self.apply(i, at, step);
            }
        }
        self.now = to;
    }

    fn apply(&mut self, i: usize, at: DateTime<Utc>, step: Step) {
        let at = self
            .stamp(at)
            .max(self.execs[i].modified + Duration::milliseconds(1));
        let e = &mut self.execs[i];
        e.modified = at;
        match step {
            Step::Package => e.status = "BOTSTORE_PACKAGE_DOWNLOADING".into(),
            Step::Start => {
                e.status = "RUNNING".into();
                e.start = Some(at);
                e.progress = 1;
            }
            Step::Progress(p) => e.progress = p,
            Step::Pause => e.status = "RUN_PAUSED".into(),
            Step::Resume => e.status = "RUNNING".into(),
            Step::Finish(status, message) => {
                e.status = status.into();
                e.message = message;
                e.end = Some(at);
                if status == "COMPLETED" {
                    e.progress = 100;
                }
                if e.callback
                    && let Some(cb) = &self.cfg.callback
                {
                    let body = json!({
                        "deploymentId": e.deployment_id,
                        "executionId": e.id,
                        "status": e.status,
                        "fileName": self.bots[e.bot].name,
                        "deviceName": self.devices[e.device].host,
                        "userName": self.users[e.user],
                        "endDateTime": at,
                        "message": e.message,
                        "botOutVariables": {"values": {"itemsProcessed":
                            {"type": "NUMBER", "number": e.progress.to_string()}}},
                    });
                    self.outbox
                        .push((cb.url.clone(), cb.header.clone(), cb.token.clone(), body));
                }
            }
        }
    }

    /// Creates an execution deployed at `at`, with its whole future planned.
    pub fn create(
        &mut self,
        at: DateTime<Utc>,
        bot: usize,
        device: usize,
        kind: &'static str,
        schedule: Option<String>,
    ) -> String {
        let r = &mut self.rng;
        let id = format!(
            "{}_{:016x}",
            uuid::Builder::from_random_bytes(r.random()).into_uuid(),
            r.random::<u64>()
        );
        let deployment_id = uuid::Builder::from_random_bytes(r.random())
            .into_uuid()
            .to_string();
        let user = if r.random_bool(0.7) {
            self.devices[device].user
        } else {
            r.random_range(0..self.users.len())
        };
        let mut plan = VecDeque::new();
        let sec = |s: i64| Duration::seconds(s);
        if !self.devices[device].connected {
            let msg = format!("Device {} is disconnected", self.devices[device].host);
            plan.push_back((at + sec(2), Step::Finish("DEPLOY_FAILED", Some(msg))));
        } else {
            let mut t = at + sec(r.random_range(1..4));
            if r.random_bool(0.3) {
                plan.push_back((t, Step::Package));
                t += sec(r.random_range(2..10));
            }
            plan.push_back((t, Step::Start));
            let mean = self.bots[bot].mean_secs as f64;
            let dur = (mean * r.random_range(0.7..1.3)) as i64;
            plan.push_back((t + sec(dur / 2), Step::Progress(50)));
            if chance(r, self.cfg.pause_rate) {
                plan.push_back((t + sec(dur * 6 / 10), Step::Pause));
                plan.push_back((t + sec(dur * 6 / 10 + 45), Step::Resume));
                t += sec(45);
            }
            let x: f64 = r.random();
            let (f, s) = (self.cfg.failure_rate, self.cfg.stuck_rate);
            let fin = if x < s {
                None
            } else if x < s + f {
                let m = FAILURES[r.random_range(0..FAILURES.len())].to_owned();
                Some(Step::Finish("RUN_FAILED", Some(m)))
            } else if x < s + f * 1.25 {
                Some(Step::Finish(
                    "RUN_TIMED_OUT",
                    Some("Bot exceeded its run time limit of 60 minutes".into()),
                ))
            } else if x < s + f * 1.5 {
                Some(Step::Finish("RUN_ABORTED", Some("Stopped by user".into())))
            } else {
                Some(Step::Finish("COMPLETED", None))
            };
            if let Some(fin) = fin {
                plan.push_back((t + sec(dur.max(5)), fin));
            }
        }
        let created = self.stamp(at);
        let callback = kind == "RUN_NOW" && self.cfg.callback.is_some();
        self.execs.push(Exec {
            id: id.clone(),
            deployment_id,
            bot,
            device,
            user,
            kind,
            schedule_id: schedule,
            status: "DEPLOYED".into(),
            progress: 0,
            message: None,
            created,
            start: None,
            end: None,
            modified: created,
            callback,
            plan,
        });
        id
    }

    /// A time later than every `modifiedOn` so far and not before now.
    fn fresh(&mut self) -> DateTime<Utc> {
        let latest = self.execs.iter().map(|e| e.modified).max();
        latest.map_or(self.now, |l| l.max(self.now)) + Duration::milliseconds(1)
    }

    /// Work arriving while a client pages: `rows` new executions, and one open execution
    /// reporting progress (so it moves to the end of a `modifiedOn` ordering).
    pub fn insert_while_paging(&mut self, rows: u32) {
        for _ in 0..rows {
            let at = self.fresh();
            let bot = self.rng.random_range(0..self.bots.len());
            let device = self.rng.random_range(0..self.devices.len());
            self.create(at, bot, device, "RUN_NOW", None);
            if let Some(e) = self.execs.last_mut() {
                e.created = at;
                e.modified = at;
            }
        }
        // The open execution changed longest ago: it sits early in the ordering, so its move
        // shifts every row after it by one.
        let oldest = (0..self.execs.len())
            .filter(|i| matches!(self.execs[*i].status.as_str(), "RUNNING" | "RUN_PAUSED"))
            .min_by_key(|i| self.execs[*i].modified);
        if let Some(i) = oldest {
            let at = self.fresh();
            let e = &mut self.execs[i];
            e.progress = (e.progress + 1).min(99);
            e.modified = at;
        }
    }

    pub fn activity(&self, e: &Exec) -> Activity {
        let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let bot = &self.bots[e.bot];
        let dev = &self.devices[e.device];
        let user = self.users[e.user].clone();
        let user_id = (e.user + 31).to_string();
        let (user_name, username) = if self.cfg.user_name_casing_v1 {
            (None, Some(user))
        } else {
            (Some(user), None)
        };
        Activity {
            id: e.id.clone(),
            automation_name: Some(format!(
                "{}.{}",
                bot.name,
                e.created.format("%Y.%m.%d.%H.%M.%S")
            )),
            file_name: Some(bot.name.clone()),
            file_id: Some(bot.file_id.clone()),
            file_path: Some(bot.path.clone()),
            kind: Some(e.kind.to_owned()),
            start_date_time: e.start.map(ts),
            end_date_time: e.end.map(ts),
            command: (e.status == "RUNNING").then(|| "Recorder: Capture".to_owned()),
            status: Some(e.status.clone()),
            progress: Some(e.progress),
            deployment_id: Some(e.deployment_id.clone()),
            device_name: Some(dev.host.clone()),
            device_id: Some(dev.id.clone()),
            user_id: Some(user_id),
            user_name,
            username,
            message: e.message.clone(),
            created_on: Some(ts(e.created)),
            modified_on: Some(ts(e.modified)),
            schedule_id: e.schedule_id.clone(),
        }
    }

    pub fn device(&self, d: &SimDevice) -> Device {
        Device {
            id: d.id.clone(),
            kind: Some("BOT_RUNNER".into()),
            host_name: Some(d.host.clone()),
            fully_qualified_host_name: Some(format!(
                "{}.corp.example",
                d.host.to_ascii_lowercase()
            )),
            user_id: Some((d.user + 31).to_string()),
            user_name: Some(self.users[d.user].clone()),
            status: Some(if d.connected {
                "CONNECTED".to_owned()
            } else {
                self.cfg.disconnected_status.clone()
            }),
            pool_name: Some(d.pool.clone()),
            bot_agent_version: Some(d.agent.clone()),
            nickname: None,
            updated_on: Some(
                d.updated_on
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ),
        }
    }

    /// A login: `None` when refused. A password login ends the user's earlier password
    /// sessions; API-key sessions live side by side.
    pub fn login(
        &mut self,
        username: &str,
        api_key: Option<&str>,
        password: Option<&str>,
    ) -> Option<String> {
        let ok_user = username == self.cfg.username;
        let by_key = api_key.is_some_and(|k| k == self.cfg.api_key);
        let by_password = password.is_some_and(|p| p == self.cfg.password);
        if !ok_user || !(by_key || by_password) {
            return None;
        }
        self.logins += 1;
        let epoch = if by_key {
            0
        } else {
            let e = self.epochs.entry(username.to_owned()).or_default();
            *e += 1;
            *e
        };
        Some(self.issue(username.to_owned(), by_key, epoch))
    }

    fn issue(&mut self, user: String, api_key: bool, epoch: u64) -> String {
        let token: String = (0..96)
            .map(|_| {
                let c = self.rng.random_range(0..62u8);
                char::from(match c {
                    0..=25 => b'A' + c,
                    26..=51 => b'a' + c - 26,
                    _ => b'0' + c - 52,
                })
            })
            .collect();
        let token = format!("eyJhbGciOiJSUzUxMiJ9.{token}");
        let expires = self.now + Duration::from_std(self.cfg.token_lifetime).unwrap_or_default();
        self.sessions.insert(
            token.clone(),
            Session {
                user,
                expires,
                api_key,
                epoch,
                revoked: false,
            },
        );
        token
    }

    pub fn token_live(&self, token: &str) -> bool {
        self.sessions.get(token).is_some_and(|s| {
            !s.revoked
                && self.now < s.expires
                && (s.api_key || self.epochs.get(&s.user) == Some(&s.epoch))
        })
    }

    pub fn revoke(&mut self, token: &str) {
        if let Some(s) = self.sessions.get_mut(token) {
            s.revoked = true;
        }
    }

    /// `POST /v1/authentication/token`: a new token for the same session.
    pub fn refresh(&mut self, token: &str) -> Option<String> {
        if !self.token_live(token) {
            return None;
        }
        let s = self.sessions.get(token)?;
        let (user, api_key, epoch) = (s.user.clone(), s.api_key, s.epoch);
        Some(self.issue(user, api_key, epoch))
    }
}
