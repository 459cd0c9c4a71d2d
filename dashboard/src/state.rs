//! What the wall holds: the server's seed for the first render, then live signals.

use chrono::{DateTime, Utc};
use hangar_model::anomaly::{Anomaly, AnomalyState, Severity};
use hangar_model::i18n::Lang;
use hangar_model::wall::{self, WallData, WallProfile};
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
    /// The profile asked for, by name, and the profile itself (`None` if there is none).
    pub profile_name: String,
    pub profile: Option<WallProfile>,
    /// The screen the URL names; `None` plays the profile's screens in turn.
    pub fixed_screen: Option<usize>,
    /// The screen rendered first.
    pub screen: usize,
    pub data: Option<WallData>,
}

impl WallSeed {
    /// The language the page speaks: `?lang=` wins, then the profile's, then English.
    pub fn lang(&self, asked: Option<Lang>) -> Lang {
        asked
            .or_else(|| self.profile.as_ref().and_then(|p| p.lang))
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
pub struct WallState {
    pub demo: bool,
    pub profile_name: StoredValue<String>,
    pub profile: StoredValue<Option<WallProfile>>,
    pub fixed_screen: Option<usize>,
    /// The screen on show (1-based).
    pub screen: RwSignal<usize>,
    pub status: RwSignal<Option<SystemStatus>>,
    pub data: RwSignal<Option<WallData>>,
    pub conn: RwSignal<ConnState>,
    /// Browser clock (ms) when the newest status arrived; `None` until the browser has any.
    pub data_at_ms: RwSignal<Option<f64>>,
    /// Browser clock (ms) when the screen's data last arrived.
    pub wall_at_ms: RwSignal<Option<f64>>,
    /// Browser clock (ms), advanced every second so ages count up on screen.
    pub now_ms: RwSignal<f64>,
    /// When the playlist moves on (browser ms); `None` while it holds still.
    pub next_screen_at_ms: RwSignal<Option<f64>>,
    /// Set only by the wasm side: proves the page is hydrated.
    pub hydrated: RwSignal<bool>,
}

impl WallState {
    pub fn new(seed: WallSeed) -> Self {
        WallState {
            demo: seed.demo,
            profile_name: StoredValue::new(seed.profile_name),
            profile: StoredValue::new(seed.profile),
            fixed_screen: seed.fixed_screen,
            screen: RwSignal::new(seed.screen.max(1)),
            status: RwSignal::new(seed.status),
            data: RwSignal::new(seed.data),
            conn: RwSignal::new(ConnState::Connecting),
            data_at_ms: RwSignal::new(None),
            wall_at_ms: RwSignal::new(None),
            now_ms: RwSignal::new(0.0),
            next_screen_at_ms: RwSignal::new(None),
            hydrated: RwSignal::new(false),
        }
    }

    /// How old data may get before panels say it is stale.
    pub fn stale_after_secs(&self) -> u64 {
        self.profile
            .with_value(|p| p.as_ref().map(|p| p.stale_after_secs))
            .unwrap_or(30)
            .into()
    }

    pub fn screen_count(&self) -> usize {
        self.profile
            .with_value(|p| p.as_ref().map_or(0, |p| p.screens.len()))
    }

    /// "Now" for ages on screen: the browser's clock once it ticks, the data's own time before
    /// (so the server's render and the first browser render agree).
    pub fn now(&self) -> Option<DateTime<Utc>> {
        let ms = self.now_ms.get();
        if ms > 0.0 {
            DateTime::<Utc>::from_timestamp_millis(ms as i64)
        } else {
            self.data.with(|d| d.as_ref().map(|d| d.as_of))
        }
    }

    /// Replaces one source's health in the screen's data, if the screen shows that source.
    pub fn upsert_source(&self, health: SourceHealth) {
        self.data.update(|data| {
            if let Some(data) = data
                && let Some(slot) = data.sources.iter_mut().find(|h| h.source == health.source)
            {
                *slot = health;
            }
        });
    }

    /// Applies an anomaly the stream announced: active ones go on the board (if the screen
    /// shows their source), resolved ones come off.
    pub fn apply_anomaly(&self, anomaly: Anomaly) {
        self.data.update(|data| {
            let Some(data) = data else { return };
            let in_scope = match &anomaly.source {
                None => true,
                Some(s) => data.sources.iter().any(|h| &h.source == s),
            };
            data.anomalies.retain(|a| a.id != anomaly.id);
            if anomaly.is_active() && in_scope {
                data.anomalies.push(anomaly);
                wall::board_order(&mut data.anomalies);
            }
        });
    }

    /// Open (not yet acknowledged) error and fatal anomalies: they take the alarm band.
    pub fn alarms(&self) -> Vec<Anomaly> {
        self.data.with(|d| {
            d.as_ref()
                .map(|d| alarms_of(&d.anomalies))
                .unwrap_or_default()
        })
    }

    pub fn alarm_open_untracked(&self) -> bool {
        self.data.with_untracked(|d| {
            d.as_ref()
                .is_some_and(|d| !alarms_of(&d.anomalies).is_empty())
        })
    }

    /// Age of the newest status in whole seconds, if the browser knows it.
    pub fn data_age_secs(&self) -> Option<u64> {
        age(self.data_at_ms.get()?, self.now_ms.get())
    }

    /// Age of the screen's data in whole seconds, if the browser knows it.
    pub fn wall_age_secs(&self) -> Option<u64> {
        age(self.wall_at_ms.get()?, self.now_ms.get())
    }

    /// The same, read without subscribing (for timers, outside any view).
    pub fn data_age_secs_untracked(&self) -> Option<u64> {
        age(
            self.data_at_ms.get_untracked()?,
            self.now_ms.get_untracked(),
        )
    }
}

fn age(at_ms: f64, now_ms: f64) -> Option<u64> {
    Some(((now_ms - at_ms).max(0.0) / 1_000.0) as u64)
}

/// The anomalies that sound the alarm, most severe and newest first.
pub fn alarms_of(anomalies: &[Anomaly]) -> Vec<Anomaly> {
    anomalies
        .iter()
        .filter(|a| a.state == AnomalyState::Open && a.severity >= Severity::Error)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangar_model::SourceId;
    use hangar_model::anomaly::{Acknowledgement, AnomalyKind};

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap()
    }

    fn anomaly(id: i64, severity: Severity, source: &str) -> Anomaly {
        let now = t0();
        Anomaly {
            id,
            kind: AnomalyKind::RunFaulted,
            severity,
            dedup_key: id.to_string(),
            subject: format!("anomaly {id}"),
            detail: String::new(),
            source: Some(SourceId(source.into())),
            department: None,
            process: None,
            robot: None,
            vm: None,
            first_seen: now,
            last_seen: now,
            count: 1,
            last_occurrence: String::new(),
            state: AnomalyState::Open,
            ack: None,
            resolved_at: None,
            resolved_by: None,
        }
    }

    fn health(source: &str) -> SourceHealth {
        serde_json::from_value(serde_json::json!({
            "source": source, "vendor": "uipath", "department": "finance", "paused": false,
            "last_success_at": null, "last_error_at": null, "last_error": null, "lag_secs": null,
            "requests_last_minute": 0, "requests_total": 0, "retries_total": 0,
            "throttled_total": 0, "next_poll_at": null, "as_of": t0()
        }))
        .unwrap()
    }

    fn state_with(anomalies: Vec<Anomaly>) -> WallState {
        WallState::new(WallSeed {
            profile: Some(WallProfile::ops_floor()),
            screen: 1,
            data: Some(WallData {
                anomalies,
                sources: vec![health("fin")],
                ..WallData::default()
            }),
            ..WallSeed::default()
        })
    }

    /// Signals live in an owner's arena (the server build sandboxes arenas per request).
    fn in_owner(test: impl FnOnce()) {
        Owner::new_root(None).with(test)
    }

    #[test]
    fn an_open_error_sounds_the_alarm_until_acknowledged() {
        in_owner(an_open_error_sounds_the_alarm);
    }

    fn an_open_error_sounds_the_alarm() {
        let state = state_with(vec![anomaly(1, Severity::Warn, "fin")]);
        assert!(state.alarms().is_empty(), "a warning is no alarm");

        state.apply_anomaly(anomaly(2, Severity::Error, "fin"));
        assert_eq!(state.alarms()[0].id, 2);
        assert!(state.alarm_open_untracked());

        let mut acked = anomaly(2, Severity::Error, "fin");
        acked.state = AnomalyState::Acknowledged;
        acked.ack = Some(Acknowledgement {
            by: "night-shift".into(),
            at: t0(),
            note: None,
        });
        state.apply_anomaly(acked);
        assert!(state.alarms().is_empty());
        let board = state.data.get_untracked().unwrap().anomalies;
        assert_eq!(board.len(), 2, "acknowledged stays on the board");
        assert_eq!(board[0].id, 2, "more severe first");
    }

    #[test]
    fn resolved_anomalies_leave_and_other_sources_never_arrive() {
        in_owner(resolved_anomalies_leave);
    }

    fn resolved_anomalies_leave() {
        let state = state_with(vec![anomaly(1, Severity::Fatal, "fin")]);
        state.apply_anomaly(anomaly(3, Severity::Fatal, "ops"));
        assert_eq!(state.data.get_untracked().unwrap().anomalies.len(), 1);

        let mut resolved = anomaly(1, Severity::Fatal, "fin");
        resolved.state = AnomalyState::Resolved;
        state.apply_anomaly(resolved);
        assert!(state.data.get_untracked().unwrap().anomalies.is_empty());
        assert!(state.alarms().is_empty());
    }

    #[test]
    fn the_language_is_the_urls_then_the_profiles() {
        let mut seed = WallSeed {
            profile: Some(WallProfile::ops_floor()),
            ..WallSeed::default()
        };
        assert_eq!(seed.lang(None), Lang::En);
        seed.profile.as_mut().unwrap().lang = Some(Lang::ZhCn);
        assert_eq!(seed.lang(None), Lang::ZhCn);
        assert_eq!(seed.lang(Some(Lang::En)), Lang::En);
    }
}
