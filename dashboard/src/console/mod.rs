//! The console: the pages people work in at a desk rather than watch from across a room —
//! signing in, their credentials and which robots may read them, users and roles, the audit
//! log. Rendered on the server as a frame; the data is loaded in the browser with the user's
//! own session, so nothing private is ever in a cached page.

mod api;
mod audit;
mod credentials;
mod login;
mod secret;
mod users;

use std::future::Future;

use hangar_model::i18n::{self, Lang, Msg};
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::use_query_map;

pub use self::audit::AuditPage;
pub use self::credentials::CredentialsPage;
pub use self::login::LoginPage;
pub use self::secret::SecretPage;
pub use self::users::UsersPage;

use self::api::{Failure, Me};

/// Loaded data: `None` while loading, then the answer.
pub type Loaded<T> = RwSignal<Option<Result<T, Failure>>>;

/// Loads `fetch` in the browser once the page is hydrated, and returns the signal and a
/// function that loads it again (after a change).
pub fn load<T, F, Fut>(fetch: F) -> (Loaded<T>, impl Fn() + Copy + 'static)
where
    T: Clone + Send + Sync + 'static,
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, Failure>> + 'static,
{
    let data: Loaded<T> = RwSignal::new(None);
    let fetch = StoredValue::new(fetch);
    let reload = move || {
        let fetch = fetch.get_value();
        leptos::task::spawn_local(async move {
            let result = fetch().await;
            if let Err(e) = &result
                && e.is_unauthenticated()
            {
                to_login();
            }
            data.set(Some(result));
        });
    };
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| reload());
    (data, reload)
}

/// Sends the browser to the login page, coming back here afterwards.
pub fn to_login() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = location.set_href(&format!("/login?next={}", api::enc(&here)));
    }
}

/// The page's language: `?lang=`, else English.
pub fn page_lang() -> Memo<Lang> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("lang")
            .map(|t| Lang::parse(&t))
            .unwrap_or_default()
    })
}

/// A failure as one line the user can act on.
pub fn failure_text(lang: Lang, f: &Failure) -> String {
    match f.code.as_str() {
        "cas_mismatch" => i18n::t(lang, Msg::CasConflict).to_owned(),
        "too_many_attempts" => i18n::t(lang, Msg::TooManyAttempts).to_owned(),
        "forbidden" => i18n::t(lang, Msg::NotAllowed).to_owned(),
        _ => format!("{}: {}", i18n::t(lang, Msg::SomethingFailed), f.message),
    }
}

/// Shows a loaded value with `body`, or "loading…", or what went wrong.
pub fn show<T, V>(
    lang: Memo<Lang>,
    data: Loaded<T>,
    body: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match data.get() {
        None => view! { <p class="muted">{i18n::t(lang.get(), Msg::Loading)}</p> }.into_any(),
        Some(Err(f)) => {
            view! { <p class="error" role="alert">{failure_text(lang.get(), &f)}</p> }.into_any()
        }
        Some(Ok(value)) => body(value).into_any(),
    }
}

/// `data-hydrated="yes"` once the browser has taken the page over (effects run only there):
/// before that, forms would post the old-fashioned way.
pub fn hydrated_marker() -> impl Fn() -> &'static str + Copy {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    move || if hydrated.get() { "yes" } else { "no" }
}

/// The frame of every console page: navigation, who is signed in, sign out.
#[component]
pub fn ConsoleShell(lang: Memo<Lang>, title: Msg, children: Children) -> impl IntoView {
    let (me, _) = load(|| api::get::<Me>("/api/v1/auth/me"));
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);
    let is_admin = move || matches!(me.get(), Some(Ok(ref m)) if m.user.role == "admin");
    let who = move || match me.get() {
        Some(Ok(m)) => format!(
            "{} · {}",
            if m.user.display_name.is_empty() {
                m.user.username.clone()
            } else {
                m.user.display_name.clone()
            },
            role_name(lang.get(), &m.user.role)
        ),
        _ => String::new(),
    };
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::act("POST", "/api/v1/auth/logout", None).await;
            to_login();
        });
    };
    let hydrated = hydrated_marker();
    // Read once: the document's language and title are written into the page head,
    // which the server may render after this component's reactive scope is gone.
    let page_lang = lang.get_untracked();
    view! {
        <Html attr:lang=page_lang.tag() />
        <Title text=i18n::t(page_lang, title) />
        <div class="console" data-hydrated=hydrated>
            <nav class="console-nav">
                <a href="/wall" class="brand">"Hangar"</a>
                <a href="/credentials">{tr(Msg::NavCredentials)}</a>
                <Show when=is_admin>
                    <a href="/admin/users">{tr(Msg::NavUsers)}</a>
                    <a href="/admin/audit">{tr(Msg::NavAudit)}</a>
                </Show>
                <a href="/wall">{tr(Msg::NavWall)}</a>
                <span class="spacer"></span>
                <span class="who" id="who">{who}</span>
                <button class="link" id="sign-out" on:click=sign_out>{tr(Msg::SignOut)}</button>
            </nav>
            <main class="console-main">
                <h1>{tr(title)}</h1>
                {children()}
            </main>
        </div>
    }
}

pub fn role_name(lang: Lang, role: &str) -> &'static str {
    let msg = match role {
        "admin" => Msg::RoleAdmin,
        "ops" => Msg::RoleOps,
        "business" => Msg::RoleBusiness,
        "developer" => Msg::RoleDeveloper,
        _ => Msg::RoleManager,
    };
    i18n::t(lang, msg)
}

/// The role values the API takes, in the order a form offers them.
pub const ROLES: [&str; 5] = ["admin", "ops", "business", "developer", "manager"];

/// A short local rendering of an RFC 3339 time from the API: "2026-11-21 09:14:48".
pub fn short_time(at: &str) -> String {
    at.get(..19).unwrap_or(at).replace('T', " ")
}
