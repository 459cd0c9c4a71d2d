//! The simulated tenant: its fleet, its jobs and queue items, and its clock.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::SimConfig;
use super::knobs::JobFate;

pub(crate) struct Folder {
    pub id: i64,
    pub key: Uuid,
    pub display: String,
    pub path: String,
    pub parent: Option<i64>,
    /// Leaf folders hold robots, processes and queues.
    pub leaf: bool,
}

pub(crate) struct Machine {
    pub id: i64,
    pub key: Uuid,
    pub name: String,
}

pub(crate) struct Robot {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub folder: i64,
    pub machine: usize,
    /// The host name the robot reports (sometimes with the domain).
    pub host: String,
    pub session_id: i64,
    pub state: &'static str,
    pub reporting: DateTime<Utc>,
    pub unresponsive_until: Option<DateTime<Utc>>,
    pub disconnected_until: Option<DateTime<Utc>>,
    pub job: Option<usize>,
}

pub(crate) struct Release {
    pub id: i64,
    pub key: Uuid,
    pub process_key: String,
    pub version: String,
    pub name: String,
    pub folder: i64,
    pub mean_secs: f64,
    pub created: DateTime<Utc>,
}

pub(crate) struct Schedule {
    pub id: i64,
    pub key: Uuid,
    pub name: String,
    pub release: usize,
    pub folder: i64,
    pub cron: String,
    pub summary: String,
    pub tz_iana: &'static str,
    pub tz_windows: &'static str,
    /// When it fires next: its cron's next occurrence in its zone, as Orchestrator would.
    pub next_fire: Option<DateTime<Utc>>,
    pub enabled: bool,
}

pub(crate) struct Queue {
    pub id: i64,
    pub key: Uuid,
    pub name: String,
    pub folder: i64,
    pub sla_minutes: i32,
    pub arrivals_per_hour: f64,
    pub workers: usize,
    pub mean_secs: f64,
    pub max_retries: i32,
    pub created: DateTime<Utc>,
}

pub(crate) struct Job {
    pub id: i64,
    pub key: Uuid,
    pub release: usize,
    pub folder: i64,
    pub robot: Option<usize>,
    pub state: &'static str,
    pub created: DateTime<Utc>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub modified: DateTime<Utc>,
    pub info: Option<String>,
    pub source_type: &'static str,
    pub schedule: Option<i64>,
    pub finish_at: Option<DateTime<Utc>>,
    pub batch_key: Uuid,
    pub priority: i32,
}

pub(crate) struct Item {
    pub id: i64,
    pub key: Uuid,
    pub queue: usize,
    pub status: &'static str,
    pub reference: String,
    pub created: DateTime<Utc>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub due: Option<DateTime<Utc>>,
    pub exception: Option<(&'static str, &'static str)>,
    pub retry: i32,
    pub ancestor: Option<i64>,
    pub finish_at: Option<DateTime<Utc>>,
    pub priority: &'static str,
}

pub(crate) struct World {
    pub now: DateTime<Utc>,
    /// The last timestamp handed out: stamps are strictly increasing.
    pub last_stamp: DateTime<Utc>,
    pub rng: StdRng,
    pub folders: Vec<Folder>,
    pub machines: Vec<Machine>,
    pub robots: Vec<Robot>,
    pub releases: Vec<Release>,
    pub schedules: Vec<Schedule>,
    pub queues: Vec<Queue>,
    pub jobs: Vec<Job>,
    pub items: Vec<Item>,
    /// Indices of jobs not yet terminal.
    pub active_jobs: Vec<usize>,
    pub next_job_id: i64,
    pub next_item_id: i64,
    /// Webhook events waiting for delivery (`Type`, payload fields).
    pub outbox: Vec<serde_json::Value>,
    pub tenant_id: i64,
    pub cfg: SimConfig,
    /// Sub-second remainder of `advance` calls, carried to the next one.
    pub carry: std::time::Duration,
    /// Test knobs: forced outcomes by release index ([`super::SimHandle::set_process_fate`]).
    pub fates: std::collections::HashMap<usize, JobFate>,
    /// Test knobs: schedule `Id` → occurrences still to pass without a job
    /// ([`super::SimHandle::skip_next_occurrences`]).
    pub skips: std::collections::HashMap<i64, u32>,
}

