//! Browser side of the live stream: subscribe, follow, detect silence, reconnect, resume.
//!
//! The browser's `EventSource` already retries a dropped connection and resends
//! `Last-Event-ID` by itself. It gives up for good when the server answers with an error
//! status (say, a 503 while a node restarts) and it never notices a half-open socket; this
//! module covers both: it reopens with backoff, passing the last id in the query, and treats a
//! live connection that has gone quiet as dead.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use hangar_model::{SourceHealth, SystemStatus};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::conn::{ConnState, is_stale, reconnect_delay_ms};
use crate::state::WallState;

const STREAM_PATH: &str = "/api/v1/stream";

type Listener = Closure<dyn FnMut(Event)>;

/// Starts following the stream. Called once, in the browser, after hydration.
pub fn start(state: WallState) {
    let now = js_sys::Date::now();
    state.now_ms.set(now);
    if state.status.get_untracked().is_some() {
        // The server rendered this data for this very page load.
        state.data_at_ms.set(Some(now));
    }
    state.hydrated.set(true);

    let live = Rc::new(Live {
        state,
        source: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        last_id: RefCell::new(None),
        attempt: Cell::new(0),
        reconnect_pending: Cell::new(false),
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
            }
            Err(e) => leptos::logging::warn!("hangar: unreadable collector_health event: {e}"),
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
        self.state.now_ms.set(js_sys::Date::now());
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
