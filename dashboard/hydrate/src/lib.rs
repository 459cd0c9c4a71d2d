//! Browser entry point: `hangar_wall.js` calls `hydrate()` once the wasm is loaded, and the
//! server-rendered wall comes alive (stream subscription, clocks, connection state).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(hangar_dashboard::App);
}
