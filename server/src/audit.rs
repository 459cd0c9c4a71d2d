//! STAND-IN for engineer A's `server/src/audit.rs` (issue #6 identity contract). The whole
//! file is dropped at merge in favour of A's; the vault relies only on `AuditEvent`,
//! `AuditOutcome` and `AuditLog::record` as the contract states them.

use std::sync::Arc;

use chrono::Utc;

use crate::auth::{AuthVia, Principal};
use crate::error::AppError;
use crate::store::{AuditRow, Store};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    Ok,
    Denied,
    Failed,
}

impl AuditOutcome {
    fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub action: &'static str,
    pub target: String,
    pub outcome: AuditOutcome,
    /// Never a secret value.
    pub detail: serde_json::Value,
}

pub struct AuditLog {
    store: Arc<dyn Store>,
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>) -> AuditLog {
        AuditLog { store }
    }

    /// Fail-closed: an error here makes the caller answer 500 without acting.
    pub async fn record(&self, who: Option<&Principal>, event: AuditEvent) -> Result<(), AppError> {
        let via = who.map(|p| match &p.via {
            AuthVia::Session => "session".to_owned(),
            AuthVia::Token { token_id, .. } => format!("token:{token_id}"),
        });
        let row = AuditRow {
            at: Utc::now(),
            actor_user_id: who.map(|p| p.user_id.0),
            actor_name: who.map(|p| p.username.clone()),
            via,
            ip: who.and_then(|p| p.ip).map(|ip| ip.to_string()),
            action: event.action.to_owned(),
            target: event.target,
            outcome: event.outcome.as_str().to_owned(),
            detail: event.detail,
        };
        self.store.insert_audit(&row).await?;
        Ok(())
    }
}
