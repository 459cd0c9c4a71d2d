//! Who may call what: the role × endpoint matrix, as data.
//!
//! [`POLICY`] is the only place access is decided. The guard (`guard.rs`) looks every request
//! up here by its route template (axum's `MatchedPath`, exactly as routed) and method; a route
//! that is not in the table is refused. A unit test checks that every routed path is in the
//! table, and the integration test `authz.rs` walks every cell against the running app.

use hangar_model::{Role, Scope};

use super::{AuthVia, Principal};

/// Who may pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (health, metrics, sign-in, vendor hooks with their own HMAC).
    Public,
    /// The wall and the reads it makes: any signed-in role, or anyone when `auth.open_wall`.
    Wall,
    /// Any signed-in user, whatever the role.
    Authenticated,
    /// Only these roles.
    Roles(&'static [Role]),
    /// Only an API token that acts for a robot or process (issued with a grantee).
    Robot,
}

/// One cell row of the matrix: a method on a route template.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub method: &'static str,
    /// The template exactly as routed, e.g. `/api/v1/anomalies/{id}/acknowledge`.
    pub path: &'static str,
    pub access: Access,
    /// A token passes only if it carries one of these scopes; empty means any token.
    /// Sessions are not scoped (their limit is the role).
    pub scopes: &'static [Scope],
}

const ADMIN: &[Role] = &[Role::Admin];
const ADMIN_OPS: &[Role] = &[Role::Admin, Role::Ops];

const ANY_TOKEN: &[Scope] = &[];
const WALL_READ: &[Scope] = &[Scope::WallRead, Scope::ApiRead];
const READ: &[Scope] = &[Scope::ApiRead];
const WRITE: &[Scope] = &[Scope::ApiWrite];
const ROBOT: &[Scope] = &[Scope::RobotCredentials];

const fn rule(
    method: &'static str,
    path: &'static str,
    access: Access,
    scopes: &'static [Scope],
) -> Rule {
    Rule {
        method,
        path,
        access,
        scopes,
    }
}

use Access::{Authenticated, Public, Roles, Wall};

