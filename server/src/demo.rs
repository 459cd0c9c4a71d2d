//! `hangar demo`: a simulated fleet behind a real Hangar.
//!
//! Both vendor simulators run in-process on loopback ports, and are registered as ordinary
//! sources, so their data reaches the store through the real clients over real HTTP, and their
//! webhooks and callbacks come in through the real hook endpoints, signed. Together they make
//! about 40 VMs, 60 robots and 30 processes.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use hangar_collectors::{aa, uipath};
use hangar_model::SourceId;
use secrecy::SecretString;

use std::sync::Arc;

use crate::collect::{Collectors, SourceSpec};

pub const UIPATH_SOURCE: &str = "demo-uipath";
pub const AA_SOURCE: &str = "demo-aa";

/// The running simulators; stop them after the server.
pub struct DemoFleet {
    uipath: uipath::sim::SimHandle,
    aa: aa::sim::SimHandle,
}

impl DemoFleet {
    /// Starts the simulators in real time and registers them as sources, replacing the
    /// sources of an earlier demo run (whose simulators are gone). Call it once the node
    /// serves: the simulators deliver webhooks and callbacks to it while they play history.
    pub async fn start(collectors: Arc<Collectors>, addr: SocketAddr) -> anyhow::Result<DemoFleet> {
        for old in collectors.list().into_iter().filter(|s| s.simulated) {
            collectors.remove(&old.id).await?;
        }
        let hooks = hook_base(addr);
        let secret = format!("{:032x}", rand::random::<u128>());

        let defaults = uipath::sim::SimConfig::default();
        let uipath = uipath::sim::UipathSimulator::start(uipath::sim::SimConfig {
            // The simulator plays `history` from `start`: begin that far back so "now" is now.
            start: Utc::now() - chrono::Duration::from_std(defaults.history).unwrap_or_default(),
            webhook: Some((
                format!("{hooks}/hooks/uipath/{UIPATH_SOURCE}"),
                secret.clone(),
            )),
            // The history played at start is delivered before the source exists here (404),
            // which opens the breaker as Orchestrator would; keep that pause short in a demo.
            webhook_breaker: Duration::from_secs(15),
            ..defaults
        })
        .await
        .context("starting the UiPath simulator")?;
        uipath.set_realtime(true);
        let mut config = uipath.source_config(SourceId(UIPATH_SOURCE.to_owned()), "finance");
        config.poll_interval_secs = 5;
        config.webhook_secret = Some(SecretString::from(secret.clone()));
        collectors.add(SourceSpec::simulated(&config)).await?;

        let aa_history = Duration::from_secs(2 * 3600);
        let aa = aa::sim::AaSimulator::start(aa::sim::SimConfig {
            start: Utc::now() - chrono::Duration::from_std(aa_history).unwrap_or_default(),
            run_now_per_hour: 40.0,
            realtime: Some(aa::sim::Realtime {
                tick: Duration::from_secs(1),
                speed: 1,
            }),
            callback: Some(aa::sim::CallbackConfig {
                url: format!("{hooks}/hooks/aa/{AA_SOURCE}"),
                header: "X-Hangar-Token".to_owned(),
                token: secret.clone(),
            }),
            ..aa::sim::SimConfig::default()
        })
        .await
        .context("starting the Automation Anywhere simulator")?;
        // Two hours of past activity, so the wall has history from the first second.
        aa.advance(aa_history).await;
        let mut config = aa.source_config(SourceId(AA_SOURCE.to_owned()), "operations", true);
        config.poll_interval_secs = 5;
        config.webhook_secret = Some(SecretString::from(secret));
        collectors.add(SourceSpec::simulated(&config)).await?;

        tracing::info!(uipath = %uipath.base_url(), aa = %aa.base_url(), "demo fleet running");
        Ok(DemoFleet { uipath, aa })
    }

    pub async fn stop(self) {
        self.uipath.stop().await;
        self.aa.stop().await;
    }
}

/// Where the simulators reach this node: loopback when it listens on every interface.
fn hook_base(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

/// A demo user and the password made for it, shown once on stdout.
pub struct DemoUser {
    pub username: String,
    pub role: hangar_model::Role,
    pub department: Option<String>,
    pub password: SecretString,
}

/// One user per role (departments "finance" and "operations", the demo sources'), each with
/// a fresh random password (an existing demo user from an earlier run gets a new one), and
/// a wall token owned by the ops user. Printed once by `hangar demo`, never logged.
pub async fn demo_users(
    store: &dyn crate::store::Store,
    config: &crate::config::AuthConfig,
) -> anyhow::Result<(Vec<DemoUser>, SecretString)> {
    use hangar_model::{Role, Scope};

    use crate::auth::Auth;
    use crate::auth::accounts::{NewToken, NewUser, create_user, issue_token};

    let fail = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let auth = Auth::new(config).await?;
    let plan = [
        (Role::Admin, None),
        (Role::Ops, None),
        (Role::Business, Some("finance")),
        (Role::Developer, Some("operations")),
        (Role::Manager, Some("finance")),
    ];
    let mut users = Vec::new();
    let mut ops = None;
    for (role, department) in plan {
        let username = format!("demo-{role}");
        let password = SecretString::from(crate::auth::random_secret()[..16].to_owned());
        let user = match store.user_by_name(&username).await? {
            Some(mut existing) => {
                existing.password_hash = auth.hash(&password).await.map_err(fail)?;
                existing.password_changed_at = Utc::now();
                existing.disabled = false;
                store.update_user(&existing).await?;
                existing
            }
            None => {
                let new = NewUser {
                    username: username.clone(),
                    display_name: Some(format!("Demo {role}")),
                    role,
                    department: department.map(str::to_owned),
                    password: password.clone(),
                };
                create_user(store, &auth, new).await.map_err(fail)?
            }
        };
        if role == Role::Ops {
            ops = Some(user.clone());
        }
        users.push(DemoUser {
            username,
            role,
            department: department.map(str::to_owned),
            password,
        });
    }
    let owner = ops.context("the demo ops user exists")?;
    let new = NewToken {
        name: "demo wall".to_owned(),
        scopes: vec![Scope::WallRead],
        expires_days: config.token_max_days.min(30),
        robot: None,
    };
    let (_, wall) = issue_token(store, config, &owner, new)
        .await
        .map_err(fail)?;
    Ok((users, wall))
}
