//! Who may do what: the roles users hold and the scopes API tokens carry.
//!
//! The server decides access from these (its policy table); the model only names them, so
//! the dashboard and the server spell them the same way.

use serde::{Deserialize, Serialize};

/// A user's role. Admin and ops see every department; the others see only their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Users, tokens, sources, the audit log; everything.
    Admin,
    /// Runs the wall: acknowledges anomalies and acts on runs.
    Ops,
    /// Bookings, their own credentials, acceptance sign-off.
    Business,
    /// Remote access and VM work.
    Developer,
    /// Reports; reads only.
    Manager,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Ops,
        Role::Business,
        Role::Developer,
        Role::Manager,
    ];

    /// Whether the role sees every department (admin and ops watch the whole fleet).
    pub fn is_global(self) -> bool {
        matches!(self, Role::Admin | Role::Ops)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ops => "ops",
            Role::Business => "business",
            Role::Developer => "developer",
            Role::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may be used for. A token never grants more than its owner's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// The wall, the stream and the reads the wall makes: for wall screens.
    #[serde(rename = "wall:read")]
    WallRead,
    /// Every read the owner's role allows.
    #[serde(rename = "api:read")]
    ApiRead,
    /// Every write the owner's role allows (implies nothing about reads).
    #[serde(rename = "api:write")]
    ApiWrite,
    /// A robot fetching the credentials granted to it from the vault.
    #[serde(rename = "robot:credentials")]
    RobotCredentials,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::WallRead,
        Scope::ApiRead,
        Scope::ApiWrite,
        Scope::RobotCredentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::WallRead => "wall:read",
            Scope::ApiRead => "api:read",
            Scope::ApiWrite => "api:write",
            Scope::RobotCredentials => "robot:credentials",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for r in Role::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for s in Scope::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_admin_and_ops_are_global() {
        let global: Vec<Role> = Role::ALL.into_iter().filter(|r| r.is_global()).collect();
        assert_eq!(global, vec![Role::Admin, Role::Ops]);
    }
}
