//! Reading UiPath's wire format: tolerant DTOs, the value mapping, webhook signatures and
//! payloads, stored cursors.

use chrono::{Datelike, Timelike};
use hangar_collectors::uipath::dto::{JobDto, OData, QueueItemDto, SessionDto};
use hangar_collectors::uipath::normalize::{self, JOB_STATE_MAP};
use hangar_collectors::uipath::webhook::{parse, sign, verify_signature};
use hangar_collectors::uipath::{UipathCursor, parse_and_normalize_jobs};
use hangar_model::fleet::{QueueItemState, RobotState, RunState, SourceId};

fn source() -> SourceId {
    SourceId::parse("finance-uipath").unwrap()
}

/// The REST example of the vendor reference (section 1.10).
const JOBS_PAGE: &str = r#"{"@odata.context":"https://cloud.uipath.com/acme/Prod/orchestrator_/odata/$metadata#Jobs","@odata.count":1,
 "value":[{"Key":"0b6f3a52-6a0e-4c5e-9a51-2f1de0c0a001","StartTime":"2025-03-01T10:00:05.12Z","EndTime":"2025-03-01T10:02:44.9Z",
  "State":"Faulted","JobPriority":"Normal","SpecificPriorityValue":45,"Source":"Schedule","SourceType":"Schedule",
  "Info":"Could not find the UI element 'Submit'.",
  "CreationTime":"2025-03-01T10:00:01.5Z","StartingScheduleId":42,"ReleaseName":"Invoices_Prod","Type":"Unattended",
  "InputArguments":"{\"batch\":7}","OutputArguments":null,"HostMachineName":"VM-RPA-01",
  "OrganizationUnitId":5,"OrganizationUnitFullyQualifiedName":"Finance/AP",
  "LastModificationTime":"2025-03-01T10:02:45.01Z","Id":90017,
  "Robot":{"Id":12,"Name":"ap-bot-01","MachineName":"VM-RPA-01","Type":"Unattended","HostingType":"Standard"},
  "Release":{"Id":77,"Key":"6c1d7f0e-1111-4a2b-8c3d-000000000077","ProcessKey":"Invoices","ProcessVersion":"1.0.12","Name":"Invoices_Prod"}}]}"#;

#[test]
fn the_documented_jobs_page_normalizes() {
    let runs = parse_and_normalize_jobs(JOBS_PAGE.as_bytes(), &source()).unwrap();
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.vendor_key, "0b6f3a52-6a0e-4c5e-9a51-2f1de0c0a001");
    assert_eq!(r.state, RunState::Failed);
    assert_eq!(r.raw_state, "Faulted");
    assert_eq!(r.process, "Invoices_Prod");
    assert_eq!(r.robot.as_deref(), Some("ap-bot-01"));
    assert_eq!(r.vm.as_deref(), Some("vm-rpa-01"));
    assert_eq!(r.folder.as_deref(), Some("Finance/AP"));
    assert_eq!(
        r.error.as_deref(),
        Some("Could not find the UI element 'Submit'.")
    );
    assert_eq!(r.trigger.as_deref(), Some("Schedule"));
    assert_eq!(r.schedule_key.as_deref(), Some("42"));
    assert_eq!(r.updated_at.unwrap().nanosecond(), 10_000_000);
    assert!(parse_and_normalize_jobs(b"{\"value\":[{", &source()).is_err());
}

#[test]
fn timestamps_with_one_to_seven_fractional_digits_parse() {
    let fracs = [
        "", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567",
    ];
    for (digits, frac) in fracs.iter().enumerate() {
        let body = format!(
            r#"{{"Id":1,"Key":"k","State":"Running","LastModificationTime":"2025-03-01T10:02:45{frac}Z"}}"#
        );
        let j: JobDto = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{frac}: {e}"));
        let t = j.last_modification_time.unwrap();
        assert_eq!((t.year(), t.second()), (2025, 45));
        let want: u32 = if digits == 0 {
            0
        } else {
            frac[1..].parse::<u32>().unwrap() * 10u32.pow(9 - digits as u32)
        };
        assert_eq!(t.nanosecond(), want, "{frac}");
    }
}

