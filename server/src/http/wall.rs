//! The wall: server-side rendering of the Leptos app, and its hydration assets.

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use hangar_dashboard::{WallSeed, shell};
use hangar_model::wall::DEFAULT_PROFILE;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{Principal, Tenancy};
use crate::error::AppError;
use crate::state::AppState;
use crate::wall_data;

/// The wall's screens.
pub const WALL_PAGES: [&str; 2] = ["/wall", "/wall/{screen}"];
/// The console's pages (frames: their data comes from the API with the user's session).
pub const CONSOLE_PAGES: [&str; 5] = [
    "/login",
    "/credentials",
    "/credentials/{id}",
    "/admin/users",
    "/admin/audit",
];

/// Whether a route template is an HTML page (a browser without a session is sent to sign in).
pub fn is_page(template: &str) -> bool {
    WALL_PAGES.contains(&template) || CONSOLE_PAGES.contains(&template)
}

/// The file names wasm-bindgen writes for the `hangar-wall` crate.
pub const OUTPUT_NAME: &str = "hangar_wall";

/// Where the built browser side of the wall is, and a version that changes with its content.
///
/// The version goes into the asset URLs (`/pkg/<version>/hangar_wall.js`), so the files can be
/// cached forever and a new build is never mixed with an old page.
#[derive(Clone, Debug)]
pub struct WallAssets {
    pub pkg_dir: PathBuf,
    pub version: String,
    pub present: bool,
}

impl WallAssets {
    pub fn locate(site_dir: &Path) -> WallAssets {
        let pkg_dir = site_dir.join("pkg");
        let js = std::fs::read(pkg_dir.join(format!("{OUTPUT_NAME}.js")));
        let wasm = std::fs::read(pkg_dir.join(format!("{OUTPUT_NAME}_bg.wasm")));
        match (js, wasm) {
            (Ok(js), Ok(wasm)) => {
                let digest = Sha256::new()
                    .chain_update(&js)
                    .chain_update(&wasm)
                    .finalize();
                let version = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
                WallAssets {
                    pkg_dir,
                    version,
                    present: true,
                }
            }
            _ => {
                tracing::warn!(
                    pkg_dir = %pkg_dir.display(),
                    "wall assets not found: /wall renders but will not go live in the browser \
                     (build them with scripts/build-wall)"
                );
                WallAssets {
                    pkg_dir,
                    version: "missing".to_owned(),
                    present: false,
                }
            }
        }
    }
}

pub fn router(state: &AppState, assets: &WallAssets) -> Router {
    // Leptos spawns its rendering work on a global executor; the tokio one, once per process.
    let _ = any_spawner::Executor::init_tokio();
    let options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(state.config.site_dir.display().to_string())
        .site_pkg_dir(format!("pkg/{}", assets.version))
        .build();
    let pkg = Router::new()
        .nest_service(
            &format!("/pkg/{}", assets.version),
            ServeDir::new(&assets.pkg_dir),
        )
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    let page = PageState {
        app: state.clone(),
        options,
    };
    let router = Router::new()
        .route("/wall", get(wall))
        .route("/wall/{screen}", get(wall_screen));
    let router = CONSOLE_PAGES
        .iter()
        .fold(router, |router, path| router.route(path, get(console)));
    router.with_state(page).merge(pkg)
}

#[derive(Clone)]
struct PageState {
    app: AppState,
    options: LeptosOptions,
}

/// `/wall?profile=ops-floor&screen=2`; without a screen the profile's screens play in turn.
async fn wall(
    State(page): State<PageState>,
    Query(query): Query<HashMap<String, String>>,
    request: Request<Body>,
) -> Response {
    let screen = query.get("screen").cloned();
    render(page, query, screen, request).await
}

/// `/wall/2`: one fixed screen of the profile, for one monitor of a wall.
async fn wall_screen(
    State(page): State<PageState>,
    UrlPath(screen): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request<Body>,
) -> Response {
    render(page, query, Some(screen), request).await
}

/// The console's pages: a frame rendered here, the user's data loaded by the browser with the
/// user's own session (so no page with private data is ever rendered or cached).
async fn console(State(page): State<PageState>, request: Request<Body>) -> Response {
    render_page(&page.options, || {}, request).await
}

/// Renders the app for one request with `context` provided. Pages are never cached: the
/// wall's data is live, the console's is the user's own.
async fn render_page(
    options: &LeptosOptions,
    context: impl Fn() + Clone + Send + Sync + 'static,
    request: Request<Body>,
) -> Response {
    let options = options.clone();
    let handler =
        leptos_axum::render_app_to_stream_with_context(context, move || shell(options.clone()));
    let mut response = handler(request).await.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Renders the wall with the screen's data already in it, so the first paint is complete
/// and hydration starts from the same data.
async fn render(
    page: PageState,
    query: HashMap<String, String>,
    screen: Option<String>,
    request: Request<Body>,
) -> Response {
    let state = &page.app;
    let name = query
        .get("profile")
        .cloned()
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    // An unreadable screen number is screen 0, which no profile has: the page says so.
    let fixed_screen = screen.map(|s| s.trim().parse::<usize>().unwrap_or(0));
    let number = fixed_screen.unwrap_or(1);
    // The guard put the caller in the request: a departmental user sees only their department.
    let tenancy = Tenancy::of(request.extensions().get::<Principal>());
    let profile = match wall_data::profile(state, &name).await {
        Ok(p) => p,
        Err(e) => return AppError::from(e).into_response(),
    };
    let data = match &profile {
        Some(p) => match wall_data::build(state, p, number, &tenancy, Utc::now()).await {
            Ok(d) => d,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let found = data.is_some();
    let seed = WallSeed {
        demo: state.config.demo,
        status: state.status.latest().borrow().clone(),
        profile_name: name,
        profile,
        fixed_screen,
        screen: number,
        data,
    };
    let mut response = render_page(
        &page.options,
        move || provide_context(seed.clone()),
        request,
    )
    .await;
    if !found {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    response
}
