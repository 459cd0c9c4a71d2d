//! A running node: store, stream, status reporter and HTTP server, with orderly shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use hangar_model::NodeId;
use hangar_model::anomaly::DetectionConfig;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::collect::{self, CollectorFactory, Collectors};
use crate::config::{Config, redact_db_url};
use crate::detect::Detector;
use crate::events::EventHub;
use crate::http::{self, WallAssets};
use crate::ingest::{Ingest, IngestConfig};
use crate::secrets::VaultService;
use crate::state::AppState;
use crate::status::StatusReporter;
use crate::store::{self, NodeRecord};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    detector: Arc<Detector>,
}

impl Application {
    /// Connects the database, applies migrations, binds the listener and registers the node.
    /// Nothing is served until [`Application::run`].
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        Self::build_with(config, collect::vendor_factory()).await
    }

    /// As [`Application::build`], with the given way of making collectors (tests use fakes).
    pub async fn build_with(
        mut config: Config,
        factory: CollectorFactory,
    ) -> anyhow::Result<Application> {
        let url = config.database_url();
        tracing::info!(database = %redact_db_url(url.expose_secret()), "opening the database");
        let store = store::connect(&url, &config.database)
            .await
            .context("opening the database")?;
        store.migrate().await.context("applying migrations")?;

        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let started_at = Utc::now();
        let node = NodeRecord {
            id: NodeId(uuid::Uuid::new_v4()),
            name: config
                .node_name
                .clone()
                .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned()),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            listen: addr.to_string(),
            started_at,
            last_seen_at: started_at,
        };
        // Start time in ms plus random low bits: two nodes started in the same millisecond
        // still get different epochs, so one's event ids are never taken for the other's.
        let epoch = ((started_at.timestamp_millis() as u64) << 16) | (rand::random::<u16>() as u64);
        let hub = Arc::new(EventHub::new(epoch, config.stream.ring_capacity));
        let reporter = Arc::new(StatusReporter::new(
            Arc::clone(&store),
            Arc::clone(&hub),
            node,
            config.demo,
            Duration::from_secs(config.status.interval_secs),
        ));
        reporter.start().await.context("registering this node")?;

        let shutdown = CancellationToken::new();
        let written = Arc::new(tokio::sync::Notify::new());
        let (ingest, _writer) = Ingest::start(
            Arc::clone(&store),
            Arc::clone(&hub),
            Arc::clone(&written),
            IngestConfig::default(),
        );
        let collectors = Arc::new(Collectors::new(
            Arc::clone(&store),
            ingest.clone(),
            Arc::clone(&hub),
            shutdown.clone(),
            factory,
        ));
        collectors
            .start_stored()
            .await
            .context("starting the collectors")?;
        let detector = Arc::new(Detector {
            store: Arc::clone(&store),
            hub: Arc::clone(&hub),
            collectors: Arc::clone(&collectors),
            config: DetectionConfig::default(),
            calendar: None,
        });
        tokio::spawn(Arc::clone(&detector).run(
            written,
            Duration::from_secs(config.detect.interval_secs),
            shutdown.clone(),
        ));

        let auth = Arc::new(
            crate::auth::Auth::new(&config.auth)
                .await
                .context("preparing password hashing")?,
        );
        if store.count_users().await.context("counting users")? == 0 && !config.demo {
            tracing::warn!(
                "no users yet: everything but health, metrics and sign-in answers 401. \
                 Create the first administrator with `hangar user add <name> --role admin`"
            );
        }
        let audit = Arc::new(crate::audit::AuditLog::new(Arc::clone(&store)));
        let vault = Arc::new(VaultService::start(Arc::clone(&store), &config.vault).await);
        // Used once; the unsealed keys are all the node needs from now on.
        config.vault.passphrase = None;

        let assets = WallAssets::locate(&config.site_dir);
        let state = AppState {
            auth,
            audit,
            config: Arc::new(config),
            store,
            hub,
            status: reporter,
            collectors,
            ingest,
            metrics: http::install_prometheus(),
            shutdown,
            vault,
        };
        let router = http::router(state.clone(), &assets);
        Ok(Application {
            listener,
            router,
            state,
            detector,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The node's detector, to run a detection round at a chosen time (tests do).
    pub fn detector(&self) -> Arc<Detector> {
        Arc::clone(&self.detector)
    }

    /// The node's collectors, to add sources before serving (the demo does).
    pub fn collectors(&self) -> Arc<Collectors> {
        Arc::clone(&self.state.collectors)
    }

    /// The node's store (the demo creates its users through it).
    pub fn store(&self) -> Arc<dyn store::Store> {
        Arc::clone(&self.state.store)
    }

    /// Cancel it to shut the node down; [`Application::run`] then returns.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.state.shutdown.clone()
    }

    /// Serves until the shutdown token is cancelled, then stops in order: streams end, open
    /// requests get the configured grace, the node leaves the node list, the pool closes.
    pub async fn run(self) -> anyhow::Result<()> {
        let Application {
            listener,
            router,
            state,
            ..
        } = self;
        let token = state.shutdown.clone();
        let ticker = tokio::spawn(Arc::clone(&state.status).run(token.clone()));
        let grace = Duration::from_secs(state.config.http.shutdown_grace_secs);

        let server = axum::serve(
            listener,
            // The peer address feeds login throttling and the audit log.
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(token.clone().cancelled_owned());
        let deadline = async {
            token.cancelled().await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = server => served.context("serving HTTP")?,
            () = deadline => tracing::warn!(?grace, "requests still open after the grace period; closing them"),
        }
        let _ = ticker.await;
        state.status.deregister().await;
        // Bounded: a wedged connection must not keep the process alive.
        if tokio::time::timeout(Duration::from_secs(1), state.store.close())
            .await
            .is_err()
        {
            tracing::warn!("database pool did not close within 1 s");
        }
        tracing::info!("stopped");
        Ok(())
    }
}
