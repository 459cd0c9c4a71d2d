//! Rollups (maintained as runs finish) and the reads the wall makes from them, for both engines.
//! Like `collected.rs`, the SQL is shared and instantiated per engine by [`monitor_queries!`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hangar_model::busy_by_hour;

/// A run claimed for the rollups: (source, process, robot, vm, state, started, ended).
pub(super) type Claimed = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

#[derive(Default)]
pub(super) struct DayTotals {
    pub runs: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub stopped: i64,
    pub duration_secs: f64,
}

/// (source, process or robot, day or hour) → value.
type Keyed<T> = HashMap<(String, String, String), T>;

/// Folds claimed runs into per-(source, process, day) totals and per-(source, robot, hour)
/// busy seconds.
pub(super) fn fold(claimed: &[Claimed]) -> (Keyed<DayTotals>, Keyed<f64>) {
    let mut days: Keyed<DayTotals> = HashMap::new();
    let mut hours: Keyed<f64> = HashMap::new();
    for (source, process, robot, vm, state, started, ended) in claimed {
        let Some(at) = ended.or(*started) else {
            continue;
        };
        let t = days
            .entry((
                source.clone(),
                process.clone(),
                at.format("%Y-%m-%d").to_string(),
            ))
            .or_default();
        t.runs += 1;
        match state.as_str() {
            "succeeded" => t.succeeded += 1,
            "failed" => t.failed += 1,
            _ => t.stopped += 1,
        }
        if let (Some(s), Some(e)) = (started, ended) {
            t.duration_secs += (*e - *s).num_milliseconds().max(0) as f64 / 1_000.0;
            if let Some(who) = robot.as_ref().or(vm.as_ref()) {
                for (hour, secs) in busy_by_hour(*s, *e) {
                    *hours
                        .entry((
                            source.clone(),
                            who.clone(),
                            hour.format("%Y-%m-%dT%H").to_string(),
                        ))
                        .or_default() += secs;
                }
            }
        }
    }
    (days, hours)
}

