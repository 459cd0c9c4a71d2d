//! UiPath Orchestrator: the client, its simulator and webhook handling.
//!
//! * [`UipathCollector`] polls a tenant (Automation Cloud or on-prem) into normalized
//!   records, keeping its place in a [`UipathCursor`].
//! * [`webhook`] verifies and parses Orchestrator webhook deliveries.
//! * [`sim`] is an in-process Orchestrator for tests and the demo.
//! * [`normalize`] holds the vendor value → Hangar value tables.

pub mod auth;
pub mod client;
pub mod cursor;
pub mod dto;
pub mod normalize;
mod poll_folder;
pub mod sim;
pub mod webhook;

pub use client::UipathCollector;
pub use cursor::UipathCursor;
pub use normalize::parse_and_normalize_jobs;
