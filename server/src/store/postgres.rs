//! The engine for several nodes: they share one PostgreSQL database.

use std::str::FromStr;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::{DbEngine, NodeId, Run, SourceId};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{
    ApplyStats, NodeRecord, NodeRow, PoolStats, RunFilter, SourceRecord, Store, StoreError,
    all_applied, impl_anomaly_store, impl_collected_store, impl_monitor_store,
};
use crate::config::DatabaseConfig;

mod q {
    super::super::collected::collected_queries!(sqlx::PgPool, sqlx::PgConnection);
    super::super::monitor::monitor_queries!(sqlx::PgPool, sqlx::PgConnection);
    super::super::anomalies::anomaly_queries!(sqlx::PgPool, sqlx::PgConnection);
    super::super::secrets_sql::secret_queries!(sqlx::PgPool, sqlx::PgConnection);
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str, cfg: &DatabaseConfig) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("hangar");
        let pool = PgPoolOptions::new()
            .max_connections(cfg.max_connections)
            .min_connections(cfg.min_connections)
            .acquire_timeout(Duration::from_secs(cfg.acquire_timeout_secs))
            .connect_with(options)
            .await?;
        Ok(PgStore { pool })
    }
}

impl_collected_store!(PgStore);
impl_monitor_store!(PgStore);
impl_anomaly_store!(PgStore);
super::walls::impl_wall_store!(PgStore);
super::identity::impl_identity_store!(PgStore);
super::secrets::impl_secret_store!(PgStore);

#[async_trait]
impl Store for PgStore {
    fn engine(&self) -> DbEngine {
        DbEngine::Postgres
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn migrations_current(&self) -> Result<bool, StoreError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        if !exists {
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
                name = EXCLUDED.name, version = EXCLUDED.version, listen = EXCLUDED.listen,
                started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at",
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
        // GREATEST: a node whose clock steps back must not look older than it was.
        let done =
            sqlx::query("UPDATE nodes SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2")
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
