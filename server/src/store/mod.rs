//! The store: one trait, one implementation per engine.
//!
//! SQLite is the embedded default; PostgreSQL is for several `hangar` nodes sharing one
//! database. Each engine has its own migrations (`migrations/sqlite`, `migrations/postgres`),
//! embedded in the binary and applied at start. Queries are runtime `query_as` with `FromRow`,
//! so building needs no database.

pub mod anomalies;
pub(crate) mod collected;
pub mod identity;
mod monitor;
mod postgres;
pub mod secrets;
mod secrets_sql;
mod sqlite;
pub mod walls;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::anomaly::{Anomaly, AnomalyState, Change};
use hangar_model::{
    Batch, DbEngine, NodeId, QueueItem, RobotStatus, Run, SaturationCell, ScheduleInfo, SourceId,
    WallSummary,
};
use secrecy::{ExposeSecret, SecretString};

pub use anomalies::{AnomalyFilter, AnomalyLogEntry};
pub use collected::{ApplyStats, BatchWrite, RunFilter, SourceRecord};
pub use identity::{
    AuditFilter, AuditRecord, NewAuditEntry, SessionRecord, TokenRecord, UserPatch, UserRecord,
};
pub use postgres::PgStore;
pub use secrets::SecretStore;
pub use sqlite::SqliteStore;
pub use walls::WallStore;

use crate::config::DatabaseConfig;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database setup: {0}")]
    Setup(String),
}

/// One `hangar` process as recorded in the database.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRecord {
    pub id: NodeId,
    pub name: String,
    pub version: String,
    pub listen: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// The row as both engines return it.
#[derive(sqlx::FromRow)]
struct NodeRow {
    id: uuid::Uuid,
    name: String,
    version: String,
    listen: String,
    started_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

impl From<NodeRow> for NodeRecord {
    fn from(r: NodeRow) -> Self {
        NodeRecord {
            id: NodeId(r.id),
            name: r.name,
            version: r.version,
            listen: r.listen,
            started_at: r.started_at,
            last_seen_at: r.last_seen_at,
        }
    }
}

/// Open and idle connections in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// Sources and the records collectors bring in. Implemented for every engine by
/// [`impl_collected_store!`] over the shared SQL in `collected.rs`.
#[async_trait]
pub trait CollectedStore: Send + Sync {
    /// Adds a source; false if one with this id exists.
    async fn insert_source(&self, source: &SourceRecord) -> Result<bool, StoreError>;

    async fn list_sources(&self) -> Result<Vec<SourceRecord>, StoreError>;

    /// Pauses or resumes a source; false if there is no such source.
    async fn set_source_paused(&self, id: &SourceId, paused: bool) -> Result<bool, StoreError>;

    /// Removes a source and everything collected from it; false if there is no such source.
    async fn delete_source(&self, id: &SourceId) -> Result<bool, StoreError>;

    /// The cursor stored with the source's last batch.
    async fn load_cursor(&self, id: &SourceId) -> Result<Option<serde_json::Value>, StoreError>;

