//! The Orchestrator wire format, for the fields Hangar reads.
//!
//! Property names are PascalCase as on the wire (except the error body and the ABP login answer,
//! which are camelCase). Enum-valued properties are kept as plain strings: a value UiPath adds
//! tomorrow must not break parsing, and normalization keeps the raw string next to Hangar's
//! value. Unknown properties are ignored. Timestamps accept 1 to 7 fractional second digits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The OData collection envelope: `{"@odata.context", "@odata.count", "value": [...]}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct OData<T> {
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<i64>,
    pub value: Vec<T>,
}

/// `JobDto`, as listed by `GET /odata/Jobs` (`Robot` and `Release` present with `$expand`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct JobDto {
    pub id: i64,
    #[serde(deserialize_with = "null_default")]
    pub key: String,
    #[serde(deserialize_with = "null_default")]
    pub state: String,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub creation_time: Option<DateTime<Utc>>,
    pub last_modification_time: Option<DateTime<Utc>>,
    pub info: Option<String>,
    pub source: Option<String>,
    pub source_type: Option<String>,
    pub starting_schedule_id: Option<i64>,
    pub release_name: Option<String>,
    #[serde(rename = "Type")]
    pub job_type: Option<String>,
    pub host_machine_name: Option<String>,
    pub organization_unit_id: Option<i64>,
    pub organization_unit_fully_qualified_name: Option<String>,
    pub robot: Option<SimpleRobotDto>,
    pub release: Option<SimpleReleaseDto>,
}

/// `SimpleRobotDto` / `RobotDto` / `RobotWithLicenseDto`: the fields Hangar needs are shared.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RobotDto {
    pub id: i64,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    pub machine_name: Option<String>,
    pub machine_id: Option<i64>,
    pub username: Option<String>,
    #[serde(rename = "Type")]
    pub robot_type: Option<String>,
    pub hosting_type: Option<String>,
    pub enabled: Option<bool>,
}

/// Robots are embedded in jobs and sessions with the same fields.
pub type SimpleRobotDto = RobotDto;

/// `SimpleReleaseDto` / `ReleaseDto` (a "process" in the UI).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReleaseDto {
    pub id: i64,
    pub key: Option<String>,
    pub process_key: Option<String>,
    pub process_version: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    pub organization_unit_id: Option<i64>,
    pub organization_unit_fully_qualified_name: Option<String>,
}

pub type SimpleReleaseDto = ReleaseDto;

/// `SessionDto`: the last status a robot reported.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SessionDto {
    pub id: i64,
    pub robot: Option<RobotDto>,
    pub host_machine_name: Option<String>,
    pub machine_id: Option<i64>,
    pub machine_name: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub state: String,
    pub reporting_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "null_default")]
    pub is_unresponsive: bool,
    pub organization_unit_id: Option<i64>,
    pub folder_name: Option<String>,
}

/// `ExtendedMachineDto` (= `MachineDto` + `UpdateInfo`), tenant level.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MachineDto {
    pub id: i64,
    pub key: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(rename = "Type")]
    pub machine_type: Option<String>,
    pub scope: Option<String>,
}

pub type ExtendedMachineDto = MachineDto;

/// `ProcessScheduleDto` (a time trigger). `StartProcessCron` is Quartz 7-field.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ProcessScheduleDto {
    pub id: i64,
    pub key: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub enabled: bool,
    pub release_id: Option<i64>,
    pub release_name: Option<String>,
    pub start_process_cron: Option<String>,
    pub start_process_next_occurrence: Option<DateTime<Utc>>,
    pub time_zone_id: Option<String>,
    pub time_zone_iana: Option<String>,
}

/// `QueueDefinitionDto`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct QueueDefinitionDto {
    pub id: i64,
    pub key: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    pub sla_in_minutes: Option<i32>,
    pub organization_unit_id: Option<i64>,
    pub organization_unit_fully_qualified_name: Option<String>,
}

/// `ProcessingExceptionDto` (REST) and `WrappedProcessingExceptionDto` (events).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ProcessingExceptionDto {
    pub reason: Option<String>,
    pub details: Option<String>,
    #[serde(rename = "Type")]
    pub exception_type: Option<String>,
}

/// `QueueItemDto`. It has no `LastModificationTime`: clients window on `CreationTime` and
/// `EndProcessing` instead.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct QueueItemDto {
    pub id: i64,
    pub key: Option<String>,
    pub queue_definition_id: i64,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    pub reference: Option<String>,
    pub processing_exception: Option<ProcessingExceptionDto>,
    pub due_date: Option<DateTime<Utc>>,
    pub start_processing: Option<DateTime<Utc>>,
    pub end_processing: Option<DateTime<Utc>>,
    pub creation_time: Option<DateTime<Utc>>,
    pub organization_unit_id: Option<i64>,
    pub organization_unit_fully_qualified_name: Option<String>,
}

/// `FolderDto` (an organization unit).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FolderDto {
    pub id: i64,
    pub key: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub display_name: String,
    pub fully_qualified_name: Option<String>,
    pub folder_type: Option<String>,
    pub parent_id: Option<i64>,
}

/// The error body: `{"message", "errorCode", "traceId"}` (camelCase on the wire).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub message: String,
    pub error_code: Option<i64>,
    pub trace_id: Option<String>,
}

/// The identity server's token answer.
#[derive(Clone, Deserialize, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The ABP `AjaxResponse` of on-prem `/api/Account/Authenticate`: `result` is the token.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AjaxResponse {
    pub result: Option<String>,
    pub target_url: Option<String>,
    pub success: bool,
    pub error: Option<serde_json::Value>,
    pub un_authorized_request: bool,
    #[serde(rename = "__abp")]
    pub abp: bool,
}

impl std::fmt::Debug for AjaxResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AjaxResponse")
            .field("result", &self.result.as_ref().map(|_| "[redacted]"))
            .field("success", &self.success)
            .finish()
    }
}

/// Formats a timestamp the way the client writes OData `DateTimeOffset` literals: 7 digits.
pub fn odata_datetime(t: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

/// Reads `null` as the type's default, for properties the spec does not mark nullable but the
/// server sends as `null` anyway.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
