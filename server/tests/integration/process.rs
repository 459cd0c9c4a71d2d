//! The real `hangar` binary as an operator runs it: start, serve, SIGTERM, exit 0 in time.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::sse::SseReader;
use crate::support::{Engine, TestDb};

async fn sigterm_stops_the_server_within_five_seconds(engine: Engine) {
    let db = TestDb::new(engine).await;
    let token = crate::support::admin_token(&db).await;
    let (mut child, base) = crate::support::spawn_binary(&db);

    // A connected stream is what usually holds a graceful shutdown open forever.
    let mut stream = SseReader::open_as(&format!("{base}/api/v1/stream"), None, Some(&token)).await;
    stream
        .next_event(Duration::from_secs(5))
        .await
        .expect("an event");

    let started = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let took = started.elapsed();
    assert!(status.success(), "clean exit, got {status}");
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");
    assert!(stream.ended_within(Duration::from_secs(1)).await);
    db.drop().await;
}

on_both_engines!(sigterm_stops_the_server_within_five_seconds);
