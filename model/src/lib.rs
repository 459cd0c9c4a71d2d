//! Hangar's domain model: the types every other crate speaks, and the rules over them.
//!
//! Nothing here does IO, so the same types compile for the server and for the wasm
//! dashboard, and the wire format cannot drift between the two.

pub mod anomaly;
pub mod auth;
pub mod error;
pub mod fleet;
pub mod i18n;
pub mod ids;
pub mod secrets;
pub mod sources;
pub mod status;
pub mod stream;
pub mod summary;
pub mod wall;

pub use auth::{Role, Scope};
pub use error::{ApiError, ApiErrorBody, ErrorCode};
pub use fleet::{
    Batch, ProcessInfo, QueueItem, QueueItemState, RobotState, RobotStatus, Run, RunState,
    ScheduleInfo, SourceId, Vendor, vm_name,
};
pub use ids::{GrantId, NodeId, SecretId, TokenId, UserId};
pub use sources::{SourceHealth, SourceView, should_replace_run};
pub use status::{DbEngine, DbStatus, NodeStatus, StreamStats, SystemStatus};
pub use stream::{
    AnomalyAction, EventId, ParseEventIdError, ResetReason, RunsChanged, StreamEvent,
};
pub use summary::{Breakdown, SaturationCell, WallSummary, busy_by_hour, saturation};
