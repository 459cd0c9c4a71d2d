//! What one wall screen shows, and the pure functions that build it from the store's rows.
//!
//! The server builds a [`WallData`] for a screen (only the panels that screen shows), the
//! first render carries it, and the browser fetches a fresh one when the stream says
//! something changed. Building it here keeps the rules testable and the same on both sides.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::anomaly::{Anomaly, AnomalyState};
use crate::fleet::{RobotState, RobotStatus, Run, RunState, SourceId, Vendor};
use crate::sources::SourceHealth;
use crate::summary::{Breakdown, SaturationCell};

/// One screen's data, as of one moment. Panels the screen does not show are `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WallData {
    pub as_of: DateTime<Utc>,
    pub profile: String,
    /// 1-based screen number.
    pub screen: usize,
    pub kpi: Option<Kpi>,
    /// Active anomalies on this screen's departments, most severe first. Always present: the
    /// alarm band needs them on every screen.
    pub anomalies: Vec<Anomaly>,
    pub breakdown: Option<Vec<Breakdown>>,
    pub fleet: Option<Vec<VmTile>>,
    pub timeline: Option<Timeline>,
    pub saturation: Option<Heatmap>,
    /// Collector health of this screen's sources.
    pub sources: Vec<SourceHealth>,
}

/// The KPI strip.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpi {
    pub running: u64,
    pub queued: u64,
    /// Finished today (UTC day) as failed, and as succeeded.
    pub failures_today: u64,
    pub succeeded_today: u64,
    /// succeeded / (succeeded + failed) today; `None` before any run finished today.
    pub success_rate_today: Option<f64>,
    pub robots_total: u64,
    pub robots_busy: u64,
    /// Connected and not running anything: licences paid for and not working.
    pub robots_idle: u64,
    pub robots_disconnected: u64,
    /// Robots holding a runtime licence right now (busy), of `robots_total`.
    pub licences_in_use: u64,
}

/// One VM and its robots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VmTile {
    pub vm: String,
    pub department: String,
    pub vendor: Vendor,
    pub robots: Vec<RobotTile>,
}

impl VmTile {
    /// The worst state of its robots, for the tile's frame.
    pub fn worst(&self) -> TileState {
        self.robots
            .iter()
            .map(RobotTile::tile_state)
            .max()
            .unwrap_or(TileState::Idle)
    }
}

/// A robot on a tile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RobotTile {
    pub source: SourceId,
    pub name: String,
    pub state: RobotState,
    pub unresponsive: bool,
    /// What it runs now, and since when.
    pub current: Option<RunRef>,
    /// The last run it finished today.
    pub last: Option<RunRef>,
}

/// A run as a tile shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRef {
    pub process: String,
    pub state: RunState,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// How a robot looks on the wall, in rising order of concern (the tile takes the worst).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TileState {
    Idle,
    Busy,
    Unknown,
    /// Its last run today failed and it has not succeeded since.
    Failed,
    Unresponsive,
    Disconnected,
}

impl TileState {
    pub fn as_str(self) -> &'static str {
        match self {
            TileState::Idle => "idle",
            TileState::Busy => "busy",
            TileState::Unknown => "unknown",
            TileState::Failed => "failed",
            TileState::Unresponsive => "unresponsive",
            TileState::Disconnected => "disconnected",
        }
    }

    /// A shape that carries the state without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            TileState::Idle => "○",
            TileState::Busy => "▶",
            TileState::Unknown => "?",
            TileState::Failed => "✖",
            TileState::Unresponsive => "◍",
            TileState::Disconnected => "⊘",
        }
    }
}

impl RobotTile {
    pub fn tile_state(&self) -> TileState {
        match self.state {
            RobotState::Disconnected => TileState::Disconnected,
            _ if self.unresponsive => TileState::Unresponsive,
            _ if self.current.is_some() => TileState::Busy,
            RobotState::Busy => TileState::Busy,
            _ if self
                .last
                .as_ref()
                .is_some_and(|r| r.state == RunState::Failed) =>
            {
                TileState::Failed
            }
            RobotState::Available => TileState::Idle,
            RobotState::Unknown => TileState::Unknown,
        }
    }
}

