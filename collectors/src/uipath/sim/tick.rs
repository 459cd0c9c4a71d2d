//! How the simulated tenant moves on, one simulated second at a time.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rand::Rng;

use super::knobs::JobFate;
use super::render;
use super::world::{Item, Job, World, uuid};

const ERRORS: &[&str] = &[
    "Could not find the UI element corresponding to this selector: <webctrl id='btnSubmit' tag='BUTTON' />",
    "System.TimeoutException: The operation has timed out.",
    "Job stopped with an unexpected exit code: 0xE0434352",
    "Login failed for user 'svc_rpa_ap'. The password has expired.",
    "Excel Application Scope: The process cannot access the file '\\\\fs01\\finance\\AP\\invoices.xlsx' because it is being used by another process.",
    "SAP Logon: Connection to partner 'sapprd01:3200' broken (NIECONN_REFUSED)",
    "Business rule exception: Vendor 'ACME GmbH' not found in master data",
    "Could not start executor. Access is denied.",
];

/// What every run of a process set to [`JobFate::Fault`] ends with.
const FORCED_ERROR: &str = "Login failed for user 'svc_rpa_ap'. The password has expired.";

const QUEUE_ERRORS: &[(&str, &str)] = &[
    ("BusinessException", "Invoice amount exceeds purchase order"),
    (
        "ApplicationException",
        "Timeout waiting for SAP transaction FB60",
    ),
    ("BusinessException", "Missing cost center"),
    ("ApplicationException", "Selector not found: Save button"),
];

pub(crate) const TERMINAL: &[&str] = &["Successful", "Faulted", "Stopped"];

impl World {
    /// Moves simulated time on by `d`, whole seconds at a time.
    pub fn advance(&mut self, d: std::time::Duration) {
        let total = d + self.carry;
        self.carry = std::time::Duration::from_nanos(u64::from(total.subsec_nanos()));
        for _ in 0..total.as_secs() {
            self.now += ChronoDuration::seconds(1);
            self.tick();
        }
    }

    fn tick(&mut self) {
        let secs = self.now.timestamp();
        for s in 0..self.schedules.len() {
            let sch = &self.schedules[s];
            let Some(due) = sch.next_fire.filter(|t| *t <= self.now) else {
                continue;
            };
            if sch.enabled {
                self.fire_schedule(s);
            }
            let sch = &mut self.schedules[s];
            sch.next_fire =
                hangar_model::anomaly::next_occurrence(&sch.cron, Some(sch.tz_iana), due)
                    .ok()
                    .flatten();
        }
        let manual_p = self.cfg.manual_jobs_per_hour / 3600.0;
        if !self.releases.is_empty() && self.rng.random_bool(manual_p.clamp(0.0, 1.0)) {
            let r = self.rng.random_range(0..self.releases.len());
            self.create_job(r, "Manual", None);
        }
        self.robot_health();
        let active = std::mem::take(&mut self.active_jobs);
        for j in active {
            self.step_job(j);
            if !TERMINAL.contains(&self.jobs[j].state) {
                self.active_jobs.push(j);
            }
        }
        self.step_queues();
        if secs % 30 == 0 {
            let now = self.now;
            for r in &mut self.robots {
                if r.disconnected_until.is_none() && r.unresponsive_until.is_none() {
                    r.reporting = now;
                }
            }
        }
    }

    fn fire_schedule(&mut self, s: usize) {
        let (folder, release, id) = {
            let sch = &self.schedules[s];
            (sch.folder, sch.release, sch.id)
        };
        if let Some(left) = self.skips.get_mut(&id)
            && *left > 0
        {
            *left -= 1;
            return;
        }
        let connected = self
            .robots
            .iter()
            .any(|r| r.folder == folder && r.disconnected_until.is_none());
        if connected {
            self.create_job(release, "Schedule", Some(id));
        } else {
            let ev = render::schedule_failed(self, s, "No robots are available to run the job.");
            self.outbox.push(ev);
        }
    }

