//! Live system status: what the wall shows about Hangar itself, and what `/api/v1/status` returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::NodeId;
use crate::stream::EventId;

/// Which database engine a node runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DbEngine {
    Sqlite,
    Postgres,
}

impl DbEngine {
    pub fn label(self) -> &'static str {
        match self {
            DbEngine::Sqlite => "SQLite",
            DbEngine::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DbStatus {
    pub engine: DbEngine,
    pub reachable: bool,
    /// Round trip of a trivial query, when the database answered.
    pub latency_ms: Option<f64>,
    /// Every migration embedded in this binary has been applied.
    pub migrations_current: bool,
    pub pool_size: u32,
    pub pool_idle: u32,
}

/// One `hangar` process as the shared database knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NodeStatus {
    pub id: NodeId,
    pub name: String,
    pub version: String,
    pub listen: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub alive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamStats {
    /// Stream clients connected to this node now.
    pub clients: u64,
    /// Events this node has published since it started.
    pub events_published: u64,
    /// How many recent events a reconnecting client can resume from.
    pub ring_capacity: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_event_id: Option<EventId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemStatus {
    pub version: String,
    /// True when the instance runs on simulators: every screen must say DEMO.
    pub demo: bool,
    pub now: DateTime<Utc>,
    pub uptime_secs: u64,
    /// The node that produced this status.
    pub node: NodeStatus,
    pub db: DbStatus,
    /// Every node registered in the database, this one included.
    pub nodes: Vec<NodeStatus>,
    pub stream: StreamStats,
}

/// A node counts as alive while its last heartbeat is at most three intervals old; one or two
/// missed beats (a busy database, a GC pause elsewhere) must not flap it.
pub fn node_alive(last_seen: DateTime<Utc>, now: DateTime<Utc>, heartbeat_secs: u64) -> bool {
    let limit = chrono::Duration::seconds((heartbeat_secs.max(1) * 3) as i64);
    now.signed_duration_since(last_seen) <= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn node_is_alive_up_to_three_heartbeats() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let s = chrono::Duration::seconds;
        assert!(node_alive(t0, t0, 5));
        assert!(node_alive(t0, t0 + s(15), 5));
        assert!(!node_alive(t0, t0 + s(16), 5));
        // A clock slightly behind ours (last_seen in the future) is still alive.
        assert!(node_alive(t0 + s(2), t0, 5));
    }

    #[test]
    fn zero_interval_is_treated_as_one_second() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        assert!(node_alive(t0, t0 + chrono::Duration::seconds(3), 0));
        assert!(!node_alive(t0, t0 + chrono::Duration::seconds(4), 0));
    }
}
