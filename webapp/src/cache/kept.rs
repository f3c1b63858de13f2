//! What the browser keeps of its own across a sign-out's deletion of its database (its identity,
//! settings and pins), set aside in `localStorage` before the deletion is asked for. The browser
//! carries a deletion out even when the page that asked for it is gone (closed, or navigated
//! away while the deletion waited for another connection): whichever page of this release opens
//! the new, empty database first writes these entries into it, and only then removes them here.
//! Nothing of an account is kept this way: the entries are the ones the database itself keeps
//! after the sign-out's wipe.

use serde::{Deserialize, Serialize};

use super::{Store, Write};

/// The `localStorage` key for the database called `database`.
fn key(database: &str) -> String {
    format!("strongroom.kept-across-sign-out:{database}")
}

#[derive(Serialize, Deserialize)]
struct Entry {
    store: String,
    key: String,
    value: Vec<u8>,
}

/// This page's `localStorage`, when the browser allows it.
pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?.local_storage().ok().flatten()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Sets `writes` (their puts) aside for the database called `database`. `false`: there is no
/// `localStorage`, or it is full.
pub(super) fn set_aside(database: &str, writes: &[Write]) -> bool {
    let entries: Vec<Entry> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Put(store, key, value) => Some(Entry {
                store: store.name().to_owned(),
                key: key.clone(),
                value: value.clone(),
            }),
            _ => None,
        })
        .collect();
    let Some(storage) = local_storage() else {
        return false;
    };
    if entries.is_empty() {
        return storage.remove_item(&key(database)).is_ok();
    }
    let Ok(text) = serde_json::to_string(&entries) else {
        return false;
    };
    storage.set_item(&key(database), &text).is_ok()
}

/// What was set aside for the database called `database` (nothing, when what is there does not
/// read).
pub(super) fn set_aside_for(database: &str) -> Vec<Write> {
    let Some(text) = local_storage().and_then(|s| s.get_item(&key(database)).ok().flatten()) else {
        return Vec::new();
    };
    serde_json::from_str::<Vec<Entry>>(&text)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            let store = Store::ALL.into_iter().find(|s| s.name() == e.store)?;
            Some(Write::Put(store, e.key, e.value))
        })
        .collect()
}

/// Forgets what was set aside for the database called `database`.
pub(super) fn forget(database: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&key(database));
    }
}
