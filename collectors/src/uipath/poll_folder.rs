//! One folder's share of a poll: jobs (incremental, deduplicated, non-terminal re-checked),
//! snapshots of sessions, robots, releases and schedules, and queue item windows.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use hangar_model::fleet::Batch;

use super::client::{Spend, UipathCollector, job_version, track_pending};
use super::cursor::{FolderCursor, SeenQueueItem};
use super::dto::{
    JobDto, ProcessScheduleDto, QueueDefinitionDto, QueueItemDto, ReleaseDto, RobotDto, SessionDto,
    odata_datetime,
};
use super::normalize;
use crate::error::CollectError;

/// Ids re-checked per `Id in (…)` request.
const RECHECK_CHUNK: usize = 50;

pub(crate) struct FolderPoll<'a> {
    pub client: &'a UipathCollector,
    pub folder_id: i64,
    pub path: &'a str,
    pub machine_names: &'a HashMap<i64, String>,
}

impl FolderPoll<'_> {
    pub async fn run(
        &self,
        mut state: FolderCursor,
        batch: &mut Batch,
        robots_seen: &mut HashSet<String>,
    ) -> Result<FolderCursor, CollectError> {
        self.jobs(&mut state, batch).await?;
        self.snapshots(batch, robots_seen).await?;
        self.queue_items(&mut state, batch).await?;
        Ok(state)
    }

    /// Jobs changed since the watermark (minus the overlap), then the non-terminal ones not
    /// seen changed, by `Id`.
    ///
    /// Paging with `$skip` over a list ordered by `LastModificationTime` loses a row when a
    /// row already read is modified during paging: it moves to the end and everything behind
    /// it shifts one place forward. Such a move is visible (the same `Key` comes back with a
    /// newer time), so the scan is repeated from the same watermark until one completes
    /// without moves, and the watermark only advances after such a stable scan. Rows that
    /// commit late with an older time are caught by the overlap of the next poll.
    async fn jobs(&self, state: &mut FolderCursor, batch: &mut Batch) -> Result<(), CollectError> {
        let c = self.client;
        let from = state.jobs_watermark.map(|w| w - c.overlap);
        let mut delivered: HashSet<(String, Option<DateTime<Utc>>)> = state
            .recent_jobs
            .iter()
            .map(|(k, t)| job_version(k, Some(*t)))
            .collect();
        let mut stable_max = None;
        let mut seen_ids = HashSet::new();
        for _ in 0..=c.max_rescans {
            let mut in_scan: HashMap<String, Option<DateTime<Utc>>> = HashMap::new();
            let mut moved = false;
            let mut max = state.jobs_watermark;
            let mut skip = 0usize;
            loop {
                let mut query = vec![
                    ("$orderby", "LastModificationTime asc,Id asc".to_owned()),
                    ("$top", c.page_size.to_string()),
                    ("$skip", skip.to_string()),
                    ("$expand", "Robot,Release".to_owned()),
                ];
                if let Some(from) = from {
                    query.push((
                        "$filter",
                        format!("LastModificationTime ge {}", odata_datetime(from)),
                    ));
                }
                let page = c
                    .get_page::<JobDto>(
                        "UiPath Jobs",
                        "Jobs",
                        &query,
                        Some(self.folder_id),
                        Spend::Jobs,
                    )
                    .await?;
                let n = page.value.len();
                for j in &page.value {
                    seen_ids.insert(j.id);
                    if let Some(prev) = in_scan.insert(j.key.clone(), j.last_modification_time)
                        && prev != j.last_modification_time
                    {
                        moved = true;
                    }
                    max = max.max(j.last_modification_time);
                    self.deliver_job(j, state, batch, &mut delivered);
                }
                if n < c.page_size as usize {
                    break;
                }
                skip += n;
            }
            if !moved {
                stable_max = Some(max);
                break;
            }
            tracing::debug!(
                folder = self.folder_id,
                "jobs moved while paging, scanning again"
            );
        }
        if let Some(max) = stable_max {
            state.jobs_watermark = max;
        }
        state.polls_since_recheck = state.polls_since_recheck.saturating_add(1);
        if state.polls_since_recheck >= self.client.recheck_every {
            self.recheck_pending(state, batch, &seen_ids, &mut delivered)
                .await?;
            state.polls_since_recheck = 0;
        }
        // Versions delivered inside the next read's overlap are remembered, so that read
        // does not deliver them again.
        if let Some(w) = state.jobs_watermark {
            let keep_from = w - c.overlap;
            state.recent_jobs = delivered
                .into_iter()
                .filter_map(|(k, t)| t.filter(|t| *t >= keep_from).map(|t| (k, t)))
                .collect();
            state.recent_jobs.sort();
        }
        Ok(())
    }

    fn deliver_job(
        &self,
        j: &JobDto,
        state: &mut FolderCursor,
        batch: &mut Batch,
        delivered: &mut HashSet<(String, Option<DateTime<Utc>>)>,
    ) {
        if !delivered.insert(job_version(&j.key, j.last_modification_time)) {
            return;
        }
        let run = normalize::job(&self.client.source, j, Some(self.path));
        track_pending(
            state,
            j.id,
            &j.key,
            j.last_modification_time,
            run.state.is_terminal(),
        );
        batch.runs.push(run);
    }

    /// Jobs still not terminal: asked for by `Id`, in case their change escaped the
    /// `LastModificationTime` filter.
    async fn recheck_pending(
        &self,
        state: &mut FolderCursor,
        batch: &mut Batch,
        seen_ids: &HashSet<i64>,
        delivered: &mut HashSet<(String, Option<DateTime<Utc>>)>,
    ) -> Result<(), CollectError> {
        let ids: Vec<i64> = state
            .pending
            .iter()
            .map(|p| p.id)
            .filter(|id| !seen_ids.contains(id))
            .collect();
        for chunk in ids.chunks(RECHECK_CHUNK) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let query = vec![
                ("$filter", format!("Id in ({list})")),
                ("$top", chunk.len().to_string()),
                ("$expand", "Robot,Release".to_owned()),
            ];
            let page = self
                .client
                .get_page::<JobDto>(
                    "UiPath Jobs",
                    "Jobs",
                    &query,
                    Some(self.folder_id),
                    Spend::Jobs,
                )
                .await?;
            let found: HashSet<i64> = page.value.iter().map(|j| j.id).collect();
            for j in &page.value {
                let known = state
                    .pending
                    .iter()
                    .find(|p| p.id == j.id)
                    .map(|p| p.modified);
                if known == Some(j.last_modification_time) {
                    continue;
                }
                self.deliver_job(j, state, batch, delivered);
            }
            // Deleted jobs are not re-checked for ever.
            state
                .pending
                .retain(|p| !chunk.contains(&p.id) || found.contains(&p.id));
        }
        Ok(())
    }

    async fn snapshots(
        &self,
        batch: &mut Batch,
        robots_seen: &mut HashSet<String>,
    ) -> Result<(), CollectError> {
        let c = self.client;
        let f = Some(self.folder_id);
        let expand = [("$expand", "Robot".to_owned())];
        let sessions: Vec<SessionDto> =
            c.get_all("UiPath Sessions", "Sessions", &expand, f).await?;
        for s in &sessions {
            let mut r = normalize::session(&c.source, s, Some(self.path));
            if r.vm.is_none() {
                r.vm = s
                    .machine_id
                    .and_then(|m| self.machine_names.get(&m))
                    .and_then(|n| hangar_model::vm_name(n));
            }
            if robots_seen.insert(r.vendor_key.clone()) {
                batch.robots.push(r);
            }
        }
        let robots: Vec<RobotDto> = c.get_all("UiPath Robots", "Robots", &[], f).await?;
        for r in &robots {
            if robots_seen.insert(r.id.to_string()) {
                batch.robots.push(normalize::robot_without_session(
                    &c.source,
                    r,
                    Some(self.path),
                ));
            }
        }
        let releases: Vec<ReleaseDto> = c.get_all("UiPath Releases", "Releases", &[], f).await?;
        batch.processes.extend(
            releases
                .iter()
                .map(|r| normalize::release(&c.source, r, Some(self.path))),
        );
        let schedules: Vec<ProcessScheduleDto> = c
            .get_all("UiPath ProcessSchedules", "ProcessSchedules", &[], f)
            .await?;
        batch.schedules.extend(
            schedules
                .iter()
                .map(|s| normalize::schedule(&c.source, s, Some(self.path))),
        );
        Ok(())
    }

    /// Queue items created since the creation watermark and finished since the end
    /// watermark (both minus the overlap), deduplicated on `(Id, Status)`.
    async fn queue_items(
        &self,
        state: &mut FolderCursor,
        batch: &mut Batch,
    ) -> Result<(), CollectError> {
        let c = self.client;
        let queues: Vec<QueueDefinitionDto> = c
            .get_all(
                "UiPath QueueDefinitions",
                "QueueDefinitions",
                &[],
                Some(self.folder_id),
            )
            .await?;
        if queues.is_empty() {
            return Ok(());
        }
        let queues: HashMap<i64, QueueDefinitionDto> =
            queues.into_iter().map(|q| (q.id, q)).collect();
        let mut seen: HashMap<i64, SeenQueueItem> = state
            .recent_queue_items
            .drain(..)
            .map(|s| (s.id, s))
            .collect();
        let first_poll = state.queue_created_watermark.is_none();
        let created = self
            .queue_scan("CreationTime", state.queue_created_watermark)
            .await?;
        let ended = if first_poll {
            Vec::new()
        } else {
            self.queue_scan("EndProcessing", state.queue_ended_watermark)
                .await?
        };
        for q in created.iter().chain(ended.iter()) {
            state.queue_created_watermark = state.queue_created_watermark.max(q.creation_time);
            state.queue_ended_watermark = state.queue_ended_watermark.max(q.end_processing);
            if seen.get(&q.id).is_some_and(|s| s.status == q.status) {
                continue;
            }
            seen.insert(
                q.id,
                SeenQueueItem {
                    id: q.id,
                    status: q.status.clone(),
                    created: q.creation_time,
                    ended: q.end_processing,
                },
            );
            let def = queues.get(&q.queue_definition_id);
            batch.queue_items.push(normalize::queue_item(
                &c.source,
                q,
                def.map(|d| d.name.as_str()).unwrap_or_default(),
                def.and_then(|d| d.sla_in_minutes),
                Some(self.path),
            ));
        }
        let created_from = state.queue_created_watermark.map(|w| w - c.overlap);
        let ended_from = state.queue_ended_watermark.map(|w| w - c.overlap);
        state.recent_queue_items = seen
            .into_values()
            .filter(|s| {
                s.created.is_some_and(|t| Some(t) >= created_from)
                    || s.ended.is_some_and(|t| Some(t) >= ended_from)
            })
            .collect();
        state.recent_queue_items.sort_by_key(|s| s.id);
        Ok(())
    }

    async fn queue_scan(
        &self,
        field: &str,
        watermark: Option<DateTime<Utc>>,
    ) -> Result<Vec<QueueItemDto>, CollectError> {
        let c = self.client;
        let mut rows = Vec::new();
        loop {
            let mut query = vec![
                ("$orderby", format!("{field} asc,Id asc")),
                ("$top", c.queue_page_size.to_string()),
                ("$skip", rows.len().to_string()),
            ];
            match watermark {
                Some(w) => query.push((
                    "$filter",
                    format!("{field} ge {}", odata_datetime(w - c.overlap)),
                )),
                None if field != "CreationTime" => {
                    query.push(("$filter", format!("{field} ne null")));
                }
                None => {}
            }
            let page = c
                .get_page::<QueueItemDto>(
                    "UiPath QueueItems",
                    "QueueItems",
                    &query,
                    Some(self.folder_id),
                    Spend::QueueItems,
                )
                .await?;
            let n = page.value.len();
            rows.extend(page.value);
            if n < c.queue_page_size as usize {
                return Ok(rows);
            }
        }
    }
}
