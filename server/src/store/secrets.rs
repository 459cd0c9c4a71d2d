//! The credential vault's rows, for both engines: the keyring, secrets (labels only), their
//! sealed versions, and grants. Shared SQL instantiated per engine by [`secret_queries!`]
//! (see `collected.rs` for why); the trait and its forwarding impl are here too.
//!
//! Nothing in these rows is secret without the vault's keys: `sealed` is ciphertext bound
//! to (owner, secret id, version), and the keyring state opens nothing without the root key.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::secrets::{SecretGrant, SecretMeta, SecretVersionInfo};
use hangar_model::{GrantId, SecretId, UserId};

use super::StoreError;

/// The persisted keyring: `hangar_vault::KeyringState` as JSON, and its current KEK version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyringRecord {
    pub state: String,
    pub kek_version: u32,
}

/// A new secret with its first sealed version (version 1).
#[derive(Debug)]
pub struct NewSecret<'a> {
    pub meta: &'a SecretMeta,
    pub kek_version: u32,
    pub sealed: &'a [u8],
    pub created_by: &'a str,
}

/// A new version of an existing secret, written only if its current version is still `cas`.
#[derive(Debug)]
pub struct SecretChange<'a> {
    pub id: SecretId,
    pub cas: u32,
    pub name: &'a str,
    pub system: Option<&'a str>,
    pub url: Option<&'a str>,
    pub tags: &'a [String],
    /// Sealed for version `cas + 1`.
    pub sealed: &'a [u8],
    pub kek_version: u32,
    pub created_by: &'a str,
    pub at: DateTime<Utc>,
    /// Versions to keep, counting the new one.
    pub keep: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated { version: u32 },
    CasMismatch { current: u32 },
    Deleted,
    NotFound,
}

/// One stored version, with what its ciphertext is bound to.
#[derive(Clone, Debug)]
pub struct SealedVersion {
    pub secret_id: SecretId,
    pub owner: UserId,
    pub version: u32,
    pub sealed: Vec<u8>,
}

/// A version's data key rewrapped from `from_kek` to `to_kek`.
#[derive(Clone, Debug)]
pub struct Rewrapped {
    pub secret_id: SecretId,
    pub version: u32,
    pub from_kek: u32,
    pub to_kek: u32,
    pub sealed: Vec<u8>,
}

