//! The vault's SQL, written once for both engines and instantiated per pool type (see
//! `secrets.rs` for the trait and row types, `collected.rs` for why macros).

use super::StoreError;
use super::secrets::{Rewrapped, int};

/// Writes rewrapped versions in one transaction; a row changed meanwhile (pruned, or
/// rewrapped by another node) is left alone. The one statement that differs by engine:
/// PostgreSQL takes the whole batch in one `UPDATE … FROM UNNEST`, as a round trip per row
/// made a 100,000-secret rotation take minutes; SQLite is in-process, so per row is cheap.
#[async_trait::async_trait]
pub(super) trait RewrapWriter {
    async fn store_rewrapped(&self, rows: &[Rewrapped]) -> Result<u64, StoreError>;
}

#[async_trait::async_trait]
impl RewrapWriter for sqlx::SqlitePool {
    async fn store_rewrapped(&self, rows: &[Rewrapped]) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let mut written = 0;
        for r in rows {
            let done = sqlx::query(
                "UPDATE secret_versions SET sealed = $1, kek_version = $2
                 WHERE secret_id = $3 AND version = $4 AND kek_version = $5",
            )
            .bind(&r.sealed)
            .bind(int(r.to_kek))
            .bind(r.secret_id.0)
            .bind(int(r.version))
            .bind(int(r.from_kek))
            .execute(&mut *tx)
            .await?;
            written += done.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }
}

#[async_trait::async_trait]
impl RewrapWriter for sqlx::PgPool {
    async fn store_rewrapped(&self, rows: &[Rewrapped]) -> Result<u64, StoreError> {
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.secret_id.0).collect();
        let versions: Vec<i32> = rows.iter().map(|r| int(r.version)).collect();
        let from: Vec<i32> = rows.iter().map(|r| int(r.from_kek)).collect();
        let to: Vec<i32> = rows.iter().map(|r| int(r.to_kek)).collect();
        let sealed: Vec<&[u8]> = rows.iter().map(|r| r.sealed.as_slice()).collect();
        let done = sqlx::query(
            "UPDATE secret_versions AS v SET sealed = u.sealed, kek_version = u.to_kek
             FROM UNNEST($1::uuid[], $2::int[], $3::int[], $4::int[], $5::bytea[])
                  AS u(secret_id, version, from_kek, to_kek, sealed)
             WHERE v.secret_id = u.secret_id AND v.version = u.version AND v.kek_version = u.from_kek",
        )
        .bind(ids)
        .bind(versions)
        .bind(from)
        .bind(to)
        .bind(sealed)
        .execute(self)
        .await?;
        Ok(done.rows_affected())
    }
}

