//! Where a UiPath collector stands: stored by the server with the records of each poll.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::CollectError;

/// The whole cursor, one entry per folder (`OrganizationUnitId`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UipathCursor {
    #[serde(default)]
    pub folders: BTreeMap<i64, FolderCursor>,
}

/// A job that was not terminal when last seen, re-checked by `Id` until it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingJob {
    pub id: i64,
    pub key: String,
    pub modified: Option<DateTime<Utc>>,
}

/// A queue item seen recently (inside the overlap of a window), for deduplication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeenQueueItem {
    pub id: i64,
    pub status: String,
    pub created: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FolderCursor {
    /// Largest `LastModificationTime` read in a stable scan of this folder's jobs.
    #[serde(default)]
    pub jobs_watermark: Option<DateTime<Utc>>,
    /// `(Key, LastModificationTime)` already delivered whose time is inside the overlap.
    #[serde(default)]
    pub recent_jobs: Vec<(String, DateTime<Utc>)>,
    /// Jobs not terminal when last seen.
    #[serde(default)]
    pub pending: Vec<PendingJob>,
    /// Polls since the pending jobs were last re-checked by id.
    #[serde(default)]
    pub polls_since_recheck: u32,
    /// Largest queue item `CreationTime` read.
    #[serde(default)]
    pub queue_created_watermark: Option<DateTime<Utc>>,
    /// Largest queue item `EndProcessing` read.
    #[serde(default)]
    pub queue_ended_watermark: Option<DateTime<Utc>>,
    /// Queue items already delivered, with the status delivered, inside the windows' overlap.
    #[serde(default)]
    pub recent_queue_items: Vec<SeenQueueItem>,
}

impl UipathCursor {
    /// Reads a stored cursor; `None` (or JSON `null`) starts from scratch. A cursor that does
    /// not read is an error rather than a silent restart, which would repeat every record.
    pub fn from_stored(cursor: Option<serde_json::Value>) -> Result<UipathCursor, CollectError> {
        match cursor {
            None | Some(serde_json::Value::Null) => Ok(UipathCursor::default()),
            Some(v) => {
                serde_json::from_value(v).map_err(|e| CollectError::decode("UiPath cursor", e))
            }
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
