//! `/wall` and `/wall/{screen}`: the page operations staff watch from across the room.

use hangar_model::i18n::{self, Lang, Msg};
use hangar_model::wall::PanelKind;
use leptos::prelude::*;
use leptos::server::SharedValue;
use leptos_meta::{Html, Title};
use leptos_router::hooks::use_query_map;

use crate::board::{AlarmBand, AnomalyBoard};
use crate::charts::{SaturationPanel, TimelinePanel};
use crate::fleet::FleetPanel;
use crate::kpi::KpiStrip;
use crate::panels::{BreakdownPanel, CollectorsPanel, HangarPanel};
use crate::state::{WallSeed, WallState};

#[component]
pub fn WallPage() -> impl IntoView {
    let query = use_query_map();
    // Runs on the server (reads the seed the server provided) and is read back from the page
    // during hydration, so both sides render the same first frame.
    let seed = SharedValue::new(|| use_context::<WallSeed>().unwrap_or_default()).into_inner();
    let seed_lang = seed.lang(None);
    let lang = Memo::new(move |_| {
        query
            .read()
            .get("lang")
            .map(|tag| Lang::parse(&tag))
            .unwrap_or(seed_lang)
    });
    let state = WallState::new(seed);

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::live::start(state));

    // Read once: the document's language and title are written into the page head,
    // which the server may render after this component's reactive scope is gone.
    let page_lang = lang.get_untracked();
    view! {
        <Html attr:lang=page_lang.tag() />
        <Title text=i18n::t(page_lang, Msg::WallTitle) />
        <main
            id="wall"
            class="wall"
            data-hydrated=move || if state.hydrated.get() { "yes" } else { "no" }
            data-demo=state.demo.to_string()
            data-profile=state.profile_name.get_value()
            data-screen=move || state.screen.get().to_string()
        >
            <WallHead state lang />
            <Show when=move || state.demo>
                <p class="demo-ribbon">{move || i18n::t(lang.get(), Msg::Demo)} " — " {move || i18n::t(lang.get(), Msg::DemoExplainer)}</p>
            </Show>
            <ConnBanner state lang />
            <AlarmBand state lang />
            {move || screen_body(state, lang)}
        </main>
    }
}

/// Title, DEMO, which screen this is (and when the playlist moves on), clock, connection.
#[component]
fn WallHead(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);
    let server_time = move || {
        state
            .status
            .get()
            .map(|s| i18n::clock(lang.get(), s.now))
            .unwrap_or_else(|| i18n::t(lang.get(), Msg::NoData).to_owned())
    };
    let screen_title = move || {
        let lang = lang.get();
        let n = state.screen.get();
        state.profile.with_value(|p| {
            p.as_ref()
                .and_then(|p| p.screen(n))
                .map(|s| s.title.get(lang).to_owned())
                .unwrap_or_default()
        })
    };
    let screen_of = move || {
        let total = state.screen_count();
        (total > 1).then(|| i18n::screen_of(lang.get(), state.screen.get(), total))
    };
    let playlist = move || {
        let lang = lang.get();
        let rotating = state.fixed_screen.is_none() && state.screen_count() > 1;
        if !rotating || !state.hydrated.get() {
            return None;
        }
        match state.next_screen_at_ms.get() {
            Some(at) => {
                let secs = ((at - state.now_ms.get()).max(0.0) / 1_000.0).ceil() as u64;
                Some(format!(
                    "{} {}",
                    i18n::t(lang, Msg::NextScreenIn),
                    i18n::duration(lang, secs)
                ))
            }
            None if !state.alarms().is_empty() => {
                Some(i18n::t(lang, Msg::RotationPaused).to_owned())
            }
            None => None,
        }
    };
    view! {
        <header class="wall-head">
            <h1>{tr(Msg::WallTitle)}</h1>
            <Show when=move || state.demo>
                <span class="demo-badge" title=tr(Msg::DemoExplainer)>{tr(Msg::Demo)}</span>
            </Show>
            <span class="screen-title" id="screen-title">{screen_title}</span>
            <span class="screen-of">{screen_of}</span>
            <span class="spacer"></span>
            <span class="playlist" id="playlist">{playlist}</span>
            <span id="server-time" class="clock">{server_time}</span>
            <ConnPill state lang />
        </header>
    }
}

