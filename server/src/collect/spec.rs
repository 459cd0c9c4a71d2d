//! A source as the operator describes it, and as it is stored.
//!
//! Until the vault exists, credentials never enter the database: a spec names the environment
//! variable that holds each secret (`{"env": "HANGAR_FIN_UIPATH_SECRET"}`), read when the
//! collector starts. Only sources that point at Hangar's own simulators (the demo) may carry
//! their throwaway credentials inline.

use hangar_collectors::{SourceAuth, SourceConfig};
use hangar_model::{SourceId, SourceView, Vendor};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a secret comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum SecretRef {
    /// The name of an environment variable of the `hangar` process.
    Env { env: String },
    /// The value itself; accepted only for simulated sources.
    Inline { value: String },
}

impl SecretRef {
    fn resolve(&self) -> Result<SecretString, SpecError> {
        match self {
            SecretRef::Env { env } => std::env::var(env).map(SecretString::from).map_err(|_| {
                SpecError(format!(
                    "environment variable {env} is not set on the server"
                ))
            }),
            SecretRef::Inline { value } => Ok(SecretString::from(value.clone())),
        }
    }

    fn is_inline(&self) -> bool {
        matches!(self, SecretRef::Inline { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthSpec {
    UipathCloud {
        organization: String,
        tenant: String,
        client_id: String,
        client_secret: SecretRef,
        scope: String,
        #[serde(default)]
        org_scoped_token_url: bool,
    },
    UipathOnPrem {
        tenancy_name: String,
        username: String,
        password: SecretRef,
    },
    AaApiKey {
        username: String,
        api_key: SecretRef,
    },
    AaPassword {
        username: String,
        password: SecretRef,
    },
}

/// A vendor tenant to collect from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    #[schema(value_type = String, example = "finance-uipath")]
    pub id: SourceId,
    /// The department whose robots these are.
    pub department: String,
    /// `https://cloud.uipath.com`, an on-prem Orchestrator, or a Control Room URL.
    pub base_url: String,
    pub auth: AuthSpec,
    #[serde(default = "default_poll_secs")]
    pub poll_interval_secs: u64,
    #[serde(default = "default_budget")]
    pub requests_per_minute: u32,
    /// Secret the vendor signs webhooks with; unsigned or forged deliveries are refused
    /// when set.
    #[serde(default)]
    pub webhook_secret: Option<SecretRef>,
    /// Points at one of Hangar's simulators. Set by the demo.
    #[serde(default)]
    pub simulated: bool,
}

fn default_poll_secs() -> u64 {
    10
}

fn default_budget() -> u32 {
    100
}

/// Why a spec cannot be used; the message is shown to the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SpecError(pub String);

impl SourceSpec {
    pub fn vendor(&self) -> Vendor {
        match self.auth {
            AuthSpec::UipathCloud { .. } | AuthSpec::UipathOnPrem { .. } => Vendor::Uipath,
            AuthSpec::AaApiKey { .. } | AuthSpec::AaPassword { .. } => Vendor::AutomationAnywhere,
        }
    }

    pub fn auth_kind(&self) -> &'static str {
        match self.auth {
            AuthSpec::UipathCloud { .. } => "uipath_cloud",
            AuthSpec::UipathOnPrem { .. } => "uipath_on_prem",
            AuthSpec::AaApiKey { .. } => "aa_api_key",
            AuthSpec::AaPassword { .. } => "aa_password",
        }
    }

    fn secrets(&self) -> Vec<&SecretRef> {
        let mut out: Vec<&SecretRef> = match &self.auth {
            AuthSpec::UipathCloud { client_secret, .. } => vec![client_secret],
            AuthSpec::UipathOnPrem { password, .. } | AuthSpec::AaPassword { password, .. } => {
                vec![password]
            }
            AuthSpec::AaApiKey { api_key, .. } => vec![api_key],
        };
        out.extend(self.webhook_secret.as_ref());
        out
    }

    /// Checks what can be checked without contacting the vendor.
    pub fn validate(&self) -> Result<(), SpecError> {
        SourceId::parse(self.id.as_str()).map_err(SpecError)?;
        let url = url::Url::parse(&self.base_url)
            .map_err(|e| SpecError(format!("base_url is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SpecError("base_url must be http:// or https://".to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(SpecError("base_url must not carry credentials".to_owned()));
        }
        if self.department.trim().is_empty() {
            return Err(SpecError("department must not be empty".to_owned()));
        }
        if !(1..=86_400).contains(&self.poll_interval_secs) {
            return Err(SpecError(
                "poll_interval_secs must be 1 to 86400".to_owned(),
            ));
        }
        if self.requests_per_minute == 0 {
            return Err(SpecError(
                "requests_per_minute must be at least 1".to_owned(),
            ));
        }
        if !self.simulated && self.secrets().iter().any(|s| s.is_inline()) {
            return Err(SpecError(
                "secrets cannot be stored before the vault exists: give each as {\"env\": \"VARIABLE\"} \
                 naming an environment variable of the hangar process"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// The collector's configuration, with secrets read from where the spec says.
    pub fn resolve(&self) -> Result<SourceConfig, SpecError> {
        let auth = match &self.auth {
            AuthSpec::UipathCloud {
                organization,
                tenant,
                client_id,
                client_secret,
                scope,
                org_scoped_token_url,
            } => SourceAuth::UipathCloud {
                organization: organization.clone(),
                tenant: tenant.clone(),
                client_id: client_id.clone(),
                client_secret: client_secret.resolve()?,
                scope: scope.clone(),
                org_scoped_token_url: *org_scoped_token_url,
            },
            AuthSpec::UipathOnPrem {
                tenancy_name,
                username,
                password,
            } => SourceAuth::UipathOnPrem {
                tenancy_name: tenancy_name.clone(),
                username: username.clone(),
                password: password.resolve()?,
            },
            AuthSpec::AaApiKey { username, api_key } => SourceAuth::AaApiKey {
                username: username.clone(),
                api_key: api_key.resolve()?,
            },
            AuthSpec::AaPassword { username, password } => SourceAuth::AaPassword {
                username: username.clone(),
                password: password.resolve()?,
            },
        };
        Ok(SourceConfig {
            id: self.id.clone(),
            department: self.department.clone(),
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            auth,
            poll_interval_secs: self.poll_interval_secs,
            requests_per_minute: self.requests_per_minute,
            webhook_secret: self
                .webhook_secret
                .as_ref()
                .map(SecretRef::resolve)
                .transpose()?,
        })
    }

    /// The spec of a source that points at one of Hangar's own simulators: its throwaway
    /// credentials are kept inline (they open nothing but a loopback simulator).
    pub fn simulated(config: &SourceConfig) -> SourceSpec {
        use secrecy::ExposeSecret;
        let inline = |s: &SecretString| SecretRef::Inline {
            value: s.expose_secret().to_owned(),
        };
        let auth = match &config.auth {
            SourceAuth::UipathCloud {
                organization,
                tenant,
                client_id,
                client_secret,
                scope,
                org_scoped_token_url,
            } => AuthSpec::UipathCloud {
                organization: organization.clone(),
                tenant: tenant.clone(),
                client_id: client_id.clone(),
                client_secret: inline(client_secret),
                scope: scope.clone(),
                org_scoped_token_url: *org_scoped_token_url,
            },
            SourceAuth::UipathOnPrem {
                tenancy_name,
                username,
                password,
            } => AuthSpec::UipathOnPrem {
                tenancy_name: tenancy_name.clone(),
                username: username.clone(),
                password: inline(password),
            },
            SourceAuth::AaApiKey { username, api_key } => AuthSpec::AaApiKey {
                username: username.clone(),
                api_key: inline(api_key),
            },
            SourceAuth::AaPassword { username, password } => AuthSpec::AaPassword {
                username: username.clone(),
                password: inline(password),
            },
        };
        SourceSpec {
            id: config.id.clone(),
            department: config.department.clone(),
            base_url: config.base_url.clone(),
            auth,
            poll_interval_secs: config.poll_interval_secs,
            requests_per_minute: config.requests_per_minute,
            webhook_secret: config.webhook_secret.as_ref().map(inline),
            simulated: true,
        }
    }

    /// What the API shows: everything but secrets.
    pub fn view(&self, paused: bool) -> SourceView {
        SourceView {
            id: self.id.clone(),
            vendor: self.vendor(),
            department: self.department.clone(),
            base_url: self.base_url.clone(),
            auth_kind: self.auth_kind().to_owned(),
            simulated: self.simulated,
            paused,
            poll_interval_secs: self.poll_interval_secs,
            requests_per_minute: self.requests_per_minute,
            webhook_signed: self.webhook_secret.is_some(),
            health: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> SourceSpec {
        serde_json::from_value(json).expect("parses")
    }

    fn cloud(secret: serde_json::Value, simulated: bool) -> SourceSpec {
        spec(serde_json::json!({
            "id": "finance-uipath", "department": "finance", "base_url": "https://cloud.uipath.com",
            "auth": {"kind": "uipath_cloud", "organization": "acme", "tenant": "Prod",
                     "client_id": "app", "client_secret": secret, "scope": "OR.Jobs.Read"},
            "simulated": simulated
        }))
    }

    #[test]
    fn real_sources_take_secrets_from_the_environment_only() {
        let inline = cloud(serde_json::json!({"value": "s3cret"}), false);
        let err = inline.validate().unwrap_err().to_string();
        assert!(err.contains("vault"), "{err}");
        assert!(
            cloud(serde_json::json!({"value": "s3cret"}), true)
                .validate()
                .is_ok()
        );
        assert!(
            cloud(serde_json::json!({"env": "X"}), false)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn missing_environment_variables_are_named() {
        let s = cloud(
            serde_json::json!({"env": "HANGAR_TEST_SURELY_UNSET_42"}),
            false,
        );
        let err = s.resolve().unwrap_err().to_string();
        assert!(err.contains("HANGAR_TEST_SURELY_UNSET_42"), "{err}");
    }

    #[test]
    fn urls_and_ids_are_checked() {
        let mut s = cloud(serde_json::json!({"env": "X"}), false);
        s.base_url = "ftp://x".to_owned();
        assert!(s.validate().is_err());
        s.base_url = "https://user:pw@host".to_owned();
        assert!(s.validate().is_err());
        s.base_url = "https://host".to_owned();
        s.id = SourceId("Bad Id".to_owned());
        assert!(s.validate().is_err());
    }

    #[test]
    fn views_hide_secrets() {
        let s = cloud(serde_json::json!({"value": "s3cret"}), true);
        let shown = serde_json::to_string(&s.view(false)).unwrap();
        assert!(!shown.contains("s3cret"));
        assert!(shown.contains("uipath_cloud"));
    }
}
