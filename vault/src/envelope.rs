//! Envelope encryption of one secret version.
//!
//! A fresh random [`DataKey`] (DEK) encrypts the payload with AES-256-GCM under a random
//! 96-bit nonce; the DEK itself is encrypted ("wrapped") with AES-256-GCM under the current
//! [`Kek`] with a second, independent random nonce. Both layers carry associated data, so a
//! row moved to another owner, secret id or version, or a wrapped key paired with another
//! row or KEK version, fails authentication instead of decrypting.
//!
//! # Associated data
//!
//! `binding = u64be(len(owner)) ‖ owner ‖ u64be(len(secret_id)) ‖ secret_id ‖ u32be(version)`
//!
//! * data:        `"hangar-vault/secret-data\0" ‖ format ‖ binding`
//! * wrapped DEK: `"hangar-vault/secret-dek\0" ‖ format ‖ u32be(kek_version) ‖ binding`
//!
//! The data AAD leaves out the KEK version on purpose: rewrapping under a new KEK must not
//! touch the data ciphertext.
//!
//! # Byte layout of [`SealedSecret::to_bytes`] (format 1)
//!
//! | offset | length | field |
//! |---|---|---|
//! | 0 | 1 | format = `0x01` |
//! | 1 | 4 | KEK version, u32 big-endian |
//! | 5 | 12 | wrap nonce |
//! | 17 | 48 | wrapped DEK: 32 bytes of AES-GCM ciphertext ‖ 16-byte tag |
//! | 65 | 12 | data nonce |
//! | 77 | n + 16 | data ciphertext ‖ 16-byte tag |

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::keyring::Keyring;
use crate::keys::{
    DataKey, KEY_LEN, Kek, KekVersion, NONCE_LEN, TAG_LEN, aes_open, aes_seal, random_nonce,
};

/// Format byte of sealed secrets written by this version of the crate.
pub const SEALED_FORMAT_V1: u8 = 1;
/// Length of a wrapped DEK: the key plus its GCM tag.
pub const WRAPPED_KEY_LEN: usize = KEY_LEN + TAG_LEN;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN + WRAPPED_KEY_LEN + NONCE_LEN;
const DATA_LABEL: &[u8] = b"hangar-vault/secret-data\0";
const WRAP_LABEL: &[u8] = b"hangar-vault/secret-dek\0";

/// What a sealed secret is bound to: its owner, its secret id and its version.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretAad {
    owner: String,
    secret_id: String,
    version: u32,
}

impl SecretAad {
    /// `secret_id` is typically a UUID's string form.
    pub fn new(owner: impl Into<String>, secret_id: impl Into<String>, version: u32) -> Self {
        SecretAad {
            owner: owner.into(),
            secret_id: secret_id.into(),
            version,
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    fn binding(&self, out: &mut Vec<u8>) {
        for part in [self.owner.as_bytes(), self.secret_id.as_bytes()] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.version.to_be_bytes());
    }

    fn data_aad(&self, format: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.owner.len() + self.secret_id.len());
        out.extend_from_slice(DATA_LABEL);
        out.push(format);
        self.binding(&mut out);
        out
    }

    fn wrap_aad(&self, format: u8, kek_version: KekVersion) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.owner.len() + self.secret_id.len());
        out.extend_from_slice(WRAP_LABEL);
        out.push(format);
        out.extend_from_slice(&kek_version.0.to_be_bytes());
        self.binding(&mut out);
        out
    }
}

