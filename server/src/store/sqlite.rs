//! The embedded engine: one file in the data directory, WAL, foreign keys on.

use std::str::FromStr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::{DbEngine, NodeId, Run, SourceId};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{
    ApplyStats, NodeRecord, NodeRow, PoolStats, RunFilter, SourceRecord, Store, StoreError,
    all_applied, impl_anomaly_store, impl_collected_store, impl_monitor_store,
};
use crate::config::DatabaseConfig;

mod q {
    super::super::collected::collected_queries!(sqlx::SqlitePool, sqlx::SqliteConnection);
    super::super::monitor::monitor_queries!(sqlx::SqlitePool, sqlx::SqliteConnection);
    super::super::anomalies::anomaly_queries!(sqlx::SqlitePool, sqlx::SqliteConnection);
    super::super::secrets_sql::secret_queries!(sqlx::SqlitePool, sqlx::SqliteConnection);
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str, cfg: &DatabaseConfig) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable under WAL against process crashes; only an OS crash can lose
            // the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_millis(cfg.sqlite_busy_timeout_ms))
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Setup(format!("cannot create {}: {e}", dir.display())))?;
        }
        let pool_options = SqlitePoolOptions::new()
            .max_connections(cfg.max_connections)
            .min_connections(cfg.min_connections)
            .acquire_timeout(Duration::from_secs(cfg.acquire_timeout_secs));
        // Switching a new file to WAL answers SQLITE_BUSY at once, without waiting on the busy
        // timeout, when another process is opening the same file: wait a little and retry.
        let mut attempt = 0;
        loop {
            match pool_options.clone().connect_with(options.clone()).await {
                Ok(pool) => return Ok(SqliteStore { pool }),
                Err(e) if attempt < 10 && is_busy(&e) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    // SQLITE_BUSY is 5; extended codes (5 | n << 8) say why.
    matches!(e, sqlx::Error::Database(db)
        if db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5))
}

impl_collected_store!(SqliteStore);
impl_monitor_store!(SqliteStore);
impl_anomaly_store!(SqliteStore);
super::walls::impl_wall_store!(SqliteStore);
super::identity::impl_identity_store!(SqliteStore);
super::secrets::impl_secret_store!(SqliteStore);

#[async_trait]
impl Store for SqliteStore {
    fn engine(&self) -> DbEngine {
        DbEngine::Sqlite
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        // sqlx takes no migration lock on SQLite, so processes opening one file race: the
        // loser fails on a table the winner just created, or on the lock while the winner is
        // still applying. Wait for the winner and look again; run whatever is still missing.
        let mut attempt = 0u64;
        loop {
            match MIGRATOR.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(_) if self.migrations_current().await.unwrap_or(false) => return Ok(()),
                Err(e) if attempt < 10 => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "migration raced another process; retrying");
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn migrations_current(&self) -> Result<bool, StoreError> {
        let table: Option<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await?;
        if table.is_none() {
            return Ok(false);
        }
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        Ok(all_applied(&MIGRATOR, &applied))
    }

    async fn ping(&self) -> Result<Duration, StoreError> {
        let start = Instant::now();
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(start.elapsed())
    }

    fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: self.pool.num_idle() as u32,
        }
    }

    async fn upsert_node(&self, node: &NodeRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO nodes (id, name, version, listen, started_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, version = excluded.version, listen = excluded.listen,
                started_at = excluded.started_at, last_seen_at = excluded.last_seen_at",
        )
        .bind(node.id.0)
        .bind(&node.name)
        .bind(&node.version)
        .bind(&node.listen)
        .bind(node.started_at)
        .bind(node.last_seen_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn touch_node(&self, id: NodeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE nodes SET last_seen_at = MAX(last_seen_at, $1) WHERE id = $2")
                .bind(at)
                .bind(id.0)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_nodes(&self) -> Result<Vec<NodeRecord>, StoreError> {
        let rows: Vec<NodeRow> = sqlx::query_as(
            "SELECT id, name, version, listen, started_at, last_seen_at FROM nodes
             ORDER BY name, started_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(NodeRecord::from).collect())
    }

    async fn remove_node(&self, id: NodeId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM nodes WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn prune_nodes(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM nodes WHERE last_seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