    /// Stores batches, each with the cursor that produced it, in one transaction. Runs follow
    /// `hangar_model::should_replace_run`: no finished run reopens, no older report wins.
    async fn apply_batches(&self, writes: &[BatchWrite<'_>])
    -> Result<Vec<ApplyStats>, StoreError>;

    /// [`CollectedStore::apply_batches`] for one batch.
    async fn apply_batch(
        &self,
        source: &SourceId,
        batch: &Batch,
        cursor: Option<&serde_json::Value>,
    ) -> Result<ApplyStats, StoreError> {
        let mut stats = self
            .apply_batches(&[BatchWrite {
                source,
                batch,
                cursor,
            }])
            .await?;
        Ok(stats.pop().unwrap_or_default())
    }

    async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>, StoreError>;

    async fn count_runs(&self, source: Option<&SourceId>) -> Result<u64, StoreError>;
}

/// What the wall and detection read: summaries from rollups, saturation. Implemented for every
/// engine by [`impl_monitor_store!`] over the shared SQL in `monitor.rs`.
#[async_trait]
pub trait MonitorStore: Send + Sync {
    async fn wall_summary(&self, now: DateTime<Utc>) -> Result<WallSummary, StoreError> {
        self.wall_summary_for(now, None).await
    }

    /// The summary over one department's sources, or over all with `None`.
    async fn wall_summary_for(
        &self,
        now: DateTime<Utc>,
        department: Option<&str>,
    ) -> Result<WallSummary, StoreError>;

    /// Busy share per robot per hour in `[from, to)`.
    async fn saturation(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SaturationCell>, StoreError> {
        self.saturation_for(from, to, None).await
    }

    /// As [`MonitorStore::saturation`], for one department's sources, or all with `None`.
    async fn saturation_for(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        department: Option<&str>,
    ) -> Result<Vec<SaturationCell>, StoreError>;
}

/// Anomalies, and what detection reads. Implemented for every engine by
/// [`impl_anomaly_store!`] over the shared SQL in `anomalies.rs`.
#[async_trait]
pub trait AnomalyStore: Send + Sync {
    async fn active_anomalies(&self) -> Result<Vec<Anomaly>, StoreError>;
    async fn anomaly(&self, id: i64) -> Result<Option<Anomaly>, StoreError>;
    async fn list_anomalies(&self, filter: &AnomalyFilter) -> Result<Vec<Anomaly>, StoreError>;
    /// Applies detection's changes in one transaction; returns each affected anomaly as it now
    /// stands with what happened (`opened`, `refired`, `resolved`).
    async fn apply_anomaly_changes(
        &self,
        changes: &[Change],
        now: DateTime<Utc>,
    ) -> Result<Vec<(Anomaly, &'static str)>, StoreError>;
    /// Stores a hand transition if the anomaly is still in `expected`, with an audit entry.
    #[allow(clippy::too_many_arguments)]
    async fn transition_anomaly(
        &self,
        next: &Anomaly,
        expected: AnomalyState,
        action: &str,
        actor: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn anomaly_history(&self, id: i64) -> Result<Vec<AnomalyLogEntry>, StoreError>;
    async fn finished_runs_since(&self, since: DateTime<Utc>) -> Result<Vec<Run>, StoreError>;
    async fn unfinished_runs(&self) -> Result<Vec<Run>, StoreError>;
    async fn runs_started_since(&self, since: DateTime<Utc>) -> Result<Vec<Run>, StoreError>;
    async fn success_durations(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, String, f64)>, StoreError>;
    async fn robots(&self) -> Result<Vec<RobotStatus>, StoreError>;
    async fn schedules(&self) -> Result<Vec<ScheduleInfo>, StoreError>;
    async fn open_queue_items(&self) -> Result<Vec<QueueItem>, StoreError>;
    async fn daily_counts(
        &self,
        from_day: &str,
    ) -> Result<Vec<(String, String, String, i64, i64)>, StoreError>;
    async fn departments(&self) -> Result<Vec<(SourceId, String)>, StoreError>;
}

/// Local users, their browser sessions and API tokens. Implemented for every engine by
/// [`identity::impl_identity_store!`].
#[async_trait]
pub trait IdentityStore: Send + Sync {
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// Adds a user; false if the name (case-insensitive) is taken.
    async fn insert_user(&self, user: &UserRecord) -> Result<bool, StoreError>;
    async fn user(&self, id: hangar_model::UserId) -> Result<Option<UserRecord>, StoreError>;
    /// By name, case-insensitive.
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Writes every field but the id, name and creation time. A disabled user's sessions
    /// are deleted and tokens revoked in the same transaction. False if there is no such user.
    async fn update_user(&self, user: &UserRecord) -> Result<bool, StoreError>;
    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    /// By the SHA-256 (hex) of the cookie value.
    async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    async fn delete_session(&self, id: &str) -> Result<(), StoreError>;
    async fn delete_user_sessions(&self, user: hangar_model::UserId) -> Result<(), StoreError>;
    async fn insert_token(&self, token: &TokenRecord) -> Result<(), StoreError>;
    async fn token(&self, id: hangar_model::TokenId) -> Result<Option<TokenRecord>, StoreError>;
    /// By the SHA-256 (hex) of the token value.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError>;
    /// One user's tokens, or everyone's; newest first.
    async fn list_tokens(
        &self,
        user: Option<hangar_model::UserId>,
    ) -> Result<Vec<TokenRecord>, StoreError>;
    /// Revokes the token and ends the sessions made from it; false if unknown or revoked.
    async fn revoke_token(
        &self,
        id: hangar_model::TokenId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn touch_token(
        &self,
        id: hangar_model::TokenId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The append-only audit log (triggers refuse UPDATE and DELETE on both engines).
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<i64, StoreError>;
    /// Newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError>;
}

#[async_trait]
pub trait Store:
    CollectedStore
    + MonitorStore
    + AnomalyStore
    + WallStore
    + SecretStore
    + IdentityStore
    + AuditStore
    + Send
    + Sync
    + 'static
{
    fn engine(&self) -> DbEngine;

    /// Applies every embedded migration not yet applied. Safe to run from several nodes at
    /// once: PostgreSQL serializes them with an advisory lock, SQLite with its write lock.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Whether every migration embedded in this binary is applied.
    async fn migrations_current(&self) -> Result<bool, StoreError>;

    /// Round trip of a trivial query.
    async fn ping(&self) -> Result<Duration, StoreError>;

    fn pool_stats(&self) -> PoolStats;

    /// Records this node, or updates it if it is already known.
    async fn upsert_node(&self, node: &NodeRecord) -> Result<(), StoreError>;

    /// Marks the node as seen at `at`. Returns false if the node is not registered (someone
    /// pruned it), so the caller can register it again.
    async fn touch_node(&self, id: NodeId, at: DateTime<Utc>) -> Result<bool, StoreError>;

    async fn list_nodes(&self) -> Result<Vec<NodeRecord>, StoreError>;

    async fn remove_node(&self, id: NodeId) -> Result<(), StoreError>;

    /// Forgets nodes not seen since `before`; returns how many.
    async fn prune_nodes(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Closes the pool, waiting for connections in use to come back.
    async fn close(&self);
}

/// Connects to the database the URL names, choosing the engine by its scheme.
pub async fn connect(
    url: &SecretString,
    cfg: &DatabaseConfig,
) -> Result<Arc<dyn Store>, StoreError> {
    let raw = url.expose_secret();
    if raw.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(raw, cfg).await?))
    } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(raw, cfg).await?))
    } else {
        Err(StoreError::Setup(
            "database URL must start with sqlite:, postgres:// or postgresql://".to_owned(),
        ))
    }
}

/// True when every embedded migration's version is among those the database applied.
fn all_applied(embedded: &sqlx::migrate::Migrator, applied: &[i64]) -> bool {
    embedded
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.contains(&m.version))
}

/// `impl CollectedStore` for an engine: forwards to the functions `collected_queries!`
/// generated in the engine's `q` module.
macro_rules! impl_collected_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CollectedStore for $store {
            async fn insert_source(&self, s: &SourceRecord) -> Result<bool, StoreError> {
                q::insert_source(&self.pool, s).await
            }
            async fn list_sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
                q::list_sources(&self.pool).await
            }
            async fn set_source_paused(
                &self,
                id: &SourceId,
                paused: bool,
            ) -> Result<bool, StoreError> {
                q::set_source_paused(&self.pool, id, paused).await
            }
            async fn delete_source(&self, id: &SourceId) -> Result<bool, StoreError> {
                q::delete_source(&self.pool, id).await
            }
            async fn load_cursor(
                &self,
                id: &SourceId,
            ) -> Result<Option<serde_json::Value>, StoreError> {
                q::load_cursor(&self.pool, id).await
            }
            async fn apply_batches(
                &self,
                writes: &[$crate::store::BatchWrite<'_>],
            ) -> Result<Vec<ApplyStats>, StoreError> {
                q::apply_batches(&self.pool, writes).await
            }
            async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>, StoreError> {
                q::list_runs(&self.pool, filter).await
            }
            async fn count_runs(&self, source: Option<&SourceId>) -> Result<u64, StoreError> {
                q::count_runs(&self.pool, source).await
            }
        }
    };
}
use impl_collected_store;

