//! Anomalies and the inputs detection reads, for both engines. Shared SQL, instantiated per
//! engine by [`anomaly_queries!`] (see `collected.rs` for why).

use chrono::{DateTime, Utc};
use hangar_model::anomaly::{Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Severity};
use hangar_model::{QueueItemState, RobotState, SourceId, Vendor};

/// Which anomalies to list.
#[derive(Clone, Debug, Default)]
pub struct AnomalyFilter {
    /// Only these states; all when empty.
    pub states: Vec<AnomalyState>,
    pub kind: Option<AnomalyKind>,
    /// At least this severe.
    pub min_severity: Option<Severity>,
    pub department: Option<String>,
    pub source: Option<SourceId>,
    pub limit: u32,
    pub offset: u32,
}

/// One entry of an anomaly's history.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AnomalyLogEntry {
    pub at: DateTime<Utc>,
    /// `opened`, `acknowledged`, `unacknowledged`, `resolved`, `auto_resolved`.
    pub action: String,
    pub actor: Option<String>,
    pub note: Option<String>,
}

pub(super) const COLUMNS: &str = "id, kind, severity, dedup_key, subject, detail, source_id, department, process, robot, vm,
     first_seen, last_seen, count, last_occurrence, state, ack_by, ack_at, ack_note, resolved_at, resolved_by";

