//! What the wall holds: the server's seed for the first render, then live signals.

use hangar_model::{SourceHealth, SystemStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::conn::ConnState;

/// Provided by the server per request; serialized into the page so hydration starts from the
/// very data the server rendered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WallSeed {
    /// The instance runs on simulators: the wall must say DEMO even before any data arrives.
    pub demo: bool,
    pub status: Option<SystemStatus>,
    /// Health of every collector source, ordered by source id.
    pub sources: Vec<SourceHealth>,
}

#[derive(Clone, Copy)]
pub struct WallState {
    pub demo: bool,
    pub status: RwSignal<Option<SystemStatus>>,
    /// Collector health by source, ordered by source id.
    pub sources: RwSignal<Vec<SourceHealth>>,
    pub conn: RwSignal<ConnState>,
    /// Browser clock (ms) when the newest data arrived; `None` until the browser has any.
    pub data_at_ms: RwSignal<Option<f64>>,
    /// Browser clock (ms), advanced every second so ages count up on screen.
    pub now_ms: RwSignal<f64>,
    /// Set only by the wasm side: proves the page is hydrated.
    pub hydrated: RwSignal<bool>,
}

impl WallState {
    pub fn new(seed: WallSeed) -> Self {
        WallState {
            demo: seed.demo,
            status: RwSignal::new(seed.status),
            sources: RwSignal::new(seed.sources),
            conn: RwSignal::new(ConnState::Connecting),
            data_at_ms: RwSignal::new(None),
            now_ms: RwSignal::new(0.0),
            hydrated: RwSignal::new(false),
        }
    }

    /// Replaces one source's health, keeping the list ordered by source id.
    pub fn upsert_source(&self, health: SourceHealth) {
        self.sources.update(
            |list| match list.binary_search_by(|h| h.source.cmp(&health.source)) {
                Ok(i) => list[i] = health,
                Err(i) => list.insert(i, health),
            },
        );
    }

    /// Age of the newest data in whole seconds, if the browser knows it.
    pub fn data_age_secs(&self) -> Option<u64> {
        let at = self.data_at_ms.get()?;
        Some(((self.now_ms.get() - at).max(0.0) / 1_000.0) as u64)
    }

    /// The same, read without subscribing (for timers, outside any view).
    pub fn data_age_secs_untracked(&self) -> Option<u64> {
        let at = self.data_at_ms.get_untracked()?;
        Some(((self.now_ms.get_untracked() - at).max(0.0) / 1_000.0) as u64)
    }
}
