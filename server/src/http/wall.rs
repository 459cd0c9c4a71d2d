//! The wall: server-side rendering of the Leptos app, and its hydration assets.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use hangar_dashboard::{App, WallSeed, shell};
use leptos::config::LeptosOptions;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{Principal, Tenancy};
use crate::state::AppState;

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
    let options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(state.config.site_dir.display().to_string())
        .site_pkg_dir(format!("pkg/{}", assets.version))
        .build();
    let routes = generate_route_list(App);
    let demo = state.config.demo;
    let latest = state.status.latest();
    let collectors = std::sync::Arc::clone(&state.collectors);
    let seed = move || {
        // leptos_axum provides the request's parts first; the guard put the caller there.
        let who = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Principal>().cloned());
        let tenancy = Tenancy::of(who.as_ref());
        let mut sources = collectors.health();
        sources.retain(|s| tenancy.sees(Some(&s.department)));
        provide_context(WallSeed {
            demo,
            status: latest.borrow().clone(),
            sources,
        })
    };
    let pkg = Router::new()
        .nest_service(
            &format!("/pkg/{}", assets.version),
            ServeDir::new(&assets.pkg_dir),
        )
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    Router::new()
        .leptos_routes_with_context(&options, routes, seed, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .with_state(options)
        .merge(pkg)
}
