//! Envelope encryption: round trips, and every stored field or binding tampered with fails.

mod common;

use std::collections::HashSet;

use common::fast_vault;
use hangar_vault::{
    KekVersion, SealedSecret, SecretAad, SecretPayload, Vault, VaultError, open_secret,
};

fn aad() -> SecretAad {
    SecretAad::new("alice@corp", "6f1c2a9e-3b1d-4c55-9a0e-0d6f8b1e2c47", 3)
}

fn sealed(vault: &Vault) -> SealedSecret {
    vault
        .seal_secret(&aad(), b"robot password: Tr0ub4dor&3")
        .unwrap()
}

fn assert_decrypt_fails(vault: &Vault, sealed: &SealedSecret, aad: &SecretAad) {
    match vault.open_secret(sealed, aad) {
        Err(VaultError::Decrypt) => {}
        other => panic!("expected Decrypt, got {:?}", other.map(|p| p.len())),
    }
}

#[test]
fn round_trip_bytes_empty_and_large() {
    let (vault, _) = fast_vault();
    for plaintext in [Vec::new(), b"x".to_vec(), vec![0xA5; 1 << 20]] {
        let s = vault.seal_secret(&aad(), &plaintext).unwrap();
        assert_eq!(s.ciphertext.len(), plaintext.len() + 16);
        assert_eq!(vault.open_secret(&s, &aad()).unwrap().as_slice(), plaintext);
    }
}

#[test]
fn round_trip_payload_and_storage_forms() {
    let (vault, _) = fast_vault();
    let payload = SecretPayload::new("svc_sap", "Tr0ub4dor&3")
        .with_notes("expires in June")
        .with_system("https://sap.corp.example");
    let s = vault.seal_payload(&aad(), &payload).unwrap();
    let from_json: SealedSecret =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    let from_bytes = SealedSecret::from_bytes(&s.to_bytes()).unwrap();
    for stored in [s, from_json, from_bytes] {
        assert_eq!(vault.open_payload(&stored, &aad()).unwrap(), payload);
        // The whole payload is encrypted: no field shows in the stored forms.
        let json = serde_json::to_string(&stored).unwrap();
        assert!(!json.contains("svc_sap") && !json.contains("sap.corp"));
        let bytes = stored.to_bytes();
        assert!(!bytes.windows(7).any(|w| w == b"svc_sap"));
    }
}

#[test]
fn flipping_any_ciphertext_byte_fails() {
    let (vault, _) = fast_vault();
    let good = sealed(&vault);
    for i in 0..good.ciphertext.len() {
        let mut bad = good.clone();
        bad.ciphertext[i] ^= 0x01;
        assert_decrypt_fails(&vault, &bad, &aad());
    }
    let mut truncated = good.clone();
    truncated.ciphertext.pop();
    assert_decrypt_fails(&vault, &truncated, &aad());
}

#[test]
fn flipping_nonce_bytes_fails() {
    let (vault, _) = fast_vault();
    let good = sealed(&vault);
    for i in 0..good.nonce.len() {
        let mut bad = good.clone();
        bad.nonce[i] ^= 0x80;
        assert_decrypt_fails(&vault, &bad, &aad());
    }
}

#[test]
fn flipping_wrapped_key_or_wrap_nonce_fails() {
    let (vault, _) = fast_vault();
    let good = sealed(&vault);
    for i in 0..good.wrapped_key.len() {
        let mut bad = good.clone();
        bad.wrapped_key[i] ^= 0x01;
        assert_decrypt_fails(&vault, &bad, &aad());
    }
    for i in 0..good.wrap_nonce.len() {
        let mut bad = good.clone();
        bad.wrap_nonce[i] ^= 0x01;
        assert_decrypt_fails(&vault, &bad, &aad());
    }
    let mut short = good.clone();
    short.wrapped_key.pop();
    assert!(matches!(
        vault.open_secret(&short, &aad()),
        Err(VaultError::Malformed(_))
    ));
}

