//! [`AaCollector`]: polls one Control Room.
//!
//! Every poll:
//! 1. scans `POST /v3/activity/list` for `modifiedOn ge watermark − overlap`, sorted by
//!    `modifiedOn` then `id` ascending, 100 rows a page, `offset += len(list)` until
//!    `offset ≥ totalFilter`. Each page after the first re-reads the last row of the page before;
//!    when that row is not where it was (an execution changed and moved to the end while we
//!    paged) the scan resumes from that row's `modifiedOn`, so no row can slip past;
//! 2. re-checks executions still open by id (`or` of `eq id`, 50 a request);
//! 3. lists devices and schedules in full; bot files seen become processes.
//!
//! Activity requests wait on a budget of `requests_per_minute`; devices and schedules share a
//! second one. Both are set so that the burst the limiter allows stays inside the minute.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hangar_model::{Batch, RunState, SourceId};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use super::auth::{AUTH_HEADER, Session};
use super::cursor::{AaCursor, Pending};
use super::dto::{
    Activity, Device, Filter, ListRequest, ListResponse, PageRequest, Schedule, Sort, format_ts,
    parse_ts,
};
use super::normalize::{
    activity_to_run, bot_process, device_to_robot, run_state, schedule_to_info,
};
use crate::error::CollectError;
use crate::http::{Budget, Counters, read_json, send_with_retry};
use crate::retry::RetryPolicy;
use crate::source::SourceConfig;
use crate::{ClientStats, Collector, Cursor};

pub const ACTIVITY_PATH: &str = "/v3/activity/list";
pub const DEVICES_PATH: &str = "/v2/devices/list";
pub const SCHEDULES_PATH: &str = "/v1/schedule/automations/list";

/// Tuning of an [`AaCollector`]; the defaults suit a production Control Room.
#[derive(Clone, Debug)]
pub struct AaOptions {
    /// How far below the watermark each scan starts again (clock skew, late commits).
    pub overlap: Duration,
    /// Rows per page (the Control Room default is 100).
    pub page_length: u64,
    /// Execution ids per re-check request.
    pub id_batch: usize,
    /// Scan restarts after rows moved while paging before the poll settles for what it has.
    pub max_restarts: u32,
    /// Open executions re-checked at most (the oldest are given up beyond it).
    pub max_pending: usize,
    pub retry: RetryPolicy,
}

impl Default for AaOptions {
    fn default() -> Self {
        AaOptions {
            overlap: Duration::from_secs(5),
            page_length: 100,
            id_batch: 50,
            max_restarts: 5,
            max_pending: 5000,
            retry: RetryPolicy::default(),
        }
    }
}

/// The largest rate whose burst (a tenth, see [`Budget::per_minute`]) plus a minute of
/// steady flow still fits in `per_minute`.
pub fn budget_rate(per_minute: u32) -> u32 {
    (per_minute.saturating_mul(10) / 11).max(1)
}

pub struct AaCollector {
    source: SourceId,
    base: String,
    http: reqwest::Client,
    session: Session,
    counters: Arc<Counters>,
    runs_budget: Budget,
    other_budget: Budget,
    opts: AaOptions,
}

impl AaCollector {
    /// A collector for `cfg`, which must carry an `aa_api_key` or `aa_password` credential.
    pub fn new(cfg: &SourceConfig) -> Result<AaCollector, CollectError> {
        AaCollector::with_options(cfg, AaOptions::default())
    }

    pub fn with_options(cfg: &SourceConfig, opts: AaOptions) -> Result<AaCollector, CollectError> {
        let http = crate::http::client();
        let counters = Arc::new(Counters::default());
        let session = Session::new(
            http.clone(),
            &cfg.base_url,
            &cfg.auth,
            opts.retry,
            counters.clone(),
        )
        .ok_or_else(|| {
            CollectError::Auth(format!(
                "source {} has {} credentials, not Automation Anywhere ones",
                cfg.id,
                cfg.auth.kind()
            ))
        })?;
        let rate = budget_rate(cfg.requests_per_minute);
        Ok(AaCollector {
            source: cfg.id.clone(),
            base: cfg.base_url.trim_end_matches('/').to_owned(),
            http,
            session,
            counters,
            runs_budget: Budget::per_minute(rate),
            other_budget: Budget::per_minute(rate),
            opts,
        })
    }

    /// Token lifetime and refresh age other than the Control Room default of 20 minutes.
    pub fn with_token_lifetime(mut self, lifetime: Duration, refresh_after: Duration) -> Self {
        self.session.set_lifetime(lifetime, refresh_after);
        self
    }

