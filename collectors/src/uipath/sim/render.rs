//! The simulated tenant as Orchestrator's JSON: REST DTOs and webhook payloads, with
//! timestamps in Orchestrator's variable precision (1 to 7 fractional digits).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::world::{Folder, Item, Machine, World};

/// `2025-03-01T10:02:45.01Z`: trailing zeros of the 100 ns fraction trimmed.
pub fn ts(t: DateTime<Utc>) -> String {
    let frac = t.timestamp_subsec_nanos() / 100;
    let base = t.format("%Y-%m-%dT%H:%M:%S");
    if frac == 0 {
        return format!("{base}Z");
    }
    let digits = format!("{frac:07}");
    format!("{base}.{}Z", digits.trim_end_matches('0'))
}

fn ots(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| Value::String(ts(t))).unwrap_or(Value::Null)
}

pub fn folder(f: &Folder) -> Value {
    json!({
        "Key": f.key, "DisplayName": f.display, "FullyQualifiedName": f.path,
        "Description": null, "FolderType": "Standard", "IsPersonal": false,
        "ProvisionType": "Automatic", "PermissionModel": "FineGrained",
        "ParentId": f.parent, "FeedType": "Processes", "Id": f.id,
    })
}

pub fn machine(m: &Machine) -> Value {
    json!({
        "LicenseKey": null, "Name": m.name, "Description": "Shared RPA VM", "Type": "Standard",
        "Scope": "Default", "NonProductionSlots": 0, "UnattendedSlots": 2, "HeadlessSlots": 0,
        "TestAutomationSlots": 0, "Key": m.key, "RobotVersions": [], "Tags": [], "Id": m.id,
    })
}

pub fn robot(w: &World, r: usize) -> Value {
    let r = &w.robots[r];
    let m = &w.machines[r.machine];
    json!({
        "LicenseKey": null, "MachineName": m.name, "MachineId": m.id, "Name": r.name,
        "Username": r.username, "Description": null, "Type": "Unattended",
        "HostingType": "Standard", "ProvisionType": "Manual", "UserId": 1000 + r.id,
        "Enabled": true, "CredentialType": "Default", "Environments": [],
        "ExecutionSettings": {}, "IsExternalLicensed": false, "LimitConcurrentExecution": true,
        "Id": r.id,
    })
}

fn simple_release(w: &World, r: usize) -> Value {
    let r = &w.releases[r];
    json!({
        "Key": r.key.to_string(), "ProcessKey": r.process_key, "ProcessVersion": r.version,
        "IsLatestVersion": true, "IsProcessDeleted": false, "Description": null, "Name": r.name,
        "ProcessType": "Process", "OrganizationUnitId": r.folder, "Id": r.id,
    })
}

pub fn release(w: &World, r: usize) -> Value {
    let mut v = simple_release(w, r);
    let rel = &w.releases[r];
    if let Value::Object(o) = &mut v {
        o.insert("EntryPointPath".into(), json!("Main.xaml"));
        o.insert("InputArguments".into(), json!("{}"));
        o.insert("JobPriority".into(), json!("Normal"));
        o.insert("SpecificPriorityValue".into(), json!(45));
        o.insert(
            "OrganizationUnitFullyQualifiedName".into(),
            json!(w.folder_path(rel.folder)),
        );
        o.insert("CreationTime".into(), json!(ts(rel.created)));
        o.insert("LastModificationTime".into(), json!(ts(rel.created)));
    }
    v
}

