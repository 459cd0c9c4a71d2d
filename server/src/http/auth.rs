//! `/api/v1/auth`: sign in and out, who am I, change my password; and the `/login` page.

use axum::Extension;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hangar_model::{ApiError, ErrorCode, Role, Scope, UserId};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Actor, AuditEvent, AuditOutcome};
use crate::auth::accounts::{check_password, start_session};
use crate::auth::cookies;
use crate::auth::guard::{ClientIp, SessionId};
use crate::auth::{AuthVia, Principal};
use crate::error::{AppError, AppJson};
use crate::state::AppState;
use crate::store::UserRecord;

/// A user as the API shows it (never the password hash).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

impl From<&UserRecord> for UserView {
    fn from(u: &UserRecord) -> Self {
        UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            department: u.department.clone(),
            disabled: u.disabled,
            created_at: u.created_at,
            password_changed_at: u.password_changed_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserView,
    /// Echo it in `X-CSRF-Token` on every POST/PUT/PATCH/DELETE (also in the `hangar_csrf` cookie).
    pub csrf_token: String,
}

const WRONG: &str = "wrong user name or password";

/// Signs in with a user name and password, starting a session (cookies `hangar_session`,
/// HttpOnly, and `hangar_csrf`, both SameSite=Strict).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Signed in; the cookies are set", body = LoginResponse),
        (status = 401, description = "Wrong user name or password (the same answer for both)", body = ApiError),
        (status = 429, description = "Too many failures; see Retry-After", body = ApiError),
    ))]
pub async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Response, AppError> {
    let name = req.username.trim().to_owned();
    let anonymous = Actor::Anonymous { name: &name, ip };
    if let Some(wait) = state.auth.throttle.check(&name, ip) {
        let event = AuditEvent::ok("auth.login_throttled", format!("user:{name}"))
            .with_outcome(AuditOutcome::Denied);
        state.audit.record_as(anonymous, event).await?;
        let mut response = AppError::client(
            ErrorCode::TooManyAttempts,
            "too many failed sign-ins; wait and try again",
        )
        .into_response();
        let secs = wait.as_secs().max(1).to_string();
        if let Ok(v) = HeaderValue::from_str(&secs) {
            response.headers_mut().insert(RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let user = state.store.user_by_name(&name).await?;
    let ok = state
        .auth
        .verify(
            user.as_ref().map(|u| u.password_hash.as_str()),
            &req.password,
        )
        .await?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        other => {
            state.auth.throttle.record_failure(&name, ip);
            let reason = match other {
                None => "unknown user",
                Some(u) if u.disabled => "disabled",
                Some(_) => "wrong password",
            };
            let event = AuditEvent::ok("auth.login_failed", format!("user:{name}"))
                .with_outcome(AuditOutcome::Denied)
                .with_detail(serde_json::json!({ "reason": reason }));
            state.audit.record_as(anonymous, event).await?;
            return Err(AppError::client(ErrorCode::Unauthenticated, WRONG));
        }
    };
    let who = Principal {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        department: user.department.clone(),
        via: AuthVia::Session,
        ip,
    };
    state
        .audit
        .record(
            Some(&who),
            AuditEvent::ok("auth.login", format!("user:{}", user.id)),
        )
        .await?;
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let config = &state.config.auth;
    let (session, value) =
        start_session(state.store.as_ref(), config, &user, None, ip, agent).await?;
    let [c1, c2] = cookies::start(
        config,
        value.expose_secret(),
        &session.csrf_token,
        config.session_absolute_secs,
    );
    let body = LoginResponse {
        user: UserView::from(&user),
        csrf_token: session.csrf_token,
    };
    let mut response = AppJson(body).into_response();
    response.headers_mut().append(SET_COOKIE, c1);
    response.headers_mut().append(SET_COOKIE, c2);
    Ok(response)
}

/// Ends the session (a bearer token is not ended by this; revoke it instead).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; the cookies are cleared")))]
pub async fn logout(
    State(state): State<AppState>,
    who: Principal,
    session: Option<Extension<SessionId>>,
) -> Result<Response, AppError> {
    state
        .audit
        .record(
            Some(&who),
            AuditEvent::ok("auth.logout", format!("user:{}", who.user_id)),
        )
        .await?;
    if let Some(Extension(SessionId(id))) = session {
        state.store.delete_session(&id).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for c in cookies::clear(&state.config.auth) {
        response.headers_mut().append(SET_COOKIE, c);
    }
    Ok(response)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    /// `session` or `token`.
    pub via: String,
    /// The token's scopes, when signed in with one.
    pub scopes: Option<Vec<Scope>>,
    pub robot: Option<String>,
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
pub async fn me(State(state): State<AppState>, who: Principal) -> Result<AppJson<Me>, AppError> {
    let user = state
        .store
        .user(who.user_id)
        .await?
        .ok_or_else(|| AppError::client(ErrorCode::Unauthenticated, "no such user"))?;
    let (scopes, robot) = match &who.via {
        AuthVia::Session => (None, None),
        AuthVia::Token { scopes, robot, .. } => (Some(scopes.clone()), robot.clone()),
    };
    Ok(AppJson(Me {
        user: UserView::from(&user),
        via: who.via.as_str().to_owned(),
        scopes,
        robot,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Changes one's own password; the current one is required.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "The new password is too short or too long", body = ApiError),
        (status = 403, description = "The current password is wrong", body = ApiError),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    who: Principal,
    AppJson(req): AppJson<ChangePassword>,
) -> Result<StatusCode, AppError> {
    check_password(&req.new_password)?;
    let mut user = state
        .store
        .user(who.user_id)
        .await?
        .ok_or_else(|| AppError::client(ErrorCode::Unauthenticated, "no such user"))?;
    let target = format!("user:{}", user.id);
    if !state
        .auth
        .verify(Some(&user.password_hash), &req.current_password)
        .await?
    {
        let event =
            AuditEvent::ok("user.password_change", target).with_outcome(AuditOutcome::Denied);
        state.audit.record(Some(&who), event).await?;
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "the current password is wrong",
        ));
    }
    user.password_hash = state.auth.hash(&req.new_password).await?;
    user.password_changed_at = Utc::now();
    state
        .audit
        .record(Some(&who), AuditEvent::ok("user.password_change", target))
        .await?;
    state.store.update_user(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}
