//! The per-user credential vault in the server.
//!
//! * [`service`]: the node's [`VaultService`] — `hangar_vault::Vault` behind a lock, the
//!   keyring persisted in the database, unseal/seal, rotation with an online rewrap.
//! * [`api`]: the owner's secrets (`/api/v1/secrets`), versions with check-and-set, reveal.
//! * [`grants`]: grants to robots and processes, and robot retrieval.
//! * [`admin`]: `/api/v1/vault/*` for admins.
//! * [`access`]: who may do what, and the audit trail.
//!
//! See `docs/security.md` for the threat model and what admins can and cannot see.

mod access;
pub mod admin;
pub mod api;
pub mod grants;
pub mod service;
pub mod types;

use axum::Router;
use axum::routing::{delete, get, post};

pub use service::{RootInput, SEALED_MESSAGE, Unsealed, VaultService};

use crate::state::AppState;

/// The vault's routes, merged into the API router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/vault/status", get(admin::status))
        .route("/api/v1/vault/unseal", post(admin::unseal))
        .route("/api/v1/vault/seal", post(admin::seal))
        .route("/api/v1/vault/rotate", post(admin::rotate))
        .route("/api/v1/secrets", get(api::list).post(api::create))
        .route(
            "/api/v1/secrets/{id}",
            get(api::get).put(api::update).delete(api::delete),
        )
        .route("/api/v1/secrets/{id}/reveal", post(api::reveal))
        .route("/api/v1/secrets/{id}/undelete", post(api::undelete))
        .route(
            "/api/v1/secrets/{id}/grants",
            get(grants::list).post(grants::create),
        )
        .route("/api/v1/grants/{id}", delete(grants::revoke))
        .route(
            "/api/v1/robot/credentials/{asset_name}",
            get(grants::robot_read),
        )
}
