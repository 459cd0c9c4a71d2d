//! Test support: a fresh database per test on either engine, the real app on port 0, and a
//! small SSE reader. Logs stay silent unless `TEST_LOG=1`.
#![allow(dead_code)] // not every helper is used by every suite

pub mod logs;
pub mod sse;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Once;

use hangar_model::{Role, Scope};
use hangar_server::Application;
use hangar_server::auth::Auth;
use hangar_server::auth::accounts::{NewToken, NewUser, create_user, issue_token};
use hangar_server::config::{AuthConfig, Config, LogConfig};
use hangar_server::store::Store;
use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Generates `mod <name> { sqlite, postgres }` tests that run `<name>(Engine)` on each engine.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Engine::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Engine::Postgres).await
                }
            }
        )*
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The server every PostgreSQL test creates its database on. CI and developer machines run
/// one at 127.0.0.1:5432; when it is unreachable the tests fail, they never skip.
pub fn pg_admin_url() -> String {
    std::env::var("HANGAR_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test: a SQLite file in a temp dir, or a fresh PostgreSQL
/// database (named `hangar_t_…`, dropped by [`TestDb::drop`]; the test script removes any
/// left behind by a failed test).
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        match engine {
            Engine::Sqlite => TestDb {
                engine,
                url: format!("sqlite://{}", dir.path().join("hangar.db").display()),
                dir,
                pg_name: None,
            },
            Engine::Postgres => {
                let name = format!("hangar_t_{}", uuid::Uuid::new_v4().simple());
                let admin = pg_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the store tests and is unreachable at {admin}: {e}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                TestDb {
                    engine,
                    url: format!("{base}/{name}"),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Removes the PostgreSQL database (SQLite's goes with the temp dir).
    pub async fn drop(self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
        }
    }

    /// A config for an app on this database, on a free port, quick to tick.
    pub fn config(&self) -> Config {
        let mut c = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: self.dir.path().to_owned(),
            site_dir: self.dir.path().join("site"),
            log: LogConfig::default(),
            ..Config::default()
        };
        c.database.url = Some(SecretString::from(self.url.clone()));
        c.database.max_connections = 4;
        c.status.interval_secs = 1;
        c
    }
}

/// One global subscriber for the test process: stderr at the default filter when
/// `TEST_LOG=1`, and everything at TRACE into [`logs::LogCapture`] while a test captures.
pub fn init_logs() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let stderr = std::env::var_os("TEST_LOG").is_some().then(|| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(tracing_subscriber::EnvFilter::new(
                    LogConfig::default().filter,
                ))
        });
        let capture = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(logs::CaptureWriter)
            .with_filter(tracing_subscriber::filter::dynamic_filter_fn(|_, _| {
                logs::active()
            }));
        let _ = tracing_subscriber::registry()
            .with(stderr)
            .with(capture)
            .try_init();
    });
}

/// A running app, spoken to over real HTTP. `http` sends an admin's bearer token by default;
/// [`TestApp::anonymous`] sends nothing.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    /// A client without credentials.
    pub anonymous: reqwest::Client,
    /// The admin token `http` sends (scopes api:read and api:write).
    pub token: String,
    pub store: std::sync::Arc<dyn Store>,
    pub auth: AuthConfig,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<anyhow::Result<()>>,
    pub collectors: std::sync::Arc<hangar_server::collect::Collectors>,
    pub detector: std::sync::Arc<hangar_server::detect::Detector>,
}

impl TestApp {
    pub async fn spawn(config: Config) -> TestApp {
        Self::spawn_with(config, hangar_server::collect::vendor_factory()).await
    }

