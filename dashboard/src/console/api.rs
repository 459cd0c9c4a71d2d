//! The console's calls to Hangar's own API, from the browser, with the session cookie and the
//! CSRF header every state-changing request needs. The types here hold only what the pages
//! show; unknown fields are ignored, so the API can grow without breaking the console.

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// What went wrong, as the API said it (`{"error":{"code","message"}}`), or the network.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn network(message: impl Into<String>) -> Failure {
        Failure {
            status: 0,
            code: "network".to_owned(),
            message: message.into(),
        }
    }

    /// The session is gone: the page should send the user to the login.
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub department: Option<String>,
    pub disabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Me {
    pub user: UserView,
    pub via: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SecretMeta {
    pub id: String,
    pub owner_name: String,
    pub name: String,
    pub system: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub current_version: u32,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SecretVersion {
    pub version: u32,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SecretDetail {
    #[serde(flatten)]
    pub meta: SecretMeta,
    pub versions: Vec<SecretVersion>,
}

/// A revealed version. Held only as long as the page shows it.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Revealed {
    pub version: u32,
    pub username: String,
    pub password: String,
    pub notes: String,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Grant {
    pub id: String,
    pub grantee: String,
    pub asset_name: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor_name: String,
    pub via: String,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: String,
}

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
}

/// A JSON body, or none.
pub type Body = Option<serde_json::Value>;

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    call("GET", path, None).await
}

pub async fn send<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, Failure> {
    call(method, path, body).await
}

/// A call whose answer has no body worth reading (204, or one the page does not need).
pub async fn act(method: &str, path: &str, body: Body) -> Result<(), Failure> {
    call::<serde::de::IgnoredAny>(method, path, body)
        .await
        .map(|_| ())
}

#[cfg(feature = "hydrate")]
async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Body) -> Result<T, Failure> {
    use gloo_net::http::{Method, RequestBuilder};
    let method = match method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(path)
        .method(method.clone())
        .header("accept", "application/json");
    if method != Method::GET {
        // The session cookie alone does not authorize a change: the CSRF token, readable only
        // by pages of this origin, must come along in a header.
        if let Some(token) = csrf_token() {
            builder = builder.header("x-csrf-token", &token);
        }
    }
    let request = match body {
        Some(json) => builder
            .json(&json)
            .map_err(|e| Failure::network(e.to_string()))?,
        None => builder
            .build()
            .map_err(|e| Failure::network(e.to_string()))?,
    };
    let response = request
        .send()
        .await
        .map_err(|e| Failure::network(e.to_string()))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        return serde_json::from_str(text).map_err(|e| Failure::network(e.to_string()));
    }
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => Failure {
            status,
            code: body.error.code,
            message: body.error.message,
        },
        Err(_) => Failure {
            status,
            code: "http".to_owned(),
            message: format!("HTTP {status}"),
        },
    })
}

/// On the server nothing is fetched: console pages load their data in the browser.
#[cfg(not(feature = "hydrate"))]
async fn call<T: DeserializeOwned>(_: &str, _: &str, _: Body) -> Result<T, Failure> {
    Err(Failure::network("not in a browser"))
}

#[cfg(feature = "hydrate")]
fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "hangar_csrf")
        .map(|(_, v)| v.to_owned())
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
