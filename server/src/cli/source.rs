//! `hangar source …`: steer the collectors of a running Hangar through its API.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use hangar_model::{ApiError, SourceView};

#[derive(Debug, Subcommand)]
pub enum SourceAction {
    /// List sources with their collector health.
    List,
    /// Add a source from a JSON or TOML spec file (see docs/collectors.md).
    Add {
        /// The spec file; secrets in it are `{ env = "VARIABLE" }` references.
        file: PathBuf,
    },
    /// Stop polling a source until it is resumed.
    Pause { id: String },
    /// Resume polling a source.
    Resume { id: String },
    /// Remove a source and everything collected from it.
    Remove { id: String },
}

pub async fn run(
    server: &str,
    token: Option<secrecy::SecretString>,
    action: SourceAction,
) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        let mut value =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .context("the token is not a valid header value")?;
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .context("building the HTTP client")?;
    let base = server.trim_end_matches('/');
    let url = |path: &str| format!("{base}/api/v1/sources{path}");
    let response = match &action {
        SourceAction::List => http.get(url("")).send().await,
        SourceAction::Add { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let spec: serde_json::Value = if file.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text)
                    .with_context(|| format!("{} is not valid TOML", file.display()))?
            } else {
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not valid JSON", file.display()))?
            };
            http.post(url("")).json(&spec).send().await
        }
        SourceAction::Pause { id } => http.post(url(&format!("/{id}/pause"))).send().await,
        SourceAction::Resume { id } => http.post(url(&format!("/{id}/resume"))).send().await,
        SourceAction::Remove { id } => http.delete(url(&format!("/{id}"))).send().await,
    }
    .with_context(|| format!("cannot reach Hangar at {base} (set --server or HANGAR_SERVER)"))?;

    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => bail!("{} ({})", e.error.message, e.error.code.as_str()),
            Err(_) => bail!("HTTP {status} from {base}"),
        }
    }
    match action {
        SourceAction::List => {
            let sources: Vec<SourceView> = serde_json::from_slice(&body)?;
            print!("{}", table(&sources));
        }
        SourceAction::Remove { id } => println!("removed {id}"),
        _ => {
            let source: SourceView = serde_json::from_slice(&body)?;
            print!("{}", table(std::slice::from_ref(&source)));
        }
    }
    Ok(())
}

/// A plain table for terminals.
fn table(sources: &[SourceView]) -> String {
    let mut out = format!(
        "{:<24} {:<20} {:<14} {:<8} {:>6} {:>8}  {}\n",
        "ID", "VENDOR", "DEPARTMENT", "STATE", "LAG s", "REQ/min", "LAST ERROR"
    );
    for s in sources {
        let h = s.health.as_ref();
        let state = if s.paused { "paused" } else { "polling" };
        let lag = h
            .and_then(|h| h.lag_secs)
            .map_or("-".to_owned(), |l| l.to_string());
        let rpm = h.map_or(0, |h| h.requests_last_minute);
        let err = h.and_then(|h| h.last_error.clone()).unwrap_or_default();
        out.push_str(&format!(
            "{:<24} {:<20} {:<14} {:<8} {:>6} {:>8}  {}\n",
            s.id,
            s.vendor.as_str(),
            s.department,
            state,
            lag,
            rpm,
            err
        ));
    }
    out
}
