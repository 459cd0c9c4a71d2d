//! UiPath records → Hangar's normalized fleet records.
//!
//! The complete mapping of vendor values is in the `*_MAP` tables below (docs/collectors.md
//! copies them). Any vendor value not in a table maps to `unknown`, and the raw string is kept
//! in `raw_state`.

use hangar_model::fleet::{
    ProcessInfo, QueueItem, QueueItemState, RobotState, RobotStatus, Run, RunState, ScheduleInfo,
    SourceId, Vendor, vm_name,
};

use super::dto::{JobDto, ProcessScheduleDto, QueueItemDto, ReleaseDto, RobotDto, SessionDto};
use crate::error::CollectError;

/// Job `State` (REST `JobDto.State`, webhook `Job.State`) → [`RunState`].
pub const JOB_STATE_MAP: &[(&str, RunState)] = &[
    ("Pending", RunState::Queued),
    ("Running", RunState::Running),
    ("Resumed", RunState::Running),
    ("Suspended", RunState::Suspended),
    ("Stopping", RunState::Stopping),
    ("Terminating", RunState::Stopping),
    ("Successful", RunState::Succeeded),
    ("Faulted", RunState::Failed),
    ("Stopped", RunState::Stopped),
];

/// Session / robot `State` → [`RobotState`]. `IsUnresponsive` is a separate flag
/// ([`RobotStatus::unresponsive`]), not a state.
pub const ROBOT_STATE_MAP: &[(&str, RobotState)] = &[
    ("Available", RobotState::Available),
    ("Busy", RobotState::Busy),
    ("Disconnected", RobotState::Disconnected),
    ("Unknown", RobotState::Unknown),
];

/// Queue item `Status` → [`QueueItemState`].
pub const QUEUE_ITEM_STATUS_MAP: &[(&str, QueueItemState)] = &[
    ("New", QueueItemState::New),
    ("InProgress", QueueItemState::InProgress),
    ("Failed", QueueItemState::Failed),
    ("Successful", QueueItemState::Succeeded),
    ("Abandoned", QueueItemState::Abandoned),
    ("Retried", QueueItemState::Retried),
    ("Deleted", QueueItemState::Deleted),
];

/// The documented numeric values of the same enums (JSON normally carries the names; a
/// numeric string such as `"4"` is read through these).
const JOB_STATE_NUMERIC: &[&str] = &[
    "Pending",
    "Running",
    "Stopping",
    "Terminating",
    "Faulted",
    "Successful",
    "Stopped",
    "Suspended",
    "Resumed",
];
const ROBOT_STATE_NUMERIC: &[&str] = &["Available", "Busy", "Disconnected", "Unknown"];
const QUEUE_ITEM_STATUS_NUMERIC: &[&str] = &[
    "New",
    "InProgress",
    "Failed",
    "Successful",
    "Abandoned",
    "Retried",
    "Deleted",
];

/// Looks a vendor value up in a mapping table, case-insensitively, reading numeric values
/// through `numeric`. Anything else is `unknown`.
fn lookup<T: Copy>(table: &[(&str, T)], numeric: &[&str], raw: &str, unknown: T) -> T {
    let raw = raw.trim();
    let name = match raw.parse::<usize>() {
        Ok(n) => match numeric.get(n) {
            Some(name) => *name,
            None => return unknown,
        },
        Err(_) => raw,
    };
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
        .unwrap_or(unknown)
}

pub fn run_state(raw: &str) -> RunState {
    lookup(JOB_STATE_MAP, JOB_STATE_NUMERIC, raw, RunState::Unknown)
}

pub fn robot_state(raw: &str) -> RobotState {
    lookup(
        ROBOT_STATE_MAP,
        ROBOT_STATE_NUMERIC,
        raw,
        RobotState::Unknown,
    )
}

