//! Knobs that steer the simulated tenant into trouble on purpose, so end-to-end tests can
//! drive Hangar's detection into each kind of anomaly. None of them is used by default; each
//! acts on the simulated clock as it stands, so call them between [`SimHandle::advance`]s.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Shared, SimHandle, render};

/// What every run of a process does from now on ([`SimHandle::set_process_fate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobFate {
    /// Runs fault within seconds of starting (an expired service-account password); runs
    /// already running fault when they end.
    Fault,
    /// Runs that start hang: they keep running for six hours more than usual.
    Hang,
}

impl SimHandle {
    /// Sets (or, with `None`, clears) the fate of every run of the process whose
    /// `ProcessKey` is `process_key`. Returns false when there is no such process.
    pub fn set_process_fate(&self, process_key: &str, fate: Option<JobFate>) -> bool {
        self.shared.set_process_fate(process_key, fate)
    }

    /// Starts a job of `process_key` at this very moment: a free robot of its folder takes it
    /// at once (no waiting for the next tick), and when the process's fate is
    /// [`JobFate::Fault`] it faults at once too. Its webhooks go out without the usual
    /// delivery delay. Returns its `(Id, Key)`, or `None` when there is no such process.
    pub fn start_job_now(&self, process_key: &str) -> Option<(i64, String)> {
        self.shared.start_job_now(process_key)
    }

    /// Starts a job of `process_key` now, as `POST /odata/Jobs/...StartJobs` would (source
    /// `Manual`; it runs once a robot of its folder is free). Returns its `Id`.
    pub fn start_job(&self, process_key: &str) -> Option<i64> {
        let mut w = self.shared.lock_world();
        let r = w
            .releases
            .iter()
            .position(|r| r.process_key == process_key)?;
        let j = w.create_job(r, "Manual", None);
        Some(w.jobs[j].id)
    }

    /// The next `n` occurrences of schedule `schedule_id` pass without a job and without any
    /// event, as when Orchestrator's trigger service is down: exactly a missed schedule.
    pub fn skip_next_occurrences(&self, schedule_id: i64, n: u32) {
        *self
            .shared
            .lock_world()
            .skips
            .entry(schedule_id)
            .or_default() += n;
    }

    /// Ground truth: every schedule as `(Id, ProcessKey, Enabled)`.
    pub fn schedules(&self) -> Vec<(i64, String, bool)> {
        let w = self.shared.lock_world();
        w.schedules
            .iter()
            .map(|s| (s.id, w.releases[s.release].process_key.clone(), s.enabled))
            .collect()
    }

    /// Robot `robot_id`'s session turns unresponsive (`IsUnresponsive`, no heartbeat) for `d`
    /// of simulated time. Returns its name, or `None` when there is no such robot.
    pub fn set_unresponsive(&self, robot_id: i64, d: Duration) -> Option<String> {
        let mut w = self.shared.lock_world();
        let r = w.robots.iter().position(|r| r.id == robot_id)?;
        let until = w.now + chrono::Duration::from_std(d).unwrap_or_default();
        w.robots[r].unresponsive_until = Some(until);
        let ev = render::robot_status_event(&mut w, r);
        w.outbox.push(ev);
        Some(w.robots[r].name.clone())
    }

    /// Adds a `New` item, created now, to the `queue`-th queue (wrapped) with `DueDate` `due`
    /// (in the past: an item already late on arrival, e.g. handed over from another system).
    /// Returns its `Id`, or `None` when the tenant has no queues.
    pub fn add_queue_item(&self, queue: usize, due: DateTime<Utc>) -> Option<i64> {
        let mut w = self.shared.lock_world();
        if w.queues.is_empty() {
            return None;
        }
        let q = queue % w.queues.len();
        let t = w.stamp();
        w.add_item(q, t, 0, None);
        let item = w.items.last_mut()?;
        item.due = Some(due);
        Some(item.id)
    }
}

impl Shared {
    pub(crate) fn set_process_fate(&self, process_key: &str, fate: Option<JobFate>) -> bool {
        let mut w = self.lock_world();
        let Some(r) = w.releases.iter().position(|r| r.process_key == process_key) else {
            return false;
        };
        match fate {
            Some(f) => w.fates.insert(r, f),
            None => w.fates.remove(&r),
        };
        true
    }

    pub(crate) fn start_job_now(&self, process_key: &str) -> Option<(i64, String)> {
        let started = {
            let mut w = self.lock_world();
            let r = w
                .releases
                .iter()
                .position(|r| r.process_key == process_key)?;
            let j = w.start_job_now(r);
            (w.jobs[j].id, w.jobs[j].key.to_string())
        };
        // Whoever started it is waiting for its webhooks (a test timing fault → wall).
        self.webhook_wake.notify_one();
        Some(started)
    }
}
