//! Configuration: built-in defaults, then `hangar.toml`, then `HANGAR_*` environment variables.
//!
//! Nested keys use a double underscore in the environment: `HANGAR_DATABASE__URL` sets
//! `[database] url`. Secrets (the database URL may carry a password) are [`SecretString`]s,
//! which never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds. Port 0 picks a free one (tests do).
    pub listen: SocketAddr,
    /// Where the embedded SQLite database and other local state live.
    pub data_dir: PathBuf,
    /// Where the built wall assets are (`pkg/hangar_wall.js`, `pkg/hangar_wall_bg.wasm`).
    pub site_dir: PathBuf,
    /// How this node names itself to the others; the host name by default.
    pub node_name: Option<String>,
    /// Running on simulators: every screen says DEMO. Set by `hangar demo`.
    pub demo: bool,
    pub log: LogConfig,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub stream: StreamConfig,
    pub status: StatusConfig,
    pub detect: DetectConfig,
    pub auth: AuthConfig,
    pub vault: VaultConfig,
}

/// The credential vault's root key. Neither set: the vault starts sealed and an admin
/// unseals it (`POST /api/v1/vault/unseal`). The first start with one set initialises the
/// keyring from it.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VaultConfig {
    /// A file of 32 random bytes (raw or base64, mode 0600) for unattended starts; make one
    /// with `hangar vault init-key-file <path>`.
    pub key_file: Option<PathBuf>,
    /// The operator passphrase (at least 12 characters), best from `HANGAR_VAULT__PASSPHRASE`.
    pub passphrase: Option<SecretString>,
    /// Versions rewrapped per transaction during a rotation.
    pub rotate_batch: u32,
}

impl Default for VaultConfig {
    fn default() -> Self {
        VaultConfig {
            key_file: None,
            passphrase: None,
            rotate_batch: 500,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectConfig {
    /// Seconds between detection rounds when nothing is written (writes trigger one at once).
    pub interval_secs: u64,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig { interval_secs: 5 }
    }
}

/// Sign-in, sessions, tokens and who may read the wall (see docs/operations.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Adds `Secure` to the session cookies. Off by default because the demo and a localhost
    /// install speak plain HTTP; turn it on whenever Hangar is reached over HTTPS.
    pub secure_cookies: bool,
    /// The wall pages, the stream and the reads the wall makes are open without signing in
    /// (writes never are). `hangar demo` sets it.
    pub open_wall: bool,
    /// A session unused this long ends (a wall screen keeps its session alive by being open).
    pub session_idle_secs: u64,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute_secs: u64,
    /// The longest lifetime an API token may be given, in days (at most 365).
    pub token_max_days: u32,
    /// Failed sign-ins allowed per user name, then per client address, within the window.
    pub login_failures_per_user: u32,
    pub login_failures_per_ip: u32,
    pub login_window_secs: u64,
    /// Take the client address from the first `X-Forwarded-For` hop (only behind a proxy
    /// that sets it; otherwise clients could pick their own address).
    pub trust_forwarded_for: bool,
    pub password: PasswordConfig,
}

/// Argon2id cost for new password hashes; at least OWASP's floor (m=19456 KiB, t=2, p=1).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordConfig {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        let p = hangar_vault::PasswordHashParams::default();
        PasswordConfig {
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
        }
    }
}

