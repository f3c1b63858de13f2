//! Keeps the app itself available offline: registers the service worker (`/sw.js`, see
//! `webapp/assets/sw.js`), which caches index.html and the hashed JS, wasm and CSS so that a
//! reload with no network still starts the app and the vault opens from IndexedDB.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Registers the service worker. Browsers offer none on plain-HTTP hosts other than localhost:
/// the app then simply needs the network to start.
pub async fn register_service_worker() -> Result<(), String> {
    let Some(window) = web_sys::window() else {
        return Ok(());
    };
    let navigator = window.navigator();
    let has_workers =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !has_workers {
        return Ok(());
    }
    JsFuture::from(navigator.service_worker().register("/sw.js"))
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}
