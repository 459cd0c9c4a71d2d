//! A configured source: one vendor tenant Hangar reads from, and how to log in to it.

use hangar_model::{SourceId, Vendor};
use secrecy::SecretString;
use serde::Deserialize;

/// How to authenticate against a source. Secrets are [`SecretString`]s: they never print.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceAuth {
    /// Automation Cloud external application (OAuth2 client credentials).
    UipathCloud {
        /// Organization and tenant as they appear in the URL: `/{org}/{tenant}/orchestrator_/`.
        organization: String,
        tenant: String,
        client_id: String,
        client_secret: SecretString,
        /// Space-separated application scopes, e.g. `OR.Jobs.Read OR.Robots.Read …`.
        scope: String,
        /// Use the org-scoped token URL `/{org}/identity_/connect/token` instead of the
        /// global `/identity_/connect/token`.
        #[serde(default)]
        org_scoped_token_url: bool,
    },
    /// On-premises Orchestrator with `/api/Account/Authenticate`.
    UipathOnPrem {
        tenancy_name: String,
        username: String,
        password: SecretString,
    },
    /// Automation Anywhere Control Room with an API key (multi-session).
    AaApiKey {
        username: String,
        api_key: SecretString,
    },
    /// Automation Anywhere Control Room with a password (a new login ends the previous
    /// session of the same user).
    AaPassword {
        username: String,
        password: SecretString,
    },
}

impl SourceAuth {
    pub fn vendor(&self) -> Vendor {
        match self {
            SourceAuth::UipathCloud { .. } | SourceAuth::UipathOnPrem { .. } => Vendor::Uipath,
            SourceAuth::AaApiKey { .. } | SourceAuth::AaPassword { .. } => {
                Vendor::AutomationAnywhere
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SourceAuth::UipathCloud { .. } => "uipath_cloud",
            SourceAuth::UipathOnPrem { .. } => "uipath_on_prem",
            SourceAuth::AaApiKey { .. } => "aa_api_key",
            SourceAuth::AaPassword { .. } => "aa_password",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct SourceConfig {
    pub id: SourceId,
    /// The department (tenant of Hangar) whose robots these are.
    pub department: String,
    /// UiPath: `https://cloud.uipath.com` (cloud) or `https://orchestrator.corp` (on-prem).
    /// AA: the Control Room URL.
    pub base_url: String,
    pub auth: SourceAuth,
    /// Seconds between polls.
    #[serde(default = "default_poll_secs")]
    pub poll_interval_secs: u64,
    /// Requests per minute allowed on each rate-limited endpoint class (UiPath publishes 100
    /// per minute per tenant for Jobs and for QueueItems).
    #[serde(default = "default_budget")]
    pub requests_per_minute: u32,
    /// Secret that signs this source's webhooks (UiPath `X-UiPath-Signature`); unsigned or
    /// forged deliveries are refused when it is set.
    #[serde(default)]
    pub webhook_secret: Option<SecretString>,
}

fn default_poll_secs() -> u64 {
    10
}

fn default_budget() -> u32 {
    100
}