/// Generates the rollup and summary queries for one engine.
macro_rules! monitor_queries {
    ($pool:ty, $conn:ty) => {
        pub mod monitor {
            use chrono::{DateTime, Utc};
            use hangar_model::{Breakdown, SaturationCell, SourceId, WallSummary};

            use $crate::store::StoreError;
            use $crate::store::monitor::{Claimed, fold};

            /// Claims every finished run not yet counted and adds it to the rollups. Runs in the
            /// caller's transaction; the claim (UPDATE … RETURNING) makes each run count once.
            pub async fn roll_up(conn: &mut $conn) -> Result<u64, StoreError> {
                let claimed: Vec<Claimed> = sqlx::query_as(
                    "UPDATE runs SET rolled_up = TRUE
                     WHERE NOT rolled_up AND state IN ('succeeded', 'failed', 'stopped')
                     RETURNING source_id, process, robot, vm, state, started_at, ended_at",
                )
                .fetch_all(&mut *conn)
                .await?;
                let (days, hours) = fold(&claimed);
                // Multi-row upserts, like the runs: one statement per chunk of keys.
                let days: Vec<_> = days.into_iter().collect();
                for chunk in days.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<<$conn as sqlx::Connection>::Database>::new(
                        "INSERT INTO process_daily (source_id, process, day, runs, succeeded, failed, stopped, duration_secs) ",
                    );
                    qb.push_values(chunk, |mut b, ((source, process, day), t)| {
                        b.push_bind(source)
                            .push_bind(process)
                            .push_bind(day)
                            .push_bind(t.runs)
                            .push_bind(t.succeeded)
                            .push_bind(t.failed)
                            .push_bind(t.stopped)
                            .push_bind(t.duration_secs);
                    });
                    qb.push(
                        " ON CONFLICT (source_id, process, day) DO UPDATE SET
                            runs = process_daily.runs + excluded.runs,
                            succeeded = process_daily.succeeded + excluded.succeeded,
                            failed = process_daily.failed + excluded.failed,
                            stopped = process_daily.stopped + excluded.stopped,
                            duration_secs = process_daily.duration_secs + excluded.duration_secs",
                    );
                    qb.build().execute(&mut *conn).await?;
                }
                let hours: Vec<_> = hours.into_iter().collect();
                for chunk in hours.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<<$conn as sqlx::Connection>::Database>::new(
                        "INSERT INTO robot_hourly (source_id, robot, hour, busy_secs) ",
                    );
                    qb.push_values(chunk, |mut b, ((source, robot, hour), busy)| {
                        b.push_bind(source).push_bind(robot).push_bind(hour).push_bind(*busy);
                    });
                    qb.push(
                        " ON CONFLICT (source_id, robot, hour) DO UPDATE SET
                            busy_secs = robot_hourly.busy_secs + excluded.busy_secs",
                    );
                    qb.build().execute(&mut *conn).await?;
                }
                Ok(claimed.len() as u64)
            }

            fn count(rows: &[(String, i64)], key: &str) -> u64 {
                rows.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| (*n).max(0) as u64)
            }

            /// The wall's headline numbers: live tables for "now", rollups for "today".
            ///
            /// With a department, every figure counts only that department's sources.
            pub async fn wall_summary(
                pool: &$pool,
                now: DateTime<Utc>,
                department: Option<&str>,
            ) -> Result<WallSummary, StoreError> {
                let today = now.format("%Y-%m-%d").to_string();
                let live: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT state, COUNT(*) FROM runs
                     WHERE state NOT IN ('succeeded', 'failed', 'stopped')
                       AND ($1 IS NULL OR source_id IN (SELECT id FROM sources WHERE department = $1))
                     GROUP BY state",
                )
                .bind(department)
                .fetch_all(pool)
                .await?;
                let (finished, succeeded, failed): (Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
                    "SELECT CAST(SUM(runs) AS BIGINT), CAST(SUM(succeeded) AS BIGINT), CAST(SUM(failed) AS BIGINT)
                     FROM process_daily WHERE day = $1
                       AND ($2 IS NULL OR source_id IN (SELECT id FROM sources WHERE department = $2))",
                )
                .bind(&today)
                .bind(department)
                .fetch_one(pool)
                .await?;
                let robots: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT state, COUNT(*) FROM robots
                     WHERE ($1 IS NULL OR source_id IN (SELECT id FROM sources WHERE department = $1))
                     GROUP BY state",
                )
                .bind(department)
                .fetch_all(pool)
                .await?;
                let anomalies: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT state, severity, COUNT(*) FROM anomalies
                     WHERE state <> 'resolved' AND ($1 IS NULL OR department = $1)
                     GROUP BY state, severity",
                )
                .bind(department)
                .fetch_all(pool)
                .await?;
                // Per source, then folded by department and product here: each query is a
                // single pass over an index (the unfinished-runs partial index, the day index,
                // the active-anomaly index), not a subquery per source. Sources of other
                // departments fall out below, where the rows are matched to `sources`.
                let running_by_source: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT source_id, COUNT(*) FROM runs
                     WHERE state NOT IN ('succeeded', 'failed', 'stopped') AND state = 'running'
                     GROUP BY source_id",
                )
                .fetch_all(pool)
                .await?;
                let today_by_source: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT source_id, CAST(SUM(runs) AS BIGINT), CAST(SUM(failed) AS BIGINT)
                     FROM process_daily WHERE day = $1 GROUP BY source_id",
                )
                .bind(&today)
                .fetch_all(pool)
                .await?;
                let anomalies_by_source: Vec<(Option<String>, i64)> = sqlx::query_as(
                    "SELECT source_id, COUNT(*) FROM anomalies WHERE state <> 'resolved' GROUP BY source_id",
                )
                .fetch_all(pool)
                .await?;
                let sources: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT id, department, vendor FROM sources WHERE ($1 IS NULL OR department = $1)
                     ORDER BY department, vendor, id",
                )
                .bind(department)
                .fetch_all(pool)
                .await?;

                let mut by_department: Vec<Breakdown> = Vec::new();
                for (id, department, vendor) in sources {
                    let vendor = Some($crate::store::collected::vendor_from_str(&vendor));
                    let running = running_by_source.iter().find(|(s, _)| *s == id).map_or(0, |(_, n)| *n);
                    let (runs, failures) = today_by_source
                        .iter()
                        .find(|(s, ..)| *s == id)
                        .map_or((0, 0), |(_, r, f)| (*r, *f));
                    let open = anomalies_by_source
                        .iter()
                        .find(|(s, _)| s.as_deref() == Some(id.as_str()))
                        .map_or(0, |(_, n)| *n);
                    let row = match by_department.iter_mut().find(|b| b.department == department && b.vendor == vendor) {
                        Some(b) => b,
                        None => {
                            by_department.push(Breakdown { department, vendor, ..Breakdown::default() });
                            by_department.last_mut().expect("just pushed")
                        }
                    };
                    row.running += running.max(0) as u64;
                    row.runs_today += runs.max(0) as u64;
                    row.failures_today += failures.max(0) as u64;
                    row.open_anomalies += open.max(0) as u64;
                }
                let mut by_severity = [0u64; 4];
                let (mut open, mut acked) = (0u64, 0u64);
                for (state, severity, n) in &anomalies {
                    let n = (*n).max(0) as u64;
                    let i = match severity.as_str() {
                        "info" => 0,
                        "warn" => 1,
                        "error" => 2,
                        _ => 3,
                    };
                    by_severity[i] += n;
                    if state == "acknowledged" { acked += n } else { open += n }
                }
                let succeeded_today = succeeded.unwrap_or(0).max(0) as u64;
                let failures_today = failed.unwrap_or(0).max(0) as u64;
                let decided = succeeded_today + failures_today;
                Ok(WallSummary {
                    as_of: now,
                    running: count(&live, "running"),
                    queued: count(&live, "queued"),
                    suspended: count(&live, "suspended"),
                    finished_today: finished.unwrap_or(0).max(0) as u64,
                    succeeded_today,
                    failures_today,
                    success_rate_today: (decided > 0).then(|| succeeded_today as f64 / decided as f64),
                    robots_busy: count(&robots, "busy"),
                    robots_idle: count(&robots, "available"),
                    robots_disconnected: count(&robots, "disconnected"),
                    robots_unknown: count(&robots, "unknown"),
                    anomalies_open: open,
                    anomalies_acknowledged: acked,
                    anomalies_by_severity: by_severity,
                    by_department,
                })
            }

            /// Busy share per robot per hour from `from` (inclusive) to `to` (exclusive).
            pub async fn saturation(
                pool: &$pool,
                from: DateTime<Utc>,
                to: DateTime<Utc>,
                department: Option<&str>,
            ) -> Result<Vec<SaturationCell>, StoreError> {
                let rows: Vec<(String, String, String, f64)> = sqlx::query_as(
                    "SELECT source_id, robot, hour, busy_secs FROM robot_hourly
                     WHERE hour >= $1 AND hour < $2
                       AND ($3 IS NULL OR source_id IN (SELECT id FROM sources WHERE department = $3))
                     ORDER BY source_id, robot, hour",
                )
                .bind(from.format("%Y-%m-%dT%H").to_string())
                .bind(to.format("%Y-%m-%dT%H").to_string())
                .bind(department)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(source, robot, hour, busy)| {
                        let hour = chrono::NaiveDateTime::parse_from_str(&format!("{hour}:00:00"), "%Y-%m-%dT%H:%M:%S").ok()?;
                        Some(SaturationCell {
                            source: SourceId(source),
                            robot,
                            hour: hour.and_utc(),
                            busy_share: hangar_model::saturation(busy, 3_600.0),
                        })
                    })
                    .collect())
            }
        }
    };
}

pub(super) use monitor_queries;
