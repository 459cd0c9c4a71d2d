//! Sign-in, sessions, CSRF, throttling, tokens, disabled users and the audit log, over real
//! HTTP on both engines.

use crate::support::{Engine, TestApp, TestDb, bearer_client};
use chrono::{TimeDelta, Utc};
use hangar_model::{Role, Scope, TokenId};
use hangar_server::store::TokenRecord;

async fn login(app: &TestApp, username: &str, password: &str) -> (u16, serde_json::Value) {
    let r = app
        .anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn session_cookies_are_http_only_strict_and_csrf_guards_writes(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let (name, password) = app.user(Role::Manager, Some("finance")).await;
    let session = app.session_for(&name, &password).await;
    let session_cookie = session
        .set_cookies
        .iter()
        .find(|c| c.starts_with("hangar_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(
            session_cookie.contains(flag),
            "{session_cookie} lacks {flag}"
        );
    }
    assert!(!session_cookie.contains("Secure"), "plain HTTP by default");
    let csrf_cookie = session
        .set_cookies
        .iter()
        .find(|c| c.starts_with("hangar_csrf="))
        .expect("csrf cookie");
    assert!(csrf_cookie.contains("SameSite=Strict") && csrf_cookie.contains("Path=/"));
    assert!(!csrf_cookie.contains("HttpOnly"), "the page must read it");
    assert!(csrf_cookie.starts_with(&format!("hangar_csrf={}", session.csrf)));

    // Reads need no CSRF header.
    let r = session
        .http
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (me["user"]["username"].as_str(), me["via"].as_str()),
        (Some(name.as_str()), Some("session"))
    );

    let body = serde_json::json!({"name": "ci", "scopes": ["api:read"], "expires_days": 5});
    let post = |csrf: Option<&str>| {
        let mut r = session.http.post(app.url("/api/v1/tokens")).json(&body);
        if let Some(c) = csrf {
            r = r.header("X-CSRF-Token", c);
        }
        r.send()
    };
    for wrong in [None, Some("not-the-token")] {
        let r = post(wrong).await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "csrf_failed");
    }
    let r = post(Some(&session.csrf)).await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("hgr_") && secret.len() > 40);
    assert_eq!(created["token"]["prefix"].as_str(), Some(&secret[..8]));
    // The value is shown once: lists carry only the prefix.
    let listed = session
        .http
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap();
    assert!(!listed.text().await.unwrap().contains(&secret));
    // Bearer requests need no CSRF header.
    let r = app
        .http
        .post(app.url("/api/v1/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    // Logout ends the session on the server, not only in the browser.
    let r = session
        .http
        .post(app.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", &session.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = session
        .http
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    app.stop().await;
    db.drop().await;
}

async fn secure_cookies_when_configured(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.auth.secure_cookies = true;
    let app = TestApp::spawn(config).await;
    let (name, password) = app.user(Role::Ops, None).await;
    let session = app.session_for(&name, &password).await;
    assert!(
        session.set_cookies.iter().all(|c| c.contains("; Secure")),
        "{:?}",
        session.set_cookies
    );
    app.stop().await;
    db.drop().await;
}

async fn unknown_users_and_wrong_passwords_look_alike_and_are_throttled(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.auth.login_failures_per_user = 3;
    let app = TestApp::spawn(config).await;
    let (name, password) = app.user(Role::Ops, None).await;

    let (s1, unknown) = login(&app, "nobody-here", "whatever-password").await;
    let (s2, wrong) = login(&app, &name, "wrong-password-123").await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(
        unknown, wrong,
        "the same answer for an unknown user and a wrong password"
    );
    assert_eq!(unknown["error"]["code"], "unauthenticated");

    // Case does not matter for the name; two more failures use up the allowance.
    login(&app, &name.to_uppercase(), "wrong-password-123").await;
    login(&app, &name, "wrong-password-123").await;
    let r = app
        .anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "even the right password waits");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "too_many_attempts");
    // Another user is not held back by it.
    let (other, other_pw) = app.user(Role::Ops, None).await;
    assert_eq!(login(&app, &other, &other_pw).await.0, 200);

    // Failed and successful sign-ins are audited, never with the password.
    let audit: serde_json::Value = app
        .http
        .get(app.url("/api/v1/audit?limit=500"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(!text.contains("wrong-password-123") && !text.contains(&password));
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"auth.login_failed"), "{actions:?}");
    assert!(actions.contains(&"auth.login_throttled"), "{actions:?}");
    assert!(actions.contains(&"auth.login"), "{actions:?}");
    let failed = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "auth.login_failed" && e["target"] == "user:nobody-here")
        .expect("the unknown user's attempt");
    assert_eq!(failed["outcome"], "denied");
    assert_eq!(failed["ip"], "127.0.0.1");
    app.stop().await;
    db.drop().await;
}

