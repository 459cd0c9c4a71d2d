//! The middleware in front of every route: who is calling, may they, and is it really them
//! (CSRF) — decided by the policy table for the route template the request matched.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, LOCATION, SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use hangar_model::{ErrorCode, Scope};

use super::accounts::{session_usable, start_session, token_usable};
use super::cookies::{self, CSRF_HEADER, SESSION_COOKIE};
use super::policy::{self, Decision, Lookup, PKG_TEMPLATE};
use super::{AuthVia, Principal, TOKEN_PREFIX, constant_time_eq, sha256_hex};
use crate::audit::{AuditEvent, AuditOutcome};
use crate::error::{AppError, error_response, method_not_allowed};
use crate::http::is_page;
use crate::http::wall::WALL_PAGES;
use crate::state::AppState;
use crate::store::{SessionRecord, TokenRecord, UserRecord};

/// Recording every use would write on every request; a minute's precision is plenty.
const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// The session a request came with, for handlers that end it (logout) or keep it alive.
#[derive(Clone, Debug)]
pub struct SessionId(pub String);

/// The client's address as the guard worked it out, for handlers (sign-in throttling).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    // The assets are one nested service; every path below /pkg/ is the one template.
    let template = match request.extensions().get::<MatchedPath>() {
        _ if request.uri().path().starts_with("/pkg/") => PKG_TEMPLATE.to_owned(),
        Some(p) => p.as_str().to_owned(),
        // Not routed: the fallback answers 404, and there is nothing to protect.
        None => return next.run(request).await,
    };
    let rule = match policy::lookup(request.method().as_str(), &template) {
        Lookup::Found(rule) => rule,
        Lookup::WrongMethod => return method_not_allowed().await.into_response(),
        Lookup::Unknown => {
            tracing::error!(route = %template, "route missing from the policy table; refused");
            return error_response(ErrorCode::Forbidden, "this route is not open to anyone");
        }
    };
    let config = &state.config.auth;
    let ip = cookies::client_ip(&request, config);
    request.extensions_mut().insert(ClientIp(ip));
    if rule.access == policy::Access::Public {
        return next.run(request).await;
    }
    if WALL_PAGES.contains(&template.as_str())
        && let Some(token) = wall_token(request.uri())
    {
        let uri = request.uri().clone();
        let agent = request
            .headers()
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return wall_token_login(&state, &uri, agent.as_deref(), &token, ip).await;
    }

    let found = match resolve(&state, request.headers(), ip).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let principal = found.as_ref().map(|(p, _)| p);
    match rule.decide(principal, config.open_wall) {
        Decision::Allow => {}
        Decision::Unauthenticated if is_page(&template) => {
            return see_other(&format!("/login?next={}", encode_next(request.uri())), None);
        }
        Decision::Unauthenticated => {
            return error_response(ErrorCode::Unauthenticated, "sign in or send a bearer token");
        }
        Decision::Forbidden => {
            return error_response(
                ErrorCode::Forbidden,
                "your role or token does not allow this",
            );
        }
    }
    if let Some((_, Some(session))) = &found
        && is_state_changing(request.method())
    {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent, &session.csrf_token) {
            return error_response(
                ErrorCode::CsrfFailed,
                "send the hangar_csrf cookie's value in X-CSRF-Token",
            );
        }
    }
    if let Some((principal, session)) = found {
        if let Some(session) = session {
            request.extensions_mut().insert(SessionId(session.id));
        }
        request.extensions_mut().insert(principal);
    }
    next.run(request).await
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The caller, from a bearer token or else a session cookie. An invalid bearer token is a
/// 401 (the client meant to authenticate); a stale cookie is just no session.
async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    ip: Option<std::net::IpAddr>,
) -> Result<Option<(Principal, Option<SessionRecord>)>, Response> {
    let internal = |e: AppError| e.into_response();
    let now = Utc::now();
    if let Some(bearer) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        let unauthenticated = || {
            error_response(
                ErrorCode::Unauthenticated,
                "the bearer token is unknown, expired or revoked",
            )
        };
        let bearer = bearer.trim();
        if !bearer.starts_with(TOKEN_PREFIX) {
            return Err(unauthenticated());
        }
        let Some((token, user)) = usable_token(state, &sha256_hex(bearer))
            .await
            .map_err(internal)?
        else {
            return Err(unauthenticated());
        };
        if token.last_used_at.is_none_or(|t| t + TOUCH_EVERY < now) {
            state
                .store
                .touch_token(token.id, now)
                .await
                .map_err(|e| internal(e.into()))?;
        }
        return Ok(Some((principal(&user, via_token(&token), ip), None)));
    }
    let Some(cookie) = cookies::read(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let session = match state.store.session(&sha256_hex(&cookie)).await {
        Ok(Some(s)) if session_usable(&s, &state.config.auth, now) => s,
        Ok(_) => return Ok(None),
        Err(e) => return Err(internal(e.into())),
    };
    let Some(user) = state
        .store
        .user(session.user_id)
        .await
        .map_err(|e| internal(e.into()))?
        .filter(|u| !u.disabled)
    else {
        return Ok(None);
    };
    // A wall screen's session acts with its token's scopes, and only while the token lives.
    let via = match session.token_id {
        None => AuthVia::Session,
        Some(id) => match state
            .store
            .token(id)
            .await
            .map_err(|e| internal(e.into()))?
        {
            Some(t) if token_usable(&t, now) => via_token(&t),
            _ => return Ok(None),
        },
    };
    if session.last_seen_at + TOUCH_EVERY < now {
        state
            .store
            .touch_session(&session.id, now)
            .await
            .map_err(|e| internal(e.into()))?;
    }
    Ok(Some((principal(&user, via, ip), Some(session))))
}

