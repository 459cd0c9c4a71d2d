//! The vault state machine: **Sealed** (holds no key, refuses every secret operation) and
//! **Unsealed** (holds the root key and the KEK keyring in memory).
//!
//! `Vault` is plain data, `Send + Sync`: the server wraps it in an `RwLock`, reading for
//! seal/open/rewrap and writing for unseal, seal, rotate and retire. Argon2id at unseal is
//! CPU-heavy (about 150 ms at the defaults in release on a 2-core VM, 64 MiB of RAM per call):
//! call it from a blocking thread.

use std::fmt;
use std::path::Path;

use zeroize::Zeroizing;

use crate::envelope::{SealedSecret, SecretAad, open_secret, rewrap_secret, seal_secret};
use crate::error::VaultError;
use crate::keyring::{
    KEYRING_FORMAT_V1, Keyring, KeyringParams, KeyringState, RootKeySource, Verifier, WrappedKek,
    derive_root_key, new_salt, new_verifier, read_key_file, wrap_kek,
};
use crate::keys::{Kek, KekVersion, RootKey};
use crate::payload::SecretPayload;

/// Shortest passphrase [`Vault::init_with_passphrase`] accepts, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

struct Unsealed {
    root: RootKey,
    source: RootKeySource,
    keyring: Keyring,
    wrapped: Vec<WrappedKek>,
    verifier: Verifier,
}

impl Unsealed {
    fn state(&self) -> KeyringState {
        KeyringState {
            format: KEYRING_FORMAT_V1,
            root: self.source.clone(),
            kek_versions: self.wrapped.clone(),
            retired: self.keyring.retired(),
            verifier: self.verifier.clone(),
        }
    }
}

/// The credential vault's key holder. Starts sealed.
#[derive(Default)]
pub struct Vault {
    unsealed: Option<Box<Unsealed>>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unsealed {
            None => f.debug_struct("Vault").field("sealed", &true).finish(),
            Some(u) => f
                .debug_struct("Vault")
                .field("sealed", &false)
                .field("root", &u.source.name())
                .field("keyring", &u.keyring)
                .finish_non_exhaustive(),
        }
    }
}

/// [`Vault::rewrap_all`] could not rewrap some items. Nothing is lost: `output` has one
/// entry per input, in order — rewrapped where it worked, the untouched original (still
/// openable under its old KEK) where it did not — and `failures` says which and why.
#[derive(Debug, thiserror::Error)]
#[error("{} of {} secrets were not rewrapped; first failure at item {}: {}",
    .failures.len(), .output.len(), .failures[0].index, .failures[0].error)]
pub struct RewrapAllError {
    pub output: Vec<SealedSecret>,
    pub failures: Vec<RewrapFailure>,
}

#[derive(Debug)]
pub struct RewrapFailure {
    /// Position of the item in the input.
    pub index: usize,
    pub error: VaultError,
}

impl Vault {
    /// A sealed vault; unseal it with the stored [`KeyringState`].
    pub fn new() -> Self {
        Vault::default()
    }

