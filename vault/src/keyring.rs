//! The keyring: KEK versions in memory, and the state the server persists to get them back.
//!
//! The root key (Argon2id of the passphrase, or the 32 bytes of the key file) never leaves
//! memory. It wraps each KEK version with AES-256-GCM (associated data names the version)
//! and seals a fixed *verifier* text, so a wrong passphrase or key file is refused at unseal
//! instead of yielding keys that only fail later. Everything in [`KeyringState`] is safe to
//! store next to the data: without the passphrase or key file it opens nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::keys::{
    KEY_LEN, Kek, KekVersion, NONCE_LEN, RootKey, aes_open, aes_seal, random_bytes, random_nonce,
};

/// Format byte of [`KeyringState`].
pub const KEYRING_FORMAT_V1: u8 = 1;
/// Salt length for the passphrase KDF (128 bits, as RFC 9106 recommends).
pub const SALT_LEN: usize = 16;
const KEK_LABEL: &[u8] = b"hangar-vault/kek\0";
const VERIFIER_LABEL: &[u8] = b"hangar-vault/verifier\0";
const VERIFIER_TEXT: &[u8] = b"hangar-vault keyring verifier v1";

/// Argon2id cost for deriving the root key from the passphrase. The default, RFC 9106's
/// second recommended setting (64 MiB, 3 passes, 4 lanes), is also the floor: weaker
/// parameters are refused, both at init and when read back from a stored state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyringParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KeyringParams {
    fn default() -> Self {
        KeyringParams {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 4,
        }
    }
}

impl KeyringParams {
    /// Cheap parameters for tests. Only exists in this crate's tests or with the
    /// `insecure-test-kdf` feature, which also lets [`KeyringParams::validate`] accept them.
    #[cfg(any(test, feature = "insecure-test-kdf"))]
    pub fn insecure_for_tests() -> Self {
        KeyringParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    /// Refuses parameters below the default (unless built for tests) and above sane caps
    /// (4 GiB, 64 passes, 64 lanes), so a tampered state cannot make unseal hang.
    pub fn validate(&self) -> Result<(), VaultError> {
        let floor = if cfg!(any(test, feature = "insecure-test-kdf")) {
            KeyringParams {
                memory_kib: 8,
                iterations: 1,
                parallelism: 1,
            }
        } else {
            KeyringParams::default()
        };
        self.check_against(&floor)
    }

    fn check_against(&self, floor: &KeyringParams) -> Result<(), VaultError> {
        if self.memory_kib < floor.memory_kib
            || self.iterations < floor.iterations
            || self.parallelism < floor.parallelism
        {
            return Err(VaultError::WeakKdfParams(format!(
                "need m >= {} KiB, t >= {}, p >= {}; got m={} t={} p={}",
                floor.memory_kib,
                floor.iterations,
                floor.parallelism,
                self.memory_kib,
                self.iterations,
                self.parallelism
            )));
        }
        if self.memory_kib > 4 * 1024 * 1024 || self.iterations > 64 || self.parallelism > 64 {
            return Err(VaultError::WeakKdfParams(format!(
                "above the caps m <= 4 GiB, t <= 64, p <= 64: m={} t={} p={}",
                self.memory_kib, self.iterations, self.parallelism
            )));
        }
        Ok(())
    }
}

/// Where the root key comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RootKeySource {
    /// Argon2id(passphrase, salt, params).
    Passphrase {
        #[serde(with = "crate::b64::array")]
        salt: [u8; SALT_LEN],
        params: KeyringParams,
    },
    /// The 32 bytes of a key file, used as they are.
    KeyFile,
}

impl RootKeySource {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            RootKeySource::Passphrase { .. } => "passphrase",
            RootKeySource::KeyFile => "key file",
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            RootKeySource::Passphrase { salt, params } => {
                out.push(1);
                out.extend_from_slice(salt);
                for n in [params.memory_kib, params.iterations, params.parallelism] {
                    out.extend_from_slice(&n.to_be_bytes());
                }
            }
            RootKeySource::KeyFile => out.push(2),
        }
    }
}

/// One KEK version, wrapped under the root key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKek {
    pub version: KekVersion,
    #[serde(with = "crate::b64::array")]
    pub nonce: [u8; NONCE_LEN],
    #[serde(with = "crate::b64::vec")]
    pub wrapped_key: Vec<u8>,
}

/// A fixed text sealed under the root key: opens only with the right passphrase or key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    #[serde(with = "crate::b64::array")]
    pub nonce: [u8; NONCE_LEN],
    #[serde(with = "crate::b64::vec")]
    pub ciphertext: Vec<u8>,
}

