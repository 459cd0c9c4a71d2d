//! How findings become anomalies, and the transitions a person makes by hand.
//!
//! ```text
//!            finding, no active anomaly            acknowledge
//!   (none) ─────────────────────────────▶ Open ─────────────────▶ Acknowledged
//!                                          ▲ ◀───────────────── │
//!                                          │     unacknowledge    │
//!        condition clears (auto) or resolve_by_hand (either state)
//!                                          ▼                      ▼
//!                                        Resolved  (final: a recurrence opens a new anomaly)
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::types::{Acknowledgement, Anomaly, AnomalyKind, AnomalyState, Finding, Severity};

/// What the store must do after one evaluation round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Create a new anomaly ([`Anomaly::from_finding`]).
    Open(Finding),
    /// An active anomaly fired again; its state (Open or Acknowledged) does not change.
    Refire {
        id: i64,
        last_seen: DateTime<Utc>,
        count: u64,
        last_occurrence: String,
        severity: Severity,
        detail: String,
    },
    /// The condition cleared: the anomaly resolves by itself (`resolved_by` stays `None`).
    AutoResolve { id: i64, at: DateTime<Utc> },
}

/// Turns this round's findings into changes to the active anomalies.
///
/// * `active`: the stored anomalies; resolved ones in it are ignored.
/// * `findings`: everything the rules of the `evaluated` kinds found this round.
/// * `evaluated`: the kinds whose rules ran; active anomalies of other kinds are left alone
///   (their rule may not have had fresh data this round).
///
/// Rules:
/// * a finding whose `dedup_key` matches an active anomaly refires it: `count` grows by one only
///   when `occurrence` differs from `last_occurrence`; severity takes the higher of the two, so
///   it may rise but never silently fall; an Acknowledged anomaly stays Acknowledged;
/// * a finding with no active anomaly opens a new one, even when a resolved one with the same key
///   exists (a recurrence after resolution is a new anomaly);
/// * an active anomaly of an evaluated kind with no finding is auto-resolved at `now`.
///
/// Several findings with one key in a round count as one: the most severe wins (the first of
/// equals). Should the store hold several active anomalies with one key, the one with the
/// highest id refires and the others are left alone. Output order: findings in input order,
/// then auto-resolutions in `active` order.
pub fn reconcile(
    active: &[Anomaly],
    findings: &[Finding],
    evaluated: &[AnomalyKind],
    now: DateTime<Utc>,
) -> Vec<Change> {
    let mut by_key: BTreeMap<&str, &Anomaly> = BTreeMap::new();
    for a in active.iter().filter(|a| a.is_active()) {
        let slot = by_key.entry(a.dedup_key.as_str()).or_insert(a);
        if a.id > slot.id {
            *slot = a;
        }
    }

    let mut order: Vec<&str> = Vec::new();
    let mut winner: BTreeMap<&str, &Finding> = BTreeMap::new();
    for f in findings {
        match winner.get(f.dedup_key.as_str()) {
            None => {
                order.push(&f.dedup_key);
                winner.insert(&f.dedup_key, f);
            }
            Some(w) if f.severity > w.severity => {
                winner.insert(&f.dedup_key, f);
            }
            Some(_) => {}
        }
    }

    let mut changes = Vec::new();
    for key in order {
        let f = winner[key];
        match by_key.get(key) {
            Some(a) => {
                let count = if f.occurrence != a.last_occurrence {
                    a.count.saturating_add(1)
                } else {
                    a.count
                };
                changes.push(Change::Refire {
                    id: a.id,
                    last_seen: a.last_seen.max(f.observed_at),
                    count,
                    last_occurrence: f.occurrence.clone(),
                    severity: a.severity.max(f.severity),
                    detail: f.detail.clone(),
                });
            }
            None => changes.push(Change::Open(f.clone())),
        }
    }

    for a in active.iter().filter(|a| a.is_active()) {
        let keyed_to_finding = winner.contains_key(a.dedup_key.as_str());
        if evaluated.contains(&a.kind) && !keyed_to_finding {
            changes.push(Change::AutoResolve { id: a.id, at: now });
        }
    }
    changes
}

impl Anomaly {
    /// The anomaly after a [`Change::Refire`] or [`Change::AutoResolve`] for its id; any other
    /// change leaves it as it is.
    pub fn apply(&self, change: &Change) -> Anomaly {
        let mut a = self.clone();
        match change {
            Change::Refire {
                id,
                last_seen,
                count,
                last_occurrence,
                severity,
                detail,
            } if *id == a.id => {
                a.last_seen = *last_seen;
                a.count = *count;
                a.last_occurrence = last_occurrence.clone();
                a.severity = *severity;
                a.detail = detail.clone();
            }
            Change::AutoResolve { id, at } if *id == a.id => {
                a.state = AnomalyState::Resolved;
                a.resolved_at = Some(*at);
                a.resolved_by = None;
            }
            _ => {}
        }
        a
    }
}

/// A hand transition that does not apply to the anomaly's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleError {
    /// Only an Open anomaly can be acknowledged.
    #[error("only an open anomaly can be acknowledged")]
    NotOpen,
    /// Only an Acknowledged anomaly can be unacknowledged.
    #[error("the anomaly is not acknowledged")]
    NotAcknowledged,
    /// A resolved anomaly is final.
    #[error("the anomaly is already resolved")]
    AlreadyResolved,
    /// The person acting must be named.
    #[error("who is acting must be given")]
    MissingActor,
}

impl LifecycleError {
    /// The stable name, for API error codes and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleError::NotOpen => "not_open",
            LifecycleError::NotAcknowledged => "not_acknowledged",
            LifecycleError::AlreadyResolved => "already_resolved",
            LifecycleError::MissingActor => "missing_actor",
        }
    }
}

fn actor(by: &str) -> Result<String, LifecycleError> {
    let by = by.trim();
    if by.is_empty() {
        Err(LifecycleError::MissingActor)
    } else {
        Ok(by.to_owned())
    }
}

/// Open → Acknowledged. A blank note is dropped.
pub fn acknowledge(
    a: &Anomaly,
    by: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Anomaly, LifecycleError> {
    match a.state {
        AnomalyState::Open => {}
        AnomalyState::Acknowledged => return Err(LifecycleError::NotOpen),
        AnomalyState::Resolved => return Err(LifecycleError::AlreadyResolved),
    }
    let by = actor(by)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let mut out = a.clone();
    out.state = AnomalyState::Acknowledged;
    out.ack = Some(Acknowledgement {
        by,
        at: now,
        note: note.map(str::to_owned),
    });
    Ok(out)
}

/// Acknowledged → Open; the acknowledgement is dropped.
pub fn unacknowledge(a: &Anomaly) -> Result<Anomaly, LifecycleError> {
    match a.state {
        AnomalyState::Acknowledged => {}
        AnomalyState::Open => return Err(LifecycleError::NotAcknowledged),
        AnomalyState::Resolved => return Err(LifecycleError::AlreadyResolved),
    }
    let mut out = a.clone();
    out.state = AnomalyState::Open;
    out.ack = None;
    Ok(out)
}

/// Open or Acknowledged → Resolved by a person. If the condition is still there, the next
/// round opens a new anomaly.
pub fn resolve_by_hand(
    a: &Anomaly,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Anomaly, LifecycleError> {
    if !a.is_active() {
        return Err(LifecycleError::AlreadyResolved);
    }
    let by = actor(by)?;
    let mut out = a.clone();
    out.state = AnomalyState::Resolved;
    out.resolved_at = Some(now);
    out.resolved_by = Some(by);
    Ok(out)
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