/// The connection state, always visible: a wall must never pass off old data as live.
#[component]
fn ConnPill(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let label = move || state.conn.get().label(lang.get(), state.data_age_secs());
    view! {
        <span id="conn" class="conn" data-state=move || state.conn.get().token() role="status">
            <span class="glyph" aria-hidden="true">{move || state.conn.get().glyph()}</span>
            " "
            <span class="conn-label">{label}</span>
        </span>
    }
}

/// A band across the screen while the stream is down: the small pill is not enough for a
/// room (the complaint about Grafana's spinner).
#[component]
fn ConnBanner(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let down = move || state.conn.get() == crate::conn::ConnState::Reconnecting;
    view! {
        <Show when=down>
            <p id="stale-banner" class="stale-banner" role="alert">
                "◍ " {move || state.conn.get().label(lang.get(), state.data_age_secs())}
            </p>
        </Show>
    }
}

/// The panels of the screen on show: the KPI strip across the top, large panels in the wide
/// column, small ones stacked beside them.
fn screen_body(state: WallState, lang: Memo<Lang>) -> AnyView {
    let n = state.screen.get();
    let spec = state
        .profile
        .with_value(|p| p.as_ref().map(|p| p.screen(n).cloned()));
    let spec = match spec {
        None => return problem(lang, Msg::UnknownProfile, state.profile_name.get_value()),
        Some(None) => return problem(lang, Msg::UnknownScreen, n.to_string()),
        Some(Some(spec)) => spec,
    };
    let large: Vec<PanelKind> = spec
        .panels
        .iter()
        .copied()
        .filter(|p| p.is_large())
        .collect();
    let small: Vec<PanelKind> = spec
        .panels
        .iter()
        .copied()
        .filter(|p| !p.is_large() && *p != PanelKind::Kpi)
        .collect();
    let layout = match (large.is_empty(), small.is_empty()) {
        (false, false) => "screen-body mixed",
        (false, true) => "screen-body only-large",
        _ => "screen-body only-small",
    };
    let column = |class: &'static str, kinds: Vec<PanelKind>| {
        (!kinds.is_empty()).then(|| {
            view! {
                <div class=class>
                    {kinds.into_iter().map(|k| panel(k, state, lang)).collect_view()}
                </div>
            }
        })
    };
    view! {
        {spec.has(PanelKind::Kpi).then(|| view! { <KpiStrip state lang /> })}
        <section class=layout>
            {column("col col-large", large)}
            {column("col col-small", small)}
        </section>
    }
    .into_any()
}

fn panel(kind: PanelKind, state: WallState, lang: Memo<Lang>) -> AnyView {
    match kind {
        PanelKind::Anomalies => view! { <AnomalyBoard state lang /> }.into_any(),
        PanelKind::Fleet => view! { <FleetPanel state lang /> }.into_any(),
        PanelKind::Timeline => view! { <TimelinePanel state lang /> }.into_any(),
        PanelKind::Saturation => view! { <SaturationPanel state lang /> }.into_any(),
        PanelKind::Collectors => view! { <CollectorsPanel state lang /> }.into_any(),
        PanelKind::Breakdown => view! { <BreakdownPanel state lang /> }.into_any(),
        PanelKind::Hangar => view! { <HangarPanel state lang /> }.into_any(),
        PanelKind::Kpi => ().into_any(),
    }
}

fn problem(lang: Memo<Lang>, msg: Msg, what: String) -> AnyView {
    view! {
        <section class="problem" id="wall-problem">
            <p>"▲ " {move || i18n::t(lang.get(), msg)} ": " {what}</p>
        </section>
    }
    .into_any()
}
