//! The wall's panels about Hangar itself. Each reads the live status and says "no data yet"
//! rather than showing zeros it does not have.

use chrono::{DateTime, Utc};
use hangar_model::i18n::{self, Lang, Msg};
use hangar_model::{NodeStatus, SourceHealth, SystemStatus};
use leptos::prelude::*;

use crate::state::WallState;

/// A titled panel whose body is derived from the status when there is one.
#[component]
fn Panel<F, V>(
    id: &'static str,
    title: Msg,
    lang: Memo<Lang>,
    state: WallState,
    body: F,
) -> impl IntoView
where
    F: Fn(&SystemStatus, Lang) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <article class="panel" id=id>
            <h2>{move || i18n::t(lang.get(), title)}</h2>
            {move || {
                let lang = lang.get();
                match state.status.get() {
                    Some(status) => body(&status, lang).into_any(),
                    None => view! { <p class="no-data">{i18n::t(lang, Msg::NoData)}</p> }.into_any(),
                }
            }}
        </article>
    }
}

/// One label/value row. `ok = Some(false)` marks a value that needs attention with a shape
/// (▲) and a class, never with colour alone.
fn row(lang: Lang, label: Msg, value: String, ok: Option<bool>) -> impl IntoView {
    let class = match ok {
        Some(false) => "value bad",
        _ => "value",
    };
    let mark = if ok == Some(false) { "▲ " } else { "" };
    view! {
        <div class="row">
            <dt>{i18n::t(lang, label)}</dt>
            <dd class=class>{mark}{value}</dd>
        </div>
    }
}

#[component]
pub fn SystemPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = |s: &SystemStatus, lang: Lang| {
        view! {
            <dl>
                {row(lang, Msg::ThisNode, s.node.name.clone(), None)}
                {row(lang, Msg::Version, s.version.clone(), None)}
                {row(lang, Msg::Uptime, i18n::duration(lang, s.uptime_secs), None)}
                {row(lang, Msg::ServerTime, i18n::clock(lang, s.now), None)}
            </dl>
        }
    };
    view! { <Panel id="panel-system" title=Msg::System lang state body /> }
}

#[component]
pub fn DatabasePanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = |s: &SystemStatus, lang: Lang| {
        let db = &s.db;
        let reach = if db.reachable {
            Msg::Reachable
        } else {
            Msg::Unreachable
        };
        let migrations = if db.migrations_current {
            Msg::MigrationsCurrent
        } else {
            Msg::MigrationsPending
        };
        let latency = db
            .latency_ms
            .map(|ms| i18n::millis(lang, ms))
            .unwrap_or_else(|| "—".to_owned());
        view! {
            <dl>
                {row(lang, Msg::Engine, db.engine.label().to_owned(), None)}
                {row(lang, Msg::Database, i18n::t(lang, reach).to_owned(), Some(db.reachable))}
                <div class="row">
                    <dt>{i18n::t(lang, Msg::Latency)}</dt>
                    <dd class="value" id="db-latency">{latency}</dd>
                </div>
                {row(lang, Msg::Migrations, i18n::t(lang, migrations).to_owned(), Some(db.migrations_current))}
                {row(lang, Msg::Pool, format!("{} / {}", db.pool_idle, db.pool_size), None)}
            </dl>
        }
    };
    view! { <Panel id="panel-db" title=Msg::Database lang state body /> }
}

#[component]
pub fn NodesPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = |s: &SystemStatus, lang: Lang| {
        let rows = s
            .nodes
            .iter()
            .map(|n| node_row(n, lang, n.id == s.node.id, s.now))
            .collect_view();
        view! {
            <table class="nodes">
                <tbody>{rows}</tbody>
            </table>
        }
    };
    view! { <Panel id="panel-nodes" title=Msg::Nodes lang state body /> }
}

