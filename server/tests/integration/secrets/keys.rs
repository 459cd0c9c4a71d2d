//! The vault's keys over HTTP and the CLI: sealed answers, unseal with the passphrase (and a
//! wrong one), rotation across nodes, `hangar vault`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;

use super::{Who, audit_rows, create, get, keyed_config, post, reveal, secret_body, update};
use crate::support::{Engine, TestApp, TestDb};

pub(super) const PASSPHRASE: &str = "correct horse battery staple vault";

async fn sealed_vault_refuses_and_unseals_with_passphrase(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.vault.passphrase = Some(PASSPHRASE.to_owned().into());
    let app = TestApp::spawn(config).await;
    let (alice, admin) = (Who::user("alice"), Who::admin("root"));
    let robot = Who::robot("robot:src/r1");
    let id = create(&app, &alice, secret_body("SAP", "svc", "pw-sealed")).await;
    assert_eq!(
        post(
            &app,
            &alice,
            &format!("/api/v1/secrets/{id}/grants"),
            json!({"grantee": "robot:src/r1", "asset_name": "SAP"})
        )
        .await
        .status,
        201
    );

    let status = get(&app, &admin, "/api/v1/vault/status").await;
    assert_eq!(status.status, 200);
    assert_eq!(status.body["sealed"], false);
    assert_eq!(status.body["unseal_with"], "passphrase");
    assert_eq!(status.body["secrets"], 1);
    assert_eq!(get(&app, &alice, "/api/v1/vault/status").await.status, 403);
    assert_eq!(
        post(&app, &alice, "/api/v1/vault/seal", json!({}))
            .await
            .status,
        403
    );

    let sealed = post(&app, &admin, "/api/v1/vault/seal", json!({})).await;
    assert_eq!((sealed.status, &sealed.body["sealed"]), (200, &json!(true)));
    for r in [
        reveal(&app, &alice, &id, None).await,
        post(
            &app,
            &alice,
            "/api/v1/secrets",
            secret_body("CRM", "u", "p"),
        )
        .await,
        get(&app, &alice, "/api/v1/secrets").await,
        get(&app, &robot, "/api/v1/robot/credentials/SAP").await,
        post(&app, &admin, "/api/v1/vault/rotate", json!({})).await,
    ] {
        assert_eq!((r.status, r.code()), (503, "vault_sealed"), "{}", r.body);
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("sealed") && message.contains("/api/v1/vault/unseal"),
            "{message}"
        );
    }

    let wrong = post(
        &app,
        &admin,
        "/api/v1/vault/unseal",
        json!({"passphrase": "not the passphrase at all"}),
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (400, "unseal_failed"),
        "{}",
        wrong.body
    );
    assert_eq!(
        get(&app, &admin, "/api/v1/vault/status").await.body["sealed"],
        true
    );
    let missing = post(&app, &admin, "/api/v1/vault/unseal", json!({})).await;
    assert_eq!(missing.status, 400);

    let unsealed = post(
        &app,
        &admin,
        "/api/v1/vault/unseal",
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    assert_eq!(
        (unsealed.status, &unsealed.body["sealed"]),
        (200, &json!(false)),
        "{}",
        unsealed.body
    );
    assert_eq!(
        reveal(&app, &alice, &id, None).await.body["password"],
        "pw-sealed"
    );
    assert_eq!(
        get(&app, &robot, "/api/v1/robot/credentials/SAP")
            .await
            .status,
        200
    );
    let again = post(
        &app,
        &admin,
        "/api/v1/vault/unseal",
        json!({"passphrase": PASSPHRASE}),
    )
    .await;
    assert_eq!(again.status, 409);

    let rows = audit_rows(&db).await;
    let outcomes: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.0.starts_with("vault."))
        .map(|r| (r.0.as_str(), r.2.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("vault.seal", "ok"),
            ("vault.unseal", "denied"),
            ("vault.unseal", "ok"),
            ("vault.unseal", "failed"), // already unsealed: refused, still traced
        ],
        "{rows:?}"
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.3.contains(PASSPHRASE) || r.3.contains("not the passphrase"))
    );
    app.stop().await;

    // A node started without the passphrase stays sealed but serves everything else.
    let sealed_node = TestApp::spawn(db.config()).await;
    assert_eq!(
        get(&sealed_node, &alice, "/api/v1/secrets").await.code(),
        "vault_sealed"
    );
    assert_eq!(
        sealed_node.get("/api/v1/status").await.status().as_u16(),
        200
    );
    sealed_node.stop().await;
    db.drop().await;
}

