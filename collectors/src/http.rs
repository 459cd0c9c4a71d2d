//! The HTTP plumbing every vendor client shares: a request budget, retries that respect the
//! vendor's `Retry-After`, and counters for the collector health view.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{RequestBuilder, Response, StatusCode};

use crate::error::CollectError;
use crate::retry::{RetryPolicy, is_retryable_status, parse_retry_after};

/// Requests per minute for one class of endpoints (e.g. UiPath Jobs), shared by every task
/// polling the same tenant. Waiting for the budget is how a client stays under the vendor's
/// published limit instead of discovering it through 429s.
#[derive(Clone)]
pub struct Budget {
    limiter: Arc<DefaultDirectRateLimiter>,
}

impl Budget {
    /// `per_minute` requests a minute, allowing a burst of a tenth of that (at least 1).
    pub fn per_minute(per_minute: u32) -> Budget {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("max(1) is non-zero");
        let burst = NonZeroU32::new((per_minute.get() / 10).max(1)).expect("max(1) is non-zero");
        Budget {
            limiter: Arc::new(RateLimiter::direct(
                Quota::per_minute(per_minute).allow_burst(burst),
            )),
        }
    }

    pub async fn wait(&self) {
        self.limiter.until_ready().await;
    }
}

/// Counters a client keeps for its source's health view.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

impl Counters {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
            self.throttled.load(Ordering::Relaxed),
        )
    }
}

/// Sends a request, retrying transient failures per `policy`.
///
/// `build` makes a fresh request for every attempt (a `RequestBuilder` is used up by sending).
/// `budget`, when given, is waited on before every attempt, retries included: a retry is a
/// request like any other as far as the vendor's limit is concerned. Returns the first
/// response that is not retryable — including 401, which the caller answers by logging in again.
pub async fn send_with_retry(
    what: &str,
    policy: &RetryPolicy,
    budget: Option<&Budget>,
    counters: &Counters,
    build: impl Fn() -> RequestBuilder,
) -> Result<Response, CollectError> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        if let Some(budget) = budget {
            budget.wait().await;
        }
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let outcome = build().send().await;
        let (retry_after, last_status) = match outcome {
            Ok(resp) if !is_retryable_status(resp.status().as_u16()) => return Ok(resp),
            Ok(resp) => {
                let status = resp.status();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    counters.throttled.fetch_add(1, Ordering::Relaxed);
                }
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                (retry_after, status.as_u16())
            }
            // Connection refused, reset, timed out: as transient as a 503.
            Err(e) if e.is_connect() || e.is_timeout() || e.is_request() => (None, 0),
            Err(e) => return Err(e.into()),
        };
        match policy.delay(attempt, retry_after, rand::random::<f64>()) {
            Some(wait) => {
                counters.retries.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(what, attempt, last_status, ?wait, "retrying");
                tokio::time::sleep(wait).await;
            }
            None => {
                return Err(CollectError::Exhausted {
                    what: what.to_owned(),
                    attempts: attempt,
                    last_status,
                });
            }
        }
    }
}

/// Reads a JSON body, naming what was being read when it is not the expected shape.
pub async fn read_json<T: serde::de::DeserializeOwned>(
    what: &str,
    resp: Response,
) -> Result<T, CollectError> {
    let status = resp.status();
    let bytes = resp.bytes().await?;
    if !status.is_success() {
        return Err(CollectError::Status {
            status: status.as_u16(),
            what: what.to_owned(),
            message: String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| CollectError::decode(what, e))
}

/// A `Duration` long enough for any one vendor request; slow answers beyond it are retried.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP client every collector uses: no redirects to other hosts with our tokens, gzip on,
/// a request timeout.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hangar/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with these settings always builds")
}
