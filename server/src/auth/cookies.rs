//! The two cookies of a browser session, and reading the client's address.
//!
//! `hangar_session` carries the session (HttpOnly: scripts never see it). `hangar_csrf` is
//! readable by the page, which echoes it in `X-CSRF-Token` on every state-changing request;
//! another site can make the browser send cookies but cannot read one to echo it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Request};

use crate::config::AuthConfig;

pub const SESSION_COOKIE: &str = "hangar_session";
pub const CSRF_COOKIE: &str = "hangar_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A cookie's value from the request's `Cookie` headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

fn build(name: &str, value: &str, max_age: u64, http_only: bool, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; SameSite=Strict; Path=/; Max-Age={max_age}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    // Both values are base64url or empty: always a valid header value.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` values that start a session lasting `max_age` seconds.
pub fn start(config: &AuthConfig, session: &str, csrf: &str, max_age: u64) -> [HeaderValue; 2] {
    [
        build(
            SESSION_COOKIE,
            session,
            max_age,
            true,
            config.secure_cookies,
        ),
        build(CSRF_COOKIE, csrf, max_age, false, config.secure_cookies),
    ]
}

/// `Set-Cookie` values that make the browser forget the session.
pub fn clear(config: &AuthConfig) -> [HeaderValue; 2] {
    [
        build(SESSION_COOKIE, "", 0, true, config.secure_cookies),
        build(CSRF_COOKIE, "", 0, false, config.secure_cookies),
    ]
}

/// The client's address: the TCP peer, or the first `X-Forwarded-For` hop when configured.
pub fn client_ip<B>(request: &Request<B>, config: &AuthConfig) -> Option<IpAddr> {
    client_ip_of(request.headers(), request.extensions(), config)
}

pub fn client_ip_of(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    config: &AuthConfig,
) -> Option<IpAddr> {
    if config.trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_and_strict() {
        let mut config = AuthConfig::default();
        let [session, csrf] = start(&config, "abc", "def", 60);
        assert_eq!(
            session,
            "hangar_session=abc; SameSite=Strict; Path=/; Max-Age=60; HttpOnly"
        );
        assert_eq!(csrf, "hangar_csrf=def; SameSite=Strict; Path=/; Max-Age=60");
        config.secure_cookies = true;
        let [session, _] = start(&config, "abc", "def", 60);
        assert!(session.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn reads_one_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            HeaderValue::from_static("a=1; hangar_session=xyz; b=2"),
        );
        assert_eq!(read(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(read(&h, CSRF_COOKIE), None);
    }
}
