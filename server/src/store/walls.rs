//! Saved wall profiles, for both engines. The built-in default profile is not stored: it is
//! what `/wall` shows until an operator saves one under its name.

use async_trait::async_trait;
use chrono::Utc;
use hangar_model::wall::WallProfile;

use super::StoreError;

#[async_trait]
pub trait WallStore: Send + Sync {
    async fn wall_profile(&self, name: &str) -> Result<Option<WallProfile>, StoreError>;
    async fn wall_profiles(&self) -> Result<Vec<WallProfile>, StoreError>;
    /// Saves (creates or replaces) a validated profile.
    async fn put_wall_profile(&self, profile: &WallProfile) -> Result<(), StoreError>;
    /// Returns false when there was no such profile.
    async fn delete_wall_profile(&self, name: &str) -> Result<bool, StoreError>;
}

/// `impl WallStore` for an engine whose struct has a `pool` field of type `$pool`.
macro_rules! impl_wall_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::walls::WallStore for $store {
            async fn wall_profile(
                &self,
                name: &str,
            ) -> Result<Option<hangar_model::wall::WallProfile>, StoreError> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT body FROM wall_profiles WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|(body,)| $crate::store::walls::decode_body(&body))
                    .transpose()
            }

            async fn wall_profiles(
                &self,
            ) -> Result<Vec<hangar_model::wall::WallProfile>, StoreError> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT body FROM wall_profiles ORDER BY name")
                        .fetch_all(&self.pool)
                        .await?;
                rows.iter()
                    .map(|(body,)| $crate::store::walls::decode_body(body))
                    .collect()
            }

            async fn put_wall_profile(
                &self,
                profile: &hangar_model::wall::WallProfile,
            ) -> Result<(), StoreError> {
                let body = serde_json::to_string(profile)
                    .map_err(|e| StoreError::Setup(format!("encoding a wall profile: {e}")))?;
                sqlx::query(
                    "INSERT INTO wall_profiles (name, body, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO UPDATE SET body = excluded.body,
                                                      updated_at = excluded.updated_at",
                )
                .bind(&profile.name)
                .bind(body)
                .bind($crate::store::walls::now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn delete_wall_profile(&self, name: &str) -> Result<bool, StoreError> {
                let done = sqlx::query("DELETE FROM wall_profiles WHERE name = $1")
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(super) use impl_wall_store;

#[doc(hidden)]
pub fn decode_body(body: &str) -> Result<WallProfile, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Setup(format!("a stored wall profile is unreadable: {e}")))
}

#[doc(hidden)]
pub fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}
