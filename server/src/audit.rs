//! The audit log: every state change and every credential read — who, what, when, from
//! where. Append-only (database triggers refuse UPDATE and DELETE) and never holds a secret.
//!
//! Fail-closed: callers record before they act, and answer 500 without acting when the
//! entry cannot be written, so nothing happens that the log does not show. If the action
//! then fails, a second entry with outcome `failed` follows.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;

use crate::auth::Principal;
use crate::error::AppError;
use crate::store::{NewAuditEntry, Store};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    Ok,
    Denied,
    Failed,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct AuditEvent {
    /// A dotted verb, e.g. "secret.reveal", "anomaly.acknowledge", "user.create", "auth.login_failed".
    pub action: &'static str,
    /// What it acted on, e.g. "secret:<uuid>", "anomaly:42".
    pub target: String,
    pub outcome: AuditOutcome,
    /// Never a secret value.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn ok(action: &'static str, target: impl Into<String>) -> AuditEvent {
        AuditEvent {
            action,
            target: target.into(),
            outcome: AuditOutcome::Ok,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn with_outcome(mut self, outcome: AuditOutcome) -> AuditEvent {
        self.outcome = outcome;
        self
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> AuditEvent {
        self.detail = detail;
        self
    }
}

/// Who acted, when it is not a signed-in principal.
#[derive(Clone, Debug)]
pub enum Actor<'a> {
    Principal(&'a Principal),
    /// Someone not signed in, e.g. a failed sign-in naming this user.
    Anonymous {
        name: &'a str,
        ip: Option<IpAddr>,
    },
    /// An operator at the `hangar` command line.
    Cli,
    /// Hangar itself.
    System,
}

pub struct AuditLog {
    store: Arc<dyn Store>,
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>) -> AuditLog {
        AuditLog { store }
    }

    pub async fn record(&self, who: Option<&Principal>, event: AuditEvent) -> Result<(), AppError> {
        let actor = match who {
            Some(p) => Actor::Principal(p),
            None => Actor::Anonymous {
                name: "anonymous",
                ip: None,
            },
        };
        self.record_as(actor, event).await
    }

    pub async fn record_as(&self, actor: Actor<'_>, event: AuditEvent) -> Result<(), AppError> {
        let (actor_user_id, actor_name, via, ip) = match actor {
            Actor::Principal(p) => (
                Some(p.user_id),
                p.username.clone(),
                p.via.as_str(),
                p.ip.map(|i| i.to_string()),
            ),
            Actor::Anonymous { name, ip } => (
                None,
                name.chars().take(100).collect(),
                "session",
                ip.map(|i| i.to_string()),
            ),
            Actor::Cli => (None, cli_user(), "cli", None),
            Actor::System => (None, "hangar".to_owned(), "system", None),
        };
        let entry = NewAuditEntry {
            at: Utc::now(),
            actor_user_id,
            actor_name,
            via,
            ip,
            action: event.action.to_owned(),
            target: event.target,
            outcome: event.outcome.as_str(),
            detail: event.detail,
        };
        match self.store.append_audit(&entry).await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, action = %entry.action, "audit entry not written; refusing the action");
                Err(e.into())
            }
        }
    }
}

/// The operating-system user running the CLI, as far as the environment tells.
fn cli_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".to_owned())
}
