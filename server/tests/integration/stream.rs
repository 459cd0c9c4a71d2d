//! The live stream over real HTTP, on both engines: ids, resume, reset, heartbeat, shutdown.

use std::time::Duration;

use crate::support::sse::SseReader;
use crate::support::{Engine, TestApp, TestDb};

const WAIT: Duration = Duration::from_secs(5);

/// The next event with this name, skipping others (summaries, health) that may come between.
async fn next_named(s: &mut SseReader, name: &str) -> crate::support::sse::Frame {
    for _ in 0..20 {
        let f = s.next_event(WAIT).await.expect("an event");
        if f.event.as_deref() == Some(name) {
            return f;
        }
    }
    panic!("no {name} event among the next 20");
}

fn seq(id: &str) -> u64 {
    id.rsplit_once('-').unwrap().1.parse().unwrap()
}

async fn a_fresh_client_gets_the_current_status_at_once(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let mut s = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;
    assert_eq!(s.status, 200);
    assert_eq!(s.content_type, "text/event-stream");
    let hello = s.next_frame(WAIT).await.unwrap();
    assert_eq!(hello.retry, Some(2000), "tells browsers how soon to retry");
    // The snapshots come first, in publish order: the status is among them.
    let first = next_named(&mut s, "status").await;
    let status: hangar_model::SystemStatus =
        serde_json::from_str(first.data.as_deref().unwrap()).expect("typed status payload");
    assert!(first.id.is_some());
    assert!(status.db.reachable);
    // Then live events follow, with increasing ids.
    let next = s.next_event(WAIT).await.unwrap();
    assert!(seq(next.id.as_deref().unwrap()) > seq(first.id.as_deref().unwrap()));
    app.stop().await;
    db.drop().await;
}

async fn resume_with_last_event_id_misses_nothing(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let url = app.url("/api/v1/stream");

    let mut s = SseReader::open_as(&url, None, Some(&app.token)).await;
    let seen = s.next_event(WAIT).await.unwrap().id.unwrap();
    drop(s); // disconnect

    // Events happen while we are away (one a second).
    tokio::time::sleep(Duration::from_millis(3_500)).await;

    let mut s = SseReader::open_as(&url, Some(&seen), Some(&app.token)).await;
    let mut ids = vec![];
    while let Some(f) = s.next_event(Duration::from_millis(300)).await {
        assert_ne!(
            f.event.as_deref(),
            Some("reset"),
            "no reset inside the ring"
        );
        ids.push(seq(f.id.as_deref().unwrap()));
        if ids.len() >= 4 {
            break;
        }
    }
    assert!(ids.len() >= 3, "the missed events were replayed: {ids:?}");
    let expected: Vec<u64> = (seq(&seen) + 1..).take(ids.len()).collect();
    assert_eq!(ids, expected, "every missed event, in order, none twice");

    // The query parameter does the same for clients that cannot set the header.
    let mut q = SseReader::open_as(
        &format!("{url}?last_event_id={seen}"),
        None,
        Some(&app.token),
    )
    .await;
    let f = q.next_event(WAIT).await.unwrap();
    assert_eq!(seq(f.id.as_deref().unwrap()), seq(&seen) + 1);
    app.stop().await;
    db.drop().await;
}

async fn resume_past_the_ring_gets_a_reset(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.stream.ring_capacity = 2;
    let app = TestApp::spawn(config).await;
    let url = app.url("/api/v1/stream");
    let mut s = SseReader::open_as(&url, None, Some(&app.token)).await;
    let seen = s.next_event(WAIT).await.unwrap().id.unwrap();
    drop(s);
    tokio::time::sleep(Duration::from_millis(3_500)).await;

    let mut s = SseReader::open_as(&url, Some(&seen), Some(&app.token)).await;
    let reset = s.next_event(WAIT).await.unwrap();
    assert_eq!(reset.event.as_deref(), Some("reset"));
    assert_eq!(reset.data.as_deref(), Some(r#"{"reason":"too_old"}"#));
    assert_eq!(
        reset.id, None,
        "a reset does not move the client's position"
    );
    // Then the current status, so a client that does not reload still shows the truth.
    next_named(&mut s, "status").await;

    // An id from an earlier run of the node (another epoch) also resets.
    let mut s = SseReader::open_as(&url, Some("1-1"), Some(&app.token)).await;
    let reset = s.next_event(WAIT).await.unwrap();
    assert_eq!(reset.data.as_deref(), Some(r#"{"reason":"other_epoch"}"#));
    app.stop().await;
    db.drop().await;
}

async fn an_idle_stream_gets_heartbeats(engine: Engine) {
    let db = TestDb::new(engine).await;
    let mut config = db.config();
    config.status.interval_secs = 3_600; // nothing else to say for an hour
    config.stream.heartbeat_secs = 1;
    let app = TestApp::spawn(config).await;
    let mut s = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;
    let mut heartbeats = 0;
    while let Some(f) = s.next_frame(Duration::from_millis(2_500)).await {
        if f.comments.iter().any(|c| c == "heartbeat") {
            heartbeats += 1;
            if heartbeats == 2 {
                break;
            }
        }
    }
    assert_eq!(heartbeats, 2);
    app.stop().await;
    db.drop().await;
}

async fn shutdown_ends_open_streams(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let mut s = SseReader::open_as(&app.url("/api/v1/stream"), None, Some(&app.token)).await;
    s.next_event(WAIT).await.unwrap();
    let (ready_status, _) = app.get_json("/readyz").await;
    assert_eq!(ready_status, 200);
    app.shutdown.cancel();
    assert!(
        s.ended_within(Duration::from_secs(2)).await,
        "the stream closes on shutdown"
    );
    app.task.await.unwrap().unwrap();
    db.drop().await;
}

async fn clients_are_counted(engine: Engine) {
    let db = TestDb::new(engine).await;
    let app = TestApp::spawn(db.config()).await;
    let url = app.url("/api/v1/stream");
    let mut a = SseReader::open_as(&url, None, Some(&app.token)).await;
    let mut b = SseReader::open_as(&url, None, Some(&app.token)).await;
    a.next_event(WAIT).await.unwrap();
    b.next_event(WAIT).await.unwrap();
    let (_, status) = app.get_json("/api/v1/status").await;
    assert_eq!(status["stream"]["clients"], 2);
    drop(a);
    drop(b);
    let mut clients = serde_json::Value::Null;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        clients = app.get_json("/api/v1/status").await.1["stream"]["clients"].clone();
        if clients == 0 {
            break;
        }
    }
    assert_eq!(clients, 0, "a client that leaves is no longer counted");
    app.stop().await;
    db.drop().await;
}

on_both_engines!(
    a_fresh_client_gets_the_current_status_at_once,
    resume_with_last_event_id_misses_nothing,
    resume_past_the_ring_gets_a_reset,
    an_idle_stream_gets_heartbeats,
    shutdown_ends_open_streams,
    clients_are_counted,
);
