//! Control Room records → Hangar's normalized fleet records.

use hangar_model::{
    ProcessInfo, RobotState, RobotStatus, Run, RunState, ScheduleInfo, SourceId, Vendor, vm_name,
};

use super::cron::schedule_to_quartz;
use super::dto::{Activity, Device, Schedule, parse_ts};

/// Every execution status the Control Room is known to report, with what it becomes.
/// Anything else is [`RunState::Unknown`], raw text kept.
pub const RUN_STATES: &[(&str, RunState)] = &[
    ("QUEUED", RunState::Queued),
    ("PENDING_EXECUTION", RunState::Queued),
    ("DEPLOYED", RunState::Queued),
    ("RUNNING", RunState::Running),
    ("UPDATE", RunState::Running),
    ("BOTSTORE_PACKAGE_DOWNLOADING", RunState::Running),
    ("BOTSTORE_PACKAGE_EXTRACTING", RunState::Running),
    ("BOTSTORE_PACKAGE_COPYING", RunState::Running),
    ("RUN_PAUSED", RunState::Suspended),
    ("COMPLETED", RunState::Succeeded),
    ("RUN_FAILED", RunState::Failed),
    ("DEPLOY_FAILED", RunState::Failed),
    ("RUN_TIMED_OUT", RunState::Failed),
    ("RUN_ABORTED", RunState::Stopped),
    ("UNKNOWN", RunState::Unknown),
];

/// An execution status in Hangar's vocabulary. Case and surrounding spaces are ignored;
/// any other `BOTSTORE_PACKAGE_*` phase is still running.
pub fn run_state(raw: &str) -> RunState {
    let s = raw.trim().to_ascii_uppercase();
    if let Some((_, state)) = RUN_STATES.iter().find(|(v, _)| *v == s) {
        return *state;
    }
    if s.starts_with("BOTSTORE_PACKAGE_") {
        return RunState::Running;
    }
    RunState::Unknown
}

