//! The node's vault: `hangar_vault::Vault` behind a lock, its keyring persisted in the
//! database so every node of a cluster unseals the same one, and KEK rotation with an online
//! rewrap of every stored data key.
//!
//! Locking: secret operations take the read lock for microseconds. Unseal derives the root
//! key (Argon2id, ~64 MiB and a noticeable fraction of a second) on a blocking thread into a
//! fresh `Vault`, and only takes the write lock to swap it in. Rotation holds the write lock
//! while the new keyring is persisted, so nothing is sealed under a KEK that is not stored
//! yet (that secret would be lost on restart).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use hangar_model::secrets::{RotateReport, VaultStatus};
use hangar_model::{ErrorCode, SecretId, UserId};
use hangar_vault::{
    KeyringParams, KeyringState, RootKeySource, SealedSecret, SecretAad, SecretPayload, Vault,
    VaultError,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{Mutex, RwLock};

use crate::config::VaultConfig;
use crate::error::AppError;
use crate::store::Store;
use crate::store::secrets::{KeyringRecord, Rewrapped};

/// What every secret operation answers while this node is sealed.
pub const SEALED_MESSAGE: &str = "the vault is sealed: no secret can be read or written until an \
     admin unseals it (POST /api/v1/vault/unseal with the passphrase) or the server starts with \
     vault.key_file or HANGAR_VAULT__PASSPHRASE set";

/// How a root key is given.
pub enum RootInput {
    Passphrase(SecretString),
    KeyFile(PathBuf),
}

/// What an unseal did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsealed {
    /// The keyring existed and now opens.
    Opened,
    /// There was no keyring: this root key created it (KEK version 1).
    Initialized,
}

pub struct VaultService {
    vault: RwLock<Vault>,
    store: Arc<dyn Store>,
    key_file: Option<PathBuf>,
    rotate_batch: u32,
    rotating: Mutex<()>,
}

/// What a sealed version is bound to: owner, secret id and version, as strings.
pub fn binding(owner: UserId, id: SecretId, version: u32) -> SecretAad {
    SecretAad::new(owner.to_string(), id.to_string(), version)
}

fn sealed_error() -> AppError {
    AppError::client(ErrorCode::VaultSealed, SEALED_MESSAGE)
}

/// A vault error in a secret operation: sealed is the client's 503, anything else (a row that
/// fails authentication, an unknown KEK) is internal — the messages never hold secrets.
pub fn vault_error(e: VaultError) -> AppError {
    match e {
        VaultError::Sealed => sealed_error(),
        other => AppError::Internal(anyhow::Error::new(other).context("vault")),
    }
}

/// A vault error while unsealing: wrong key material is the caller's mistake.
fn unseal_error(e: VaultError) -> AppError {
    match e {
        VaultError::WrongRootKey
        | VaultError::WrongUnsealMethod { .. }
        | VaultError::WeakPassphrase(_)
        | VaultError::KeyFilePermissions { .. }
        | VaultError::KeyFileIo { .. }
        | VaultError::KeyFileFormat { .. } => {
            AppError::client(ErrorCode::UnsealFailed, e.to_string())
        }
        VaultError::AlreadyUnsealed => {
            AppError::client(ErrorCode::Conflict, "the vault is already unsealed")
        }
        other => AppError::Internal(anyhow::Error::new(other).context("unsealing the vault")),
    }
}

fn parse_state(record: &KeyringRecord) -> Result<KeyringState, AppError> {
    serde_json::from_str(&record.state)
        .context("the stored vault keyring is not valid JSON")
        .map_err(AppError::Internal)
}