    /// With a chosen way of making collectors (a fake, in tests of the server's side).
    pub async fn spawn_with(
        config: Config,
        factory: hangar_server::collect::CollectorFactory,
    ) -> TestApp {
        let auth = config.auth.clone();
        let app = Application::build_with(config, factory)
            .await
            .expect("app builds");
        let store = app.store();
        let token = bootstrap_admin(store.as_ref(), &auth).await;
        let addr = app.local_addr();
        let shutdown = app.shutdown_token();
        let collectors = app.collectors();
        let detector = app.detector();
        let task = tokio::spawn(app.run());
        TestApp {
            addr,
            base: format!("http://{addr}"),
            http: bearer_client(&token),
            anonymous: client_with(reqwest::header::HeaderMap::new()),
            token,
            store,
            auth,
            shutdown,
            task,
            collectors,
            detector,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new user with this role (and department), made directly in the store; returns its
    /// name and password.
    pub async fn user(&self, role: Role, department: Option<&str>) -> (String, String) {
        let username = format!(
            "{}-{}",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        self.user_named(&username, role, department, &password)
            .await;
        (username, password)
    }

    /// The user with this exact name, made in the store unless it exists already.
    pub async fn user_named(
        &self,
        name: &str,
        role: Role,
        department: Option<&str>,
        password: &str,
    ) {
        if self
            .store
            .user_by_name(name)
            .await
            .expect("store")
            .is_some()
        {
            return;
        }
        let auth = Auth::new(&self.auth).await.expect("auth");
        create_user(
            self.store.as_ref(),
            &auth,
            NewUser {
                username: name.to_owned(),
                display_name: None,
                role,
                department: department.map(str::to_owned),
                password: SecretString::from(password.to_owned()),
            },
        )
        .await
        .expect("user created");
    }

    /// A token of this user's with these scopes, valid for a day.
    pub async fn token_for(&self, username: &str, scopes: &[Scope], robot: Option<&str>) -> String {
        let owner = self
            .store
            .user_by_name(username)
            .await
            .expect("store")
            .expect("user exists");
        let (_, secret) = issue_token(
            self.store.as_ref(),
            &self.auth,
            &owner,
            NewToken {
                name: "test".to_owned(),
                scopes: scopes.to_vec(),
                expires_days: 1,
                robot: robot.map(str::to_owned),
            },
        )
        .await
        .expect("token issued");
        secret.expose_secret().to_owned()
    }

    /// A bearer client for a new user of this role (token scopes api:read and api:write).
    pub async fn client_for(&self, role: Role, department: Option<&str>) -> reqwest::Client {
        let (name, _) = self.user(role, department).await;
        bearer_client(
            &self
                .token_for(&name, &[Scope::ApiRead, Scope::ApiWrite], None)
                .await,
        )
    }

    /// Signs in through the API and returns a client that sends the session cookies (and
    /// the CSRF token, for tests that add the header themselves).
    pub async fn session_for(&self, username: &str, password: &str) -> SessionClient {
        let r = self
            .anonymous
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(r.status().as_u16(), 200, "login of {username}");
        let set_cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body: serde_json::Value = r.json().await.unwrap();
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        let pairs: Vec<&str> = set_cookies
            .iter()
            .map(|c| c.split(';').next().unwrap())
            .collect();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            reqwest::header::HeaderValue::from_str(&pairs.join("; ")).unwrap(),
        );
        SessionClient {
            http: client_with(headers),
            csrf,
            set_cookies,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }

    /// Shuts down as SIGTERM would, and waits for the app to finish.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task
            .await
            .expect("app task")
            .expect("app stops cleanly");
    }
}

/// A signed-in browser, as far as cookies go.
pub struct SessionClient {
    /// Sends the session cookies (no CSRF header: add it per request).
    pub http: reqwest::Client,
    pub csrf: String,
    /// The `Set-Cookie` values the login answered with.
    pub set_cookies: Vec<String>,
}

fn client_with(headers: reqwest::header::HeaderMap) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

/// A client that sends `Authorization: Bearer <token>` on every request.
pub fn bearer_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    client_with(headers)
}

/// Makes an admin (`test-admin`) with a token (api:read, api:write) directly in the store.
pub async fn bootstrap_admin(store: &dyn Store, config: &AuthConfig) -> String {
    let auth = Auth::new(config).await.expect("auth");
    let new = NewUser {
        username: "test-admin".to_owned(),
        display_name: None,
        role: Role::Admin,
        department: None,
        password: SecretString::from(format!("pw-{}", uuid::Uuid::new_v4().simple())),
    };
    // Several nodes on one database (the cluster tests) share the one admin.
    let admin = match create_user(store, &auth, new).await {
        Ok(u) => u,
        Err(_) => store
            .user_by_name("test-admin")
            .await
            .expect("store")
            .expect("admin exists"),
    };
    let (_, secret) = issue_token(
        store,
        config,
        &admin,
        NewToken {
            name: "test admin".to_owned(),
            scopes: vec![Scope::ApiRead, Scope::ApiWrite],
            expires_days: 1,
            robot: None,
        },
    )
    .await
    .expect("token issued");
    secret.expose_secret().to_owned()
}

/// An admin token on this database, made before a `hangar` binary is started on it.
pub async fn admin_token(db: &TestDb) -> String {
    let config = db.config();
    let store = hangar_server::store::connect(&config.database_url(), &config.database)
        .await
        .expect("store");
    store.migrate().await.expect("migrations");
    let token = bootstrap_admin(store.as_ref(), &config.auth).await;
    store.close().await;
    token
}

/// The workspace's target directory, for finding built binaries and assets.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Starts the real `hangar serve` binary on this database and a free port, and returns the
/// process with its base URL (from the line it prints once it listens).
pub fn spawn_binary(db: &TestDb) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hangar"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HANGAR_DATABASE__URL", &db.url)
        .env("HANGAR_DATA_DIR", db.dir.path())
        .env("HANGAR_SITE_DIR", db.dir.path())
        .stdout(Stdio::piped())
        .stderr(if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("hangar starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("hangar prints where it listens");
    let base = line
        .trim()
        .strip_prefix("hangar listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}
