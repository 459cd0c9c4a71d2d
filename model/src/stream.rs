//! The live stream's vocabulary: event ids that survive a reconnect, and typed events.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::anomaly::Anomaly;
use crate::fleet::{RobotStatus, Run};
use crate::sources::SourceHealth;
use crate::status::SystemStatus;
use crate::summary::WallSummary;

/// An event's position in one node's stream: `{epoch:x}-{seq}`.
///
/// The epoch changes every time the node starts, so a client resuming with an id from before a
/// restart is told to reset instead of silently missing everything in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId {
    pub epoch: u64,
    pub seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}-{}", self.epoch, self.seq)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an event id looks like `<hex epoch>-<sequence>`, got {0:?}")]
pub struct ParseEventIdError(pub String);

impl FromStr for EventId {
    type Err = ParseEventIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseEventIdError(s.chars().take(64).collect());
        let (epoch, seq) = s.trim().split_once('-').ok_or_else(bad)?;
        Ok(EventId {
            epoch: u64::from_str_radix(epoch, 16).map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What happened to an anomaly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyAction {
    Opened,
    Updated,
    Acknowledged,
    Unacknowledged,
    Resolved,
}

impl AnomalyAction {
    /// The SSE event name: `anomaly_opened`, `anomaly_updated`, …
    pub fn event_name(self) -> &'static str {
        match self {
            AnomalyAction::Opened => "anomaly_opened",
            AnomalyAction::Updated => "anomaly_updated",
            AnomalyAction::Acknowledged => "anomaly_acknowledged",
            AnomalyAction::Unacknowledged => "anomaly_unacknowledged",
            AnomalyAction::Resolved => "anomaly_resolved",
        }
    }
}

/// Runs changed by one write. At most [`RunsChanged::MAX`] are listed; `more` counts the rest
/// (a screen that needs them all reloads from the API).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunsChanged {
    pub runs: Vec<Run>,
    pub more: u64,
}

impl RunsChanged {
    pub const MAX: usize = 200;
}

/// Why a client must drop what it holds and reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetReason {
    /// The id it resumed from has left the bounded replay ring.
    TooOld,
    /// The id came from another run of the node (it restarted) or from another node.
    OtherEpoch,
    /// The client fell so far behind the live stream that events were dropped for it.
    Lagged,
}

/// Everything the stream carries. The SSE `event:` field is [`StreamEvent::name`], the `data:`
/// field is the JSON of the payload alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum StreamEvent {
    Status(Box<SystemStatus>),
    /// A source's collector health changed (after every poll and every webhook).
    CollectorHealth(Box<SourceHealth>),
    /// Runs that changed in one write, coalesced: a burst becomes one event.
    RunsChanged(RunsChanged),
    /// Robots whose state or responsiveness changed in one write.
    RobotsChanged(Vec<RobotStatus>),
    /// The wall summary, every few seconds.
    Summary(Box<WallSummary>),
    /// An anomaly was opened, changed (fired again with more occurrences or a higher
    /// severity), acknowledged, unacknowledged or resolved.
    Anomaly {
        action: AnomalyAction,
        anomaly: Box<Anomaly>,
    },
    Reset {
        reason: ResetReason,
    },
}

impl StreamEvent {
    pub fn name(&self) -> &'static str {
        match self {
            StreamEvent::Status(_) => "status",
            StreamEvent::CollectorHealth(_) => "collector_health",
            StreamEvent::RunsChanged(_) => "runs_changed",
            StreamEvent::RobotsChanged(_) => "robots_changed",
            StreamEvent::Summary(_) => "summary",
            StreamEvent::Anomaly { action, .. } => action.event_name(),
            StreamEvent::Reset { .. } => "reset",
        }
    }

    /// The JSON that goes into the SSE `data:` field.
    pub fn data_json(&self) -> String {
        let value = match self {
            StreamEvent::Status(s) => serde_json::to_string(s),
            StreamEvent::CollectorHealth(h) => serde_json::to_string(h),
            StreamEvent::RunsChanged(r) => serde_json::to_string(r),
            StreamEvent::RobotsChanged(r) => serde_json::to_string(r),
            StreamEvent::Summary(s) => serde_json::to_string(s),
            StreamEvent::Anomaly { anomaly, .. } => serde_json::to_string(anomaly),
            StreamEvent::Reset { reason } => {
                serde_json::to_string(&serde_json::json!({ "reason": reason }))
            }
        };
        // Serializing these plain structs cannot fail: no maps with non-string keys, no floats
        // that JSON cannot hold are produced by the server.
        value.unwrap_or_else(|_| "null".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_round_trips() {
        let id = EventId {
            epoch: 0x18f_3a2b,
            seq: 42,
        };
        assert_eq!(id.to_string(), "18f3a2b-42");
        assert_eq!("18f3a2b-42".parse::<EventId>().unwrap(), id);
        assert_eq!(
            serde_json::from_str::<EventId>("\"18f3a2b-42\"").unwrap(),
            id
        );
    }

    #[test]
    fn event_id_rejects_malformed_text() {
        for bad in ["", "42", "x-1", "1-", "-1", "1-y", "1-2-3"] {
            assert!(bad.parse::<EventId>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn event_ids_order_by_epoch_then_seq() {
        let a = EventId { epoch: 1, seq: 9 };
        let b = EventId { epoch: 2, seq: 1 };
        assert!(a < b);
    }

    #[test]
    fn reset_data_names_the_reason() {
        let e = StreamEvent::Reset {
            reason: ResetReason::TooOld,
        };
        assert_eq!(e.name(), "reset");
        assert_eq!(e.data_json(), r#"{"reason":"too_old"}"#);
    }
}
