//! `/credentials/{id}`: one credential — its versions, an explicit and audited reveal, a new
//! version (check-and-set against the version shown), delete and restore, and which robots or
//! processes may read it.

use hangar_model::i18n::{self, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde_json::json;

use super::api::{self, Grant, Revealed, SecretDetail};
use super::{ConsoleShell, failure_text, load, page_lang, short_time, show};

/// How long a revealed password stays on screen.
const REVEAL_SECS: u64 = 30;

#[component]
pub fn SecretPage() -> impl IntoView {
    let lang = page_lang();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let (detail, reload) = load(move || {
        let id = id.get_untracked();
        async move { api::get::<SecretDetail>(&format!("/api/v1/secrets/{}", api::enc(&id))).await }
    });
    let (grants, reload_grants) = load(move || {
        let id = id.get_untracked();
        async move { api::get::<Vec<Grant>>(&format!("/api/v1/secrets/{}/grants", api::enc(&id))).await }
    });
    let message = RwSignal::new(None::<String>);
    let revealed = RwSignal::new(None::<Revealed>);
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);
    let path = move |rest: &str| format!("/api/v1/secrets/{}{rest}", api::enc(&id.get_untracked()));
    let fail = move |f: api::Failure| message.set(Some(failure_text(lang.get_untracked(), &f)));

    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            match api::send::<Revealed>("POST", &path("/reveal"), Some(json!({}))).await {
                Ok(r) => {
                    revealed.set(Some(r));
                    // Gone again by itself: a password must not sit on an unattended screen.
                    set_timeout(
                        move || revealed.set(None),
                        std::time::Duration::from_secs(REVEAL_SECS),
                    );
                }
                Err(f) => fail(f),
            }
        });
    };
    let act = move |method: &'static str, rest: &'static str| {
        leptos::task::spawn_local(async move {
            match api::act(method, &path(rest), None).await {
                Ok(()) => {
                    revealed.set(None);
                    reload();
                    reload_grants();
                }
                Err(f) => fail(f),
            }
        });
    };

    // A new version, checked against the version on screen.
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let update = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(d)) = detail.get_untracked() else {
            return;
        };
        let body = json!({
            "cas": d.meta.current_version,
            "name": d.meta.name,
            "system": d.meta.system,
            "url": d.meta.url,
            "tags": d.meta.tags,
            "username": username.get_untracked(),
            "password": password.get_untracked(),
            "notes": Some(notes.get_untracked()).filter(|n| !n.is_empty()),
        });
        leptos::task::spawn_local(async move {
            match api::act("PUT", &path(""), Some(body)).await {
                Ok(()) => {
                    for f in [password, username, notes] {
                        f.set(String::new());
                    }
                    revealed.set(None);
                    message.set(Some(i18n::t(lang.get_untracked(), Msg::Saved).to_owned()));
                    reload();
                }
                Err(f) => fail(f),
            }
        });
    };

    let grantee = RwSignal::new(String::new());
    let asset = RwSignal::new(String::new());
    let add_grant = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({"grantee": grantee.get_untracked(), "asset_name": asset.get_untracked()});
        leptos::task::spawn_local(async move {
            match api::act("POST", &path("/grants"), Some(body)).await {
                Ok(()) => {
                    grantee.set(String::new());
                    asset.set(String::new());
                    reload_grants();
                }
                Err(f) => fail(f),
            }
        });
    };
    let revoke = move |grant: String| {
        leptos::task::spawn_local(async move {
            match api::act(
                "DELETE",
                &format!("/api/v1/grants/{}", api::enc(&grant)),
                None,
            )
            .await
            {
                Ok(()) => reload_grants(),
                Err(f) => fail(f),
            }
        });
    };

    let summary = move |d: SecretDetail| {
        let lang = lang.get();
        let deleted = d.meta.deleted_at.is_some();
        let versions = d
            .versions
            .iter()
            .map(|v| view! { <li>{format!("v{} · {} · {} {}", v.version, short_time(&v.created_at), i18n::t(lang, Msg::CreatedBy), v.created_by)}</li> })
            .collect_view();
        view! {
            <section class="card" id="secret" data-version=d.meta.current_version.to_string()>
                <h2>{d.meta.name.clone()} {deleted.then(|| view! { <span class="tag bad">{i18n::t(lang, Msg::Deleted)}</span> })}</h2>
                <dl class="facts">
                    <dt>{i18n::t(lang, Msg::CredSystem)}</dt><dd>{d.meta.system.clone().unwrap_or_default()}</dd>
                    <dt>{i18n::t(lang, Msg::Url)}</dt><dd>{d.meta.url.clone().unwrap_or_default()}</dd>
                    <dt>{i18n::t(lang, Msg::Tags)}</dt><dd>{d.meta.tags.join(", ")}</dd>
                    <dt>{i18n::t(lang, Msg::Owner)}</dt><dd>{d.meta.owner_name.clone()}</dd>
                </dl>
                <div class="actions">
                    <button id="reveal" on:click=reveal disabled=deleted>{i18n::t(lang, Msg::Reveal)}</button>
                    {if deleted {
                        view! { <button id="restore" on:click=move |_| act("POST", "/undelete")>{i18n::t(lang, Msg::Restore)}</button> }.into_any()
                    } else {
                        view! { <button id="delete" class="danger" on:click=move |_| act("DELETE", "")>{i18n::t(lang, Msg::Delete)}</button> }.into_any()
                    }}
                </div>
                <p class="muted">{i18n::t(lang, Msg::RevealAudited)}</p>
                {move || revealed.get().map(|r| view! {
                    <dl class="facts revealed" id="revealed">
                        <dt>{i18n::t(lang, Msg::Username)}</dt><dd id="revealed-username">{r.username.clone()}</dd>
                        <dt>{i18n::t(lang, Msg::Password)}</dt><dd id="revealed-password" class="mono">{r.password.clone()}</dd>
                        <dt>{i18n::t(lang, Msg::Notes)}</dt><dd>{r.notes.clone()}</dd>
                        <dd><button class="link" on:click=move |_| revealed.set(None)>{i18n::t(lang, Msg::Hide)}</button></dd>
                    </dl>
                })}
                <h3>{i18n::t(lang, Msg::Versions)}</h3>
                <ul class="versions">{versions}</ul>
            </section>
        }
    };

    let grant_list = move |list: Vec<Grant>| {
        let lang = lang.get();
        if list.is_empty() {
            return view! { <p class="muted">{i18n::t(lang, Msg::NoGrants)}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|g| {
                let revoked = g.revoked_at.is_some();
                let id = g.id.clone();
                view! {
                    <tr data-grant=g.id.clone() class:revoked=revoked>
                        <td class="mono">{g.grantee.clone()}</td>
                        <td class="mono">{g.asset_name.clone()}</td>
                        <td class="muted">{short_time(&g.created_at)} " · " {g.created_by.clone()}</td>
                        <td>{if revoked {
                            view! { <span class="tag">{i18n::t(lang, Msg::Revoked)}</span> }.into_any()
                        } else {
                            view! { <button class="link danger" on:click=move |_| revoke(id.clone())>{i18n::t(lang, Msg::Revoke)}</button> }.into_any()
                        }}</td>
                    </tr>
                }
            })
            .collect_view();
        view! { <table class="data" id="grants"><tbody>{rows}</tbody></table> }.into_any()
    };

    view! {
        <ConsoleShell lang title=Msg::NavCredentials>
            <p><a href="/credentials">"← " {tr(Msg::NavCredentials)}</a></p>
            {move || message.get().map(|m| view! { <p class="message" role="status" id="message">{m}</p> })}
            {show(lang, detail, summary)}
            <form class="card" id="new-version" on:submit=update autocomplete="off">
                <h2>{tr(Msg::NewVersion)}</h2>
                <div class="fields">
                    <label><span>{tr(Msg::Username)}</span><input name="username" required bind:value=username /></label>
                    <label><span>{tr(Msg::Password)}</span>
                        <input name="password" type="password" autocomplete="new-password" required bind:value=password /></label>
                    <label class="wide"><span>{tr(Msg::Notes)}</span><textarea name="notes" bind:value=notes></textarea></label>
                </div>
                <button type="submit">{tr(Msg::Save)}</button>
            </form>
            <section class="card">
                <h2>{tr(Msg::Grants)}</h2>
                {show(lang, grants, grant_list)}
                <form id="new-grant" on:submit=add_grant class="inline">
                    <label><span>{tr(Msg::Grantee)}</span><input name="grantee" required bind:value=grantee
                        placeholder="robot:demo-uipath/ap-bot-01" /></label>
                    <label><span>{tr(Msg::AssetName)}</span><input name="asset" required bind:value=asset
                        placeholder="SAP_Login" /></label>
                    <button type="submit">{tr(Msg::Grant)}</button>
                </form>
            </section>
        </ConsoleShell>
    }
}
