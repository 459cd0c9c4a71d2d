//! The `hangar` command line.

mod source;
mod user;
mod vault;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::app::Application;
use crate::config::{Config, redact_db_url};
use crate::demo::DemoFleet;
use crate::{store, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "hangar",
    version,
    about = "Runs and watches the shared VMs RPA robots work on"
)]
pub struct Cli {
    /// Configuration file. Without it, `hangar.toml` in the working directory is read if present.
    #[arg(long, global = true, env = "HANGAR_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the stream and the wall.
    Serve {
        /// Address to listen on (overrides `listen` in the config).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Run a complete local instance on SQLite, marked DEMO on every screen.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Where the demo keeps its database.
        #[arg(long, default_value = "hangar-demo")]
        data_dir: PathBuf,
    },
    /// Print the effective configuration (secrets redacted) and exit.
    Config,
    /// Add users, set passwords, list users, issue API tokens (works on the database directly).
    User {
        #[command(subcommand)]
        action: user::UserAction,
    },
    /// List, add, pause, resume or remove collector sources of a running Hangar.
    Source {
        /// The running Hangar to talk to.
        #[arg(long, env = "HANGAR_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// An API token (`hangar user token …`) with api:read, and api:write for changes.
        #[arg(long, env = "HANGAR_TOKEN", hide_env_values = true)]
        token: Option<String>,
        #[command(subcommand)]
        action: source::SourceAction,
    },
    /// The credential vault's keys: status, rotation, a new key file.
    Vault {
        #[command(subcommand)]
        action: vault::VaultAction,
    },
}

impl Cli {
    fn load_config(&self) -> anyhow::Result<Config> {
        let default = PathBuf::from("hangar.toml");
        let file = match &self.config {
            Some(path) => Some(path.clone()),
            None if default.exists() => Some(default),
            None => None,
        };
        Ok(Config::load(file.as_deref())?)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.load_config()?;
    match cli.command {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            telemetry::init(&config.log);
            serve(config).await
        }
        Command::Demo { listen, data_dir } => {
            telemetry::init(&config.log);
            if config.database.url.is_some() {
                tracing::warn!(
                    "the demo always runs on its own SQLite database; database.url is ignored"
                );
            }
            config.listen = listen;
            config.data_dir = data_dir;
            config.database.url = None;
            config.demo = true;
            // The demo's wall is for anyone to look at; every write still needs a user.
            config.auth.open_wall = true;
            if config.vault.key_file.is_none() && config.vault.passphrase.is_none() {
                config.vault.key_file = Some(vault::demo_key_file(&config.data_dir)?);
            }
            serve(config).await
        }
        Command::Migrate => {
            telemetry::init(&config.log);
            let url = config.database_url();
            let store = store::connect(&url, &config.database).await?;
            store.migrate().await.context("applying migrations")?;
            store.close().await;
            println!(
                "migrations applied to {}",
                redact_db_url(url.expose_secret())
            );
            Ok(())
        }
        Command::Config => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Source {
            server,
            token,
            action,
        } => source::run(&server, token.map(secrecy::SecretString::from), action).await,
        Command::User { action } => user::run(&config, action).await,
        Command::Vault { action } => {
            telemetry::init(&config.log);
            vault::run(&config, action).await
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let demo = config.demo;
    let auth_config = config.auth.clone();
    let app = Application::build(config).await?;
    let demo_users = if demo {
        Some(crate::demo::demo_users(app.store().as_ref(), &auth_config).await?)
    } else {
        None
    };
    let token = app.shutdown_token();
    let addr = app.local_addr();
    let collectors = app.collectors();
    let signal_token = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        signal_token.cancel();
    });
    let server = tokio::spawn(app.run());
    let fleet = if demo {
        match DemoFleet::start(collectors, addr).await {
            Ok(fleet) => Some(fleet),
            Err(e) => {
                token.cancel();
                let _ = server.await;
                return Err(e);
            }
        }
    } else {
        None
    };
    // Scripts and tests read this line to find the port when listening on port 0; it comes
    // once the node serves and, for the demo, once the simulated fleet is registered.
    println!(
        "hangar listening on http://{addr}{}",
        if demo { " (DEMO)" } else { "" }
    );
    if let Some((users, wall)) = demo_users {
        // Stdout only, once: these are credentials, so they never go to the log.
        println!("demo users (passwords are new on every start):");
        for u in &users {
            println!(
                "  {:<16} {:<10} {:<12} {}",
                u.username,
                u.role.as_str(),
                u.department.as_deref().unwrap_or("all"),
                u.password.expose_secret()
            );
        }
        println!("wall token (wall:read): {}", wall.expose_secret());
        println!("  a wall screen can open http://{addr}/wall?token=<that token>");
    }
    let served = server.await.context("the server task failed")?;
    if let Some(fleet) = fleet {
        fleet.stop().await;
    }
    served
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