    pub fn create_job(
        &mut self,
        release: usize,
        source: &'static str,
        schedule: Option<i64>,
    ) -> usize {
        let t = self.stamp();
        let key = uuid(&mut self.rng);
        let batch_key = uuid(&mut self.rng);
        let job = Job {
            id: self.next_job_id,
            key,
            release,
            folder: self.releases[release].folder,
            robot: None,
            state: "Pending",
            created: t,
            start: None,
            end: None,
            modified: t,
            info: None,
            source_type: source,
            schedule,
            finish_at: None,
            batch_key,
            priority: self.rng.random_range(40..60),
        };
        self.next_job_id += 1;
        self.jobs.push(job);
        let idx = self.jobs.len() - 1;
        self.active_jobs.push(idx);
        let ev = render::jobs_created_event(self, idx);
        self.outbox.push(ev);
        idx
    }

    /// Creates a `Manual` job of `release` and moves it as far as it goes at this instant: a
    /// free robot of its folder takes it, and a process fated to fault faults it at once (with
    /// no robot free, the pending job faults, as Orchestrator's "Could not start executor"
    /// does). Returns the job's index.
    pub fn start_job_now(&mut self, release: usize) -> usize {
        let j = self.create_job(release, "Manual", None);
        self.step_job(j);
        if self.fates.get(&release) == Some(&JobFate::Fault) {
            match self.jobs[j].state {
                "Running" => {
                    self.jobs[j].finish_at = Some(self.now);
                    self.step_job(j);
                }
                "Pending" => {
                    self.finish_job(j, "Faulted", Some(FORCED_ERROR.to_owned()));
                    let ev = render::job_event(self, j, "job.faulted");
                    self.outbox.push(ev);
                }
                _ => {}
            }
        }
        j
    }

    /// Moves one job along its life: Pending → Running → Successful | Faulted | Stopping →
    /// Stopped. A few jobs get stuck running for hours.
    pub fn step_job(&mut self, j: usize) {
        let now = self.now;
        match self.jobs[j].state {
            "Pending" => {
                let folder = self.jobs[j].folder;
                let free = self.robots.iter().position(|r| {
                    r.folder == folder
                        && r.job.is_none()
                        && r.disconnected_until.is_none()
                        && r.unresponsive_until.is_none()
                });
                if let Some(r) = free {
                    let mean = self.releases[self.jobs[j].release].mean_secs;
                    let mut secs = mean * self.rng.random_range(0.5..1.8);
                    if self.rng.random_bool(self.cfg.stuck_rate) {
                        secs += 6.0 * 3600.0;
                    }
                    match self.fates.get(&self.jobs[j].release) {
                        Some(JobFate::Hang) => secs += 6.0 * 3600.0,
                        Some(JobFate::Fault) => secs = secs.min(20.0),
                        None => {}
                    }
                    let t = self.stamp();
                    let job = &mut self.jobs[j];
                    job.state = "Running";
                    job.robot = Some(r);
                    job.start = Some(t);
                    job.modified = t;
                    job.finish_at = Some(now + ChronoDuration::seconds(secs as i64));
                    self.robots[r].job = Some(j);
                    self.set_robot_state(r, "Busy");
                    {
                        let ev = render::job_event(self, j, "job.started");
                        self.outbox.push(ev);
                    }
                }
            }
            "Running" if self.jobs[j].finish_at.is_some_and(|f| f <= now) => {
                let forced = self.fates.get(&self.jobs[j].release) == Some(&JobFate::Fault);
                let (state, info, kind) = if forced {
                    ("Faulted", Some(FORCED_ERROR.to_owned()), "job.faulted")
                } else if self.rng.random_bool(self.cfg.fault_rate) {
                    let e = ERRORS[self.rng.random_range(0..ERRORS.len())];
                    ("Faulted", Some(e.to_owned()), "job.faulted")
                } else if self.rng.random_bool(0.01) {
                    ("Stopping", None, "job.stopping")
                } else {
                    (
                        "Successful",
                        Some("Job completed".to_owned()),
                        "job.completed",
                    )
                };
                self.finish_job(j, state, info);
                {
                    let ev = render::job_event(self, j, kind);
                    self.outbox.push(ev);
                }
            }
            "Stopping" => {
                self.finish_job(j, "Stopped", Some("Job stopped by user".to_owned()));
                {
                    let ev = render::jobs_stopped_event(self, j);
                    self.outbox.push(ev);
                }
            }
            _ => {}
        }
    }

