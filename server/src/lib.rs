//! The `hangar` server: configuration, store, HTTP API, live stream, and the wall.
//!
//! Data flows one way: collector → normalize → store → detect → publish → wall. This crate
//! owns the store, the publishing (the event hub and its stream) and serves the wall.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod collect;
pub mod config;
pub mod demo;
pub mod detect;
pub mod error;
pub mod events;
pub mod http;
pub mod ingest;
pub mod secrets;
pub mod state;
pub mod status;
pub mod store;
pub mod telemetry;
pub mod wall_data;

pub use app::Application;
pub use config::Config;