/// `impl MonitorStore` for an engine, forwarding to `q::monitor`.
macro_rules! impl_monitor_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::MonitorStore for $store {
            async fn wall_summary_for(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                department: Option<&str>,
            ) -> Result<hangar_model::WallSummary, StoreError> {
                q::monitor::wall_summary(&self.pool, now, department).await
            }
            async fn saturation_for(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
                department: Option<&str>,
            ) -> Result<Vec<hangar_model::SaturationCell>, StoreError> {
                q::monitor::saturation(&self.pool, from, to, department).await
            }
        }
    };
}
use impl_monitor_store;

/// `impl AnomalyStore` for an engine, forwarding to `q::anomalies`.
macro_rules! impl_anomaly_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AnomalyStore for $store {
            async fn active_anomalies(
                &self,
            ) -> Result<Vec<hangar_model::anomaly::Anomaly>, StoreError> {
                q::anomalies::active(&self.pool).await
            }
            async fn anomaly(
                &self,
                id: i64,
            ) -> Result<Option<hangar_model::anomaly::Anomaly>, StoreError> {
                q::anomalies::get(&self.pool, id).await
            }
            async fn list_anomalies(
                &self,
                filter: &$crate::store::AnomalyFilter,
            ) -> Result<Vec<hangar_model::anomaly::Anomaly>, StoreError> {
                q::anomalies::list(&self.pool, filter).await
            }
            async fn apply_anomaly_changes(
                &self,
                changes: &[hangar_model::anomaly::Change],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(hangar_model::anomaly::Anomaly, &'static str)>, StoreError> {
                q::anomalies::apply(&self.pool, changes, now).await
            }
            async fn transition_anomaly(
                &self,
                next: &hangar_model::anomaly::Anomaly,
                expected: hangar_model::anomaly::AnomalyState,
                action: &str,
                actor: &str,
                note: Option<&str>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                q::anomalies::transition(&self.pool, next, expected, action, actor, note, now).await
            }
            async fn anomaly_history(
                &self,
                id: i64,
            ) -> Result<Vec<$crate::store::AnomalyLogEntry>, StoreError> {
                q::anomalies::history(&self.pool, id).await
            }
            async fn finished_runs_since(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<Run>, StoreError> {
                q::anomalies::finished_runs_since(&self.pool, since).await
            }
            async fn unfinished_runs(&self) -> Result<Vec<Run>, StoreError> {
                q::anomalies::unfinished_runs(&self.pool).await
            }
            async fn runs_started_since(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<Run>, StoreError> {
                q::anomalies::runs_started_since(&self.pool, since).await
            }
            async fn success_durations(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(String, String, f64)>, StoreError> {
                q::anomalies::success_durations(&self.pool, since).await
            }
            async fn robots(&self) -> Result<Vec<hangar_model::RobotStatus>, StoreError> {
                q::anomalies::robots(&self.pool).await
            }
            async fn schedules(&self) -> Result<Vec<hangar_model::ScheduleInfo>, StoreError> {
                q::anomalies::schedules(&self.pool).await
            }
            async fn open_queue_items(&self) -> Result<Vec<hangar_model::QueueItem>, StoreError> {
                q::anomalies::open_queue_items(&self.pool).await
            }
            async fn daily_counts(
                &self,
                from_day: &str,
            ) -> Result<Vec<(String, String, String, i64, i64)>, StoreError> {
                q::anomalies::daily_counts(&self.pool, from_day).await
            }
            async fn departments(&self) -> Result<Vec<(SourceId, String)>, StoreError> {
                q::anomalies::departments(&self.pool).await
            }
        }
    };
}
use impl_anomaly_store;