#[test]
fn unknown_enum_values_and_fields_never_break_parsing() {
    let body = r#"{"value":[{"Id":1,"Key":"k","State":"Cancelled","NewField":{"x":[1]},"Type":"Quantum",
        "SourceType":"Teleport","ReleaseName":null,"Robot":{"Id":3,"Name":null,"Type":"HyperRobot"}}]}"#;
    let page: OData<JobDto> = serde_json::from_str(body).unwrap();
    let run = normalize::job(&source(), &page.value[0], Some("Finance/AP"));
    assert_eq!(run.state, RunState::Unknown);
    assert_eq!(run.raw_state, "Cancelled");
    assert_eq!(run.folder.as_deref(), Some("Finance/AP"));
    let s: SessionDto =
        serde_json::from_str(r#"{"Id":1,"State":"Hibernating","IsUnresponsive":null}"#).unwrap();
    let r = normalize::session(&source(), &s, None);
    assert_eq!(
        (r.state, r.raw_state.as_str(), r.unresponsive),
        (RobotState::Unknown, "Hibernating", false)
    );
    let q: QueueItemDto =
        serde_json::from_str(r#"{"Id":9,"QueueDefinitionId":1,"Status":"Parked"}"#).unwrap();
    assert_eq!(
        normalize::queue_item(&source(), &q, "Q", None, None).state,
        QueueItemState::Unknown
    );
}

#[test]
fn every_vendor_value_maps_as_the_table_says() {
    for (raw, want) in JOB_STATE_MAP {
        assert_eq!(normalize::run_state(raw), *want, "{raw}");
    }
    assert_eq!(JOB_STATE_MAP.len(), 9);
    assert_eq!(normalize::run_state("Resumed"), RunState::Running);
    assert_eq!(normalize::run_state("Terminating"), RunState::Stopping);
    assert_eq!(
        normalize::run_state("4"),
        RunState::Failed,
        "numeric enum value"
    );
    assert_eq!(normalize::run_state("99"), RunState::Unknown);
    assert_eq!(
        normalize::robot_state("Disconnected"),
        RobotState::Disconnected
    );
    assert_eq!(
        normalize::queue_item_state("Successful"),
        QueueItemState::Succeeded
    );
    assert_eq!(
        normalize::queue_item_state("InProgress"),
        QueueItemState::InProgress
    );
    assert_eq!(normalize::queue_item_state("6"), QueueItemState::Deleted);
}

#[test]
fn signatures_verify_only_for_the_right_secret_and_body() {
    let body = br#"{"Type":"job.faulted","EventId":"1"}"#;
    let good = sign("s3cret", body);
    assert!(verify_signature("s3cret", body, Some(&good)));
    assert!(
        !verify_signature(
            "s3cret",
            br#"{"Type":"job.faulted","EventId":"2"}"#,
            Some(&good)
        ),
        "forged body"
    );
    assert!(!verify_signature("s3cret", body, None), "unsigned");
    assert!(
        !verify_signature("other", body, Some(&good)),
        "wrong secret"
    );
    assert!(!verify_signature("s3cret", body, Some("not base64 !!")));
    assert!(!verify_signature("s3cret", body, Some("")));
    assert!(!verify_signature(
        "s3cret",
        body,
        Some(&format!("sha256={good}"))
    ));
    // A known vector: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog").
    assert_eq!(
        sign("key", b"The quick brown fox jumps over the lazy dog"),
        "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
    );
}

#[test]
fn job_events_parse_singular_and_plural() {
    let faulted = r#"{"Type":"job.faulted","EventId":"5d2f0c9a1b7e4e33a0c1d2e3f4a5b6c7","Timestamp":"2025-03-01T10:02:45.1234567Z",
     "Job":{"Id":90017,"Key":"0b6f3a52-6a0e-4c5e-9a51-2f1de0c0a001","State":"Faulted","Type":"Unattended",
      "StartTime":"2025-03-01T10:00:05.12Z","EndTime":"2025-03-01T10:02:44.9Z",
      "Info":"Could not find the UI element 'Submit'.","OutputArguments":null,
      "Robot":{"Id":12,"Name":"ap-bot-01","MachineName":"VM-RPA-01"},
      "Release":{"Id":77,"Key":"6c1d7f0e-1111-4a2b-8c3d-000000000077","ProcessKey":"Invoices"}},
     "TenantId":3,"OrganizationUnitId":5}"#;
    let ev = parse(&source(), faulted.as_bytes()).unwrap();
    assert_eq!(
        (ev.kind.as_str(), ev.event_id.as_str()),
        ("job.faulted", "5d2f0c9a1b7e4e33a0c1d2e3f4a5b6c7")
    );
    let r = &ev.batch.runs[0];
    assert_eq!(
        (r.state, r.process.as_str(), r.vm.as_deref()),
        (RunState::Failed, "Invoices", Some("vm-rpa-01"))
    );
    assert_eq!(
        r.error.as_deref(),
        Some("Could not find the UI element 'Submit'.")
    );

    let completed = r#"{"Type":"job.completed","EventId":123,"Timestamp":"2025-03-01T10:02:45Z",
     "Job":{"Id":1,"Key":"a","State":"Successful","OutputArguments":{"processed":12},"Release":{"Name":"Invoices_Prod"}}}"#;
    let ev = parse(&source(), completed.as_bytes()).unwrap();
    assert_eq!(ev.event_id, "123");
    assert_eq!(ev.batch.runs[0].state, RunState::Succeeded);

    let stopped = r#"{"Type":"job.stopped","EventId":"e2","Timestamp":"2025-03-01T10:02:45Z",
     "Jobs":[{"Id":1,"Key":"a","State":"Stopped","OutputArguments":{}},{"Id":2,"Key":"b","State":"Stopped"}]}"#;
    let ev = parse(&source(), stopped.as_bytes()).unwrap();
    assert_eq!(ev.batch.runs.len(), 2);
    assert!(ev.batch.runs.iter().all(|r| r.state == RunState::Stopped));

    let created = r#"{"Type":"job.created","EventId":"e3","Timestamp":"2025-03-01T10:02:45Z","StartInfo":{},
     "Jobs":[{"Id":5,"Key":"c","State":"Pending","ReleaseName":"Invoices_Prod","HostMachineName":"vm-rpa-02.corp","OutputArguments":null}]}"#;
    let ev = parse(&source(), created.as_bytes()).unwrap();
    assert_eq!(ev.batch.runs[0].state, RunState::Queued);
    assert_eq!(ev.batch.runs[0].vm.as_deref(), Some("vm-rpa-02"));
}