async fn rotation_rewraps_everything_and_other_nodes_follow(engine: Engine) {
    let db = TestDb::new(engine).await;
    let config = keyed_config(&db);
    let node_a = TestApp::spawn(config.clone()).await;
    let node_b = TestApp::spawn(config.clone()).await;
    let (alice, admin) = (Who::user("alice"), Who::admin("root"));
    let robot = Who::robot("robot:src/r1");
    const N: usize = 40;
    let mut ids = Vec::new();
    for i in 0..N {
        let id = create(
            &node_a,
            &alice,
            secret_body(&format!("s{i}"), "svc", &format!("pw-{i}-v1")),
        )
        .await;
        if i % 4 == 0 {
            assert_eq!(
                update(&node_a, &alice, &id, 1, &format!("pw-{i}-v2"))
                    .await
                    .status,
                200
            );
        }
        ids.push(id);
    }
    assert_eq!(
        post(
            &node_a,
            &alice,
            &format!("/api/v1/secrets/{}/grants", ids[0]),
            json!({"grantee": "robot:src/r1", "asset_name": "first"})
        )
        .await
        .status,
        201
    );
    let versions = N + N / 4;

    let report = post(&node_a, &admin, "/api/v1/vault/rotate", json!({})).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["kek_version"], 2);
    assert_eq!(report.body["rewrapped"], versions);
    assert_eq!(report.body["failed"], 0);
    assert!(report.body["took_ms"].is_u64());
    let status = get(&node_a, &admin, "/api/v1/vault/status").await;
    assert_eq!(status.body["kek_versions"], json!([1, 2]));
    assert_eq!(status.body["versions_on_old_keks"], 0);

    // Node B unsealed before the rotation: it picks the new KEK up from the database, both
    // to open rewrapped secrets and to seal new ones under it.
    for (i, id) in ids.iter().enumerate() {
        let want = if i % 4 == 0 {
            format!("pw-{i}-v2")
        } else {
            format!("pw-{i}-v1")
        };
        assert_eq!(
            reveal(&node_b, &alice, id, None).await.body["password"],
            want.as_str(),
            "secret {i}"
        );
    }
    assert_eq!(
        reveal(&node_b, &alice, &ids[0], Some(1)).await.body["password"],
        "pw-0-v1"
    );
    assert_eq!(
        get(&node_b, &robot, "/api/v1/robot/credentials/first")
            .await
            .body["password"],
        "pw-0-v2"
    );
    let late = create(&node_b, &alice, secret_body("late", "svc", "pw-late")).await;
    let detail = get(&node_a, &alice, &format!("/api/v1/secrets/{late}")).await;
    assert_eq!(detail.body["versions"][0]["kek_version"], 2);

    // A second rotation from node B; then a fresh node opens everything.
    let second = post(&node_b, &admin, "/api/v1/vault/rotate", json!({})).await;
    assert_eq!(
        (
            second.body["kek_version"].as_u64(),
            second.body["failed"].as_u64()
        ),
        (Some(3), Some(0))
    );
    assert_eq!(second.body["rewrapped"], versions + 1);
    node_a.stop().await;
    node_b.stop().await;
    let fresh = TestApp::spawn(config).await;
    for (i, id) in ids.iter().enumerate().step_by(7) {
        let r = reveal(&fresh, &alice, id, None).await;
        assert!(
            r.body["password"]
                .as_str()
                .unwrap()
                .starts_with(&format!("pw-{i}-")),
            "{}",
            r.body
        );
    }
    assert_eq!(
        reveal(&fresh, &alice, &late, None).await.body["password"],
        "pw-late"
    );
    let rotations = audit_rows(&db)
        .await
        .into_iter()
        .filter(|r| r.0 == "vault.rotate")
        .count();
    assert_eq!(rotations, 2);
    fresh.stop().await;
    db.drop().await;
}

/// `hangar vault init-key-file`, a server on that key, then `hangar vault rotate` and
/// `status` on the stopped server's database.
async fn cli_key_file_rotate_and_status(engine: Engine) {
    let db = TestDb::new(engine).await;
    let key: PathBuf = db.dir.path().join("cli.key");
    let hangar = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hangar"))
            .args(args)
            .env("HANGAR_DATABASE__URL", &db.url)
            .env("HANGAR_DATA_DIR", db.dir.path())
            .env("HANGAR_VAULT__KEY_FILE", &key)
            .env("HANGAR_LOG__FILTER", "warn")
            .output()
            .expect("hangar runs")
    };
    let made = hangar(&["vault", "init-key-file", key.to_str().unwrap()]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(
        !hangar(&["vault", "init-key-file", key.to_str().unwrap()])
            .status
            .success()
    );

    let mut config = db.config();
    config.vault.key_file = Some(key.clone());
    let app = TestApp::spawn(config.clone()).await;
    let alice = Who::user("alice");
    let id = create(&app, &alice, secret_body("SAP", "svc", "pw-cli")).await;
    app.stop().await;

    let rotated = hangar(&["vault", "rotate"]);
    let out = String::from_utf8_lossy(&rotated.stdout);
    assert!(
        rotated.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(
        out.contains("KEK version 2: 1 rewrapped, 0 failed"),
        "{out}"
    );
    let status = hangar(&["vault", "status"]);
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(
        out.contains("current KEK version: 2") && out.contains("versions on older KEKs: 0"),
        "{out}"
    );

    let app = TestApp::spawn(config).await;
    assert_eq!(
        reveal(&app, &alice, &id, None).await.body["password"],
        "pw-cli"
    );
    app.stop().await;
    db.drop().await;
}
on_both_engines!(
    sealed_vault_refuses_and_unseals_with_passphrase,
    rotation_rewraps_everything_and_other_nodes_follow,
    cli_key_file_rotate_and_status,
);
