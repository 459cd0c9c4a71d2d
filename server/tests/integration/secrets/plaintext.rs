//! THE no-plaintext test: a scripted session stores, updates, grants, reads, rotates and
//! unseals with random values while every log line is captured at TRACE; then no value may
//! appear in the logs, in any column of any table (or the SQLite files), or in the audit log.

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::keys::PASSPHRASE;
use super::{Who, audit_rows, call, create, get, post, reveal};
use crate::support::logs::LogCapture;
use crate::support::{Engine, TestApp, TestDb};

/// The needle and the encodings a careless write would leave it in.
fn encodings(plain: &str) -> [String; 3] {
    use base64::Engine as _;
    let hex: String = plain.bytes().map(|b| format!("{b:02x}")).collect();
    [
        plain.to_owned(),
        hex,
        base64::engine::general_purpose::STANDARD.encode(plain),
    ]
}

fn assert_absent(haystack: &[u8], plaintexts: &[String], place: &str) {
    for plain in plaintexts {
        for needle in encodings(plain) {
            assert!(
                !haystack
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes()),
                "{plain:?} found in {place}"
            );
        }
    }
}

/// Every column of every table, as bytes.
async fn dump_database(db: &TestDb) -> Vec<u8> {
    let mut out = Vec::new();
    match db.engine {
        Engine::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.expect("sqlite");
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&pool)
                    .await
                    .expect("tables");
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&pool)
                        .await
                        .expect("columns");
                for column in columns {
                    let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
                        "SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\""
                    ))
                    .fetch_all(&pool)
                    .await
                    .expect("values");
                    for v in values.into_iter().flatten() {
                        out.extend_from_slice(&v);
                        out.push(b'\n');
                    }
                }
            }
            pool.close().await;
            // And the files themselves, WAL included, as a thief would copy them.
            for entry in std::fs::read_dir(db.dir.path()).expect("dir").flatten() {
                if entry.file_name().to_string_lossy().starts_with("hangar.db") {
                    out.extend(std::fs::read(entry.path()).expect("db file"));
                }
            }
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.expect("pg");
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&pool)
            .await
            .expect("tables");
            for table in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
                        .fetch_all(&pool)
                        .await
                        .expect("rows");
                for row in rows {
                    out.extend_from_slice(row.as_bytes());
                    out.push(b'\n');
                }
            }
            pool.close().await;
        }
    }
    out
}

async fn no_plaintext_in_logs_database_or_audit(engine: Engine) {
    let capture = LogCapture::start();
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.vault.passphrase = Some(PASSPHRASE.to_owned().into());
    let app = TestApp::spawn(config).await;
    let (alice, bob, admin) = (Who::user("alice"), Who::user("bob"), Who::admin("root"));
    let robot = Who::robot("robot:src/r1");
    let random = |what: &str| format!("{what}-{}", Uuid::new_v4().simple());

    let mut plaintexts = vec![PASSPHRASE.to_owned()];
    let mut ids = Vec::new();
    let mut last_password = String::new();
    for i in 0..3 {
        let (user, pass, notes) = (random("user"), random("pass"), random("notes"));
        let body = json!({"name": format!("system {i}"), "username": user, "password": pass, "notes": notes});
        let id = create(&app, &alice, body).await;
        let shown = reveal(&app, &alice, &id, None).await;
        assert_eq!(
            (
                &shown.body["username"],
                &shown.body["password"],
                &shown.body["notes"]
            ),
            (&json!(user), &json!(pass), &json!(notes))
        );
        last_password.clone_from(&pass);
        plaintexts.extend([user, pass, notes]);
        ids.push(id);
    }
    // A second version, a grant and a robot read, a refused reveal, a rotation.
    let newer = random("pass");
    let mut body =
        json!({"cas": 1, "name": "system 0", "username": random("user"), "password": newer});
    plaintexts.push(body["username"].as_str().unwrap().to_owned());
    let put = call(
        &app,
        &alice,
        Method::PUT,
        &format!("/api/v1/secrets/{}", ids[0]),
        Some(body.clone()),
    )
    .await;
    assert_eq!(put.status, 200);
    plaintexts.push(newer.clone());
    body["cas"] = json!(1);
    assert_eq!(
        call(
            &app,
            &alice,
            Method::PUT,
            &format!("/api/v1/secrets/{}", ids[0]),
            Some(body)
        )
        .await
        .status,
        409
    );
    assert_eq!(
        post(
            &app,
            &alice,
            &format!("/api/v1/secrets/{}/grants", ids[0]),
            json!({"grantee": "robot:src/r1", "asset_name": "erp"})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        get(&app, &robot, "/api/v1/robot/credentials/erp")
            .await
            .body["password"],
        newer.as_str()
    );
    assert_eq!(reveal(&app, &bob, &ids[1], None).await.status, 404);
    assert_eq!(
        post(&app, &admin, "/api/v1/vault/rotate", json!({}))
            .await
            .body["failed"],
        0
    );
    let wrong = random("wrong-passphrase");
    plaintexts.push(wrong.clone());
    assert_eq!(
        post(&app, &admin, "/api/v1/vault/seal", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        post(
            &app,
            &admin,
            "/api/v1/vault/unseal",
            json!({"passphrase": wrong})
        )
        .await
        .status,
        400
    );
    assert_eq!(
        post(
            &app,
            &admin,
            "/api/v1/vault/unseal",
            json!({"passphrase": PASSPHRASE})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        reveal(&app, &alice, &ids[2], None).await.body["password"],
        last_password.as_str()
    );
    app.stop().await;

    let logs = capture.text();
    assert!(
        logs.contains("vault KEK rotated")
            && logs.contains("/api/v1/secrets")
            && logs.contains("TRACE"),
        "the capture saw the session at TRACE"
    );
    assert_absent(logs.as_bytes(), &plaintexts, "the logs");
    let rows = audit_rows(&db).await;
    assert!(
        rows.iter()
            .filter(|r| r.0 == "secret.reveal" && r.2 == "ok")
            .count()
            >= 4
    );
    let audit_text = format!("{rows:?}");
    assert_absent(audit_text.as_bytes(), &plaintexts, "the audit log");
    let dump = dump_database(&db).await;
    assert!(
        dump.len() > 1000 && dump.windows(8).any(|w| w == b"system 0"),
        "the dump saw the secrets"
    );
    assert_absent(&dump, &plaintexts, "the database");
    drop(capture);
    db.drop().await;
}
on_both_engines!(no_plaintext_in_logs_database_or_audit);
