//! Users, sessions, API tokens and the audit log, for both engines. Shared SQL, instantiated
//! per engine by [`impl_identity_store!`] (see `collected.rs` for why it is written once).
//!
//! Timestamps are compared in Rust after a lookup by key, not in SQL: SQLite keeps them as
//! text, and one rule in one place is easier to trust than two engines' comparisons.

use chrono::{DateTime, Utc};
use hangar_model::{Role, Scope, TokenId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

/// A local user as stored. The password hash never leaves the server (not serialized).
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

/// What an admin may change about a user; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserPatch {
    pub role: Option<Role>,
    /// `Some(None)` clears the department.
    pub department: Option<Option<String>>,
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
}

/// A browser session. `id` is the SHA-256 (hex) of the cookie value, never the value.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: UserId,
    /// Compared with the `X-CSRF-Token` header of state-changing requests.
    pub csrf_token: String,
    /// A wall screen's session made from a read-only token: valid only while the token is.
    pub token_id: Option<TokenId>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An API token as stored: its SHA-256, never its value.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub scopes: Vec<Scope>,
    pub robot: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One audit entry to append.
#[derive(Clone, Debug)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<UserId>,
    pub actor_name: String,
    pub via: &'static str,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: &'static str,
    pub detail: serde_json::Value,
}

/// One audit entry as stored.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub actor_user_id: Option<UserId>,
    pub actor_name: String,
    /// `session`, `token`, `cli` or `system`.
    pub via: String,
    pub ip: Option<String>,
    /// A dotted verb: `auth.login`, `anomaly.acknowledge`, `user.create`, `secret.reveal`, …
    pub action: String,
    pub target: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    pub detail: serde_json::Value,
}

/// Which audit entries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub id: uuid::Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub department: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