#[test]
fn robot_schedule_and_queue_events_parse() {
    let status = r#"{"Type":"robot.status","EventId":"r1","Timestamp":"2025-03-01T10:05:00Z","Sessions":[{"SessionId":301,"RobotId":12,
      "HostMachineName":"VM-RPA-01","State":"Disconnected","ReportingTime":"2025-03-01T10:05:00.5Z","IsUnresponsive":false}],
      "TenantId":3,"OrganizationUnitId":5}"#;
    let ev = parse(&source(), status.as_bytes()).unwrap();
    let r = &ev.batch.robots[0];
    assert_eq!(
        (r.vendor_key.as_str(), r.state, r.vm.as_deref()),
        ("12", RobotState::Disconnected, Some("vm-rpa-01"))
    );

    let failed = r#"{"Type":"schedule.failed","EventId":"s1","Timestamp":"2025-03-01T10:05:00Z","Reason":"No robots available",
      "ProcessSchedule":{"Id":42,"Name":"Invoices hourly","Enabled":true,"StartProcessCron":"0 0 0/1 1/1 * ? *",
      "TimeZoneId":"UTC","TimeZoneIana":"Etc/UTC","Release":{"Id":77,"Name":"Invoices_Prod"},"InputArguments":{}}}"#;
    let ev = parse(&source(), failed.as_bytes()).unwrap();
    let s = &ev.batch.schedules[0];
    assert_eq!(
        (
            s.vendor_key.as_str(),
            s.process.as_str(),
            s.cron.as_deref(),
            s.time_zone.as_deref()
        ),
        (
            "42",
            "Invoices_Prod",
            Some("0 0 0/1 1/1 * ? *"),
            Some("Etc/UTC")
        )
    );
    assert!(ev.batch.runs.is_empty() && ev.batch.robots.is_empty());

    let tx_failed = r#"{"Type":"queueItem.transactionFailed","EventId":"q1","Timestamp":"2025-03-01T10:05:00Z",
      "QueueItem":{"Id":7,"Key":"0b6f3a52-6a0e-4c5e-9a51-2f1de0c0a009","Status":"Failed","QueueDefinitionId":3,"Reference":"INV-1",
        "ProcessingException":{"Reason":"Missing cost center","Type":"BusinessException"},"CreationTime":"2025-03-01T09:00:00Z"},
      "Queue":{"Id":3,"Name":"InvoicesQueue","SlaInMinutes":60}}"#;
    let ev = parse(&source(), tx_failed.as_bytes()).unwrap();
    let q = &ev.batch.queue_items[0];
    assert_eq!(
        (q.queue.as_str(), q.state, q.error.as_deref()),
        (
            "InvoicesQueue",
            QueueItemState::Failed,
            Some("Missing cost center")
        )
    );
    assert_eq!(
        q.due_at.unwrap().to_rfc3339(),
        "2025-03-01T10:00:00+00:00",
        "SLA from creation"
    );

    let abandoned = r#"{"Type":"queueItem.transactionAbandoned","EventId":"q2","Timestamp":"2025-03-01T10:05:00Z",
      "Queue":{"Id":3,"Name":"InvoicesQueue"},"QueueItems":[{"Id":8,"Status":"Abandoned"},{"Id":9,"Status":"Abandoned"}]}"#;
    let ev = parse(&source(), abandoned.as_bytes()).unwrap();
    assert_eq!(ev.batch.queue_items.len(), 2);
    assert!(
        ev.batch
            .queue_items
            .iter()
            .all(|q| q.state == QueueItemState::Abandoned)
    );
}

