//! Shared helpers for the integration tests. Cheap Argon2id parameters come from the
//! `insecure-test-kdf` feature, which only this crate's dev-dependency on itself enables.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hangar_vault::{KeyringParams, KeyringState, Vault, generate_key_file_contents};

pub const PASS: &str = "correct horse battery staple";

pub fn fast_vault() -> (Vault, KeyringState) {
    Vault::init_with_passphrase(PASS, KeyringParams::insecure_for_tests()).unwrap()
}

/// Writes `contents` to `dir/name` with the given unix mode.
pub fn write_key_file(dir: &Path, name: &str, contents: &[u8], mode: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path
}

pub fn new_key_file(dir: &Path, name: &str) -> PathBuf {
    write_key_file(dir, name, generate_key_file_contents().as_bytes(), 0o600)
}
