//! The role × endpoint matrix, cell by cell, against the real app on both engines: every
//! rule of `auth::policy::POLICY` × every role (by token and by session) + anonymous + a
//! wall:read token + a robot token. It iterates the table itself, so a rule added there is
//! tested here without anyone writing it down twice.

use crate::support::{Engine, SessionClient, TestApp, TestDb, bearer_client};
use hangar_model::{Role, Scope};
use hangar_server::auth::policy::{Access, POLICY, Rule};
use reqwest::Method;

/// How a caller authenticates, as far as the table cares.
#[derive(Clone, Debug)]
enum Via {
    Anonymous,
    Token(Vec<Scope>),
    Session,
}

struct Caller {
    label: String,
    role: Option<Role>,
    via: Via,
    http: reqwest::Client,
    /// For sessions: the CSRF token to send on writes, and how to sign in again.
    session: Option<(SessionClient, String, String)>,
}

/// What the table says for this caller, worked out here from the rule's fields.
fn allowed(rule: &Rule, caller: &Caller, open_wall: bool) -> bool {
    if rule.access == Access::Public || (rule.access == Access::Wall && open_wall) {
        return true;
    }
    let Some(role) = caller.role else {
        return false;
    };
    let role_ok = match rule.access {
        Access::Roles(roles) => roles.contains(&role),
        // Only the robot token (the one caller issued with a grantee) is a robot.
        Access::Robot => {
            matches!(&caller.via, Via::Token(s) if s.contains(&Scope::RobotCredentials))
        }
        _ => true,
    };
    let scope_ok = match &caller.via {
        Via::Token(scopes) => {
            rule.scopes.is_empty() || rule.scopes.iter().any(|s| scopes.contains(s))
        }
        _ => true,
    };
    role_ok && scope_ok
}

/// A concrete path for a template; ids that do not exist are fine (404/400 is not a 401/403).
fn concrete(template: &str) -> String {
    template
        .replace("{id}", "00000000-0000-4000-8000-000000000000")
        .replace("{source}", "no-such-source")
        .replace("{*path}", "no-such-version/hangar_wall.js")
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let mut out = vec![Caller {
        label: "anonymous".to_owned(),
        role: None,
        via: Via::Anonymous,
        http: app.anonymous.clone(),
        session: None,
    }];
    for role in Role::ALL {
        let department = (!role.is_global()).then_some("finance");
        let (name, password) = app.user(role, department).await;
        let scopes = vec![Scope::ApiRead, Scope::ApiWrite];
        let token = app.token_for(&name, &scopes, None).await;
        out.push(Caller {
            label: format!("{role} token"),
            role: Some(role),
            via: Via::Token(scopes),
            http: bearer_client(&token),
            session: None,
        });
        let session = app.session_for(&name, &password).await;
        out.push(Caller {
            label: format!("{role} session"),
            role: Some(role),
            via: Via::Session,
            http: session.http.clone(),
            session: Some((session, name, password)),
        });
    }
    let (ops, _) = app.user(Role::Ops, None).await;
    out.push(Caller {
        label: "wall:read token".to_owned(),
        role: Some(Role::Ops),
        via: Via::Token(vec![Scope::WallRead]),
        http: bearer_client(&app.token_for(&ops, &[Scope::WallRead], None).await),
        session: None,
    });
    let (business, _) = app.user(Role::Business, Some("finance")).await;
    let robot = app
        .token_for(
            &business,
            &[Scope::RobotCredentials],
            Some("robot:fin/RPA-01"),
        )
        .await;
    out.push(Caller {
        label: "robot token".to_owned(),
        role: Some(Role::Business),
        via: Via::Token(vec![Scope::RobotCredentials]),
        http: bearer_client(&robot),
        session: None,
    });
    out
}

