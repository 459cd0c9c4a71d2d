//! The credential vault over real HTTP on both engines: secrets with versions and
//! check-and-set, soft delete, owner-only reveal, grants and robot retrieval, sealing,
//! unsealing, KEK rotation across nodes, the CLI — and that no plaintext ever reaches the
//! logs, the database or the audit log.
//!
//! Callers are made by [`Who`]: real users in the store, signed in with real sessions (and
//! their CSRF token) or holding real API tokens.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, TestApp, TestDb};

mod callers;
mod keys;
mod plaintext;

pub(crate) use callers::*;

async fn crud_versions_and_cas(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(keyed_config(&db)).await;
    let alice = Who::user("alice");

    let id = create(&app, &alice, secret_body("SAP prod", "svc_sap", "pw-v1")).await;
    let listed = get(&app, &alice, "/api/v1/secrets").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let text = listed.body.to_string();
    assert!(
        !text.contains("svc_sap") && !text.contains("pw-v1") && !text.contains("notes for"),
        "{text}"
    );
    assert_eq!(listed.body[0]["system"], "SAP");
    assert_eq!(listed.body[0]["tags"], json!(["finance"]));

    let first = reveal(&app, &alice, &id, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.cache_control.as_deref(), Some("no-store"));
    assert_eq!(
        (
            &first.body["username"],
            &first.body["password"],
            &first.body["notes"],
            &first.body["version"]
        ),
        (
            &json!("svc_sap"),
            &json!("pw-v1"),
            &json!("notes for SAP prod"),
            &json!(1)
        )
    );

    // Check-and-set: the current version wins, a stale one is refused.
    assert_eq!(update(&app, &alice, &id, 1, "pw-v2").await.status, 200);
    let stale = update(&app, &alice, &id, 1, "pw-lost").await;
    assert_eq!(
        (stale.status, stale.code()),
        (409, "cas_mismatch"),
        "{}",
        stale.body
    );
    let mut no_cas = secret_body("SAP prod", "svc_sap", "pw");
    no_cas["cas"] = Value::Null;
    let missing = call(
        &app,
        &alice,
        Method::PUT,
        &format!("/api/v1/secrets/{id}"),
        Some(no_cas),
    )
    .await;
    assert_eq!(missing.status, 400);

    // Twelve versions in all: only the newest ten are kept, and each opens as written.
    for v in 2..12 {
        let r = update(&app, &alice, &id, v, &format!("pw-v{}", v + 1)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["current_version"], v + 1);
    }
    let detail = get(&app, &alice, &format!("/api/v1/secrets/{id}")).await;
    let versions: Vec<u64> = detail.body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, (3..=12).rev().collect::<Vec<_>>());
    assert_eq!(
        reveal(&app, &alice, &id, Some(3)).await.body["password"],
        "pw-v3"
    );
    assert_eq!(
        reveal(&app, &alice, &id, None).await.body["password"],
        "pw-v12"
    );
    assert_eq!(reveal(&app, &alice, &id, Some(2)).await.status, 404);

    // Validation, and a bad id.
    let bad = post(&app, &alice, "/api/v1/secrets", secret_body("", "u", "p")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        get(&app, &alice, "/api/v1/secrets/not-a-uuid").await.status,
        400
    );
    let anonymous = app
        .anonymous
        .get(app.url("/api/v1/secrets"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    app.stop().await;
    db.drop().await;
}

async fn soft_delete_and_undelete(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(keyed_config(&db)).await;
    let alice = Who::user("alice");
    let robot = Who::robot("robot:demo-uipath/RPA-FIN-01");
    let id = create(&app, &alice, secret_body("SAP", "svc", "pw-del")).await;
    let grant = post(
        &app,
        &alice,
        &format!("/api/v1/secrets/{id}/grants"),
        json!({"grantee": "robot:demo-uipath/RPA-FIN-01", "asset_name": "SAP"}),
    )
    .await;
    assert_eq!(grant.status, 201, "{}", grant.body);
    assert_eq!(
        get(&app, &robot, "/api/v1/robot/credentials/SAP")
            .await
            .status,
        200
    );

    let path = format!("/api/v1/secrets/{id}");
    assert_eq!(
        call(&app, &alice, Method::DELETE, &path, None).await.status,
        204
    );
    assert_eq!(
        call(&app, &alice, Method::DELETE, &path, None).await.status,
        409
    );
    assert_eq!(get(&app, &alice, "/api/v1/secrets").await.body, json!([]));
    let with_deleted = get(&app, &alice, "/api/v1/secrets?include_deleted=true").await;
    assert!(
        with_deleted.body[0]["deleted_at"].is_string(),
        "{}",
        with_deleted.body
    );
    assert_eq!(reveal(&app, &alice, &id, None).await.status, 409);
    assert_eq!(update(&app, &alice, &id, 1, "pw").await.status, 409);
    // A deleted secret's grants stop working at once.
    assert_eq!(
        get(&app, &robot, "/api/v1/robot/credentials/SAP")
            .await
            .status,
        404
    );

    let restored = post(&app, &alice, &format!("{path}/undelete"), json!({})).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert!(restored.body["deleted_at"].is_null());
    assert_eq!(
        reveal(&app, &alice, &id, None).await.body["password"],
        "pw-del"
    );
    assert_eq!(
        get(&app, &robot, "/api/v1/robot/credentials/SAP")
            .await
            .status,
        200
    );
    assert_eq!(
        post(&app, &alice, &format!("{path}/undelete"), json!({}))
            .await
            .status,
        409
    );
    app.stop().await;
    db.drop().await;
}

async fn only_the_owner_reads(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(keyed_config(&db)).await;
    let (alice, bob, admin) = (Who::user("alice"), Who::user("bob"), Who::admin("root"));
    let id = create(&app, &alice, secret_body("SAP", "svc", "pw-owner-only")).await;
    let path = format!("/api/v1/secrets/{id}");

    for who in [&bob, &admin] {
        assert_eq!(reveal(&app, who, &id, None).await.status, 404);
        assert_eq!(get(&app, who, &path).await.status, 404);
        assert_eq!(update(&app, who, &id, 1, "pw-stolen").await.status, 404);
        assert_eq!(
            call(&app, who, Method::DELETE, &path, None).await.status,
            404
        );
        assert_eq!(get(&app, who, &format!("{path}/grants")).await.status, 404);
        let grant = post(
            &app,
            who,
            &format!("{path}/grants"),
            json!({"grantee": "robot:src/evil", "asset_name": "steal"}),
        )
        .await;
        assert_eq!(grant.status, 404);
        assert_eq!(get(&app, who, "/api/v1/secrets").await.body, json!([]));
    }
    // Admins may list every user's metadata, never values; others may not.
    let all = get(&app, &admin, "/api/v1/secrets?all=true").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body[0]["owner_name"], "alice");
    assert!(
        !all.body.to_string().contains("pw-owner-only") && !all.body.to_string().contains("svc\"")
    );
    assert_eq!(
        get(&app, &bob, "/api/v1/secrets?all=true").await.status,
        403
    );

    // The owner's API token manages but never reveals; a read-only token only reads.
    let token = alice.token_of("api:read,api:write");
    assert_eq!(get(&app, &token, &path).await.status, 200);
    assert_eq!(reveal(&app, &token, &id, None).await.status, 403);
    let read_only = alice.token_of("api:read");
    assert_eq!(update(&app, &read_only, &id, 1, "pw").await.status, 403);
    assert_eq!(
        reveal(&app, &alice, &id, None).await.body["password"],
        "pw-owner-only"
    );

    let denied = audit_rows(&db).await;
    assert!(
        denied
            .iter()
            .any(|(action, target, outcome, _)| action == "secret.reveal"
                && target == &format!("secret:{id}")
                && outcome == "denied"),
        "{denied:?}"
    );
    app.stop().await;
    db.drop().await;
}

