//! `/admin/users` (admins): every user with role and department; add a user; change a role or
//! department; disable and enable.

use hangar_model::i18n::{self, Msg};
use leptos::prelude::*;
use serde_json::json;

use super::api::{self, UserView};
use super::{ConsoleShell, ROLES, failure_text, load, page_lang, role_name, show};

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = page_lang();
    let (users, reload) = load(|| api::get::<Vec<UserView>>("/api/v1/users"));
    let message = RwSignal::new(None::<String>);
    let tr = move |m: Msg| move || i18n::t(lang.get(), m);
    let patch = move |id: String, body: serde_json::Value| {
        leptos::task::spawn_local(async move {
            match api::act(
                "PATCH",
                &format!("/api/v1/users/{}", api::enc(&id)),
                Some(body),
            )
            .await
            {
                Ok(()) => reload(),
                Err(f) => message.set(Some(failure_text(lang.get_untracked(), &f))),
            }
        });
    };

    let table = move |list: Vec<UserView>| {
        let lang = lang.get();
        let rows = list
            .into_iter()
            .map(|u| {
                let (id_role, id_dept, id_toggle) = (u.id.clone(), u.id.clone(), u.id.clone());
                let disabled = u.disabled;
                let options = ROLES
                    .iter()
                    .map(|r| view! { <option value=*r selected=u.role == *r>{role_name(lang, r)}</option> })
                    .collect_view();
                view! {
                    <tr data-user=u.username.clone() class:disabled=disabled>
                        <td>{u.username.clone()}</td>
                        <td>{u.display_name.clone()}</td>
                        <td>
                            <select on:change=move |ev| patch(id_role.clone(), json!({"role": event_target_value(&ev)}))>
                                {options}
                            </select>
                        </td>
                        <td>
                            <input value=u.department.clone().unwrap_or_default()
                                placeholder=i18n::t(lang, Msg::AllDepartments)
                                on:change=move |ev| {
                                    let d = event_target_value(&ev);
                                    let d = if d.trim().is_empty() { None } else { Some(d.trim().to_owned()) };
                                    patch(id_dept.clone(), json!({"department": d}));
                                } />
                        </td>
                        <td>{i18n::t(lang, if disabled { Msg::UserDisabled } else { Msg::UserActive })}</td>
                        <td>
                            <button class="link" on:click=move |_| patch(id_toggle.clone(), json!({"disabled": !disabled}))>
                                {i18n::t(lang, if disabled { Msg::Enable } else { Msg::Disable })}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data" id="users">
                <thead>
                    <tr>
                        <th>{i18n::t(lang, Msg::Username)}</th>
                        <th>{i18n::t(lang, Msg::DisplayName)}</th>
                        <th>{i18n::t(lang, Msg::Role)}</th>
                        <th>{i18n::t(lang, Msg::Department)}</th>
                        <th></th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    };

    let username = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let role = RwSignal::new("business".to_owned());
    let department = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({
            "username": username.get_untracked(),
            "display_name": Some(display.get_untracked()).filter(|d| !d.is_empty()),
            "role": role.get_untracked(),
            "department": Some(department.get_untracked()).filter(|d| !d.is_empty()),
            "password": password.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            match api::act("POST", "/api/v1/users", Some(body)).await {
                Ok(()) => {
                    for f in [password, username, display, department] {
                        f.set(String::new());
                    }
                    message.set(Some(i18n::t(lang.get_untracked(), Msg::Saved).to_owned()));
                    reload();
                }
                Err(f) => message.set(Some(failure_text(lang.get_untracked(), &f))),
            }
        });
    };

    view! {
        <ConsoleShell lang title=Msg::NavUsers>
            {move || message.get().map(|m| view! { <p class="message" role="status">{m}</p> })}
            {show(lang, users, table)}
            <form class="card" id="new-user" on:submit=add autocomplete="off">
                <h2>{tr(Msg::AddUser)}</h2>
                <div class="fields">
                    <label><span>{tr(Msg::Username)}</span><input name="username" required bind:value=username /></label>
                    <label><span>{tr(Msg::DisplayName)}</span><input name="display" bind:value=display /></label>
                    <label><span>{tr(Msg::Role)}</span>
                        <select name="role" on:change=move |ev| role.set(event_target_value(&ev))>
                            {move || ROLES.iter().map(|r| view! {
                                <option value=*r selected=move || role.get() == *r>{role_name(lang.get(), r)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label><span>{tr(Msg::Department)}</span><input name="department" bind:value=department /></label>
                    <label><span>{tr(Msg::Password)}</span>
                        <input name="password" type="password" autocomplete="new-password" required bind:value=password /></label>
                </div>
                <button type="submit">{tr(Msg::AddUser)}</button>
            </form>
        </ConsoleShell>
    }
}