/// What the server persists (as JSON, one row) to unseal later. It changes on init,
/// [`crate::Vault::rotate_kek`] and [`crate::Vault::retire_kek`]; store each new one
/// durably *before* sealing anything under a new KEK, or those secrets are lost on restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyringState {
    pub format: u8,
    pub root: RootKeySource,
    /// Active KEK versions; the highest one is current.
    pub kek_versions: Vec<WrappedKek>,
    /// Versions destroyed by [`crate::Vault::retire_kek`], kept for a clear error.
    pub retired: Vec<KekVersion>,
    pub verifier: Verifier,
}

/// KEK versions in memory: the highest is current and seals; older ones only open and
/// rewrap until retired.
pub struct Keyring {
    keks: BTreeMap<KekVersion, Kek>,
    retired: BTreeSet<KekVersion>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current().version())
            .field("versions", &self.versions())
            .field("retired", &self.retired)
            .finish()
    }
}

impl Keyring {
    pub fn new(first: Kek) -> Self {
        let mut keks = BTreeMap::new();
        keks.insert(first.version(), first);
        Keyring {
            keks,
            retired: BTreeSet::new(),
        }
    }

    /// The KEK new secrets and rewraps use: the highest active version.
    pub fn current(&self) -> &Kek {
        self.keks
            .values()
            .next_back()
            .expect("a keyring always holds its current KEK")
    }

    pub fn get(&self, version: KekVersion) -> Result<&Kek, VaultError> {
        match self.keks.get(&version) {
            Some(kek) => Ok(kek),
            None if self.retired.contains(&version) => Err(VaultError::KekRetired(version)),
            None => Err(VaultError::UnknownKek(version)),
        }
    }

    pub fn versions(&self) -> Vec<KekVersion> {
        self.keks.keys().copied().collect()
    }

    pub fn retired(&self) -> Vec<KekVersion> {
        self.retired.iter().copied().collect()
    }

    /// The version the next rotation creates: above every active and retired one.
    pub(crate) fn next_version(&self) -> Option<KekVersion> {
        let highest = self.keks.keys().chain(&self.retired).map(|v| v.0).max()?;
        highest.checked_add(1).map(KekVersion)
    }

    pub(crate) fn insert(&mut self, kek: Kek) {
        self.keks.insert(kek.version(), kek);
    }

    /// Drops (and so zeroizes) an old version. Callers check it is not current.
    pub(crate) fn retire(&mut self, version: KekVersion) {
        self.keks.remove(&version);
        self.retired.insert(version);
    }
}