fn node_row(n: &NodeStatus, lang: Lang, this: bool, now: DateTime<Utc>) -> impl IntoView + use<> {
    let (state_class, glyph, word) = if n.alive {
        ("node-state ok", "●", Msg::NodeAlive)
    } else {
        ("node-state bad", "▲", Msg::NodeDown)
    };
    let seen_secs = now
        .signed_duration_since(n.last_seen_at)
        .num_seconds()
        .max(0) as u64;
    let name = if this {
        format!("{} ★", n.name)
    } else {
        n.name.clone()
    };
    view! {
        <tr>
            <td class=state_class>{glyph} " " {i18n::t(lang, word)}</td>
            <td class="node-name">{name}</td>
            <td class="node-version">{n.version.clone()}</td>
            <td class="node-seen">{i18n::t(lang, Msg::LastSeen)} " " {i18n::ago(lang, seen_secs)}</td>
        </tr>
    }
}

#[component]
pub fn StreamPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = |s: &SystemStatus, lang: Lang| {
        let last = s
            .stream
            .last_event_id
            .map(|id| id.to_string())
            .unwrap_or_else(|| "—".to_owned());
        view! {
            <dl>
                {row(lang, Msg::StreamClients, i18n::count(lang, s.stream.clients), None)}
                <div class="row">
                    <dt>{i18n::t(lang, Msg::EventsPublished)}</dt>
                    <dd class="value" id="events-published">{i18n::count(lang, s.stream.events_published)}</dd>
                </div>
                {row(lang, Msg::LastEvent, last, None)}
            </dl>
        }
    };
    view! { <Panel id="panel-stream" title=Msg::Stream lang state body /> }
}

/// A source counts as stale when its last good poll is older than this: several intervals
/// at the default 10 s, so one slow poll does not flap it.
const SOURCE_STALE_SECS: u64 = 60;

#[component]
pub fn CollectorsPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let rows = move || {
        let lang = lang.get();
        let sources = state.sources.get();
        if sources.is_empty() {
            return view! { <p class="no-data">{i18n::t(lang, Msg::NoSources)}</p> }.into_any();
        }
        let rows = sources.iter().map(|h| source_row(h, lang)).collect_view();
        view! {
            <table class="sources">
                <thead>
                    <tr>
                        <th></th>
                        <th></th>
                        <th></th>
                        <th class="num">{i18n::t(lang, Msg::Lag)}</th>
                        <th class="num">{i18n::t(lang, Msg::RequestsPerMinute)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <article class="panel" id="panel-collectors">
            <h2>{move || i18n::t(lang.get(), Msg::Collectors)}</h2>
            {rows}
        </article>
    }
}

fn source_row(h: &SourceHealth, lang: Lang) -> impl IntoView + use<> {
    let (class, glyph, word) = if h.paused {
        ("source-state paused", "⏸", Msg::SourcePaused)
    } else if h.last_success_at.is_none() && h.last_error_at.is_none() {
        // Added, not polled yet: neither good nor bad news.
        ("source-state starting", "◌", Msg::SourceStarting)
    } else if h.is_healthy(SOURCE_STALE_SECS) {
        ("source-state ok", "●", Msg::SourceOk)
    } else {
        ("source-state bad", "▲", Msg::SourceFailing)
    };
    let lag = h
        .lag_secs
        .map_or_else(|| "—".to_owned(), |s| i18n::duration(lang, s));
    let vendor = match h.vendor {
        hangar_model::Vendor::Uipath => "UiPath",
        hangar_model::Vendor::AutomationAnywhere => "Automation Anywhere",
    };
    let error = if h.is_healthy(SOURCE_STALE_SECS) {
        String::new()
    } else {
        h.last_error.clone().unwrap_or_default()
    };
    view! {
        <tr data-source=h.source.to_string()>
            <td class=class>{glyph} " " {i18n::t(lang, word)}</td>
            <td class="node-name">{h.source.to_string()}</td>
            <td class="node-version">{vendor} " · " {h.department.clone()}</td>
            <td class="num">{lag}</td>
            <td class="num">{i18n::count(lang, h.requests_last_minute)}</td>
            <td class="source-error">{error}</td>
        </tr>
    }
}
