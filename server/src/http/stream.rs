//! `/api/v1/stream`: server-sent events with ids, heartbeats and resume.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use hangar_model::{ApiError, ErrorCode, EventId, ResetReason, StreamEvent};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use utoipa::IntoParams;

use crate::error::{AppError, AppQuery};
use crate::events::Envelope;
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
/// `Last-Event-ID` to resume. A comment line is sent every 15 s on an idle stream.
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
    let hello = Event::default()
        .retry(CLIENT_RETRY)
        .comment("hangar stream");
    let reset = subscription.reset.map(reset_event);
    let replay = subscription.replay.into_iter().map(|e| to_sse(&e));
    let live = BroadcastStream::new(subscription.live).map(|item| match item {
        Ok(envelope) => to_sse(&envelope),
        // This client fell further behind than the channel holds: it has lost events.
        Err(BroadcastStreamRecvError::Lagged(_)) => reset_event(ResetReason::Lagged),
    });

    let events = stream::iter(std::iter::once(hello).chain(reset).chain(replay))
        .chain(live)
        // Ends the response when the server shuts down, so graceful shutdown is not held
        // up by streams that would otherwise never finish.
        .take_until(state.shutdown.clone().cancelled_owned())
        .map(move |event| {
            let _connected = &guard;
            Ok::<_, Infallible>(event)
        });

    let keep_alive = KeepAlive::new()
        .interval(Duration::from_secs(state.config.stream.heartbeat_secs))
        .text("heartbeat");
    Ok((
        // Tell buffering proxies (nginx) to pass events through as they come.
        [("x-accel-buffering", "no")],
        Sse::new(events_boxed(events)).keep_alive(keep_alive),
    ))
}

fn events_boxed(
    s: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> {
    Box::pin(s)
}

fn to_sse(envelope: &Arc<Envelope>) -> Event {
    Event::default()
        .id(envelope.id.to_string())
        .event(envelope.name())
        .data(&envelope.data)
}

fn reset_event(reason: ResetReason) -> Event {
    let event = StreamEvent::Reset { reason };
    Event::default().event(event.name()).data(event.data_json())
}
