//! `hangar user …`: manage local users and their tokens directly in the database (the first
//! administrator is made this way, before anyone can sign in). Every action is audited with
//! via = `cli`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use hangar_model::{Role, Scope};
use secrecy::{ExposeSecret, SecretString};

use crate::audit::{Actor, AuditEvent, AuditLog, AuditOutcome};
use crate::auth::Auth;
use crate::auth::accounts::{NewToken, NewUser, check_password, create_user, issue_token};
use crate::config::Config;
use crate::store::{self, Store};

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a user. The password is read from stdin, never from the command line.
    Add {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Required for every role but admin and ops.
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password as one line from stdin without prompting (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password; their sessions end.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Issue an API token for a user and print it (once).
    Token {
        username: String,
        #[arg(long)]
        name: String,
        /// wall:read, api:read, api:write or robot:credentials; repeat for several.
        #[arg(long = "scope", value_parser = parse_scope, required = true)]
        scopes: Vec<Scope>,
        /// Days until it expires (at most auth.token_max_days).
        #[arg(long, default_value_t = 90)]
        expires_days: u32,
        /// The robot or process the token acts for (with robot:credentials only).
        #[arg(long)]
        robot: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "one of admin, ops, business, developer, manager".to_owned())
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    Scope::parse(s)
        .ok_or_else(|| "one of wall:read, api:read, api:write, robot:credentials".to_owned())
}

/// One line from stdin. At a terminal it prompts first (and says the input is shown).
fn read_password(prompt_for: &str, quiet: bool) -> anyhow::Result<SecretString> {
    let stdin = std::io::stdin();
    if !quiet && stdin.is_terminal() {
        eprint!("Password for {prompt_for} (typed text is shown; prefer --password-stdin): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let secret = SecretString::from(password);
    check_password(&secret).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(secret)
}

pub async fn run(config: &Config, action: UserAction) -> anyhow::Result<()> {
    let store = store::connect(&config.database_url(), &config.database)
        .await
        .context("opening the database")?;
    store.migrate().await.context("applying migrations")?;
    let result = act(
        config,
        store.as_ref(),
        std::sync::Arc::clone(&store),
        action,
    )
    .await;
    store.close().await;
    result
}

async fn act(
    config: &Config,
    store: &dyn Store,
    shared: std::sync::Arc<dyn Store>,
    action: UserAction,
) -> anyhow::Result<()> {
    let audit = AuditLog::new(shared);
    let fail = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    match action {
        UserAction::Add {
            username,
            role,
            department,
            display_name,
            password_stdin,
        } => {
            let password = read_password(&username, password_stdin)?;
            let auth = Auth::new(&config.auth).await?;
            let event = AuditEvent::ok("user.create", format!("user:{username}"))
                .with_detail(serde_json::json!({"role": role, "department": department}));
            audit
                .record_as(Actor::Cli, event.clone())
                .await
                .map_err(fail)?;
            let new = NewUser {
                username,
                display_name,
                role,
                department,
                password,
            };
            let user = match create_user(store, &auth, new).await {
                Ok(user) => user,
                Err(e) => {
                    let failed = event.with_outcome(AuditOutcome::Failed);
                    audit.record_as(Actor::Cli, failed).await.map_err(fail)?;
                    return Err(fail(e));
                }
            };
            println!("created {} ({})", user.username, user.role);
        }
        UserAction::Passwd {
            username,
            password_stdin,
        } => {
            let Some(mut user) = store.user_by_name(&username).await? else {
                bail!("no user {username}");
            };
            let password = read_password(&user.username, password_stdin)?;
            let auth = Auth::new(&config.auth).await?;
            user.password_hash = auth.hash(&password).await.map_err(fail)?;
            user.password_changed_at = chrono::Utc::now();
            let event = AuditEvent::ok("user.password_reset", format!("user:{}", user.id));
            audit.record_as(Actor::Cli, event).await.map_err(fail)?;
            store.update_user(&user).await?;
            store.delete_user_sessions(user.id).await?;
            println!(
                "password of {} changed; their sessions ended",
                user.username
            );
        }
        UserAction::List => {
            println!(
                "{:<24} {:<10} {:<16} {:<9} CREATED",
                "USER", "ROLE", "DEPARTMENT", "STATE"
            );
            for u in store.list_users().await? {
                println!(
                    "{:<24} {:<10} {:<16} {:<9} {}",
                    u.username,
                    u.role.as_str(),
                    u.department.as_deref().unwrap_or("-"),
                    if u.disabled { "disabled" } else { "active" },
                    u.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }
        UserAction::Token {
            username,
            name,
            scopes,
            expires_days,
            robot,
        } => {
            let Some(owner) = store.user_by_name(&username).await? else {
                bail!("no user {username}");
            };
            let event = AuditEvent::ok("token.create", format!("user:{}", owner.id))
                .with_detail(serde_json::json!({"name": name, "scopes": scopes, "robot": robot}));
            audit
                .record_as(Actor::Cli, event.clone())
                .await
                .map_err(fail)?;
            let new = NewToken {
                name,
                scopes,
                expires_days,
                robot,
            };
            let (token, secret) = match issue_token(store, &config.auth, &owner, new).await {
                Ok(issued) => issued,
                Err(e) => {
                    let failed = event.with_outcome(AuditOutcome::Failed);
                    audit.record_as(Actor::Cli, failed).await.map_err(fail)?;
                    return Err(fail(e));
                }
            };
            eprintln!(
                "token {} for {} expires {}; it is shown once:",
                token.id,
                owner.username,
                token.expires_at.format("%Y-%m-%d")
            );
            println!("{}", secret.expose_secret());
        }
    }
    Ok(())
}
