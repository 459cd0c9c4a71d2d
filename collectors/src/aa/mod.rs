//! Automation Anywhere Control Room: the client, its simulator and deploy callbacks.
//!
//! - [`AaCollector`] polls a Control Room (activity, devices, schedules) into a
//!   [`hangar_model::Batch`]; construct it with [`AaCollector::new`] from a
//!   [`crate::SourceConfig`] carrying `aa_api_key` or `aa_password` credentials.
//! - [`callback`] reads the deploy callbacks a Control Room POSTs when a bot finishes.
//! - [`sim`] is an in-process Control Room for tests and the demo.

pub mod auth;
pub mod callback;
pub mod client;
pub mod cron;
pub mod cursor;
pub mod dto;
pub mod normalize;
pub mod sim;

use hangar_model::{Run, SourceId};

pub use client::{AaCollector, AaOptions};
pub use cursor::AaCursor;

use crate::error::CollectError;

/// Reads an activity list answer (`{"page":…, "list":[…]}`) into runs; rows without an id
/// are skipped.
pub fn parse_and_normalize_activity(
    body: &[u8],
    source: &SourceId,
) -> Result<Vec<Run>, CollectError> {
    let page: dto::ListResponse<dto::Activity> =
        serde_json::from_slice(body).map_err(|e| CollectError::decode("AA activity list", e))?;
    Ok(page
        .list
        .iter()
        .filter_map(|a| normalize::activity_to_run(a, source))
        .collect())
}