pub fn job(w: &World, j: usize, expand_robot: bool, expand_release: bool) -> Value {
    let job = &w.jobs[j];
    let rel = &w.releases[job.release];
    let host = job.robot.map(|r| w.robots[r].host.clone());
    let mut o = Map::new();
    let mut put = |k: &str, v: Value| {
        o.insert(k.to_owned(), v);
    };
    put("Key", json!(job.key));
    put("StartTime", ots(job.start));
    put("EndTime", ots(job.end));
    put("State", json!(job.state));
    put("JobPriority", json!("Normal"));
    put("SpecificPriorityValue", json!(job.priority));
    if expand_robot {
        put(
            "Robot",
            job.robot.map(|r| robot(w, r)).unwrap_or(Value::Null),
        );
    }
    if expand_release {
        put("Release", simple_release(w, job.release));
    }
    put(
        "Source",
        json!(if job.source_type == "Schedule" {
            "Schedule"
        } else {
            "Manual"
        }),
    );
    put("SourceType", json!(job.source_type));
    put("BatchExecutionKey", json!(job.batch_key));
    put("Info", json!(job.info));
    put("CreationTime", json!(ts(job.created)));
    put("StartingScheduleId", json!(job.schedule));
    put("ReleaseName", json!(rel.name));
    put("Type", json!("Unattended"));
    put("InputArguments", json!("{\"batch\":7}"));
    put(
        "OutputArguments",
        if job.state == "Successful" {
            json!("{\"processed\":12}")
        } else {
            Value::Null
        },
    );
    put("HostMachineName", json!(host));
    put("HasMediaRecorded", json!(false));
    put("RuntimeType", json!("Unattended"));
    put("EntryPointPath", json!("Main.xaml"));
    put("OrganizationUnitId", json!(job.folder));
    put(
        "OrganizationUnitFullyQualifiedName",
        json!(w.folder_path(job.folder)),
    );
    put("ProcessType", json!("Process"));
    put("LastModificationTime", json!(ts(job.modified)));
    put("Id", json!(job.id));
    Value::Object(o)
}

pub fn session(w: &World, r: usize, expand_robot: bool) -> Value {
    let rb = &w.robots[r];
    let m = &w.machines[rb.machine];
    let mut v = json!({
        "HostMachineName": rb.host, "MachineId": m.id, "MachineName": m.name,
        "State": rb.state, "ReportingTime": ts(rb.reporting), "Info": null,
        "IsUnresponsive": rb.unresponsive_until.is_some(), "LicenseErrorCode": null,
        "OrganizationUnitId": rb.folder, "FolderName": w.folder_path(rb.folder),
        "RobotSessionType": "LongLived", "Version": "23.10.3", "Platform": "Windows",
        "Id": rb.session_id,
    });
    if expand_robot && let Value::Object(o) = &mut v {
        o.insert("Robot".into(), robot(w, r));
    }
    v
}

pub fn schedule(w: &World, s: usize) -> Value {
    let sch = &w.schedules[s];
    let rel = &w.releases[sch.release];
    json!({
        "Key": sch.key, "Enabled": sch.enabled, "Name": sch.name, "ReleaseId": rel.id,
        "ReleaseKey": rel.key.to_string(), "ReleaseName": rel.name, "PackageName": rel.process_key,
        "JobPriority": "Normal", "RuntimeType": "Unattended", "StartProcessCron": sch.cron,
        "StartProcessCronSummary": sch.summary,
        "StartProcessNextOccurrence": sch.next_fire.map(ts),
        "StartStrategy": 1, "ExecutorRobots": [], "StopStrategy": "SoftStop",
        "TimeZoneId": sch.tz_windows, "TimeZoneIana": sch.tz_iana, "UseCalendar": false,
        "InputArguments": "{}", "Tags": [], "Id": sch.id,
    })
}

pub fn queue_definition(w: &World, q: usize) -> Value {
    let def = &w.queues[q];
    json!({
        "Key": def.key, "Name": def.name, "Description": null,
        "MaxNumberOfRetries": def.max_retries, "AcceptAutomaticallyRetry": true,
        "EnforceUniqueReference": false, "Encrypted": false, "CreationTime": ts(def.created),
        "SlaInMinutes": def.sla_minutes, "RiskSlaInMinutes": 0,
        "OrganizationUnitId": def.folder,
        "OrganizationUnitFullyQualifiedName": w.folder_path(def.folder), "Tags": [], "Id": def.id,
    })
}

fn exception(it: &Item, timestamp_key: &str) -> Value {
    match it.exception {
        Some((kind, reason)) => json!({
            "Reason": reason, "Details": format!("{kind}: {reason}"), "Type": kind,
            timestamp_key: it.end.map(ts),
        }),
        None => Value::Null,
    }
}

