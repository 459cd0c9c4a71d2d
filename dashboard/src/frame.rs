//! The frame every panel sits in: a title, and how old its data is. Past the profile's
//! threshold the panel turns visibly stale (hatched, dimmed, and saying so in words), so old
//! data is never passed off as live.

use hangar_model::i18n::{self, Lang, Msg};
use leptos::prelude::*;

use crate::state::WallState;

/// Which clock a panel's data follows: the screen's data, or the system status.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Wall,
    Status,
}

#[component]
pub fn PanelFrame(
    id: &'static str,
    title: Msg,
    state: WallState,
    lang: Memo<Lang>,
    #[prop(default = Feed::Wall)] feed: Feed,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    let age = move || match feed {
        Feed::Wall => state.wall_age_secs(),
        Feed::Status => state.data_age_secs(),
    };
    let stale = move || age().is_some_and(|a| a > state.stale_after_secs());
    let freshness = move || {
        let lang = lang.get();
        match age() {
            Some(a) if a > state.stale_after_secs() => format!(
                "▲ {} · {}",
                i18n::t(lang, Msg::Stale),
                i18n::duration(lang, a)
            ),
            Some(a) => format!("{} {}", i18n::t(lang, Msg::Updated), i18n::ago(lang, a)),
            // Before the browser has its own clock: the time the server took the data.
            None => state
                .data
                .with(|d| d.as_ref().map(|d| i18n::hour_minute(lang, d.as_of)))
                .unwrap_or_default(),
        }
    };
    let classes = format!("panel {class}");
    view! {
        <article class=classes id=id class:stale=stale data-stale=move || if stale() { "yes" } else { "no" }>
            <header class="panel-head">
                <h2>{move || i18n::t(lang.get(), title)}</h2>
                <span class="freshness">{freshness}</span>
            </header>
            <div class="panel-body">{children()}</div>
        </article>
    }
}

/// Shown in place of a panel's body before it has data.
pub fn no_data(lang: Lang) -> AnyView {
    view! { <p class="no-data">{i18n::t(lang, Msg::NoData)}</p> }.into_any()
}