async fn walk_the_matrix(app: &TestApp, open_wall: bool) -> usize {
    let mut callers = callers(app).await;
    let mut cells = 0;
    for rule in POLICY {
        let path = concrete(rule.path);
        let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
        for caller in &mut callers {
            let mut request = caller.http.request(method.clone(), app.url(&path));
            if let Some((session, ..)) = &caller.session {
                request = request.header("X-CSRF-Token", &session.csrf);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            drop(response);
            let to_login = status == 303 && location.starts_with("/login");
            let cell = format!("{} {} as {}", rule.method, rule.path, caller.label);
            if allowed(rule, caller, open_wall) {
                assert!(
                    !matches!(status, 401 | 403) && !to_login,
                    "{cell}: allowed by the table, got {status}"
                );
            } else if caller.role.is_none() {
                assert!(
                    status == 401 || (hangar_server::http::is_page(rule.path) && to_login),
                    "{cell}: anonymous must get 401 (or the login page), got {status} {location}"
                );
            } else {
                assert_eq!(status, 403, "{cell}: refused by the table");
            }
            cells += 1;
            // Signing out ends the session: sign in again for the rules that follow.
            if rule.path == "/api/v1/auth/logout"
                && let Some((_, name, password)) = &caller.session
            {
                let fresh = app.session_for(name, password).await;
                caller.http = fresh.http.clone();
                caller.session = Some((fresh, name.clone(), password.clone()));
            }
        }
    }
    cells
}

async fn every_cell_of_the_policy_matrix(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let cells = walk_the_matrix(&app, false).await;
    // Anonymous, 5 roles × (token, session), a wall:read token, a robot token.
    assert_eq!(cells, POLICY.len() * 13);
    app.stop().await;
    db.drop().await;
}

async fn an_open_wall_opens_reads_and_never_writes(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.auth.open_wall = true;
    let app = TestApp::spawn(config).await;
    walk_the_matrix(&app, true).await;
    let r = app
        .anonymous
        .get(app.url("/api/v1/summary"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .anonymous
        .post(app.url("/api/v1/anomalies/1/acknowledge"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    app.stop().await;
    db.drop().await;
}

async fn a_wall_token_becomes_a_session_and_leaves_the_url(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    // Not signed in: the wall sends the browser to the login page, and back afterwards.
    let r = app
        .anonymous
        .get(app.url("/wall?screen=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        "/login?next=%2Fwall%3Fscreen%3D1"
    );
    let (ops, _) = app.user(Role::Ops, None).await;
    let wall = app.token_for(&ops, &[Scope::WallRead], None).await;
    let r = app
        .anonymous
        .get(app.url(&format!("/wall?token={wall}&screen=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"].to_str().unwrap(), "/wall?screen=1");
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let cookie = cookies.join("; ");
    let get = |path: &str| {
        app.anonymous
            .get(app.url(path))
            .header("cookie", &cookie)
            .send()
    };
    assert_eq!(get("/wall").await.unwrap().status().as_u16(), 200);
    assert_eq!(get("/api/v1/summary").await.unwrap().status().as_u16(), 200);
    // The session has the token's scopes only: listing tokens (api:read) is refused.
    assert_eq!(get("/api/v1/tokens").await.unwrap().status().as_u16(), 403);
    // A token that can write is not accepted as a wall token.
    let writer = app
        .token_for(&ops, &[Scope::WallRead, Scope::ApiWrite], None)
        .await;
    let r = app
        .anonymous
        .get(app.url(&format!("/wall?token={writer}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Revoking the token ends the wall's session at once.
    let tokens = app.store.list_tokens(None).await.unwrap();
    let id = tokens
        .iter()
        .find(|t| t.scopes == vec![Scope::WallRead])
        .unwrap()
        .id;
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(get("/api/v1/summary").await.unwrap().status().as_u16(), 401);
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    every_cell_of_the_policy_matrix,
    an_open_wall_opens_reads_and_never_writes,
    a_wall_token_becomes_a_session_and_leaves_the_url,
);
