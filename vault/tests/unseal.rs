//! Init, unseal with passphrase or key file, wrong credentials, sealed refusals.

mod common;

use common::{PASS, fast_vault, new_key_file, write_key_file};
use hangar_vault::{
    KekVersion, KeyringParams, KeyringState, SecretAad, SecretPayload, Vault, VaultError,
};

fn aad() -> SecretAad {
    SecretAad::new("alice", "secret-1", 1)
}

#[test]
fn passphrase_unseal_reopens_secrets_from_persisted_json() {
    let (vault, state) = fast_vault();
    let sealed = vault.seal_secret(&aad(), b"pw").unwrap();
    let stored = serde_json::to_string(&state).unwrap();
    drop(vault);

    let state: KeyringState = serde_json::from_str(&stored).unwrap();
    let mut vault = Vault::new();
    assert!(vault.is_sealed());
    vault.unseal_with_passphrase(PASS, &state).unwrap();
    assert!(!vault.is_sealed());
    assert_eq!(
        vault.open_secret(&sealed, &aad()).unwrap().as_slice(),
        b"pw"
    );
}

#[test]
fn wrong_passphrase_fails_to_unseal_and_stays_sealed() {
    let (_, state) = fast_vault();
    let mut vault = Vault::new();
    for wrong in [
        "correct horse battery stapl",
        "Correct horse battery staple",
        "",
    ] {
        let err = vault.unseal_with_passphrase(wrong, &state).unwrap_err();
        assert!(matches!(err, VaultError::WrongRootKey), "{err}");
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
        assert!(vault.is_sealed());
    }
    vault.unseal_with_passphrase(PASS, &state).unwrap();
}

#[test]
fn tampered_state_is_refused() {
    let (_, state) = fast_vault();
    let mut bad = state.clone();
    bad.verifier.ciphertext[0] ^= 1;
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &bad),
        Err(VaultError::WrongRootKey)
    ));
    let mut bad = state.clone();
    if let hangar_vault::RootKeySource::Passphrase { salt, .. } = &mut bad.root {
        salt[0] ^= 1;
    }
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &bad),
        Err(VaultError::WrongRootKey)
    ));
    let mut bad = state.clone();
    bad.kek_versions[0].wrapped_key[3] ^= 1;
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &bad),
        Err(VaultError::CorruptKeyring(_))
    ));
    let mut bad = state.clone();
    bad.kek_versions[0].version = KekVersion(2);
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &bad),
        Err(VaultError::CorruptKeyring(_))
    ));
    let mut bad = state.clone();
    bad.format = 9;
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &bad),
        Err(VaultError::UnsupportedFormat(9))
    ));
}

#[test]
fn params_above_the_caps_in_a_stored_state_are_refused() {
    let (_, mut state) = fast_vault();
    if let hangar_vault::RootKeySource::Passphrase { params, .. } = &mut state.root {
        params.memory_kib = u32::MAX;
    }
    assert!(matches!(
        Vault::new().unseal_with_passphrase(PASS, &state),
        Err(VaultError::WeakKdfParams(_))
    ));
}

#[test]
fn default_params_are_rfc9106_and_unseal_with_them() {
    let params = KeyringParams::default();
    assert_eq!(
        (params.memory_kib, params.iterations, params.parallelism),
        (65536, 3, 4)
    );
    let (vault, state) = Vault::init_with_passphrase(PASS, params).unwrap();
    let json = serde_json::to_value(&state).unwrap();
    assert_eq!(json["root"]["kind"], "passphrase");
    assert_eq!(json["root"]["params"]["memory_kib"], 65536);
    let sealed = vault.seal_secret(&aad(), b"pw").unwrap();
    let mut again = Vault::new();
    again.unseal_with_passphrase(PASS, &state).unwrap();
    assert_eq!(
        again.open_secret(&sealed, &aad()).unwrap().as_slice(),
        b"pw"
    );
}

#[test]
fn key_file_init_and_unseal_raw_and_base64() {
    let dir = tempfile::tempdir().unwrap();
    let b64 = new_key_file(dir.path(), "root.key");
    let raw = write_key_file(dir.path(), "raw.key", &[7u8; 32], 0o600);
    for path in [b64, raw] {
        let (vault, state) = Vault::init_with_key_file(&path).unwrap();
        let sealed = vault.seal_secret(&aad(), b"pw").unwrap();
        let mut again = Vault::new();
        again.unseal_with_key_file(&path, &state).unwrap();
        assert_eq!(
            again.open_secret(&sealed, &aad()).unwrap().as_slice(),
            b"pw"
        );
    }
}

