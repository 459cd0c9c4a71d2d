//! The event hub: every event the stream carries passes through here once.
//!
//! Events get ids in publish order and stay in a bounded ring, so a client that reconnects
//! with `Last-Event-ID` gets exactly what it missed while that is still in the ring, and a
//! `reset` when it is not. Each event is serialized once, however many clients receive it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use hangar_model::{EventId, ResetReason, StreamEvent};
use tokio::sync::broadcast;

/// An event with its id and its whole SSE frame, serialized once at publish.
///
/// Every client is sent the same `frame` bytes (a reference-counted buffer, not a copy): with
/// thousands of clients, building the frame per client was most of the stream's cost.
#[derive(Debug)]
pub struct Envelope {
    pub id: EventId,
    pub event: StreamEvent,
    /// `id: …\nevent: …\ndata: …\n\n`.
    pub frame: Bytes,
}

impl Envelope {
    fn new(id: EventId, event: StreamEvent, data: &str) -> Self {
        let frame = sse_frame(Some(id), event.name(), data);
        Envelope { id, event, frame }
    }

    pub fn name(&self) -> &'static str {
        self.event.name()
    }
}

/// One SSE frame. `data` is compact JSON, which never holds a raw line break, so it fits on
/// one `data:` line.
pub fn sse_frame(id: Option<EventId>, name: &str, data: &str) -> Bytes {
    debug_assert!(!data.contains(['\n', '\r']), "SSE data must be one line");
    let mut frame = String::with_capacity(data.len() + name.len() + 48);
    if let Some(id) = id {
        frame.push_str("id: ");
        frame.push_str(&id.to_string());
        frame.push('\n');
    }
    frame.push_str("event: ");
    frame.push_str(name);
    frame.push_str("\ndata: ");
    frame.push_str(data);
    frame.push_str("\n\n");
    Bytes::from(frame)
}

/// What a new subscriber starts with.
pub struct Subscription {
    /// Sent before anything live, when the client cannot resume.
    pub reset: Option<ResetReason>,
    /// Events the client has not seen yet, oldest first.
    pub replay: Vec<Arc<Envelope>>,
    /// Everything published from now on; nothing between `replay` and this is lost.
    pub live: broadcast::Receiver<Arc<Envelope>>,
}

pub struct EventHub {
    epoch: u64,
    ring: Mutex<Ring>,
    sender: broadcast::Sender<Arc<Envelope>>,
    published: AtomicU64,
    clients: AtomicU64,
}

struct Ring {
    next_seq: u64,
    capacity: usize,
    events: VecDeque<Arc<Envelope>>,
}

impl EventHub {
    /// `epoch` must differ between runs of a node (the start time in ms is used), so ids from
    /// an earlier run are recognised as such.
    pub fn new(epoch: u64, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let (sender, _) = broadcast::channel(capacity);
        EventHub {
            epoch,
            ring: Mutex::new(Ring {
                next_seq: 1,
                capacity,
                events: VecDeque::with_capacity(capacity),
            }),
            sender,
            published: AtomicU64::new(0),
            clients: AtomicU64::new(0),
        }
    }

    pub fn publish(&self, event: StreamEvent) -> EventId {
        let data = event.data_json();
        // The ring and the broadcast are updated under one lock, so a subscriber that takes
        // the same lock sees each event exactly once: in its replay or on its receiver.
        let mut ring = self.lock();
        let id = EventId {
            epoch: self.epoch,
            seq: ring.next_seq,
        };
        ring.next_seq += 1;
        let envelope = Arc::new(Envelope::new(id, event, &data));
        if ring.events.len() == ring.capacity {
            ring.events.pop_front();
        }
        ring.events.push_back(Arc::clone(&envelope));
        // No receivers is fine: nobody is watching.
        let _ = self.sender.send(envelope);
        drop(ring);
        self.published.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("hangar_stream_events_published_total").increment(1);
        id
    }

    /// Starts a subscription after `last_seen` (the client's `Last-Event-ID`), or fresh.
    pub fn subscribe(&self, last_seen: Option<EventId>) -> Subscription {
        let ring = self.lock();
        let live = self.sender.subscribe();
        let newest = ring.next_seq - 1;
        let oldest = ring.events.front().map_or(ring.next_seq, |e| e.id.seq);
        let resume = match last_seen {
            None => Err(None),
            Some(id) if id.epoch != self.epoch || id.seq > newest => {
                Err(Some(ResetReason::OtherEpoch))
            }
            // Everything after `id` is still held when the next one is at most the oldest.
            Some(id) if id.seq + 1 >= oldest => Ok(id.seq),
            Some(_) => Err(Some(ResetReason::TooOld)),
        };
        match resume {
            Ok(after) => Subscription {
                reset: None,
                replay: ring
                    .events
                    .iter()
                    .filter(|e| e.id.seq > after)
                    .cloned()
                    .collect(),
                live,
            },
            Err(reset) => Subscription {
                reset,
                replay: latest_snapshots(&ring.events),
                live,
            },
        }
    }

    pub fn last_event_id(&self) -> Option<EventId> {
        self.lock().events.back().map(|e| e.id)
    }

