//! The simulator speaks UiPath's published OpenAPI document: every REST collection and every
//! webhook body it sends is validated against the schema the document gives for it.
//!
//! The validator is deliberately small: `$ref`, `allOf`, object properties (no property the
//! schema does not declare; required ones present), arrays, and the scalar types and formats
//! (`date-time`, `uuid`, `int32`, `int64`), enums and `maxLength`. The document never says
//! `nullable`, yet Orchestrator sends `null` for absent values, so `null` passes for any
//! property that is not required. OData annotations (`@odata.*`) are protocol, not schema.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hangar_collectors::uipath::sim::{SimConfig, UipathSimulator};
use hangar_collectors::uipath::webhook;
use hangar_model::fleet::SourceId;
use serde_json::{Map, Value};

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/vendor/uipath-orchestrator.openapi.yaml"
        );
        // shared/ sits beside the repository, on developer machines and in CI alike.
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("the vendor OpenAPI document at {path} (shared/ beside the repository): {e}")
        });
        serde_yaml::from_str(&text).expect("YAML")
    })
}

fn schema(name: &str) -> &'static Value {
    &spec()["components"]["schemas"][name]
}

fn resolve(s: &Value) -> &Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(schema(r.trim_start_matches("#/components/schemas/"))),
        None => s,
    }
}

/// Properties and required names of an object schema, `allOf` parts merged.
fn object_parts(s: &Value) -> (Map<String, Value>, Vec<String>) {
    let s = resolve(s);
    let mut props = Map::new();
    let mut required = Vec::new();
    for part in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (p, r) = object_parts(part);
        props.extend(p);
        required.extend(r);
    }
    if let Some(p) = s.get("properties").and_then(Value::as_object) {
        props.extend(p.clone());
    }
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        required.push(r.as_str().unwrap_or_default().to_owned());
    }
    (props, required)
}

fn validate(s: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let s = resolve(s);
    if v.is_null() {
        return;
    }
    let is_object = s.get("type").and_then(Value::as_str) == Some("object")
        || s.get("properties").is_some()
        || s.get("allOf").is_some();
    if is_object {
        let Some(obj) = v.as_object() else {
            errs.push(format!("{at}: expected an object, got {v}"));
            return;
        };
        let (props, required) = object_parts(s);
        if props.is_empty() {
            return; // A free-form object (`SpecificContent`, `ExecutionSettings`).
        }
        for (k, child) in obj {
            if k.starts_with("@odata.") {
                continue;
            }
            match props.get(k) {
                Some(ps) => validate(ps, child, &format!("{at}.{k}"), errs),
                None => errs.push(format!("{at}: property {k} is not in the schema")),
            }
        }
        for r in required {
            if obj.get(&r).is_none_or(Value::is_null) {
                errs.push(format!("{at}: required property {r} missing"));
            }
        }
        return;
    }
    let ty = s.get("type").and_then(Value::as_str).unwrap_or_default();
    let format = s.get("format").and_then(Value::as_str).unwrap_or_default();
    match ty {
        "array" => match v.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate(&s["items"], item, &format!("{at}[{i}]"), errs);
                }
            }
            None => errs.push(format!("{at}: expected an array")),
        },
        "string" => {
            let Some(text) = v.as_str() else {
                errs.push(format!("{at}: expected a string, got {v}"));
                return;
            };
            match format {
                "date-time" => {
                    let ok = text.ends_with('Z')
                        && chrono::DateTime::parse_from_rfc3339(text).is_ok()
                        && text
                            .split_once('.')
                            .is_none_or(|(_, f)| (1..=7).contains(&(f.len() - 1)));
                    if !ok {
                        errs.push(format!("{at}: bad date-time {text}"));
                    }
                }
                "uuid" if uuid::Uuid::parse_str(text).is_err() => {
                    errs.push(format!("{at}: bad uuid {text}"));
                }
                _ => {}
            }
            if let Some(e) = s.get("enum").and_then(Value::as_array)
                && !e.iter().any(|x| x.as_str() == Some(text))
            {
                errs.push(format!("{at}: {text} is not in the enum"));
            }
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
                && text.chars().count() as u64 > max
            {
                errs.push(format!("{at}: longer than {max}"));
            }
        }
        "integer" => match v.as_i64() {
            Some(n) if format == "int32" && i32::try_from(n).is_err() => {
                errs.push(format!("{at}: {n} is not an int32"));
            }
            Some(_) => {}
            None => errs.push(format!("{at}: expected an integer, got {v}")),
        },
        "number" if !v.is_number() => errs.push(format!("{at}: expected a number")),
        "boolean" if !v.is_boolean() => errs.push(format!("{at}: expected a boolean")),
        _ => {}
    }
}

fn check(s: &Value, v: &Value, what: &str) {
    let mut errs = Vec::new();
    validate(s, v, what, &mut errs);
    assert!(
        errs.is_empty(),
        "{what} does not match its schema:\n{}",
        errs.join("\n")
    );
}

/// The schema of the 200 answer of `GET path`.
fn get_schema(path: &str) -> &'static Value {
    &spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
}

/// The webhook payload schema tagged `x-webhook-event: kind`.
fn event_schema(kind: &str) -> Option<&'static Value> {
    spec()["components"]["schemas"]
        .as_object()?
        .values()
        .find(|s| s.get("x-webhook-event").and_then(Value::as_str) == Some(kind))
}