pub(crate) const PROCESSES: &[&str] = &[
    "Invoices",
    "VendorMasterSync",
    "PaymentRun",
    "BankReconciliation",
    "ExpenseAudit",
    "CreditCheck",
    "DunningLetters",
    "NewHireSetup",
    "BadgeRequest",
    "PayrollCheck",
    "LeaveSync",
    "ShipmentTracking",
    "FreightInvoices",
    "StockReorder",
    "PasswordReset",
    "TicketTriage",
    "LicenseAudit",
    "UserOffboarding",
    "GLJournalUpload",
    "TaxReport",
    "CustomerOnboarding",
    "ContractRenewal",
];

const ZONES: &[(&str, &str)] = &[
    ("Europe/Berlin", "W. Europe Standard Time"),
    ("America/New_York", "Eastern Standard Time"),
    ("Etc/UTC", "UTC"),
    ("Asia/Singapore", "Singapore Standard Time"),
    ("Europe/London", "GMT Standard Time"),
];

/// A random v4 UUID from the seeded generator (deterministic per seed).
pub(crate) fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

impl World {
    pub fn build(cfg: SimConfig) -> World {
        let mut rng = StdRng::seed_from_u64(cfg.seed);
        let now = cfg.start;
        let mut folders = Vec::new();
        for path in &cfg.folders {
            let mut prefix = String::new();
            for part in path.split('/') {
                let parent = folders
                    .iter()
                    .find(|f: &&Folder| f.path == prefix)
                    .map(|f| f.id);
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if !folders.iter().any(|f| f.path == prefix) {
                    folders.push(Folder {
                        id: folders.len() as i64 + 1,
                        key: uuid(&mut rng),
                        display: part.to_owned(),
                        path: prefix.clone(),
                        parent,
                        leaf: false,
                    });
                }
            }
            if let Some(f) = folders.iter_mut().find(|f| f.path == *path) {
                f.leaf = true;
            }
        }
        let leaves: Vec<i64> = folders.iter().filter(|f| f.leaf).map(|f| f.id).collect();
        let machines: Vec<Machine> = (0..cfg.vms.max(1))
            .map(|i| Machine {
                id: 100 + i as i64,
                key: uuid(&mut rng),
                name: format!("VM-RPA-{:02}", i + 1),
            })
            .collect();
        let mut robots = Vec::new();
        for i in 0..cfg.robots {
            let folder = leaves[i % leaves.len()];
            let short = folders[folder as usize - 1].display.to_ascii_lowercase();
            let short: String = short
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(10)
                .collect();
            let machine = i % machines.len();
            let host = if i % 3 == 0 {
                format!("{}.corp.example", machines[machine].name)
            } else {
                machines[machine].name.clone()
            };
            robots.push(Robot {
                id: 10 + i as i64,
                name: format!("{short}-bot-{:02}", i + 1),
                username: format!("CORP\\svc_{short}_{:02}", i + 1),
                folder,
                machine,
                host,
                session_id: 300 + i as i64,
                state: "Available",
                reporting: now,
                unresponsive_until: None,
                disconnected_until: None,
                job: None,
            });
        }
        let mut releases = Vec::new();
        for i in 0..cfg.processes {
            let base = PROCESSES[i % PROCESSES.len()];
            let name = if i < PROCESSES.len() {
                base.to_owned()
            } else {
                format!("{base}{}", i / PROCESSES.len() + 1)
            };
            releases.push(Release {
                id: 70 + i as i64,
                key: uuid(&mut rng),
                process_key: name.clone(),
                version: format!("1.{}.{}", rng.random_range(0..5), rng.random_range(1..40)),
                name: format!("{name}_Prod"),
                folder: leaves[i % leaves.len()],
                mean_secs: rng.random_range(45.0..900.0),
                created: now - ChronoDuration::days(rng.random_range(10..400)),
            });
        }
        let mut schedules = Vec::new();
        for (i, r) in releases.iter().enumerate() {
            if i % 4 == 3 {
                continue;
            }
            let (cron, summary) = match i % 3 {
                0 => {
                    let n = [15, 20, 30][(i / 3) % 3];
                    (format!("0 0/{n} * 1/1 * ? *"), format!("Every {n} minutes"))
                }
                1 => {
                    let m = rng.random_range(0..60);
                    (
                        format!("0 {m} 0/1 1/1 * ? *"),
                        format!("Every hour at minute {m}"),
                    )
                }
                _ => {
                    let h = rng.random_range(6..20);
                    (
                        format!("0 0 {h} ? * MON-FRI *"),
                        format!("At {h:02}:00, Monday through Friday"),
                    )
                }
            };
            let (iana, win) = ZONES[i % ZONES.len()];
            let next_fire = hangar_model::anomaly::next_occurrence(&cron, Some(iana), now)
                .ok()
                .flatten();
            schedules.push(Schedule {
                id: 40 + i as i64,
                key: uuid(&mut rng),
                name: format!("{} {}", r.process_key, summary.to_lowercase()),
                release: i,
                folder: r.folder,
                cron,
                summary,
                tz_iana: iana,
                tz_windows: win,
                next_fire,
                enabled: i % 7 != 5,
            });
        }
        let queues = (0..cfg.queues)
            .map(|i| Queue {
                id: 500 + i as i64,
                key: uuid(&mut rng),
                name: format!("{}Queue", PROCESSES[(i * 5) % PROCESSES.len()]),
                folder: leaves[i % leaves.len()],
                sla_minutes: [60, 240, 1440][i % 3],
                arrivals_per_hour: {
                    let random = rng.random_range(10.0..120.0);
                    cfg.queue_arrivals_per_hour.unwrap_or(random)
                },
                workers: rng.random_range(1..3),
                mean_secs: rng.random_range(30.0..120.0),
                max_retries: [0, 1, 2][i % 3],
                created: now - ChronoDuration::days(rng.random_range(30..300)),
            })
            .collect();
        World {
            now,
            last_stamp: now,
            rng,
            folders,
            machines,
            robots,
            releases,
            schedules,
            queues,
            jobs: Vec::new(),
            items: Vec::new(),
            active_jobs: Vec::new(),
            next_job_id: 90_000,
            next_item_id: 700_000,
            outbox: Vec::new(),
            tenant_id: 3,
            cfg,
            carry: std::time::Duration::ZERO,
            fates: std::collections::HashMap::new(),
            skips: std::collections::HashMap::new(),
        }
    }

    /// A timestamp for something happening now: strictly after the last one, with 1 to 7
    /// fractional digits (the last one non-zero), as Orchestrator's variable precision.
    pub fn stamp(&mut self) -> DateTime<Utc> {
        let digits = self.rng.random_range(1..=7u32);
        let unit = 10i64.pow(7 - digits);
        let max = 10i64.pow(digits);
        let mut frac = self.rng.random_range(1..max);
        if frac % 10 == 0 {
            frac += 1;
        }
        let mut t = self.now + ChronoDuration::nanoseconds(frac * unit * 100);
        if t <= self.last_stamp {
            t = self.last_stamp + ChronoDuration::nanoseconds(self.rng.random_range(1..=9) * 100);
        }
        self.last_stamp = t;
        t
    }

    pub fn folder_path(&self, id: i64) -> &str {
        self.folders
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.path.as_str())
            .unwrap_or_default()
    }
}
