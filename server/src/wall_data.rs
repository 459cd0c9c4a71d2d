//! Builds what one wall screen shows, from the store and the collectors, for the screen's
//! departments and products only, and only for the panels the screen has.

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use hangar_model::anomaly::Anomaly;
use hangar_model::wall::{self, DEFAULT_PROFILE, PanelKind, ScreenSpec, WallData, WallProfile};
use hangar_model::{SourceId, Vendor};

use crate::auth::Tenancy;
use crate::state::AppState;
use crate::store::StoreError;

/// The heatmap shows at most this many robots (the busiest): more rows would be too thin to
/// read across a room.
pub const HEATMAP_ROWS: usize = 40;
/// Hours of history in the heatmap.
pub const HEATMAP_HOURS: u32 = 7 * 24;

/// The profile saved under `name`, or the built-in default when that is the name asked for
/// and none is saved.
pub async fn profile(state: &AppState, name: &str) -> Result<Option<WallProfile>, StoreError> {
    if let Some(saved) = state.store.wall_profile(name).await? {
        return Ok(Some(saved));
    }
    Ok((name == DEFAULT_PROFILE).then(WallProfile::ops_floor))
}

/// What a screen sees of the fleet: which sources belong to its departments and products.
struct Scope<'a> {
    screen: &'a ScreenSpec,
    tenancy: &'a Tenancy,
    departments: HashMap<SourceId, String>,
    vendors: HashMap<SourceId, Vendor>,
}

impl Scope<'_> {
    fn source(&self, source: &SourceId) -> bool {
        let department_ok = self
            .departments
            .get(source)
            .is_some_and(|d| self.screen.shows_department(d) && self.tenancy.sees(Some(d)));
        let vendor_ok = self
            .vendors
            .get(source)
            .is_some_and(|v| self.screen.shows_vendor(*v));
        department_ok && vendor_ok
    }

    fn anomaly(&self, a: &Anomaly) -> bool {
        match (&a.source, &a.department) {
            (Some(source), _) => self.source(source),
            (None, Some(d)) => self.screen.shows_department(d) && self.tenancy.sees(Some(d)),
            // About Hangar itself (no source, no department): every screen shows it.
            (None, None) => true,
        }
    }
}

/// Builds screen `number` (1-based) of `profile` as of `now`, as `tenancy` may see it.
pub async fn build(
    state: &AppState,
    profile: &WallProfile,
    number: usize,
    tenancy: &Tenancy,
    now: DateTime<Utc>,
) -> Result<Option<WallData>, StoreError> {
    let Some(screen) = profile.screen(number) else {
        return Ok(None);
    };
    let sources = state.collectors.list();
    let scope = Scope {
        screen,
        tenancy,
        departments: sources
            .iter()
            .map(|s| (s.id.clone(), s.department.clone()))
            .collect(),
        vendors: sources.iter().map(|s| (s.id.clone(), s.vendor)).collect(),
    };
    let store = &state.store;

    let mut anomalies: Vec<Anomaly> = store
        .active_anomalies()
        .await?
        .into_iter()
        .filter(|a| scope.anomaly(a))
        .collect();
    wall::board_order(&mut anomalies);

    let mut data = WallData {
        as_of: now,
        profile: profile.name.clone(),
        screen: number,
        anomalies,
        sources: state
            .collectors
            .health()
            .into_iter()
            .filter(|h| scope.source(&h.source))
            .collect(),
        ..WallData::default()
    };

    let needs_runs = [PanelKind::Kpi, PanelKind::Fleet, PanelKind::Timeline]
        .iter()
        .any(|p| screen.has(*p));
    if needs_runs {
        let today = wall::day_start(now);
        let keep = |r: &hangar_model::Run| scope.source(&r.source);
        let unfinished: Vec<_> = store
            .unfinished_runs()
            .await?
            .into_iter()
            .filter(keep)
            .collect();
        let finished: Vec<_> = store
            .finished_runs_since(today)
            .await?
            .into_iter()
            .filter(keep)
            .collect();
        let robots: Vec<_> = store
            .robots()
            .await?
            .into_iter()
            .filter(|r| scope.source(&r.source))
            .collect();
        if screen.has(PanelKind::Kpi) {
            data.kpi = Some(wall::kpi(&unfinished, &finished, &robots));
        }
        if screen.has(PanelKind::Fleet) {
            data.fleet = Some(wall::fleet(
                &robots,
                &unfinished,
                &finished,
                &scope.departments,
            ));
        }
        if screen.has(PanelKind::Timeline) {
            let mut runs = finished;
            runs.extend(unfinished);
            data.timeline = Some(wall::timeline(&runs, today, today + TimeDelta::days(1)));
        }
    }
    if screen.has(PanelKind::Saturation) {
        let to = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now) + TimeDelta::hours(1);
        let from = to - TimeDelta::hours(i64::from(HEATMAP_HOURS));
        let cells: Vec<_> = store
            .saturation(from, to)
            .await?
            .into_iter()
            .filter(|c| scope.source(&c.source))
            .collect();
        data.saturation = Some(wall::heatmap(&cells, from, HEATMAP_HOURS, HEATMAP_ROWS));
    }
    if screen.has(PanelKind::Breakdown) {
        let summary = store.wall_summary(now).await?;
        data.breakdown = Some(
            summary
                .by_department
                .into_iter()
                .filter(|b| {
                    screen.shows_department(&b.department)
                        && tenancy.sees(Some(&b.department))
                        && b.vendor.is_none_or(|v| screen.shows_vendor(v))
                })
                .collect(),
        );
    }
    Ok(Some(data))
}
