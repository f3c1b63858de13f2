//! Copying to the clipboard, and clearing a copied secret after the delay this browser's
//! preferences choose (only if the clipboard still holds it when the browser lets us check;
//! otherwise it is overwritten with nothing).

use wasm_bindgen_futures::JsFuture;

/// Why copying failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipboardError {
    /// The browser refused (no permission, page not focused, insecure context).
    #[error("The browser did not allow copying. Click the page and try again.")]
    Refused,
}

fn clipboard() -> Option<web_sys::Clipboard> {
    web_sys::window().map(|w| w.navigator().clipboard())
}

/// Writes `text` to the clipboard.
pub async fn copy(text: &str) -> Result<(), ClipboardError> {
    let clipboard = clipboard().ok_or(ClipboardError::Refused)?;
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| ClipboardError::Refused)
}

/// Clears the clipboard after `seconds` (0: never) if it still holds `text`.
pub async fn clear_later(text: String, seconds: u32) {
    if seconds == 0 {
        return;
    }
    gloo_timers::future::TimeoutFuture::new(seconds.saturating_mul(1000)).await;
    let Some(clipboard) = clipboard() else {
        return;
    };
    let still_ours = match JsFuture::from(clipboard.read_text()).await {
        Ok(value) => value.as_string().is_some_and(|v| v == text),
        // Reading needs a permission; without it, clear anyway rather than leave a secret.
        Err(_) => true,
    };
    if still_ours {
        let _ = JsFuture::from(clipboard.write_text("")).await;
    }
}
