//! Control Room sessions over real HTTP: password tokens superseded by another login,
//! API-key tokens side by side, expiry in simulated time, refresh, refused credentials.

use std::time::Duration;

use hangar_collectors::aa::AaCollector;
use hangar_collectors::aa::sim::{AaSimulator, SimConfig, SimHandle};
use hangar_collectors::sim::{Fault, FaultScope};
use hangar_collectors::{CollectError, Collector, SourceAuth};
use hangar_model::SourceId;
use secrecy::SecretString;

const MIN: Duration = Duration::from_secs(60);

async fn sim() -> SimHandle {
    let sim = AaSimulator::start(SimConfig::default()).await.unwrap();
    sim.advance(30 * MIN).await;
    sim
}

fn collector(sim: &SimHandle, api_key: bool) -> AaCollector {
    AaCollector::new(&sim.source_config(SourceId("aa-ops".into()), "ops", api_key)).unwrap()
}

#[tokio::test]
async fn password_login_elsewhere_supersedes_and_the_client_recovers() {
    let sim = sim().await;
    let a = collector(&sim, false);
    let b = collector(&sim, false);
    let (_, cursor_a) = a.poll(None).await.unwrap();
    assert_eq!(sim.logins(), 1);
    // Another script logs in with the same account: a's token is dead now.
    let other = sim.login_elsewhere().unwrap();
    assert!(!other.is_empty());
    let (_, cursor_a) = a.poll(Some(cursor_a)).await.unwrap();
    assert_eq!(sim.logins(), 3, "a logged in again once");
    assert!(a.stats().retries >= 1);
    // Two collectors on one password account take turns superseding each other; each
    // still gets through, one fresh login per poll.
    let (_, cursor_b) = b.poll(None).await.unwrap();
    a.poll(Some(cursor_a)).await.unwrap();
    b.poll(Some(cursor_b)).await.unwrap();
    assert_eq!(sim.logins(), 6);
    sim.stop().await;
}

#[tokio::test]
async fn api_key_sessions_live_side_by_side() {
    let sim = sim().await;
    let a = collector(&sim, true);
    let b = collector(&sim, true);
    let (_, ca) = a.poll(None).await.unwrap();
    let (_, cb) = b.poll(None).await.unwrap();
    sim.login_elsewhere().unwrap();
    a.poll(Some(ca)).await.unwrap();
    b.poll(Some(cb)).await.unwrap();
    assert_eq!(sim.logins(), 3, "nobody had to log in again");
    assert_eq!(a.stats().retries, 0);
    sim.stop().await;
}

#[tokio::test]
async fn token_expiry_in_simulated_time_means_a_fresh_login() {
    let sim = sim().await;
    let a = collector(&sim, true);
    let (_, c) = a.poll(None).await.unwrap();
    sim.advance(25 * MIN).await;
    let (batch, _) = a.poll(Some(c)).await.unwrap();
    assert!(!batch.robots.is_empty());
    assert_eq!(sim.logins(), 2);
    sim.stop().await;
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire() {
    let sim = sim().await;
    let a = collector(&sim, false).with_token_lifetime(20 * MIN, Duration::ZERO);
    let (_, c) = a.poll(None).await.unwrap();
    a.poll(Some(c)).await.unwrap();
    assert_eq!(sim.logins(), 1, "refreshed, not logged in again");
    assert!(sim.requests("/v1/authentication/token") >= 3);
    sim.stop().await;
}

#[tokio::test]
async fn a_second_401_after_a_fresh_login_is_an_auth_error() {
    let sim = sim().await;
    let a = collector(&sim, true);
    sim.faults().arm(FaultScope::Runs, Fault::ExpireToken, 2);
    let err = a.poll(None).await.unwrap_err();
    assert!(matches!(err, CollectError::Auth(_)), "{err}");
    a.poll(None).await.expect("fine once the Control Room is");
    sim.stop().await;
}

#[tokio::test]
async fn refused_credentials_and_foreign_sources() {
    let sim = sim().await;
    let mut cfg = sim.source_config(SourceId("aa-ops".into()), "ops", false);
    cfg.auth = SourceAuth::AaPassword {
        username: "svc_hangar".into(),
        password: SecretString::from("wrong"),
    };
    let err = AaCollector::new(&cfg)
        .unwrap()
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, CollectError::Auth(_)), "{err}");
    assert!(!err.to_string().contains("wrong"), "no secret in errors");
    cfg.auth = SourceAuth::UipathOnPrem {
        tenancy_name: "Default".into(),
        username: "x".into(),
        password: SecretString::from("y"),
    };
    assert!(AaCollector::new(&cfg).is_err());
    sim.stop().await;
}

#[tokio::test]
async fn requests_without_a_token_are_refused() {
    let sim = sim().await;
    let resp = reqwest::Client::new()
        .post(format!("{}/v3/activity/list", sim.base_url()))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let resp = reqwest::Client::new()
        .post(format!("{}/v3/activity/list", sim.base_url()))
        .header("X-Authorization", "eyJhbGciOiJSUzUxMiJ9.forged")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    sim.stop().await;
}
