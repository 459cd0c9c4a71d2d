//! `/wall`: the page operations staff watch from across the room.

use hangar_model::i18n::{self, Lang, Msg};
use leptos::prelude::*;
use leptos::server::SharedValue;
use leptos_meta::{Html, Title};
use leptos_router::hooks::use_query_map;

use crate::panels::{CollectorsPanel, DatabasePanel, NodesPanel, StreamPanel, SystemPanel};
use crate::state::{WallSeed, WallState};

#[component]
pub fn WallPage() -> impl IntoView {
    let query = use_query_map();
    let lang = Memo::new(move |_| {
        query
            .read()
            .get("lang")
            .map(|tag| Lang::parse(&tag))
            .unwrap_or_default()
    });
    // Runs on the server (reads the seed the server provided) and is read back from the page
    // during hydration, so both sides render the same first frame.
    let seed = SharedValue::new(|| use_context::<WallSeed>().unwrap_or_default()).into_inner();
    let state = WallState::new(seed);

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::live::start(state));

    let tr = move |m: Msg| move || i18n::t(lang.get(), m);
    let server_time = move || {
        state
            .status
            .get()
            .map(|s| i18n::clock(lang.get(), s.now))
            .unwrap_or_else(|| i18n::t(lang.get(), Msg::NoData).to_owned())
    };

    view! {
        <Html attr:lang=move || lang.get().tag() />
        <Title text=move || i18n::t(lang.get(), Msg::WallTitle) />
        <main
            id="wall"
            class="wall"
            data-hydrated=move || if state.hydrated.get() { "yes" } else { "no" }
            data-demo=state.demo.to_string()
        >
            <header class="wall-head">
                <h1>{tr(Msg::WallTitle)}</h1>
                <Show when=move || state.demo>
                    <span class="demo-badge" title=tr(Msg::DemoExplainer)>
                        {tr(Msg::Demo)}
                    </span>
                </Show>
                <span class="spacer"></span>
                <span id="server-time" class="clock">{server_time}</span>
                <ConnPill state lang />
            </header>
            <Show when=move || state.demo>
                <p class="demo-ribbon">{tr(Msg::Demo)} " — " {tr(Msg::DemoExplainer)}</p>
            </Show>
            <section class="grid">
                <SystemPanel state lang />
                <DatabasePanel state lang />
                <StreamPanel state lang />
                <NodesPanel state lang />
                <CollectorsPanel state lang />
            </section>
        </main>
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
