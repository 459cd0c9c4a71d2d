//! Control Room login: `POST /v1/authentication` with an API key or a password, the token in
//! `X-Authorization` (no `Bearer`), refreshed through `POST /v1/authentication/token` before
//! its 20 minutes are up, and a fresh login when the Control Room answers 401 (a password
//! token ends when the same user logs in elsewhere). Secrets and tokens are never logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::dto::{AuthRequest, AuthResponse};
use crate::error::CollectError;
use crate::http::{Counters, read_json, send_with_retry};
use crate::retry::RetryPolicy;
use crate::source::SourceAuth;

/// The header every Control Room call carries.
pub const AUTH_HEADER: &str = "X-Authorization";
/// Default token lifetime [A1].
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(20 * 60);

#[derive(Clone)]
enum Credential {
    ApiKey(SecretString),
    Password(SecretString),
}

/// A token to present, and which login produced it (to tell a stale 401 from a fresh one).
#[derive(Clone)]
pub struct Token {
    pub value: SecretString,
    pub generation: u64,
}

struct Held {
    token: SecretString,
    obtained: Instant,
    generation: u64,
}

#[derive(Default)]
struct Inner {
    held: Option<Held>,
    generation: u64,
}

/// The session of one collector with one Control Room.
pub struct Session {
    http: reqwest::Client,
    base: String,
    username: String,
    credential: Credential,
    policy: RetryPolicy,
    counters: Arc<Counters>,
    lifetime: Duration,
    refresh_after: Duration,
    inner: Mutex<Inner>,
}

impl Session {
    /// `None` when `auth` is not an Automation Anywhere credential.
    pub fn new(
        http: reqwest::Client,
        base: &str,
        auth: &SourceAuth,
        policy: RetryPolicy,
        counters: Arc<Counters>,
    ) -> Option<Session> {
        let (username, credential) = match auth {
            SourceAuth::AaApiKey { username, api_key } => {
                (username.clone(), Credential::ApiKey(api_key.clone()))
            }
            SourceAuth::AaPassword { username, password } => {
                (username.clone(), Credential::Password(password.clone()))
            }
            _ => return None,
        };
        Some(Session {
            http,
            base: base.trim_end_matches('/').to_owned(),
            username,
            credential,
            policy,
            counters,
            lifetime: TOKEN_LIFETIME,
            refresh_after: TOKEN_LIFETIME - Duration::from_secs(3 * 60),
            inner: Mutex::new(Inner::default()),
        })
    }

    /// Tokens older than `refresh_after` are refreshed, older than `lifetime` replaced by a
    /// login. For Control Rooms configured with other lifetimes, and for tests.
    pub fn set_lifetime(&mut self, lifetime: Duration, refresh_after: Duration) {
        self.lifetime = lifetime;
        self.refresh_after = refresh_after.min(lifetime);
    }

    /// A live token: the held one, a refreshed one, or a fresh login.
    pub async fn token(&self) -> Result<Token, CollectError> {
        let mut inner = self.inner.lock().await;
        if let Some(held) = &inner.held {
            let age = held.obtained.elapsed();
            if age < self.refresh_after {
                return Ok(Token {
                    value: held.token.clone(),
                    generation: held.generation,
                });
            }
            if age < self.lifetime {
                match self.refresh(&held.token).await {
                    Ok(token) => return Ok(Self::hold(&mut inner, token)),
                    // Only the status: an error body could echo the token.
                    Err(CollectError::Status { status, .. }) => {
                        tracing::info!(status, "AA token refresh refused; logging in");
                    }
                    Err(_) => tracing::info!("AA token refresh failed; logging in"),
                }
            }
        }
        let token = self.login().await?;
        Ok(Self::hold(&mut inner, token))
    }

    /// The Control Room refused the token of `generation`: forget it, unless another task
    /// has already replaced it.
    pub async fn invalidate(&self, generation: u64) {
        let mut inner = self.inner.lock().await;
        if inner.held.as_ref().map(|h| h.generation) == Some(generation) {
            inner.held = None;
        }
    }

    fn hold(inner: &mut Inner, token: SecretString) -> Token {
        inner.generation += 1;
        inner.held = Some(Held {
            token: token.clone(),
            obtained: Instant::now(),
            generation: inner.generation,
        });
        Token {
            value: token,
            generation: inner.generation,
        }
    }

    async fn login(&self) -> Result<SecretString, CollectError> {
        let url = format!("{}/v1/authentication", self.base);
        let body = match &self.credential {
            Credential::ApiKey(k) => AuthRequest {
                username: self.username.clone(),
                api_key: Some(k.expose_secret().to_owned()),
                password: None,
            },
            Credential::Password(p) => AuthRequest {
                username: self.username.clone(),
                api_key: None,
                password: Some(p.expose_secret().to_owned()),
            },
        };
        let resp = send_with_retry("AA login", &self.policy, None, &self.counters, || {
            self.http.post(&url).json(&body)
        })
        .await?;
        if matches!(
            resp.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            return Err(CollectError::Auth(format!(
                "Control Room refused the login of {} (HTTP {})",
                self.username,
                resp.status().as_u16()
            )));
        }
        let auth: AuthResponse = read_json("AA login", resp).await?;
        tracing::debug!(user = %self.username, "AA login");
        Ok(SecretString::from(auth.token))
    }

    async fn refresh(&self, current: &SecretString) -> Result<SecretString, CollectError> {
        let url = format!("{}/v1/authentication/token", self.base);
        let body = serde_json::json!({ "token": current.expose_secret() });
        let resp = send_with_retry(
            "AA token refresh",
            &self.policy,
            None,
            &self.counters,
            || {
                self.http
                    .post(&url)
                    .header(AUTH_HEADER, current.expose_secret())
                    .json(&body)
            },
        )
        .await?;
        let auth: AuthResponse = read_json("AA token refresh", resp).await?;
        Ok(SecretString::from(auth.token))
    }
}