#[test]
fn other_events_are_valid_but_empty_and_garbage_is_refused() {
    for kind in ["task.created", "ping", "queue.created", "brand.new.event"] {
        let body = format!(
            r#"{{"Type":"{kind}","EventId":"x1","Timestamp":"2025-03-01T10:05:00Z","Whatever":[1,2]}}"#
        );
        let ev = parse(&source(), body.as_bytes()).unwrap();
        assert_eq!(ev.kind, kind);
        assert!(ev.batch.is_empty());
    }
    assert!(parse(&source(), b"not json").is_err());
    assert!(
        parse(&source(), br#"{"Type":"job.faulted"}"#).is_err(),
        "no EventId"
    );
    assert!(parse(&source(), br#"{"EventId":"1"}"#).is_err(), "no Type");
}

#[test]
fn cursors_round_trip_and_garbage_is_an_error() {
    assert_eq!(
        UipathCursor::from_stored(None).unwrap(),
        UipathCursor::default()
    );
    assert_eq!(
        UipathCursor::from_stored(Some(serde_json::Value::Null)).unwrap(),
        UipathCursor::default()
    );
    assert!(UipathCursor::from_stored(Some(serde_json::json!({"folders": 3}))).is_err());
    let c = UipathCursor::default();
    assert_eq!(UipathCursor::from_stored(Some(c.to_value())).unwrap(), c);
}
