//! `hangar vault status|rotate|init-key-file`: the vault's keys from the command line,
//! straight on the database like `hangar migrate`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::json;

use crate::audit::{AuditEvent, AuditLog, AuditOutcome};
use crate::config::Config;
use crate::secrets::VaultService;
use crate::store;

#[derive(Debug, Subcommand)]
pub enum VaultAction {
    /// Whether a keyring exists, its KEK versions, and how many secrets it protects.
    Status,
    /// Add a KEK version and rewrap every stored data key under it (unseals from the
    /// configured key file or HANGAR_VAULT__PASSPHRASE).
    Rotate,
    /// Write a new random key file (mode 0600) for unattended unseal; refuses to overwrite.
    InitKeyFile { path: std::path::PathBuf },
}

pub async fn run(config: &Config, action: VaultAction) -> anyhow::Result<()> {
    match action {
        VaultAction::InitKeyFile { path } => {
            write_key_file(&path)?;
            println!(
                "key file written to {}; set vault.key_file (HANGAR_VAULT__KEY_FILE) to it and keep a copy offline: without it the vault's secrets are lost",
                path.display()
            );
            Ok(())
        }
        VaultAction::Status => {
            let store = store::connect(&config.database_url(), &config.database).await?;
            store.migrate().await.context("applying migrations")?;
            let status = VaultService::new(Arc::clone(&store), &config.vault)
                .status()
                .await;
            store.close().await;
            let status = status.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("initialized: {}", status.initialized);
            if let Some(with) = &status.unseal_with {
                println!("unseals with: {with}");
            }
            if let Some(v) = status.kek_version {
                println!(
                    "current KEK version: {v} (active: {:?})",
                    status.kek_versions
                );
            }
            println!("secrets: {}", status.secrets);
            println!("versions on older KEKs: {}", status.versions_on_old_keks);
            Ok(())
        }
        VaultAction::Rotate => {
            let store = store::connect(&config.database_url(), &config.database).await?;
            store.migrate().await.context("applying migrations")?;
            let vault = VaultService::start(Arc::clone(&store), &config.vault).await;
            if vault.is_sealed().await {
                store.close().await;
                bail!(
                    "the vault did not unseal: set vault.key_file or HANGAR_VAULT__PASSPHRASE (see the log above)"
                );
            }
            let rotated = vault.rotate().await;
            let audit = AuditLog::new(Arc::clone(&store));
            let (outcome, detail) = match &rotated {
                Ok(r) if r.failed == 0 => (AuditOutcome::Ok, serde_json::to_value(r)?),
                Ok(r) => (AuditOutcome::Failed, serde_json::to_value(r)?),
                Err(_) => (AuditOutcome::Failed, json!({})),
            };
            let event = AuditEvent {
                action: "vault.rotate",
                target: "vault".into(),
                outcome,
                detail: json!({ "via": "cli", "report": detail }),
            };
            let audited = audit.record(None, event).await;
            vault.seal_vault().await;
            store.close().await;
            let report = rotated.map_err(|e| anyhow::anyhow!("{e}"))?;
            audited.map_err(|e| anyhow::anyhow!("recording the rotation in the audit log: {e}"))?;
            println!(
                "rotated to KEK version {}: {} rewrapped, {} failed, {} ms",
                report.kek_version, report.rewrapped, report.failed, report.took_ms
            );
            if report.failed > 0 {
                bail!(
                    "{} secret versions were not rewrapped; they still open under their old KEK",
                    report.failed
                );
            }
            Ok(())
        }
    }
}

/// Creates a key file that only its owner can read; fails if the path exists.
pub fn write_key_file(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating key file {}", path.display()))?;
    let contents = hangar_vault::generate_key_file_contents();
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing key file {}", path.display()))
}

/// The demo's vault key: a key file in its data directory, made on first run.
pub fn demo_key_file(data_dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let path = data_dir.join("vault.key");
    if !path.exists() {
        write_key_file(&path)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_private_opens_a_vault_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = demo_key_file(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let before = std::fs::read(&path).unwrap();
        assert!(write_key_file(&path).is_err());
        assert_eq!(demo_key_file(dir.path()).unwrap(), path);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        hangar_vault::Vault::init_with_key_file(&path).expect("the key file opens a vault");
    }
}
