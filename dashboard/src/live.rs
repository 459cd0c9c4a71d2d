//! Browser side of the live stream: subscribe, follow, detect silence, reconnect, resume.
//!
//! The browser's `EventSource` already retries a dropped connection and resends
//! `Last-Event-ID` by itself. It gives up for good when the server answers with an error
//! status (say, a 503 while a node restarts) and it never notices a half-open socket; this
//! module covers both: it reopens with backoff, passing the last id in the query, and treats a
//! live connection that has gone quiet as dead.
//!
//! The stream says *that* something changed; the screen's data comes from
//! `/api/v1/wall/data`, fetched again at most once a second while events arrive and every
//! ten seconds regardless. Anomalies and collector health are applied from the event itself,
//! so a new failure reaches the board and the alarm band without waiting for a fetch.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use hangar_model::anomaly::Anomaly;
use hangar_model::wall::WallData;
use hangar_model::{SourceHealth, SystemStatus};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::conn::{ConnState, is_stale, reconnect_delay_ms};
use crate::state::WallState;

const STREAM_PATH: &str = "/api/v1/stream";
const DATA_PATH: &str = "/api/v1/wall/data";
/// Fetch again at most this often while events keep coming.
const MIN_FETCH_GAP_MS: f64 = 1_000.0;
/// And at least this often when nothing happens, so quiet data is known to be current.
const MAX_FETCH_GAP_MS: f64 = 10_000.0;
/// Events that mean the screen's data changed.
const DATA_EVENTS: [&str; 3] = ["runs_changed", "robots_changed", "summary"];
const ANOMALY_EVENTS: [&str; 5] = [
    "anomaly_opened",
    "anomaly_updated",
    "anomaly_acknowledged",
    "anomaly_unacknowledged",
    "anomaly_resolved",
];

type Listener = Closure<dyn FnMut(Event)>;

/// Starts following the stream. Called once, in the browser, after hydration.
pub fn start(state: WallState) {
    let now = js_sys::Date::now();
    state.now_ms.set(now);
    if state.status.get_untracked().is_some() {
        // The server rendered this data for this very page load.
        state.data_at_ms.set(Some(now));
    }
    if state.data.get_untracked().is_some() {
        state.wall_at_ms.set(Some(now));
    }
    state.hydrated.set(true);

    let live = Rc::new(Live {
        state,
        source: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        last_id: RefCell::new(None),
        attempt: Cell::new(0),
        reconnect_pending: Cell::new(false),
        dirty: Cell::new(false),
        fetching: Cell::new(false),
        fetched_at: Cell::new(now),
    });
    live.connect();
    let ticking = Rc::clone(&live);
    set_interval(move || ticking.tick(), Duration::from_secs(1));
}

struct Live {
    state: WallState,
    source: RefCell<Option<EventSource>>,
    /// Kept alive as long as the source that calls them; dropped together on reconnect.
    listeners: RefCell<Vec<Listener>>,
    last_id: RefCell<Option<String>>,
    attempt: Cell<u32>,
    reconnect_pending: Cell<bool>,
    /// The stream announced a change the screen's data does not hold yet.
    dirty: Cell<bool>,
    fetching: Cell<bool>,
    /// Browser ms of the last fetch started.
    fetched_at: Cell<f64>,
}

