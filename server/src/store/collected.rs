//! Sources and the records collectors bring in, for both engines.
//!
//! The SQL here is the same on SQLite and PostgreSQL (both speak `ON CONFLICT … DO UPDATE …
//! WHERE`, `$n` parameters, and sqlx encodes timestamps, booleans and JSON for each), so it is
//! written once and instantiated per pool type by [`collected_queries!`]; what differs between
//! engines lives in `sqlite.rs` and `postgres.rs`.

use chrono::{DateTime, Utc};
use hangar_model::{RunState, SourceId, Vendor};

/// A source as stored: its spec is JSON without secrets (see `sources::SourceSpec`).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRecord {
    pub id: SourceId,
    pub vendor: Vendor,
    pub department: String,
    pub spec: serde_json::Value,
    pub simulated: bool,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What applying a batch changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyStats {
    /// Runs inserted or replaced by a newer report.
    pub runs_changed: u64,
    /// Runs whose report was older than what is stored (or would reopen a finished run).
    pub runs_ignored: u64,
    /// Indexes into the batch's runs of those that changed.
    pub changed_runs: Vec<usize>,
    /// Indexes into the batch's robots of those whose state (or unresponsiveness) changed.
    pub changed_robots: Vec<usize>,
}

/// One batch to write, with the cursor that produced it (none for webhooks).
#[derive(Clone, Copy, Debug)]
pub struct BatchWrite<'a> {
    pub source: &'a SourceId,
    pub batch: &'a hangar_model::Batch,
    pub cursor: Option<&'a serde_json::Value>,
}