    pub fn published(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }

    pub fn capacity(&self) -> usize {
        self.lock().capacity
    }

    pub fn clients(&self) -> u64 {
        self.clients.load(Ordering::Relaxed)
    }

    /// Counts a connected client until the guard drops.
    pub fn client_guard(self: &Arc<Self>) -> ClientGuard {
        let now = self.clients.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::gauge!("hangar_stream_clients").set(now as f64);
        ClientGuard(Arc::clone(self))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        // A panic while holding this lock cannot leave the ring half-updated in a way that
        // matters (worst case one event missing), so a poisoned lock is used as is.
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A fresh client starts from the newest state-carrying events — the latest status and the
/// latest health of each source — so its screen is current at once instead of waiting for the
/// next tick. They are returned in publish order.
fn latest_snapshots(events: &VecDeque<Arc<Envelope>>) -> Vec<Arc<Envelope>> {
    let mut seen_status = false;
    let mut seen_summary = false;
    let mut seen_sources = std::collections::HashSet::new();
    let mut picked: Vec<Arc<Envelope>> = events
        .iter()
        .rev()
        .filter(|e| match &e.event {
            StreamEvent::Status(_) => !std::mem::replace(&mut seen_status, true),
            StreamEvent::CollectorHealth(h) => seen_sources.insert(h.source.clone()),
            StreamEvent::Summary(_) => !std::mem::replace(&mut seen_summary, true),
            StreamEvent::RunsChanged(_)
            | StreamEvent::RobotsChanged(_)
            | StreamEvent::Anomaly { .. }
            | StreamEvent::Reset { .. } => false,
        })
        .cloned()
        .collect();
    picked.reverse();
    picked
}

pub struct ClientGuard(Arc<EventHub>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        let now = self
            .0
            .clients
            .fetch_sub(1, Ordering::Relaxed)
            .saturating_sub(1);
        metrics::gauge!("hangar_stream_clients").set(now as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset() -> StreamEvent {
        StreamEvent::Reset {
            reason: ResetReason::Lagged,
        }
    }

    fn seqs(sub: &Subscription) -> Vec<u64> {
        sub.replay.iter().map(|e| e.id.seq).collect()
    }

    #[test]
    fn ids_increase_in_publish_order() {
        let hub = EventHub::new(7, 8);
        let a = hub.publish(reset());
        let b = hub.publish(reset());
        assert_eq!((a.epoch, a.seq, b.seq), (7, 1, 2));
        assert_eq!(hub.last_event_id(), Some(b));
        assert_eq!(hub.published(), 2);
    }

    #[test]
    fn resume_inside_the_ring_replays_exactly_the_missed_events() {
        let hub = EventHub::new(7, 8);
        let ids: Vec<_> = (0..5).map(|_| hub.publish(reset())).collect();
        let sub = hub.subscribe(Some(ids[1]));
        assert_eq!(sub.reset, None);
        assert_eq!(seqs(&sub), vec![3, 4, 5]);
        // Up to date: nothing to replay, no reset.
        let sub = hub.subscribe(Some(ids[4]));
        assert_eq!((sub.reset, seqs(&sub)), (None, vec![]));
    }

    #[test]
    fn resume_at_the_ring_edge_still_works_and_past_it_resets() {
        let hub = EventHub::new(7, 3);
        for _ in 0..6 {
            hub.publish(reset());
        }
        // Ring holds 4, 5, 6. Having seen 3, nothing is lost.
        let sub = hub.subscribe(Some(EventId { epoch: 7, seq: 3 }));
        assert_eq!((sub.reset, seqs(&sub)), (None, vec![4, 5, 6]));
        // Having seen 2, event 3 is gone.
        let sub = hub.subscribe(Some(EventId { epoch: 7, seq: 2 }));
        assert_eq!(sub.reset, Some(ResetReason::TooOld));
    }

    #[test]
    fn ids_from_another_run_or_the_future_reset() {
        let hub = EventHub::new(7, 3);
        hub.publish(reset());
        let other = hub.subscribe(Some(EventId { epoch: 6, seq: 1 }));
        assert_eq!(other.reset, Some(ResetReason::OtherEpoch));
        let future = hub.subscribe(Some(EventId { epoch: 7, seq: 99 }));
        assert_eq!(future.reset, Some(ResetReason::OtherEpoch));
    }

    #[tokio::test]
    async fn nothing_falls_between_replay_and_live() {
        let hub = EventHub::new(1, 16);
        let first = hub.publish(reset());
        hub.publish(reset());
        let mut sub = hub.subscribe(Some(first));
        hub.publish(reset());
        assert_eq!(seqs(&sub), vec![2]);
        assert_eq!(sub.live.recv().await.unwrap().id.seq, 3);
    }

    #[test]
    fn client_guard_counts_connections() {
        let hub = Arc::new(EventHub::new(1, 4));
        let a = hub.client_guard();
        let b = hub.client_guard();
        assert_eq!(hub.clients(), 2);
        drop(a);
        drop(b);
        assert_eq!(hub.clients(), 0);
    }
}
