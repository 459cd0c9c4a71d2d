//! KEK rotation through the store: N secrets in the database, `VaultService::rotate` (a new
//! KEK version, then every data key rewrapped in batched transactions), then every stored
//! version opened by a fresh node and compared with what was sealed. `vault-bench` (in
//! `vault/`) measures the same rewrap in memory; this adds the database round trips.
//!
//! `cargo run --release -p hangar-server --bin hangar-vault-bench -- [--secrets N] [--skip-pg]`

use std::error::Error;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use hangar_model::{SecretId, UserId};
use hangar_server::config::{DatabaseConfig, VaultConfig};
use hangar_server::secrets::VaultService;
use hangar_server::secrets::service::binding;
use hangar_server::store::secrets::KeyringRecord;
use hangar_server::store::{self, Store};
use hangar_vault::{SecretPayload, Vault};
use secrecy::SecretString;
use sqlx::Connection;

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const OWNERS: usize = 500;
const INSERT_BATCH: usize = 1_000;

fn opt(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn password_of(i: usize) -> String {
    format!("bench password {i:08} {}", "x".repeat(40))
}

fn owner_of(i: usize) -> UserId {
    UserId(uuid::Uuid::from_u128(
        0xb0b0_0000_0000_0000_0000_0000_0000_0000 | (i % OWNERS) as u128,
    ))
}

fn secret_of(i: usize) -> SecretId {
    SecretId(uuid::Uuid::from_u128(
        0x5ec0_0000_0000_0000_0000_0000_0000_0000 | i as u128,
    ))
}

/// Seals N secrets with a vault opened from `key_file`, stores the keyring and the rows.
async fn fill(store: &Arc<dyn Store>, url: &str, key_file: &Path, n: usize) -> BenchResult<()> {
    let (vault, state) = Vault::init_with_key_file(key_file)?;
    let record = KeyringRecord {
        state: serde_json::to_string(&state)?,
        kek_version: 1,
    };
    store.init_keyring(&record, Utc::now()).await?;
    let now = Utc::now();
    let rows: Vec<(uuid::Uuid, uuid::Uuid, Vec<u8>)> = (0..n)
        .map(|i| {
            let aad = binding(owner_of(i), secret_of(i), 1);
            let sealed = vault.seal_payload(&aad, &SecretPayload::new("svc", password_of(i)))?;
            Ok((secret_of(i).0, owner_of(i).0, sealed.to_bytes()))
        })
        .collect::<Result<_, hangar_vault::VaultError>>()?;
    macro_rules! insert {
        ($conn:expr, $db:ty) => {{
            for chunk in rows.chunks(INSERT_BATCH) {
                let mut tx = $conn.begin().await?;
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO secrets (id, owner_user_id, owner_name, name, system, url, tags, current_version, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, (id, owner, _)| {
                    b.push_bind(*id).push_bind(*owner).push_bind("bench").push_bind("secret")
                        .push_bind(None::<String>).push_bind(None::<String>)
                        .push_bind(sqlx::types::Json(Vec::<String>::new())).push_bind(1i32)
                        .push_bind(now).push_bind(now);
                });
                q.build().execute(&mut *tx).await?;
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO secret_versions (secret_id, version, kek_version, sealed, created_at, created_by) ",
                );
                q.push_values(chunk, |mut b, (id, _, sealed)| {
                    b.push_bind(*id).push_bind(1i32).push_bind(1i32).push_bind(sealed.clone())
                        .push_bind(now).push_bind("bench");
                });
                q.build().execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }};
    }
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        insert!(conn, sqlx::Sqlite);
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        insert!(conn, sqlx::Postgres);
    }
    Ok(())
}

/// Opens every stored version with a fresh vault and counts what is lost.
async fn verify(
    url: &str,
    key_file: &Path,
    store: &Arc<dyn Store>,
    kek: u32,
) -> BenchResult<(usize, usize)> {
    let record = store.load_keyring().await?.ok_or("no keyring")?;
    let mut vault = Vault::new();
    vault.unseal_with_key_file(key_file, &serde_json::from_str(&record.state)?)?;
    let sql = "SELECT secret_id, kek_version, sealed FROM secret_versions";
    let rows: Vec<(uuid::Uuid, i32, Vec<u8>)> = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query_as(sql).fetch_all(&mut conn).await?
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query_as(sql).fetch_all(&mut conn).await?
    };
    let lost = rows
        .iter()
        .filter(|(id, row_kek, sealed)| {
            let i = (id.as_u128() & 0xffff_ffff) as usize;
            let opened = hangar_vault::SealedSecret::from_bytes(sealed)
                .and_then(|s| vault.open_payload(&s, &binding(owner_of(i), SecretId(*id), 1)));
            *row_kek as u32 != kek || opened.map_or(true, |p| p.password != password_of(i))
        })
        .count();
    Ok((rows.len(), lost))
}

/// A fresh directory of its own under the system temp dir.
fn scratch(tag: &str) -> BenchResult<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("hangar-vault-bench-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn bench(engine: &str, url: &str, n: usize) -> BenchResult<bool> {
    let dir = scratch(engine)?;
    let key_file = dir.join("vault.key");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&key_file)?
            .write_all(hangar_vault::generate_key_file_contents().as_bytes())?;
    }
    let store = store::connect(
        &SecretString::from(url.to_owned()),
        &DatabaseConfig::default(),
    )
    .await?;
    store.migrate().await?;
    let started = Instant::now();
    fill(&store, url, &key_file, n).await?;
    println!(
        "{engine}: stored {n} sealed secrets in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let config = VaultConfig {
        key_file: Some(key_file.clone()),
        ..VaultConfig::default()
    };
    let service = VaultService::start(Arc::clone(&store), &config).await;
    let report = service.rotate().await.map_err(|e| e.to_string())?;
    let (checked, lost) = verify(url, &key_file, &store, report.kek_version).await?;
    println!(
        "{engine}: rotate to KEK {} + rewrap {} of {n} in batches of {}: {} ms ({:.0} secrets/s); failed {}; \
         verify by a fresh node: {checked} opened, lost {lost}",
        report.kek_version,
        report.rewrapped,
        config.rotate_batch,
        report.took_ms,
        report.rewrapped as f64 / (report.took_ms.max(1) as f64 / 1e3),
        report.failed,
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report.failed == 0 && lost == 0 && report.rewrapped as usize == n && checked == n)
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let n = opt("--secrets", 100_000);
    let mut ok = true;
    let dir = scratch("db")?;
    let sqlite = format!("sqlite://{}", dir.join("bench.db").display());
    let result = bench("sqlite", &sqlite, n).await;
    let _ = std::fs::remove_dir_all(&dir);
    ok &= result?;
    if !std::env::args().any(|a| a == "--skip-pg") {
        let name = format!("hangar_vault_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let result = bench("postgres", &url, n).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        ok &= result?;
    }
    if !ok {
        return Err("secrets were lost or not rewrapped".into());
    }
    Ok(())
}
