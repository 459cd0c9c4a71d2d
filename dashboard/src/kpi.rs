//! The KPI strip: the six numbers a room reads first.

use hangar_model::i18n::{self, Lang, Msg};
use hangar_model::wall::Kpi;
use leptos::prelude::*;

use crate::frame::{PanelFrame, no_data};
use crate::state::WallState;

#[component]
pub fn KpiStrip(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        match state.data.with(|d| d.as_ref().and_then(|d| d.kpi.clone())) {
            Some(k) => figures(&k, lang).into_any(),
            None => no_data(lang),
        }
    };
    view! {
        <PanelFrame id="panel-kpi" title=Msg::Kpis state lang class="kpi-strip">
            {body}
        </PanelFrame>
    }
}

fn figures(k: &Kpi, lang: Lang) -> impl IntoView + use<> {
    // A figure that needs attention carries a shape and a word, not only a colour.
    let figure = |id: &'static str, label: Msg, value: String, bad: bool| {
        view! {
            <div class="kpi" id=id class:bad=bad>
                <span class="kpi-value">{bad.then_some("▲ ")}{value}</span>
                <span class="kpi-label">{i18n::t(lang, label)}</span>
            </div>
        }
    };
    let rate_bad = k.success_rate_today.is_some_and(|r| r < 0.9);
    view! {
        <div class="kpis">
            {figure("kpi-running", Msg::Running, i18n::count(lang, k.running), false)}
            {figure("kpi-queued", Msg::Queued, i18n::count(lang, k.queued), false)}
            {figure("kpi-failures", Msg::FailuresToday, i18n::count(lang, k.failures_today), k.failures_today > 0)}
            {figure("kpi-success", Msg::SuccessRateToday, i18n::percent(lang, k.success_rate_today), rate_bad)}
            {figure("kpi-idle", Msg::IdleRobots, i18n::count(lang, k.robots_idle), false)}
            {figure("kpi-licences", Msg::LicencesInUse, i18n::of_total(lang, k.licences_in_use, k.robots_total), false)}
        </div>
    }
}
