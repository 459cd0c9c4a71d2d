//! The one error type of the vault. No variant ever carries key bytes or plaintext.

use std::path::PathBuf;

use crate::keys::KekVersion;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Every secret operation on a sealed vault ends here.
    #[error(
        "vault is sealed: unseal it with the passphrase or key file before any secret operation"
    )]
    Sealed,
    #[error("vault is already unsealed")]
    AlreadyUnsealed,
    /// The verifier in the keyring state did not open under the derived root key.
    #[error("wrong passphrase or key file: the keyring verifier did not authenticate")]
    WrongRootKey,
    #[error("this keyring is unsealed with a {expected}, not a {given}")]
    WrongUnsealMethod {
        expected: &'static str,
        given: &'static str,
    },
    #[error("passphrase must be at least {0} characters")]
    WeakPassphrase(usize),
    #[error("Argon2id parameters refused: {0}")]
    WeakKdfParams(String),
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error(
        "key file {path:?} is readable or writable by group or others (mode {mode:o}); run chmod 600 on it"
    )]
    KeyFilePermissions { path: PathBuf, mode: u32 },
    #[error("cannot read key file {path:?}: {source}")]
    KeyFileIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path:?} must hold exactly 32 bytes, raw or base64")]
    KeyFileFormat { path: PathBuf },
    /// The stored keyring state is damaged or was tampered with.
    #[error("keyring state is corrupt: {0}")]
    CorruptKeyring(String),
    #[error("no key-encryption key {0} in this keyring")]
    UnknownKek(KekVersion),
    #[error("key-encryption key {0} was retired; secrets wrapped under it cannot be opened")]
    KekRetired(KekVersion),
    #[error(
        "key-encryption key {version} still wraps {count} secret(s); rewrap them before retiring it"
    )]
    KekInUse { version: KekVersion, count: u64 },
    #[error("key-encryption key {0} is the current one and cannot be retired; rotate first")]
    RetireCurrentKek(KekVersion),
    /// Authentication failed: ciphertext, nonce, wrapped key, KEK version or the binding
    /// (owner, secret id, version) do not match. Deliberately says nothing about which.
    #[error(
        "secret failed authentication: the ciphertext, its keys or its binding (owner, secret id, version) do not match"
    )]
    Decrypt,
    #[error("unsupported sealed-secret or keyring format {0}")]
    UnsupportedFormat(u8),
    #[error("malformed sealed secret: {0}")]
    Malformed(&'static str),
    /// The payload did not (de)serialize. Only the category and position are kept, never
    /// the text serde_json quotes, which could be part of a password.
    #[error("secret payload is not valid: {0}")]
    Payload(String),
}

impl VaultError {
    pub(crate) fn payload(e: &serde_json::Error) -> Self {
        VaultError::Payload(format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    }
}
