//! The one error shape of Hangar's HTTP API: `{"error":{"code":"…","message":"…"}}`.
//!
//! Codes are stable strings clients may switch on; messages are for people and may change.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Adding one is fine; renaming one breaks clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    BadRequest,
    InvalidJson,
    InvalidQuery,
    Unauthorized,
    /// No valid session or token: sign in.
    Unauthenticated,
    Forbidden,
    /// A state-changing request with a session lacks the right `X-CSRF-Token`.
    CsrfFailed,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    /// Too many failed sign-ins; `Retry-After` says when to try again.
    TooManyAttempts,
    Timeout,
    NotReady,
    Internal,
    /// The credential vault is sealed: no secret operation can succeed until it is unsealed.
    VaultSealed,
    /// Check-and-set failed: the secret changed since the version the client named.
    CasMismatch,
    /// The passphrase or key file did not unseal the vault.
    UnsealFailed,
}

impl ErrorCode {
    /// The HTTP status that goes with the code, as a number so the model needs no HTTP crate.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidJson
            | ErrorCode::InvalidQuery
            | ErrorCode::UnsealFailed => 400,
            ErrorCode::Unauthorized | ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden | ErrorCode::CsrfFailed => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict | ErrorCode::CasMismatch => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited | ErrorCode::TooManyAttempts => 429,
            ErrorCode::Internal => 500,
            ErrorCode::NotReady | ErrorCode::VaultSealed => 503,
            ErrorCode::Timeout => 504,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Timeout => "timeout",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::Internal => "internal",
            ErrorCode::VaultSealed => "vault_sealed",
            ErrorCode::CasMismatch => "cas_mismatch",
            ErrorCode::UnsealFailed => "unseal_failed",
        }
    }
}

/// The inner object of an error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// An error response as it travels: `{"error": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: ApiErrorBody,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            error: ApiErrorBody {
                code,
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_error_code_message() {
        let e = ApiError::new(ErrorCode::NotFound, "no such route");
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"code": "not_found", "message": "no such route"}})
        );
    }

    #[test]
    fn serde_names_match_as_str_for_every_code() {
        use ErrorCode::*;
        for code in [
            BadRequest,
            InvalidJson,
            InvalidQuery,
            Unauthorized,
            Unauthenticated,
            Forbidden,
            CsrfFailed,
            NotFound,
            MethodNotAllowed,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            RateLimited,
            TooManyAttempts,
            Timeout,
            NotReady,
            Internal,
            VaultSealed,
            CasMismatch,
            UnsealFailed,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let status = code.http_status();
            assert!((400..600).contains(&status), "{code:?} -> {status}");
        }
    }
}