#[test]
fn other_owner_secret_id_or_version_fails() {
    let (vault, _) = fast_vault();
    let good = sealed(&vault);
    let a = aad();
    for wrong in [
        SecretAad::new("bob@corp", a.secret_id(), a.version()),
        SecretAad::new("alice@corp ", a.secret_id(), a.version()),
        SecretAad::new(
            a.owner(),
            "6f1c2a9e-3b1d-4c55-9a0e-0d6f8b1e2c48",
            a.version(),
        ),
        SecretAad::new(a.owner(), a.secret_id(), 2),
        SecretAad::new(a.owner(), a.secret_id(), 4),
    ] {
        assert_decrypt_fails(&vault, &good, &wrong);
    }
}

#[test]
fn swapping_parts_between_rows_fails() {
    let (vault, _) = fast_vault();
    let a1 = SecretAad::new("alice", "s1", 1);
    let a2 = SecretAad::new("alice", "s1", 2);
    let one = vault.seal_secret(&a1, b"version one").unwrap();
    let two = vault.seal_secret(&a2, b"version two").unwrap();
    // The wrapped DEK of version 1 moved onto version 2's row (and the other way).
    let mut mixed = two.clone();
    mixed.wrapped_key = one.wrapped_key.clone();
    mixed.wrap_nonce = one.wrap_nonce;
    assert_decrypt_fails(&vault, &mixed, &a2);
    assert_decrypt_fails(&vault, &mixed, &a1);
    // The data of version 1 with version 2's wrapped key.
    let mut mixed = two.clone();
    mixed.nonce = one.nonce;
    mixed.ciphertext = one.ciphertext.clone();
    assert_decrypt_fails(&vault, &mixed, &a2);
    assert_decrypt_fails(&vault, &one, &a2);
}

#[test]
fn changing_kek_version_fails() {
    let (mut vault, _) = fast_vault();
    let under_v1 = sealed(&vault);
    vault.rotate_kek().unwrap();
    let under_v2 = sealed(&vault);
    let mut bad = under_v1.clone();
    bad.kek_version = KekVersion(2);
    assert_decrypt_fails(&vault, &bad, &aad());
    let mut bad = under_v2.clone();
    bad.kek_version = KekVersion(1);
    assert_decrypt_fails(&vault, &bad, &aad());
    bad.kek_version = KekVersion(9);
    let err = vault.open_secret(&bad, &aad()).unwrap_err();
    assert!(
        matches!(err, VaultError::UnknownKek(KekVersion(9))),
        "{err}"
    );
    assert!(vault.open_secret(&under_v1, &aad()).is_ok());
    assert!(vault.open_secret(&under_v2, &aad()).is_ok());
}

#[test]
fn changing_format_byte_fails() {
    let (vault, _) = fast_vault();
    let mut bad = sealed(&vault);
    bad.format = 2;
    assert!(matches!(
        vault.open_secret(&bad, &aad()),
        Err(VaultError::UnsupportedFormat(2))
    ));
    let mut bytes = sealed(&vault).to_bytes();
    bytes[0] = 0;
    assert!(matches!(
        SealedSecret::from_bytes(&bytes),
        Err(VaultError::UnsupportedFormat(0))
    ));
}

#[test]
fn another_vaults_keys_open_nothing() {
    let (vault, _) = fast_vault();
    let (other, _) = fast_vault();
    let s = sealed(&vault);
    assert_decrypt_fails(&other, &s, &aad());
    assert!(open_secret(other.keyring().unwrap(), &s, &aad()).is_err());
}

#[test]
fn nonces_and_wrapped_keys_differ_across_10000_seals() {
    let (vault, _) = fast_vault();
    let a = aad();
    let mut nonces = HashSet::new();
    let mut wrap_nonces = HashSet::new();
    let mut wrapped_keys = HashSet::new();
    for _ in 0..10_000 {
        let s = vault.seal_secret(&a, b"same plaintext every time").unwrap();
        assert!(nonces.insert(s.nonce));
        assert!(wrap_nonces.insert(s.wrap_nonce));
        assert!(wrapped_keys.insert(s.wrapped_key));
    }
    // The two nonce spaces do not share values either (both are fresh random draws).
    assert!(nonces.is_disjoint(&wrap_nonces));
}
