//! The credential vault as the API shows it: metadata, versions, grants and the vault's own
//! state. Nothing here ever holds a secret value — username, password and notes live only
//! inside the sealed payload (see the server's `secrets` module) and in the one reveal answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{GrantId, SecretId, UserId};

/// Versions kept per secret, as Vault KV v2's default `max_versions`; older ones are deleted
/// for good when a new one is written.
pub const MAX_SECRET_VERSIONS: u32 = 10;
/// Longest name, system, URL, asset name or grantee accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Most tags on one secret, and the longest tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;

/// What may be listed about a secret: labels only, never its values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretMeta {
    pub id: SecretId,
    pub owner: UserId,
    /// The owner's user name when the secret was created.
    pub owner_name: String,
    pub name: String,
    /// The system the credential logs into (an application name).
    pub system: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub current_version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the secret is soft-deleted: nothing can read it, grants included.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One kept version of a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretVersionInfo {
    pub version: u32,
    /// The key-encryption key version its data key is wrapped under.
    pub kek_version: u32,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A secret's metadata with its kept versions, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretDetail {
    #[serde(flatten)]
    pub meta: SecretMeta,
    pub versions: Vec<SecretVersionInfo>,
}

/// A secret granted to a robot or process under an asset name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretGrant {
    pub id: GrantId,
    pub secret_id: SecretId,
    /// `robot:<source>/<robot>` or `process:<source>/<process>`.
    pub grantee: String,
    /// The name the robot asks for, like an Orchestrator credential asset.
    pub asset_name: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// Set once revoked; a revoked grant opens nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Body of `POST /api/v1/secrets/{id}/grants`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGrant {
    pub grantee: String,
    pub asset_name: String,
}

/// `GET /api/v1/vault/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultStatus {
    /// This node holds no keys: every secret operation answers `vault_sealed`.
    pub sealed: bool,
    /// A keyring exists in the database.
    pub initialized: bool,
    /// How the keyring unseals: `passphrase` or `key_file`.
    pub unseal_with: Option<String>,
    /// The current key-encryption key version.
    pub kek_version: Option<u32>,
    /// Every active key-encryption key version.
    pub kek_versions: Vec<u32>,
    /// Secrets stored (soft-deleted ones included).
    pub secrets: u64,
    /// Kept versions whose data key is wrapped under an older KEK (0 after a rotation).
    pub versions_on_old_keks: u64,
}

/// What a rotation did: a new KEK version, and every data key rewrapped under it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateReport {
    pub kek_version: u32,
    pub rewrapped: u64,
    /// Versions that could not be rewrapped (they still open under their old KEK). Must be 0.
    pub failed: u64,
    pub took_ms: u64,
}

/// Checks a label (name, system, URL, asset name): 1 to [`MAX_LABEL_CHARS`] characters, no
/// control characters, not only blanks.
pub fn check_label(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    if value.chars().count() > MAX_LABEL_CHARS {
        return Err(format!(
            "{what} is longer than {MAX_LABEL_CHARS} characters"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{what} must not contain control characters"));
    }
    Ok(())
}

pub fn check_tags(tags: &[String]) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    for tag in tags {
        if tag.trim().is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || tag.chars().any(char::is_control)
        {
            return Err(format!(
                "each tag must be 1 to {MAX_TAG_CHARS} printable characters"
            ));
        }
    }
    Ok(())
}

/// A grantee is `robot:<source>/<robot>` or `process:<source>/<process>`, the names robot
/// tokens carry.
pub fn check_grantee(grantee: &str) -> Result<(), String> {
    check_label("grantee", grantee)?;
    let shape = || {
        format!(
            "grantee must be robot:<source>/<robot> or process:<source>/<process>, not {grantee:?}"
        )
    };
    let (kind, rest) = grantee.split_once(':').ok_or_else(shape)?;
    let (source, name) = rest.split_once('/').ok_or_else(shape)?;
    if !matches!(kind, "robot" | "process") || source.is_empty() || name.trim().is_empty() {
        return Err(shape());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grantees_name_a_robot_or_process_of_a_source() {
        assert!(check_grantee("robot:demo-uipath/RPA-FIN-01").is_ok());
        assert!(check_grantee("process:demo-uipath/Invoice Intake").is_ok());
        for bad in [
            "",
            "robot:",
            "robot:src",
            "robot:/x",
            "user:src/x",
            "robot:src/ ",
            "robot:src/a\nb",
        ] {
            assert!(check_grantee(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn labels_and_tags_are_bounded() {
        assert!(check_label("name", "SAP prod").is_ok());
        assert!(check_label("name", "  ").is_err());
        assert!(check_label("name", &"x".repeat(MAX_LABEL_CHARS + 1)).is_err());
        assert!(check_tags(&["finance".into(), "sap".into()]).is_ok());
        assert!(check_tags(&vec!["t".into(); MAX_TAGS + 1]).is_err());
        assert!(check_tags(&["".into()]).is_err());
    }

    #[test]
    fn detail_flattens_metadata() {
        let meta = SecretMeta {
            id: SecretId(uuid::Uuid::nil()),
            owner: UserId(uuid::Uuid::nil()),
            owner_name: "alice".into(),
            name: "SAP".into(),
            system: None,
            url: None,
            tags: vec![],
            current_version: 1,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            deleted_at: None,
        };
        let v = serde_json::to_value(SecretDetail {
            meta,
            versions: vec![],
        })
        .unwrap();
        assert_eq!(v["name"], "SAP");
        assert!(v["versions"].is_array());
    }
}