#[derive(sqlx::FromRow)]
pub(super) struct AnomalyRow {
    pub id: i64,
    pub kind: String,
    pub severity: String,
    pub dedup_key: String,
    pub subject: String,
    pub detail: String,
    pub source_id: Option<String>,
    pub department: Option<String>,
    pub process: Option<String>,
    pub robot: Option<String>,
    pub vm: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub count: i64,
    pub last_occurrence: String,
    pub state: String,
    pub ack_by: Option<String>,
    pub ack_at: Option<DateTime<Utc>>,
    pub ack_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

fn severity_from_str(s: &str) -> Severity {
    match s {
        "info" => Severity::Info,
        "warn" => Severity::Warn,
        "fatal" => Severity::Fatal,
        _ => Severity::Error,
    }
}

pub(super) fn state_from_str(s: &str) -> AnomalyState {
    match s {
        "acknowledged" => AnomalyState::Acknowledged,
        "resolved" => AnomalyState::Resolved,
        _ => AnomalyState::Open,
    }
}

impl From<AnomalyRow> for Anomaly {
    fn from(r: AnomalyRow) -> Self {
        let ack = match (r.ack_by, r.ack_at) {
            (Some(by), Some(at)) => Some(Acknowledgement {
                by,
                at,
                note: r.ack_note,
            }),
            _ => None,
        };
        Anomaly {
            id: r.id,
            kind: AnomalyKind::parse(&r.kind).unwrap_or(AnomalyKind::RunFaulted),
            severity: severity_from_str(&r.severity),
            dedup_key: r.dedup_key,
            subject: r.subject,
            detail: r.detail,
            source: r.source_id.map(SourceId),
            department: r.department,
            process: r.process,
            robot: r.robot,
            vm: r.vm,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            count: r.count.max(0) as u64,
            last_occurrence: r.last_occurrence,
            state: state_from_str(&r.state),
            ack,
            resolved_at: r.resolved_at,
            resolved_by: r.resolved_by,
        }
    }
}

pub(super) fn robot_state(s: &str) -> RobotState {
    match s {
        "available" => RobotState::Available,
        "busy" => RobotState::Busy,
        "disconnected" => RobotState::Disconnected,
        _ => RobotState::Unknown,
    }
}

pub(super) fn queue_state(s: &str) -> QueueItemState {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .unwrap_or(QueueItemState::Unknown)
}

pub(super) fn vendor(s: &str) -> Vendor {
    super::collected::vendor_from_str(s)
}

/// Generates the anomaly and detection-input queries for one engine.
macro_rules! anomaly_queries {
    ($pool:ty, $conn:ty) => {
        pub mod anomalies {
            use chrono::{DateTime, Utc};
            use hangar_model::anomaly::{Anomaly, AnomalyState, Change};
            use hangar_model::{QueueItem, RobotStatus, Run, ScheduleInfo, SourceId};

            use $crate::store::StoreError;
            use $crate::store::anomalies::{
                AnomalyFilter, AnomalyLogEntry, AnomalyRow, COLUMNS, queue_state, robot_state, vendor,
            };
            use $crate::store::collected::RunRow;

            const RUN_COLUMNS: &str = "source_id, vendor_key, vendor, process, robot, vm, folder, state, raw_state,
                created_at, started_at, ended_at, updated_at, error, trigger_kind, schedule_key";

            pub async fn active(pool: &$pool) -> Result<Vec<Anomaly>, StoreError> {
                let rows: Vec<AnomalyRow> =
                    sqlx::query_as(&format!("SELECT {COLUMNS} FROM anomalies WHERE state <> 'resolved'"))
                        .fetch_all(pool)
                        .await?;
                Ok(rows.into_iter().map(Anomaly::from).collect())
            }

            pub async fn get(pool: &$pool, id: i64) -> Result<Option<Anomaly>, StoreError> {
                let row: Option<AnomalyRow> =
                    sqlx::query_as(&format!("SELECT {COLUMNS} FROM anomalies WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(Anomaly::from))
            }

            pub async fn list(pool: &$pool, f: &AnomalyFilter) -> Result<Vec<Anomaly>, StoreError> {
                // Severity and state sets are small: filter them in SQL by listing the values.
                let states: Vec<&str> = f.states.iter().map(|s| s.as_str()).collect();
                let severities: Vec<&str> = [
                    hangar_model::anomaly::Severity::Info,
                    hangar_model::anomaly::Severity::Warn,
                    hangar_model::anomaly::Severity::Error,
                    hangar_model::anomaly::Severity::Fatal,
                ]
                .into_iter()
                .filter(|s| f.min_severity.is_none_or(|min| *s >= min))
                .map(|s| s.as_str())
                .collect();
                let in_list = |values: &[&str]| {
                    values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                };
                let state_clause = if states.is_empty() {
                    String::new()
                } else {
                    format!("AND state IN ({})", in_list(&states))
                };
                let sql = format!(
                    "SELECT {COLUMNS} FROM anomalies
                     WHERE severity IN ({}) {state_clause}
                       AND ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR department = $2)
                       AND ($3 IS NULL OR source_id = $3)
                     ORDER BY CASE state WHEN 'resolved' THEN 1 ELSE 0 END,
                              CASE severity WHEN 'fatal' THEN 0 WHEN 'error' THEN 1 WHEN 'warn' THEN 2 ELSE 3 END,
                              first_seen DESC, id DESC
                     LIMIT $4 OFFSET $5",
                    in_list(&severities)
                );
                let rows: Vec<AnomalyRow> = sqlx::query_as(&sql)
                    .bind(f.kind.map(|k| k.as_str()))
                    .bind(f.department.clone())
                    .bind(f.source.as_ref().map(|s| s.as_str().to_owned()))
                    .bind(i64::from(f.limit))
                    .bind(i64::from(f.offset))
                    .fetch_all(pool)
                    .await?;
                Ok(rows.into_iter().map(Anomaly::from).collect())
            }

            /// Applies detection's changes in one transaction and returns the anomalies as they
            /// now stand, each with what happened to it.
            pub async fn apply(
                pool: &$pool,
                changes: &[Change],
                now: DateTime<Utc>,
            ) -> Result<Vec<(Anomaly, &'static str)>, StoreError> {
                let mut tx = pool.begin().await?;
                let mut out = Vec::new();
                for change in changes {
                    match change {
                        Change::Open(f) => {
                            // Another node may have opened the same key a moment ago: the
                            // partial unique index makes that a no-op here.
                            let row: Option<AnomalyRow> = sqlx::query_as(&format!(
                                "INSERT INTO anomalies (kind, severity, dedup_key, subject, detail, source_id,
                                    department, process, robot, vm, first_seen, last_seen, count,
                                    last_occurrence, state)
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1, $12, 'open')
                                 ON CONFLICT (dedup_key) WHERE state <> 'resolved' DO NOTHING
                                 RETURNING {COLUMNS}"
                            ))
                            .bind(f.kind.as_str())
                            .bind(f.severity.as_str())
                            .bind(&f.dedup_key)
                            .bind(&f.subject)
                            .bind(&f.detail)
                            .bind(f.source.as_ref().map(|s| s.as_str().to_owned()))
                            .bind(&f.department)
                            .bind(&f.process)
                            .bind(&f.robot)
                            .bind(&f.vm)
                            .bind(f.observed_at)
                            .bind(&f.occurrence)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if let Some(row) = row {
                                let a = Anomaly::from(row);
                                log(&mut tx, a.id, now, "opened", None, None).await?;
                                out.push((a, "opened"));
                            }
                        }
                        Change::Refire { id, last_seen, count, last_occurrence, severity, detail } => {
                            let row: Option<AnomalyRow> = sqlx::query_as(&format!(
                                "UPDATE anomalies SET last_seen = $1, count = $2, last_occurrence = $3,
                                    severity = $4, detail = $5
                                 WHERE id = $6 AND state <> 'resolved' RETURNING {COLUMNS}"
                            ))
                            .bind(*last_seen)
                            .bind(*count as i64)
                            .bind(last_occurrence)
                            .bind(severity.as_str())
                            .bind(detail)
                            .bind(*id)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if let Some(row) = row {
                                out.push((Anomaly::from(row), "refired"));
                            }
                        }
                        Change::AutoResolve { id, at } => {
                            let row: Option<AnomalyRow> = sqlx::query_as(&format!(
                                "UPDATE anomalies SET state = 'resolved', resolved_at = $1
                                 WHERE id = $2 AND state <> 'resolved' RETURNING {COLUMNS}"
                            ))
                            .bind(*at)
                            .bind(*id)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if let Some(row) = row {
                                let a = Anomaly::from(row);
                                log(&mut tx, a.id, now, "auto_resolved", None, None).await?;
                                out.push((a, "resolved"));
                            }
                        }
                    }
                }
                tx.commit().await?;
                Ok(out)
            }

            /// Stores a hand transition (acknowledge, unacknowledge, resolve) if the anomaly is
            /// still in `expected`; false if someone changed it meanwhile.
            pub async fn transition(
                pool: &$pool,
                next: &Anomaly,
                expected: AnomalyState,
                action: &str,
                actor: &str,
                note: Option<&str>,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE anomalies SET state = $1, ack_by = $2, ack_at = $3, ack_note = $4,
                        resolved_at = $5, resolved_by = $6
                     WHERE id = $7 AND state = $8",
                )
                .bind(next.state.as_str())
                .bind(next.ack.as_ref().map(|a| a.by.clone()))
                .bind(next.ack.as_ref().map(|a| a.at))
                .bind(next.ack.as_ref().and_then(|a| a.note.clone()))
                .bind(next.resolved_at)
                .bind(&next.resolved_by)
                .bind(next.id)
                .bind(expected.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                log(&mut tx, next.id, now, action, Some(actor), note).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn log(
                conn: &mut $conn,
                id: i64,
                at: DateTime<Utc>,
                action: &str,
                actor: Option<&str>,
                note: Option<&str>,
            ) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO anomaly_log (anomaly_id, at, action, actor, note) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(at)
                    .bind(action)
                    .bind(actor)
                    .bind(note)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            }

            pub async fn history(pool: &$pool, id: i64) -> Result<Vec<AnomalyLogEntry>, StoreError> {
                let rows: Vec<(DateTime<Utc>, String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT at, action, actor, note FROM anomaly_log WHERE anomaly_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(at, action, actor, note)| AnomalyLogEntry { at, action, actor, note })
                    .collect())
            }

            pub async fn finished_runs_since(pool: &$pool, since: DateTime<Utc>) -> Result<Vec<Run>, StoreError> {
                let rows: Vec<RunRow> = sqlx::query_as(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs
                     WHERE state IN ('succeeded', 'failed', 'stopped') AND ended_at >= $1
                     ORDER BY ended_at LIMIT 100000"
                ))
                .bind(since)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(Run::from).collect())
            }

            pub async fn unfinished_runs(pool: &$pool) -> Result<Vec<Run>, StoreError> {
                let rows: Vec<RunRow> = sqlx::query_as(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE state NOT IN ('succeeded', 'failed', 'stopped')"
                ))
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(Run::from).collect())
            }

            /// Runs created or started since `since` (for matching schedule occurrences).
            pub async fn runs_started_since(pool: &$pool, since: DateTime<Utc>) -> Result<Vec<Run>, StoreError> {
                let rows: Vec<RunRow> = sqlx::query_as(&format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE COALESCE(started_at, created_at) >= $1 LIMIT 200000"
                ))
                .bind(since)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(Run::from).collect())
            }

            /// (source, process, seconds) of successful runs that ended since `since`.
            pub async fn success_durations(
                pool: &$pool,
                since: DateTime<Utc>,
            ) -> Result<Vec<(String, String, f64)>, StoreError> {
                let rows: Vec<(String, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT source_id, process, started_at, ended_at FROM runs
                     WHERE state = 'succeeded' AND ended_at >= $1 AND started_at IS NOT NULL
                     ORDER BY ended_at DESC LIMIT 100000",
                )
                .bind(since)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(s, p, a, b)| (s, p, (b - a).num_milliseconds().max(0) as f64 / 1_000.0))
                    .collect())
            }

            pub async fn robots(pool: &$pool) -> Result<Vec<RobotStatus>, StoreError> {
                let rows: Vec<(String, String, String, String, Option<String>, Option<String>, String, String, bool, Option<DateTime<Utc>>)> =
                    sqlx::query_as(
                        "SELECT source_id, vendor_key, vendor, name, vm, folder, state, raw_state, unresponsive, reported_at FROM robots",
                    )
                    .fetch_all(pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(source, key, v, name, vm, folder, state, raw, unresponsive, reported)| RobotStatus {
                        source: SourceId(source),
                        vendor: vendor(&v),
                        vendor_key: key,
                        name,
                        vm,
                        folder,
                        state: robot_state(&state),
                        raw_state: raw,
                        unresponsive,
                        reported_at: reported,
                    })
                    .collect())
            }

            pub async fn schedules(pool: &$pool) -> Result<Vec<ScheduleInfo>, StoreError> {
                let rows: Vec<(String, String, String, String, String, bool, Option<String>, Option<String>, Option<DateTime<Utc>>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT source_id, vendor_key, vendor, name, process, enabled, cron, time_zone, next_run_at, folder FROM schedules",
                    )
                    .fetch_all(pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(source, key, v, name, process, enabled, cron, tz, next, folder)| ScheduleInfo {
                        source: SourceId(source),
                        vendor: vendor(&v),
                        vendor_key: key,
                        name,
                        process,
                        enabled,
                        cron,
                        time_zone: tz,
                        next_run_at: next,
                        folder,
                    })
                    .collect())
            }

            pub async fn open_queue_items(pool: &$pool) -> Result<Vec<QueueItem>, StoreError> {
                let rows: Vec<(String, String, String, String, Option<String>, String, String, Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT source_id, vendor_key, vendor, queue, folder, state, raw_state, reference,
                                created_at, started_at, ended_at, due_at, error
                         FROM queue_items WHERE state IN ('new', 'in_progress')",
                    )
                    .fetch_all(pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(source, key, v, queue, folder, state, raw, reference, created, started, ended, due, error)| QueueItem {
                        source: SourceId(source),
                        vendor: vendor(&v),
                        vendor_key: key,
                        queue,
                        folder,
                        state: queue_state(&state),
                        raw_state: raw,
                        reference,
                        created_at: created,
                        started_at: started,
                        ended_at: ended,
                        due_at: due,
                        error,
                    })
                    .collect())
            }

            /// (source, process, day, runs, failed) from the daily rollup since `from_day`.
            pub async fn daily_counts(
                pool: &$pool,
                from_day: &str,
            ) -> Result<Vec<(String, String, String, i64, i64)>, StoreError> {
                Ok(sqlx::query_as("SELECT source_id, process, day, runs, failed FROM process_daily WHERE day >= $1")
                    .bind(from_day)
                    .fetch_all(pool)
                    .await?)
            }

            pub async fn departments(pool: &$pool) -> Result<Vec<(SourceId, String)>, StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, department FROM sources")
                    .fetch_all(pool)
                    .await?;
                Ok(rows.into_iter().map(|(id, d)| (SourceId(id), d)).collect())
            }
        }
    };
}

pub(super) use anomaly_queries;