    /// First start: derives the root key from `passphrase` with Argon2id (`params`, refused
    /// below [`KeyringParams::default`]) and a fresh salt, creates KEK v1. Persist the
    /// returned state; it is needed for every later unseal.
    pub fn init_with_passphrase(
        passphrase: &str,
        params: KeyringParams,
    ) -> Result<(Vault, KeyringState), VaultError> {
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::WeakPassphrase(MIN_PASSPHRASE_CHARS));
        }
        let salt = new_salt();
        let root = derive_root_key(passphrase.as_bytes(), &salt, &params)?;
        Ok(Vault::init(
            root,
            RootKeySource::Passphrase { salt, params },
        ))
    }

    /// First start with a key file (32 bytes, raw or base64, mode 0600 on unix) as the root
    /// key; creates KEK v1. See [`crate::generate_key_file_contents`].
    pub fn init_with_key_file(path: &Path) -> Result<(Vault, KeyringState), VaultError> {
        let root = read_key_file(path)?;
        Ok(Vault::init(root, RootKeySource::KeyFile))
    }

    fn init(root: RootKey, source: RootKeySource) -> (Vault, KeyringState) {
        let kek = Kek::generate(KekVersion(1));
        let unsealed = Unsealed {
            verifier: new_verifier(&root, &source),
            wrapped: vec![wrap_kek(&root, &kek)],
            keyring: Keyring::new(kek),
            root,
            source,
        };
        let state = unsealed.state();
        let vault = Vault {
            unsealed: Some(Box::new(unsealed)),
        };
        (vault, state)
    }

    /// Sealed → Unsealed with the passphrase. A wrong passphrase fails with
    /// [`VaultError::WrongRootKey`] and leaves the vault sealed.
    pub fn unseal_with_passphrase(
        &mut self,
        passphrase: &str,
        state: &KeyringState,
    ) -> Result<(), VaultError> {
        self.check_sealed()?;
        let RootKeySource::Passphrase { salt, params } = &state.root else {
            return Err(wrong_method(state, "passphrase"));
        };
        let root = derive_root_key(passphrase.as_bytes(), salt, params)?;
        self.unseal(root, state)
    }

    /// Sealed → Unsealed with the key file. Refuses a file group or others can access.
    pub fn unseal_with_key_file(
        &mut self,
        path: &Path,
        state: &KeyringState,
    ) -> Result<(), VaultError> {
        self.check_sealed()?;
        if state.root != RootKeySource::KeyFile {
            return Err(wrong_method(state, "key file"));
        }
        let root = read_key_file(path)?;
        self.unseal(root, state)
    }

    fn check_sealed(&self) -> Result<(), VaultError> {
        match self.unsealed {
            Some(_) => Err(VaultError::AlreadyUnsealed),
            None => Ok(()),
        }
    }

    fn unseal(&mut self, root: RootKey, state: &KeyringState) -> Result<(), VaultError> {
        let keyring = state.open(&root)?;
        self.unsealed = Some(Box::new(Unsealed {
            root,
            source: state.root.clone(),
            keyring,
            wrapped: state.kek_versions.clone(),
            verifier: state.verifier.clone(),
        }));
        Ok(())
    }

    /// Takes a newer persisted state (another node rotated or retired a KEK) with the root
    /// key this vault already holds, so a cluster's nodes converge without a new unseal. The
    /// state must belong to the same root key: a different verifier or root source, or any
    /// entry that does not authenticate, is refused and the vault keeps its keyring.
    pub fn refresh(&mut self, state: &KeyringState) -> Result<(), VaultError> {
        let unsealed = self.unsealed.as_deref_mut().ok_or(VaultError::Sealed)?;
        if state.root != unsealed.source || state.verifier != unsealed.verifier {
            return Err(VaultError::WrongRootKey);
        }
        let keyring = state.open(&unsealed.root)?;
        unsealed.keyring = keyring;
        unsealed.wrapped = state.kek_versions.clone();
        Ok(())
    }

    /// Unsealed → Sealed: drops the root key and every KEK, which wipes them.
    pub fn seal(&mut self) {
        self.unsealed = None;
    }

    pub fn is_sealed(&self) -> bool {
        self.unsealed.is_none()
    }

    fn unsealed(&self) -> Result<&Unsealed, VaultError> {
        self.unsealed.as_deref().ok_or(VaultError::Sealed)
    }

    /// The in-memory keyring, for the free functions [`open_secret`] and friends.
    pub fn keyring(&self) -> Result<&Keyring, VaultError> {
        Ok(&self.unsealed()?.keyring)
    }

    /// The state to persist, as it is now.
    pub fn state(&self) -> Result<KeyringState, VaultError> {
        Ok(self.unsealed()?.state())
    }

    pub fn current_kek_version(&self) -> Result<KekVersion, VaultError> {
        Ok(self.unsealed()?.keyring.current().version())
    }

    /// Seals bytes under the current KEK, bound to `aad`.
    pub fn seal_secret(
        &self,
        aad: &SecretAad,
        plaintext: &[u8],
    ) -> Result<SealedSecret, VaultError> {
        Ok(seal_secret(
            self.unsealed()?.keyring.current(),
            aad,
            plaintext,
        ))
    }

    /// Opens a sealed secret bound to `aad`; see [`open_secret`].
    pub fn open_secret(
        &self,
        sealed: &SealedSecret,
        aad: &SecretAad,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        open_secret(&self.unsealed()?.keyring, sealed, aad)
    }

    /// Serializes the payload to JSON and seals all of it.
    pub fn seal_payload(
        &self,
        aad: &SecretAad,
        payload: &SecretPayload,
    ) -> Result<SealedSecret, VaultError> {
        let kek = self.unsealed()?.keyring.current();
        Ok(seal_secret(kek, aad, &payload.to_plaintext()?))
    }

    pub fn open_payload(
        &self,
        sealed: &SealedSecret,
        aad: &SecretAad,
    ) -> Result<SecretPayload, VaultError> {
        SecretPayload::from_plaintext(&self.open_secret(sealed, aad)?)
    }

    /// Adds a new KEK version and makes it current. Persist the returned state durably
    /// *before* sealing or rewrapping anything under the new version.
    pub fn rotate_kek(&mut self) -> Result<(KekVersion, KeyringState), VaultError> {
        let unsealed = self.unsealed.as_deref_mut().ok_or(VaultError::Sealed)?;
        let version = unsealed
            .keyring
            .next_version()
            .ok_or_else(|| VaultError::CorruptKeyring("KEK versions exhausted".into()))?;
        let kek = Kek::generate(version);
        unsealed.wrapped.push(wrap_kek(&unsealed.root, &kek));
        unsealed.keyring.insert(kek);
        Ok((version, unsealed.state()))
    }

    /// Re-wraps the secret's DEK under the current KEK; its data ciphertext and nonce stay
    /// as they are. Already current: returned unchanged.
    pub fn rewrap(
        &self,
        sealed: &SealedSecret,
        aad: &SecretAad,
    ) -> Result<SealedSecret, VaultError> {
        rewrap_secret(&self.unsealed()?.keyring, sealed, aad)
    }

    /// Rewraps every item; see [`RewrapAllError`] for what a partial failure returns.
    pub fn rewrap_all<'a, I>(&self, items: I) -> Result<Vec<SealedSecret>, RewrapAllError>
    where
        I: IntoIterator<Item = (&'a SecretAad, &'a SealedSecret)>,
    {
        let keyring = self.unsealed().map(|u| &u.keyring);
        let mut output = Vec::new();
        let mut failures = Vec::new();
        for (index, (aad, sealed)) in items.into_iter().enumerate() {
            let result = match keyring {
                Ok(keyring) => rewrap_secret(keyring, sealed, aad),
                Err(_) => Err(VaultError::Sealed),
            };
            match result {
                Ok(rewrapped) => output.push(rewrapped),
                Err(error) => {
                    output.push(sealed.clone());
                    failures.push(RewrapFailure { index, error });
                }
            }
        }
        if failures.is_empty() {
            Ok(output)
        } else {
            Err(RewrapAllError { output, failures })
        }
    }

    /// Destroys an old KEK version. The caller passes how many stored secrets still name it
    /// (`SELECT count(*) … WHERE kek_version = $1`); anything but 0 is refused, as is the
    /// current version. Afterwards opening a secret under it fails with
    /// [`VaultError::KekRetired`]. Persist the returned state.
    pub fn retire_kek(
        &mut self,
        version: KekVersion,
        secrets_still_wrapped: u64,
    ) -> Result<KeyringState, VaultError> {
        let unsealed = self.unsealed.as_deref_mut().ok_or(VaultError::Sealed)?;
        unsealed.keyring.get(version)?;
        if unsealed.keyring.current().version() == version {
            return Err(VaultError::RetireCurrentKek(version));
        }
        if secrets_still_wrapped > 0 {
            return Err(VaultError::KekInUse {
                version,
                count: secrets_still_wrapped,
            });
        }
        unsealed.keyring.retire(version);
        unsealed.wrapped.retain(|w| w.version != version);
        Ok(unsealed.state())
    }
}

