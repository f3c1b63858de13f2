//! Telling this browser's other open tabs that the account signed out here. Each then drops its
//! keys and shows the sign-in page, so that no tab keeps the vault open, or syncs it back into
//! the storage the sign-out just wiped (which a session the server failed to end would allow).
//! Over a `BroadcastChannel`, which reaches every channel of the origin but the one that posts,
//! this tab's own listener included: a message names the tab that sent it, and only the others
//! reload.

/// The channel's name.
#[cfg(target_arch = "wasm32")]
const CHANNEL: &str = "strongroom-session";
/// The message a sign-out posts, followed by the sending tab's id.
#[cfg(target_arch = "wasm32")]
const SIGNED_OUT: &str = "signed-out:";

/// This tab's id, made when the page loads.
#[cfg(target_arch = "wasm32")]
fn this_tab() -> &'static str {
    static TAB: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TAB.get_or_init(|| uuid::Uuid::now_v7().to_string())
}

/// Tells the other tabs that the account signed out here.
pub fn announce_signed_out() {
    #[cfg(target_arch = "wasm32")]
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        // Delivered to the other tabs when posted: closing the sender afterwards loses nothing.
        if channel
            .post_message(&wasm_bindgen::JsValue::from_str(&format!(
                "{SIGNED_OUT}{}",
                this_tab()
            )))
            .is_err()
        {
            leptos::logging::warn!("the other tabs could not be told of the sign-out");
        }
        channel.close();
    }
}

/// Signs this tab out (`status` becomes signed out: the keys are dropped, the vault closes, and
/// the sign-in page loads afresh) when another tab announces a sign-out; until the page is
/// replaced, `cache` opens no database any more, so that nothing this tab still had under way
/// reaches the one the sign-out's deletion makes anew. Called once, for the page's lifetime.
pub fn follow_sign_outs(
    status: leptos::prelude::RwSignal<crate::services::auth::AuthStatus>,
    cache: crate::cache::IndexedDbCache,
) {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::prelude::Set;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
            leptos::logging::warn!("this tab cannot hear of sign-outs in other tabs");
            return;
        };
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let message = event.data().as_string().unwrap_or_default();
                let Some(tab) = message.strip_prefix(SIGNED_OUT) else {
                    return;
                };
                // This tab's own word (its listener hears it too) leaves the signed-in pages
                // before the wipe, so that nothing on them holds the storage being deleted.
                status.set(crate::services::auth::AuthStatus::SignedOut);
                if tab != this_tab() {
                    cache.open_no_more();
                    // A fresh page: whatever this tab had under way (a sync writing into the
                    // storage being wiped) ends with it, and nothing of the vault stays in its
                    // memory.
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().replace("/login");
                    }
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Both live as long as the page.
        on_message.forget();
        std::mem::forget(channel);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (status, cache);
}