/// A token that may be used now, with its (enabled) owner.
async fn usable_token(
    state: &AppState,
    hash: &str,
) -> Result<Option<(TokenRecord, UserRecord)>, AppError> {
    let Some(token) = state.store.token_by_hash(hash).await? else {
        return Ok(None);
    };
    if !token_usable(&token, Utc::now()) {
        return Ok(None);
    }
    let user = state.store.user(token.user_id).await?;
    Ok(user.filter(|u| !u.disabled).map(|u| (token, u)))
}

fn via_token(token: &TokenRecord) -> AuthVia {
    AuthVia::Token {
        token_id: token.id,
        scopes: token.scopes.clone(),
        robot: token.robot.clone(),
    }
}

fn principal(user: &UserRecord, via: AuthVia, ip: Option<std::net::IpAddr>) -> Principal {
    Principal {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        department: user.department.clone(),
        via,
        ip,
    }
}

fn wall_token(uri: &axum::http::Uri) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// The URL without its `token` parameter, so the token does not stay in the history.
fn without_token(uri: &axum::http::Uri) -> String {
    let rest: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "token")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if rest.is_empty() {
        uri.path().to_owned()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .finish();
        format!("{}?{query}", uri.path())
    }
}

fn encode_next(uri: &axum::http::Uri) -> String {
    let target = uri.path_and_query().map_or("/wall", |p| p.as_str());
    url::form_urlencoded::byte_serialize(target.as_bytes()).collect()
}

fn see_other(location: &str, cookies: Option<[HeaderValue; 2]>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, v);
    }
    for c in cookies.into_iter().flatten() {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

/// `/wall?token=hgr_…`: a wall screen handed a read-only token once. The token becomes a
/// session cookie bound to it, and the browser is sent to the same URL without the token.
async fn wall_token_login(
    state: &AppState,
    uri: &axum::http::Uri,
    agent: Option<&str>,
    token: &str,
    ip: Option<std::net::IpAddr>,
) -> Response {
    let refused = || {
        error_response(
            ErrorCode::Unauthenticated,
            "the wall token is unknown, expired, revoked or not read-only",
        )
    };
    let found = match usable_token(state, &sha256_hex(token)).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let read_only = |t: &TokenRecord| {
        t.scopes.contains(&Scope::WallRead)
            && t.scopes
                .iter()
                .all(|s| matches!(s, Scope::WallRead | Scope::ApiRead))
    };
    let Some((token, user)) = found.filter(|(t, _)| read_only(t)) else {
        return refused();
    };
    let who = principal(&user, via_token(&token), ip);
    let event = AuditEvent::ok("auth.wall_session", format!("token:{}", token.id))
        .with_outcome(AuditOutcome::Ok);
    if let Err(e) = state.audit.record(Some(&who), event).await {
        return e.into_response();
    }
    let config = &state.config.auth;
    match start_session(state.store.as_ref(), config, &user, Some(&token), ip, agent).await {
        Ok((session, value)) => {
            use secrecy::ExposeSecret;
            let max_age = (session.expires_at - Utc::now()).num_seconds().max(0) as u64;
            let set = cookies::start(config, value.expose_secret(), &session.csrf_token, max_age);
            see_other(&without_token(uri), Some(set))
        }
        Err(e) => e.into_response(),
    }
}
