//! What the browser keeps of its own across a sign-out's deletion of its database (its identity,
//! settings and pins), set aside in `localStorage` before the deletion is asked for. The browser
//! carries a deletion out even when the page that asked for it is gone (closed, or navigated
//! away while the deletion waited for another connection): whichever page of this release opens
//! the new database first writes these entries into it, and only then removes them here. The
//! old database is marked with the set-aside's token ([`MARKER`]), so that a page opening it
//! before the deletion leaves both alone. Nothing of an account is kept this way: the entries
//! are the ones the database itself keeps after the sign-out's wipe.

use serde::{Deserialize, Serialize};

use super::{Store, Write};

/// The key, in [`Store::Meta`], of the token that marks a database about to be deleted.
pub(super) const MARKER: &str = "deleting:token";

/// The `localStorage` key for the database called `database`.
fn key(database: &str) -> String {
    format!("strongroom.kept-across-sign-out:{database}")
}

#[derive(Serialize, Deserialize)]
struct SetAside {
    token: String,
    entries: Vec<Entry>,
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

/// Sets `writes` (their puts) aside for the database called `database`, which is marked with
/// `token`. `false`: there is no `localStorage`, or it is full.
pub(super) fn set_aside(database: &str, token: &str, writes: &[Write]) -> bool {
    let entries = writes
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
    let set_aside = SetAside {
        token: token.to_owned(),
        entries,
    };
    let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(&set_aside)) else {
        return false;
    };
    storage.set_item(&key(database), &text).is_ok()
}

/// What was set aside for the database called `database`, with the token that marks the
/// database it came from (nothing, when what is there does not read).
pub(super) fn set_aside_for(database: &str) -> Option<(String, Vec<Write>)> {
    let text = local_storage()?.get_item(&key(database)).ok().flatten()?;
    let set_aside = serde_json::from_str::<SetAside>(&text).ok()?;
    let writes = set_aside
        .entries
        .into_iter()
        .filter_map(|e| {
            let store = Store::ALL.into_iter().find(|s| s.name() == e.store)?;
            Some(Write::Put(store, e.key, e.value))
        })
        .collect();
    Some((set_aside.token, writes))
}

/// Forgets what was set aside for the database called `database`.
pub(super) fn forget(database: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&key(database));
    }
}
