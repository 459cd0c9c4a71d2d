//! The smaller panels: Hangar itself (node, database, stream, nodes), collector health, and
//! the breakdown by department and product. Each says "no data yet" rather than showing
//! zeros it does not have.

use chrono::{DateTime, Utc};
use hangar_model::i18n::{self, Lang, Msg, names};
use hangar_model::{NodeStatus, SourceHealth, SystemStatus};
use leptos::prelude::*;

use crate::frame::{Feed, PanelFrame, no_data};
use crate::state::WallState;

/// One label/value row. `ok = Some(false)` marks a value that needs attention with a shape
/// (▲) and a class, never with colour alone.
fn row(lang: Lang, label: Msg, value: String, ok: Option<bool>, id: &'static str) -> impl IntoView {
    let class = match ok {
        Some(false) => "value bad",
        _ => "value",
    };
    let mark = if ok == Some(false) { "▲ " } else { "" };
    view! {
        <div class="row">
            <dt>{i18n::t(lang, label)}</dt>
            <dd class=class id=(!id.is_empty()).then_some(id)>{mark}{value}</dd>
        </div>
    }
}

/// Hangar's own health in one panel: this node, the database, the stream, every node.
#[component]
pub fn HangarPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        match state.status.get() {
            Some(s) => hangar_body(&s, lang).into_any(),
            None => no_data(lang),
        }
    };
    view! {
        <PanelFrame id="panel-hangar" title=Msg::Hangar state lang feed=Feed::Status>
            {body}
        </PanelFrame>
    }
}

fn hangar_body(s: &SystemStatus, lang: Lang) -> impl IntoView + use<> {
    let db = &s.db;
    let reach = if db.reachable {
        Msg::Reachable
    } else {
        Msg::Unreachable
    };
    let latency = db
        .latency_ms
        .map(|ms| i18n::millis(lang, ms))
        .unwrap_or_else(|| "—".to_owned());
    let database = format!(
        "{} · {} · {latency}",
        db.engine.label(),
        i18n::t(lang, reach)
    );
    let migrations = if db.migrations_current {
        Msg::MigrationsCurrent
    } else {
        Msg::MigrationsPending
    };
    let nodes = s
        .nodes
        .iter()
        .take(2)
        .map(|n| node_row(n, lang, n.id == s.node.id, s.now))
        .collect_view();
    view! {
        <dl class="pairs">
            {row(lang, Msg::Version, s.version.clone(), None, "")}
            {row(lang, Msg::Uptime, i18n::duration(lang, s.uptime_secs), None, "")}
            {row(lang, Msg::Migrations, i18n::t(lang, migrations).to_owned(), Some(db.migrations_current), "")}
            {row(lang, Msg::StreamClients, i18n::count(lang, s.stream.clients), None, "")}
            {row(lang, Msg::EventsPublished, i18n::count(lang, s.stream.events_published), None, "events-published")}
        </dl>
        <dl id="panel-db">{row(lang, Msg::Database, database, Some(db.reachable), "db-latency")}</dl>
        <table class="nodes" id="panel-nodes">
            <tbody>{nodes}</tbody>
        </table>
    }
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
            <td class="node-seen">{i18n::t(lang, Msg::LastSeen)} " " {i18n::ago(lang, seen_secs)}</td>
        </tr>
    }
}

/// Running, runs and failures today and active anomalies by department and product.
#[component]
pub fn BreakdownPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        let Some(rows) = state
            .data
            .with(|d| d.as_ref().and_then(|d| d.breakdown.clone()))
        else {
            return no_data(lang);
        };
        let rows = rows
            .into_iter()
            .take(8)
            .map(|b| {
                let product = b.vendor.map(|v| i18n::t(lang, names::vendor(v))).unwrap_or("—");
                let bad = b.failures_today > 0;
                view! {
                    <tr data-department=b.department.clone()>
                        <td>{b.department.clone()}</td>
                        <td class="muted">{product}</td>
                        <td class="num">{i18n::count(lang, b.running)}</td>
                        <td class="num">{i18n::count(lang, b.runs_today)}</td>
                        <td class="num" class:bad=bad>{bad.then_some("▲ ")}{i18n::count(lang, b.failures_today)}</td>
                        <td class="num">{i18n::count(lang, b.open_anomalies)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="grid-table breakdown">
                <thead>
                    <tr>
                        <th>{i18n::t(lang, Msg::Department)}</th>
                        <th>{i18n::t(lang, Msg::Product)}</th>
                        <th class="num">{i18n::t(lang, Msg::Running)}</th>
                        <th class="num">{i18n::t(lang, Msg::RunsToday)}</th>
                        <th class="num">{i18n::t(lang, Msg::FailuresToday)}</th>
                        <th class="num">{i18n::t(lang, Msg::Anomalies)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <PanelFrame id="panel-breakdown" title=Msg::Breakdown state lang>
            {body}
        </PanelFrame>
    }
}

/// A source counts as stale when its last good poll is older than this: several intervals
/// at the default 10 s, so one slow poll does not flap it.
const SOURCE_STALE_SECS: u64 = 60;

#[component]
pub fn CollectorsPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let rows = move || {
        let lang = lang.get();
        let Some(sources) = state.data.with(|d| d.as_ref().map(|d| d.sources.clone())) else {
            return no_data(lang);
        };
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
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <PanelFrame id="panel-collectors" title=Msg::Collectors state lang>
            {rows}
        </PanelFrame>
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
    let vendor = i18n::t(lang, names::vendor(h.vendor));
    let error = if h.is_healthy(SOURCE_STALE_SECS) {
        String::new()
    } else {
        h.last_error.clone().unwrap_or_default()
    };
    view! {
        <tr data-source=h.source.to_string()>
            <td class=class>{glyph} " " {i18n::t(lang, word)}</td>
            <td class="node-name">{h.source.to_string()}</td>
            <td class="node-version" title=vendor>{h.department.clone()}</td>
            <td class="num">{lag}</td>
            <td class="num">{i18n::count(lang, h.requests_last_minute)}</td>
        </tr>
        {(!error.is_empty()).then(|| view! {
            <tr class="source-error-row">
                <td class="source-error" colspan="5">"▲ " {error}</td>
            </tr>
        })}
    }
}
