//! One task per source: poll, store the batch with its cursor, report health, repeat.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use hangar_collectors::Collector;
use hangar_model::{SourceHealth, SourceId, StreamEvent};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::health::HealthState;
use crate::events::EventHub;
use crate::ingest::Ingest;
use crate::store::Store;

/// A running source: its collector, its health and the handles to steer its task.
pub struct SourceRuntime {
    pub id: SourceId,
    pub collector: Arc<dyn Collector>,
    pub health: Mutex<HealthState>,
    /// Wakes the task for an immediate poll (a webhook arrived, or the source was resumed).
    pub wake: Notify,
    pub interval: Duration,
    pub stop: CancellationToken,
    /// Present when webhooks for this source must be signed.
    pub webhook_secret: Option<secrecy::SecretString>,
}

impl SourceRuntime {
    pub fn health(&self) -> SourceHealth {
        self.lock().snapshot(Utc::now())
    }

    pub fn set_paused(&self, paused: bool) {
        self.lock().paused = paused;
        if !paused {
            self.wake.notify_one();
        }
    }

    pub fn is_paused(&self) -> bool {
        self.lock().paused
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, HealthState> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Polls until the source is removed or the node stops. The cursor comes from the store once,
/// then moves only when a batch and its cursor were committed together.
pub async fn run(
    rt: Arc<SourceRuntime>,
    store: Arc<dyn Store>,
    ingest: Ingest,
    hub: Arc<EventHub>,
    shutdown: CancellationToken,
) {
    let mut cursor = match store.load_cursor(&rt.id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(source = %rt.id, error = %e, "could not load the cursor; starting from scratch");
            None
        }
    };
    loop {
        if !rt.is_paused() {
            cursor = poll_once(&rt, &ingest, cursor).await;
        }
        let next = Utc::now() + chrono::Duration::from_std(rt.interval).unwrap_or_default();
        rt.lock().next_poll_at = (!rt.is_paused()).then_some(next);
        hub.publish(StreamEvent::CollectorHealth(Box::new(rt.health())));
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = rt.stop.cancelled() => break,
            () = rt.wake.notified() => {}
            () = tokio::time::sleep(rt.interval) => {}
        }
    }
}

async fn poll_once(
    rt: &SourceRuntime,
    ingest: &Ingest,
    cursor: Option<serde_json::Value>,
) -> Option<serde_json::Value> {
    let started = std::time::Instant::now();
    let outcome = rt.collector.poll(cursor.clone()).await;
    rt.lock().record_stats(rt.collector.stats());
    let (batch, next) = match outcome {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(source = %rt.id, error = %e, "poll failed");
            rt.lock().failure(Utc::now(), e.to_string());
            return cursor;
        }
    };
    let runs = batch.runs.len();
    match ingest
        .submit(rt.id.clone(), batch, Some(next.clone()))
        .await
    {
        Ok(stats) => {
            rt.lock().success(Utc::now());
            metrics::histogram!("hangar_collector_poll_seconds", "source" => rt.id.as_str().to_owned())
                .record(started.elapsed().as_secs_f64());
            tracing::debug!(source = %rt.id, runs, changed = stats.runs_changed, "polled");
            Some(next)
        }
        Err(e) => {
            tracing::error!(source = %rt.id, error = %e, "could not store a batch");
            rt.lock().failure(
                Utc::now(),
                "the database refused the batch; see the server log".to_owned(),
            );
            cursor
        }
    }
}