async fn expired_revoked_and_disabled_are_refused_at_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let (name, password) = app.user(Role::Ops, None).await;
    let token = app.token_for(&name, &[Scope::ApiRead], None).await;
    let client = bearer_client(&token);
    let url = app.url("/api/v1/auth/me");
    let me = |c: reqwest::Client| {
        let url = url.clone();
        async move { c.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(me(client.clone()).await, 200);

    // An expired token (written directly: the API refuses to make one).
    let owner = app.store.user_by_name(&name).await.unwrap().unwrap();
    let stale = "hgr_expired-token-for-the-test-0000000000000000";
    app.store
        .insert_token(&TokenRecord {
            id: TokenId(uuid::Uuid::new_v4()),
            user_id: owner.id,
            name: "old".to_owned(),
            prefix: stale[..8].to_owned(),
            token_hash: hangar_server::auth::sha256_hex(stale),
            scopes: vec![Scope::ApiRead],
            robot: None,
            created_at: Utc::now() - TimeDelta::days(10),
            expires_at: Utc::now() - TimeDelta::seconds(1),
            last_used_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    assert_eq!(me(bearer_client(stale)).await, 401);

    // Revoked by its owner: refused on the very next request.
    let tokens: serde_json::Value = client
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["prefix"] == token[..8])
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (other, _) = app.user(Role::Manager, Some("finance")).await;
    let other_client = bearer_client(&app.token_for(&other, &[Scope::ApiWrite], None).await);
    let r = other_client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        404,
        "someone else's token is not found"
    );
    let writer = bearer_client(&app.token_for(&name, &[Scope::ApiWrite], None).await);
    let r = writer
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(me(client.clone()).await, 401);

    // Disabled by an admin: sessions and tokens stop, and signing in fails.
    let session = app.session_for(&name, &password).await;
    assert_eq!(me(session.http.clone()).await, 200);
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/users/{}", owner.id)))
        .json(&serde_json::json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(me(session.http.clone()).await, 401);
    assert_eq!(me(writer).await, 401);
    assert_eq!(login(&app, &name, &password).await.0, 401);
    app.stop().await;
    db.drop().await;
}

async fn users_are_managed_by_admins_and_passwords_change(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let r = app
        .http
        .post(app.url("/api/v1/users"))
        .json(&serde_json::json!({"username": "Ann", "role": "business", "department": "finance", "password": "a long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let ann: serde_json::Value = r.json().await.unwrap();
    assert!(ann.get("password_hash").is_none());
    // Names are unique whatever their case; departmental roles need a department.
    for body in [
        serde_json::json!({"username": "ANN", "role": "ops", "password": "a long passphrase"}),
        serde_json::json!({"username": "bob", "role": "manager", "password": "a long passphrase"}),
        serde_json::json!({"username": "carl", "role": "ops", "password": "short"}),
    ] {
        let r = app
            .http
            .post(app.url("/api/v1/users"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 400 | 409), "{body}");
    }
    // Own change needs the current password.
    let session = app.session_for("ann", "a long passphrase").await;
    let change = |current: &str| {
        session
            .http
            .post(app.url("/api/v1/auth/password"))
            .header("X-CSRF-Token", &session.csrf)
            .json(&serde_json::json!({"current_password": current, "new_password": "another long one"}))
            .send()
    };
    assert_eq!(
        change("not it at all").await.unwrap().status().as_u16(),
        403
    );
    assert_eq!(
        change("a long passphrase").await.unwrap().status().as_u16(),
        204
    );
    assert_eq!(login(&app, "ann", "a long passphrase").await.0, 401);
    assert_eq!(login(&app, "ann", "another long one").await.0, 200);
    // An admin's reset.
    let id = ann["id"].as_str().unwrap();
    let r = app
        .http
        .post(app.url(&format!("/api/v1/users/{id}/password")))
        .json(&serde_json::json!({"password": "reset by the admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(login(&app, "ann", "reset by the admin").await.0, 200);
    let audit: serde_json::Value = app
        .http
        .get(app.url("/api/v1/audit?actor=test-admin&action=user.create"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!audit.as_array().unwrap().is_empty());
    assert!(!audit.to_string().contains("a long passphrase"));
    app.stop().await;
    db.drop().await;
}

async fn the_audit_log_is_append_only(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let (name, password) = app.user(Role::Ops, None).await;
    login(&app, &name, &password).await;
    for sql in [
        "UPDATE audit_log SET actor_name = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let refused = match engine {
            Engine::Sqlite => {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
            Engine::Postgres => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
        };
        assert!(refused, "{sql} must fail");
    }
    let audit: serde_json::Value = app
        .http
        .get(app.url(&format!("/api/v1/audit?actor={name}&action=auth.login")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!(audit[0]["actor_name"], name.as_str());
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    session_cookies_are_http_only_strict_and_csrf_guards_writes,
    secure_cookies_when_configured,
    unknown_users_and_wrong_passwords_look_alike_and_are_throttled,
    expired_revoked_and_disabled_are_refused_at_once,
    users_are_managed_by_admins_and_passwords_change,
    the_audit_log_is_append_only,
);
