//! Prints the vault's cost figures. Run in release:
//! `cargo run -p hangar-vault --release --bin vault-bench [-- N]` (N secrets, default 100000).

use std::time::{Duration, Instant};

use hangar_vault::{KeyringParams, SealedSecret, SecretAad, Vault};

const PASSPHRASE: &str = "bench passphrase, long enough";

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let params = KeyringParams::default();
    println!(
        "hangar-vault bench: Argon2id m={} KiB t={} p={}, {} secrets of 200 bytes",
        params.memory_kib, params.iterations, params.parallelism, count
    );

    // (a) Argon2id unseal with the default parameters.
    let started = Instant::now();
    let (vault, state) = Vault::init_with_passphrase(PASSPHRASE, params).expect("init");
    let init_time = started.elapsed();
    let mut unseal_times = Vec::new();
    for _ in 0..3 {
        let mut v = Vault::new();
        let started = Instant::now();
        v.unseal_with_passphrase(PASSPHRASE, &state)
            .expect("unseal");
        unseal_times.push(started.elapsed());
    }
    unseal_times.sort();
    println!(
        "(a) init {:.0} ms; unseal min {:.0} ms, median {:.0} ms, max {:.0} ms (3 runs)",
        init_time.as_secs_f64() * 1e3,
        unseal_times[0].as_secs_f64() * 1e3,
        unseal_times[1].as_secs_f64() * 1e3,
        unseal_times[2].as_secs_f64() * 1e3
    );
    drop(vault);
    let mut vault = Vault::new();
    vault
        .unseal_with_passphrase(PASSPHRASE, &state)
        .expect("unseal");

    // (b) seal and open throughput, 200-byte payload.
    let aads: Vec<SecretAad> = (0..count)
        .map(|i| SecretAad::new(format!("user{}", i % 500), format!("{i:08x}-secret"), 1))
        .collect();
    let plaintext_of = |i: usize| {
        let mut p = [b'x'; 200];
        p[..8].copy_from_slice(&(i as u64).to_be_bytes());
        p
    };
    let started = Instant::now();
    let sealed: Vec<SealedSecret> = aads
        .iter()
        .enumerate()
        .map(|(i, aad)| vault.seal_secret(aad, &plaintext_of(i)).expect("seal"))
        .collect();
    let seal_time = started.elapsed();
    let started = Instant::now();
    for (i, (aad, s)) in aads.iter().zip(&sealed).enumerate() {
        let opened = vault.open_secret(s, aad).expect("open");
        assert_eq!(opened.as_slice(), plaintext_of(i));
    }
    let open_time = started.elapsed();
    println!(
        "(b) seal {:.0} secrets/s ({:.2} s for {count}); open {:.0} secrets/s ({:.2} s)",
        per_second(count, seal_time),
        seal_time.as_secs_f64(),
        per_second(count, open_time),
        open_time.as_secs_f64()
    );

    // (c) rotate the KEK and rewrap every secret, then check every one opens.
    let started = Instant::now();
    let (new_version, _new_state) = vault.rotate_kek().expect("rotate");
    let rewrapped = vault
        .rewrap_all(aads.iter().zip(&sealed))
        .unwrap_or_else(|e| panic!("rewrap_all: {e}"));
    let rotate_time = started.elapsed();
    let started = Instant::now();
    let lost = aads
        .iter()
        .zip(&rewrapped)
        .enumerate()
        .filter(|(i, (aad, s))| {
            s.kek_version != new_version
                || vault
                    .open_secret(s, aad)
                    .map_or(true, |p| p.as_slice() != plaintext_of(*i))
        })
        .count();
    let verify_time = started.elapsed();
    println!(
        "(c) rotate to {new_version} + rewrap {count}: {:.2} s ({:.0} secrets/s); \
         verify all open: {:.2} s; lost: {lost} of {}",
        rotate_time.as_secs_f64(),
        per_second(count, rotate_time),
        verify_time.as_secs_f64(),
        rewrapped.len()
    );
    if lost > 0 || rewrapped.len() != count {
        std::process::exit(1);
    }
}
