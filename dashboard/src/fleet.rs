//! Fleet tiles: every VM with its robots — state, current process, elapsed time, last result.

use chrono::{DateTime, Utc};
use hangar_model::i18n::{self, Lang, Msg, names};
use hangar_model::wall::{RobotTile, VmTile};
use leptos::prelude::*;

use crate::frame::{PanelFrame, no_data};
use crate::state::WallState;

/// Tiles that fit the panel on a 16:9 screen (8 × 6); the rest are counted in the last one.
const MAX_TILES: usize = 48;
/// Robot lines per tile; most VMs carry one or two robots.
const ROBOTS_PER_TILE: usize = 2;

#[component]
pub fn FleetPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let body = move || {
        let lang = lang.get();
        let now = state.now();
        let Some(tiles) = state
            .data
            .with(|d| d.as_ref().and_then(|d| d.fleet.clone()))
        else {
            return no_data(lang);
        };
        if tiles.is_empty() {
            return view! { <p class="no-data">{i18n::t(lang, Msg::NoRobots)}</p> }.into_any();
        }
        let hidden = tiles.len().saturating_sub(MAX_TILES);
        let shown = if hidden > 0 {
            MAX_TILES - 1
        } else {
            tiles.len()
        };
        let hidden = tiles.len() - shown;
        // As many rows as the tiles need (up to six), so fewer VMs get bigger tiles.
        let rows = (shown + usize::from(hidden > 0)).div_ceil(8).clamp(1, 6);
        view! {
            <div class="tiles" style=format!("grid-template-rows: repeat({rows}, minmax(0, 1fr))")>
                {tiles.into_iter().take(shown).map(|t| tile(t, lang, now)).collect_view()}
                {(hidden > 0).then(|| view! { <div class="tile more-tile">{i18n::more(lang, hidden)}</div> })}
            </div>
        }
        .into_any()
    };
    view! {
        <PanelFrame id="panel-fleet" title=Msg::Fleet state lang>
            {body}
        </PanelFrame>
    }
}

fn tile(t: VmTile, lang: Lang, now: Option<DateTime<Utc>>) -> impl IntoView + use<> {
    let worst = t.worst();
    let class = format!("tile state-{}", worst.as_str());
    let extra = t.robots.len().saturating_sub(ROBOTS_PER_TILE);
    view! {
        <div class=class data-vm=t.vm.clone() data-state=worst.as_str()>
            <div class="tile-head">
                <span class="tile-vm">{t.vm.clone()}</span>
                <span class="tile-dept">{t.department.clone()}</span>
            </div>
            {t.robots
                .into_iter()
                .take(ROBOTS_PER_TILE)
                .map(|r| robot_line(r, lang, now))
                .collect_view()}
            {(extra > 0).then(|| view! { <div class="robot-line more">{i18n::more(lang, extra)}</div> })}
        </div>
    }
}

fn robot_line(r: RobotTile, lang: Lang, now: Option<DateTime<Utc>>) -> impl IntoView + use<> {
    let state = r.tile_state();
    let detail = match (&r.current, &r.last) {
        (Some(run), _) => {
            let elapsed = match (run.started_at, now) {
                (Some(s), Some(n)) => i18n::duration(lang, (n - s).num_seconds().max(0) as u64),
                _ => String::new(),
            };
            format!("{} · {elapsed}", run.process)
        }
        (None, Some(last)) => format!(
            "{} {} · {}",
            i18n::t(lang, Msg::LastRun),
            i18n::t(lang, names::run_state(last.state)),
            last.process
        ),
        (None, None) => i18n::t(lang, Msg::NoRunToday).to_owned(),
    };
    view! {
        <div class=format!("robot-line state-{}", state.as_str()) data-robot=r.name.clone()>
            <span class="robot-glyph" title=i18n::t(lang, names::tile_state(state))>{state.glyph()}</span>
            <span class="robot-name">{r.name.clone()}</span>
            <span class="robot-detail">{detail}</span>
        </div>
    }
}
