//! `/api/v1/wall/…`: saved wall profiles, and the data one screen of a profile shows.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hangar_model::wall::{DEFAULT_PROFILE, WallData, WallProfile};
use hangar_model::{ApiError, ErrorCode};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, Tenancy};
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::state::AppState;
use crate::wall_data;

#[derive(Debug, Deserialize, IntoParams)]
pub struct WallDataQuery {
    /// Profile name (default `ops-floor`).
    pub profile: Option<String>,
    /// 1-based screen number (default 1).
    pub screen: Option<usize>,
}

fn unknown_profile(name: &str) -> AppError {
    AppError::client(
        ErrorCode::NotFound,
        format!("no wall profile named {name:?}"),
    )
}

/// What one screen of a wall profile shows now: only its panels, departments and products.
#[utoipa::path(get, path = "/api/v1/wall/data", tag = "wall",
    params(WallDataQuery),
    responses(
        (status = 200, description = "The screen's data", body = WallData),
        (status = 404, description = "No such profile or screen", body = ApiError),
    ))]
pub async fn data(
    State(state): State<AppState>,
    who: Option<Principal>,
    AppQuery(q): AppQuery<WallDataQuery>,
) -> Result<AppJson<WallData>, AppError> {
    let name = q.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    let profile = wall_data::profile(&state, name)
        .await?
        .ok_or_else(|| unknown_profile(name))?;
    let screen = q.screen.unwrap_or(1);
    let tenancy = Tenancy::of(who.as_ref());
    let data = wall_data::build(&state, &profile, screen, &tenancy, Utc::now())
        .await?
        .ok_or_else(|| {
            AppError::client(
                ErrorCode::NotFound,
                format!(
                    "wall profile {name:?} has screens 1 to {}, not {screen}",
                    profile.screens.len()
                ),
            )
        })?;
    Ok(AppJson(data))
}

/// Every wall profile: those saved, and the built-in default unless one is saved in its place.
#[utoipa::path(get, path = "/api/v1/wall/profiles", tag = "wall",
    responses((status = 200, description = "Profiles by name", body = Vec<WallProfile>)))]
pub async fn list(State(state): State<AppState>) -> Result<AppJson<Vec<WallProfile>>, AppError> {
    let mut profiles = state.store.wall_profiles().await?;
    if !profiles.iter().any(|p| p.name == DEFAULT_PROFILE) {
        profiles.push(WallProfile::ops_floor());
        profiles.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(AppJson(profiles))
}

#[utoipa::path(get, path = "/api/v1/wall/profiles/{name}", tag = "wall",
    params(("name" = String, Path, description = "Profile name")),
    responses(
        (status = 200, description = "The profile", body = WallProfile),
        (status = 404, description = "No such profile", body = ApiError),
    ))]
pub async fn get(
    State(state): State<AppState>,
    AppPath(name): AppPath<String>,
) -> Result<AppJson<WallProfile>, AppError> {
    wall_data::profile(&state, &name)
        .await?
        .map(AppJson)
        .ok_or_else(|| unknown_profile(&name))
}

/// Saves a profile under its name (creating or replacing it). Screens already open pick it
/// up on their next reload.
#[utoipa::path(put, path = "/api/v1/wall/profiles/{name}", tag = "wall",
    params(("name" = String, Path, description = "Profile name")),
    request_body = WallProfile,
    responses(
        (status = 200, description = "Saved", body = WallProfile),
        (status = 400, description = "The profile is invalid; the message says why", body = ApiError),
    ))]
pub async fn put(
    State(state): State<AppState>,
    AppPath(name): AppPath<String>,
    AppJson(profile): AppJson<WallProfile>,
) -> Result<AppJson<WallProfile>, AppError> {
    if profile.name != name {
        return Err(AppError::client(
            ErrorCode::BadRequest,
            format!(
                "the profile's name {:?} differs from the name in the path {name:?}",
                profile.name
            ),
        ));
    }
    profile
        .validate()
        .map_err(|m| AppError::client(ErrorCode::BadRequest, m))?;
    state.store.put_wall_profile(&profile).await?;
    Ok(AppJson(profile))
}

/// Deletes a saved profile. Deleting `ops-floor` brings back the built-in default.
#[utoipa::path(delete, path = "/api/v1/wall/profiles/{name}", tag = "wall",
    params(("name" = String, Path, description = "Profile name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such saved profile", body = ApiError),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    AppPath(name): AppPath<String>,
) -> Result<StatusCode, AppError> {
    if state.store.delete_wall_profile(&name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unknown_profile(&name))
    }
}