fn record_of(state: &KeyringState) -> Result<KeyringRecord, AppError> {
    let kek_version = state
        .kek_versions
        .iter()
        .map(|w| w.version.0)
        .max()
        .unwrap_or(0);
    Ok(KeyringRecord {
        state: serde_json::to_string(state).context("encoding the keyring")?,
        kek_version,
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .context("the unseal task failed")?
        .map_err(unseal_error)
}

impl VaultService {
    /// A sealed service; [`VaultService::start`] also unseals from the configuration.
    pub fn new(store: Arc<dyn Store>, config: &VaultConfig) -> VaultService {
        VaultService {
            vault: RwLock::new(Vault::new()),
            store,
            key_file: config.key_file.clone(),
            rotate_batch: config.rotate_batch.max(1),
            rotating: Mutex::new(()),
        }
    }

    /// Unseals (or, on the first start, initialises) from the configured key file or
    /// passphrase. A failure is logged and leaves the node sealed: monitoring keeps running
    /// and an admin can unseal later.
    pub async fn start(store: Arc<dyn Store>, config: &VaultConfig) -> VaultService {
        let service = VaultService::new(store, config);
        let input = match (&config.key_file, &config.passphrase) {
            (Some(path), _) => Some(RootInput::KeyFile(path.clone())),
            (None, Some(pass)) => Some(RootInput::Passphrase(pass.clone())),
            (None, None) => None,
        };
        match input {
            None => {
                tracing::info!("vault sealed: neither vault.key_file nor vault.passphrase is set")
            }
            Some(input) => match service.unseal(input).await {
                Ok(Unsealed::Opened) => tracing::info!("vault unsealed"),
                Ok(Unsealed::Initialized) => {
                    tracing::info!("vault keyring created; vault unsealed")
                }
                Err(e) => {
                    tracing::error!(error = %e, "vault stays sealed: unsealing from the configuration failed")
                }
            },
        }
        service
    }

    pub fn configured_key_file(&self) -> Option<&Path> {
        self.key_file.as_deref()
    }

    pub async fn is_sealed(&self) -> bool {
        self.vault.read().await.is_sealed()
    }

    /// 503 `vault_sealed` unless unsealed.
    pub async fn require_unsealed(&self) -> Result<(), AppError> {
        if self.is_sealed().await {
            return Err(sealed_error());
        }
        Ok(())
    }

    /// Opens the stored keyring with the given root key, or creates the keyring if there is
    /// none. Refused when already unsealed.
    pub async fn unseal(&self, input: RootInput) -> Result<Unsealed, AppError> {
        if !self.is_sealed().await {
            return Err(unseal_error(VaultError::AlreadyUnsealed));
        }
        let (vault, outcome) = match self.store.load_keyring().await? {
            Some(record) => (
                self.open_keyring(input, parse_state(&record)?).await?,
                Unsealed::Opened,
            ),
            None => {
                let (vault, state) = match input {
                    RootInput::Passphrase(pass) => {
                        blocking(move || {
                            Vault::init_with_passphrase(
                                pass.expose_secret(),
                                KeyringParams::default(),
                            )
                        })
                        .await?
                    }
                    RootInput::KeyFile(path) => {
                        blocking(move || Vault::init_with_key_file(&path)).await?
                    }
                };
                if self
                    .store
                    .init_keyring(&record_of(&state)?, Utc::now())
                    .await?
                {
                    (vault, Unsealed::Initialized)
                } else {
                    // Another node initialised first with its own KEK: ours opens nothing.
                    return Err(AppError::client(
                        ErrorCode::Conflict,
                        "another node initialised the vault at the same moment; unseal again",
                    ));
                }
            }
        };
        let mut current = self.vault.write().await;
        if !current.is_sealed() {
            return Err(unseal_error(VaultError::AlreadyUnsealed));
        }
        *current = vault;
        Ok(outcome)
    }

    async fn open_keyring(&self, input: RootInput, state: KeyringState) -> Result<Vault, AppError> {
        blocking(move || {
            let mut vault = Vault::new();
            match input {
                RootInput::Passphrase(pass) => {
                    vault.unseal_with_passphrase(pass.expose_secret(), &state)?
                }
                RootInput::KeyFile(path) => vault.unseal_with_key_file(&path, &state)?,
            }
            Ok(vault)
        })
        .await
    }

    /// Drops every key this node holds.
    pub async fn seal_vault(&self) {
        self.vault.write().await.seal();
    }

    pub async fn status(&self) -> Result<VaultStatus, AppError> {
        let sealed = self.is_sealed().await;
        let Some(record) = self.store.load_keyring().await? else {
            return Ok(VaultStatus {
                sealed,
                initialized: false,
                unseal_with: None,
                kek_version: None,
                kek_versions: vec![],
                secrets: self.store.vault_counts(0).await?.0,
                versions_on_old_keks: 0,
            });
        };
        let state = parse_state(&record)?;
        let (secrets, stale) = self.store.vault_counts(record.kek_version).await?;
        Ok(VaultStatus {
            sealed,
            initialized: true,
            unseal_with: Some(match state.root {
                RootKeySource::Passphrase { .. } => "passphrase".to_owned(),
                RootKeySource::KeyFile => "key_file".to_owned(),
            }),
            kek_version: Some(record.kek_version),
            kek_versions: state.kek_versions.iter().map(|w| w.version.0).collect(),
            secrets,
            versions_on_old_keks: stale,
        })
    }

    /// Takes the stored keyring if another node rotated since this one unsealed.
    async fn sync_keyring(&self) -> Result<(), AppError> {
        let current = self
            .vault
            .read()
            .await
            .current_kek_version()
            .map_err(vault_error)?;
        let Some(record) = self.store.load_keyring().await? else {
            return Ok(());
        };
        if record.kek_version > current.0 {
            let state = parse_state(&record)?;
            self.vault
                .write()
                .await
                .refresh(&state)
                .map_err(vault_error)?;
            tracing::info!(
                kek_version = record.kek_version,
                "vault keyring refreshed from the database"
            );
        }
        Ok(())
    }

    /// Seals a payload for (owner, id, version) under the current KEK; returns the stored
    /// form and its KEK version.
    pub async fn encrypt(
        &self,
        aad: &SecretAad,
        payload: &SecretPayload,
    ) -> Result<(Vec<u8>, u32), AppError> {
        self.sync_keyring().await?;
        let sealed = self
            .vault
            .read()
            .await
            .seal_payload(aad, payload)
            .map_err(vault_error)?;
        Ok((sealed.to_bytes(), sealed.kek_version.0))
    }

    /// Opens a stored version. A KEK this node does not know yet (another node rotated)
    /// makes it refresh the keyring and try once more.
    pub async fn decrypt(&self, aad: &SecretAad, stored: &[u8]) -> Result<SecretPayload, AppError> {
        let sealed = SealedSecret::from_bytes(stored).map_err(vault_error)?;
        let first = self.vault.read().await.open_payload(&sealed, aad);
        match first {
            Err(VaultError::UnknownKek(_)) => {
                self.sync_keyring().await?;
                self.vault
                    .read()
                    .await
                    .open_payload(&sealed, aad)
                    .map_err(vault_error)
            }
            other => other.map_err(vault_error),
        }
    }

    /// A new KEK version, persisted, then every stored data key rewrapped under it in
    /// batches. Data ciphertexts are untouched; a version that fails to rewrap still opens
    /// under its old KEK and is counted in `failed`.
    pub async fn rotate(&self) -> Result<RotateReport, AppError> {
        let _one_at_a_time = self.rotating.try_lock().map_err(|_| {
            AppError::client(
                ErrorCode::Conflict,
                "a rotation is already running on this node",
            )
        })?;
        let started = Instant::now();
        self.sync_keyring().await?;
        let target = self.new_kek_version().await?;
        let (mut rewrapped, mut failed) = (0u64, 0u64);
        let mut after = None;
        loop {
            let batch = self
                .store
                .versions_to_rewrap(target, after, self.rotate_batch)
                .await?;
            let Some(last) = batch.last() else { break };
            after = Some((last.secret_id, last.version));
            let mut updates = Vec::with_capacity(batch.len());
            {
                let vault = self.vault.read().await;
                for row in &batch {
                    let aad = binding(row.owner, row.secret_id, row.version);
                    let result = SealedSecret::from_bytes(&row.sealed)
                        .and_then(|old| Ok((vault.rewrap(&old, &aad)?, old.kek_version.0)));
                    match result {
                        Ok((new, from_kek)) => updates.push(Rewrapped {
                            secret_id: row.secret_id,
                            version: row.version,
                            from_kek,
                            to_kek: new.kek_version.0,
                            sealed: new.to_bytes(),
                        }),
                        Err(VaultError::Sealed) => return Err(sealed_error()),
                        Err(e) => {
                            failed += 1;
                            tracing::error!(secret = %row.secret_id, version = row.version, error = %e,
                                "could not rewrap a secret version; it stays under its old KEK");
                        }
                    }
                }
            }
            rewrapped += self.store.store_rewrapped(&updates).await?;
        }
        let took_ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            kek_version = target,
            rewrapped,
            failed,
            took_ms,
            "vault KEK rotated"
        );
        Ok(RotateReport {
            kek_version: target,
            rewrapped,
            failed,
            took_ms,
        })
    }

    /// Adds a KEK version and stores the keyring before anything is sealed under it. If
    /// another node rotated meanwhile, its keyring wins and this node's new KEK is dropped.
    async fn new_kek_version(&self) -> Result<u32, AppError> {
        let mut vault = self.vault.write().await;
        let previous = vault.current_kek_version().map_err(vault_error)?.0;
        let (version, state) = vault.rotate_kek().map_err(vault_error)?;
        let stored = self
            .store
            .replace_keyring(&record_of(&state)?, previous, Utc::now())
            .await;
        if matches!(stored, Ok(true)) {
            return Ok(version.0);
        }
        // Not stored: go back to what the database holds, so nothing is sealed under a KEK
        // that would be gone after a restart.
        let record = self
            .store
            .load_keyring()
            .await?
            .context("the vault keyring disappeared")?;
        vault.refresh(&parse_state(&record)?).map_err(vault_error)?;
        stored?;
        Err(AppError::client(
            ErrorCode::Conflict,
            "another node rotated the vault key at the same moment; this node now uses its key",
        ))
    }
}
