//! The wall: Hangar's big-screen dashboard.
//!
//! One Leptos app, rendered by the `hangar` server (feature `ssr`) and hydrated in the browser
//! (feature `hydrate`, built by `dashboard/hydrate`). The server hands the first render its data
//! through [`WallSeed`]; from then on the browser follows `/api/v1/stream` and fetches the
//! screen's data again when the stream says something changed.

mod app;
mod board;
pub mod charts;
mod conn;
mod console;
mod fleet;
mod frame;
mod kpi;
#[cfg(feature = "hydrate")]
mod live;
mod panels;
#[cfg(feature = "hydrate")]
mod sound;
mod state;
#[cfg(feature = "ssr")]
mod style;
mod wall;

pub use app::App;
#[cfg(feature = "ssr")]
pub use app::shell;
pub use conn::{ConnState, STALE_AFTER_SECS, is_stale, reconnect_delay_ms};
pub use state::{WallSeed, WallState, alarms_of};
