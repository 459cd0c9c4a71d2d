//! What can go wrong talking to a vendor.

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// Could not reach the vendor, or the connection broke.
    #[error("transport: {0}")]
    Transport(String),
    /// The vendor answered with an error status after retries (or one that is not retried).
    #[error("HTTP {status} from {what}: {message}")]
    Status {
        status: u16,
        what: String,
        message: String,
    },
    /// Credentials were refused (after one fresh login).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The vendor's answer did not have the published shape.
    #[error("unreadable answer from {what}: {message}")]
    Decode { what: String, message: String },
    /// Retries were exhausted on a retryable status.
    #[error("gave up on {what} after {attempts} attempts (last: HTTP {last_status})")]
    Exhausted {
        what: String,
        attempts: u32,
        last_status: u16,
    },
}

impl CollectError {
    pub fn decode(what: impl Into<String>, e: impl std::fmt::Display) -> Self {
        CollectError::Decode {
            what: what.into(),
            message: e.to_string(),
        }
    }
}

impl From<reqwest::Error> for CollectError {
    fn from(e: reqwest::Error) -> Self {
        // reqwest's Display may include the URL; URLs here carry no credentials (tokens travel
        // in headers, secrets in bodies), so it is safe to keep.
        CollectError::Transport(e.to_string())
    }
}