macro_rules! secret_queries {
    ($pool:ty, $conn:ty) => {
        pub mod secrets {
            use chrono::{DateTime, Utc};
            use hangar_model::secrets::{SecretGrant, SecretMeta, SecretVersionInfo};
            use hangar_model::{GrantId, SecretId, UserId};
            use sqlx::types::Json;

            use $crate::store::StoreError;
            use $crate::store::secrets::{
                GRANT_COLUMNS, GrantRow, KeyringRecord, META_COLUMNS, MetaRow, NewSecret,
                Rewrapped, SealedVersion, SecretChange, UpdateOutcome, int,
            };

            pub async fn load_keyring(pool: &$pool) -> Result<Option<KeyringRecord>, StoreError> {
                let row: Option<(String, i32)> =
                    sqlx::query_as("SELECT state, kek_version FROM vault_keyring WHERE id = 1")
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(|(state, v)| KeyringRecord { state, kek_version: v.max(0) as u32 }))
            }

            pub async fn init_keyring(
                pool: &$pool,
                k: &KeyringRecord,
                at: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO vault_keyring (id, state, kek_version, updated_at)
                     VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&k.state)
                .bind(int(k.kek_version))
                .bind(at)
                .execute(pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn replace_keyring(
                pool: &$pool,
                k: &KeyringRecord,
                expected: u32,
                at: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE vault_keyring SET state = $1, kek_version = $2, updated_at = $3
                     WHERE id = 1 AND kek_version = $4",
                )
                .bind(&k.state)
                .bind(int(k.kek_version))
                .bind(at)
                .bind(int(expected))
                .execute(pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn insert_secret(pool: &$pool, s: &NewSecret<'_>) -> Result<(), StoreError> {
                let m = s.meta;
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "INSERT INTO secrets (id, owner_user_id, owner_name, name, system, url, tags,
                        current_version, created_at, updated_at, deleted_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, NULL)",
                )
                .bind(m.id.0)
                .bind(m.owner.0)
                .bind(&m.owner_name)
                .bind(&m.name)
                .bind(&m.system)
                .bind(&m.url)
                .bind(Json(&m.tags))
                .bind(int(m.current_version))
                .bind(m.created_at)
                .execute(&mut *tx)
                .await?;
                insert_version(&mut tx, m.id, m.current_version, s.kek_version, s.sealed, m.created_at, s.created_by).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn insert_version(
                conn: &mut $conn,
                id: SecretId,
                version: u32,
                kek_version: u32,
                sealed: &[u8],
                at: DateTime<Utc>,
                by: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO secret_versions (secret_id, version, kek_version, sealed, created_at, created_by)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id.0)
                .bind(int(version))
                .bind(int(kek_version))
                .bind(sealed)
                .bind(at)
                .bind(by)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            pub async fn update_secret(pool: &$pool, c: &SecretChange<'_>) -> Result<UpdateOutcome, StoreError> {
                let mut tx = pool.begin().await?;
                let next = c.cas.saturating_add(1);
                let done = sqlx::query(
                    "UPDATE secrets SET name = $1, system = $2, url = $3, tags = $4,
                        current_version = $5, updated_at = $6
                     WHERE id = $7 AND current_version = $8 AND deleted_at IS NULL",
                )
                .bind(c.name)
                .bind(c.system)
                .bind(c.url)
                .bind(Json(c.tags))
                .bind(int(next))
                .bind(c.at)
                .bind(c.id.0)
                .bind(int(c.cas))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    let row: Option<(i32, Option<DateTime<Utc>>)> = sqlx::query_as(
                        "SELECT current_version, deleted_at FROM secrets WHERE id = $1",
                    )
                    .bind(c.id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Ok(match row {
                        None => UpdateOutcome::NotFound,
                        Some((_, Some(_))) => UpdateOutcome::Deleted,
                        Some((current, None)) => UpdateOutcome::CasMismatch { current: current.max(0) as u32 },
                    });
                }
                insert_version(&mut tx, c.id, next, c.kek_version, c.sealed, c.at, c.created_by).await?;
                let oldest_kept = i64::from(next) - i64::from(c.keep.max(1)) + 1;
                sqlx::query("DELETE FROM secret_versions WHERE secret_id = $1 AND version < $2")
                    .bind(c.id.0)
                    .bind(i32::try_from(oldest_kept).unwrap_or(0))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(UpdateOutcome::Updated { version: next })
            }

            pub async fn secret(pool: &$pool, id: SecretId) -> Result<Option<SecretMeta>, StoreError> {
                let row: Option<MetaRow> =
                    sqlx::query_as(&format!("SELECT {META_COLUMNS} FROM secrets s WHERE s.id = $1"))
                        .bind(id.0)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(SecretMeta::from))
            }

            pub async fn list_secrets(
                pool: &$pool,
                owner: Option<UserId>,
                include_deleted: bool,
            ) -> Result<Vec<SecretMeta>, StoreError> {
                let rows: Vec<MetaRow> = sqlx::query_as(&format!(
                    "SELECT {META_COLUMNS} FROM secrets s
                     WHERE ($1 IS NULL OR s.owner_user_id = $1) AND ($2 OR s.deleted_at IS NULL)
                     ORDER BY s.owner_name, s.name, s.created_at LIMIT 10000"
                ))
                .bind(owner.map(|o| o.0))
                .bind(include_deleted)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(SecretMeta::from).collect())
            }

            pub async fn secret_versions(pool: &$pool, id: SecretId) -> Result<Vec<SecretVersionInfo>, StoreError> {
                let rows: Vec<(i32, i32, DateTime<Utc>, String)> = sqlx::query_as(
                    "SELECT version, kek_version, created_at, created_by FROM secret_versions
                     WHERE secret_id = $1 ORDER BY version DESC",
                )
                .bind(id.0)
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(version, kek, created_at, created_by)| SecretVersionInfo {
                        version: version.max(0) as u32,
                        kek_version: kek.max(0) as u32,
                        created_at,
                        created_by,
                    })
                    .collect())
            }

            pub async fn sealed_version(pool: &$pool, id: SecretId, version: u32) -> Result<Option<Vec<u8>>, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT sealed FROM secret_versions WHERE secret_id = $1 AND version = $2",
                )
                .bind(id.0)
                .bind(int(version))
                .fetch_optional(pool)
                .await?)
            }

            pub async fn set_secret_deleted(
                pool: &$pool,
                id: SecretId,
                deleted_at: Option<DateTime<Utc>>,
                at: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let sql = if deleted_at.is_some() {
                    "UPDATE secrets SET deleted_at = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL"
                } else {
                    "UPDATE secrets SET deleted_at = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NOT NULL"
                };
                let done = sqlx::query(sql).bind(deleted_at).bind(at).bind(id.0).execute(pool).await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn insert_grant(pool: &$pool, g: &SecretGrant) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO secret_grants (id, secret_id, grantee, asset_name, created_at, created_by, revoked_at)
                     VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT DO NOTHING",
                )
                .bind(g.id.0)
                .bind(g.secret_id.0)
                .bind(&g.grantee)
                .bind(&g.asset_name)
                .bind(g.created_at)
                .bind(&g.created_by)
                .execute(pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn list_grants(pool: &$pool, secret: SecretId) -> Result<Vec<SecretGrant>, StoreError> {
                let rows: Vec<GrantRow> = sqlx::query_as(&format!(
                    "SELECT {GRANT_COLUMNS} FROM secret_grants WHERE secret_id = $1 ORDER BY created_at, id"
                ))
                .bind(secret.0)
                .fetch_all(pool)
                .await?;
                Ok(rows.into_iter().map(SecretGrant::from).collect())
            }

            pub async fn grant(pool: &$pool, id: GrantId) -> Result<Option<SecretGrant>, StoreError> {
                let row: Option<GrantRow> =
                    sqlx::query_as(&format!("SELECT {GRANT_COLUMNS} FROM secret_grants WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(pool)
                        .await?;
                Ok(row.map(SecretGrant::from))
            }

            pub async fn revoke_grant(pool: &$pool, id: GrantId, at: DateTime<Utc>) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE secret_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .execute(pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn granted_secret(
                pool: &$pool,
                grantee: &str,
                asset_name: &str,
            ) -> Result<Option<(GrantId, SecretMeta)>, StoreError> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    grant_id: uuid::Uuid,
                    #[sqlx(flatten)]
                    meta: MetaRow,
                }
                let row: Option<Row> = sqlx::query_as(&format!(
                    "SELECT g.id AS grant_id, {META_COLUMNS}
                     FROM secret_grants g JOIN secrets s ON s.id = g.secret_id
                     WHERE g.grantee = $1 AND g.asset_name = $2 AND g.revoked_at IS NULL
                       AND s.deleted_at IS NULL"
                ))
                .bind(grantee)
                .bind(asset_name)
                .fetch_optional(pool)
                .await?;
                Ok(row.map(|r| (GrantId(r.grant_id), SecretMeta::from(r.meta))))
            }

            pub async fn versions_to_rewrap(
                pool: &$pool,
                below: u32,
                after: Option<(SecretId, u32)>,
                limit: u32,
            ) -> Result<Vec<SealedVersion>, StoreError> {
                // The nil UUID sorts first on both engines; version -1 is below every version.
                // A row-value comparison, so both engines start the primary-key scan at the
                // cursor (an OR of two conditions made PostgreSQL rescan from the start), and
                // `s.id >= $2` so its merge join does not walk `secrets` from the start either.
                let (after_id, after_version) = after.map_or((uuid::Uuid::nil(), -1), |(id, v)| (id.0, int(v)));
                let rows: Vec<(uuid::Uuid, uuid::Uuid, i32, Vec<u8>)> = sqlx::query_as(
                    "SELECT v.secret_id, s.owner_user_id, v.version, v.sealed
                     FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
                     WHERE (v.secret_id, v.version) > ($2, $3) AND s.id >= $2 AND v.kek_version < $1
                     ORDER BY v.secret_id, v.version LIMIT $4",
                )
                .bind(int(below))
                .bind(after_id)
                .bind(after_version)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(secret_id, owner, version, sealed)| SealedVersion {
                        secret_id: SecretId(secret_id),
                        owner: UserId(owner),
                        version: version.max(0) as u32,
                        sealed,
                    })
                    .collect())
            }

            pub async fn store_rewrapped(pool: &$pool, rows: &[Rewrapped]) -> Result<u64, StoreError> {
                $crate::store::secrets_sql::RewrapWriter::store_rewrapped(pool, rows).await
            }

            pub async fn vault_counts(pool: &$pool, current: u32) -> Result<(u64, u64), StoreError> {
                let secrets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets").fetch_one(pool).await?;
                let stale: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secret_versions WHERE kek_version < $1")
                    .bind(int(current))
                    .fetch_one(pool)
                    .await?;
                Ok((secrets.max(0) as u64, stale.max(0) as u64))
            }
        }
    };
}
pub(super) use secret_queries;
