//! Vendor pushes: UiPath webhooks and Automation Anywhere deploy callbacks.
//!
//! Both are hints. UiPath drops events while a webhook's circuit breaker is open, and AA only
//! calls back for deployments Hangar started, so a delivery is stored (deduplicated by its
//! event id), then the source is polled at once to reconcile.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hangar_collectors::{WebhookEvent, aa, uipath};
use hangar_model::{ApiError, ErrorCode, SourceId, StreamEvent, Vendor};
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppJson, AppPath};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HookAck {
    pub event_id: String,
    /// The event was seen before and not applied again.
    pub duplicate: bool,
}

/// Receives a UiPath Orchestrator webhook delivery for a source.
///
/// When the source has a webhook secret, `X-UiPath-Signature` (Base64 HMAC-SHA256 of the raw
/// body) must match; unsigned and forged deliveries are refused.
#[utoipa::path(post, path = "/hooks/uipath/{source}", tag = "hooks", security(()),
    params(("source" = String, Path, description = "Source id"),
        ("X-UiPath-Signature" = Option<String>, Header, description = "Base64 HMAC-SHA256 of the body")),
    request_body(content = String, content_type = "application/json", description = "A UiPath webhook event"),
    responses(
        (status = 202, description = "Accepted (or a duplicate, acknowledged)", body = HookAck),
        (status = 400, description = "Not a webhook body", body = ApiError),
        (status = 401, description = "Missing or wrong signature", body = ApiError),
        (status = 404, description = "No such UiPath source", body = ApiError),
    ))]
pub async fn uipath_hook(
    State(state): State<AppState>,
    AppPath(source): AppPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AppJson<HookAck>), AppError> {
    let (id, secret) = locate(&state, &source, Vendor::Uipath)?;
    if let Some(secret) = secret {
        let signature = headers
            .get("x-uipath-signature")
            .and_then(|v| v.to_str().ok());
        if !uipath::webhook::verify_signature(secret.expose_secret(), &body, signature) {
            metrics::counter!("hangar_webhooks_total", "source" => id.as_str().to_owned(), "outcome" => "rejected")
                .increment(1);
            return Err(AppError::client(
                ErrorCode::Unauthorized,
                "missing or invalid X-UiPath-Signature for this source",
            ));
        }
    }
    let event = uipath::webhook::parse(&id, &body)
        .map_err(|e| AppError::client(ErrorCode::InvalidJson, e.to_string()))?;
    accept(&state, &id, event).await
}

/// Receives an Automation Anywhere deploy callback for a source.
///
/// AA signs nothing; when the source has a webhook secret, the callback must carry it in the
/// `X-Hangar-Token` header (set it in the deployment's `callbackInfo.headers`).
#[utoipa::path(post, path = "/hooks/aa/{source}", tag = "hooks", security(()),
    params(("source" = String, Path, description = "Source id"),
        ("X-Hangar-Token" = Option<String>, Header, description = "The source's webhook secret")),
    request_body(content = String, content_type = "application/json", description = "An AA deploy callback"),
    responses(
        (status = 202, description = "Accepted (or a duplicate, acknowledged)", body = HookAck),
        (status = 400, description = "Not a callback body", body = ApiError),
        (status = 401, description = "Missing or wrong token", body = ApiError),
        (status = 404, description = "No such AA source", body = ApiError),
    ))]
pub async fn aa_hook(
    State(state): State<AppState>,
    AppPath(source): AppPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AppJson<HookAck>), AppError> {
    let (id, secret) = locate(&state, &source, Vendor::AutomationAnywhere)?;
    if let Some(secret) = secret {
        let token = headers.get("x-hangar-token").and_then(|v| v.to_str().ok());
        if !aa::callback::verify_token(secret.expose_secret(), token) {
            return Err(AppError::client(
                ErrorCode::Unauthorized,
                "missing or invalid X-Hangar-Token for this source",
            ));
        }
    }
    let event = aa::callback::parse(&id, &body)
        .map_err(|e| AppError::client(ErrorCode::InvalidJson, e.to_string()))?;
    accept(&state, &id, event).await
}

fn locate(
    state: &AppState,
    raw: &str,
    vendor: Vendor,
) -> Result<(SourceId, Option<secrecy::SecretString>), AppError> {
    let missing = || AppError::not_found(format!("no {} source {raw}", vendor.as_str()));
    let id = SourceId::parse(raw).map_err(|_| missing())?;
    let (spec, runtime) = state.collectors.runtime(&id).ok_or_else(missing)?;
    if spec.vendor() != vendor {
        return Err(missing());
    }
    Ok((id, runtime.and_then(|rt| rt.webhook_secret.clone())))
}

async fn accept(
    state: &AppState,
    id: &SourceId,
    event: WebhookEvent,
) -> Result<(StatusCode, AppJson<HookAck>), AppError> {
    let fresh = state.collectors.first_delivery(id, &event.event_id);
    let outcome = if fresh { "accepted" } else { "duplicate" };
    metrics::counter!("hangar_webhooks_total", "source" => id.as_str().to_owned(), "outcome" => outcome).increment(1);
    if fresh && !event.batch.is_empty() {
        state
            .ingest
            .submit(id.clone(), event.batch, None)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    if let Some((_, Some(rt))) = state.collectors.runtime(id) {
        // Reconcile through polling: the webhook may be one of several, or stale.
        rt.wake.notify_one();
        state
            .hub
            .publish(StreamEvent::CollectorHealth(Box::new(rt.health())));
    }
    tracing::debug!(source = %id, kind = %event.kind, event_id = %event.event_id, fresh, "webhook");
    Ok((
        StatusCode::ACCEPTED,
        AppJson(HookAck {
            event_id: event.event_id,
            duplicate: !fresh,
        }),
    ))
}
