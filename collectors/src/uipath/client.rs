//! `UipathCollector`: polls one Orchestrator tenant.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::fleet::{Batch, SourceId};
use serde::de::DeserializeOwned;

use super::auth::{Login, TokenCache};
use super::cursor::{FolderCursor, PendingJob, UipathCursor};
use super::dto::{FolderDto, MachineDto, OData};
use super::poll_folder::FolderPoll;
use crate::http::{Budget, Counters, send_with_retry};
use crate::retry::RetryPolicy;
use crate::{ClientStats, CollectError, Collector, Cursor, SourceAuth, SourceConfig};

/// `$top` cap of Jobs and the other collections.
pub const MAX_TOP: u32 = 1000;
/// `$top` cap of QueueItems.
pub const MAX_QUEUE_TOP: u32 = 100;
/// The folder header of folder-scoped endpoints.
pub const FOLDER_HEADER: &str = "X-UIPATH-OrganizationUnitId";

/// Which budget a request spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spend {
    Jobs,
    QueueItems,
    Free,
}

/// One UiPath Orchestrator tenant (cloud or on-prem).
pub struct UipathCollector {
    pub(crate) source: SourceId,
    odata_root: String,
    http: reqwest::Client,
    tokens: TokenCache,
    policy: RetryPolicy,
    jobs_budget: Budget,
    queue_budget: Budget,
    counters: Counters,
    pub(crate) page_size: u32,
    pub(crate) queue_page_size: u32,
    pub(crate) overlap: chrono::Duration,
    pub(crate) max_rescans: u32,
    /// Unfinished jobs are re-checked by id on every this many polls.
    pub(crate) recheck_every: u32,
}

/// How often unfinished jobs are asked for by id, in seconds of polling. Their changes come
/// in through the `LastModificationTime` scan; the re-check only catches a change that escaped
/// it (a tenant that ignores the filter, a row committed late beyond the overlap). Doing it on
/// every poll spends most of the Jobs budget on jobs that have not changed.
pub const RECHECK_EVERY_SECS: u64 = 60;

impl UipathCollector {
    /// A collector for `cfg` with Hangar's shared HTTP client.
    pub fn new(cfg: &SourceConfig) -> Result<UipathCollector, CollectError> {
        Self::with_client(cfg, crate::http::client())
    }

    /// A collector for `cfg` over `http` (tests use short timeouts).
    pub fn with_client(
        cfg: &SourceConfig,
        http: reqwest::Client,
    ) -> Result<UipathCollector, CollectError> {
        let base = cfg.base_url.trim_end_matches('/').to_owned();
        let login = Login::from_source(&base, &cfg.auth).ok_or_else(|| {
            CollectError::Auth(format!(
                "source {} has {} credentials, not UiPath ones",
                cfg.id,
                cfg.auth.kind()
            ))
        })?;
        let odata_root = match &cfg.auth {
            SourceAuth::UipathCloud {
                organization,
                tenant,
                ..
            } => format!("{base}/{organization}/{tenant}/orchestrator_/odata"),
            _ => format!("{base}/odata"),
        };
        Ok(UipathCollector {
            source: cfg.id.clone(),
            odata_root,
            http,
            tokens: TokenCache::new(login),
            policy: RetryPolicy::default(),
            jobs_budget: Budget::per_minute(budget_rate(cfg.requests_per_minute)),
            queue_budget: Budget::per_minute(budget_rate(cfg.requests_per_minute)),
            counters: Counters::default(),
            page_size: MAX_TOP,
            queue_page_size: MAX_QUEUE_TOP,
            overlap: chrono::Duration::seconds(5),
            max_rescans: 3,
            recheck_every: RECHECK_EVERY_SECS
                .div_ceil(cfg.poll_interval_secs.max(1))
                .max(1) as u32,
        })
    }

    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Page sizes for Jobs (≤ 1000) and QueueItems (≤ 100); larger values are capped.
    pub fn with_page_sizes(mut self, jobs: u32, queue_items: u32) -> Self {
        self.page_size = jobs.clamp(1, MAX_TOP);
        self.queue_page_size = queue_items.clamp(1, MAX_QUEUE_TOP);
        self
    }

    /// How far before the watermark each incremental read starts (default 5 s).
    pub fn with_overlap(mut self, overlap: std::time::Duration) -> Self {
        self.overlap = chrono::Duration::from_std(overlap).unwrap_or(self.overlap);
        self
    }

    /// Re-check unfinished jobs by id on every `polls`-th poll (1: every poll).
    pub fn with_recheck_every(mut self, polls: u32) -> Self {
        self.recheck_every = polls.max(1);
        self
    }

    /// The OData root every collection hangs off: `…/orchestrator_/odata` or `…/odata`.
    pub fn odata_root(&self) -> &str {
        &self.odata_root
    }

