//! Users, passwords and tokens: the rules shared by the API, the CLI and the demo.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use hangar_model::{ErrorCode, Role, Scope, TokenId, UserId};
use hangar_vault::{PasswordHashParams, hash_password, verify_password};
use secrecy::{ExposeSecret, SecretString};

use super::throttle::LoginThrottle;
use super::{TOKEN_PREFIX, random_secret, sha256_hex};
use crate::config::AuthConfig;
use crate::error::AppError;
use crate::store::{SessionRecord, Store, TokenRecord, UserRecord};

/// Password hashing and login throttling, built once per node.
pub struct Auth {
    params: PasswordHashParams,
    /// Verified against when the user does not exist, so that answer takes as long as a
    /// wrong password and timing does not tell which user names exist.
    dummy_hash: String,
    pub throttle: LoginThrottle,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::BadRequest, message)
}

impl Auth {
    pub async fn new(config: &AuthConfig) -> anyhow::Result<Auth> {
        let params = config.password.params();
        let dummy = SecretString::from(random_secret());
        let dummy_hash =
            tokio::task::spawn_blocking(move || hash_password(&params, dummy.expose_secret()))
                .await??;
        Ok(Auth {
            params,
            dummy_hash,
            throttle: LoginThrottle::new(
                config.login_failures_per_user,
                config.login_failures_per_ip,
                Duration::from_secs(config.login_window_secs),
            ),
        })
    }

    /// Argon2id with the configured cost, on the blocking pool (it takes tens of ms of CPU).
    pub async fn hash(&self, password: &SecretString) -> Result<String, AppError> {
        let params = self.params;
        let password = password.clone();
        tokio::task::spawn_blocking(move || hash_password(&params, password.expose_secret()))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// Checks a password against the user's stored hash, or against the dummy hash when
    /// there is no such user (the result is then always false).
    pub async fn verify(
        &self,
        stored: Option<&str>,
        password: &SecretString,
    ) -> Result<bool, AppError> {
        let known = stored.is_some();
        let phc = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.clone();
        let ok =
            tokio::task::spawn_blocking(move || verify_password(&phc, password.expose_secret()))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .map_err(|e| AppError::Internal(e.into()))?;
        Ok(ok && known)
    }
}

/// Letters, digits and `. _ - @`, 1–64 characters; compared case-insensitively.
pub fn check_username(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(bad(
            "user names are 1-64 letters, digits, '.', '_', '-' or '@'",
        ))
    }
}

/// At least 12 characters (long beats clever), at most 1024 (hashing cost is bounded).
pub fn check_password(password: &SecretString) -> Result<(), AppError> {
    let n = password.expose_secret().chars().count();
    if (12..=1024).contains(&n) {
        Ok(())
    } else {
        Err(bad("passwords are 12 to 1024 characters"))
    }
}

/// A departmental role must name its department; global roles may.
pub fn check_department(role: Role, department: Option<&str>) -> Result<Option<String>, AppError> {
    let department = department.map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = department
        && d.len() > 100
    {
        return Err(bad("department names are at most 100 characters"));
    }
    if !role.is_global() && department.is_none() {
        return Err(bad(format!(
            "role {role} sees only its department: give one"
        )));
    }
    Ok(department.map(str::to_owned))
}

pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub department: Option<String>,
    pub password: SecretString,
}

/// Creates a user; 409 if the name is taken (whatever its case).
pub async fn create_user(
    store: &dyn Store,
    auth: &Auth,
    new: NewUser,
) -> Result<UserRecord, AppError> {
    let username = check_username(&new.username)?;
    check_password(&new.password)?;
    let department = check_department(new.role, new.department.as_deref())?;
    let display_name = new
        .display_name
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| username.clone());
    if display_name.len() > 200 {
        return Err(bad("display names are at most 200 characters"));
    }
    let now = Utc::now();
    let user = UserRecord {
        id: UserId(uuid::Uuid::new_v4()),
        username,
        display_name,
        role: new.role,
        department,
        password_hash: auth.hash(&new.password).await?,
        disabled: false,
        created_at: now,
        password_changed_at: now,
    };
    if !store.insert_user(&user).await? {
        return Err(AppError::client(
            ErrorCode::Conflict,
            format!("a user named {} exists", user.username),
        ));
    }
    Ok(user)
}

pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Days until it expires; required, at most `auth.token_max_days`.
    pub expires_days: u32,
    pub robot: Option<String>,
}

/// Issues a token for `owner`. The value is returned once and only its SHA-256 is stored.
pub async fn issue_token(
    store: &dyn Store,
    config: &AuthConfig,
    owner: &UserRecord,
    new: NewToken,
) -> Result<(TokenRecord, SecretString), AppError> {
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.len() > 100 {
        return Err(bad("a token needs a name of 1-100 characters"));
    }
    if new.scopes.is_empty() {
        return Err(bad("a token needs at least one scope"));
    }
    if new.expires_days == 0 || new.expires_days > config.token_max_days {
        return Err(bad(format!(
            "tokens expire after 1 to {} days",
            config.token_max_days
        )));
    }
    let robot = new
        .robot
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if robot.is_some() && !new.scopes.contains(&Scope::RobotCredentials) {
        return Err(bad(
            "a robot grantee goes only with the robot:credentials scope",
        ));
    }
    if robot.as_ref().is_some_and(|r| r.len() > 300) {
        return Err(bad("robot grantees are at most 300 characters"));
    }
    let mut scopes = new.scopes;
    scopes.sort();
    scopes.dedup();
    let value = format!("{TOKEN_PREFIX}{}", random_secret());
    let now = Utc::now();
    let token = TokenRecord {
        id: TokenId(uuid::Uuid::new_v4()),
        user_id: owner.id,
        name,
        prefix: value.chars().take(8).collect(),
        token_hash: sha256_hex(&value),
        scopes,
        robot,
        created_at: now,
        expires_at: now + TimeDelta::days(i64::from(new.expires_days)),
        last_used_at: None,
        revoked_at: None,
    };
    store.insert_token(&token).await?;
    Ok((token, SecretString::from(value)))
}

/// Whether a stored token may be used now.
pub fn token_usable(token: &TokenRecord, now: DateTime<Utc>) -> bool {
    token.revoked_at.is_none() && token.expires_at > now
}

/// Whether a stored session may be used now: within its absolute and its idle lifetime.
pub fn session_usable(session: &SessionRecord, config: &AuthConfig, now: DateTime<Utc>) -> bool {
    let idle = TimeDelta::seconds(config.session_idle_secs.min(i64::MAX as u64) as i64);
    session.expires_at > now && session.last_seen_at + idle > now
}

/// A new session for `user` (bound to `token` for a wall screen). Returns the record and
/// the cookie value, which is stored only as its SHA-256.
pub async fn start_session(
    store: &dyn Store,
    config: &AuthConfig,
    user: &UserRecord,
    token: Option<&TokenRecord>,
    ip: Option<IpAddr>,
    user_agent: Option<&str>,
) -> Result<(SessionRecord, SecretString), AppError> {
    let value = random_secret();
    let now = Utc::now();
    let absolute = TimeDelta::seconds(config.session_absolute_secs.min(i64::MAX as u64) as i64);
    let mut expires_at = now + absolute;
    if let Some(t) = token {
        expires_at = expires_at.min(t.expires_at);
    }
    let session = SessionRecord {
        id: sha256_hex(&value),
        user_id: user.id,
        csrf_token: random_secret(),
        token_id: token.map(|t| t.id),
        created_at: now,
        last_seen_at: now,
        expires_at,
        ip: ip.map(|i| i.to_string()),
        user_agent: user_agent.map(|u| u.chars().take(300).collect()),
    };
    store.insert_session(&session).await?;
    Ok((session, SecretString::from(value)))
}
