//! A minimal reader of `text/event-stream`, enough to assert on ids, names and data.

use std::time::Duration;

use futures::StreamExt;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Frame {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: Option<String>,
    pub retry: Option<u64>,
    pub comments: Vec<String>,
}

pub struct SseReader {
    body: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
    pub status: u16,
    pub content_type: String,
}

impl SseReader {
    /// Opens without credentials (an open wall, or to see the refusal).
    pub async fn open(url: &str, last_event_id: Option<&str>) -> SseReader {
        Self::open_as(url, last_event_id, None).await
    }

    /// Opens with a bearer token.
    pub async fn open_as(url: &str, last_event_id: Option<&str>, token: Option<&str>) -> SseReader {
        let mut req = reqwest::Client::new().get(url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.expect("stream request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        SseReader {
            body: resp.bytes_stream().boxed(),
            buf: String::new(),
            status,
            content_type,
        }
    }

    /// The next frame (comment-only frames included), or None when the stream ended or
    /// nothing came within `wait`.
    pub async fn next_frame(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                return Some(parse(&raw));
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk.ok()?));
        }
    }

    /// The next frame that is an event (has an `event:` name).
    pub async fn next_event(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.next_frame(left).await?;
            if frame.event.is_some() {
                return Some(frame);
            }
        }
    }

    /// True once the server has closed the stream (within `wait`).
    pub async fn ended_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }
}

fn parse(raw: &str) -> Frame {
    let mut f = Frame::default();
    for line in raw.lines() {
        if let Some(c) = line.strip_prefix(':') {
            f.comments.push(c.trim().to_owned());
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        match field {
            "id" => f.id = Some(value),
            "event" => f.event = Some(value),
            "data" => {
                f.data = Some(match f.data.take() {
                    Some(prev) => format!("{prev}\n{value}"),
                    None => value,
                })
            }
            "retry" => f.retry = value.parse().ok(),
            _ => {}
        }
    }
    f
}