/// Implemented for every engine by [`impl_secret_store!`].
#[async_trait]
pub trait SecretStore: Send + Sync {
    async fn load_keyring(&self) -> Result<Option<KeyringRecord>, StoreError>;
    /// Stores the first keyring; false if one exists (another node initialised first).
    async fn init_keyring(&self, k: &KeyringRecord, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Replaces the keyring if its current KEK version is still `expected`.
    async fn replace_keyring(
        &self,
        k: &KeyringRecord,
        expected: u32,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    async fn insert_secret(&self, s: &NewSecret<'_>) -> Result<(), StoreError>;
    /// Writes version `cas + 1` and prunes versions beyond `keep`, in one transaction.
    async fn update_secret(&self, c: &SecretChange<'_>) -> Result<UpdateOutcome, StoreError>;
    async fn secret(&self, id: SecretId) -> Result<Option<SecretMeta>, StoreError>;
    /// Metadata of one owner's secrets (all owners' when `owner` is None), by name.
    async fn list_secrets(
        &self,
        owner: Option<UserId>,
        include_deleted: bool,
    ) -> Result<Vec<SecretMeta>, StoreError>;
    /// Kept versions, newest first.
    async fn secret_versions(&self, id: SecretId) -> Result<Vec<SecretVersionInfo>, StoreError>;
    async fn sealed_version(
        &self,
        id: SecretId,
        version: u32,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Soft-deletes (`Some(at)`) or restores (`None`); false if it already was so.
    async fn set_secret_deleted(
        &self,
        id: SecretId,
        deleted_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// False if a live grant for the same (grantee, asset name) exists.
    async fn insert_grant(&self, g: &SecretGrant) -> Result<bool, StoreError>;
    async fn list_grants(&self, secret: SecretId) -> Result<Vec<SecretGrant>, StoreError>;
    async fn grant(&self, id: GrantId) -> Result<Option<SecretGrant>, StoreError>;
    /// False if there is no such live grant.
    async fn revoke_grant(&self, id: GrantId, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// The secret a live grant gives `grantee` under `asset_name`, if it is not deleted.
    async fn granted_secret(
        &self,
        grantee: &str,
        asset_name: &str,
    ) -> Result<Option<(GrantId, SecretMeta)>, StoreError>;

    /// Versions wrapped under a KEK below `below`, after `after` in (secret id, version)
    /// order: a keyset page, so rows that fail to rewrap are not fetched again.
    async fn versions_to_rewrap(
        &self,
        below: u32,
        after: Option<(SecretId, u32)>,
        limit: u32,
    ) -> Result<Vec<SealedVersion>, StoreError>;
    /// Stores rewrapped versions in one transaction; a row changed meanwhile is left alone.
    /// Returns how many were written.
    async fn store_rewrapped(&self, rows: &[Rewrapped]) -> Result<u64, StoreError>;
    /// (secrets, kept versions wrapped under a KEK below `current`).
    async fn vault_counts(&self, current: u32) -> Result<(u64, u64), StoreError>;
}

pub(super) const META_COLUMNS: &str =
    "s.id, s.owner_user_id, s.owner_name, s.name, s.system, s.url, s.tags,
     s.current_version, s.created_at, s.updated_at, s.deleted_at";

#[derive(sqlx::FromRow)]
pub(super) struct MetaRow {
    pub id: uuid::Uuid,
    pub owner_user_id: uuid::Uuid,
    pub owner_name: String,
    pub name: String,
    pub system: Option<String>,
    pub url: Option<String>,
    pub tags: sqlx::types::Json<Vec<String>>,
    pub current_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl From<MetaRow> for SecretMeta {
    fn from(r: MetaRow) -> Self {
        SecretMeta {
            id: SecretId(r.id),
            owner: UserId(r.owner_user_id),
            owner_name: r.owner_name,
            name: r.name,
            system: r.system,
            url: r.url,
            tags: r.tags.0,
            current_version: r.current_version.max(0) as u32,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
        }
    }
}

pub(super) const GRANT_COLUMNS: &str =
    "id, secret_id, grantee, asset_name, created_at, created_by, revoked_at";

#[derive(sqlx::FromRow)]
pub(super) struct GrantRow {
    pub id: uuid::Uuid,
    pub secret_id: uuid::Uuid,
    pub grantee: String,
    pub asset_name: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<GrantRow> for SecretGrant {
    fn from(r: GrantRow) -> Self {
        SecretGrant {
            id: GrantId(r.id),
            secret_id: SecretId(r.secret_id),
            grantee: r.grantee,
            asset_name: r.asset_name,
            created_at: r.created_at,
            created_by: r.created_by,
            revoked_at: r.revoked_at,
        }
    }
}

/// Versions and KEK versions are u32 in Rust and INTEGER (i32 on PostgreSQL) in the tables.
pub(super) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `impl SecretStore` for an engine, forwarding to `q::secrets`.
macro_rules! impl_secret_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::secrets::SecretStore for $store {
            async fn load_keyring(
                &self,
            ) -> Result<Option<$crate::store::secrets::KeyringRecord>, StoreError> {
                q::secrets::load_keyring(&self.pool).await
            }
            async fn init_keyring(
                &self,
                k: &$crate::store::secrets::KeyringRecord,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                q::secrets::init_keyring(&self.pool, k, at).await
            }
            async fn replace_keyring(
                &self,
                k: &$crate::store::secrets::KeyringRecord,
                expected: u32,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                q::secrets::replace_keyring(&self.pool, k, expected, at).await
            }
            async fn insert_secret(
                &self,
                s: &$crate::store::secrets::NewSecret<'_>,
            ) -> Result<(), StoreError> {
                q::secrets::insert_secret(&self.pool, s).await
            }
            async fn update_secret(
                &self,
                c: &$crate::store::secrets::SecretChange<'_>,
            ) -> Result<$crate::store::secrets::UpdateOutcome, StoreError> {
                q::secrets::update_secret(&self.pool, c).await
            }
            async fn secret(
                &self,
                id: hangar_model::SecretId,
            ) -> Result<Option<hangar_model::secrets::SecretMeta>, StoreError> {
                q::secrets::secret(&self.pool, id).await
            }
            async fn list_secrets(
                &self,
                owner: Option<hangar_model::UserId>,
                include_deleted: bool,
            ) -> Result<Vec<hangar_model::secrets::SecretMeta>, StoreError> {
                q::secrets::list_secrets(&self.pool, owner, include_deleted).await
            }
            async fn secret_versions(
                &self,
                id: hangar_model::SecretId,
            ) -> Result<Vec<hangar_model::secrets::SecretVersionInfo>, StoreError> {
                q::secrets::secret_versions(&self.pool, id).await
            }
            async fn sealed_version(
                &self,
                id: hangar_model::SecretId,
                version: u32,
            ) -> Result<Option<Vec<u8>>, StoreError> {
                q::secrets::sealed_version(&self.pool, id, version).await
            }
            async fn set_secret_deleted(
                &self,
                id: hangar_model::SecretId,
                deleted_at: Option<chrono::DateTime<chrono::Utc>>,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                q::secrets::set_secret_deleted(&self.pool, id, deleted_at, at).await
            }
            async fn insert_grant(
                &self,
                g: &hangar_model::secrets::SecretGrant,
            ) -> Result<bool, StoreError> {
                q::secrets::insert_grant(&self.pool, g).await
            }
            async fn list_grants(
                &self,
                secret: hangar_model::SecretId,
            ) -> Result<Vec<hangar_model::secrets::SecretGrant>, StoreError> {
                q::secrets::list_grants(&self.pool, secret).await
            }
            async fn grant(
                &self,
                id: hangar_model::GrantId,
            ) -> Result<Option<hangar_model::secrets::SecretGrant>, StoreError> {
                q::secrets::grant(&self.pool, id).await
            }
            async fn revoke_grant(
                &self,
                id: hangar_model::GrantId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                q::secrets::revoke_grant(&self.pool, id, at).await
            }
            async fn granted_secret(
                &self,
                grantee: &str,
                asset_name: &str,
            ) -> Result<
                Option<(hangar_model::GrantId, hangar_model::secrets::SecretMeta)>,
                StoreError,
            > {
                q::secrets::granted_secret(&self.pool, grantee, asset_name).await
            }
            async fn versions_to_rewrap(
                &self,
                below: u32,
                after: Option<(hangar_model::SecretId, u32)>,
                limit: u32,
            ) -> Result<Vec<$crate::store::secrets::SealedVersion>, StoreError> {
                q::secrets::versions_to_rewrap(&self.pool, below, after, limit).await
            }
            async fn store_rewrapped(
                &self,
                rows: &[$crate::store::secrets::Rewrapped],
            ) -> Result<u64, StoreError> {
                q::secrets::store_rewrapped(&self.pool, rows).await
            }
            async fn vault_counts(&self, current: u32) -> Result<(u64, u64), StoreError> {
                q::secrets::vault_counts(&self.pool, current).await
            }
        }
    };
}
pub(super) use impl_secret_store;