impl PasswordConfig {
    pub fn params(&self) -> hangar_vault::PasswordHashParams {
        hangar_vault::PasswordHashParams {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            secure_cookies: false,
            open_wall: false,
            session_idle_secs: 12 * 3600,
            session_absolute_secs: 7 * 24 * 3600,
            token_max_days: 90,
            login_failures_per_user: 5,
            login_failures_per_ip: 20,
            login_window_secs: 15 * 60,
            trust_forwarded_for: false,
            password: PasswordConfig::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info` or `hangar_server=debug,sqlx=warn`. `RUST_LOG` wins.
    pub filter: String,
    /// `text` for people, `json` for log shippers.
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path` or `postgres://user:pass@host/db`. Unset: SQLite in the data directory.
    pub url: Option<SecretString>,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_secs: u64,
    /// How long a SQLite writer waits for the lock before giving up.
    pub sqlite_busy_timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Longest a request may take to produce its response head (streams are not cut).
    pub request_timeout_secs: u64,
    /// After SIGTERM, how long open requests get before the process exits anyway.
    pub shutdown_grace_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamConfig {
    /// Recent events kept for clients resuming with `Last-Event-ID`.
    pub ring_capacity: usize,
    /// Seconds between keep-alive comments on an idle stream.
    pub heartbeat_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusConfig {
    /// Seconds between system status events (and node heartbeats in the database).
    pub interval_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("hangar-data"),
            site_dir: PathBuf::from("target/site"),
            node_name: None,
            demo: false,
            log: LogConfig::default(),
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            stream: StreamConfig::default(),
            status: StatusConfig::default(),
            detect: DetectConfig::default(),
            auth: AuthConfig::default(),
            vault: VaultConfig::default(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            filter: "info,sqlx=warn,tower_http=info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 10,
            min_connections: 1,
            acquire_timeout_secs: 5,
            sqlite_busy_timeout_ms: 5_000,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            request_timeout_secs: 30,
            shutdown_grace_secs: 3,
        }
    }
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            ring_capacity: 4_096,
            heartbeat_secs: 15,
        }
    }
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig { interval_secs: 2 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, then the TOML file if it exists, then `HANGAR_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::new();
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let env = Env::prefixed("HANGAR_")
            .split("__")
            // HANGAR_CONFIG names the file itself; HANGAR_TEST_* belong to the test suite.
            .filter(|key| key != "config" && !key.as_str().starts_with("test_"));
        let config: Config = figment
            .merge(env)
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_owned()));
        if self.database.max_connections == 0 {
            return bad("database.max_connections must be at least 1");
        }
        if self.database.min_connections > self.database.max_connections {
            return bad("database.min_connections exceeds database.max_connections");
        }
        if self.stream.ring_capacity == 0 {
            return bad("stream.ring_capacity must be at least 1");
        }
        if self.stream.heartbeat_secs == 0 || self.status.interval_secs == 0 {
            return bad("stream.heartbeat_secs and status.interval_secs must be at least 1");
        }
        if self.detect.interval_secs == 0 {
            return bad("detect.interval_secs must be at least 1");
        }
        if self.http.request_timeout_secs == 0 {
            return bad("http.request_timeout_secs must be at least 1");
        }
        if let Err(e) = self.auth.password.params().validate() {
            return Err(ConfigError::Invalid(format!("auth.password: {e}")));
        }
        if self.auth.token_max_days == 0 || self.auth.token_max_days > 365 {
            return bad("auth.token_max_days must be 1 to 365");
        }
        if self.auth.session_idle_secs == 0
            || self.auth.session_absolute_secs < self.auth.session_idle_secs
        {
            return bad(
                "auth.session_idle_secs must be at least 1 and at most auth.session_absolute_secs",
            );
        }
        if self.auth.login_failures_per_user == 0
            || self.auth.login_failures_per_ip == 0
            || self.auth.login_window_secs == 0
        {
            return bad(
                "auth.login_failures_per_user, _per_ip and login_window_secs must be at least 1",
            );
        }
        if self.vault.key_file.is_some() && self.vault.passphrase.is_some() {
            return bad("set vault.key_file or vault.passphrase, not both");
        }
        if self.vault.rotate_batch == 0 {
            return bad("vault.rotate_batch must be at least 1");
        }
        if let Some(url) = &self.database.url {
            let url = url.expose_secret();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return bad("database.url must start with sqlite:, postgres:// or postgresql://");
            }
        }
        Ok(())
    }

    /// The database URL to connect to: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> SecretString {
        match &self.database.url {
            Some(url) => url.clone(),
            None => {
                let path = self.data_dir.join("hangar.db");
                SecretString::from(format!("sqlite://{}", path.display()))
            }
        }
    }
}

/// A database URL with any user name and password removed, safe for logs and screens.
pub fn redact_db_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
// figment's Jail closures return its (large) error type; that is its API, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_credentials() {
        assert_eq!(
            redact_db_url("postgres://hangar:s3cret@db.example:5432/hangar"),
            "postgres://db.example:5432/hangar"
        );
        assert_eq!(
            redact_db_url("sqlite://data/hangar.db"),
            "sqlite://data/hangar.db"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let mut c = Config::default();
        c.database.url = Some(SecretString::from("postgres://u:hunter2@h/db".to_owned()));
        c.vault.passphrase = Some(SecretString::from("vault-hunter3-passphrase".to_owned()));
        assert!(!format!("{c:?}").contains("hunter3"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn default_database_is_sqlite_in_the_data_dir() {
        let c = Config::default();
        assert_eq!(
            c.database_url().expose_secret(),
            "sqlite://hangar-data/hangar.db"
        );
    }

    #[test]
    fn file_then_env_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hangar.toml",
                "listen = \"0.0.0.0:9000\"\n[database]\nmax_connections = 4\n[stream]\nring_capacity = 10\n",
            )?;
            jail.set_env("HANGAR_DATABASE__MAX_CONNECTIONS", "7");
            jail.set_env("HANGAR_CONFIG", "hangar.toml");
            let c = Config::load(Some(Path::new("hangar.toml"))).expect("loads");
            assert_eq!(c.listen.port(), 9000);
            assert_eq!(c.database.max_connections, 7);
            assert_eq!(c.stream.ring_capacity, 10);
            assert_eq!(c.status.interval_secs, 2);
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("hangar.toml", "lissen = \"0.0.0.0:9000\"\n")?;
            assert!(Config::load(Some(Path::new("hangar.toml"))).is_err());
            jail.create_file("hangar.toml", "[auth.password]\nmemory_kib = 4096\n")?;
            let err = Config::load(Some(Path::new("hangar.toml"))).unwrap_err();
            assert!(err.to_string().contains("auth.password"), "{err}");
            jail.create_file("hangar.toml", "[auth]\ntoken_max_days = 400\n")?;
            assert!(Config::load(Some(Path::new("hangar.toml"))).is_err());
            jail.create_file("hangar.toml", "[database]\nurl = \"mysql://x\"\n")?;
            let err = Config::load(Some(Path::new("hangar.toml"))).unwrap_err();
            assert!(err.to_string().contains("database.url"), "{err}");
            Ok(())
        });
    }
}