/// Today's runs, one lane per robot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeline {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub lanes: Vec<Lane>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lane {
    pub robot: String,
    pub bars: Vec<Bar>,
}

/// One run on a lane; `end` is `None` while it runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bar {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub state: RunState,
    pub process: String,
}

/// Busy share per robot and hour: `rows[r].cells[h]` is percent busy in hour `from + h`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Heatmap {
    pub from: DateTime<Utc>,
    pub hours: u32,
    pub rows: Vec<HeatRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatRow {
    pub robot: String,
    /// 0–100 per hour; the row's mean is `mean`.
    pub cells: Vec<u8>,
    pub mean: u8,
}

/// Start of the UTC day `now` is in.
pub fn day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(TimeDelta::days(1)).unwrap_or(now)
}

/// The KPI strip from the runs and robots a screen sees. `finished` are runs that ended since
/// the start of the day, `unfinished` those not finished.
pub fn kpi(unfinished: &[Run], finished: &[Run], robots: &[RobotStatus]) -> Kpi {
    let count = |runs: &[Run], s: RunState| runs.iter().filter(|r| r.state == s).count() as u64;
    let running = count(unfinished, RunState::Running);
    let queued = count(unfinished, RunState::Queued);
    let failures_today = count(finished, RunState::Failed);
    let succeeded_today = count(finished, RunState::Succeeded);
    let judged = failures_today + succeeded_today;
    let busy: std::collections::HashSet<(&SourceId, &str)> = unfinished
        .iter()
        .filter(|r| r.state == RunState::Running)
        .filter_map(|r| Some((&r.source, r.robot.as_deref()?)))
        .collect();
    let mut kpi = Kpi {
        running,
        queued,
        failures_today,
        succeeded_today,
        success_rate_today: (judged > 0).then(|| succeeded_today as f64 / judged as f64),
        robots_total: robots.len() as u64,
        ..Kpi::default()
    };
    for robot in robots {
        let running_now =
            robot.state == RobotState::Busy || busy.contains(&(&robot.source, robot.name.as_str()));
        match robot.state {
            RobotState::Disconnected => kpi.robots_disconnected += 1,
            _ if running_now => kpi.robots_busy += 1,
            RobotState::Available if !robot.unresponsive => kpi.robots_idle += 1,
            _ => {}
        }
    }
    kpi.licences_in_use = kpi.robots_busy;
    kpi
}

/// Active anomalies in the order the board shows them: the most severe first, unacknowledged
/// before acknowledged, then the newest first.
pub fn board_order(anomalies: &mut [Anomaly]) {
    anomalies.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                (a.state == AnomalyState::Acknowledged)
                    .cmp(&(b.state == AnomalyState::Acknowledged))
            })
            .then_with(|| b.first_seen.cmp(&a.first_seen))
            .then_with(|| b.id.cmp(&a.id))
    });
}

