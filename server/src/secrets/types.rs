//! Request and response bodies that carry secret values. None of them prints a value in
//! `Debug`; incoming values are `SecretString`s and outgoing ones live in a
//! `SecretPayload`, both wiped when dropped.

use std::fmt;

use hangar_model::secrets::{check_label, check_tags};
use hangar_model::{ErrorCode, SecretId};
use hangar_vault::SecretPayload;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::AppError;

/// Longest password or username accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 4_096;
/// Longest notes accepted, in bytes.
pub const MAX_NOTES_BYTES: usize = 16_384;

/// Body of `POST /api/v1/secrets` (no `cas`) and `PUT /api/v1/secrets/{id}` (with `cas`, the
/// version the client last saw). A write replaces every field and makes a new version.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretWrite {
    /// Check-and-set: the secret's current version (update only).
    pub cas: Option<u32>,
    pub name: String,
    pub system: Option<String>,
    pub url: Option<String>,
    #[schema(value_type = String)]
    pub username: SecretString,
    #[schema(value_type = String)]
    pub password: SecretString,
    /// Kept encrypted with the password, never listed.
    #[schema(value_type = Option<String>)]
    pub notes: Option<SecretString>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl fmt::Debug for SecretWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretWrite")
            .field("cas", &self.cas)
            .field("name", &self.name)
            .field("system", &self.system)
            .field("url", &self.url)
            .field("tags", &self.tags)
            .finish_non_exhaustive()
    }
}

/// The labels of a write, checked; blank optional labels become none.
pub struct Labels {
    pub name: String,
    pub system: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::BadRequest, message)
}

fn optional(what: &str, value: &Option<String>) -> Result<Option<String>, AppError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check_label(what, v).map_err(bad)?;
            Ok(Some(v.to_owned()))
        }
    }
}

impl SecretWrite {
    pub fn labels(&self) -> Result<Labels, AppError> {
        check_label("name", &self.name).map_err(bad)?;
        check_tags(&self.tags).map_err(bad)?;
        Ok(Labels {
            name: self.name.trim().to_owned(),
            system: optional("system", &self.system)?,
            url: optional("url", &self.url)?,
            tags: self.tags.iter().map(|t| t.trim().to_owned()).collect(),
        })
    }

    /// The values to seal. Sizes are checked; the values themselves never reach a message.
    pub fn payload(&self) -> Result<SecretPayload, AppError> {
        let username = self.username.expose_secret();
        let password = self.password.expose_secret();
        let notes = self.notes.as_ref().map_or("", |n| n.expose_secret());
        if username.is_empty() || password.is_empty() {
            return Err(bad("username and password must not be empty"));
        }
        if username.len() > MAX_VALUE_BYTES || password.len() > MAX_VALUE_BYTES {
            return Err(bad(format!(
                "username and password are limited to {MAX_VALUE_BYTES} bytes"
            )));
        }
        if notes.len() > MAX_NOTES_BYTES {
            return Err(bad(format!("notes are limited to {MAX_NOTES_BYTES} bytes")));
        }
        Ok(SecretPayload::new(username, password).with_notes(notes))
    }
}

/// Body of `POST /api/v1/secrets/{id}/reveal`: `{}` for the current version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    pub version: Option<u32>,
}

/// A revealed version: `{secret_id, version, username, password, notes}`.
pub struct Revealed {
    pub secret_id: SecretId,
    pub version: u32,
    pub payload: SecretPayload,
}

impl fmt::Debug for Revealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revealed")
            .field("secret_id", &self.secret_id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Serialize for Revealed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Revealed", 5)?;
        s.serialize_field("secret_id", &self.secret_id)?;
        s.serialize_field("version", &self.version)?;
        s.serialize_field("username", &self.payload.username)?;
        s.serialize_field("password", &self.payload.password)?;
        s.serialize_field("notes", &self.payload.notes)?;
        s.end()
    }
}

/// The shape of [`Revealed`], for the OpenAPI document.
#[derive(ToSchema)]
#[schema(as = RevealedSecret)]
pub struct RevealedSchema {
    pub secret_id: hangar_model::SecretId,
    pub version: u32,
    pub username: String,
    pub password: String,
    pub notes: String,
}

/// What a robot receives: `{asset_name, username, password}`.
pub struct RobotCredential {
    pub asset_name: String,
    pub payload: SecretPayload,
}

impl fmt::Debug for RobotCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RobotCredential")
            .field("asset_name", &self.asset_name)
            .finish_non_exhaustive()
    }
}

impl Serialize for RobotCredential {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("RobotCredential", 3)?;
        s.serialize_field("asset_name", &self.asset_name)?;
        s.serialize_field("username", &self.payload.username)?;
        s.serialize_field("password", &self.payload.password)?;
        s.end()
    }
}

/// The shape of [`RobotCredential`], for the OpenAPI document.
#[derive(ToSchema)]
#[schema(as = RobotCredential)]
pub struct RobotCredentialSchema {
    pub asset_name: String,
    pub username: String,
    pub password: String,
}

/// Body of `POST /api/v1/vault/unseal`. Without a passphrase the configured key file is used.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsealRequest {
    #[schema(value_type = Option<String>)]
    pub passphrase: Option<SecretString>,
}

impl fmt::Debug for UnsealRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsealRequest")
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_with_values_never_debug_print_them() {
        let write: SecretWrite = serde_json::from_value(serde_json::json!({
            "name": "SAP", "username": "svc-user-xq", "password": "pw-xq-123", "notes": "note-xq"
        }))
        .unwrap();
        let unseal: UnsealRequest =
            serde_json::from_value(serde_json::json!({"passphrase": "pass-xq-phrase"})).unwrap();
        let payload = write.payload().unwrap();
        let revealed = Revealed {
            secret_id: SecretId(uuid::Uuid::nil()),
            version: 1,
            payload: payload.clone(),
        };
        let robot = RobotCredential {
            asset_name: "SAP".into(),
            payload,
        };
        let text = format!("{write:?} {unseal:?} {revealed:?} {robot:?} {write:#?}");
        assert!(!text.contains("xq"), "{text}");
        let json = serde_json::to_value(&revealed).unwrap();
        assert_eq!(json["password"], "pw-xq-123");
        assert_eq!(
            serde_json::to_value(&robot).unwrap()["username"],
            "svc-user-xq"
        );
    }

    #[test]
    fn labels_are_trimmed_and_checked() {
        let mut write: SecretWrite = serde_json::from_value(serde_json::json!({
            "name": " SAP ", "system": " ", "url": "https://sap", "username": "u", "password": "p",
            "tags": [" fin "]
        }))
        .unwrap();
        let labels = write.labels().unwrap();
        assert_eq!(labels.name, "SAP");
        assert_eq!(labels.system, None);
        assert_eq!(labels.tags, vec!["fin"]);
        write.name = String::new();
        assert!(write.labels().is_err());
    }
}
