//! What the collectors bring in, normalized: one vocabulary for every vendor.
//!
//! Each record keeps the vendor's own identifiers and raw state next to Hangar's normalized
//! ones, so nothing the vendor said is lost and the mapping can be audited (docs/collectors.md
//! has the table of every vendor value and what it becomes).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which product a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Vendor {
    Uipath,
    AutomationAnywhere,
}

impl Vendor {
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Uipath => "uipath",
            Vendor::AutomationAnywhere => "automation_anywhere",
        }
    }
}

/// A configured vendor tenant Hangar reads from: a short slug such as `finance-uipath`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct SourceId(pub String);

impl SourceId {
    /// Slugs are lowercase letters, digits and dashes, 1–64 long: they appear in URLs
    /// (`/hooks/uipath/{source}`) and metric labels.
    pub fn parse(s: &str) -> Result<SourceId, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(SourceId(s.to_owned()))
        } else {
            Err(format!(
                "a source id is 1-64 lowercase letters, digits and inner dashes, got {s:?}"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One state set for every vendor's runs (UiPath jobs, Automation Anywhere executions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunState {
    Queued,
    Running,
    Suspended,
    Stopping,
    Succeeded,
    Failed,
    Stopped,
    /// The vendor said something Hangar does not know; the raw state is kept.
    Unknown,
}

impl RunState {
    /// Finished for good: a collector stops re-checking it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunState::Succeeded | RunState::Failed | RunState::Stopped
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Suspended => "suspended",
            RunState::Stopping => "stopping",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Stopped => "stopped",
            RunState::Unknown => "unknown",
        }
    }
}

/// One execution of a process on a robot, as the vendor reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Run {
    pub source: SourceId,
    pub vendor: Vendor,
    /// The vendor's stable key: UiPath `Job.Key`, AA execution `id`.
    pub vendor_key: String,
    /// The process (UiPath release name, AA automation file name).
    pub process: String,
    /// The robot (UiPath robot name, AA run-as user name), when known.
    pub robot: Option<String>,
    /// The machine it ran on, normalized with [`vm_name`]; this is how runs map to Hangar VMs.
    pub vm: Option<String>,
    /// UiPath folder path, AA file path.
    pub folder: Option<String>,
    pub state: RunState,
    /// The vendor's own state string, unchanged.
    pub raw_state: String,
    pub created_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// The vendor's last-modified time, used for incremental polling.
    pub updated_at: Option<DateTime<Utc>>,
    /// Error text of a failed run.
    pub error: Option<String>,
    /// How it was started (UiPath `SourceType`, AA `type`): `Schedule`, `Manual`, `Queue`, …
    pub trigger: Option<String>,
    /// The schedule that started it, when one did.
    pub schedule_key: Option<String>,
}

/// A robot's (UiPath session's, AA device's) connection state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RobotState {
    Available,
    Busy,
    Disconnected,
    Unknown,
}

/// A robot and the machine it lives on, with its last reported status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RobotStatus {
    pub source: SourceId,
    pub vendor: Vendor,
    /// UiPath robot `Id`, AA device `id` (as text).
    pub vendor_key: String,
    pub name: String,
    pub vm: Option<String>,
    pub folder: Option<String>,
    pub state: RobotState,
    pub raw_state: String,
    /// The vendor flags it as not reporting (UiPath `IsUnresponsive`: silent for > 120 s).
    pub unresponsive: bool,
    /// The robot's last heartbeat as the vendor saw it.
    pub reported_at: Option<DateTime<Utc>>,
}

/// A process definition (UiPath release, AA bot file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessInfo {
    pub source: SourceId,
    pub vendor: Vendor,
    pub vendor_key: String,
    pub name: String,
    pub version: Option<String>,
    pub folder: Option<String>,
}

/// A time trigger for a process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleInfo {
    pub source: SourceId,
    pub vendor: Vendor,
    pub vendor_key: String,
    pub name: String,
    pub process: String,
    pub enabled: bool,
    /// Quartz 7-field cron (`sec min hour dom month dow year`) when the vendor gives one.
    /// AA schedules are converted to this form by their collector.
    pub cron: Option<String>,
    /// IANA time zone the cron is read in.
    pub time_zone: Option<String>,
    pub next_run_at: Option<DateTime<Utc>>,
    pub folder: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum QueueItemState {
    New,
    InProgress,
    Failed,
    Succeeded,
    Abandoned,
    Retried,
    Deleted,
    Unknown,
}

/// One work item in a queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub source: SourceId,
    pub vendor: Vendor,
    pub vendor_key: String,
    pub queue: String,
    pub folder: Option<String>,
    pub state: QueueItemState,
    pub raw_state: String,
    pub reference: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// When the item must be done (UiPath `DueDate`, else queue SLA from creation).
    pub due_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// Everything one poll of a source produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub runs: Vec<Run>,
    pub robots: Vec<RobotStatus>,
    pub processes: Vec<ProcessInfo>,
    pub schedules: Vec<ScheduleInfo>,
    pub queue_items: Vec<QueueItem>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
            && self.robots.is_empty()
            && self.processes.is_empty()
            && self.schedules.is_empty()
            && self.queue_items.is_empty()
    }
}

/// The Hangar VM a vendor's machine name refers to: host part only, lowercase.
/// `VM-RPA-01.corp.example` and `vm-rpa-01` are the same VM.
pub fn vm_name(host: &str) -> Option<String> {
    let host = host.trim();
    let short = host.split('.').next().unwrap_or(host).trim();
    (!short.is_empty()).then(|| short.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_are_url_safe_slugs() {
        assert!(SourceId::parse("finance-uipath").is_ok());
        assert!(SourceId::parse("aa2").is_ok());
        for bad in ["", "Finance", "a b", "-x", "x-", "a/b", &"x".repeat(65)] {
            assert!(SourceId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn terminal_states() {
        use RunState::*;
        for s in [Succeeded, Failed, Stopped] {
            assert!(s.is_terminal());
        }
        for s in [Queued, Running, Suspended, Stopping, Unknown] {
            assert!(!s.is_terminal());
        }
        assert_eq!(serde_json::to_string(&Succeeded).unwrap(), "\"succeeded\"");
        assert_eq!(Succeeded.as_str(), "succeeded");
    }

    #[test]
    fn vm_names_ignore_domain_and_case() {
        assert_eq!(
            vm_name("VM-RPA-01.corp.example").as_deref(),
            Some("vm-rpa-01")
        );
        assert_eq!(vm_name(" vm-rpa-01 ").as_deref(), Some("vm-rpa-01"));
        assert_eq!(vm_name(""), None);
        assert_eq!(vm_name(".corp"), None);
    }
}
