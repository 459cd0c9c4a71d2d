//! Detection: turns what the store holds into anomalies, within seconds of it being written.
//!
//! The rules are pure functions in `hangar_model::anomaly`; this loop feeds them from the store,
//! reconciles their findings with the active anomalies, writes the changes and publishes them.
//! It runs after every ingest commit (debounced) and at least every few seconds, so conditions
//! that appear with the passing of time (a stuck run, a missed schedule, a silent robot) are
//! noticed even when nothing is written.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use hangar_model::anomaly::{
    self, AnomalyKind, Baseline, DetectionConfig, FailureStats, Finding, ProcessKey,
};
use hangar_model::{AnomalyAction, SourceId, StreamEvent};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::collect::Collectors;
use crate::events::EventHub;
use crate::store::{Store, StoreError};

/// How far back faulted-run and duration baselines look.
const FINISHED_WINDOW: TimeDelta = TimeDelta::days(7);
const BASELINE_WINDOW: TimeDelta = TimeDelta::days(14);
/// The most recent successful durations a process's baseline uses.
const BASELINE_RUNS: usize = 50;
/// Missed schedules need occurrence arithmetic over a day of runs: checked less often.
const SCHEDULE_EVERY: Duration = Duration::from_secs(30);
/// Writes arrive in bursts; wait this long after one before looking.
const DEBOUNCE: Duration = Duration::from_millis(200);

pub struct Detector {
    pub store: Arc<dyn Store>,
    pub hub: Arc<EventHub>,
    pub collectors: Arc<Collectors>,
    pub config: DetectionConfig,
    pub calendar: Option<anomaly::Calendar>,
}

