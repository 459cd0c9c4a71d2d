//! Typed identifiers: a node id can never be passed where another kind of id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

// Stand-in (issue #6): engineer A defines these ids here; drop this line at merge.

/// One running `hangar` process. Several nodes share a PostgreSQL database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
pub struct NodeId(pub Uuid);

impl NodeId {
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for NodeId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(NodeId)
    }
}

impl From<Uuid> for NodeId {
    fn from(value: Uuid) -> Self {
        NodeId(value)
    }
}

/// Declares a UUID newtype id with the same behaviour as [`NodeId`].
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                $name(value)
            }
        }
    };
}

uuid_id!(
    /// A local user.
    UserId
);
uuid_id!(
    /// An API token (its id, never its value).
    TokenId
);
uuid_id!(
    /// A credential in the vault.
    SecretId
);
uuid_id!(
    /// A grant of a credential to a robot or process.
    GrantId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_id_round_trips_through_text_and_json() {
        let id = NodeId(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0));
        let text = id.to_string();
        assert_eq!(text.parse::<NodeId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<NodeId>(&json).unwrap(), id);
    }

    #[test]
    fn node_id_rejects_garbage() {
        assert!("not-a-uuid".parse::<NodeId>().is_err());
    }
}
