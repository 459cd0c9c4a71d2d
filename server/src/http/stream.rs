//! `/api/v1/stream`: server-sent events with ids, heartbeats and resume.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::IntoResponse;
use futures::stream::{self, Stream, StreamExt};
use hangar_model::{ApiError, ErrorCode, EventId, ResetReason, StreamEvent};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use utoipa::IntoParams;

use crate::error::{AppError, AppQuery};
use crate::events::sse_frame;
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

    let subscription = state.hub.subscribe(last_seen);
    let guard = state.hub.client_guard();
    let hello = Bytes::from(format!(
        "retry: {}\n: hangar stream\n\n",
        CLIENT_RETRY.as_millis()
    ));
    let reset = subscription.reset.map(reset_frame);
    let replay = subscription.replay.into_iter().map(|e| e.frame.clone());
    // Every client gets the frame its event was serialized into once, at publish.
    let live = BroadcastStream::new(subscription.live).map(|item| match item {
        Ok(envelope) => envelope.frame.clone(),
        // This client fell further behind than the channel holds: it has lost events.
        Err(BroadcastStreamRecvError::Lagged(_)) => reset_frame(ResetReason::Lagged),
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
