//! `/api/v1/users` (admins): list, create, change role/department/name/disabled, reset a password.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use hangar_model::{ApiError, ErrorCode, Role, UserId};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::auth::UserView;
use crate::audit::{AuditEvent, AuditOutcome};
use crate::auth::Principal;
use crate::auth::accounts::{NewUser, check_department, check_password, create_user};
use crate::error::{AppError, AppJson, AppPath};
use crate::state::AppState;

/// Every user.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "The users", body = Vec<UserView>)))]
pub async fn list(State(state): State<AppState>) -> Result<AppJson<Vec<UserView>>, AppError> {
    let users = state.store.list_users().await?;
    Ok(AppJson(users.iter().map(UserView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    /// Required for every role but admin and ops.
    pub department: Option<String>,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Invalid name, password or department", body = ApiError),
        (status = 409, description = "The name is taken", body = ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    who: Principal,
    AppJson(req): AppJson<CreateUser>,
) -> Result<(StatusCode, AppJson<UserView>), AppError> {
    let event = AuditEvent::ok("user.create", format!("user:{}", req.username.trim()))
        .with_detail(serde_json::json!({"role": req.role, "department": req.department}));
    state.audit.record(Some(&who), event.clone()).await?;
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        role: req.role,
        department: req.department,
        password: req.password,
    };
    match create_user(state.store.as_ref(), &state.auth, new).await {
        Ok(user) => Ok((StatusCode::CREATED, AppJson(UserView::from(&user)))),
        Err(e) => {
            let failed = event.with_outcome(AuditOutcome::Failed);
            state.audit.record(Some(&who), failed).await?;
            Err(e)
        }
    }
}

/// `Some(None)` for an explicit null, `None` when the field is absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    pub role: Option<Role>,
    /// A department, or null to clear it (global roles only).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    pub display_name: Option<String>,
    /// Disabling ends the user's sessions and revokes their tokens at once.
    pub disabled: Option<bool>,
}

fn user_id(raw: &str) -> Result<UserId, AppError> {
    raw.parse()
        .map_err(|_| AppError::not_found(format!("no user {raw}")))
}

/// Changes a user's role, department, display name or disabled flag.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = PatchUser,
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "Changed", body = UserView),
        (status = 400, description = "Invalid change", body = ApiError),
        (status = 404, description = "No such user", body = ApiError),
    ))]
pub async fn patch(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<PatchUser>,
) -> Result<AppJson<UserView>, AppError> {
    let id = user_id(&id)?;
    let mut user = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no user {id}")))?;
    if let Some(role) = req.role {
        user.role = role;
    }
    if let Some(department) = req.department {
        user.department = department;
    }
    user.department = check_department(user.role, user.department.as_deref())?;
    if let Some(name) = req.display_name {
        let name = name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::client(
                ErrorCode::BadRequest,
                "display names are 1-200 characters",
            ));
        }
        user.display_name = name;
    }
    if let Some(disabled) = req.disabled {
        if disabled && id == who.user_id {
            return Err(AppError::client(
                ErrorCode::Conflict,
                "you cannot disable yourself",
            ));
        }
        user.disabled = disabled;
    }
    let event =
        AuditEvent::ok("user.update", format!("user:{id}")).with_detail(serde_json::json!({
            "role": user.role, "department": user.department, "disabled": user.disabled,
        }));
    state.audit.record(Some(&who), event).await?;
    state.store.update_user(&user).await?;
    Ok(AppJson(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// Sets a user's password (an admin's reset); the user's sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = ResetPassword,
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Too short or too long", body = ApiError),
        (status = 404, description = "No such user", body = ApiError),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    who: Principal,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<ResetPassword>,
) -> Result<StatusCode, AppError> {
    let id = user_id(&id)?;
    check_password(&req.password)?;
    let mut user = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no user {id}")))?;
    user.password_hash = state.auth.hash(&req.password).await?;
    user.password_changed_at = Utc::now();
    state
        .audit
        .record(
            Some(&who),
            AuditEvent::ok("user.password_reset", format!("user:{id}")),
        )
        .await?;
    state.store.update_user(&user).await?;
    state.store.delete_user_sessions(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