pub fn queue_item_state(raw: &str) -> QueueItemState {
    lookup(
        QUEUE_ITEM_STATUS_MAP,
        QUEUE_ITEM_STATUS_NUMERIC,
        raw,
        QueueItemState::Unknown,
    )
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A REST job → [`Run`]. `folder` is the folder path when the DTO does not carry
/// `OrganizationUnitFullyQualifiedName`.
pub fn job(source: &SourceId, j: &JobDto, folder: Option<&str>) -> Run {
    let state = run_state(&j.state);
    let host = j
        .host_machine_name
        .as_deref()
        .or_else(|| j.robot.as_ref().and_then(|r| r.machine_name.as_deref()));
    let process = j
        .release_name
        .clone()
        .or_else(|| j.release.as_ref().map(|r| r.name.clone()))
        .unwrap_or_default();
    Run {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: j.key.clone(),
        process,
        robot: j
            .robot
            .as_ref()
            .map(|r| r.name.clone())
            .filter(|n| !n.is_empty()),
        vm: host.and_then(vm_name),
        folder: non_empty(j.organization_unit_fully_qualified_name.as_deref())
            .or_else(|| non_empty(folder)),
        state,
        raw_state: j.state.clone(),
        created_at: j.creation_time,
        started_at: j.start_time,
        ended_at: j.end_time,
        updated_at: j.last_modification_time,
        error: if state == RunState::Failed {
            non_empty(j.info.as_deref())
        } else {
            None
        },
        trigger: non_empty(j.source_type.as_deref()).or_else(|| non_empty(j.source.as_deref())),
        schedule_key: j.starting_schedule_id.map(|id| id.to_string()),
    }
}

/// A session (with its robot expanded) → [`RobotStatus`]; keyed by robot `Id`.
pub fn session(source: &SourceId, s: &SessionDto, folder: Option<&str>) -> RobotStatus {
    let robot = s.robot.clone().unwrap_or_default();
    let host = s
        .host_machine_name
        .as_deref()
        .or(robot.machine_name.as_deref())
        .or(s.machine_name.as_deref());
    RobotStatus {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: if robot.id != 0 {
            robot.id.to_string()
        } else {
            format!("session-{}", s.id)
        },
        name: robot.name,
        vm: host.and_then(vm_name),
        folder: non_empty(folder).or_else(|| non_empty(s.folder_name.as_deref())),
        state: robot_state(&s.state),
        raw_state: s.state.clone(),
        unresponsive: s.is_unresponsive,
        reported_at: s.reporting_time,
    }
}

/// A robot without a session: it exists, but nothing is known about its state.
pub fn robot_without_session(source: &SourceId, r: &RobotDto, folder: Option<&str>) -> RobotStatus {
    RobotStatus {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: r.id.to_string(),
        name: r.name.clone(),
        vm: r.machine_name.as_deref().and_then(vm_name),
        folder: non_empty(folder),
        state: RobotState::Unknown,
        raw_state: String::new(),
        unresponsive: false,
        reported_at: None,
    }
}

pub fn release(source: &SourceId, r: &ReleaseDto, folder: Option<&str>) -> ProcessInfo {
    ProcessInfo {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: r
            .key
            .clone()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| r.id.to_string()),
        name: r.name.clone(),
        version: non_empty(r.process_version.as_deref()),
        folder: non_empty(r.organization_unit_fully_qualified_name.as_deref())
            .or_else(|| non_empty(folder)),
    }
}

/// Schedules are keyed by `Id` (as text), which is what jobs carry in `StartingScheduleId`.
pub fn schedule(source: &SourceId, s: &ProcessScheduleDto, folder: Option<&str>) -> ScheduleInfo {
    ScheduleInfo {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: s.id.to_string(),
        name: s.name.clone(),
        process: s.release_name.clone().unwrap_or_default(),
        enabled: s.enabled,
        cron: non_empty(s.start_process_cron.as_deref()),
        time_zone: non_empty(s.time_zone_iana.as_deref())
            .or_else(|| non_empty(s.time_zone_id.as_deref())),
        next_run_at: s.start_process_next_occurrence,
        folder: non_empty(folder),
    }
}

/// A queue item → [`QueueItem`]; `queue` is the queue definition's name, `sla_minutes` its SLA
/// (the due time when the item has no `DueDate`). Keyed by `Id`.
pub fn queue_item(
    source: &SourceId,
    q: &QueueItemDto,
    queue: &str,
    sla_minutes: Option<i32>,
    folder: Option<&str>,
) -> QueueItem {
    let state = queue_item_state(&q.status);
    let due_at = q.due_date.or_else(|| {
        let sla = sla_minutes.filter(|m| *m > 0)?;
        Some(q.creation_time? + chrono::Duration::minutes(i64::from(sla)))
    });
    let error = q
        .processing_exception
        .as_ref()
        .and_then(|e| non_empty(e.reason.as_deref()).or_else(|| non_empty(e.details.as_deref())));
    QueueItem {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: q.id.to_string(),
        queue: queue.to_owned(),
        folder: non_empty(q.organization_unit_fully_qualified_name.as_deref())
            .or_else(|| non_empty(folder)),
        state,
        raw_state: q.status.clone(),
        reference: non_empty(q.reference.as_deref()),
        created_at: q.creation_time,
        started_at: q.start_processing,
        ended_at: q.end_processing,
        due_at,
        error,
    }
}

/// Parses one page of `GET /odata/Jobs` and normalizes it: the hot path, for benchmarks.
pub fn parse_and_normalize_jobs(body: &[u8], source: &SourceId) -> Result<Vec<Run>, CollectError> {
    let page: super::dto::OData<JobDto> =
        serde_json::from_slice(body).map_err(|e| CollectError::decode("UiPath Jobs", e))?;
    Ok(page.value.iter().map(|j| job(source, j, None)).collect())
}
