//! `/credentials`: the signed-in user's credentials (names and systems only: a password shows
//! only on an explicit, audited reveal on the credential's own page), and a form for a new one.

use hangar_model::i18n::{self, Msg};
use leptos::prelude::*;
use serde_json::json;

use super::api::{self, SecretMeta};
use super::{ConsoleShell, failure_text, load, page_lang, short_time, show};

/// Splits "a, b ,c" into tags.
pub fn tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let lang = page_lang();
    let (list, reload) = load(|| api::get::<Vec<SecretMeta>>("/api/v1/secrets"));
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);

    let table = move |secrets: Vec<SecretMeta>| {
        let lang = lang.get();
        if secrets.is_empty() {
            return view! { <p class="muted" id="no-credentials">{i18n::t(lang, Msg::NoCredentials)}</p> }
                .into_any();
        }
        let rows = secrets
            .into_iter()
            .map(|s| {
                let href = format!("/credentials/{}", s.id);
                view! {
                    <tr data-secret=s.id.clone() class:deleted=s.deleted_at.is_some()>
                        <td><a href=href>{s.name.clone()}</a></td>
                        <td>{s.system.clone().unwrap_or_default()}</td>
                        <td class="muted">{s.url.clone().unwrap_or_default()}</td>
                        <td>{s.tags.join(", ")}</td>
                        <td class="num">{s.current_version}</td>
                        <td class="muted">{short_time(&s.updated_at)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data" id="credentials">
                <thead>
                    <tr>
                        <th>{i18n::t(lang, Msg::Name)}</th>
                        <th>{i18n::t(lang, Msg::CredSystem)}</th>
                        <th>{i18n::t(lang, Msg::Url)}</th>
                        <th>{i18n::t(lang, Msg::Tags)}</th>
                        <th class="num">{i18n::t(lang, Msg::Version)}</th>
                        <th>{i18n::t(lang, Msg::UpdatedAt)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    // The new-credential form.
    let name = RwSignal::new(String::new());
    let system = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let tag_text = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({
            "name": name.get_untracked(),
            "system": Some(system.get_untracked()).filter(|s| !s.is_empty()),
            "url": Some(url.get_untracked()).filter(|s| !s.is_empty()),
            "username": username.get_untracked(),
            "password": password.get_untracked(),
            "notes": Some(notes.get_untracked()).filter(|s| !s.is_empty()),
            "tags": tags(&tag_text.get_untracked()),
        });
        leptos::task::spawn_local(async move {
            match api::act("POST", "/api/v1/secrets", Some(body)).await {
                Ok(()) => {
                    // The form forgets what was typed, the password first.
                    for field in [password, username, notes, name, system, url, tag_text] {
                        field.set(String::new());
                    }
                    message.set(Some(i18n::t(lang.get_untracked(), Msg::Saved).to_owned()));
                    reload();
                }
                Err(f) => message.set(Some(failure_text(lang.get_untracked(), &f))),
            }
        });
    };

    view! {
        <ConsoleShell lang title=Msg::NavCredentials>
            {show(lang, list, table)}
            <form class="card" id="new-credential" on:submit=create autocomplete="off">
                <h2>{tr(Msg::NewCredential)}</h2>
                <div class="fields">
                    <label><span>{tr(Msg::Name)}</span><input name="name" required bind:value=name /></label>
                    <label><span>{tr(Msg::CredSystem)}</span><input name="system" bind:value=system /></label>
                    <label><span>{tr(Msg::Url)}</span><input name="url" bind:value=url /></label>
                    <label><span>{tr(Msg::Username)}</span><input name="username" required bind:value=username /></label>
                    <label><span>{tr(Msg::Password)}</span>
                        <input name="password" type="password" autocomplete="new-password" required bind:value=password /></label>
                    <label><span>{tr(Msg::Tags)}</span><input name="tags" bind:value=tag_text /></label>
                    <label class="wide"><span>{tr(Msg::Notes)}</span><textarea name="notes" bind:value=notes></textarea></label>
                </div>
                <button type="submit">{tr(Msg::Create)}</button>
                {move || message.get().map(|m| view! { <p class="message" role="status">{m}</p> })}
            </form>
        </ConsoleShell>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_trimmed_and_empty_ones_dropped() {
        assert_eq!(super::tags(" sap, ,finance ,"), vec!["sap", "finance"]);
        assert!(super::tags("").is_empty());
    }
}
