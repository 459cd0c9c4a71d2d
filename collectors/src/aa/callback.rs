//! Deploy callbacks: the one thing a Control Room pushes. A deployment made with
//! `callbackInfo {url, headers}` makes the Control Room POST to `url`, with those static
//! headers, when the bot finishes. No signature scheme is documented, so the operator puts a
//! shared secret in a header of their choosing and [`verify_token`] checks it.
//!
//! The body schema is UNCONFIRMED. Accepted: a JSON object with an execution id (`executionId`,
//! `activityId`, `automationExecutionId` or `id`) and/or a `deploymentId`, and a status
//! (`status`, `executionStatus` or `jobExecutionStatus`); optional `fileName`/`automationName`/
//! `botName`, `deviceName`, `userName`/`username`, `startDateTime`, `endDateTime`,
//! `modifiedOn`, `message`, and `botOutVariables` (either `{"values": {…}}` or the map itself).
//! Other fields are ignored.

use std::collections::BTreeMap;

use hangar_model::{Batch, SourceId};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::dto::Activity;
use super::normalize::{activity_to_run, run_state};
use crate::WebhookEvent;
use crate::error::CollectError;

/// A callback body, understood.
#[derive(Clone, Debug, PartialEq)]
pub struct AaCallback {
    pub execution_id: Option<String>,
    pub deployment_id: Option<String>,
    pub status: String,
    /// Output variables by name; each value as the Control Room sent it
    /// (`{"type":"STRING","string":"…"}`).
    pub out_variables: BTreeMap<String, Value>,
    /// The rest, read like an activity record.
    pub activity: Activity,
}

fn text(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Reads a callback body.
pub fn parse_details(body: &[u8]) -> Result<AaCallback, CollectError> {
    const WHAT: &str = "AA deploy callback";
    let value: Value = serde_json::from_slice(body).map_err(|e| CollectError::decode(WHAT, e))?;
    let Value::Object(obj) = value else {
        return Err(CollectError::decode(WHAT, "not a JSON object"));
    };
    let execution_id = text(
        &obj,
        &["executionId", "activityId", "automationExecutionId", "id"],
    );
    let deployment_id = text(&obj, &["deploymentId"]);
    if execution_id.is_none() && deployment_id.is_none() {
        return Err(CollectError::decode(
            WHAT,
            "neither an execution id nor a deployment id",
        ));
    }
    let status = text(&obj, &["status", "executionStatus", "jobExecutionStatus"])
        .ok_or_else(|| CollectError::decode(WHAT, "no status"))?;
    let out_variables = match obj.get("botOutVariables") {
        Some(Value::Object(m)) => match m.get("values") {
            Some(Value::Object(values)) => values.clone(),
            _ => m.clone(),
        }
        .into_iter()
        .collect(),
        _ => BTreeMap::new(),
    };
    let activity = Activity {
        id: execution_id.clone().unwrap_or_default(),
        automation_name: text(&obj, &["automationName"]),
        file_name: text(&obj, &["fileName", "botName"]),
        file_id: text(&obj, &["fileId", "botId"]),
        file_path: text(&obj, &["filePath"]),
        kind: text(&obj, &["type"]),
        start_date_time: text(&obj, &["startDateTime"]),
        end_date_time: text(&obj, &["endDateTime"]),
        status: Some(status.clone()),
        deployment_id: deployment_id.clone(),
        device_name: text(&obj, &["deviceName", "hostName"]),
        device_id: text(&obj, &["deviceId"]),
        user_id: text(&obj, &["userId"]),
        user_name: text(&obj, &["userName", "username"]),
        message: text(&obj, &["message", "errorMessage"]),
        modified_on: text(&obj, &["modifiedOn"]),
        ..Activity::default()
    };
    Ok(AaCallback {
        execution_id,
        deployment_id,
        status,
        out_variables,
        activity,
    })
}

/// A callback as a [`WebhookEvent`]: `event_id` is `<execution or deployment id>:<STATUS>`
/// (a redelivery has the same one), `kind` is `execution.<hangar state>`. The batch holds a
/// run when the execution id and the bot are known; otherwise the event is only a hint to
/// poll.
pub fn parse(source: &SourceId, body: &[u8]) -> Result<WebhookEvent, CollectError> {
    let cb = parse_details(body)?;
    let key = cb
        .execution_id
        .as_deref()
        .or(cb.deployment_id.as_deref())
        .unwrap_or_default();
    let status = cb.status.to_ascii_uppercase();
    let mut batch = Batch::default();
    let named = cb.activity.file_name.is_some() || cb.activity.automation_name.is_some();
    if cb.execution_id.is_some()
        && named
        && let Some(run) = activity_to_run(&cb.activity, source)
    {
        batch.runs.push(run);
    }
    Ok(WebhookEvent {
        event_id: format!("{key}:{status}"),
        kind: format!("execution.{}", run_state(&status).as_str()),
        batch,
    })
}

/// Whether the shared-secret header matches, in time independent of where they differ.
/// An empty expected token never matches.
pub fn verify_token(expected: &str, header: Option<&str>) -> bool {
    let Some(got) = header else {
        return false;
    };
    if expected.is_empty() {
        return false;
    }
    let a = Sha256::digest(expected.as_bytes());
    let b = Sha256::digest(got.trim().as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangar_model::RunState;

    fn src() -> SourceId {
        SourceId("aa-finance".into())
    }

    #[test]
    fn full_callback_becomes_a_run() {
        let body = br#"{"deploymentId":"d-1","executionId":"e-1_abc","status":"COMPLETED",
            "fileName":"Invoices","deviceName":"VM-AA-03","userName":"svc_rpa_03",
            "endDateTime":"2026-11-21T08:00:00.123456789Z","unexpected":[1,2],
            "botOutVariables":{"values":{"total":{"type":"NUMBER","number":"12"}}}}"#;
        let ev = parse(&src(), body).unwrap();
        assert_eq!(ev.event_id, "e-1_abc:COMPLETED");
        assert_eq!(ev.kind, "execution.succeeded");
        let run = &ev.batch.runs[0];
        assert_eq!(run.vendor_key, "e-1_abc");
        assert_eq!(run.state, RunState::Succeeded);
        assert_eq!(run.vm.as_deref(), Some("vm-aa-03"));
        let d = parse_details(body).unwrap();
        assert_eq!(d.out_variables["total"]["number"], "12");
    }

    #[test]
    fn deployment_only_callback_is_a_hint() {
        let ev = parse(&src(), br#"{"deploymentId":"d-9","status":"RUN_FAILED"}"#).unwrap();
        assert_eq!(ev.event_id, "d-9:RUN_FAILED");
        assert_eq!(ev.kind, "execution.failed");
        assert!(ev.batch.runs.is_empty());
        let ev = parse(&src(), br#"{"executionId":"e","status":"WEIRD_NEW"}"#).unwrap();
        assert_eq!(ev.kind, "execution.unknown");
        assert!(ev.batch.runs.is_empty(), "no bot name, no run");
    }

    #[test]
    fn bad_bodies_are_refused() {
        for body in [
            &b"not json"[..],
            br#"[1,2]"#,
            br#"{"status":"COMPLETED"}"#,
            br#"{"executionId":"e"}"#,
        ] {
            assert!(
                matches!(parse(&src(), body), Err(CollectError::Decode { .. })),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(verify_token("s3cret", Some("s3cret")));
        assert!(verify_token("s3cret", Some(" s3cret ")));
        assert!(!verify_token("s3cret", Some("s3cre")));
        assert!(!verify_token("s3cret", None));
        assert!(!verify_token("", Some("")));
    }
}
