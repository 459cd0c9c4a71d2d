//! The credential a robot logs in with, as sealed in one secret version.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::VaultError;

/// Username, password, notes and the system (URL or name) they are for. The whole struct is
/// serialized to JSON and sealed, so every field is encrypted; labels the server needs to
/// list or search belong in non-secret metadata instead. Wiped when dropped; `Debug` shows
/// the username and system only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SecretPayload {
    pub username: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// URL or name of the system the credential logs into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
}

impl fmt::Debug for SecretPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretPayload")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("notes", &"[redacted]")
            .field("system", &self.system)
            .finish()
    }
}

impl SecretPayload {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        SecretPayload {
            username: username.into(),
            password: password.into(),
            notes: String::new(),
            system: None,
        }
    }

    pub fn with_notes(mut self, notes: impl Into<String>) -> Self {
        self.notes = notes.into();
        self
    }

    pub fn with_system(mut self, system: impl Into<String>) -> Self {
        self.system = Some(system.into());
        self
    }

    /// JSON bytes to seal. The buffer is sized up front (JSON escaping at most sextuples a
    /// byte) so it does not reallocate and strand copies of the password; it is wiped on drop.
    pub fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let fields = self.username.len()
            + self.password.len()
            + self.notes.len()
            + self.system.as_ref().map_or(0, String::len);
        let mut out = Zeroizing::new(Vec::with_capacity(fields * 6 + 96));
        serde_json::to_writer(&mut *out, self).map_err(|e| VaultError::payload(&e))?;
        Ok(out)
    }

    /// Parses opened plaintext. Errors never quote the input.
    pub fn from_plaintext(plaintext: &[u8]) -> Result<Self, VaultError> {
        serde_json::from_slice(plaintext).map_err(|e| VaultError::payload(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_redacted_debug() {
        let p = SecretPayload::new("svc_sap", "Sup3r\"secret\\pw\u{1}")
            .with_notes("rotated monthly")
            .with_system("https://sap.example.com");
        let bytes = p.to_plaintext().unwrap();
        assert_eq!(SecretPayload::from_plaintext(&bytes).unwrap(), p);
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("Sup3r") && !dbg.contains("monthly"), "{dbg}");
        assert!(dbg.contains("svc_sap"));
    }

    #[test]
    fn parse_errors_do_not_quote_the_plaintext() {
        let err = SecretPayload::from_plaintext(br#"{"username":1,"password":"hunter2hunter2"}"#)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let err = SecretPayload::from_plaintext(br#"{"username":"u","password":"hunter2hun"#)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2") && err.contains("Eof"), "{err}");
    }
}