#[test]
fn the_validator_catches_what_it_should() {
    let job = schema("JobDto");
    let mut errs = Vec::new();
    validate(
        job,
        &serde_json::json!({"State": "Exploded", "Id": "x", "Bogus": 1,
        "CreationTime": "2025-03-01T10:00:00.12345678Z", "Key": "not-a-uuid"}),
        "job",
        &mut errs,
    );
    assert_eq!(errs.len(), 5, "{errs:?}");
    // `allOf` is followed: ExtendedMachineDto has MachineDto's properties and requires Name.
    let mut errs = Vec::new();
    validate(
        schema("ExtendedMachineDto"),
        &serde_json::json!({"Id": 1}),
        "m",
        &mut errs,
    );
    assert_eq!(errs, vec!["m: required property Name missing".to_owned()]);
}

#[tokio::test]
async fn rest_responses_match_the_openapi_schemas() {
    let sim = UipathSimulator::start(SimConfig {
        fault_rate: 0.2,
        history: Duration::from_secs(4 * 3600),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/identity_/connect/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "hangar-collector"),
            ("client_secret", "sim-client-secret"),
            ("scope", "OR.Jobs.Read"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let root = format!("{}/acme/Prod/orchestrator_/odata", sim.base_url());
    let get = |collection: &str, folder: Option<i64>, query: &[(&str, &str)]| {
        let mut req = http
            .get(format!("{root}/{collection}"))
            .bearer_auth(&token)
            .query(query);
        if let Some(f) = folder {
            req = req.header("X-UIPATH-OrganizationUnitId", f.to_string());
        }
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let folders = get("Folders", None, &[]).await;
    check(get_schema("/odata/Folders"), &folders, "Folders");
    check(
        get_schema("/odata/Machines"),
        &get("Machines", None, &[]).await,
        "Machines",
    );
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for f in folders["value"].as_array().unwrap() {
        let id = f["Id"].as_i64();
        for (collection, query) in [
            ("Jobs", vec![("$expand", "Robot,Release")]),
            ("Sessions", vec![("$expand", "Robot")]),
            ("Robots", vec![]),
            ("Releases", vec![]),
            ("ProcessSchedules", vec![]),
            ("QueueDefinitions", vec![]),
            ("QueueItems", vec![("$top", "100")]),
        ] {
            let body = get(collection, id, &query).await;
            check(
                get_schema(&format!("/odata/{collection}")),
                &body,
                collection,
            );
            *seen.entry(collection).or_default() += body["value"].as_array().unwrap().len();
        }
    }
    for (collection, n) in &seen {
        assert!(*n > 0, "the sim served no {collection}");
    }
    sim.stop().await;
}

type Deliveries = Arc<Mutex<Vec<(Option<String>, Bytes)>>>;

async fn receiver(status: StatusCode) -> (String, Deliveries) {
    let got: Deliveries = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hooks/uipath",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            async move {
                let sig = headers
                    .get(webhook::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                sink.lock().unwrap().push((sig, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/uipath", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

fn busy_tenant(webhook: (String, String)) -> SimConfig {
    SimConfig {
        fault_rate: 0.2,
        disconnect_rate: 1.0 / 2000.0,
        history: Duration::from_secs(600),
        webhook: Some(webhook),
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn webhook_bodies_match_their_schemas_are_signed_and_parse() {
    let (url, got) = receiver(StatusCode::OK).await;
    let secret = "whsec-test-1";
    let sim = UipathSimulator::start(busy_tenant((url, secret.into())))
        .await
        .unwrap();
    for _ in 0..8 {
        sim.advance(Duration::from_secs(1800));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if sim.webhook_stats().delivered as usize == got.lock().unwrap().len()
            && !got.lock().unwrap().is_empty()
        {
            break;
        }
    }
    let source = SourceId::parse("finance-uipath").unwrap();
    let got = got.lock().unwrap().clone();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for (sig, body) in &got {
        assert!(webhook::verify_signature(secret, body, sig.as_deref()));
        let v: Value = serde_json::from_slice(body).unwrap();
        let kind = v["Type"].as_str().unwrap().to_owned();
        let s = event_schema(&kind).unwrap_or_else(|| panic!("no schema for {kind}"));
        check(s, &v, &kind);
        let ev = webhook::parse(&source, body).unwrap();
        assert_eq!(ev.kind, kind);
        assert_eq!(ev.event_id, v["EventId"].as_str().unwrap());
        assert!(!ev.batch.is_empty(), "{kind} carries records");
        *kinds.entry(kind).or_default() += 1;
    }
    for k in [
        "job.started",
        "job.completed",
        "job.faulted",
        "robot.status",
        "queueItem.transactionFailed",
    ] {
        assert!(kinds.contains_key(k), "no {k} among {kinds:?}");
    }
    let stats = sim.webhook_stats();
    assert_eq!((stats.failed, stats.dropped), (0, 0));
    sim.stop().await;
}

#[tokio::test]
async fn a_failed_delivery_opens_the_breaker_and_later_events_are_dropped() {
    let (url, got) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let sim = UipathSimulator::start(busy_tenant((url, "s".into())))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(3600));
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if sim.webhook_stats().dropped > 0 {
            break;
        }
    }
    let stats = sim.webhook_stats();
    assert_eq!(stats.failed, 1, "{stats:?}");
    assert_eq!(stats.delivered, 0);
    assert!(stats.dropped > 0);
    assert_eq!(got.lock().unwrap().len(), 1);
    sim.stop().await;
}
