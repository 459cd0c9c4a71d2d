//! Logging in to Orchestrator: Automation Cloud client credentials or on-prem
//! `/api/Account/Authenticate`, with the token cached and renewed ahead of its expiry.
//!
//! Tokens and secrets are never logged: they live in [`SecretString`]s and the DTOs that carry
//! them redact themselves in `Debug`.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::dto::{AjaxResponse, TokenResponse};
use crate::error::CollectError;
use crate::http::{Counters, send_with_retry};
use crate::retry::RetryPolicy;
use crate::source::SourceAuth;

/// A cloud token is renewed this long before it expires.
pub const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(300);
/// On-prem tokens live 30 minutes by default; the login answer does not say.
pub const ON_PREM_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Where and how to log in.
#[derive(Clone, Debug)]
pub enum Login {
    Cloud {
        token_url: String,
        client_id: String,
        client_secret: SecretString,
        scope: String,
    },
    OnPrem {
        url: String,
        tenancy_name: String,
        username: String,
        password: SecretString,
    },
}

impl Login {
    /// The login for `auth` against `base_url` (no trailing slash). `None` for non-UiPath auth.
    pub fn from_source(base_url: &str, auth: &SourceAuth) -> Option<Login> {
        match auth {
            SourceAuth::UipathCloud {
                organization,
                client_id,
                client_secret,
                scope,
                org_scoped_token_url,
                ..
            } => Some(Login::Cloud {
                token_url: if *org_scoped_token_url {
                    format!("{base_url}/{organization}/identity_/connect/token")
                } else {
                    format!("{base_url}/identity_/connect/token")
                },
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                scope: scope.clone(),
            }),
            SourceAuth::UipathOnPrem {
                tenancy_name,
                username,
                password,
            } => Some(Login::OnPrem {
                url: format!("{base_url}/api/Account/Authenticate"),
                tenancy_name: tenancy_name.clone(),
                username: username.clone(),
                password: password.clone(),
            }),
            _ => None,
        }
    }
}

struct Cached {
    token: SecretString,
    /// Renew at this instant.
    renew_at: Instant,
    /// Bumped at every login, so a 401 only forces a new login for the token it was seen with.
    generation: u64,
}

/// How long a token that lives `lifetime` is used: until `RENEW_BEFORE_EXPIRY` before it
/// expires, or half its life when it is too short for that.
pub fn renew_after(lifetime: Duration) -> Duration {
    if lifetime > RENEW_BEFORE_EXPIRY * 2 {
        lifetime - RENEW_BEFORE_EXPIRY
    } else {
        lifetime / 2
    }
}

/// A cached bearer token for one source.
pub struct TokenCache {
    login: Login,
    cached: Mutex<Option<Cached>>,
    generation: std::sync::atomic::AtomicU64,
}

/// A token handed to a request, with the generation to name when it is refused.
pub struct Bearer {
    pub token: SecretString,
    pub generation: u64,
}

impl TokenCache {
    pub fn new(login: Login) -> TokenCache {
        TokenCache {
            login,
            cached: Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A valid token: the cached one, or a fresh login. `refused` names the generation of a
    /// token the server just answered 401 to; it is dropped instead of reused.
    pub async fn bearer(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        counters: &Counters,
        refused: Option<u64>,
    ) -> Result<Bearer, CollectError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            let stale = refused == Some(c.generation) || Instant::now() >= c.renew_at;
            if !stale {
                return Ok(Bearer {
                    token: c.token.clone(),
                    generation: c.generation,
                });
            }
        }
        let (token, lifetime) = self.login(http, policy, counters).await?;
        let renew_in = renew_after(lifetime);
        let generation = self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        *cached = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + renew_in,
            generation,
        });
        Ok(Bearer { token, generation })
    }

    async fn login(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        counters: &Counters,
    ) -> Result<(SecretString, Duration), CollectError> {
        match &self.login {
            Login::Cloud {
                token_url,
                client_id,
                client_secret,
                scope,
            } => {
                let resp = send_with_retry("UiPath token", policy, None, counters, || {
                    http.post(token_url).form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", client_id.as_str()),
                        ("client_secret", client_secret.expose_secret()),
                        ("scope", scope.as_str()),
                    ])
                })
                .await?;
                let status = resp.status();
                if !status.is_success() {
                    return Err(CollectError::Auth(format!(
                        "token endpoint answered HTTP {}",
                        status.as_u16()
                    )));
                }
                let bytes = resp.bytes().await?;
                let t: TokenResponse = serde_json::from_slice(&bytes)
                    .map_err(|e| CollectError::decode("UiPath token", e))?;
                tracing::debug!(expires_in = t.expires_in, "UiPath cloud login");
                Ok((
                    SecretString::from(t.access_token),
                    Duration::from_secs(t.expires_in),
                ))
            }
            Login::OnPrem {
                url,
                tenancy_name,
                username,
                password,
            } => {
                let resp = send_with_retry("UiPath login", policy, None, counters, || {
                    http.post(url).json(&serde_json::json!({
                        "TenancyName": tenancy_name,
                        "UsernameOrEmailAddress": username,
                        "Password": password.expose_secret(),
                    }))
                })
                .await?;
                let status = resp.status();
                let bytes = resp.bytes().await?;
                if !status.is_success() {
                    return Err(CollectError::Auth(format!(
                        "Authenticate answered HTTP {}",
                        status.as_u16()
                    )));
                }
                let a: AjaxResponse = serde_json::from_slice(&bytes)
                    .map_err(|e| CollectError::decode("UiPath login", e))?;
                match a.result.filter(|t| a.success && !t.is_empty()) {
                    Some(token) => {
                        tracing::debug!("UiPath on-prem login");
                        Ok((SecretString::from(token), ON_PREM_TOKEN_LIFETIME))
                    }
                    None => Err(CollectError::Auth("Authenticate refused the login".into())),
                }
            }
        }
    }
}
