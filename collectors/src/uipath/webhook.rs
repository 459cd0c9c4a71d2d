//! Orchestrator webhook deliveries: signature check and parsing into records.
//!
//! Webhooks are hints. Orchestrator drops events while a webhook's circuit breaker is open,
//! so polling reconciles whatever they say; a parsed event is for freshness, and its
//! `event_id` is for deduplicating redeliveries.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hangar_model::fleet::{Batch, RobotStatus, SourceId, Vendor, vm_name};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::dto::{
    JobDto, ProcessScheduleDto, QueueDefinitionDto, QueueItemDto, ReleaseDto, RobotDto,
};
use super::normalize;
use crate::WebhookEvent;
use crate::error::CollectError;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-UiPath-Signature";

/// Checks `X-UiPath-Signature`: Base64 of HMAC-SHA256 over the raw body, keyed with the UTF-8
/// bytes of the secret, compared in constant time. A missing or undecodable header fails.
pub fn verify_signature(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(header) = header else {
        return false;
    };
    let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The header value Orchestrator sends for `body` signed with `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The common envelope and every payload property Hangar reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct Envelope {
    #[serde(rename = "Type")]
    kind: Option<String>,
    event_id: Option<serde_json::Value>,
    timestamp: Option<DateTime<Utc>>,
    tenant_id: Option<i64>,
    organization_unit_id: Option<i64>,
    job: Option<EventJob>,
    jobs: Option<Vec<EventJob>>,
    sessions: Option<Vec<EventSession>>,
    process_schedule: Option<EventSchedule>,
    reason: Option<String>,
    queue_item: Option<QueueItemDto>,
    queue_items: Option<Vec<QueueItemDto>>,
    queue: Option<QueueDefinitionDto>,
}

/// `SimpleJobEventDto` (and `WrappedJobDto` in `job.created`): unlike the REST `JobDto`,
/// `OutputArguments` is an object (or null) and there is no `LastModificationTime`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct EventJob {
    id: i64,
    key: Option<String>,
    state: Option<String>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    creation_time: Option<DateTime<Utc>>,
    info: Option<String>,
    source_type: Option<String>,
    release_name: Option<String>,
    host_machine_name: Option<String>,
    starting_schedule_id: Option<i64>,
    #[serde(rename = "OutputArguments")]
    _output_arguments: Option<serde_json::Value>,
    robot: Option<RobotDto>,
    release: Option<EventRelease>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct EventRelease {
    id: i64,
    key: Option<String>,
    process_key: Option<String>,
    name: Option<String>,
}

/// `SessionEventData` of `robot.status`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct EventSession {
    session_id: Option<i64>,
    robot_id: Option<i64>,
    host_machine_name: Option<String>,
    service_username: Option<String>,
    state: Option<String>,
    reporting_time: Option<DateTime<Utc>>,
    is_unresponsive: Option<bool>,
}

/// `WrappedProcessScheduleDto` of `schedule.failed`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct EventSchedule {
    id: i64,
    name: Option<String>,
    enabled: Option<bool>,
    start_process_cron: Option<String>,
    time_zone_id: Option<String>,
    time_zone_iana: Option<String>,
    release: Option<EventRelease>,
}

impl EventJob {
    fn to_dto(&self) -> JobDto {
        let release_name = [
            self.release_name.as_deref(),
            self.release.as_ref().and_then(|r| r.name.as_deref()),
            self.release.as_ref().and_then(|r| r.process_key.as_deref()),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .map(str::to_owned);
        JobDto {
            id: self.id,
            key: self.key.clone().unwrap_or_default(),
            state: self.state.clone().unwrap_or_default(),
            start_time: self.start_time,
            end_time: self.end_time,
            creation_time: self.creation_time,
            info: self.info.clone(),
            source_type: self.source_type.clone(),
            starting_schedule_id: self.starting_schedule_id,
            release_name,
            host_machine_name: self.host_machine_name.clone(),
            robot: self.robot.clone(),
            release: self.release.as_ref().map(|r| ReleaseDto {
                id: r.id,
                key: r.key.clone(),
                process_key: r.process_key.clone(),
                name: r.name.clone().unwrap_or_default(),
                ..ReleaseDto::default()
            }),
            ..JobDto::default()
        }
    }
}

/// Parses a delivery. Known payloads become records (`job.*` → runs, `robot.status` →
/// robot statuses, `schedule.failed` → the schedule, `queueItem.*` → queue items); any other
/// event type is still a valid event with an empty batch, so it can be acknowledged and
/// deduplicated. Runs from events carry no `updated_at` (events have no
/// `LastModificationTime`) and no folder path (events only carry `OrganizationUnitId`);
/// robot statuses from `robot.status` are keyed by `RobotId` and named by `ServiceUsername`
/// (the payload has no robot name).
pub fn parse(source: &SourceId, body: &[u8]) -> Result<WebhookEvent, CollectError> {
    let env: Envelope =
        serde_json::from_slice(body).map_err(|e| CollectError::decode("UiPath webhook", e))?;
    let kind = env
        .kind
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| CollectError::decode("UiPath webhook", "no Type"))?;
    let event_id = match &env.event_id {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(CollectError::decode("UiPath webhook", "no EventId")),
    };
    tracing::trace!(
        kind,
        tenant = env.tenant_id,
        folder = env.organization_unit_id,
        at = ?env.timestamp,
        "UiPath webhook"
    );
    let mut batch = Batch::default();
    if kind.starts_with("job.") {
        let jobs = env.job.iter().chain(env.jobs.iter().flatten());
        batch.runs = jobs
            .map(|j| normalize::job(source, &j.to_dto(), None))
            .collect();
    } else if kind == "robot.status" {
        batch.robots = env
            .sessions
            .iter()
            .flatten()
            .map(|s| session(source, s))
            .collect();
    } else if kind == "schedule.failed" {
        if let Some(s) = &env.process_schedule {
            let dto = ProcessScheduleDto {
                id: s.id,
                name: s.name.clone().unwrap_or_default(),
                enabled: s.enabled.unwrap_or(true),
                release_name: s.release.as_ref().and_then(|r| r.name.clone()),
                start_process_cron: s.start_process_cron.clone(),
                time_zone_id: s.time_zone_id.clone(),
                time_zone_iana: s.time_zone_iana.clone(),
                ..ProcessScheduleDto::default()
            };
            batch
                .schedules
                .push(normalize::schedule(source, &dto, None));
            tracing::debug!(schedule = s.id, reason = ?env.reason, "UiPath schedule failed");
        }
    } else if kind.starts_with("queueItem.") {
        let queue = env.queue.as_ref();
        batch.queue_items = env
            .queue_item
            .iter()
            .chain(env.queue_items.iter().flatten())
            .map(|q| {
                normalize::queue_item(
                    source,
                    q,
                    queue.map(|d| d.name.as_str()).unwrap_or_default(),
                    queue.and_then(|d| d.sla_in_minutes),
                    None,
                )
            })
            .collect();
    }
    Ok(WebhookEvent {
        event_id,
        kind,
        batch,
    })
}

fn session(source: &SourceId, s: &EventSession) -> RobotStatus {
    let raw = s.state.clone().unwrap_or_default();
    RobotStatus {
        source: source.clone(),
        vendor: Vendor::Uipath,
        vendor_key: match (s.robot_id, s.session_id) {
            (Some(r), _) => r.to_string(),
            (None, Some(id)) => format!("session-{id}"),
            (None, None) => String::new(),
        },
        name: s.service_username.clone().unwrap_or_default(),
        vm: s.host_machine_name.as_deref().and_then(vm_name),
        folder: None,
        state: normalize::robot_state(&raw),
        raw_state: raw,
        unresponsive: s.is_unresponsive.unwrap_or(false),
        reported_at: s.reporting_time,
    }
}
