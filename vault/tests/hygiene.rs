//! Nothing prints key bytes; types are safe to share across the server's threads.

mod common;

use common::fast_vault;
use hangar_vault::{DataKey, Kek, KekVersion, SecretAad, SecretPayload, Vault};

/// True if `text` holds something that looks like a dumped byte array (16+ numbers in a row).
fn looks_like_bytes(text: &str) -> bool {
    text.split('[').skip(1).any(|chunk| {
        let inner = chunk.split(']').next().unwrap_or("");
        inner
            .split(',')
            .filter(|n| n.trim().parse::<u8>().is_ok())
            .count()
            >= 16
    })
}

#[test]
fn debug_of_keys_prints_no_bytes() {
    for text in [
        format!("{:?}", Kek::generate(KekVersion(3))),
        format!("{:#?}", Kek::generate(KekVersion(3))),
        format!("{:?}", DataKey::generate()),
    ] {
        assert!(text.contains("redacted"), "{text}");
        assert!(!looks_like_bytes(&text), "{text}");
        assert!(text.len() < 80, "{text}");
    }
    assert!(
        looks_like_bytes(&format!("{:?}", [7u8; 32])),
        "the detector works"
    );
}

#[test]
fn debug_of_vault_prints_no_key_material() {
    let (mut vault, state) = fast_vault();
    vault.rotate_kek().unwrap();
    let text = format!("{vault:?} {vault:#?} {:?}", vault.keyring().unwrap());
    assert!(!looks_like_bytes(&text), "{text}");
    assert!(text.contains("sealed: false"), "{text}");
    // No base64 of anything key-sized either: only short tokens.
    assert!(
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '/')
            .all(|t| t.len() < 40),
        "{text}"
    );
    vault.seal();
    assert_eq!(format!("{vault:?}"), "Vault { sealed: true }");
    // The persisted state prints only wrapped (encrypted) keys, which is its purpose.
    assert!(format!("{state:?}").contains("wrapped_key"));
}

#[test]
fn debug_of_sealed_secret_and_payload_hides_contents() {
    let (vault, _) = fast_vault();
    let payload = SecretPayload::new("svc_bot", "hunter2-very-secret").with_notes("pin 4321");
    let sealed = vault
        .seal_payload(&SecretAad::new("a", "b", 1), &payload)
        .unwrap();
    let text = format!("{payload:?} {sealed:?}");
    assert!(
        !text.contains("hunter2") && !text.contains("4321"),
        "{text}"
    );
    assert!(!looks_like_bytes(&text), "{text}");
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Vault>();
    check::<Kek>();
    check::<DataKey>();
    check::<hangar_vault::Keyring>();
    check::<hangar_vault::KeyringState>();
    check::<hangar_vault::SealedSecret>();
    check::<hangar_vault::VaultError>();
    check::<std::sync::RwLock<Vault>>();
}