/// Which runs to list.
#[derive(Clone, Debug, Default)]
pub struct RunFilter {
    pub source: Option<SourceId>,
    pub state: Option<RunState>,
    /// Only runs of this department's sources.
    pub department: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

pub(super) fn vendor_from_str(s: &str) -> Vendor {
    match s {
        "automation_anywhere" => Vendor::AutomationAnywhere,
        _ => Vendor::Uipath,
    }
}

pub(super) fn run_state_from_str(s: &str) -> RunState {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap_or(RunState::Unknown)
}

#[derive(sqlx::FromRow)]
pub(super) struct SourceRow {
    pub id: String,
    pub vendor: String,
    pub department: String,
    pub spec: sqlx::types::Json<serde_json::Value>,
    pub simulated: bool,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SourceRow> for SourceRecord {
    fn from(r: SourceRow) -> Self {
        SourceRecord {
            id: SourceId(r.id),
            vendor: vendor_from_str(&r.vendor),
            department: r.department,
            spec: r.spec.0,
            simulated: r.simulated,
            paused: r.paused,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RunRow {
    pub source_id: String,
    pub vendor_key: String,
    pub vendor: String,
    pub process: String,
    pub robot: Option<String>,
    pub vm: Option<String>,
    pub folder: Option<String>,
    pub state: String,
    pub raw_state: String,
    pub created_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub trigger_kind: Option<String>,
    pub schedule_key: Option<String>,
}

impl From<RunRow> for hangar_model::Run {
    fn from(r: RunRow) -> Self {
        hangar_model::Run {
            source: SourceId(r.source_id),
            vendor: vendor_from_str(&r.vendor),
            vendor_key: r.vendor_key,
            process: r.process,
            robot: r.robot,
            vm: r.vm,
            folder: r.folder,
            state: run_state_from_str(&r.state),
            raw_state: r.raw_state,
            created_at: r.created_at,
            started_at: r.started_at,
            ended_at: r.ended_at,
            updated_at: r.updated_at,
            error: r.error,
            trigger: r.trigger_kind,
            schedule_key: r.schedule_key,
        }
    }
}

/// Runs per multi-row upsert: 18 parameters each, well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
pub(super) const RUN_CHUNK: usize = 500;

/// Terminal states in SQL, for the "never reopen a finished run" rule
/// (`hangar_model::should_replace_run` is the same rule in Rust; a store test holds them equal).
pub(super) const TERMINAL: &str = "('succeeded', 'failed', 'stopped')";

/// Generates the source and collected-record queries for one pool type.
macro_rules! collected_queries {
    ($pool:ty, $conn:ty) => {
        use chrono::Utc;
        use hangar_model::{Batch, Run, SourceId};
        use sqlx::types::Json;

        use $crate::store::StoreError;
        use $crate::store::collected::{
            ApplyStats, BatchWrite, RUN_CHUNK, RunFilter, RunRow, SourceRecord, SourceRow, TERMINAL,
        };

        pub async fn insert_source(pool: &$pool, s: &SourceRecord) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "INSERT INTO sources (id, vendor, department, spec, simulated, paused, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
            )
            .bind(s.id.as_str())
            .bind(s.vendor.as_str())
            .bind(&s.department)
            .bind(Json(&s.spec))
            .bind(s.simulated)
            .bind(s.paused)
            .bind(s.created_at)
            .bind(s.updated_at)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub async fn list_sources(pool: &$pool) -> Result<Vec<SourceRecord>, StoreError> {
            let rows: Vec<SourceRow> = sqlx::query_as(
                "SELECT id, vendor, department, spec, simulated, paused, created_at, updated_at
                 FROM sources ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(SourceRecord::from).collect())
        }

        pub async fn set_source_paused(pool: &$pool, id: &SourceId, paused: bool) -> Result<bool, StoreError> {
            let done = sqlx::query("UPDATE sources SET paused = $1, updated_at = $2 WHERE id = $3")
                .bind(paused)
                .bind(Utc::now())
                .bind(id.as_str())
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        }

        /// Removes the source and, by cascade, everything collected from it.
        pub async fn delete_source(pool: &$pool, id: &SourceId) -> Result<bool, StoreError> {
            let done = sqlx::query("DELETE FROM sources WHERE id = $1")
                .bind(id.as_str())
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        }

        pub async fn load_cursor(pool: &$pool, id: &SourceId) -> Result<Option<serde_json::Value>, StoreError> {
            let row: Option<(Json<serde_json::Value>,)> =
                sqlx::query_as("SELECT cursor FROM collector_cursors WHERE source_id = $1")
                    .bind(id.as_str())
                    .fetch_optional(pool)
                    .await?;
            Ok(row.map(|(c,)| c.0))
        }

        /// Writes batches, each with (when given) the cursor that produced it, in one
        /// transaction: after a crash either all are stored or none, so nothing is lost or
        /// repeated. Finished runs are rolled up in the same transaction.
        pub async fn apply_batches(
            pool: &$pool,
            writes: &[BatchWrite<'_>],
        ) -> Result<Vec<ApplyStats>, StoreError> {
            let mut tx = pool.begin().await?;
            let mut all = Vec::with_capacity(writes.len());
            for w in writes {
                all.push(apply_one(&mut tx, w.source, w.batch, w.cursor).await?);
            }
            monitor::roll_up(&mut tx).await?;
            tx.commit().await?;
            Ok(all)
        }

        async fn apply_one(
            tx: &mut $conn,
            source: &SourceId,
            batch: &Batch,
            cursor: Option<&serde_json::Value>,
        ) -> Result<ApplyStats, StoreError> {
            let now = Utc::now();
            let mut stats = ApplyStats::default();
            // Multi-row upserts: one statement per chunk instead of one per run. RETURNING
            // names the runs the merge rule let through (inserted or replaced).
            let on_conflict = format!(
                " ON CONFLICT (source_id, vendor_key) DO UPDATE SET
                    process = excluded.process, robot = excluded.robot, vm = excluded.vm,
                    folder = excluded.folder, state = excluded.state, raw_state = excluded.raw_state,
                    created_at = COALESCE(excluded.created_at, runs.created_at),
                    started_at = COALESCE(excluded.started_at, runs.started_at),
                    ended_at = COALESCE(excluded.ended_at, runs.ended_at),
                    updated_at = COALESCE(excluded.updated_at, runs.updated_at),
                    error = COALESCE(excluded.error, runs.error),
                    trigger_kind = COALESCE(excluded.trigger_kind, runs.trigger_kind),
                    schedule_key = COALESCE(excluded.schedule_key, runs.schedule_key),
                    last_seen_at = excluded.last_seen_at
                 WHERE NOT (runs.state IN {TERMINAL} AND excluded.state NOT IN {TERMINAL})
                   AND (runs.updated_at IS NULL OR excluded.updated_at IS NULL
                        OR excluded.updated_at >= runs.updated_at)
                 RETURNING vendor_key"
            );
            let mut start = 0;
            while start < batch.runs.len() {
                // One statement may not touch a row twice: a chunk ends before a repeated key.
                let mut keys: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
                let mut end = start;
                while end < batch.runs.len()
                    && end - start < RUN_CHUNK
                    && !keys.contains_key(batch.runs[end].vendor_key.as_str())
                {
                    keys.insert(batch.runs[end].vendor_key.as_str(), end);
                    end += 1;
                }
                let mut qb = sqlx::QueryBuilder::<<$conn as sqlx::Connection>::Database>::new(
                    "INSERT INTO runs (source_id, vendor_key, vendor, process, robot, vm, folder, state, raw_state,
                        created_at, started_at, ended_at, updated_at, error, trigger_kind, schedule_key,
                        first_seen_at, last_seen_at) ",
                );
                qb.push_values(&batch.runs[start..end], |mut b, r| {
                    b.push_bind(source.as_str())
                        .push_bind(&r.vendor_key)
                        .push_bind(r.vendor.as_str())
                        .push_bind(&r.process)
                        .push_bind(&r.robot)
                        .push_bind(&r.vm)
                        .push_bind(&r.folder)
                        .push_bind(r.state.as_str())
                        .push_bind(&r.raw_state)
                        .push_bind(r.created_at)
                        .push_bind(r.started_at)
                        .push_bind(r.ended_at)
                        .push_bind(r.updated_at)
                        .push_bind(&r.error)
                        .push_bind(&r.trigger)
                        .push_bind(&r.schedule_key)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(&on_conflict);
                let changed: Vec<(String,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
                for (key,) in &changed {
                    if let Some(&i) = keys.get(key.as_str()) {
                        stats.changed_runs.push(i);
                    }
                }
                stats.runs_changed += changed.len() as u64;
                stats.runs_ignored += (end - start - changed.len()) as u64;
                start = end;
            }
            stats.changed_runs.sort_unstable();
            // Known states, to tell changes (for the stream and the status intervals).
            let known: Vec<(String, String, bool)> = if batch.robots.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as("SELECT vendor_key, state, unresponsive FROM robots WHERE source_id = $1")
                    .bind(source.as_str())
                    .fetch_all(&mut *tx)
                    .await?
            };
            for (i, r) in batch.robots.iter().enumerate() {
                let state = state_text(&r.state);
                let before = known.iter().find(|(k, ..)| *k == r.vendor_key);
                let state_changed = before.is_none_or(|(_, s, _)| *s != state);
                if state_changed || before.is_some_and(|(.., u)| *u != r.unresponsive) {
                    stats.changed_robots.push(i);
                }
                if state_changed {
                    let at = r.reported_at.unwrap_or(now);
                    sqlx::query(
                        "UPDATE robot_intervals SET ended_at = $1
                         WHERE source_id = $2 AND robot_key = $3 AND ended_at IS NULL",
                    )
                    .bind(at)
                    .bind(source.as_str())
                    .bind(&r.vendor_key)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO robot_intervals (source_id, robot_key, state, started_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(source.as_str())
                    .bind(&r.vendor_key)
                    .bind(&state)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO robots (source_id, vendor_key, vendor, name, vm, folder, state, raw_state,
                        unresponsive, reported_at, seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (source_id, vendor_key) DO UPDATE SET
                        name = excluded.name, vm = excluded.vm, folder = excluded.folder,
                        state = excluded.state, raw_state = excluded.raw_state,
                        unresponsive = excluded.unresponsive,
                        reported_at = COALESCE(excluded.reported_at, robots.reported_at),
                        seen_at = excluded.seen_at",
                )
                .bind(source.as_str())
                .bind(&r.vendor_key)
                .bind(r.vendor.as_str())
                .bind(&r.name)
                .bind(&r.vm)
                .bind(&r.folder)
                .bind(state_text(&r.state))
                .bind(&r.raw_state)
                .bind(r.unresponsive)
                .bind(r.reported_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for p in &batch.processes {
                sqlx::query(
                    "INSERT INTO processes (source_id, vendor_key, vendor, name, version, folder, seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (source_id, vendor_key) DO UPDATE SET
                        name = excluded.name, version = excluded.version, folder = excluded.folder,
                        seen_at = excluded.seen_at",
                )
                .bind(source.as_str())
                .bind(&p.vendor_key)
                .bind(p.vendor.as_str())
                .bind(&p.name)
                .bind(&p.version)
                .bind(&p.folder)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for s in &batch.schedules {
                sqlx::query(
                    "INSERT INTO schedules (source_id, vendor_key, vendor, name, process, enabled, cron,
                        time_zone, next_run_at, folder, seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (source_id, vendor_key) DO UPDATE SET
                        name = excluded.name, process = excluded.process, enabled = excluded.enabled,
                        cron = excluded.cron, time_zone = excluded.time_zone,
                        next_run_at = excluded.next_run_at, folder = excluded.folder,
                        seen_at = excluded.seen_at",
                )
                .bind(source.as_str())
                .bind(&s.vendor_key)
                .bind(s.vendor.as_str())
                .bind(&s.name)
                .bind(&s.process)
                .bind(s.enabled)
                .bind(&s.cron)
                .bind(&s.time_zone)
                .bind(s.next_run_at)
                .bind(&s.folder)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for q in &batch.queue_items {
                sqlx::query(
                    "INSERT INTO queue_items (source_id, vendor_key, vendor, queue, folder, state, raw_state,
                        reference, created_at, started_at, ended_at, due_at, error, seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT (source_id, vendor_key) DO UPDATE SET
                        queue = excluded.queue, folder = excluded.folder, state = excluded.state,
                        raw_state = excluded.raw_state, reference = excluded.reference,
                        created_at = COALESCE(excluded.created_at, queue_items.created_at),
                        started_at = COALESCE(excluded.started_at, queue_items.started_at),
                        ended_at = COALESCE(excluded.ended_at, queue_items.ended_at),
                        due_at = COALESCE(excluded.due_at, queue_items.due_at),
                        error = COALESCE(excluded.error, queue_items.error),
                        seen_at = excluded.seen_at",
                )
                .bind(source.as_str())
                .bind(&q.vendor_key)
                .bind(q.vendor.as_str())
                .bind(&q.queue)
                .bind(&q.folder)
                .bind(state_text(&q.state))
                .bind(&q.raw_state)
                .bind(&q.reference)
                .bind(q.created_at)
                .bind(q.started_at)
                .bind(q.ended_at)
                .bind(q.due_at)
                .bind(&q.error)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(cursor) = cursor {
                sqlx::query(
                    "INSERT INTO collector_cursors (source_id, cursor, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (source_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                )
                .bind(source.as_str())
                .bind(Json(cursor))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            Ok(stats)
        }

        pub async fn list_runs(pool: &$pool, f: &RunFilter) -> Result<Vec<Run>, StoreError> {
            let rows: Vec<RunRow> = sqlx::query_as(
                "SELECT source_id, vendor_key, vendor, process, robot, vm, folder, state, raw_state,
                        created_at, started_at, ended_at, updated_at, error, trigger_kind, schedule_key
                 FROM runs
                 WHERE ($1 IS NULL OR source_id = $1) AND ($2 IS NULL OR state = $2)
                   AND ($5 IS NULL OR source_id IN (SELECT id FROM sources WHERE department = $5))
                 ORDER BY COALESCE(started_at, created_at) DESC, source_id, vendor_key
                 LIMIT $3 OFFSET $4",
            )
            .bind(f.source.as_ref().map(|s| s.as_str().to_owned()))
            .bind(f.state.map(|s| s.as_str()))
            .bind(i64::from(f.limit))
            .bind(i64::from(f.offset))
            .bind(f.department.clone())
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(Run::from).collect())
        }

        pub async fn count_runs(pool: &$pool, source: Option<&SourceId>) -> Result<u64, StoreError> {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE ($1 IS NULL OR source_id = $1)")
                .bind(source.map(|s| s.as_str().to_owned()))
                .fetch_one(pool)
                .await?;
            Ok(n.max(0) as u64)
        }

        /// The serde name of a state enum (`"available"`, `"in_progress"`, …).
        fn state_text<T: serde::Serialize>(state: &T) -> String {
            match serde_json::to_value(state) {
                Ok(serde_json::Value::String(s)) => s,
                _ => "unknown".to_owned(),
            }
        }
    };
}

pub(super) use collected_queries;
