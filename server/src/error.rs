//! One error type for the whole HTTP API, answering `{"error":{"code":"…","message":"…"}}`.
//!
//! Client errors say what was wrong. Server errors say nothing internal: the cause is logged
//! inside the request's span (which carries the request id the client also receives in
//! `x-request-id`), and the body only points there.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hangar_model::{ApiError, ErrorCode};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client's mistake; the message is shown to it.
    #[error("{message}")]
    Client { code: ErrorCode, message: String },
    /// A dependency (the database) is not ready; safe to retry.
    #[error("not ready: {0}")]
    NotReady(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn client(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::client(ErrorCode::NotFound, what)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (code, message) = match self {
            AppError::Client { code, message } => (code, message),
            AppError::NotReady(reason) => {
                tracing::warn!(%reason, "not ready");
                (
                    ErrorCode::NotReady,
                    "a dependency is unavailable; retry shortly".to_owned(),
                )
            }
            AppError::Store(e) => {
                tracing::error!(error = %e, "request failed in the store");
                (ErrorCode::Internal, INTERNAL_MESSAGE.to_owned())
            }
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "request failed");
                (ErrorCode::Internal, INTERNAL_MESSAGE.to_owned())
            }
        };
        error_response(code, message)
    }
}

const INTERNAL_MESSAGE: &str =
    "internal error; the server log has the cause under this response's x-request-id";

pub fn error_response(code: ErrorCode, message: impl Into<String>) -> Response {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(ApiError::new(code, message))).into_response()
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match rejection.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::InvalidJson,
        };
        AppError::client(code, rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::client(ErrorCode::BadRequest, rejection.body_text())
    }
}

/// `axum::Json`, but a body it cannot read is answered in Hangar's error shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// `axum::extract::Path`, with rejections in Hangar's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::client(ErrorCode::InvalidQuery, rejection.body_text())
    }
}

/// `axum::extract::Query`, with rejections in Hangar's error shape.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// Unknown routes and methods, in the same shape as every other error.
pub async fn not_found() -> AppError {
    AppError::not_found("no such route")
}

pub async fn method_not_allowed() -> AppError {
    AppError::client(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    )
}
