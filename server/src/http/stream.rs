//! `/api/v1/stream`: server-sent events with ids, heartbeats and resume.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::IntoResponse;
use futures::stream::{self, Stream, StreamExt};
use hangar_model::{ApiError, ErrorCode, EventId, ResetReason, RunsChanged, SourceId, StreamEvent};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_util::sync::{CancellationToken, DropGuard};
use utoipa::IntoParams;

use crate::auth::guard::SessionId;
use crate::auth::{Principal, Tenancy};
use crate::collect::Collectors;
use crate::error::{AppError, AppQuery};
use crate::events::{Envelope, sse_frame};
use crate::state::AppState;

/// How soon a browser retries after the connection drops.
const CLIENT_RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, Deserialize, IntoParams)]
pub struct StreamQuery {
    /// Resume after this event, for clients that cannot set the `Last-Event-ID` header (a
    /// browser reopening an `EventSource` by hand). The header wins when both are given.
    pub last_event_id: Option<String>,
}

/// The live event stream.
///
/// Events: `status` (system status, JSON) and `reset` (`{"reason": …}`: the client cannot
/// resume and must reload). Every event but `reset` has an id; send the last one back as
/// `Last-Event-ID` to resume. A comment line is sent every 15 s.
#[utoipa::path(get, path = "/api/v1/stream", tag = "stream",
    params(StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received")),
    responses(
        (status = 200, description = "An endless text/event-stream", content_type = "text/event-stream", body = String),
        (status = 400, description = "The event id is malformed", body = ApiError),
    ))]
pub async fn stream(
    State(state): State<AppState>,
    who: Option<Principal>,
    session: Option<Extension<SessionId>>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<StreamQuery>,
) -> Result<impl IntoResponse, AppError> {
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.last_event_id)
        .filter(|id| !id.trim().is_empty())
        .map(|id| id.parse::<EventId>())
        .transpose()
        .map_err(|e| AppError::client(ErrorCode::InvalidQuery, e.to_string()))?;

    let keep_alive_session = session.map(|Extension(id)| keep_session_alive(&state, id));
    let subscription = state.hub.subscribe(last_seen);
    let guard = state.hub.client_guard();
    let hello = Bytes::from(format!(
        "retry: {}\n: hangar stream\n\n",
        CLIENT_RETRY.as_millis()
    ));
    let reset = subscription.reset.map(reset_frame);
    let view = DepartmentView {
        tenancy: Tenancy::of(who.as_ref()),
        collectors: Arc::clone(&state.collectors),
    };
    let replay: Vec<Bytes> = subscription
        .replay
        .into_iter()
        .filter_map(|e| view.visible(&e))
        .collect();
    // Every client gets the frame its event was serialized into once, at publish (a
    // departmental reader gets a cut-down one when the event spans departments).
    let live = BroadcastStream::new(subscription.live).filter_map(move |item| {
        let frame = match item {
            Ok(envelope) => view.visible(&envelope),
            // This client fell further behind than the channel holds: it has lost events.
            Err(BroadcastStreamRecvError::Lagged(_)) => Some(reset_frame(ResetReason::Lagged)),
        };
        std::future::ready(frame)
    });
    let heartbeat = Duration::from_secs(state.config.stream.heartbeat_secs.max(1));
    let live = stream::select(live, heartbeats(heartbeat));

    let frames = stream::iter(std::iter::once(hello).chain(reset).chain(replay))
        .chain(live)
        // Ends the response when the server shuts down, so graceful shutdown is not held
        // up by streams that would otherwise never finish.
        .take_until(state.shutdown.clone().cancelled_owned())
        .map(move |frame| {
            let _connected = &guard;
            let _session = &keep_alive_session;
            Ok::<_, Infallible>(frame)
        });

    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            // Tell buffering proxies (nginx) to pass events through as they come.
            (HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(frames),
    ))
}

/// A wall screen keeps its session alive by being open: while its stream is connected, the
/// session is marked as used, so the idle timeout does not end it.
fn keep_session_alive(state: &AppState, SessionId(id): SessionId) -> DropGuard {
    let done = CancellationToken::new();
    let store = Arc::clone(&state.store);
    let every = Duration::from_secs((state.config.auth.session_idle_secs / 4).clamp(1, 600));
    let stop = done.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(every) => {
                    if let Err(e) = store.touch_session(&id, chrono::Utc::now()).await {
                        tracing::warn!(error = %e, "could not mark a streaming session as used");
                    }
                }
            }
        }
    });
    done.drop_guard()
}

/// What of the stream one reader may see: a departmental reader gets only their
/// department's anomalies, runs, robots and collectors, and no fleet-wide summary.
struct DepartmentView {
    tenancy: Tenancy,
    collectors: Arc<Collectors>,
}

impl DepartmentView {
    fn department_of(&self, source: &SourceId) -> Option<String> {
        self.collectors.get(source).map(|s| s.department)
    }

    fn visible(&self, envelope: &Arc<Envelope>) -> Option<Bytes> {
        let Tenancy::Only(mine) = &self.tenancy else {
            return Some(envelope.frame.clone());
        };
        let mine = Some(mine.as_str());
        let keep = |source: &SourceId| self.department_of(source).as_deref() == mine;
        // Same id, so resuming works; the data is re-serialized only when it was cut.
        let cut =
            |event: StreamEvent| sse_frame(Some(envelope.id), event.name(), &event.data_json());
        match &envelope.event {
            StreamEvent::Status(_) | StreamEvent::Reset { .. } => Some(envelope.frame.clone()),
            StreamEvent::Summary(_) => None,
            StreamEvent::Anomaly { anomaly, .. } => {
                (anomaly.department.as_deref() == mine).then(|| envelope.frame.clone())
            }
            StreamEvent::CollectorHealth(h) => keep(&h.source).then(|| envelope.frame.clone()),
            StreamEvent::RunsChanged(changed) => {
                let runs: Vec<_> = changed
                    .runs
                    .iter()
                    .filter(|r| keep(&r.source))
                    .cloned()
                    .collect();
                if runs.is_empty() {
                    None
                } else if runs.len() == changed.runs.len() {
                    Some(envelope.frame.clone())
                } else {
                    Some(cut(StreamEvent::RunsChanged(RunsChanged { runs, more: 0 })))
                }
            }
            StreamEvent::RobotsChanged(robots) => {
                let kept: Vec<_> = robots.iter().filter(|r| keep(&r.source)).cloned().collect();
                if kept.is_empty() {
                    None
                } else if kept.len() == robots.len() {
                    Some(envelope.frame.clone())
                } else {
                    Some(cut(StreamEvent::RobotsChanged(kept)))
                }
            }
        }
    }
}

/// A comment frame every `every`, so proxies and browsers see the connection is alive. A
/// fixed interval (not one reset after every event, as axum's `KeepAlive` does) costs one
/// timer a client instead of one timer update per client per event.
fn heartbeats(every: Duration) -> impl Stream<Item = Bytes> + Send + 'static {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    stream::unfold(ticks, |mut ticks| async move {
        ticks.tick().await;
        Some((Bytes::from_static(b": heartbeat\n\n"), ticks))
    })
}

fn reset_frame(reason: ResetReason) -> Bytes {
    let event = StreamEvent::Reset { reason };
    sse_frame(None, event.name(), &event.data_json())
}