/// A device status: `CONNECTED` is available (busy when it runs something), `DISCONNECTED`
/// is disconnected, anything else unknown.
pub fn robot_state(raw: &str, running_something: bool) -> RobotState {
    match raw.trim().to_ascii_uppercase().as_str() {
        "CONNECTED" if running_something => RobotState::Busy,
        "CONNECTED" => RobotState::Available,
        "DISCONNECTED" => RobotState::Disconnected,
        _ => RobotState::Unknown,
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One execution as a [`Run`]. `None` for a record without an id (it cannot be tracked).
pub fn activity_to_run(a: &Activity, source: &SourceId) -> Option<Run> {
    if a.id.trim().is_empty() {
        return None;
    }
    let raw_state = a.status.clone().unwrap_or_default();
    let state = run_state(&raw_state);
    let process = non_empty(a.file_name.as_deref())
        .or_else(|| non_empty(a.automation_name.as_deref()))
        .unwrap_or_default();
    let ts = |s: &Option<String>| s.as_deref().and_then(parse_ts);
    Some(Run {
        source: source.clone(),
        vendor: Vendor::AutomationAnywhere,
        vendor_key: a.id.clone(),
        process,
        robot: non_empty(a.user()),
        vm: a.device_name.as_deref().and_then(vm_name),
        folder: non_empty(a.file_path.as_deref()),
        state,
        raw_state,
        created_at: ts(&a.created_on),
        started_at: ts(&a.start_date_time),
        ended_at: if state.is_terminal() {
            ts(&a.end_date_time)
        } else {
            None
        },
        updated_at: ts(&a.modified_on),
        error: if state == RunState::Failed {
            non_empty(a.message.as_deref())
        } else {
            None
        },
        trigger: non_empty(a.kind.as_deref()),
        schedule_key: non_empty(a.schedule_id.as_deref()),
    })
}

/// One device as a [`RobotStatus`]; `busy` says whether an execution runs on it.
pub fn device_to_robot(d: &Device, source: &SourceId, busy: bool) -> RobotStatus {
    let raw_state = d.status.clone().unwrap_or_default();
    let host = non_empty(d.host_name.as_deref())
        .or_else(|| non_empty(d.fully_qualified_host_name.as_deref()));
    RobotStatus {
        source: source.clone(),
        vendor: Vendor::AutomationAnywhere,
        vendor_key: d.id.clone(),
        name: non_empty(d.user_name.as_deref())
            .or_else(|| host.clone())
            .unwrap_or_else(|| d.id.clone()),
        vm: host.as_deref().and_then(vm_name),
        folder: non_empty(d.pool_name.as_deref()),
        state: robot_state(&raw_state, busy),
        raw_state,
        unresponsive: false,
        // Control Room publishes no heartbeat time: `updatedOn` is when the device record was
        // last edited, and reading it as a heartbeat would call every quiet device
        // unresponsive. Connection state comes from `status` alone.
        reported_at: None,
    }
}

/// One schedule as a [`ScheduleInfo`] with its Quartz cron.
pub fn schedule_to_info(s: &Schedule, source: &SourceId) -> ScheduleInfo {
    ScheduleInfo {
        source: source.clone(),
        vendor: Vendor::AutomationAnywhere,
        vendor_key: s.id.clone(),
        name: s.name.clone().unwrap_or_else(|| s.id.clone()),
        process: non_empty(s.file_name.as_deref()).unwrap_or_default(),
        enabled: s
            .status
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("ACTIVE")),
        cron: schedule_to_quartz(s),
        time_zone: non_empty(s.time_zone.as_deref()),
        next_run_at: s.zoned_next_run_date_time.as_deref().and_then(parse_ts),
        folder: None,
    }
}

/// A bot file as a [`ProcessInfo`]: keyed by `fileId` when the Control Room gives one, else
/// by its path or name. The folder is the file path without the file name.
pub fn bot_process(
    source: &SourceId,
    file_id: Option<&str>,
    file_name: &str,
    file_path: Option<&str>,
) -> ProcessInfo {
    let path = non_empty(file_path);
    let folder = path.as_deref().and_then(|p| {
        p.rsplit_once(['\\', '/'])
            .map(|(dir, _)| dir.to_owned())
            .filter(|d| !d.is_empty())
    });
    ProcessInfo {
        source: source.clone(),
        vendor: Vendor::AutomationAnywhere,
        vendor_key: non_empty(file_id)
            .or(path)
            .unwrap_or_else(|| file_name.to_owned()),
        name: file_name.to_owned(),
        version: None,
        folder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps() {
        for (raw, want) in RUN_STATES {
            assert_eq!(run_state(raw), *want, "{raw}");
        }
        assert_eq!(run_state(" completed "), RunState::Succeeded);
        assert_eq!(
            run_state("BOTSTORE_PACKAGE_VERIFYING"),
            RunState::Running,
            "future package phases still run"
        );
        assert_eq!(run_state("RUN_QUEUED_SOMEWHERE_NEW"), RunState::Unknown);
        assert_eq!(run_state(""), RunState::Unknown);
    }

    #[test]
    fn unknown_status_keeps_raw_text() {
        let a: Activity = serde_json::from_str(
            r#"{"id":"e1","status":"HALF_DONE","fileName":"Invoices","message":"x"}"#,
        )
        .unwrap();
        let r = activity_to_run(&a, &SourceId("aa".into())).unwrap();
        assert_eq!(r.state, RunState::Unknown);
        assert_eq!(r.raw_state, "HALF_DONE");
        assert_eq!(r.error, None);
    }

    #[test]
    fn failed_run_carries_message_vm_and_user() {
        let a: Activity = serde_json::from_str(
            r#"{"id":"e2","status":"RUN_FAILED","automationName":"Inv.2025","fileName":"Invoices",
                "filePath":"Bots\\Finance\\Invoices","deviceName":"VM-AA-07.corp.example",
                "userName":"svc_rpa_07","message":"Window not found","type":"RUN_NOW",
                "startDateTime":"2025-03-01T10:00:02.123456789Z","endDateTime":"2025-03-01T10:03:10.5Z"}"#,
        )
        .unwrap();
        let r = activity_to_run(&a, &SourceId("aa".into())).unwrap();
        assert_eq!(r.state, RunState::Failed);
        assert_eq!(r.vm.as_deref(), Some("vm-aa-07"));
        assert_eq!(r.robot.as_deref(), Some("svc_rpa_07"));
        assert_eq!(r.error.as_deref(), Some("Window not found"));
        assert_eq!(r.process, "Invoices");
        assert!(r.ended_at.is_some());
        assert_eq!(r.trigger.as_deref(), Some("RUN_NOW"));
    }

    #[test]
    fn device_states() {
        assert_eq!(robot_state("CONNECTED", false), RobotState::Available);
        assert_eq!(robot_state("CONNECTED", true), RobotState::Busy);
        assert_eq!(robot_state("DISCONNECTED", true), RobotState::Disconnected);
        assert_eq!(robot_state("OFFLINE", false), RobotState::Unknown);
        let d: Device = serde_json::from_str(
            r#"{"id":6,"hostName":"VM-AA-07","userName":"svc_rpa_07","status":"CONNECTED"}"#,
        )
        .unwrap();
        let r = device_to_robot(&d, &SourceId("aa".into()), true);
        assert_eq!(
            (r.vendor_key.as_str(), r.vm.as_deref(), r.state),
            ("6", Some("vm-aa-07"), RobotState::Busy)
        );
    }

    #[test]
    fn bot_files_become_processes() {
        let s = SourceId("aa".into());
        let p = bot_process(&s, None, "Invoices", Some("Bots\\Finance\\Invoices"));
        assert_eq!(p.vendor_key, "Bots\\Finance\\Invoices");
        assert_eq!(p.folder.as_deref(), Some("Bots\\Finance"));
        assert_eq!(
            bot_process(&s, Some("17"), "Invoices", None).vendor_key,
            "17"
        );
    }
}
