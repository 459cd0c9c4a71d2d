//! `/admin/audit` (admins): the append-only audit log, newest first, filtered by who, what and
//! on what, a page at a time.

use hangar_model::i18n::{self, Msg};
use leptos::prelude::*;

use super::api::{self, AuditRecord};
use super::{ConsoleShell, load, page_lang, short_time, show};

const PAGE: u32 = 50;

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = page_lang();
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let offset = RwSignal::new(0u32);
    // The filters and the page are read each time the log is loaded again.
    let (entries, fetch) = load(move || {
        let mut path = format!(
            "/api/v1/audit?limit={PAGE}&offset={}",
            offset.get_untracked()
        );
        for (key, value) in [("actor", actor), ("action", action), ("target", target)] {
            let v = value.get_untracked();
            if !v.trim().is_empty() {
                path.push_str(&format!("&{key}={}", api::enc(v.trim())));
            }
        }
        async move { api::get::<Vec<AuditRecord>>(&path).await }
    });
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);

    let table = move |list: Vec<AuditRecord>| {
        let lang = lang.get();
        if list.is_empty() {
            return view! { <p class="muted">{i18n::t(lang, Msg::NoEntries)}</p> }.into_any();
        }
        let full = list.len() as u32 == PAGE;
        let rows = list
            .into_iter()
            .map(|e| {
                let bad = e.outcome != "ok";
                view! {
                    <tr data-action=e.action.clone()>
                        <td class="muted mono">{short_time(&e.at)}</td>
                        <td>{e.actor_name.clone()} <span class="muted">" · " {e.via.clone()}</span></td>
                        <td class="mono">{e.action.clone()}</td>
                        <td class="mono">{e.target.clone()}</td>
                        <td class:bad=bad>{e.outcome.clone()}</td>
                        <td class="muted mono">{e.ip.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data" id="audit">
                <thead>
                    <tr>
                        <th>{i18n::t(lang, Msg::When)}</th>
                        <th>{i18n::t(lang, Msg::Who)}</th>
                        <th>{i18n::t(lang, Msg::Action)}</th>
                        <th>{i18n::t(lang, Msg::Target)}</th>
                        <th>{i18n::t(lang, Msg::Outcome)}</th>
                        <th>{i18n::t(lang, Msg::FromAddress)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="pager">
                <button disabled=move || offset.get() == 0
                    on:click=move |_| { offset.update(|o| *o = o.saturating_sub(PAGE)); fetch(); }>
                    {i18n::t(lang, Msg::Newer)}
                </button>
                <button disabled=!full on:click=move |_| { offset.update(|o| *o += PAGE); fetch(); }>
                    {i18n::t(lang, Msg::Older)}
                </button>
            </div>
        }
        .into_any()
    };

    view! {
        <ConsoleShell lang title=Msg::NavAudit>
            <form class="inline" id="audit-filter" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                offset.set(0);
                fetch();
            }>
                <label><span>{tr(Msg::Who)}</span><input name="actor" bind:value=actor /></label>
                <label><span>{tr(Msg::Action)}</span><input name="action" bind:value=action placeholder="secret.reveal" /></label>
                <label><span>{tr(Msg::Target)}</span><input name="target" bind:value=target /></label>
                <button type="submit">{tr(Msg::Filter)}</button>
            </form>
            {show(lang, entries, table)}
        </ConsoleShell>
    }
}
