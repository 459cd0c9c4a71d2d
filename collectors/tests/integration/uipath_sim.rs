//! The simulator enforces what Orchestrator enforces.

use std::collections::BTreeSet;
use std::time::Duration;

use hangar_collectors::uipath::sim::{SimConfig, SimHandle, UipathSimulator};
use serde_json::Value;

async fn token(sim: &SimHandle) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{}/acme/identity_/connect/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "hangar-collector"),
            ("client_secret", "sim-client-secret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn get(
    sim: &SimHandle,
    path: &str,
    token: Option<&str>,
    folder: Option<&str>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", sim.base_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(f) = folder {
        req = req.header("X-UIPATH-OrganizationUnitId", f);
    }
    let resp = req.send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn tokens_folders_and_top_caps_are_enforced() {
    let sim = UipathSimulator::start(SimConfig::default()).await.unwrap();
    let t = token(&sim).await;
    let jobs = "/acme/Prod/orchestrator_/odata/Jobs";
    assert_eq!(get(&sim, jobs, None, Some("2")).await.0, 401);
    assert_eq!(get(&sim, jobs, Some("sim-forged"), Some("2")).await.0, 401);
    let (status, body) = get(&sim, jobs, Some(&t), None).await;
    assert_eq!((status, body["errorCode"].as_i64()), (400, Some(1101)));
    assert!(body["message"].is_string() && body["traceId"].is_string());
    assert_eq!(
        get(&sim, jobs, Some(&t), Some("9999")).await.1["errorCode"],
        1100
    );
    assert_eq!(
        get(&sim, &format!("{jobs}?$top=1001"), Some(&t), Some("2"))
            .await
            .0,
        400
    );
    assert_eq!(
        get(&sim, &format!("{jobs}?$top=1000"), Some(&t), Some("2"))
            .await
            .0,
        200
    );
    let items = "/odata/QueueItems";
    assert_eq!(
        get(&sim, &format!("{items}?$top=101"), Some(&t), Some("2"))
            .await
            .0,
        400
    );
    assert_eq!(
        get(&sim, &format!("{items}?$top=100"), Some(&t), Some("2"))
            .await
            .0,
        200
    );
    assert_eq!(
        get(&sim, "/odata/Machines", Some(&t), None).await.0,
        200,
        "tenant level"
    );
    assert_eq!(
        get(
            &sim,
            "/other/Prod/orchestrator_/odata/Folders",
            Some(&t),
            None
        )
        .await
        .0,
        404
    );
    let (_, bad) = get(
        &sim,
        &format!("{jobs}?$filter=State%20like%20'x'"),
        Some(&t),
        Some("2"),
    )
    .await;
    assert!(bad["message"].as_str().unwrap().contains("$filter"));
    assert!(sim.requests_per_minute("Jobs")[0] >= 7);
    sim.stop().await;
}

#[tokio::test]
async fn collections_page_filter_and_vary_their_timestamp_precision() {
    let sim = UipathSimulator::start(SimConfig::default()).await.unwrap();
    sim.advance(Duration::from_secs(3600));
    let t = token(&sim).await;
    let (_, folders) = get(&sim, "/odata/Folders", Some(&t), None).await;
    let ap = folders["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["FullyQualifiedName"] == "Finance/AP")
        .unwrap();
    let ap = ap["Id"].to_string();
    let (_, all) = get(
        &sim,
        "/odata/Jobs?$orderby=LastModificationTime%20asc,Id%20asc",
        Some(&t),
        Some(&ap),
    )
    .await;
    let n = all["@odata.count"].as_u64().unwrap() as usize;
    assert!(n > 5);
    let (_, page) = get(
        &sim,
        "/odata/Jobs?$top=2&$skip=1&$orderby=LastModificationTime%20asc,Id%20asc",
        Some(&t),
        Some(&ap),
    )
    .await;
    assert_eq!(page["@odata.count"].as_u64().unwrap() as usize, n);
    assert_eq!(page["value"][0]["Id"], all["value"][1]["Id"]);
    let mid = all["value"][n / 2]["LastModificationTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, later) = get(
        &sim,
        &format!("/odata/Jobs?$filter=LastModificationTime%20ge%20{mid}"),
        Some(&t),
        Some(&ap),
    )
    .await;
    assert_eq!(later["value"].as_array().unwrap().len(), n - n / 2);
    let id = &all["value"][0]["Id"];
    let (_, one) = get(
        &sim,
        &format!("/odata/Jobs?$filter=Id%20in%20({id},1)"),
        Some(&t),
        Some(&ap),
    )
    .await;
    assert_eq!(one["value"].as_array().unwrap().len(), 1);
    let digits: BTreeSet<usize> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["LastModificationTime"].as_str())
        .map(|s| s.split_once('.').map_or(0, |(_, f)| f.len() - 1))
        .collect();
    assert!(
        digits.len() >= 4 && digits.iter().all(|d| (1..=7).contains(d)),
        "{digits:?}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn on_prem_login_binds_case_insensitively() {
    let sim = UipathSimulator::start(SimConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let v: Value = http
        .post(format!("{}/api/account/authenticate", sim.base_url()))
        .json(&serde_json::json!({"tenancyName": "Prod", "usernameOrEmailAddress": "admin", "password": "sim-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["success"], true);
    assert_eq!(v["__abp"], true);
    let t = v["result"].as_str().unwrap();
    assert_eq!(get(&sim, "/odata/Folders", Some(t), None).await.0, 200);
    let bad = http
        .post(format!("{}/api/Account/Authenticate", sim.base_url()))
        .json(&serde_json::json!({"TenancyName": "Prod", "UsernameOrEmailAddress": "admin", "Password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    sim.stop().await;
}

#[tokio::test]
async fn the_fleet_is_deterministic_per_seed_and_moves_on() {
    let a = UipathSimulator::start(SimConfig::default()).await.unwrap();
    let b = UipathSimulator::start(SimConfig::default()).await.unwrap();
    assert_eq!(a.jobs(), b.jobs());
    assert_eq!(a.robots().len(), 45);
    let before = a.jobs().len();
    a.advance(Duration::from_secs(6 * 3600));
    assert!(a.jobs().len() > before);
    let states: BTreeSet<String> = a.jobs().into_iter().map(|(_, s, _)| s).collect();
    for s in ["Successful", "Faulted", "Running"] {
        assert!(states.contains(s), "{states:?}");
    }
    assert!(
        a.robots().iter().any(|(_, s, u)| s == "Disconnected" || *u),
        "robots misbehave"
    );
    a.set_realtime(true);
    let t0 = a.now();
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert!(a.now() > t0, "real-time ticker");
    a.stop().await;
    b.stop().await;
}
