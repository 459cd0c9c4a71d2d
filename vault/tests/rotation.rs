//! KEK rotation, rewrap (single and batch), retirement.

mod common;

use common::{PASS, fast_vault};
use hangar_vault::{KekVersion, SealedSecret, SecretAad, Vault, VaultError};

fn corpus(vault: &Vault, n: usize) -> Vec<(SecretAad, Vec<u8>, SealedSecret)> {
    (0..n)
        .map(|i| {
            let aad = SecretAad::new(
                format!("user{}", i % 37),
                format!("secret-{i}"),
                1 + (i % 5) as u32,
            );
            let plaintext = format!("password number {i} for robot {}", i * 7919).into_bytes();
            let sealed = vault.seal_secret(&aad, &plaintext).unwrap();
            (aad, plaintext, sealed)
        })
        .collect()
}

#[test]
fn rotate_then_rewrap_1000_secrets() {
    let (mut vault, _) = fast_vault();
    let items = corpus(&vault, 1000);
    let (v2, state) = vault.rotate_kek().unwrap();
    assert_eq!(v2, KekVersion(2));
    assert_eq!(vault.current_kek_version().unwrap(), v2);
    assert_eq!(state.kek_versions.len(), 2);

    // Old KEK still opens everything before it is rewrapped.
    for (aad, plaintext, sealed) in &items {
        assert_eq!(sealed.kek_version, KekVersion(1));
        assert_eq!(
            vault.open_secret(sealed, aad).unwrap().as_slice(),
            plaintext.as_slice()
        );
    }

    let rewrapped = vault
        .rewrap_all(items.iter().map(|(aad, _, sealed)| (aad, sealed)))
        .unwrap();
    assert_eq!(rewrapped.len(), 1000);
    for ((aad, plaintext, old), new) in items.iter().zip(&rewrapped) {
        assert_eq!(new.kek_version, v2);
        assert_eq!(
            new.ciphertext, old.ciphertext,
            "data ciphertext must be untouched"
        );
        assert_eq!(new.nonce, old.nonce);
        assert_ne!(new.wrapped_key, old.wrapped_key);
        assert_ne!(new.wrap_nonce, old.wrap_nonce);
        assert_eq!(
            vault.open_secret(new, aad).unwrap().as_slice(),
            plaintext.as_slice()
        );
    }

    // A fresh unseal from the persisted state opens both generations.
    let mut again = Vault::new();
    again.unseal_with_passphrase(PASS, &state).unwrap();
    let (aad, plaintext, old) = &items[10];
    assert_eq!(
        again.open_secret(old, aad).unwrap().as_slice(),
        plaintext.as_slice()
    );
    assert_eq!(
        again.open_secret(&rewrapped[10], aad).unwrap().as_slice(),
        plaintext.as_slice()
    );
    assert_eq!(again.current_kek_version().unwrap(), v2);
}

#[test]
fn new_secrets_use_the_new_kek_and_rewrap_of_current_is_a_no_op() {
    let (mut vault, _) = fast_vault();
    vault.rotate_kek().unwrap();
    let aad = SecretAad::new("a", "b", 1);
    let s = vault.seal_secret(&aad, b"pw").unwrap();
    assert_eq!(s.kek_version, KekVersion(2));
    assert_eq!(vault.rewrap(&s, &aad).unwrap(), s);
}

#[test]
fn rewrap_checks_the_binding() {
    let (mut vault, _) = fast_vault();
    let aad = SecretAad::new("alice", "s", 1);
    let s = vault.seal_secret(&aad, b"pw").unwrap();
    vault.rotate_kek().unwrap();
    let err = vault
        .rewrap(&s, &SecretAad::new("bob", "s", 1))
        .unwrap_err();
    assert!(matches!(err, VaultError::Decrypt), "{err}");
}

#[test]
fn rewrap_all_loses_nothing_when_some_items_fail() {
    let (mut vault, _) = fast_vault();
    let mut items = corpus(&vault, 50);
    vault.rotate_kek().unwrap();
    items[7].2.wrapped_key[0] ^= 1; // damaged row
    items[31].0 = SecretAad::new("intruder", "secret-31", 1); // wrong binding
    let err = vault
        .rewrap_all(items.iter().map(|(aad, _, sealed)| (aad, sealed)))
        .unwrap_err();
    let failed: Vec<usize> = err.failures.iter().map(|f| f.index).collect();
    assert_eq!(failed, vec![7, 31]);
    assert!(
        err.to_string().contains("2 of 50") && err.to_string().contains("item 7"),
        "{err}"
    );
    assert_eq!(err.output.len(), 50);
    for (i, ((aad, plaintext, original), out)) in items.iter().zip(&err.output).enumerate() {
        if failed.contains(&i) {
            assert_eq!(out, original, "failed item {i} kept as it was");
        } else {
            assert_eq!(out.kek_version, KekVersion(2));
            assert_eq!(
                vault.open_secret(out, aad).unwrap().as_slice(),
                plaintext.as_slice()
            );
        }
    }
}

#[test]
fn retire_refuses_current_and_in_use_then_old_secrets_fail_clearly() {
    let (mut vault, _) = fast_vault();
    let aad = SecretAad::new("alice", "s", 1);
    let old = vault.seal_secret(&aad, b"pw").unwrap();
    let err = vault.retire_kek(KekVersion(1), 0).unwrap_err();
    assert!(
        matches!(err, VaultError::RetireCurrentKek(KekVersion(1))),
        "{err}"
    );

    vault.rotate_kek().unwrap();
    let err = vault.retire_kek(KekVersion(1), 1).unwrap_err();
    assert!(
        matches!(err, VaultError::KekInUse { count: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("rewrap"), "{err}");
    assert!(
        vault.open_secret(&old, &aad).is_ok(),
        "refused retire changes nothing"
    );

    let rewrapped = vault.rewrap(&old, &aad).unwrap();
    let state = vault.retire_kek(KekVersion(1), 0).unwrap();
    assert_eq!(state.retired, vec![KekVersion(1)]);
    assert_eq!(state.kek_versions.len(), 1);
    let err = vault.open_secret(&old, &aad).unwrap_err();
    assert!(
        matches!(err, VaultError::KekRetired(KekVersion(1))),
        "{err}"
    );
    assert!(err.to_string().contains("retired"), "{err}");
    assert_eq!(
        vault.open_secret(&rewrapped, &aad).unwrap().as_slice(),
        b"pw"
    );
    assert!(matches!(
        vault.retire_kek(KekVersion(1), 0),
        Err(VaultError::KekRetired(_))
    ));
    assert!(matches!(
        vault.retire_kek(KekVersion(5), 0),
        Err(VaultError::UnknownKek(_))
    ));

    // The retirement survives a restart, and versions are never reused.
    let mut again = Vault::new();
    again.unseal_with_passphrase(PASS, &state).unwrap();
    assert!(matches!(
        again.open_secret(&old, &aad),
        Err(VaultError::KekRetired(_))
    ));
    assert_eq!(again.rotate_kek().unwrap().0, KekVersion(3));
}
