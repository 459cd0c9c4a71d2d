//! Who calls the vault in these tests, and the calls they make: real users in the store,
//! signed in with real sessions (and their CSRF token) or holding real API tokens.

use std::path::Path;

use hangar_model::{Role, Scope};
use hangar_server::config::Config;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, TestApp, TestDb, bearer_client};

/// One caller. `apply` is the only place that knows how a caller authenticates.
#[derive(Clone, Debug)]
pub(crate) struct Who {
    name: String,
    role: Role,
    kind: Kind,
    /// The client, made on first use against the test's app (and kept across restarts of
    /// the app on the same database: sessions and tokens live there).
    resolved: tokio::sync::OnceCell<(reqwest::Client, Option<String>)>,
}

#[derive(Clone, Debug)]
enum Kind {
    Session,
    Token(Vec<Scope>),
    /// A robot token acting for the grantee, with these scopes.
    Robot(String, Vec<Scope>),
}

impl Who {
    fn new(name: &str, role: Role, kind: Kind) -> Who {
        Who {
            name: name.to_owned(),
            role,
            kind,
            resolved: tokio::sync::OnceCell::new(),
        }
    }
    /// A business user, signed in with a session.
    pub(crate) fn user(name: &str) -> Who {
        Who::new(name, Role::Business, Kind::Session)
    }
    pub(crate) fn admin(name: &str) -> Who {
        Who::new(name, Role::Admin, Kind::Session)
    }
    /// A robot token acting for `grantee`, with the robot:credentials scope.
    pub(crate) fn robot(grantee: &str) -> Who {
        Who::robot_with(grantee, &[Scope::RobotCredentials])
    }
    pub(crate) fn robot_with(grantee: &str, scopes: &[Scope]) -> Who {
        Who::new(
            "robot-owner",
            Role::Ops,
            Kind::Robot(grantee.to_owned(), scopes.to_vec()),
        )
    }
    /// The same user as `self`, through an API token with these scopes ("api:read,api:write").
    pub(crate) fn token_of(&self, scopes: &str) -> Who {
        let scopes = scopes
            .split(',')
            .map(|s| serde_json::from_value(json!(s.trim())).expect("a scope"))
            .collect();
        Who::new(&self.name, self.role, Kind::Token(scopes))
    }

    /// The user (made in the store on first need) and a client that speaks as this caller.
    async fn client(&self, app: &TestApp) -> &(reqwest::Client, Option<String>) {
        self.resolved
            .get_or_init(|| async {
                let password = format!("test-password-of-{}", self.name);
                // Departmental roles need a department; the vault does not care which.
                let department = (!self.role.is_global()).then_some("finance");
                app.user_named(&self.name, self.role, department, &password)
                    .await;
                match &self.kind {
                    Kind::Session => {
                        let s = app.session_for(&self.name, &password).await;
                        (s.http, Some(s.csrf))
                    }
                    Kind::Token(scopes) => {
                        let token = app.token_for(&self.name, scopes, None).await;
                        (bearer_client(&token), None)
                    }
                    Kind::Robot(grantee, scopes) => {
                        let token = app.token_for(&self.name, scopes, Some(grantee)).await;
                        (bearer_client(&token), None)
                    }
                }
            })
            .await
    }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) cache_control: Option<String>,
}

impl Reply {
    pub(crate) fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

pub(crate) async fn call(
    app: &TestApp,
    who: &Who,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let (client, csrf) = who.client(app).await;
    let mut request = client.request(method.clone(), app.url(path));
    if let Some(csrf) = csrf
        && method != Method::GET
    {
        request = request.header("X-CSRF-Token", csrf);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let cache_control = response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        body,
        cache_control,
    }
}

pub(crate) async fn get(app: &TestApp, who: &Who, path: &str) -> Reply {
    call(app, who, Method::GET, path, None).await
}

pub(crate) async fn post(app: &TestApp, who: &Who, path: &str, body: Value) -> Reply {
    call(app, who, Method::POST, path, Some(body)).await
}

pub(crate) fn write_key_file(path: &Path) {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).expect("create key file");
    file.write_all(hangar_vault::generate_key_file_contents().as_bytes())
        .expect("write key file");
}

/// A config whose vault unseals from a key file in the test's directory.
pub(crate) fn keyed_config(db: &TestDb) -> Config {
    let path = db.dir.path().join("vault.key");
    if !path.exists() {
        write_key_file(&path);
    }
    let mut config = db.config();
    config.vault.key_file = Some(path);
    config
}

pub(crate) fn secret_body(name: &str, username: &str, password: &str) -> Value {
    json!({
        "name": name, "system": "SAP", "url": "https://sap.example/login",
        "username": username, "password": password, "notes": format!("notes for {name}"),
        "tags": ["finance"],
    })
}

pub(crate) async fn create(app: &TestApp, who: &Who, body: Value) -> String {
    let r = post(app, who, "/api/v1/secrets", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn reveal(app: &TestApp, who: &Who, id: &str, version: Option<u32>) -> Reply {
    let body = version.map_or(json!({}), |v| json!({ "version": v }));
    post(app, who, &format!("/api/v1/secrets/{id}/reveal"), body).await
}

pub(crate) async fn update(app: &TestApp, who: &Who, id: &str, cas: u64, password: &str) -> Reply {
    let mut body = secret_body("SAP prod", "svc_sap", password);
    body["cas"] = json!(cas);
    call(
        app,
        who,
        Method::PUT,
        &format!("/api/v1/secrets/{id}"),
        Some(body),
    )
    .await
}

/// Every audit row as `(action, target, outcome, detail)`.
pub(crate) async fn audit_rows(db: &TestDb) -> Vec<(String, String, String, String)> {
    let sql = "SELECT action, target, outcome, CAST(detail AS TEXT) FROM audit_log ORDER BY id";
    match db.engine {
        Engine::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.expect("sqlite");
            let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("audit");
            pool.close().await;
            rows
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.expect("pg");
            let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("audit");
            pool.close().await;
            rows
        }
    }
}