async fn robot_reads_exactly_its_grants(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(keyed_config(&db)).await;
    let alice = Who::user("alice");
    let fin01 = Who::robot("robot:demo-uipath/RPA-FIN-01");
    let fin02 = Who::robot("robot:demo-uipath/RPA-FIN-02");
    let process = Who::robot("process:demo-uipath/InvoiceIntake");
    let sap = create(&app, &alice, secret_body("SAP", "svc_sap", "pw-sap")).await;
    let crm = create(&app, &alice, secret_body("CRM", "svc_crm", "pw-crm")).await;
    let grant = |id: &str, grantee: &str, asset: &str| {
        let (path, body) = (
            format!("/api/v1/secrets/{id}/grants"),
            json!({"grantee": grantee, "asset_name": asset}),
        );
        let app = &app;
        let alice = &alice;
        async move { post(app, alice, &path, body).await }
    };
    let g1 = grant(&sap, "robot:demo-uipath/RPA-FIN-01", "SAP Login").await;
    assert_eq!(g1.status, 201, "{}", g1.body);
    assert_eq!(
        grant(&crm, "process:demo-uipath/InvoiceIntake", "CRM")
            .await
            .status,
        201
    );
    assert_eq!(
        grant(&crm, "robot:demo-uipath/RPA-FIN-01", "SAP Login")
            .await
            .status,
        409
    );
    assert_eq!(grant(&crm, "user:alice", "x").await.status, 400);

    let read = get(&app, &fin01, "/api/v1/robot/credentials/SAP%20Login").await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.cache_control.as_deref(), Some("no-store"));
    assert_eq!(
        read.body,
        json!({"asset_name": "SAP Login", "username": "svc_sap", "password": "pw-sap"})
    );
    // Exactly what was granted: not another robot, not another asset.
    assert_eq!(
        get(&app, &fin02, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&app, &fin01, "/api/v1/robot/credentials/CRM")
            .await
            .status,
        404
    );
    assert_eq!(
        get(&app, &process, "/api/v1/robot/credentials/CRM")
            .await
            .body["password"],
        "pw-crm"
    );
    // A new version is what the robot reads next.
    assert_eq!(update(&app, &alice, &sap, 1, "pw-sap-2").await.status, 200);
    assert_eq!(
        get(&app, &fin01, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .body["password"],
        "pw-sap-2"
    );
    // Not a robot token, or one without the scope: refused.
    assert_eq!(
        get(&app, &alice, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .status,
        403
    );
    // (A token cannot act for a robot without robot:credentials: it is refused when issued.)
    let unscoped = alice.token_of("api:read");
    assert_eq!(
        get(&app, &unscoped, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .status,
        403
    );
    // Robot tokens reach nothing else of the vault.
    assert_eq!(get(&app, &fin01, "/api/v1/secrets").await.status, 403);

    // Revocation takes effect at once.
    let listed = get(&app, &alice, &format!("/api/v1/secrets/{sap}/grants")).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let grant_id = g1.body["id"].as_str().unwrap();
    let bob = Who::user("bob");
    assert_eq!(
        call(
            &app,
            &bob,
            Method::DELETE,
            &format!("/api/v1/grants/{grant_id}"),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        call(
            &app,
            &alice,
            Method::DELETE,
            &format!("/api/v1/grants/{grant_id}"),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        get(&app, &fin01, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .status,
        404
    );
    assert_eq!(
        call(
            &app,
            &alice,
            Method::DELETE,
            &format!("/api/v1/grants/{grant_id}"),
            None
        )
        .await
        .status,
        409
    );
    // The name is free again for a new grant.
    assert_eq!(
        grant(&crm, "robot:demo-uipath/RPA-FIN-01", "SAP Login")
            .await
            .status,
        201
    );
    assert_eq!(
        get(&app, &fin01, "/api/v1/robot/credentials/SAP%20Login")
            .await
            .body["password"],
        "pw-crm"
    );

    // Every read a robot token makes is audited with the grantee and asset name, allowed or
    // not. (Callers that are not robot tokens at all are refused by the policy table before
    // the vault sees them.)
    let rows = audit_rows(&db).await;
    let reads: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "robot.credential_read")
        .collect();
    let ok = reads.iter().filter(|r| r.2 == "ok").count();
    let denied = reads.iter().filter(|r| r.2 == "denied").count();
    assert_eq!((ok, denied), (4, 3), "{reads:?}");
    assert!(
        reads.iter().all(|r| r.3.contains("asset_name")),
        "{reads:?}"
    );
    assert!(
        reads
            .iter()
            .any(|r| r.2 == "ok" && r.3.contains("robot:demo-uipath/RPA-FIN-01"))
    );
    for action in [
        "secret.grant",
        "secret.revoke",
        "secret.update",
        "secret.create",
    ] {
        assert!(rows.iter().any(|r| r.0 == action), "{action} not audited");
    }
    app.stop().await;
    db.drop().await;
}
on_both_engines!(
    crud_versions_and_cas,
    soft_delete_and_undelete,
    only_the_owner_reads,
    robot_reads_exactly_its_grants,
);