    fn finish_job(&mut self, j: usize, state: &'static str, info: Option<String>) {
        let t = self.stamp();
        let job = &mut self.jobs[j];
        job.state = state;
        job.modified = t;
        job.info = info;
        if TERMINAL.contains(&state) {
            job.end = Some(t);
            job.finish_at = None;
            if let Some(r) = job.robot {
                self.robots[r].job = None;
                if self.robots[r].disconnected_until.is_none() {
                    self.set_robot_state(r, "Available");
                }
            }
        }
    }

    fn set_robot_state(&mut self, r: usize, state: &'static str) {
        if self.robots[r].state != state {
            self.robots[r].state = state;
            self.robots[r].reporting = self.stamp();
            {
                let ev = render::robot_status_event(self, r);
                self.outbox.push(ev);
            }
        }
    }

    /// Idle robots now and then disconnect for a while, or stop reporting (unresponsive).
    fn robot_health(&mut self) {
        let now = self.now;
        for r in 0..self.robots.len() {
            if self.robots[r].disconnected_until.is_some_and(|t| t <= now) {
                self.robots[r].disconnected_until = None;
                self.set_robot_state(r, "Available");
            }
            if self.robots[r].unresponsive_until.is_some_and(|t| t <= now) {
                self.robots[r].unresponsive_until = None;
                self.robots[r].reporting = self.stamp();
                {
                    let ev = render::robot_status_event(self, r);
                    self.outbox.push(ev);
                }
            }
            let idle = self.robots[r].job.is_none()
                && self.robots[r].disconnected_until.is_none()
                && self.robots[r].unresponsive_until.is_none();
            if idle && self.rng.random_bool(self.cfg.disconnect_rate) {
                let mins = self.rng.random_range(5..40);
                self.robots[r].disconnected_until = Some(now + ChronoDuration::minutes(mins));
                self.set_robot_state(r, "Disconnected");
            } else if idle && self.rng.random_bool(self.cfg.disconnect_rate) {
                let mins = self.rng.random_range(3..15);
                self.robots[r].unresponsive_until = Some(now + ChronoDuration::minutes(mins));
                {
                    let ev = render::robot_status_event(self, r);
                    self.outbox.push(ev);
                }
            }
        }
    }

    pub fn add_item(
        &mut self,
        q: usize,
        created: DateTime<Utc>,
        retry: i32,
        ancestor: Option<i64>,
    ) {
        let key = uuid(&mut self.rng);
        let sla = self.queues[q].sla_minutes;
        let item = Item {
            id: self.next_item_id,
            key,
            queue: q,
            status: "New",
            reference: format!("REF-{}-{}", self.queues[q].id, self.next_item_id),
            created,
            start: None,
            end: None,
            due: self
                .rng
                .random_bool(0.3)
                .then(|| created + ChronoDuration::minutes(i64::from(sla))),
            exception: None,
            retry,
            ancestor,
            finish_at: None,
            priority: ["High", "Normal", "Normal", "Low"][self.rng.random_range(0..4)],
        };
        self.next_item_id += 1;
        self.items.push(item);
    }

    /// Items arrive, are picked by each queue's workers, and succeed, fail (retried while the
    /// queue allows) or, rarely, are abandoned.
    fn step_queues(&mut self) {
        let now = self.now;
        for q in 0..self.queues.len() {
            let p = (self.queues[q].arrivals_per_hour / 3600.0).clamp(0.0, 1.0);
            if self.rng.random_bool(p) {
                let t = self.stamp();
                self.add_item(q, t, 0, None);
            }
        }
        let open: Vec<usize> = (0..self.items.len())
            .filter(|&i| matches!(self.items[i].status, "New" | "InProgress"))
            .collect();
        let mut busy = vec![0usize; self.queues.len()];
        for &i in &open {
            if self.items[i].status == "InProgress" {
                busy[self.items[i].queue] += 1;
            }
        }
        for i in open {
            let q = self.items[i].queue;
            match self.items[i].status {
                "New" if busy[q] < self.queues[q].workers => {
                    busy[q] += 1;
                    let secs = self.queues[q].mean_secs * self.rng.random_range(0.5..2.0);
                    let t = self.stamp();
                    let item = &mut self.items[i];
                    item.status = "InProgress";
                    item.start = Some(t);
                    item.finish_at = Some(now + ChronoDuration::seconds(secs as i64));
                }
                "InProgress" if self.items[i].finish_at.is_some_and(|f| f <= now) => {
                    self.finish_item(i, q);
                }
                _ => {}
            }
        }
    }