    /// One list request: a 401 logs in again once and retries once; an unreadable answer is
    /// asked again twice.
    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        req: &ListRequest,
        budget: &Budget,
    ) -> Result<ListResponse<T>, CollectError> {
        let url = format!("{}{path}", self.base);
        let what = format!("AA {path}");
        let (mut relogged, mut unreadable) = (false, 0u32);
        loop {
            let token = self.session.token().await?;
            let resp = send_with_retry(
                &what,
                &self.opts.retry,
                Some(budget),
                &self.counters,
                || {
                    self.http
                        .post(&url)
                        .header(AUTH_HEADER, token.value.expose_secret())
                        .json(req)
                },
            )
            .await?;
            if resp.status() == StatusCode::UNAUTHORIZED {
                self.session.invalidate(token.generation).await;
                if relogged {
                    return Err(CollectError::Auth(format!(
                        "{what} refused a fresh token (HTTP 401)"
                    )));
                }
                relogged = true;
                self.counters
                    .retries
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                continue;
            }
            match read_json::<ListResponse<T>>(&what, resp).await {
                Err(CollectError::Decode { message, .. }) if unreadable < 2 => {
                    unreadable += 1;
                    self.counters
                        .retries
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::debug!(what, message, "unreadable AA page; asking again");
                }
                other => return other,
            }
        }
    }

    /// Every row matching `filter`, paged by offset.
    async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        filter: Option<Filter>,
        sort: Vec<Sort>,
        budget: &Budget,
    ) -> Result<Vec<T>, CollectError> {
        let mut out = Vec::new();
        let mut offset = 0u64;
        for _ in 0..10_000 {
            let req = ListRequest {
                filter: filter.clone(),
                sort: sort.clone(),
                fields: Vec::new(),
                page: Some(PageRequest {
                    offset,
                    length: Some(self.opts.page_length),
                }),
            };
            let page: ListResponse<T> = self.list(path, &req, budget).await?;
            let n = page.list.len() as u64;
            out.extend(page.list);
            offset += n;
            if n == 0 || offset >= page.page.total_filter {
                break;
            }
        }
        Ok(out)
    }

    /// Step 1: the changed executions since the watermark. Returns the rows (latest version
    /// of each id) and the new watermark.
    async fn scan(
        &self,
        cursor: &AaCursor,
    ) -> Result<(BTreeMap<String, Activity>, Option<DateTime<Utc>>), CollectError> {
        let overlap = chrono::Duration::from_std(self.opts.overlap).unwrap_or_default();
        let mut lower = cursor.watermark.map(|w| w - overlap);
        let mut rows: BTreeMap<String, Activity> = BTreeMap::new();
        let mut max_seen = cursor.watermark;
        let mut offset = 0u64;
        let mut last: Option<(String, Option<String>)> = None;
        let mut restarts = 0u32;
        loop {
            let ask = if offset > 0 && last.is_some() {
                offset - 1
            } else {
                offset
            };
            let req = ListRequest {
                filter: lower.map(|t| Filter::cmp("ge", "modifiedOn", format_ts(floor_ms(t)))),
                sort: vec![Sort::asc("modifiedOn"), Sort::asc("id")],
                fields: Vec::new(),
                page: Some(PageRequest {
                    offset: ask,
                    length: Some(self.opts.page_length),
                }),
            };
            let page: ListResponse<Activity> =
                self.list(ACTIVITY_PATH, &req, &self.runs_budget).await?;
            let mut list = page.list.into_iter();
            if ask < offset {
                let first = list.next().map(|a| (a.id, a.modified_on));
                if first != last {
                    // A row before our position changed and moved: resume from the last row
                    // we know is in place.
                    restarts += 1;
                    let resume = last
                        .as_ref()
                        .and_then(|(_, m)| m.as_deref())
                        .and_then(parse_ts);
                    tracing::debug!(restarts, "AA activity moved while paging; resuming");
                    if restarts > self.opts.max_restarts || resume.is_none() {
                        // Settle: everything up to the last row in place is known.
                        return Ok((rows, resume.or(cursor.watermark).max(cursor.watermark)));
                    }
                    lower = resume;
                    offset = 0;
                    last = None;
                    continue;
                }
            }
            let mut n = 0u64;
            for a in list {
                n += 1;
                last = Some((a.id.clone(), a.modified_on.clone()));
                let m = a.modified_on.as_deref().and_then(parse_ts);
                max_seen = max_seen.max(m);
                if a.id.is_empty() {
                    continue;
                }
                let newer = rows
                    .get(&a.id)
                    .is_none_or(|old| old.modified_on.as_deref().and_then(parse_ts) <= m);
                if newer {
                    rows.insert(a.id.clone(), a);
                }
            }
            offset += n;
            if n == 0 || offset >= page.page.total_filter {
                return Ok((rows, max_seen));
            }
        }
    }

    /// Step 2: open executions not seen in the scan, by id.
    async fn recheck(&self, ids: &[String]) -> Result<Vec<Activity>, CollectError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(self.opts.id_batch.max(1)) {
            let filter = Filter::or(
                chunk
                    .iter()
                    .map(|id| Filter::eq("id", id.as_str()))
                    .collect(),
            );
            out.extend(
                self.list_all::<Activity>(
                    ACTIVITY_PATH,
                    Some(filter),
                    vec![Sort::asc("id")],
                    &self.runs_budget,
                )
                .await?,
            );
        }
        Ok(out)
    }
}