impl From<UserRow> for UserRecord {
    fn from(r: UserRow) -> Self {
        UserRecord {
            id: UserId(r.id),
            username: r.username,
            display_name: r.display_name,
            // An unknown role (a row from a newer version) gets the least power there is.
            role: Role::parse(&r.role).unwrap_or(Role::Manager),
            department: r.department,
            password_hash: r.password_hash,
            disabled: r.disabled,
            created_at: r.created_at,
            password_changed_at: r.password_changed_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub id: String,
    pub user_id: uuid::Uuid,
    pub csrf_token: String,
    pub token_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.id,
            user_id: UserId(r.user_id),
            csrf_token: r.csrf_token,
            token_id: r.token_id.map(TokenId),
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TokenRow {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub scopes: String,
    pub robot: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for TokenRecord {
    fn from(r: TokenRow) -> Self {
        // Unknown scope names are dropped: a token never gains power from a parse error.
        let names: Vec<String> = serde_json::from_str(&r.scopes).unwrap_or_default();
        TokenRecord {
            id: TokenId(r.id),
            user_id: UserId(r.user_id),
            name: r.name,
            prefix: r.prefix,
            token_hash: r.token_hash,
            scopes: names.iter().filter_map(|n| Scope::parse(n)).collect(),
            robot: r.robot,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

pub(super) fn scopes_json(scopes: &[Scope]) -> String {
    serde_json::to_string(&scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned())
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<uuid::Uuid>,
    pub actor_name: String,
    pub via: String,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub detail: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(r: AuditRow) -> Self {
        AuditRecord {
            id: r.id,
            at: r.at,
            actor_user_id: r.actor_user_id.map(UserId),
            actor_name: r.actor_name,
            via: r.via,
            ip: r.ip,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

pub(super) const USER_COLUMNS: &str = "id, username, display_name, role, department, password_hash, disabled, created_at, password_changed_at";
pub(super) const SESSION_COLUMNS: &str =
    "id, user_id, csrf_token, token_id, created_at, last_seen_at, expires_at, ip, user_agent";
pub(super) const TOKEN_COLUMNS: &str = "id, user_id, name, prefix, token_hash, scopes, robot, created_at, expires_at, last_used_at, revoked_at";
pub(super) const AUDIT_COLUMNS: &str =
    "id, at, actor_user_id, actor_name, via, ip, action, target, outcome, detail";

/// `impl IdentityStore` and `impl AuditStore` for an engine whose struct has a `pool` field.
macro_rules! impl_identity_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::IdentityStore for $store {
            async fn count_users(&self) -> Result<u64, StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n.max(0) as u64)
            }

            async fn insert_user(
                &self,
                u: &$crate::store::UserRecord,
            ) -> Result<bool, StoreError> {
                // Any unique violation (the case-insensitive name) makes it a no-op.
                let done = sqlx::query(
                    "INSERT INTO users (id, username, display_name, role, department, password_hash,
                        disabled, created_at, password_changed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                )
                .bind(u.id.0)
                .bind(&u.username)
                .bind(&u.display_name)
                .bind(u.role.as_str())
                .bind(&u.department)
                .bind(&u.password_hash)
                .bind(u.disabled)
                .bind(u.created_at)
                .bind(u.password_changed_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn user(
                &self,
                id: hangar_model::UserId,
            ) -> Result<Option<$crate::store::UserRecord>, StoreError> {
                use $crate::store::identity::{USER_COLUMNS, UserRow};
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(Into::into))
            }

            async fn user_by_name(
                &self,
                username: &str,
            ) -> Result<Option<$crate::store::UserRecord>, StoreError> {
                use $crate::store::identity::{USER_COLUMNS, UserRow};
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE LOWER(username) = LOWER($1)"
                ))
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn list_users(&self) -> Result<Vec<$crate::store::UserRecord>, StoreError> {
                use $crate::store::identity::{USER_COLUMNS, UserRow};
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM users ORDER BY LOWER(username)"
                ))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn update_user(
                &self,
                u: &$crate::store::UserRecord,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE users SET display_name = $1, role = $2, department = $3, disabled = $4,
                        password_hash = $5, password_changed_at = $6
                     WHERE id = $7",
                )
                .bind(&u.display_name)
                .bind(u.role.as_str())
                .bind(&u.department)
                .bind(u.disabled)
                .bind(&u.password_hash)
                .bind(u.password_changed_at)
                .bind(u.id.0)
                .execute(&mut *tx)
                .await?;
                if u.disabled {
                    // A disabled user is locked out at once: sessions end, tokens stop.
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(u.id.0)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                    )
                    .bind(chrono::Utc::now())
                    .bind(u.id.0)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_session(
                &self,
                s: &$crate::store::SessionRecord,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, csrf_token, token_id, created_at, last_seen_at,
                        expires_at, ip, user_agent)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&s.id)
                .bind(s.user_id.0)
                .bind(&s.csrf_token)
                .bind(s.token_id.map(|t| t.0))
                .bind(s.created_at)
                .bind(s.last_seen_at)
                .bind(s.expires_at)
                .bind(&s.ip)
                .bind(&s.user_agent)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(
                &self,
                id: &str,
            ) -> Result<Option<$crate::store::SessionRecord>, StoreError> {
                use $crate::store::identity::{SESSION_COLUMNS, SessionRow};
                let row: Option<SessionRow> = sqlx::query_as(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn touch_session(
                &self,
                id: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user_sessions(
                &self,
                user: hangar_model::UserId,
            ) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn insert_token(&self, t: &$crate::store::TokenRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, scopes, robot,
                        created_at, expires_at, last_used_at, revoked_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(t.id.0)
                .bind(t.user_id.0)
                .bind(&t.name)
                .bind(&t.prefix)
                .bind(&t.token_hash)
                .bind($crate::store::identity::scopes_json(&t.scopes))
                .bind(&t.robot)
                .bind(t.created_at)
                .bind(t.expires_at)
                .bind(t.last_used_at)
                .bind(t.revoked_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn token(
                &self,
                id: hangar_model::TokenId,
            ) -> Result<Option<$crate::store::TokenRecord>, StoreError> {
                use $crate::store::identity::{TOKEN_COLUMNS, TokenRow};
                let row: Option<TokenRow> =
                    sqlx::query_as(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(Into::into))
            }

            async fn token_by_hash(
                &self,
                hash: &str,
            ) -> Result<Option<$crate::store::TokenRecord>, StoreError> {
                use $crate::store::identity::{TOKEN_COLUMNS, TokenRow};
                let row: Option<TokenRow> = sqlx::query_as(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
                ))
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn list_tokens(
                &self,
                user: Option<hangar_model::UserId>,
            ) -> Result<Vec<$crate::store::TokenRecord>, StoreError> {
                use $crate::store::identity::{TOKEN_COLUMNS, TokenRow};
                let rows: Vec<TokenRow> = sqlx::query_as(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ($1 IS NULL OR user_id = $1)
                     ORDER BY created_at DESC"
                ))
                .bind(user.map(|u| u.0))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn revoke_token(
                &self,
                id: hangar_model::TokenId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                // Wall sessions made from the token end with it.
                sqlx::query("DELETE FROM sessions WHERE token_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn touch_token(
                &self,
                id: hangar_model::TokenId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::AuditStore for $store {
            async fn append_audit(
                &self,
                e: &$crate::store::NewAuditEntry,
            ) -> Result<i64, StoreError> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO audit_log (at, actor_user_id, actor_name, via, ip, action, target, outcome, detail)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(e.at)
                .bind(e.actor_user_id.map(|u| u.0))
                .bind(&e.actor_name)
                .bind(e.via)
                .bind(&e.ip)
                .bind(&e.action)
                .bind(&e.target)
                .bind(e.outcome)
                .bind(e.detail.to_string())
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn list_audit(
                &self,
                f: &$crate::store::AuditFilter,
            ) -> Result<Vec<$crate::store::AuditRecord>, StoreError> {
                use $crate::store::identity::{AUDIT_COLUMNS, AuditRow};
                let rows: Vec<AuditRow> = sqlx::query_as(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log
                     WHERE ($1 IS NULL OR LOWER(actor_name) = LOWER($1))
                       AND ($2 IS NULL OR action = $2)
                       AND ($3 IS NULL OR target = $3)
                       AND ($4 IS NULL OR at >= $4)
                       AND ($5 IS NULL OR at < $5)
                     ORDER BY id DESC LIMIT $6 OFFSET $7"
                ))
                .bind(&f.actor)
                .bind(&f.action)
                .bind(&f.target)
                .bind(f.since)
                .bind(f.until)
                .bind(i64::from(f.limit))
                .bind(i64::from(f.offset))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}

pub(super) use impl_identity_store;
