//! Key types and the AES-256-GCM primitive every layer uses.
//!
//! All key types hold their bytes in fixed arrays that are wiped when dropped, implement no
//! `Clone`, and print `[redacted]` instead of their bytes. Randomness comes from `rand`'s
//! thread-local CSPRNG (ChaCha12, seeded and periodically reseeded from the OS).

use std::fmt;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce, Tag};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// AES-256 key length.
pub const KEY_LEN: usize = 32;
/// AES-GCM nonce length (96 bits, the only length GCM handles without hashing it).
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub const TAG_LEN: usize = 16;

/// Version of a key-encryption key. Stored beside every sealed secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KekVersion(pub u32);

impl fmt::Display for KekVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// A data-encryption key: fresh and random for every sealed secret version.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; KEY_LEN]);

impl DataKey {
    pub fn generate() -> Self {
        let mut key = DataKey([0; KEY_LEN]);
        rand::rng().fill_bytes(&mut key.0);
        key
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; KEY_LEN]>::try_from(bytes).ok().map(DataKey)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

/// A key-encryption key: wraps data keys. Its bytes only ever leave memory wrapped under
/// the root key (see [`crate::KeyringState`]).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Kek {
    #[zeroize(skip)]
    version: KekVersion,
    key: [u8; KEY_LEN],
}

impl Kek {
    pub fn generate(version: KekVersion) -> Self {
        let mut kek = Kek {
            version,
            key: [0; KEY_LEN],
        };
        rand::rng().fill_bytes(&mut kek.key);
        kek
    }

    pub(crate) fn from_slice(version: KekVersion, bytes: &[u8]) -> Option<Self> {
        let key = <[u8; KEY_LEN]>::try_from(bytes).ok()?;
        Some(Kek { version, key })
    }

    pub fn version(&self) -> KekVersion {
        self.version
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek")
            .field("version", &self.version)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The root key: derived from the passphrase (Argon2id) or read from the key file. It wraps
/// the KEKs and the keyring verifier, nothing else.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct RootKey([u8; KEY_LEN]);

impl RootKey {
    pub(crate) fn zeroed() -> Self {
        RootKey([0; KEY_LEN])
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; KEY_LEN]>::try_from(bytes).ok().map(RootKey)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8; KEY_LEN] {
        &mut self.0
    }
}

pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    nonce
}

pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0; N];
    rand::rng().fill_bytes(&mut out);
    out
}

/// AES-256-GCM encrypt; returns `ciphertext ‖ tag`. The plaintext is copied into the output
/// buffer and encrypted in place there, so no second plaintext copy is left behind.
///
/// Panics only past AES-GCM's message limit (about 64 GiB), far beyond any secret.
pub(crate) fn aes_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let mut buffer = Vec::with_capacity(plaintext.len() + TAG_LEN);
    buffer.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut buffer)
        .expect("AES-GCM input within the 64 GiB limit");
    buffer.extend_from_slice(&tag);
    buffer
}

/// AES-256-GCM decrypt of `ciphertext ‖ tag`. The tag is checked before anything is
/// decrypted; on failure nothing but `Err` comes back.
pub(crate) fn aes_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let body_len = sealed.len().checked_sub(TAG_LEN)?;
    let (body, tag) = sealed.split_at(body_len);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let mut buffer = Zeroizing::new(body.to_vec());
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(nonce),
            aad,
            buffer.as_mut_slice(),
            Tag::from_slice(tag),
        )
        .ok()?;
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_round_trip_and_aad_binding() {
        let key = random_bytes::<KEY_LEN>();
        let nonce = random_nonce();
        let sealed = aes_seal(&key, &nonce, b"aad", b"hello");
        assert_eq!(sealed.len(), 5 + TAG_LEN);
        assert_eq!(
            aes_open(&key, &nonce, b"aad", &sealed).unwrap().as_slice(),
            b"hello"
        );
        assert!(aes_open(&key, &nonce, b"aaD", &sealed).is_none());
        assert!(aes_open(&key, &nonce, b"aad", &sealed[..TAG_LEN - 1]).is_none());
    }

    #[test]
    fn key_debug_is_redacted() {
        let kek = Kek::generate(KekVersion(7));
        let text = format!("{kek:?} {:?}", DataKey::generate());
        assert!(text.contains("redacted") && text.contains("7"), "{text}");
        assert!(!text.contains(&format!("{:?}", kek.bytes())));
    }
}