#[test]
fn wrong_key_file_fails_to_unseal() {
    let dir = tempfile::tempdir().unwrap();
    let right = new_key_file(dir.path(), "right.key");
    let wrong = new_key_file(dir.path(), "wrong.key");
    let (_, state) = Vault::init_with_key_file(&right).unwrap();
    let mut vault = Vault::new();
    let err = vault.unseal_with_key_file(&wrong, &state).unwrap_err();
    assert!(matches!(err, VaultError::WrongRootKey), "{err}");
    assert!(vault.is_sealed());
    // Passphrase for a key-file keyring, and the other way round.
    let err = vault.unseal_with_passphrase(PASS, &state).unwrap_err();
    assert!(matches!(err, VaultError::WrongUnsealMethod { .. }), "{err}");
    let (_, pass_state) = fast_vault();
    let err = vault.unseal_with_key_file(&right, &pass_state).unwrap_err();
    assert!(matches!(err, VaultError::WrongUnsealMethod { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn key_file_readable_by_group_or_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = new_key_file(dir.path(), "root.key");
    let (_, state) = Vault::init_with_key_file(&good).unwrap();
    let contents = std::fs::read(&good).unwrap();
    for mode in [0o644, 0o640, 0o604, 0o660, 0o602, 0o620] {
        let path = write_key_file(dir.path(), &format!("k{mode:o}"), &contents, mode);
        let err = Vault::new()
            .unseal_with_key_file(&path, &state)
            .unwrap_err();
        assert!(
            matches!(err, VaultError::KeyFilePermissions { .. }),
            "{mode:o}: {err}"
        );
        assert!(err.to_string().contains("chmod 600"), "{err}");
        assert!(Vault::init_with_key_file(&path).is_err());
    }
    for mode in [0o600, 0o400] {
        let path = write_key_file(dir.path(), &format!("ok{mode:o}"), &contents, mode);
        Vault::new().unseal_with_key_file(&path, &state).unwrap();
    }
}

#[test]
fn malformed_or_missing_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in [
        ("short", &[1u8; 31][..]),
        ("long", &[1u8; 33][..]),
        ("b64short", b"AAAA\n"),
        ("empty", b""),
    ] {
        let path = write_key_file(dir.path(), name, contents, 0o600);
        let err = Vault::init_with_key_file(&path).unwrap_err();
        assert!(
            matches!(err, VaultError::KeyFileFormat { .. }),
            "{name}: {err}"
        );
    }
    let err = Vault::init_with_key_file(&dir.path().join("absent")).unwrap_err();
    assert!(matches!(err, VaultError::KeyFileIo { .. }), "{err}");
}

#[test]
fn sealed_vault_refuses_every_secret_operation() {
    let (mut vault, _) = fast_vault();
    let sealed = vault.seal_secret(&aad(), b"pw").unwrap();
    let payload = SecretPayload::new("u", "p");
    vault.seal();
    assert!(vault.is_sealed());

    let errors = [
        vault.seal_secret(&aad(), b"pw").map(|_| ()).unwrap_err(),
        vault.open_secret(&sealed, &aad()).map(|_| ()).unwrap_err(),
        vault
            .seal_payload(&aad(), &payload)
            .map(|_| ())
            .unwrap_err(),
        vault.open_payload(&sealed, &aad()).map(|_| ()).unwrap_err(),
        vault.rewrap(&sealed, &aad()).map(|_| ()).unwrap_err(),
        vault.keyring().map(|_| ()).unwrap_err(),
        vault.state().map(|_| ()).unwrap_err(),
        vault.current_kek_version().map(|_| ()).unwrap_err(),
        vault.rotate_kek().map(|_| ()).unwrap_err(),
        vault.retire_kek(KekVersion(1), 0).map(|_| ()).unwrap_err(),
    ];
    for err in errors {
        assert!(matches!(err, VaultError::Sealed), "{err}");
        assert!(err.to_string().starts_with("vault is sealed"), "{err}");
    }
    let aad = aad();
    let batch = vault
        .rewrap_all([(&aad, &sealed), (&aad, &sealed)])
        .unwrap_err();
    assert_eq!(batch.output, vec![sealed.clone(), sealed.clone()]);
    assert_eq!(batch.failures.len(), 2);
    assert!(
        batch
            .failures
            .iter()
            .all(|f| matches!(f.error, VaultError::Sealed))
    );
    assert!(Vault::new().seal_secret(&aad, b"x").is_err());
}