/// Fleet tiles: robots grouped by the VM they live on (robots without a known VM form a
/// tile of their own name), each with its current run and its last run today.
pub fn fleet(
    robots: &[RobotStatus],
    unfinished: &[Run],
    finished: &[Run],
    department_of: &HashMap<SourceId, String>,
) -> Vec<VmTile> {
    let key = |source: &SourceId, robot: &str| (source.clone(), robot.to_owned());
    let mut current: HashMap<(SourceId, String), &Run> = HashMap::new();
    for run in unfinished.iter().filter(|r| r.state == RunState::Running) {
        if let Some(robot) = &run.robot {
            let slot = current.entry(key(&run.source, robot)).or_insert(run);
            if run.started_at > slot.started_at {
                *slot = run;
            }
        }
    }
    let mut last: HashMap<(SourceId, String), &Run> = HashMap::new();
    for run in finished {
        if let Some(robot) = &run.robot {
            let slot = last.entry(key(&run.source, robot)).or_insert(run);
            if run.ended_at > slot.ended_at {
                *slot = run;
            }
        }
    }
    let run_ref = |r: &Run| RunRef {
        process: r.process.clone(),
        state: r.state,
        started_at: r.started_at,
        ended_at: r.ended_at,
    };
    let mut tiles: BTreeMap<String, VmTile> = BTreeMap::new();
    for robot in robots {
        let vm = robot.vm.clone().unwrap_or_else(|| robot.name.clone());
        let k = key(&robot.source, &robot.name);
        let tile = tiles.entry(vm.clone()).or_insert_with(|| VmTile {
            vm,
            department: department_of
                .get(&robot.source)
                .cloned()
                .unwrap_or_default(),
            vendor: robot.vendor,
            robots: Vec::new(),
        });
        tile.robots.push(RobotTile {
            source: robot.source.clone(),
            name: robot.name.clone(),
            state: robot.state,
            unresponsive: robot.unresponsive,
            current: current.get(&k).map(|r| run_ref(r)),
            last: last.get(&k).map(|r| run_ref(r)),
        });
    }
    let mut tiles: Vec<VmTile> = tiles.into_values().collect();
    for tile in &mut tiles {
        tile.robots.sort_by(|a, b| a.name.cmp(&b.name));
    }
    tiles
}

/// Today's Gantt lanes from the runs that touch `[from, to)`, one lane per robot, lanes in
/// name order; runs with no robot or no start are left out (they occupy no lane).
pub fn timeline(runs: &[Run], from: DateTime<Utc>, to: DateTime<Utc>) -> Timeline {
    let mut lanes: BTreeMap<String, Vec<Bar>> = BTreeMap::new();
    for run in runs {
        let (Some(robot), Some(start)) = (&run.robot, run.started_at) else {
            continue;
        };
        let end = if run.state.is_terminal() {
            Some(run.ended_at.unwrap_or(start))
        } else {
            None
        };
        if start >= to || end.is_some_and(|e| e < from) {
            continue;
        }
        lanes.entry(robot.clone()).or_default().push(Bar {
            start: start.max(from),
            end: end.map(|e| e.min(to)),
            state: run.state,
            process: run.process.clone(),
        });
    }
    Timeline {
        from,
        to,
        lanes: lanes
            .into_iter()
            .map(|(robot, mut bars)| {
                bars.sort_by_key(|b| b.start);
                Lane { robot, bars }
            })
            .collect(),
    }
}

/// The saturation heatmap from the store's cells: `hours` columns from `from`, one row per
/// robot, the busiest robots first, at most `max_rows` rows.
pub fn heatmap(
    cells: &[SaturationCell],
    from: DateTime<Utc>,
    hours: u32,
    max_rows: usize,
) -> Heatmap {
    let mut rows: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for cell in cells {
        let offset = (cell.hour - from).num_hours();
        if offset < 0 || offset >= i64::from(hours) {
            continue;
        }
        let row = rows
            .entry(cell.robot.as_str())
            .or_insert_with(|| vec![0; hours as usize]);
        let pct = (cell.busy_share.clamp(0.0, 1.0) * 100.0).round() as u8;
        let slot = &mut row[offset as usize];
        *slot = (*slot).max(pct);
    }
    let mut rows: Vec<HeatRow> = rows
        .into_iter()
        .map(|(robot, cells)| {
            let mean = (cells.iter().map(|&c| u32::from(c)).sum::<u32>() / hours.max(1)) as u8;
            HeatRow {
                robot: robot.to_owned(),
                cells,
                mean,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.mean.cmp(&a.mean).then_with(|| a.robot.cmp(&b.robot)));
    rows.truncate(max_rows);
    Heatmap { from, hours, rows }
}
