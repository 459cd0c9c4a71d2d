//! STAND-IN for engineer A's audit storage (issue #6): one insert into `audit_log`, for both
//! engines. The whole file, its `mod`/`use` lines in `mod.rs`, and the `audit_queries!` /
//! `impl_audit_store!` lines in `sqlite.rs` and `postgres.rs` are dropped at merge.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// One audit row as written.
#[derive(Clone, Debug)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub actor_name: Option<String>,
    pub via: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub detail: serde_json::Value,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn insert_audit(&self, row: &AuditRow) -> Result<(), StoreError>;
}

macro_rules! audit_queries {
    ($pool:ty) => {
        pub mod audit {
            use $crate::store::StoreError;
            use $crate::store::audit_standin::AuditRow;

            pub async fn insert(pool: &$pool, r: &AuditRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor_user_id, actor_name, via, ip, action, target, outcome, detail)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(r.at)
                .bind(r.actor_user_id)
                .bind(&r.actor_name)
                .bind(&r.via)
                .bind(&r.ip)
                .bind(&r.action)
                .bind(&r.target)
                .bind(&r.outcome)
                .bind(sqlx::types::Json(&r.detail))
                .execute(pool)
                .await?;
                Ok(())
            }
        }
    };
}
pub(super) use audit_queries;

macro_rules! impl_audit_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::audit_standin::AuditStore for $store {
            async fn insert_audit(
                &self,
                row: &$crate::store::audit_standin::AuditRow,
            ) -> Result<(), StoreError> {
                q::audit::insert(&self.pool, row).await
            }
        }
    };
}
pub(super) use impl_audit_store;
