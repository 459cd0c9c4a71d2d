//! The document shell and the routes.

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::console::{AuditPage, CredentialsPage, LoginPage, SecretPage, UsersPage};
use crate::wall::WallPage;

/// The HTML document the server wraps around the app. Styles are inlined so the first paint
/// needs no second request; the favicon is an empty data URL so the browser asks for nothing.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark" />
                <link rel="icon" href="data:," />
                <style>{crate::style::WALL_CSS}</style>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="not-found">"404"</p> }>
                <Route path=path!("/wall") view=WallPage />
                <Route path=path!("/wall/:screen") view=WallPage />
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/credentials") view=CredentialsPage />
                <Route path=path!("/credentials/:id") view=SecretPage />
                <Route path=path!("/admin/users") view=UsersPage />
                <Route path=path!("/admin/audit") view=AuditPage />
            </Routes>
        </Router>
    }
}
