//! The collectors a node runs: one poll task per configured source, added, paused and removed
//! at run time, plus the deduplication of webhook deliveries.

mod health;
mod runner;
pub mod spec;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use hangar_collectors::{CollectError, Collector, SourceConfig};
use hangar_model::{SourceHealth, SourceId, SourceView, Vendor};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use self::health::HealthState;
pub use self::runner::SourceRuntime;
pub use self::spec::{AuthSpec, SecretRef, SourceSpec, SpecError};
use crate::events::EventHub;
use crate::ingest::Ingest;
use crate::store::{SourceRecord, Store, StoreError};

/// Builds the client for a source. The server's is [`vendor_factory`]; tests may pass another.
pub type CollectorFactory =
    Arc<dyn Fn(&SourceConfig) -> Result<Arc<dyn Collector>, CollectError> + Send + Sync>;

/// The real clients, chosen by the source's vendor.
pub fn vendor_factory() -> CollectorFactory {
    Arc::new(
        |config: &SourceConfig| -> Result<Arc<dyn Collector>, CollectError> {
            Ok(match config.auth.vendor() {
                Vendor::Uipath => {
                    Arc::new(hangar_collectors::uipath::UipathCollector::new(config)?)
                }
                Vendor::AutomationAnywhere => {
                    Arc::new(hangar_collectors::aa::AaCollector::new(config)?)
                }
            })
        },
    )
}

