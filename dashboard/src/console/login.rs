//! `/login`: sign in, then back to where the user was going.

use hangar_model::i18n::{self, Msg};
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::use_query_map;
use serde_json::json;

use super::api;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = super::page_lang();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        // Only a path on this site: never an open redirect.
        let next = query
            .read_untracked()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| "/credentials".to_owned());
        let body =
            json!({"username": username.get_untracked(), "password": password.get_untracked()});
        leptos::task::spawn_local(async move {
            let result = api::act("POST", "/api/v1/auth/login", Some(body)).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    password.set(String::new());
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&next);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = next;
                }
                Err(f) => {
                    let lang = lang.get_untracked();
                    error.set(Some(match f.code.as_str() {
                        "too_many_attempts" => i18n::t(lang, Msg::TooManyAttempts).to_owned(),
                        "unauthenticated" | "unauthorized" => {
                            i18n::t(lang, Msg::LoginFailed).to_owned()
                        }
                        _ => super::failure_text(lang, &f),
                    }));
                }
            }
        });
    };

    let hydrated = super::hydrated_marker();
    // Read once: the document's language and title are written into the page head,
    // which the server may render after this component's reactive scope is gone.
    let page_lang = lang.get_untracked();
    view! {
        <Html attr:lang=page_lang.tag() />
        <Title text=i18n::t(page_lang, Msg::SignInTitle) />
        <div class="console login" data-hydrated=hydrated>
            <form class="card login-card" id="login-form" on:submit=submit>
                <h1>{tr(Msg::SignInTitle)}</h1>
                <label>
                    <span>{tr(Msg::Username)}</span>
                    <input id="login-username" name="username" autocomplete="username" required
                        bind:value=username />
                </label>
                <label>
                    <span>{tr(Msg::Password)}</span>
                    <input id="login-password" name="password" type="password"
                        autocomplete="current-password" required bind:value=password />
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert" id="login-error">{e}</p> })}
                <button type="submit" id="login-submit" disabled=move || busy.get()>{tr(Msg::SignIn)}</button>
            </form>
        </div>
    }
}