pub fn queue_item(w: &World, i: usize) -> Value {
    let it = &w.items[i];
    let def = &w.queues[it.queue];
    json!({
        "QueueDefinitionId": def.id, "ProcessingException": exception(it, "CreationTime"),
        "SpecificContent": {"InvoiceNo": it.reference}, "Output": null,
        "Status": it.status, "ReviewStatus": "None", "Key": it.key, "Reference": it.reference,
        "ProcessingExceptionType": it.exception.map(|e| e.0), "DueDate": ots(it.due),
        "Priority": it.priority, "DeferDate": null, "StartProcessing": ots(it.start),
        "EndProcessing": ots(it.end), "SecondsInPreviousAttempts": 0,
        "AncestorId": it.ancestor, "RetryNumber": it.retry, "CreationTime": ts(it.created),
        "OrganizationUnitId": def.folder,
        "OrganizationUnitFullyQualifiedName": w.folder_path(def.folder), "Id": it.id,
    })
}

// ----- webhook payloads -----

fn envelope(w: &mut World, kind: &str, folder: i64, entity: Option<String>) -> Map<String, Value> {
    let event_id = super::world::uuid(&mut w.rng).simple().to_string();
    let folder_key = w.folders.iter().find(|f| f.id == folder).map(|f| f.key);
    let mut o = Map::new();
    o.insert("Type".into(), json!(kind));
    o.insert("EventId".into(), json!(event_id));
    o.insert("Timestamp".into(), json!(ts(w.last_stamp)));
    if let Some(e) = entity {
        o.insert("EntityKey".into(), json!(e));
    }
    o.insert("TenantId".into(), json!(w.tenant_id));
    o.insert("OrganizationUnitId".into(), json!(folder));
    o.insert("OrganizationUnitKey".into(), json!(folder_key));
    o
}

fn event_job(w: &World, j: usize) -> Value {
    let job = &w.jobs[j];
    let rel = &w.releases[job.release];
    json!({
        "Id": job.id, "Key": job.key, "Type": "Unattended", "State": job.state,
        "StartTime": ots(job.start), "EndTime": ots(job.end), "CreationTime": ts(job.created),
        "Info": job.info, "SpecificPriorityValue": job.priority, "RuntimeType": "Unattended",
        "SourceType": job.source_type,
        "OutputArguments": if job.state == "Successful" { json!({"processed": 12}) } else { Value::Null },
        "Robot": job.robot.map(|r| {
            let rb = &w.robots[r];
            json!({"Id": rb.id, "Name": rb.name, "Type": "Unattended",
                   "MachineName": w.machines[rb.machine].name})
        }),
        "Release": {"Id": rel.id, "Key": rel.key.to_string(), "ProcessKey": rel.process_key,
                    "Name": rel.name, "ProcessType": "Process"},
        "EntryPointPath": "Main.xaml",
    })
}

pub fn job_event(w: &mut World, j: usize, kind: &str) -> Value {
    let folder = w.jobs[j].folder;
    let key = w.jobs[j].key.to_string();
    let mut o = envelope(w, kind, folder, Some(key));
    o.insert("Job".into(), event_job(w, j));
    Value::Object(o)
}

/// `job.created` (`JobsCreatedEventDto`): `StartInfo` and `Jobs[]` of `WrappedJobDto`.
pub fn jobs_created_event(w: &mut World, j: usize) -> Value {
    let folder = w.jobs[j].folder;
    let mut o = envelope(w, "job.created", folder, None);
    let job = &w.jobs[j];
    let rel = &w.releases[job.release];
    o.insert(
        "StartInfo".into(),
        json!({"ReleaseKey": rel.key, "Strategy": "ModernJobsCount", "JobsCount": 1,
               "Source": if job.source_type == "Schedule" { "Schedule" } else { "Manual" }}),
    );
    o.insert(
        "Jobs".into(),
        json!([{
            "Id": job.id, "Key": job.key, "CreationTime": ts(job.created), "StartTime": null,
            "EndTime": null, "State": job.state, "Source": job.source_type,
            "SourceType": job.source_type, "BatchExecutionKey": job.batch_key, "Info": null,
            "StartingScheduleId": job.schedule, "ReleaseName": rel.name, "Type": "Unattended",
            "HostMachineName": null, "Robot": null,
            "Release": {"Id": rel.id, "Key": rel.key.to_string(), "ProcessKey": rel.process_key,
                        "ProcessVersion": rel.version, "Name": rel.name, "ProcessType": "Process"},
            "InputArguments": {"batch": 7}, "OutputArguments": null, "RuntimeType": "Unattended",
            "ProcessType": "Process", "SpecificPriorityValue": job.priority,
            "EntryPointPath": "Main.xaml",
        }]),
    );
    Value::Object(o)
}

