//! Ingest: collectors and webhooks → bounded channel → batched transactional writes →
//! detector and stream.
//!
//! Producers wait for their batch to be committed (so a poll's cursor only moves once its rows
//! are stored) and, when the channel is full, wait to enqueue: a slow database slows the
//! collectors down instead of growing memory. The writer takes what is queued — up to
//! `max_jobs`, waiting at most `max_delay` for more — and commits it in one transaction, which
//! is what makes bursts cheap.

use std::sync::Arc;
use std::time::Duration;

use hangar_model::{Batch, RunsChanged, SourceId, StreamEvent};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::events::EventHub;
use crate::store::{ApplyStats, BatchWrite, Store};

#[derive(Clone, Copy, Debug)]
pub struct IngestConfig {
    /// Batches that may wait in the channel.
    pub capacity: usize,
    /// Batches committed together at most.
    pub max_jobs: usize,
    /// How long the writer waits for more batches before committing what it has.
    pub max_delay: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            capacity: 256,
            max_jobs: 64,
            max_delay: Duration::from_millis(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the ingest pipeline has stopped")]
    Closed,
    #[error("the database refused the batch: {0}")]
    Store(String),
}

struct Job {
    source: SourceId,
    batch: Batch,
    cursor: Option<serde_json::Value>,
    reply: oneshot::Sender<Result<ApplyStats, IngestError>>,
}

/// The producers' end of the pipeline. Cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    tx: mpsc::Sender<Job>,
}

impl Ingest {
    /// Starts the writer. It stops when every `Ingest` handle is dropped and the channel drains.
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<EventHub>,
        written: Arc<Notify>,
        config: IngestConfig,
    ) -> (Ingest, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(config.capacity.max(1));
        let task = tokio::spawn(writer(rx, store, hub, written, config));
        (Ingest { tx }, task)
    }

    /// Queues a batch and waits until it is committed.
    pub async fn submit(
        &self,
        source: SourceId,
        batch: Batch,
        cursor: Option<serde_json::Value>,
    ) -> Result<ApplyStats, IngestError> {
        let (reply, done) = oneshot::channel();
        self.tx
            .send(Job {
                source,
                batch,
                cursor,
                reply,
            })
            .await
            .map_err(|_| IngestError::Closed)?;
        done.await.map_err(|_| IngestError::Closed)?
    }
}

async fn writer(
    mut rx: mpsc::Receiver<Job>,
    store: Arc<dyn Store>,
    hub: Arc<EventHub>,
    written: Arc<Notify>,
    config: IngestConfig,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let deadline = tokio::time::Instant::now() + config.max_delay;
        while jobs.len() < config.max_jobs {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(job)) => jobs.push(job),
                _ => break,
            }
        }
        let started = std::time::Instant::now();
        let writes: Vec<BatchWrite<'_>> = jobs
            .iter()
            .map(|j| BatchWrite {
                source: &j.source,
                batch: &j.batch,
                cursor: j.cursor.as_ref(),
            })
            .collect();
        let outcome = store.apply_batches(&writes).await;
        drop(writes);
        metrics::histogram!("hangar_ingest_commit_seconds").record(started.elapsed().as_secs_f64());
        match outcome {
            Ok(stats) => {
                publish(&hub, &jobs, &stats);
                for (job, st) in jobs.into_iter().zip(stats) {
                    let _ = job.reply.send(Ok(st));
                }
                written.notify_one();
            }
            Err(e) if jobs.len() > 1 => {
                // One bad batch must not sink the others: write them one by one.
                tracing::warn!(error = %e, jobs = jobs.len(), "batched write failed; retrying one by one");
                for job in jobs {
                    let one = BatchWrite {
                        source: &job.source,
                        batch: &job.batch,
                        cursor: job.cursor.as_ref(),
                    };
                    let result = store.apply_batches(&[one]).await;
                    match result {
                        Ok(mut stats) => {
                            let st = stats.pop().unwrap_or_default();
                            publish(&hub, std::slice::from_ref(&job), std::slice::from_ref(&st));
                            let _ = job.reply.send(Ok(st));
                            written.notify_one();
                        }
                        Err(e) => {
                            let _ = job.reply.send(Err(IngestError::Store(e.to_string())));
                        }
                    }
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(IngestError::Store(e.to_string())));
                }
            }
        }
    }
}

/// One `runs_changed` and one `robots_changed` event per commit, however many batches it held.
fn publish(hub: &EventHub, jobs: &[Job], stats: &[ApplyStats]) {
    let mut runs = Vec::new();
    let mut more = 0u64;
    let mut robots = Vec::new();
    for (job, st) in jobs.iter().zip(stats) {
        for &i in &st.changed_runs {
            if runs.len() < RunsChanged::MAX {
                runs.push(job.batch.runs[i].clone());
            } else {
                more += 1;
            }
        }
        robots.extend(
            st.changed_robots
                .iter()
                .map(|&i| job.batch.robots[i].clone()),
        );
    }
    metrics::counter!("hangar_ingest_runs_changed_total").increment(runs.len() as u64 + more);
    if !runs.is_empty() {
        hub.publish(StreamEvent::RunsChanged(RunsChanged { runs, more }));
    }
    if !robots.is_empty() {
        hub.publish(StreamEvent::RobotsChanged(robots));
    }
}