    /// GETs one page of an OData collection. Logs in (again, exactly once) on 401, retries
    /// transient statuses per the retry policy, and re-reads an unreadable body twice.
    pub(crate) async fn get_page<T: DeserializeOwned>(
        &self,
        what: &str,
        collection: &str,
        query: &[(&str, String)],
        folder: Option<i64>,
        spend: Spend,
    ) -> Result<OData<T>, CollectError> {
        let url = format!("{}/{collection}", self.odata_root);
        let budget = match spend {
            Spend::Jobs => Some(&self.jobs_budget),
            Spend::QueueItems => Some(&self.queue_budget),
            Spend::Free => None,
        };
        let mut refused = None;
        let mut decode_failures = 0;
        loop {
            let bearer = self
                .tokens
                .bearer(&self.http, &self.policy, &self.counters, refused)
                .await?;
            let resp = send_with_retry(what, &self.policy, budget, &self.counters, || {
                use secrecy::ExposeSecret;
                let mut req = self
                    .http
                    .get(&url)
                    .query(query)
                    .bearer_auth(bearer.token.expose_secret());
                if let Some(f) = folder {
                    req = req.header(FOLDER_HEADER, f.to_string());
                }
                req
            })
            .await?;
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
                if refused.is_some() {
                    return Err(CollectError::Auth(format!(
                        "{what}: token refused right after a fresh login"
                    )));
                }
                tracing::debug!(what, "token refused, logging in again");
                refused = Some(bearer.generation);
                continue;
            }
            match crate::http::read_json::<OData<T>>(what, resp).await {
                Err(CollectError::Decode { .. }) if decode_failures < 2 => {
                    decode_failures += 1;
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                }
                other => return other,
            }
        }
    }

    /// Every row of a collection, paged with `$top`/`$skip` until a short page.
    pub(crate) async fn get_all<T: DeserializeOwned>(
        &self,
        what: &str,
        collection: &str,
        extra: &[(&str, String)],
        folder: Option<i64>,
    ) -> Result<Vec<T>, CollectError> {
        let mut rows = Vec::new();
        let top = MAX_TOP as usize;
        loop {
            let mut query = extra.to_vec();
            query.push(("$top", top.to_string()));
            query.push(("$skip", rows.len().to_string()));
            let page: OData<T> = self
                .get_page(what, collection, &query, folder, Spend::Free)
                .await?;
            let n = page.value.len();
            rows.extend(page.value);
            if n < top {
                return Ok(rows);
            }
        }
    }
}

#[async_trait]
impl Collector for UipathCollector {
    fn source(&self) -> &SourceId {
        &self.source
    }

    async fn poll(&self, cursor: Cursor) -> Result<(Batch, serde_json::Value), CollectError> {
        let mut cur = UipathCursor::from_stored(cursor)?;
        let folders: Vec<FolderDto> = self.get_all("UiPath Folders", "Folders", &[], None).await?;
        let machines: Vec<MachineDto> = self
            .get_all("UiPath Machines", "Machines", &[], None)
            .await?;
        let machine_names: HashMap<i64, String> =
            machines.into_iter().map(|m| (m.id, m.name)).collect();
        let mut batch = Batch::default();
        let mut robots_seen = HashSet::new();
        for folder in &folders {
            let path = folder
                .fully_qualified_name
                .clone()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| folder.display_name.clone());
            let state = cur.folders.remove(&folder.id).unwrap_or_default();
            let poll = FolderPoll {
                client: self,
                folder_id: folder.id,
                path: &path,
                machine_names: &machine_names,
            };
            let state = poll.run(state, &mut batch, &mut robots_seen).await?;
            cur.folders.insert(folder.id, state);
        }
        Ok((batch, cur.to_value()))
    }

    fn stats(&self) -> ClientStats {
        let (requests, retries, throttled) = self.counters.snapshot();
        ClientStats {
            requests,
            retries,
            throttled,
        }
    }
}

/// The limiter rate that keeps every minute within `limit` requests.
///
/// [`Budget`] admits a burst of a tenth of its rate on top of the rate itself, so a limiter
/// set to the vendor's 100/min could admit 110 in one minute. Rate × 1.1 ≤ limit avoids it.
pub fn budget_rate(limit: u32) -> u32 {
    (limit.saturating_mul(10) / 11).max(1)
}

/// The dedup key of a job version.
pub(crate) fn job_version(
    key: &str,
    modified: Option<DateTime<Utc>>,
) -> (String, Option<DateTime<Utc>>) {
    (key.to_owned(), modified)
}

/// Keeps `pending` in step with a job just delivered.
pub(crate) fn track_pending(
    state: &mut FolderCursor,
    id: i64,
    key: &str,
    modified: Option<DateTime<Utc>>,
    terminal: bool,
) {
    state.pending.retain(|p| p.id != id);
    if !terminal {
        state.pending.push(PendingJob {
            id,
            key: key.to_owned(),
            modified,
        });
    }
}
