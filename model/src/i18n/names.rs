//! The words for the model's own values: severities, anomaly kinds, run and tile states.

use super::Msg;
use crate::anomaly::{AnomalyKind, Severity};
use crate::fleet::{RunState, Vendor};
use crate::wall::TileState;

pub fn severity(s: Severity) -> Msg {
    match s {
        Severity::Info => Msg::SevInfo,
        Severity::Warn => Msg::SevWarn,
        Severity::Error => Msg::SevError,
        Severity::Fatal => Msg::SevFatal,
    }
}

pub fn anomaly_kind(k: AnomalyKind) -> Msg {
    match k {
        AnomalyKind::RunFaulted => Msg::KindRunFaulted,
        AnomalyKind::RunStuck => Msg::KindRunStuck,
        AnomalyKind::ScheduleMissed => Msg::KindScheduleMissed,
        AnomalyKind::RobotDisconnected => Msg::KindRobotDisconnected,
        AnomalyKind::RobotUnresponsive => Msg::KindRobotUnresponsive,
        AnomalyKind::CollectorStale => Msg::KindCollectorStale,
        AnomalyKind::QueueSlaBreached => Msg::KindQueueSlaBreached,
        AnomalyKind::FailureRateSpike => Msg::KindFailureRateSpike,
    }
}

pub fn run_state(s: RunState) -> Msg {
    match s {
        RunState::Queued => Msg::RunQueued,
        RunState::Running => Msg::RunRunning,
        RunState::Suspended => Msg::RunSuspended,
        RunState::Stopping => Msg::RunStopping,
        RunState::Succeeded => Msg::RunSucceeded,
        RunState::Failed => Msg::RunFailed,
        RunState::Stopped => Msg::RunStopped,
        RunState::Unknown => Msg::RunUnknown,
    }
}

pub fn tile_state(s: TileState) -> Msg {
    match s {
        TileState::Idle => Msg::TileIdle,
        TileState::Busy => Msg::TileBusy,
        TileState::Unknown => Msg::TileUnknown,
        TileState::Failed => Msg::TileFailed,
        TileState::Unresponsive => Msg::TileUnresponsive,
        TileState::Disconnected => Msg::TileDisconnected,
    }
}

pub fn vendor(v: Vendor) -> Msg {
    match v {
        Vendor::Uipath => Msg::VendorUipath,
        Vendor::AutomationAnywhere => Msg::VendorAa,
    }
}
