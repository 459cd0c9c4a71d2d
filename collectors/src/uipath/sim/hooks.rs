//! Webhook deliveries, fire-and-forget like Orchestrator's: a failed delivery opens the
//! webhook's circuit breaker, and events raised while it is open are dropped, not retried.

use std::sync::Arc;
use std::time::Instant;

use super::Shared;
use crate::uipath::webhook::{SIGNATURE_HEADER, sign};

/// What happened to the events the simulator raised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookStats {
    pub delivered: u64,
    pub failed: u64,
    /// Dropped while the circuit breaker was open.
    pub dropped: u64,
}

pub(crate) async fn deliver_loop(shared: Arc<Shared>, url: String, secret: String) {
    let http = reqwest::Client::builder()
        .timeout(shared.cfg.webhook_timeout)
        .build()
        .unwrap_or_default();
    let mut open_until: Option<Instant> = None;
    loop {
        // Every 100 ms, or at once when a test control started a job (see control.rs).
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
            () = shared.webhook_wake.notified() => {}
        }
        let events = std::mem::take(&mut shared.lock_world().outbox);
        for ev in events {
            if open_until.is_some_and(|t| Instant::now() < t) {
                shared.lock_hook_stats().dropped += 1;
                continue;
            }
            open_until = None;
            let body = serde_json::to_vec(&ev).unwrap_or_default();
            let sig = sign(&secret, &body);
            let ok = http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(SIGNATURE_HEADER, sig)
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let mut stats = shared.lock_hook_stats();
            if ok {
                stats.delivered += 1;
            } else {
                stats.failed += 1;
                open_until = Some(Instant::now() + shared.cfg.webhook_breaker);
            }
        }
    }
}