/// How long a webhook event id is remembered for deduplication, and how many are kept.
const DEDUP_TTL: Duration = Duration::from_secs(3_600);
const DEDUP_CAPACITY: u64 = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Invalid(#[from] SpecError),
    #[error("a source with id {0} already exists")]
    Exists(SourceId),
    #[error("the collector could not be set up: {0}")]
    Collector(CollectError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Entry {
    spec: SourceSpec,
    /// None when the source cannot run (a secret's variable is missing, say): `problem` says why.
    runtime: Option<Arc<SourceRuntime>>,
    problem: Option<String>,
    paused: bool,
}

pub struct Collectors {
    store: Arc<dyn Store>,
    ingest: Ingest,
    hub: Arc<EventHub>,
    shutdown: CancellationToken,
    factory: CollectorFactory,
    entries: RwLock<BTreeMap<SourceId, Entry>>,
    seen: moka::sync::Cache<(SourceId, String), ()>,
}

impl Collectors {
    pub fn new(
        store: Arc<dyn Store>,
        ingest: Ingest,
        hub: Arc<EventHub>,
        shutdown: CancellationToken,
        factory: CollectorFactory,
    ) -> Self {
        Collectors {
            store,
            ingest,
            hub,
            shutdown,
            factory,
            entries: RwLock::new(BTreeMap::new()),
            seen: moka::sync::Cache::builder()
                .max_capacity(DEDUP_CAPACITY)
                .time_to_live(DEDUP_TTL)
                .build(),
        }
    }

    /// Starts every source stored in the database.
    pub async fn start_stored(&self) -> Result<(), StoreError> {
        for record in self.store.list_sources().await? {
            match serde_json::from_value::<SourceSpec>(record.spec.clone()) {
                Ok(spec) => self.start(spec, record.paused),
                Err(e) => {
                    tracing::error!(source = %record.id, error = %e, "stored source spec is unreadable; skipped")
                }
            }
        }
        Ok(())
    }

    /// Validates, stores and starts a new source.
    pub async fn add(&self, spec: SourceSpec) -> Result<SourceView, SourceError> {
        spec.validate()?;
        let config = spec.resolve()?;
        (self.factory)(&config).map_err(SourceError::Collector)?;
        let now = Utc::now();
        let record = SourceRecord {
            id: spec.id.clone(),
            vendor: spec.vendor(),
            department: spec.department.clone(),
            spec: serde_json::to_value(&spec).map_err(|e| SpecError(e.to_string()))?,
            simulated: spec.simulated,
            paused: false,
            created_at: now,
            updated_at: now,
        };
        if !self.store.insert_source(&record).await? {
            return Err(SourceError::Exists(spec.id));
        }
        let id = spec.id.clone();
        self.start(spec, false);
        tracing::info!(source = %id, "source added");
        Ok(self.get(&id).expect("just started"))
    }

    /// Stops a source and deletes it with everything collected from it.
    pub async fn remove(&self, id: &SourceId) -> Result<bool, StoreError> {
        let removed = self.store.delete_source(id).await?;
        if let Some(rt) = self.write().remove(id).and_then(|entry| entry.runtime) {
            rt.stop.cancel();
        }
        Ok(removed)
    }

    pub async fn set_paused(
        &self,
        id: &SourceId,
        paused: bool,
    ) -> Result<Option<SourceView>, StoreError> {
        if !self.store.set_source_paused(id, paused).await? {
            return Ok(None);
        }
        if let Some(entry) = self.write().get_mut(id) {
            entry.paused = paused;
            if let Some(rt) = &entry.runtime {
                rt.set_paused(paused);
            }
        }
        Ok(self.get(id))
    }

    pub fn list(&self) -> Vec<SourceView> {
        self.read().values().map(view).collect()
    }

    pub fn get(&self, id: &SourceId) -> Option<SourceView> {
        self.read().get(id).map(view)
    }

    pub fn health(&self) -> Vec<SourceHealth> {
        self.list().into_iter().filter_map(|v| v.health).collect()
    }

    /// Each source's health with its poll interval in seconds, for stale-collector detection.
    pub fn health_with_intervals(&self) -> Vec<(SourceHealth, u64)> {
        self.read()
            .values()
            .filter_map(|e| view(e).health.map(|h| (h, e.spec.poll_interval_secs)))
            .collect()
    }

    /// The running source, with its spec, for webhook intake.
    pub fn runtime(&self, id: &SourceId) -> Option<(SourceSpec, Option<Arc<SourceRuntime>>)> {
        self.read()
            .get(id)
            .map(|e| (e.spec.clone(), e.runtime.clone()))
    }

    /// True the first time an event id is seen for a source (within the dedup window).
    pub fn first_delivery(&self, source: &SourceId, event_id: &str) -> bool {
        let key = (source.clone(), event_id.to_owned());
        let entry = self.seen.entry(key).or_insert(());
        entry.is_fresh()
    }

    fn start(&self, spec: SourceSpec, paused: bool) {
        let built = spec
            .resolve()
            .map_err(|e| e.to_string())
            .and_then(|config| {
                let collector = (self.factory)(&config).map_err(|e| e.to_string())?;
                Ok((config, collector))
            });
        let (runtime, problem) = match built {
            Ok((config, collector)) => {
                let rt = Arc::new(SourceRuntime {
                    id: spec.id.clone(),
                    collector,
                    health: std::sync::Mutex::new(HealthState::new(
                        spec.id.clone(),
                        spec.vendor(),
                        spec.department.clone(),
                        paused,
                    )),
                    wake: Notify::new(),
                    interval: Duration::from_secs(spec.poll_interval_secs.max(1)),
                    stop: CancellationToken::new(),
                    webhook_secret: config.webhook_secret.clone(),
                });
                tokio::spawn(runner::run(
                    Arc::clone(&rt),
                    Arc::clone(&self.store),
                    self.ingest.clone(),
                    Arc::clone(&self.hub),
                    self.shutdown.clone(),
                ));
                (Some(rt), None)
            }
            Err(problem) => {
                tracing::error!(source = %spec.id, %problem, "source cannot run");
                (None, Some(problem))
            }
        };
        let id = spec.id.clone();
        self.write().insert(
            id,
            Entry {
                spec,
                runtime,
                problem,
                paused,
            },
        );
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<SourceId, Entry>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<SourceId, Entry>> {
        self.entries.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn view(e: &Entry) -> SourceView {
    let mut v = e.spec.view(e.paused);
    v.health = Some(match &e.runtime {
        Some(rt) => rt.health(),
        None => {
            let mut h = HealthState::new(
                e.spec.id.clone(),
                e.spec.vendor(),
                e.spec.department.clone(),
                e.paused,
            )
            .snapshot(Utc::now());
            h.last_error.clone_from(&e.problem);
            h
        }
    });
    v
}