pub fn jobs_stopped_event(w: &mut World, j: usize) -> Value {
    let folder = w.jobs[j].folder;
    let mut o = envelope(w, "job.stopped", folder, None);
    o.insert("Jobs".into(), json!([event_job(w, j)]));
    Value::Object(o)
}

pub fn robot_status_event(w: &mut World, r: usize) -> Value {
    let folder = w.robots[r].folder;
    let mut o = envelope(w, "robot.status", folder, None);
    let rb = &w.robots[r];
    let m = &w.machines[rb.machine];
    o.insert(
        "Sessions".into(),
        json!([{
            "SessionId": rb.session_id, "RobotId": rb.id, "MachineId": m.id, "MachineKey": m.key,
            "HostMachineName": rb.host, "ServiceUsername": rb.username, "State": rb.state,
            "ReportingTime": ts(rb.reporting), "IsUnresponsive": rb.unresponsive_until.is_some(),
        }]),
    );
    Value::Object(o)
}

pub fn schedule_failed(w: &mut World, s: usize, reason: &str) -> Value {
    let folder = w.schedules[s].folder;
    let mut o = envelope(w, "schedule.failed", folder, None);
    let sch = &w.schedules[s];
    let rel = &w.releases[sch.release];
    o.insert(
        "ProcessSchedule".into(),
        json!({
            "Id": sch.id, "Name": sch.name, "Enabled": sch.enabled,
            "StartProcessCron": sch.cron, "StartStrategy": "All", "StopStrategy": "SoftStop",
            "TimeZoneId": sch.tz_windows, "TimeZoneIana": sch.tz_iana, "UseCalendar": false,
            "Release": {"Id": rel.id, "Key": rel.key.to_string(), "ProcessKey": rel.process_key,
                        "Name": rel.name, "ProcessType": "Process"},
            "ExecutorRobots": [], "InputArguments": {},
        }),
    );
    o.insert("Reason".into(), json!(reason));
    Value::Object(o)
}

fn event_queue(w: &World, q: usize) -> Value {
    let def = &w.queues[q];
    json!({
        "Id": def.id, "Key": def.key, "Name": def.name, "Description": null,
        "MaxNumberOfRetries": def.max_retries, "AcceptAutomaticallyRetry": true,
        "EnforceUniqueReference": false, "SlaInMinutes": def.sla_minutes,
    })
}

fn event_item(w: &World, i: usize) -> Value {
    let it = &w.items[i];
    json!({
        "Id": it.id, "Key": it.key, "Reference": it.reference,
        "QueueDefinitionId": w.queues[it.queue].id, "Status": it.status, "ReviewStatus": "None",
        "ProcessingException": exception(it, "Timestamp"), "DueDate": ots(it.due),
        "Priority": it.priority, "CreationTime": ts(it.created), "StartProcessing": ots(it.start),
        "EndProcessing": ots(it.end), "RetryNumber": it.retry, "AncestorId": it.ancestor,
        "SpecificContent": {"InvoiceNo": it.reference}, "Output": null,
    })
}

pub fn queue_item_failed(w: &mut World, q: usize, i: usize) -> Value {
    let folder = w.queues[q].folder;
    let mut o = envelope(
        w,
        "queueItem.transactionFailed",
        folder,
        Some(w.items[i].key.to_string()),
    );
    o.insert("QueueItem".into(), event_item(w, i));
    o.insert("Queue".into(), event_queue(w, q));
    Value::Object(o)
}

pub fn queue_items_abandoned(w: &mut World, q: usize, items: &[usize]) -> Value {
    let folder = w.queues[q].folder;
    let mut o = envelope(w, "queueItem.transactionAbandoned", folder, None);
    o.insert("Queue".into(), event_queue(w, q));
    o.insert(
        "QueueItems".into(),
        items.iter().map(|&i| event_item(w, i)).collect(),
    );
    Value::Object(o)
}