    fn finish_item(&mut self, i: usize, q: usize) {
        let t = self.stamp();
        let roll: f64 = self.rng.random();
        let item = &mut self.items[i];
        item.end = Some(t);
        item.finish_at = None;
        if roll < 0.01 {
            item.status = "Abandoned";
            let ev = render::queue_items_abandoned(self, q, &[i]);
            self.outbox.push(ev);
        } else if roll < 0.1 {
            let e = QUEUE_ERRORS[self.rng.random_range(0..QUEUE_ERRORS.len())];
            let item = &mut self.items[i];
            item.exception = Some(e);
            let retry = item.retry;
            let ancestor = item.ancestor.unwrap_or(item.id);
            if retry < self.queues[q].max_retries && e.0 == "ApplicationException" {
                item.status = "Retried";
                self.add_item(q, t, retry + 1, Some(ancestor));
            } else {
                item.status = "Failed";
            }
            let ev = render::queue_item_failed(self, q, i);
            self.outbox.push(ev);
        } else {
            item.status = "Successful";
        }
    }

    /// Work that shows up while a client pages folder `folder`: `rows` new jobs committed
    /// late (their `LastModificationTime` up to `late_commit` in the past, so they sort
    /// before rows already read) and the already-read job `touch` modified (it moves behind
    /// the page). For queue items: `rows` new items.
    pub fn insert_while_paging(&mut self, rows: u32, jobs: bool, folder: i64, touch: Option<i64>) {
        if jobs {
            if let Some(j) = touch.and_then(|id| self.jobs.iter().position(|j| j.id == id)) {
                self.force_step(j);
            }
            let releases: Vec<usize> = (0..self.releases.len())
                .filter(|&r| self.releases[r].folder == folder)
                .collect();
            if releases.is_empty() {
                return;
            }
            for _ in 0..rows {
                let r = releases[self.rng.random_range(0..releases.len())];
                let idx = self.create_job(r, "Manual", None);
                let late = self.cfg.late_commit.as_millis() as i64;
                let back = ChronoDuration::milliseconds(self.rng.random_range(0..=late.max(1)));
                self.jobs[idx].created -= back;
                self.jobs[idx].modified -= back;
            }
        } else {
            let queues: Vec<usize> = (0..self.queues.len())
                .filter(|&q| self.queues[q].folder == folder)
                .collect();
            for _ in 0..rows {
                if queues.is_empty() {
                    break;
                }
                let q = queues[self.rng.random_range(0..queues.len())];
                let t = self.stamp();
                self.add_item(q, t, 0, None);
            }
        }
    }

    /// `rows` new jobs in the folder `path` whose transaction commits late: their
    /// `LastModificationTime` is `before` earlier than the newest one already visible there.
    pub fn commit_late(&mut self, path: &str, rows: u32, before: ChronoDuration) -> u32 {
        let Some(folder) = self.folders.iter().find(|f| f.path == path).map(|f| f.id) else {
            return 0;
        };
        let releases: Vec<usize> = (0..self.releases.len())
            .filter(|&r| self.releases[r].folder == folder)
            .collect();
        let newest = self
            .jobs
            .iter()
            .filter(|j| j.folder == folder)
            .map(|j| j.modified)
            .max();
        let (Some(newest), false) = (newest, releases.is_empty()) else {
            return 0;
        };
        for i in 0..rows {
            let r = releases[i as usize % releases.len()];
            let idx = self.create_job(r, "Manual", None);
            self.jobs[idx].created = newest - before;
            self.jobs[idx].modified = newest - before;
        }
        rows
    }

    /// Makes a job change state now, whatever its timing.
    fn force_step(&mut self, j: usize) {
        if self.jobs[j].state == "Running" {
            self.jobs[j].finish_at = Some(self.now);
        }
        let before = self.jobs[j].modified;
        self.step_job(j);
        if self.jobs[j].modified == before {
            let t = self.stamp();
            self.jobs[j].modified = t;
        }
        self.active_jobs
            .retain(|&a| !TERMINAL.contains(&self.jobs[a].state));
    }
}