impl Live {
    fn connect(self: &Rc<Self>) {
        self.close();
        let url = match self.last_id.borrow().as_deref() {
            Some(id) => format!(
                "{STREAM_PATH}?last_event_id={}",
                js_sys::encode_uri_component(id)
            ),
            None => STREAM_PATH.to_owned(),
        };
        let Ok(source) = EventSource::new(&url) else {
            self.schedule_reconnect();
            return;
        };

        let me = Rc::clone(self);
        self.listen(&source, "open", move |_| {
            me.attempt.set(0);
            me.state.conn.set(ConnState::Live);
        });
        let me = Rc::clone(self);
        self.listen(&source, "status", move |event| me.on_status(event));
        let me = Rc::clone(self);
        self.listen(&source, "collector_health", move |event| {
            me.on_collector_health(event)
        });
        for name in DATA_EVENTS {
            let me = Rc::clone(self);
            self.listen(&source, name, move |event| {
                me.remember_id(&event);
                me.dirty.set(true);
            });
        }
        for name in ANOMALY_EVENTS {
            let me = Rc::clone(self);
            let opened = name == "anomaly_opened";
            self.listen(&source, name, move |event| me.on_anomaly(event, opened));
        }
        self.listen(&source, "reset", |_| {
            // The server cannot replay what this page missed: start over from a fresh render.
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        let me = Rc::clone(self);
        self.listen(&source, "error", move |_| me.on_error());
        *self.source.borrow_mut() = Some(source);
    }

    fn listen(&self, source: &EventSource, name: &str, f: impl FnMut(Event) + 'static) {
        let closure = Listener::new(f);
        if source
            .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
            .is_ok()
        {
            self.listeners.borrow_mut().push(closure);
        }
    }

    fn on_status(&self, event: Event) {
        let Some(message) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let Some(data) = message.data().as_string() else {
            return;
        };
        match serde_json::from_str::<SystemStatus>(&data) {
            Ok(status) => {
                *self.last_id.borrow_mut() = Some(message.last_event_id());
                self.state.status.set(Some(status));
                self.state.data_at_ms.set(Some(js_sys::Date::now()));
                self.state.conn.set(ConnState::Live);
            }
            Err(e) => leptos::logging::warn!("hangar: unreadable status event: {e}"),
        }
    }

    fn on_collector_health(&self, event: Event) {
        let Some(message) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let Some(data) = message.data().as_string() else {
            return;
        };
        match serde_json::from_str::<SourceHealth>(&data) {
            Ok(health) => {
                *self.last_id.borrow_mut() = Some(message.last_event_id());
                self.state.upsert_source(health);
                self.state.wall_at_ms.set(Some(js_sys::Date::now()));
            }
            Err(e) => leptos::logging::warn!("hangar: unreadable collector_health event: {e}"),
        }
    }

    fn remember_id(&self, event: &Event) {
        if let Some(message) = event.dyn_ref::<MessageEvent>() {
            *self.last_id.borrow_mut() = Some(message.last_event_id());
        }
    }

    fn on_anomaly(&self, event: Event, opened: bool) {
        let Some(message) = event.dyn_ref::<MessageEvent>() else {
            return;
        };
        let Some(data) = message.data().as_string() else {
            return;
        };
        match serde_json::from_str::<Anomaly>(&data) {
            Ok(anomaly) => {
                *self.last_id.borrow_mut() = Some(message.last_event_id());
                let alarming =
                    opened && crate::state::alarms_of(std::slice::from_ref(&anomaly)).len() == 1;
                self.state.apply_anomaly(anomaly);
                if alarming
                    && self
                        .state
                        .profile
                        .with_value(|p| p.as_ref().is_some_and(|p| p.sound))
                {
                    crate::sound::beep();
                }
                self.dirty.set(true);
            }
            Err(e) => leptos::logging::warn!("hangar: unreadable anomaly event: {e}"),
        }
    }

    /// Fetches the screen's data (`screen`), then shows it; with `switch`, moves the wall to
    /// that screen at the same moment, so a screen never shows another screen's data.
    fn fetch(self: &Rc<Self>, screen: usize, switch: bool) {
        if self.fetching.replace(true) {
            return;
        }
        self.dirty.set(false);
        self.fetched_at.set(js_sys::Date::now());
        let profile = self.state.profile_name.get_value();
        let url = format!(
            "{DATA_PATH}?profile={}&screen={screen}",
            js_sys::encode_uri_component(&profile)
        );
        let me = Rc::clone(self);
        leptos::task::spawn_local(async move {
            let result = async {
                let response = gloo_net::http::Request::get(&url).send().await.ok()?;
                if !response.ok() {
                    return None;
                }
                response.json::<WallData>().await.ok()
            }
            .await;
            me.fetching.set(false);
            match result {
                Some(data) => {
                    if switch {
                        me.state.screen.set(screen);
                    }
                    if switch || me.state.screen.get_untracked() == screen {
                        me.state.data.set(Some(data));
                        me.state.wall_at_ms.set(Some(js_sys::Date::now()));
                    }
                }
                // Kept dirty: the next tick tries again; meanwhile the panels age visibly.
                None => me.dirty.set(true),
            }
        });
    }

    /// Moves a playlist wall to its next screen when it is time, and holds it still while
    /// an alarm is open (a rotating screen must not hide an alarm it is showing).
    fn rotate(self: &Rc<Self>, now: f64) {
        let state = self.state;
        let total = state.screen_count();
        let every = state
            .profile
            .with_value(|p| p.as_ref().map_or(0, |p| p.rotate_secs));
        if state.fixed_screen.is_some() || total < 2 || every == 0 {
            return;
        }
        if state.alarm_open_untracked() {
            state.next_screen_at_ms.set(None);
            return;
        }
        match state.next_screen_at_ms.get_untracked() {
            None => state
                .next_screen_at_ms
                .set(Some(now + f64::from(every) * 1_000.0)),
            Some(at) if now >= at && !self.fetching.get() => {
                let next = state.screen.get_untracked() % total + 1;
                state
                    .next_screen_at_ms
                    .set(Some(now + f64::from(every) * 1_000.0));
                self.fetch(next, true);
            }
            Some(_) => {}
        }
    }

    fn on_error(self: &Rc<Self>) {
        self.state.conn.set(ConnState::Reconnecting);
        let closed = self
            .source
            .borrow()
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
        if closed {
            self.schedule_reconnect();
        }
        // Otherwise the browser is already retrying, with Last-Event-ID.
    }

    fn tick(self: &Rc<Self>) {
        let now = js_sys::Date::now();
        self.state.now_ms.set(now);
        let since = now - self.fetched_at.get();
        if (self.dirty.get() && since >= MIN_FETCH_GAP_MS) || since >= MAX_FETCH_GAP_MS {
            self.fetch(self.state.screen.get_untracked(), false);
        }
        self.rotate(now);
        let state = self.state.conn.get_untracked();
        let age = self.state.data_age_secs_untracked();
        if is_stale(state, age) {
            self.state.conn.set(ConnState::Reconnecting);
            self.connect();
        }
    }

    fn schedule_reconnect(self: &Rc<Self>) {
        if self.reconnect_pending.replace(true) {
            return;
        }
        let attempt = self.attempt.get();
        self.attempt.set(attempt.saturating_add(1));
        let delay = reconnect_delay_ms(attempt, js_sys::Math::random());
        let me = Rc::clone(self);
        set_timeout(
            move || {
                me.reconnect_pending.set(false);
                me.connect();
            },
            Duration::from_millis(delay),
        );
    }

    fn close(&self) {
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
        // A closed EventSource fires nothing more, so its listeners can go.
        self.listeners.borrow_mut().clear();
    }
}