fn wrong_method(state: &KeyringState, given: &'static str) -> VaultError {
    VaultError::WrongUnsealMethod {
        expected: state.source_name(),
        given,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "correct horse battery staple";

    #[test]
    fn vault_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Vault>();
        check::<Keyring>();
        check::<SealedSecret>();
    }

    #[test]
    fn short_passphrase_is_refused() {
        let err = Vault::init_with_passphrase("short", KeyringParams::insecure_for_tests());
        assert!(matches!(err, Err(VaultError::WeakPassphrase(12))));
    }

    #[test]
    fn unseal_twice_is_refused_and_seal_forgets_keys() {
        let params = KeyringParams::insecure_for_tests();
        let (mut vault, state) = Vault::init_with_passphrase(PASS, params).unwrap();
        assert!(matches!(
            vault.unseal_with_passphrase(PASS, &state),
            Err(VaultError::AlreadyUnsealed)
        ));
        vault.seal();
        assert!(vault.is_sealed());
        assert!(matches!(vault.state(), Err(VaultError::Sealed)));
        vault.unseal_with_passphrase(PASS, &state).unwrap();
        assert_eq!(vault.state().unwrap(), state);
    }

    #[test]
    fn refresh_takes_another_nodes_rotation_and_refuses_foreign_state() {
        let params = KeyringParams::insecure_for_tests();
        let (mut node_a, state) = Vault::init_with_passphrase(PASS, params).unwrap();
        let mut node_b = Vault::new();
        node_b.unseal_with_passphrase(PASS, &state).unwrap();
        let aad = SecretAad::new("u", "s", 1);
        let old = node_a.seal_secret(&aad, b"pw").unwrap();
        let (v2, rotated) = node_a.rotate_kek().unwrap();
        let new = node_a.rewrap(&old, &aad).unwrap();
        assert!(matches!(
            node_b.open_secret(&new, &aad),
            Err(VaultError::UnknownKek(_))
        ));
        node_b.refresh(&rotated).unwrap();
        assert_eq!(node_b.current_kek_version().unwrap(), v2);
        assert_eq!(node_b.open_secret(&new, &aad).unwrap().as_slice(), b"pw");

        let (_, foreign) = Vault::init_with_passphrase(PASS, params).unwrap();
        assert!(matches!(
            node_b.refresh(&foreign),
            Err(VaultError::WrongRootKey)
        ));
        assert_eq!(node_b.current_kek_version().unwrap(), v2);
        let mut sealed = Vault::new();
        assert!(matches!(sealed.refresh(&rotated), Err(VaultError::Sealed)));
    }

    #[test]
    fn debug_never_contains_the_real_key_bytes() {
        let params = KeyringParams::insecure_for_tests();
        let (mut vault, _) = Vault::init_with_passphrase(PASS, params).unwrap();
        vault.rotate_kek().unwrap();
        let text = format!("{vault:?}{vault:#?}");
        let u = vault.unsealed().unwrap();
        let keys = [
            u.root.bytes(),
            u.keyring.current().bytes(),
            u.keyring.get(KekVersion(1)).unwrap().bytes(),
        ];
        for key in keys {
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            assert!(!text.contains(&format!("{key:?}")), "{text}");
            assert!(!text.contains(&crate::b64::encode(key)), "{text}");
            assert!(!text.contains(&hex), "{text}");
        }
    }
}
