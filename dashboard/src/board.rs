//! The anomaly board, and the alarm band that a new error or fatal anomaly puts across every
//! screen until someone acknowledges it.

use chrono::{DateTime, Utc};
use hangar_model::anomaly::{Anomaly, AnomalyState, Severity};
use hangar_model::i18n::{self, Lang, Msg, names};
use leptos::prelude::*;

use crate::frame::PanelFrame;
use crate::state::WallState;

/// Rows that fit the board on a 16:9 screen at the wall's type size; the rest are counted.
const BOARD_ROWS: usize = 8;

/// A shape per severity, so it reads without colour.
pub fn severity_glyph(s: Severity) -> &'static str {
    match s {
        Severity::Info => "ℹ",
        Severity::Warn => "▲",
        Severity::Error => "✖",
        Severity::Fatal => "‼",
    }
}

/// "Run faulted · InvoiceIntake": what happened, to what. The detector writes its subject
/// in English; other languages name the thing it is about instead.
fn headline(a: &Anomaly, lang: Lang) -> String {
    let what = match lang {
        Lang::En => a.subject.clone(),
        _ => a
            .process
            .clone()
            .or_else(|| a.robot.clone())
            .or_else(|| a.source.as_ref().map(|s| s.to_string()))
            .unwrap_or_else(|| a.subject.clone()),
    };
    format!("{} · {what}", i18n::t(lang, names::anomaly_kind(a.kind)))
}

fn age_secs(since: DateTime<Utc>, now: Option<DateTime<Utc>>) -> u64 {
    now.map_or(0, |n| (n - since).num_seconds().max(0) as u64)
}

#[component]
pub fn AnomalyBoard(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        let now = state.now();
        let anomalies = state.data.with(|d| d.as_ref().map(|d| d.anomalies.clone()));
        let Some(anomalies) = anomalies else {
            return crate::frame::no_data(lang);
        };
        if anomalies.is_empty() {
            return view! { <p class="all-clear" id="all-clear">"✓ " {i18n::t(lang, Msg::NoAnomalies)}</p> }
                .into_any();
        }
        let hidden = anomalies.len().saturating_sub(BOARD_ROWS);
        let rows = anomalies
            .into_iter()
            .take(BOARD_ROWS)
            .map(|a| board_row(a, lang, now))
            .collect_view();
        view! {
            <ol class="board">{rows}</ol>
            {(hidden > 0).then(|| view! { <p class="more">{i18n::more(lang, hidden)}</p> })}
        }
        .into_any()
    };
    view! {
        <PanelFrame id="panel-anomalies" title=Msg::Anomalies state lang>
            {body}
        </PanelFrame>
    }
}

fn board_row(a: Anomaly, lang: Lang, now: Option<DateTime<Utc>>) -> impl IntoView + use<> {
    let class = format!("anomaly sev-{}", a.severity.as_str());
    let acked = a.state == AnomalyState::Acknowledged;
    let place = [a.robot.clone(), a.vm.clone(), a.department.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let ack = a.ack.as_ref().filter(|_| acked).map(|ack| {
        view! {
            <span class="ack">"✓ " {i18n::t(lang, Msg::AcknowledgedBy)} " " {ack.by.clone()}</span>
        }
    });
    let count = (a.count > 1).then(|| format!("×{}", i18n::count(lang, a.count)));
    view! {
        <li class=class class:acked=acked data-id=a.id.to_string() data-state=a.state.as_str()>
            <span class="sev">
                {severity_glyph(a.severity)} " " {i18n::t(lang, names::severity(a.severity))}
            </span>
            <span class="what">{headline(&a, lang)}</span>
            <span class="where">{place}</span>
            <span class="count">{count}</span>
            <span class="age">{i18n::duration(lang, age_secs(a.first_seen, now))}</span>
            {ack}
        </li>
    }
}

/// Across every screen while an error or fatal anomaly is open and unacknowledged.
#[component]
pub fn AlarmBand(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let band = move || {
        let alarms = state.alarms();
        let first = alarms.first()?.clone();
        let lang = lang.get();
        let others = alarms.len() - 1;
        let since = i18n::duration(lang, age_secs(first.first_seen, state.now()));
        let what = headline(&first, lang);
        // Where it is, unless the headline already says so.
        let place = first
            .robot
            .clone()
            .or(first.vm.clone())
            .filter(|p| !what.contains(p.as_str()))
            .unwrap_or_default();
        Some(view! {
            <div id="alarm" class=format!("alarm sev-{}", first.severity.as_str()) role="alert"
                data-id=first.id.to_string()>
                <span class="alarm-word">
                    {severity_glyph(first.severity)} " " {i18n::t(lang, Msg::Alarm)}
                </span>
                <span class="alarm-what">{what}</span>
                <span class="alarm-where">{place}</span>
                <span class="alarm-age">{since}</span>
                {(others > 0).then(|| view! { <span class="alarm-more">{i18n::more(lang, others)}</span> })}
                <span class="alarm-hint">{i18n::t(lang, Msg::AlarmHint)}</span>
            </div>
        })
    };
    view! { {band} }
}