/// One sealed secret version, as stored in a database row. Nothing in it is secret without
/// the KEK; serde writes the byte fields as base64 strings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    /// [`SEALED_FORMAT_V1`].
    pub format: u8,
    /// Which KEK wrapped the DEK; worth its own column to find rows still to rewrap.
    pub kek_version: KekVersion,
    /// The DEK encrypted under the KEK, with its tag ([`WRAPPED_KEY_LEN`] bytes).
    #[serde(with = "crate::b64::vec")]
    pub wrapped_key: Vec<u8>,
    #[serde(with = "crate::b64::array")]
    pub wrap_nonce: [u8; NONCE_LEN],
    #[serde(with = "crate::b64::array")]
    pub nonce: [u8; NONCE_LEN],
    /// Payload ciphertext followed by its 16-byte tag.
    #[serde(with = "crate::b64::vec")]
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSecret")
            .field("format", &self.format)
            .field("kek_version", &self.kek_version)
            .field("wrapped_key_len", &self.wrapped_key.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

impl SealedSecret {
    /// The deterministic byte layout documented at the top of this module.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.ciphertext.len());
        out.push(self.format);
        out.extend_from_slice(&self.kek_version.0.to_be_bytes());
        out.extend_from_slice(&self.wrap_nonce);
        out.extend_from_slice(&self.wrapped_key);
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Parses [`SealedSecret::to_bytes`] output. Checks shape only; authenticity is checked
    /// when the secret is opened.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        let (&format, rest) = bytes.split_first().ok_or(VaultError::Malformed("empty"))?;
        if format != SEALED_FORMAT_V1 {
            return Err(VaultError::UnsupportedFormat(format));
        }
        if bytes.len() < HEADER_LEN + TAG_LEN {
            return Err(VaultError::Malformed("shorter than header and tag"));
        }
        let (version, rest) = rest.split_at(4);
        let (wrap_nonce, rest) = rest.split_at(NONCE_LEN);
        let (wrapped_key, rest) = rest.split_at(WRAPPED_KEY_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce_of =
            |s: &[u8]| <[u8; NONCE_LEN]>::try_from(s).map_err(|_| VaultError::Malformed("nonce"));
        let version = <[u8; 4]>::try_from(version).map_err(|_| VaultError::Malformed("version"))?;
        Ok(SealedSecret {
            format,
            kek_version: KekVersion(u32::from_be_bytes(version)),
            wrapped_key: wrapped_key.to_vec(),
            wrap_nonce: nonce_of(wrap_nonce)?,
            nonce: nonce_of(nonce)?,
            ciphertext: ciphertext.to_vec(),
        })
    }

    fn check_shape(&self) -> Result<(), VaultError> {
        if self.format != SEALED_FORMAT_V1 {
            return Err(VaultError::UnsupportedFormat(self.format));
        }
        if self.wrapped_key.len() != WRAPPED_KEY_LEN {
            return Err(VaultError::Malformed("wrapped key length"));
        }
        if self.ciphertext.len() < TAG_LEN {
            return Err(VaultError::Malformed("ciphertext shorter than its tag"));
        }
        Ok(())
    }
}

fn wrap_key(kek: &Kek, aad: &SecretAad, dek: &DataKey) -> ([u8; NONCE_LEN], Vec<u8>) {
    let wrap_nonce = random_nonce();
    let wrap_aad = aad.wrap_aad(SEALED_FORMAT_V1, kek.version());
    let wrapped = aes_seal(kek.bytes(), &wrap_nonce, &wrap_aad, dek.bytes());
    (wrap_nonce, wrapped)
}

fn unwrap_key(
    keyring: &Keyring,
    sealed: &SealedSecret,
    aad: &SecretAad,
) -> Result<DataKey, VaultError> {
    sealed.check_shape()?;
    let kek = keyring.get(sealed.kek_version)?;
    let wrap_aad = aad.wrap_aad(sealed.format, sealed.kek_version);
    let raw = aes_open(
        kek.bytes(),
        &sealed.wrap_nonce,
        &wrap_aad,
        &sealed.wrapped_key,
    )
    .ok_or(VaultError::Decrypt)?;
    DataKey::from_slice(&raw).ok_or(VaultError::Decrypt)
}

/// Seals `plaintext` for the row `aad` names: new DEK, new nonces, DEK wrapped under `kek`.
pub fn seal_secret(kek: &Kek, aad: &SecretAad, plaintext: &[u8]) -> SealedSecret {
    let dek = DataKey::generate();
    let nonce = random_nonce();
    let ciphertext = aes_seal(
        dek.bytes(),
        &nonce,
        &aad.data_aad(SEALED_FORMAT_V1),
        plaintext,
    );
    let (wrap_nonce, wrapped_key) = wrap_key(kek, aad, &dek);
    SealedSecret {
        format: SEALED_FORMAT_V1,
        kek_version: kek.version(),
        wrapped_key,
        wrap_nonce,
        nonce,
        ciphertext,
    }
}

/// Opens a sealed secret. Any mismatch — tampered bytes, another row's binding, another KEK
/// version — gives [`VaultError::Decrypt`] and no plaintext at all; a KEK version the
/// keyring does not hold gives [`VaultError::UnknownKek`] or [`VaultError::KekRetired`].
pub fn open_secret(
    keyring: &Keyring,
    sealed: &SealedSecret,
    aad: &SecretAad,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let dek = unwrap_key(keyring, sealed, aad)?;
    aes_open(
        dek.bytes(),
        &sealed.nonce,
        &aad.data_aad(sealed.format),
        &sealed.ciphertext,
    )
    .ok_or(VaultError::Decrypt)
}

/// Re-wraps the DEK under the keyring's current KEK; nonce and data ciphertext are copied
/// unchanged. A secret already under the current KEK comes back as it was.
pub fn rewrap_secret(
    keyring: &Keyring,
    sealed: &SealedSecret,
    aad: &SecretAad,
) -> Result<SealedSecret, VaultError> {
    let dek = unwrap_key(keyring, sealed, aad)?;
    let current = keyring.current();
    if sealed.kek_version == current.version() {
        return Ok(sealed.clone());
    }
    let (wrap_nonce, wrapped_key) = wrap_key(current, aad, &dek);
    Ok(SealedSecret {
        format: SEALED_FORMAT_V1,
        kek_version: current.version(),
        wrapped_key,
        wrap_nonce,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::new(Kek::generate(KekVersion(1)))
    }

    #[test]
    fn bytes_layout_round_trips_and_is_documented_size() {
        let keyring = ring();
        let aad = SecretAad::new("alice", "id-1", 3);
        let sealed = seal_secret(keyring.current(), &aad, b"0123456789");
        let bytes = sealed.to_bytes();
        assert_eq!(bytes.len(), 77 + 10 + 16);
        assert_eq!(bytes[0], SEALED_FORMAT_V1);
        assert_eq!(&bytes[1..5], &1u32.to_be_bytes());
        let back = SealedSecret::from_bytes(&bytes).unwrap();
        assert_eq!(back, sealed);
        assert_eq!(
            open_secret(&keyring, &back, &aad).unwrap().as_slice(),
            b"0123456789"
        );
    }

    #[test]
    fn from_bytes_refuses_unknown_format_and_short_input() {
        let keyring = ring();
        let mut bytes =
            seal_secret(keyring.current(), &SecretAad::new("a", "b", 1), b"x").to_bytes();
        assert!(matches!(
            SealedSecret::from_bytes(&bytes[..50]),
            Err(VaultError::Malformed(_))
        ));
        bytes[0] = 2;
        assert!(matches!(
            SealedSecret::from_bytes(&bytes),
            Err(VaultError::UnsupportedFormat(2))
        ));
        assert!(matches!(
            SealedSecret::from_bytes(&[]),
            Err(VaultError::Malformed(_))
        ));
    }

    #[test]
    fn binding_is_unambiguous() {
        // "ab"+"c" and "a"+"bc" must not produce the same associated data.
        let one = SecretAad::new("ab", "c", 1).data_aad(1);
        let two = SecretAad::new("a", "bc", 1).data_aad(1);
        assert_ne!(one, two);
        assert_ne!(
            SecretAad::new("a", "b", 1).wrap_aad(1, KekVersion(1)),
            SecretAad::new("a", "b", 1).data_aad(1)
        );
    }

    #[test]
    fn json_form_uses_base64() {
        let keyring = ring();
        let sealed = seal_secret(keyring.current(), &SecretAad::new("a", "b", 1), b"pw");
        let json = serde_json::to_value(&sealed).unwrap();
        assert!(
            json["ciphertext"].is_string() && json["nonce"].is_string(),
            "{json}"
        );
        let back: SealedSecret = serde_json::from_value(json).unwrap();
        assert_eq!(back, sealed);
    }
}
