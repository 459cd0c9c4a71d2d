//! Test support: a fresh database per test on either engine, the real app on port 0, and a
//! small SSE reader. Logs stay silent unless `TEST_LOG=1`.
#![allow(dead_code)] // each test binary uses its own subset

pub mod logs;
pub mod sse;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Once;

use hangar_server::Application;
use hangar_server::config::{Config, LogConfig};
use secrecy::SecretString;
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

/// A running app, spoken to over real HTTP.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
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
        let app = Application::build_with(config, factory)
            .await
            .expect("app builds");
        let addr = app.local_addr();
        let shutdown = app.shutdown_token();
        let collectors = app.collectors();
        let detector = app.detector();
        let task = tokio::spawn(app.run());
        TestApp {
            addr,
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            shutdown,
            task,
            collectors,
            detector,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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
