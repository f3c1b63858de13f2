//! Telling this browser's other open tabs that the account signed out here. Each then drops its
//! keys and shows the sign-in page, so that no tab keeps the vault open, or syncs it back into
//! the storage the sign-out just wiped (which a session the server failed to end would allow).
//! Over a `BroadcastChannel`, which reaches every other tab of the origin, not the sender.

/// The channel's name.
#[cfg(target_arch = "wasm32")]
const CHANNEL: &str = "strongroom-session";
/// The message a sign-out posts.
#[cfg(target_arch = "wasm32")]
const SIGNED_OUT: &str = "signed-out";

/// Tells the other tabs that the account signed out here.
pub fn announce_signed_out() {
    #[cfg(target_arch = "wasm32")]
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        // Delivered to the other tabs when posted: closing the sender afterwards loses nothing.
        if channel
            .post_message(&wasm_bindgen::JsValue::from_str(SIGNED_OUT))
            .is_err()
        {
            leptos::logging::warn!("the other tabs could not be told of the sign-out");
        }
        channel.close();
    }
}

/// Signs this tab out (`status` becomes signed out: the keys are dropped, the vault closes)
/// when another tab announces a sign-out. Called once, for the page's lifetime.
pub fn follow_sign_outs(status: leptos::prelude::RwSignal<crate::services::auth::AuthStatus>) {
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
                if event.data().as_string().as_deref() == Some(SIGNED_OUT) {
                    status.set(crate::services::auth::AuthStatus::SignedOut);
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Both live as long as the page.
        on_message.forget();
        std::mem::forget(channel);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = status;
}
