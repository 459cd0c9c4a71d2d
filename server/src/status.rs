//! System status: this node's heartbeat in the database, and the status events on the stream.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hangar_model::status::node_alive;
use hangar_model::{DbStatus, NodeStatus, StreamEvent, StreamStats, SystemStatus};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::events::EventHub;
use crate::store::{NodeRecord, Store};

/// Nodes silent for this long are forgotten, so the wall does not list machines long gone.
const FORGET_NODES_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(1);

pub struct StatusReporter {
    store: Arc<dyn Store>,
    hub: Arc<EventHub>,
    node: NodeRecord,
    started: Instant,
    demo: bool,
    interval: Duration,
    latest: watch::Sender<Option<SystemStatus>>,
}

impl StatusReporter {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<EventHub>,
        node: NodeRecord,
        demo: bool,
        interval: Duration,
    ) -> Self {
        StatusReporter {
            store,
            hub,
            node,
            started: Instant::now(),
            demo,
            interval,
            latest: watch::channel(None).0,
        }
    }

    /// The newest status, for rendering the wall's first frame without a database round trip.
    pub fn latest(&self) -> watch::Receiver<Option<SystemStatus>> {
        self.latest.subscribe()
    }

    /// Registers the node, forgets long-gone ones, and publishes the first status, so the
    /// server never answers before it has something true to show.
    pub async fn start(&self) -> Result<(), crate::store::StoreError> {
        self.store.upsert_node(&self.node).await?;
        let pruned = self
            .store
            .prune_nodes(Utc::now() - FORGET_NODES_AFTER)
            .await?;
        if pruned > 0 {
            tracing::info!(pruned, "forgot nodes not seen for a day");
        }
        self.tick().await;
        Ok(())
    }

    /// Heartbeats and publishes every interval until shut down.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut timer = tokio::time::interval(self.interval);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        timer.tick().await; // the first tick is immediate; start() already did it
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = timer.tick() => self.tick().await,
            }
        }
    }

    /// On shutdown: take this node off the list, so the others show it as gone, not down.
    pub async fn deregister(&self) {
        if let Err(e) = self.store.remove_node(self.node.id).await {
            tracing::warn!(error = %e, "could not deregister this node");
        }
    }

    async fn tick(&self) {
        let now = Utc::now();
        match self.store.touch_node(self.node.id, now).await {
            Ok(true) => {}
            Ok(false) => {
                // Another node pruned us (we were paused past the limit): register again.
                let node = NodeRecord {
                    last_seen_at: now,
                    ..self.node.clone()
                };
                if let Err(e) = self.store.upsert_node(&node).await {
                    tracing::warn!(error = %e, "could not re-register this node");
                }
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat to the database failed"),
        }
        let status = self.snapshot().await;
        self.hub
            .publish(StreamEvent::Status(Box::new(status.clone())));
        self.latest.send_replace(Some(status));
    }

    pub async fn snapshot(&self) -> SystemStatus {
        let now = Utc::now();
        let secs = self.interval.as_secs().max(1);
        let latency = self.store.ping().await;
        metrics::gauge!("hangar_db_up").set(if latency.is_ok() { 1.0 } else { 0.0 });
        if let Ok(l) = &latency {
            metrics::histogram!("hangar_db_ping_seconds").record(l.as_secs_f64());
        }
        let reachable = latency.is_ok();
        let migrations_current =
            reachable && self.store.migrations_current().await.unwrap_or(false);
        let pool = self.store.pool_stats();
        let this = to_status(
            &NodeRecord {
                last_seen_at: now,
                ..self.node.clone()
            },
            now,
            secs,
        );
        let nodes = match self.store.list_nodes().await {
            Ok(nodes) => nodes.iter().map(|n| to_status(n, now, secs)).collect(),
            // The database is gone: we still know about ourselves.
            Err(_) => vec![this.clone()],
        };
        SystemStatus {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            demo: self.demo,
            now,
            uptime_secs: self.started.elapsed().as_secs(),
            node: this,
            db: DbStatus {
                engine: self.store.engine(),
                reachable,
                latency_ms: latency.ok().map(|d| d.as_secs_f64() * 1_000.0),
                migrations_current,
                pool_size: pool.size,
                pool_idle: pool.idle,
            },
            nodes,
            stream: StreamStats {
                clients: self.hub.clients(),
                events_published: self.hub.published(),
                ring_capacity: self.hub.capacity() as u64,
                last_event_id: self.hub.last_event_id(),
            },
        }
    }
}

fn to_status(n: &NodeRecord, now: chrono::DateTime<Utc>, heartbeat_secs: u64) -> NodeStatus {
    NodeStatus {
        id: n.id,
        name: n.name.clone(),
        version: n.version.clone(),
        listen: n.listen.clone(),
        started_at: n.started_at,
        last_seen_at: n.last_seen_at,
        alive: node_alive(n.last_seen_at, now, heartbeat_secs),
    }
}
