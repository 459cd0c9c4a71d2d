//! The wall: its saved profiles and the data one screen shows.

mod data;
mod profile;
#[cfg(test)]
mod tests;

pub use data::{
    Bar, HeatRow, Heatmap, Kpi, Lane, RobotTile, RunRef, TileState, Timeline, VmTile, WallData,
    board_order, day_start, fleet, heatmap, kpi, timeline,
};
pub use profile::{DEFAULT_PROFILE, LocalText, PanelKind, ScreenSpec, WallProfile};