fn floor_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

#[async_trait]
impl Collector for AaCollector {
    fn source(&self) -> &SourceId {
        &self.source
    }

    async fn poll(&self, cursor: Cursor) -> Result<(Batch, serde_json::Value), CollectError> {
        let mut cur = AaCursor::from_stored(cursor);
        let (scanned, watermark) = self.scan(&cur).await?;
        let open: Vec<String> = cur
            .pending
            .keys()
            .filter(|id| !scanned.contains_key(*id))
            .cloned()
            .collect();
        let rechecked = self.recheck(&open).await?;
        let devices: Vec<Device> = self
            .list_all(
                DEVICES_PATH,
                None,
                vec![Sort::asc("id")],
                &self.other_budget,
            )
            .await?;
        let schedules: Vec<Schedule> = self
            .list_all(
                SCHEDULES_PATH,
                None,
                vec![Sort::asc("id")],
                &self.other_budget,
            )
            .await?;

        let mut batch = Batch::default();
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut bots: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        for s in &schedules {
            if let Some(name) = s.file_name.clone().filter(|n| !n.is_empty()) {
                bots.entry(name).or_default().0 = s.file_id.clone();
            }
        }
        for (a, from_scan) in scanned
            .values()
            .map(|a| (a, true))
            .chain(rechecked.iter().map(|a| (a, false)))
        {
            if !from_scan && (scanned.contains_key(&a.id) || !found.insert(a.id.clone())) {
                continue;
            }
            if let Some(name) = a.file_name.clone().filter(|n| !n.is_empty()) {
                let e = bots.entry(name).or_default();
                e.0 = e.0.take().or_else(|| a.file_id.clone());
                e.1 = e.1.take().or_else(|| a.file_path.clone());
            }
            let modified = a.modified_on.as_deref().and_then(parse_ts);
            let state = run_state(a.status.as_deref().unwrap_or_default());
            if !cur.already_sent(&a.id, modified)
                && let Some(run) = activity_to_run(a, &self.source)
            {
                batch.runs.push(run);
            }
            // Re-checked rows too: one that changed after the scan must not come back from
            // the next scan as new.
            cur.recent.insert(a.id.clone(), modified);
            if state.is_terminal() {
                cur.pending.remove(&a.id);
            } else {
                cur.pending.insert(
                    a.id.clone(),
                    Pending {
                        modified_on: modified,
                        device_id: a.device_id.clone(),
                        state,
                        misses: 0,
                    },
                );
            }
        }
        for id in &open {
            if !found.contains(id)
                && let Some(p) = cur.pending.get_mut(id)
            {
                p.misses += 1;
                if p.misses >= 3 {
                    tracing::info!(id, "AA execution no longer listed; no longer re-checked");
                    cur.pending.remove(id);
                }
            }
        }
        batch
            .runs
            .sort_by(|a, b| (a.updated_at, &a.vendor_key).cmp(&(b.updated_at, &b.vendor_key)));
        cur.cap_pending(self.opts.max_pending);
        cur.watermark = watermark;
        if let Some(w) = watermark {
            let keep_from = w - chrono::Duration::from_std(self.opts.overlap).unwrap_or_default();
            cur.recent.retain(|_, m| m.is_some_and(|m| m >= keep_from));
        }

        let busy: BTreeSet<&str> = cur
            .pending
            .values()
            .filter(|p| {
                matches!(
                    p.state,
                    RunState::Running | RunState::Suspended | RunState::Stopping
                )
            })
            .filter_map(|p| p.device_id.as_deref())
            .collect();
        batch.robots = devices
            .iter()
            .filter(|d| !d.id.is_empty())
            .map(|d| device_to_robot(d, &self.source, busy.contains(d.id.as_str())))
            .collect();
        batch.schedules = schedules
            .iter()
            .filter(|s| !s.id.is_empty())
            .map(|s| schedule_to_info(s, &self.source))
            .collect();
        let mut names: Vec<_> = bots.into_iter().collect();
        names.sort();
        let mut keys = BTreeSet::new();
        for (name, (id, path)) in names {
            let p = bot_process(&self.source, id.as_deref(), &name, path.as_deref());
            if keys.insert(p.vendor_key.clone()) {
                batch.processes.push(p);
            }
        }
        let cursor =
            serde_json::to_value(&cur).map_err(|e| CollectError::decode("AA cursor", e))?;
        Ok((batch, cursor))
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
