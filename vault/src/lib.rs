//! Hangar's cryptography.
//!
//! * [`password`]: Argon2id PHC hashing for local users' login passwords.
//! * The credential vault's core: envelope encryption of robot credentials
//!   ([`seal_secret`], [`open_secret`]), a keyring of versioned key-encryption keys wrapped
//!   under a root key from a passphrase (Argon2id) or a key file, a sealed/unsealed
//!   [`Vault`] state machine, KEK rotation with [`Vault::rewrap`] / [`Vault::rewrap_all`].
//!
//! Key hierarchy: root key → KEK (versioned, wrapped in [`KeyringState`]) → per-secret DEK
//! (wrapped in each [`SealedSecret`]) → payload. All synchronous and pure apart from reading
//! the key file.
//!
//! Limits, as for HashiCorp Vault: memory inspection of the running server, rollback of
//! the stored rows or keyring state, and leaking that a secret exists are out of scope.

mod b64;
mod envelope;
mod error;
mod keyring;
mod keys;
pub mod password;
mod payload;
mod vault;

pub use envelope::{
    SEALED_FORMAT_V1, SealedSecret, SecretAad, WRAPPED_KEY_LEN, open_secret, rewrap_secret,
    seal_secret,
};
pub use error::VaultError;
pub use keyring::{
    KEYRING_FORMAT_V1, Keyring, KeyringParams, KeyringState, RootKeySource, SALT_LEN, Verifier,
    WrappedKek, generate_key_file_contents,
};
pub use keys::{DataKey, KEY_LEN, Kek, KekVersion, NONCE_LEN, TAG_LEN};
pub use password::{PasswordError, PasswordHashParams, hash_password, verify_password};
pub use payload::SecretPayload;
pub use vault::{MIN_PASSPHRASE_CHARS, RewrapAllError, RewrapFailure, Vault};
pub use zeroize::Zeroizing;