pub const POLICY: &[Rule] = &[
    // Open to all.
    rule("GET", "/", Public, ANY_TOKEN),
    rule("GET", "/healthz", Public, ANY_TOKEN),
    rule("GET", "/readyz", Public, ANY_TOKEN),
    rule("GET", "/metrics", Public, ANY_TOKEN),
    rule("GET", "/api/v1/openapi.json", Public, ANY_TOKEN),
    rule("GET", "/login", Public, ANY_TOKEN),
    rule("POST", "/api/v1/auth/login", Public, ANY_TOKEN),
    rule("POST", "/hooks/uipath/{source}", Public, ANY_TOKEN),
    rule("POST", "/hooks/aa/{source}", Public, ANY_TOKEN),
    rule("GET", PKG_TEMPLATE, Public, ANY_TOKEN),
    // The wall and what it reads.
    rule("GET", "/wall", Wall, WALL_READ),
    rule("GET", "/wall/{screen}", Wall, WALL_READ),
    rule("GET", "/api/v1/wall/data", Wall, WALL_READ),
    rule("GET", "/api/v1/wall/profiles", Wall, WALL_READ),
    rule("GET", "/api/v1/wall/profiles/{name}", Wall, WALL_READ),
    rule("GET", "/api/v1/status", Wall, WALL_READ),
    rule("GET", "/api/v1/stream", Wall, WALL_READ),
    rule("GET", "/api/v1/summary", Wall, WALL_READ),
    rule("GET", "/api/v1/saturation", Wall, WALL_READ),
    rule("GET", "/api/v1/anomalies", Wall, WALL_READ),
    rule("GET", "/api/v1/anomalies/{id}", Wall, WALL_READ),
    rule("GET", "/api/v1/runs", Wall, WALL_READ),
    rule("GET", "/api/v1/sources", Wall, WALL_READ),
    rule("GET", "/api/v1/sources/{id}", Wall, WALL_READ),
    // One's own session, password and tokens.
    rule("GET", "/api/v1/auth/me", Authenticated, ANY_TOKEN),
    rule("POST", "/api/v1/auth/logout", Authenticated, ANY_TOKEN),
    rule("POST", "/api/v1/auth/password", Authenticated, WRITE),
    rule("GET", "/api/v1/tokens", Authenticated, READ),
    rule("POST", "/api/v1/tokens", Authenticated, WRITE),
    rule("DELETE", "/api/v1/tokens/{id}", Authenticated, WRITE),
    // Operations: acting on anomalies and collectors.
    rule(
        "POST",
        "/api/v1/anomalies/{id}/acknowledge",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    rule(
        "POST",
        "/api/v1/anomalies/{id}/unacknowledge",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    rule(
        "POST",
        "/api/v1/anomalies/{id}/resolve",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    rule(
        "POST",
        "/api/v1/sources/{id}/pause",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    rule(
        "POST",
        "/api/v1/sources/{id}/resume",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    // Wall profiles are set up by the people who run the wall.
    rule(
        "PUT",
        "/api/v1/wall/profiles/{name}",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    rule(
        "DELETE",
        "/api/v1/wall/profiles/{name}",
        Roles(ADMIN_OPS),
        WRITE,
    ),
    // Everyone's own credential vault. Only the owner ever reads a value (the handlers see
    // to that: another user, an admin included, gets 404); revealing needs a session.
    rule("GET", "/api/v1/secrets", Authenticated, READ),
    rule("POST", "/api/v1/secrets", Authenticated, WRITE),
    rule("GET", "/api/v1/secrets/{id}", Authenticated, READ),
    rule("PUT", "/api/v1/secrets/{id}", Authenticated, WRITE),
    rule("DELETE", "/api/v1/secrets/{id}", Authenticated, WRITE),
    rule("POST", "/api/v1/secrets/{id}/reveal", Authenticated, WRITE),
    rule(
        "POST",
        "/api/v1/secrets/{id}/undelete",
        Authenticated,
        WRITE,
    ),
    rule("GET", "/api/v1/secrets/{id}/grants", Authenticated, READ),
    rule("POST", "/api/v1/secrets/{id}/grants", Authenticated, WRITE),
    rule("DELETE", "/api/v1/grants/{id}", Authenticated, WRITE),
    // A robot reads what was granted to it, with a robot token and nothing else.
    rule(
        "GET",
        "/api/v1/robot/credentials/{asset_name}",
        Access::Robot,
        ROBOT,
    ),
    // The vault's keys.
    rule("GET", "/api/v1/vault/status", Roles(ADMIN), READ),
    rule("POST", "/api/v1/vault/unseal", Roles(ADMIN), WRITE),
    rule("POST", "/api/v1/vault/seal", Roles(ADMIN), WRITE),
    rule("POST", "/api/v1/vault/rotate", Roles(ADMIN), WRITE),
    // The console's pages: frames whose data comes from the API as the caller may see it.
    rule("GET", "/credentials", Authenticated, ANY_TOKEN),
    rule("GET", "/credentials/{id}", Authenticated, ANY_TOKEN),
    rule("GET", "/admin/users", Roles(ADMIN), ANY_TOKEN),
    rule("GET", "/admin/audit", Roles(ADMIN), ANY_TOKEN),
    // Administration.
    rule("POST", "/api/v1/sources", Roles(ADMIN), WRITE),
    rule("DELETE", "/api/v1/sources/{id}", Roles(ADMIN), WRITE),
    rule("GET", "/api/v1/users", Roles(ADMIN), READ),
    rule("POST", "/api/v1/users", Roles(ADMIN), WRITE),
    rule("PATCH", "/api/v1/users/{id}", Roles(ADMIN), WRITE),
    rule("POST", "/api/v1/users/{id}/password", Roles(ADMIN), WRITE),
    rule("GET", "/api/v1/audit", Roles(ADMIN), READ),
];

/// The wall's versioned assets are served under one nested service; every path below it
/// stands for this template.
pub const PKG_TEMPLATE: &str = "/pkg/{*path}";

/// What the table says about a method on a template.
#[derive(Debug)]
pub enum Lookup {
    Found(&'static Rule),
    /// The template is in the table but not with this method: answer 405.
    WrongMethod,
    /// Not in the table at all: refused.
    Unknown,
}

pub fn lookup(method: &str, template: &str) -> Lookup {
    // HEAD is a GET without a body, and axum routes it to the GET handler.
    let method = if method == "HEAD" { "GET" } else { method };
    let mut path_known = false;
    for r in POLICY {
        if r.path == template {
            if r.method == method {
                return Lookup::Found(r);
            }
            path_known = true;
        }
    }
    if path_known {
        Lookup::WrongMethod
    } else {
        Lookup::Unknown
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No credentials: 401 (or a redirect to the login page for a browser on the wall).
    Unauthenticated,
    /// Credentials, but not enough: 403.
    Forbidden,
}

impl Rule {
    /// Whether this principal (or nobody) may pass. A token never grants more than its
    /// owner's role: the role is checked first, then the token's scopes.
    pub fn decide(&self, who: Option<&Principal>, open_wall: bool) -> Decision {
        let open = match self.access {
            Access::Public => true,
            Access::Wall => open_wall,
            Access::Authenticated | Access::Roles(_) | Access::Robot => false,
        };
        if open {
            return Decision::Allow;
        }
        let Some(who) = who else {
            return Decision::Unauthenticated;
        };
        let role_ok = match self.access {
            Access::Roles(roles) => roles.contains(&who.role),
            Access::Robot => matches!(&who.via, AuthVia::Token { robot: Some(_), .. }),
            _ => true,
        };
        let scope_ok = match &who.via {
            AuthVia::Session => true,
            AuthVia::Token { scopes, .. } => {
                self.scopes.is_empty() || self.scopes.iter().any(|s| scopes.contains(s))
            }
        };
        if role_ok && scope_ok {
            Decision::Allow
        } else {
            Decision::Forbidden
        }
    }

    /// A GET the wall makes: readable anonymously under `auth.open_wall`.
    pub fn is_wall_read(&self) -> bool {
        self.access == Access::Wall
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_and_template_appears_once() {
        for (i, a) in POLICY.iter().enumerate() {
            for b in &POLICY[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} is in the table twice",
                    a.method,
                    a.path
                );
            }
        }
    }

    #[test]
    fn writes_are_never_public_or_open_to_the_wall() {
        for r in POLICY {
            if r.method != "GET" && r.access == Access::Public {
                assert!(
                    r.path == "/api/v1/auth/login" || r.path.starts_with("/hooks/"),
                    "{} {} is a public write",
                    r.method,
                    r.path
                );
            }
            if r.access == Access::Wall {
                assert_eq!(r.method, "GET", "{}", r.path);
            }
        }
    }

    #[test]
    fn lookup_tells_unknown_routes_from_wrong_methods() {
        assert!(matches!(lookup("GET", "/api/v1/runs"), Lookup::Found(_)));
        assert!(matches!(lookup("HEAD", "/healthz"), Lookup::Found(_)));
        assert!(matches!(
            lookup("POST", "/api/v1/runs"),
            Lookup::WrongMethod
        ));
        assert!(matches!(
            lookup("GET", "/api/v1/secret-admin"),
            Lookup::Unknown
        ));
    }
}
