//! The Automation Anywhere collector's position, stored by the server with the records.
//!
//! Watermark: the largest `modifiedOn` of a complete, consistent scan of the activity list
//! (`modifiedOn` is from the v1 history record [A9]; the v3 field set is UNCONFIRMED, which is
//! why the simulator serves it and the collector re-checks open executions by id as well).
//! The next scan asks for `modifiedOn ge watermark − overlap`; rows already handed out in that
//! overlap are remembered in `recent` by `(id, modifiedOn)` so they are not handed out twice.
//! Executions not yet finished are remembered in `pending` and fetched by id until they are.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hangar_model::RunState;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AaCursor {
    /// Bumped when the meaning of the fields changes; an unknown version starts afresh.
    #[serde(default = "version")]
    pub v: u32,
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    /// Execution id → `modifiedOn` of the version already handed out, for rows inside the
    /// overlap window.
    #[serde(default)]
    pub recent: BTreeMap<String, Option<DateTime<Utc>>>,
    /// Executions not in a terminal state yet.
    #[serde(default)]
    pub pending: BTreeMap<String, Pending>,
}

fn version() -> u32 {
    AaCursor::VERSION
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// `modifiedOn` of the version already handed out.
    pub modified_on: Option<DateTime<Utc>>,
    pub device_id: Option<String>,
    pub state: RunState,
    /// Id re-checks in a row that did not find it (archived executions disappear).
    #[serde(default)]
    pub misses: u32,
}

impl AaCursor {
    pub const VERSION: u32 = 1;

    /// Reads a stored cursor. Anything unreadable (or from another version) starts from
    /// scratch: the server upserts by key, so re-reading is safe where skipping is not.
    pub fn from_stored(v: Option<serde_json::Value>) -> AaCursor {
        let Some(v) = v else {
            return AaCursor::new();
        };
        match serde_json::from_value::<AaCursor>(v) {
            Ok(c) if c.v == Self::VERSION => c,
            Ok(c) => {
                tracing::warn!(
                    version = c.v,
                    "AA cursor of another version; starting afresh"
                );
                AaCursor::new()
            }
            Err(e) => {
                tracing::warn!(error = %e, "unreadable AA cursor; starting afresh");
                AaCursor::new()
            }
        }
    }

    pub fn new() -> AaCursor {
        AaCursor {
            v: Self::VERSION,
            ..AaCursor::default()
        }
    }

    /// Whether this version of the execution was handed out already.
    pub fn already_sent(&self, id: &str, modified_on: Option<DateTime<Utc>>) -> bool {
        self.recent.get(id) == Some(&modified_on)
            || self.pending.get(id).map(|p| p.modified_on) == Some(modified_on)
    }

    /// Keeps the at most `max` pending executions most recently modified.
    pub fn cap_pending(&mut self, max: usize) {
        if self.pending.len() <= max {
            return;
        }
        let mut by_age: Vec<(Option<DateTime<Utc>>, String)> = self
            .pending
            .iter()
            .map(|(id, p)| (p.modified_on, id.clone()))
            .collect();
        by_age.sort();
        let drop = by_age.len() - max;
        for (_, id) in by_age.into_iter().take(drop) {
            tracing::warn!(
                id,
                "AA execution unfinished for too long; no longer re-checked"
            );
            self.pending.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_garbage_starts_afresh() {
        let mut c = AaCursor::new();
        c.watermark = Some(Utc::now());
        c.recent.insert("a".into(), c.watermark);
        c.pending.insert(
            "b".into(),
            Pending {
                modified_on: None,
                device_id: Some("3".into()),
                state: RunState::Running,
                misses: 0,
            },
        );
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(AaCursor::from_stored(Some(v)), c);
        assert_eq!(
            AaCursor::from_stored(Some(serde_json::json!({"watermark": 5}))),
            AaCursor::new()
        );
        assert_eq!(
            AaCursor::from_stored(Some(serde_json::json!({"v": 99}))),
            AaCursor::new()
        );
        assert!(c.already_sent("a", c.watermark));
        assert!(c.already_sent("b", None));
        assert!(!c.already_sent("a", None));
    }
}
