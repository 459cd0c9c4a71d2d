use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::anomaly::{Anomaly, AnomalyKind, AnomalyState, Severity};
use crate::fleet::{RobotState, RobotStatus, Run, RunState, SourceId, Vendor};
use crate::summary::SaturationCell;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap()
}

fn src() -> SourceId {
    SourceId("fin".into())
}

fn run(key: &str, robot: &str, state: RunState, start: u32, end: Option<u32>) -> Run {
    Run {
        source: src(),
        vendor: Vendor::Uipath,
        vendor_key: key.into(),
        process: format!("P-{key}"),
        robot: Some(robot.into()),
        vm: Some(format!("VM-{robot}")),
        folder: None,
        state,
        raw_state: String::new(),
        created_at: Some(at(start, 0)),
        started_at: Some(at(start, 0)),
        ended_at: end.map(|e| at(e, 0)),
        updated_at: None,
        error: None,
        trigger: None,
        schedule_key: None,
    }
}

fn robot(name: &str, vm: &str, state: RobotState) -> RobotStatus {
    RobotStatus {
        source: src(),
        vendor: Vendor::Uipath,
        vendor_key: name.into(),
        name: name.into(),
        vm: Some(vm.into()),
        folder: None,
        state,
        raw_state: String::new(),
        unresponsive: false,
        reported_at: None,
    }
}

#[test]
fn kpi_counts_runs_and_robots() {
    let unfinished = [
        run("a", "r1", RunState::Running, 9, None),
        run("b", "r2", RunState::Queued, 9, None),
    ];
    let finished = [
        run("c", "r2", RunState::Succeeded, 1, Some(2)),
        run("d", "r2", RunState::Succeeded, 2, Some(3)),
        run("e", "r3", RunState::Failed, 3, Some(4)),
        run("f", "r3", RunState::Stopped, 4, Some(5)),
    ];
    let robots = [
        robot("r1", "VM1", RobotState::Available),
        robot("r2", "VM1", RobotState::Available),
        robot("r3", "VM2", RobotState::Disconnected),
    ];
    let k = kpi(&unfinished, &finished, &robots);
    assert_eq!((k.running, k.queued), (1, 1));
    assert_eq!((k.succeeded_today, k.failures_today), (2, 1));
    assert!((k.success_rate_today.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // r1 runs something even though its last heartbeat said Available.
    assert_eq!(
        (k.robots_busy, k.robots_idle, k.robots_disconnected),
        (1, 1, 1)
    );
    assert_eq!((k.licences_in_use, k.robots_total), (1, 3));
    assert_eq!(kpi(&[], &[], &[]).success_rate_today, None);
}

#[test]
fn fleet_groups_robots_by_vm_with_current_and_last_runs() {
    let robots = [
        robot("r2", "VM1", RobotState::Available),
        robot("r1", "VM1", RobotState::Busy),
        robot("r3", "VM2", RobotState::Available),
    ];
    let unfinished = [run("a", "r1", RunState::Running, 9, None)];
    let finished = [
        run("b", "r3", RunState::Succeeded, 1, Some(2)),
        run("c", "r3", RunState::Failed, 3, Some(4)),
    ];
    let departments = HashMap::from([(src(), "finance".to_owned())]);
    let tiles = fleet(&robots, &unfinished, &finished, &departments);
    assert_eq!(tiles.len(), 2);
    assert_eq!(tiles[0].vm, "VM1");
    assert_eq!(tiles[0].department, "finance");
    assert_eq!(tiles[0].robots[0].name, "r1");
    assert_eq!(tiles[0].robots[0].current.as_ref().unwrap().process, "P-a");
    assert_eq!(tiles[0].worst(), TileState::Busy);
    // The later of r3's runs failed: the tile says so.
    assert_eq!(
        tiles[1].robots[0].last.as_ref().unwrap().state,
        RunState::Failed
    );
    assert_eq!(tiles[1].worst(), TileState::Failed);
}

#[test]
fn timeline_clips_runs_to_the_day_and_keeps_running_ones_open() {
    let runs = [
        run("a", "r1", RunState::Succeeded, 1, Some(3)),
        run("b", "r1", RunState::Running, 8, None),
        run("c", "r2", RunState::Failed, 5, Some(6)),
        Run {
            robot: None,
            ..run("d", "x", RunState::Succeeded, 1, Some(2))
        },
    ];
    let t = timeline(&runs, at(2, 0), at(23, 0));
    assert_eq!(t.lanes.len(), 2);
    assert_eq!(t.lanes[0].robot, "r1");
    assert_eq!(t.lanes[0].bars[0].start, at(2, 0), "clipped to the window");
    assert_eq!(t.lanes[0].bars[1].end, None, "still running");
    assert_eq!(t.lanes[1].bars[0].state, RunState::Failed);
}

#[test]
fn heatmap_puts_the_busiest_robots_first() {
    let from = at(0, 0);
    let cell = |robot: &str, h: i64, share: f64| SaturationCell {
        source: src(),
        robot: robot.into(),
        hour: from + chrono::TimeDelta::hours(h),
        busy_share: share,
    };
    let cells = [
        cell("quiet", 1, 0.1),
        cell("busy", 1, 1.0),
        cell("busy", 2, 0.5),
        cell("busy", 30, 1.0),
    ];
    let h = heatmap(&cells, from, 4, 10);
    assert_eq!(h.rows[0].robot, "busy");
    assert_eq!(h.rows[0].cells, vec![0, 100, 50, 0]);
    assert_eq!(h.rows[0].mean, 37);
    assert_eq!(h.rows[1].cells, vec![0, 10, 0, 0]);
    assert_eq!(heatmap(&cells, from, 4, 1).rows.len(), 1);
}

#[test]
fn the_board_shows_the_worst_and_unacknowledged_first() {
    let anomaly = |id: i64, severity: Severity, acked: bool, seen: u32| Anomaly {
        id,
        kind: AnomalyKind::RunFaulted,
        severity,
        dedup_key: id.to_string(),
        subject: String::new(),
        detail: String::new(),
        source: None,
        department: None,
        process: None,
        robot: None,
        vm: None,
        first_seen: at(seen, 0),
        last_seen: at(seen, 0),
        count: 1,
        last_occurrence: String::new(),
        state: if acked {
            AnomalyState::Acknowledged
        } else {
            AnomalyState::Open
        },
        ack: None,
        resolved_at: None,
        resolved_by: None,
    };
    let mut list = vec![
        anomaly(1, Severity::Warn, false, 1),
        anomaly(2, Severity::Error, true, 2),
        anomaly(3, Severity::Error, false, 1),
        anomaly(4, Severity::Error, false, 3),
        anomaly(5, Severity::Fatal, true, 1),
    ];
    board_order(&mut list);
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![5, 4, 3, 2, 1]);
}

#[test]
fn days_start_at_utc_midnight() {
    assert_eq!(day_start(at(13, 7)), at(0, 0));
}