/// Argon2id of the passphrase into a root key.
pub(crate) fn derive_root_key(
    passphrase: &[u8],
    salt: &[u8; SALT_LEN],
    params: &KeyringParams,
) -> Result<RootKey, VaultError> {
    params.validate()?;
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|e| VaultError::WeakKdfParams(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut root = RootKey::zeroed();
    argon
        .hash_password_into(passphrase, salt, root.bytes_mut())
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    Ok(root)
}

pub(crate) fn new_salt() -> [u8; SALT_LEN] {
    random_bytes::<SALT_LEN>()
}

/// Reads a key file: exactly 32 raw bytes, or their standard base64 (surrounding whitespace
/// ignored). On unix the file must not be accessible to group or others (`mode & 0o077`).
/// The mode is taken from the opened handle, so it is the file actually read.
pub(crate) fn read_key_file(path: &Path) -> Result<RootKey, VaultError> {
    let io_err = |source| VaultError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(VaultError::KeyFilePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    let format_err = || VaultError::KeyFileFormat {
        path: path.to_path_buf(),
    };
    if !meta.is_file() || meta.len() > 4096 {
        return Err(format_err());
    }
    let mut raw = Zeroizing::new(Vec::with_capacity(4096));
    file.read_to_end(&mut raw).map_err(io_err)?;
    if raw.len() == KEY_LEN {
        return RootKey::from_slice(&raw).ok_or_else(format_err);
    }
    let text = std::str::from_utf8(&raw).map_err(|_| format_err())?;
    let decoded = Zeroizing::new(crate::b64::decode(text.trim()).ok_or_else(format_err)?);
    RootKey::from_slice(&decoded).ok_or_else(format_err)
}

/// Contents for a new key file: 32 random bytes in base64 and a newline. The caller writes
/// it with mode 0600.
pub fn generate_key_file_contents() -> Zeroizing<String> {
    let key = Zeroizing::new(random_bytes::<KEY_LEN>());
    let mut text = Zeroizing::new(crate::b64::encode(key.as_slice()));
    text.push('\n');
    text
}

fn kek_aad(version: KekVersion) -> Vec<u8> {
    let mut aad = KEK_LABEL.to_vec();
    aad.push(KEYRING_FORMAT_V1);
    aad.extend_from_slice(&version.0.to_be_bytes());
    aad
}

fn verifier_aad(source: &RootKeySource) -> Vec<u8> {
    let mut aad = VERIFIER_LABEL.to_vec();
    aad.push(KEYRING_FORMAT_V1);
    source.encode(&mut aad);
    aad
}

pub(crate) fn wrap_kek(root: &RootKey, kek: &Kek) -> WrappedKek {
    let nonce = random_nonce();
    WrappedKek {
        version: kek.version(),
        nonce,
        wrapped_key: aes_seal(root.bytes(), &nonce, &kek_aad(kek.version()), kek.bytes()),
    }
}

pub(crate) fn new_verifier(root: &RootKey, source: &RootKeySource) -> Verifier {
    let nonce = random_nonce();
    Verifier {
        nonce,
        ciphertext: aes_seal(root.bytes(), &nonce, &verifier_aad(source), VERIFIER_TEXT),
    }
}

impl KeyringState {
    pub(crate) fn source_name(&self) -> &'static str {
        self.root.name()
    }

    /// Checks the verifier, then unwraps every active KEK version.
    pub(crate) fn open(&self, root: &RootKey) -> Result<Keyring, VaultError> {
        if self.format != KEYRING_FORMAT_V1 {
            return Err(VaultError::UnsupportedFormat(self.format));
        }
        let text = aes_open(
            root.bytes(),
            &self.verifier.nonce,
            &verifier_aad(&self.root),
            &self.verifier.ciphertext,
        )
        .ok_or(VaultError::WrongRootKey)?;
        if text.as_slice() != VERIFIER_TEXT {
            return Err(VaultError::WrongRootKey);
        }
        let corrupt = |what: String| VaultError::CorruptKeyring(what);
        let mut keks = BTreeMap::new();
        for wrapped in &self.kek_versions {
            let raw = aes_open(
                root.bytes(),
                &wrapped.nonce,
                &kek_aad(wrapped.version),
                &wrapped.wrapped_key,
            )
            .ok_or_else(|| corrupt(format!("KEK {} does not authenticate", wrapped.version)))?;
            let kek = Kek::from_slice(wrapped.version, &raw)
                .ok_or_else(|| corrupt(format!("KEK {} has the wrong length", wrapped.version)))?;
            if keks.insert(wrapped.version, kek).is_some() {
                return Err(corrupt(format!("KEK {} listed twice", wrapped.version)));
            }
        }
        let retired: BTreeSet<KekVersion> = self.retired.iter().copied().collect();
        if keks.is_empty() {
            return Err(corrupt("no active KEK".into()));
        }
        if let Some(both) = keks.keys().find(|v| retired.contains(v)) {
            return Err(corrupt(format!("KEK {both} is both active and retired")));
        }
        Ok(Keyring { keks, retired })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_floor_is_the_rfc9106_default() {
        let floor = KeyringParams::default();
        assert_eq!(
            (floor.memory_kib, floor.iterations, floor.parallelism),
            (65536, 3, 4)
        );
        assert!(floor.check_against(&floor).is_ok());
        for weak in [
            KeyringParams {
                memory_kib: 65535,
                ..floor
            },
            KeyringParams {
                iterations: 2,
                ..floor
            },
            KeyringParams {
                parallelism: 1,
                ..floor
            },
            KeyringParams::insecure_for_tests(),
        ] {
            let err = weak.check_against(&floor).unwrap_err();
            assert!(matches!(err, VaultError::WeakKdfParams(_)), "{err}");
        }
        let huge = KeyringParams {
            memory_kib: 8 * 1024 * 1024,
            ..floor
        };
        assert!(matches!(huge.validate(), Err(VaultError::WeakKdfParams(_))));
    }

    #[test]
    fn keyring_versions_and_retirement() {
        let mut ring = Keyring::new(Kek::generate(KekVersion(1)));
        ring.insert(Kek::generate(KekVersion(2)));
        assert_eq!(ring.current().version(), KekVersion(2));
        ring.retire(KekVersion(1));
        assert!(matches!(
            ring.get(KekVersion(1)),
            Err(VaultError::KekRetired(_))
        ));
        assert!(matches!(
            ring.get(KekVersion(9)),
            Err(VaultError::UnknownKek(_))
        ));
        assert_eq!(ring.next_version(), Some(KekVersion(3)));
        assert!(!format!("{ring:?}").contains(&format!("{:?}", ring.current().bytes())));
    }
}