impl Detector {
    pub async fn run(
        self: Arc<Self>,
        written: Arc<Notify>,
        every: Duration,
        shutdown: CancellationToken,
    ) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut schedules_checked: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = tick.tick() => {}
                () = written.notified() => tokio::time::sleep(DEBOUNCE).await,
            }
            let with_schedules = schedules_checked.is_none_or(|t| t.elapsed() >= SCHEDULE_EVERY);
            let started = std::time::Instant::now();
            match self.round(Utc::now(), with_schedules).await {
                Ok(()) => {
                    if with_schedules {
                        schedules_checked = Some(tokio::time::Instant::now());
                    }
                }
                Err(e) => tracing::warn!(error = %e, "detection round failed"),
            }
            metrics::histogram!("hangar_detect_round_seconds")
                .record(started.elapsed().as_secs_f64());
            match self.store.wall_summary(Utc::now()).await {
                Ok(summary) => {
                    self.hub.publish(StreamEvent::Summary(Box::new(summary)));
                }
                Err(e) => tracing::warn!(error = %e, "summary failed"),
            }
        }
    }

    /// One pass of every rule. Public so tests can drive detection at a chosen time.
    pub async fn round(&self, now: DateTime<Utc>, with_schedules: bool) -> Result<(), StoreError> {
        let (findings, evaluated) = self.findings(now, with_schedules).await?;
        let active = self.store.active_anomalies().await?;
        let before: BTreeMap<i64, (u64, anomaly::Severity)> = active
            .iter()
            .map(|a| (a.id, (a.count, a.severity)))
            .collect();
        let changes = anomaly::reconcile(&active, &findings, &evaluated, now);
        if changes.is_empty() {
            return Ok(());
        }
        for (a, what) in self.store.apply_anomaly_changes(&changes, now).await? {
            let action = match what {
                "opened" => AnomalyAction::Opened,
                "resolved" => AnomalyAction::Resolved,
                // Refired: worth telling screens only when something they show changed.
                _ if before.get(&a.id) == Some(&(a.count, a.severity)) => continue,
                _ => AnomalyAction::Updated,
            };
            metrics::counter!("hangar_anomalies_total", "kind" => a.kind.as_str(), "action" => what)
                .increment(1);
            if action == AnomalyAction::Opened {
                tracing::info!(id = a.id, kind = a.kind.as_str(), subject = %a.subject, "anomaly opened");
            }
            self.hub.publish(StreamEvent::Anomaly {
                action,
                anomaly: Box::new(a),
            });
        }
        Ok(())
    }

    async fn findings(
        &self,
        now: DateTime<Utc>,
        with_schedules: bool,
    ) -> Result<(Vec<Finding>, Vec<AnomalyKind>), StoreError> {
        let cfg = &self.config;
        let mut findings = Vec::new();
        let mut evaluated = vec![
            AnomalyKind::RunFaulted,
            AnomalyKind::RunStuck,
            AnomalyKind::RobotDisconnected,
            AnomalyKind::RobotUnresponsive,
            AnomalyKind::CollectorStale,
            AnomalyKind::QueueSlaBreached,
            AnomalyKind::FailureRateSpike,
        ];

        let finished = self
            .store
            .finished_runs_since(now - FINISHED_WINDOW)
            .await?;
        findings.extend(anomaly::detect_faulted_runs(&finished, now));

        let baselines = self.baselines(now).await?;
        let unfinished = self.store.unfinished_runs().await?;
        findings.extend(anomaly::detect_stuck_runs(
            &unfinished,
            &baselines,
            cfg,
            now,
        ));

        findings.extend(anomaly::detect_robot_problems(
            &self.store.robots().await?,
            cfg,
            now,
        ));
        findings.extend(anomaly::detect_stale_collectors(
            &self.collectors.health_with_intervals(),
            cfg,
            now,
        ));
        findings.extend(anomaly::detect_queue_sla(
            &self.store.open_queue_items().await?,
            now,
        ));
        findings.extend(anomaly::detect_failure_rate_spikes(
            &self.failure_stats(now).await?,
            cfg,
            now,
        ));

        if with_schedules {
            evaluated.push(AnomalyKind::ScheduleMissed);
            let window =
                TimeDelta::seconds((cfg.schedule_lookback_secs + cfg.schedule_grace_secs) as i64)
                    + TimeDelta::hours(1);
            let runs = self.store.runs_started_since(now - window).await?;
            let schedules = self.store.schedules().await?;
            // An occurrence is judged only where Hangar holds the source's runs: from its
            // earliest run in the window (a tenant's history is read on the first poll, so a
            // real tenant is covered back to the full lookback), or, with no runs at all, from
            // when the source was added. Before that, "no run" says nothing about the fleet.
            let mut covered_since: BTreeMap<&SourceId, DateTime<Utc>> = BTreeMap::new();
            for r in &runs {
                if let Some(t) = r.started_at.or(r.created_at) {
                    let e = covered_since.entry(&r.source).or_insert(t);
                    *e = (*e).min(t);
                }
            }
            let watched_since: BTreeMap<SourceId, DateTime<Utc>> = self
                .store
                .list_sources()
                .await?
                .into_iter()
                .map(|s| (s.id, s.created_at))
                .collect();
            let mut by_source: BTreeMap<&SourceId, Vec<hangar_model::ScheduleInfo>> =
                BTreeMap::new();
            for s in &schedules {
                by_source.entry(&s.source).or_default().push(s.clone());
            }
            for (source, schedules) in by_source {
                let mut source_cfg = cfg.clone();
                if let Some(since) = covered_since.get(source).or(watched_since.get(source)) {
                    let watched = now.signed_duration_since(*since).num_seconds().max(0) as u64;
                    source_cfg.schedule_lookback_secs = cfg.schedule_lookback_secs.min(watched);
                }
                findings.extend(anomaly::detect_missed_schedules(
                    &schedules,
                    &runs,
                    self.calendar.as_ref(),
                    &source_cfg,
                    now,
                ));
            }
        }

        let departments: BTreeMap<SourceId, String> =
            self.store.departments().await?.into_iter().collect();
        anomaly::assign_departments(&mut findings, &departments);
        Ok((findings, evaluated))
    }

    /// Each process's baseline from its most recent successful durations.
    async fn baselines(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<ProcessKey, Baseline>, StoreError> {
        let mut by_process: BTreeMap<ProcessKey, Vec<f64>> = BTreeMap::new();
        // Newest first, so the first BASELINE_RUNS per process are the most recent ones.
        for (source, process, secs) in self.store.success_durations(now - BASELINE_WINDOW).await? {
            let v = by_process.entry((SourceId(source), process)).or_default();
            if v.len() < BASELINE_RUNS {
                v.push(secs);
            }
        }
        Ok(by_process
            .into_iter()
            .filter_map(|(k, d)| {
                anomaly::duration_baseline(&d, self.config.stuck_min_samples).map(|b| (k, b))
            })
            .collect())
    }

    /// Today's runs and failures per process against the previous 14 days.
    async fn failure_stats(&self, now: DateTime<Utc>) -> Result<Vec<FailureStats>, StoreError> {
        let today = now.format("%Y-%m-%d").to_string();
        let from = (now - BASELINE_WINDOW).format("%Y-%m-%d").to_string();
        let mut stats: BTreeMap<(String, String), FailureStats> = BTreeMap::new();
        for (source, process, day, runs, failed) in self.store.daily_counts(&from).await? {
            let s = stats
                .entry((source.clone(), process.clone()))
                .or_insert_with(|| FailureStats {
                    source: SourceId(source),
                    process,
                    runs: 0,
                    failures: 0,
                    baseline_runs: 0,
                    baseline_failures: 0,
                });
            let (runs, failed) = (runs.max(0) as u64, failed.max(0) as u64);
            if day == today {
                s.runs += runs;
                s.failures += failed;
            } else {
                s.baseline_runs += runs;
                s.baseline_failures += failed;
            }
        }
        Ok(stats.into_values().collect())
    }
}
