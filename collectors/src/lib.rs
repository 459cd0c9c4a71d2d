//! Clients of the vendor systems Hangar reads, and simulators of them.
//!
//! Every client turns its vendor's answers into the normalized records of
//! [`hangar_model::fleet`] and keeps its position in a [`Cursor`] that the server stores in the
//! same transaction as the records, so a restart neither loses nor repeats work.

pub mod aa;
pub mod error;
pub mod http;
pub mod retry;
pub mod sim;
pub mod source;
pub mod uipath;

use async_trait::async_trait;
use hangar_model::{Batch, SourceId};

pub use error::CollectError;
pub use retry::{RetryPolicy, is_retryable_status, parse_retry_after};
pub use source::{SourceAuth, SourceConfig};

/// A client's position in its source: opaque to the server, stored as JSON with the records
/// it produced. `None` starts from scratch.
pub type Cursor = Option<serde_json::Value>;

/// Requests a client has made, for the health view and `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
}

/// A webhook or callback delivery, understood. Webhooks are hints: vendors drop events while
/// their circuit breaker is open, so polling reconciles whatever they say.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookEvent {
    /// The vendor's event id, for deduplication of redeliveries.
    pub event_id: String,
    /// The vendor's event type (`job.faulted`, `robot.status`, …).
    pub kind: String,
    /// The records the event carries.
    pub batch: Batch,
}

/// One vendor tenant being polled.
#[async_trait]
pub trait Collector: Send + Sync {
    fn source(&self) -> &SourceId;

    /// Fetches everything new since `cursor`: runs changed since the watermark (with overlap,
    /// deduplicated), runs still not terminal re-checked, and full snapshots of robots,
    /// processes, schedules and queue items. Returns the records and the cursor to store
    /// with them.
    async fn poll(&self, cursor: Cursor) -> Result<(Batch, serde_json::Value), CollectError>;

    fn stats(&self) -> ClientStats;
}
