//! What every handler can reach.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;

use crate::audit::AuditLog;
use crate::auth::Auth;
use crate::collect::Collectors;
use crate::config::Config;
use crate::events::EventHub;
use crate::ingest::Ingest;
use crate::secrets::VaultService;
use crate::status::StatusReporter;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub hub: Arc<EventHub>,
    pub status: Arc<StatusReporter>,
    pub collectors: Arc<Collectors>,
    /// Where every collected batch and webhook goes to be written.
    pub ingest: Ingest,
    pub metrics: PrometheusHandle,
    /// Password hashing and login throttling.
    pub auth: Arc<Auth>,
    /// Every state change and credential read is recorded here first (fail-closed).
    pub audit: Arc<AuditLog>,
    /// Cancelled when the node begins to shut down.
    pub shutdown: CancellationToken,
    /// The credential vault: sealed or unsealed on this node.
    pub vault: Arc<VaultService>,
}
