//! The browser's local store, behind a repository trait: [`IndexedDbCache`] in the browser
//! (rexie over IndexedDB) and [`MemoryCache`] for native tests. Values are opaque bytes; anything
//! secret is sealed by `wasm-crypto` before it reaches the cache.
//!
//! Adding an object store: add a [`Store`] variant and raise [`SCHEMA_VERSION`] so browsers that
//! already have the database create the new store on upgrade.

mod indexed_db;
mod kept;
mod memory;
mod segments;
#[cfg(all(test, target_arch = "wasm32"))]
mod tabs_tests;

pub use indexed_db::{IndexedDbCache, OPEN_PATIENCE_MS};
pub(crate) use kept::local_storage;
pub use memory::MemoryCache;

/// The IndexedDB database name.
pub const DATABASE_NAME: &str = "strongroom";
/// The IndexedDB schema version: raise it whenever a store is added. (4: records kept as
/// segments of many records, in a store of their own; 5: the shares' lists and wrappings.)
pub const SCHEMA_VERSION: u32 = 5;

/// The object stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Store {
    /// Small records about this browser itself (its device id and usage).
    Meta,
    /// The signed-in account's encrypted key bundle (for offline unlock) and the key-derivation
    /// settings last used per email (so a server cannot lower them silently).
    Account,
    /// Vault records exactly as the server keeps them (sealed), by local key: `i:{item}`,
    /// `f:{folder}`, `h:{item}:{version}` (so an item's past versions are one key range), and
    /// `t:{record}` for the tombstone of a record deleted on the server. In IndexedDB they are
    /// kept as segments of many records (`segments.rs`).
    Records,
    /// Changes made here and not yet accepted by the server, by record id.
    Outbox,
    /// Per profile, this browser's sealed index of its items and folders (what the list and
    /// search need), so opening the vault does not open every record.
    Index,
    /// Per share this browser opened, by share id: its signed lists, its wrapped keys and its
    /// sealed name as last verified, so it opens offline and is the pin a later list must follow.
    Sharing,
}

impl Store {
    /// Every store, for creating the database.
    pub const ALL: [Store; 6] = [
        Store::Meta,
        Store::Account,
        Store::Records,
        Store::Outbox,
        Store::Index,
        Store::Sharing,
    ];

    /// The object store's name in IndexedDB.
    pub fn name(self) -> &'static str {
        match self {
            Store::Meta => "meta",
            Store::Account => "account",
            Store::Records => "records",
            Store::Outbox => "outbox",
            Store::Index => "index",
            Store::Sharing => "sharing",
        }
    }
}

/// Why the local store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// IndexedDB is missing or refused (private mode, storage disabled, quota).
    #[error(
        "This browser's storage is not available ({0}). Strongroom needs IndexedDB: leave private browsing or allow site data, then reload."
    )]
    Unavailable(String),
    /// A stored value could not be read back.
    #[error("A record stored in this browser is damaged ({0}).")]
    Corrupt(String),
    /// A newer Strongroom, open in another tab, upgraded this browser's store: this tab's code
    /// no longer knows it. Everything saved stays; the tab needs the new code.
    #[error(
        "Strongroom was updated in another tab, and this tab still runs the older version. Reload this tab to go on: everything you saved is kept."
    )]
    Superseded,
}

/// What the browser's store is doing, when it is not simply working: for the page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageState {
    /// Open and working (again).
    Ready,
    /// Waiting to upgrade the store, which another tab still holds open with an older version
    /// of Strongroom: it goes on by itself once that tab closes (or reloads).
    Waiting,
    /// A newer Strongroom in another tab upgraded the store ([`CacheError::Superseded`]).
    Superseded,
}

/// One write of an atomic [`Cache::write`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Store `value` under `key`, replacing any.
    Put(Store, String, Vec<u8>),
    /// Remove `key` (no error if there is none).
    Delete(Store, String),
    /// Remove every record of the store, leaving nothing of them behind.
    Clear(Store),
}

impl Write {
    /// The store written to.
    pub fn store(&self) -> Store {
        match self {
            Write::Put(store, ..) | Write::Delete(store, _) | Write::Clear(store) => *store,
        }
    }
}

/// A key-value store of byte records, one namespace per [`Store`].
// The app runs on the browser's single thread, so these futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Cache {
    /// The record under `key`, if any.
    async fn get(&self, store: Store, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// The records under `keys`, in the same order, read together (one read per segment
    /// bucket for the records store, not one per key).
    async fn get_many(
        &self,
        store: Store,
        keys: &[String],
    ) -> Result<Vec<Option<Vec<u8>>>, CacheError>;
    /// Writes the record under `key`, replacing any.
    async fn put(&self, store: Store, key: &str, value: &[u8]) -> Result<(), CacheError>;
    /// Removes the record under `key` (no error if there is none).
    async fn delete(&self, store: Store, key: &str) -> Result<(), CacheError>;
    /// Every key in `store`, in key order.
    async fn keys(&self, store: Store) -> Result<Vec<String>, CacheError>;
    /// Every record whose key starts with `prefix`, in key order.
    async fn get_prefix(
        &self,
        store: Store,
        prefix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, CacheError>;
    /// Applies every write or none (one transaction over the stores involved).
    async fn write(&self, writes: Vec<Write>) -> Result<(), CacheError>;
    /// Deletes the whole store, so that nothing written so far lingers in the browser's files
    /// (clearing leaves old pages on disk until the browser compacts them), and starts an empty
    /// one holding only `keep` (the browser's own entries), written before any call reads it.
    /// `Ok(false)`: a connection still open (another tab's) holds the deletion up; it goes on,
    /// and `keep` is written, once that connection closes, while every call waits for it (also
    /// when this page is gone by then: `keep` is set aside in `localStorage` meanwhile, and the
    /// next page of this release to open the store writes it); so the caller empties the stores
    /// itself first.
    async fn destroy(&self, keep: Vec<Write>) -> Result<bool, CacheError>;
}

/// The first string after every string that starts with `prefix` (for key ranges).
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Behaviour every implementation must share; run against each one.
#[cfg(test)]
pub(crate) async fn check_contract(cache: &impl Cache) {
    assert_eq!(cache.get(Store::Meta, "a").await, Ok(None));
    cache.put(Store::Meta, "b", b"two").await.expect("put");
    cache.put(Store::Meta, "a", b"one").await.expect("put");
    assert_eq!(cache.get(Store::Meta, "a").await, Ok(Some(b"one".to_vec())));
    cache.put(Store::Meta, "a", b"uno").await.expect("put");
    assert_eq!(cache.get(Store::Meta, "a").await, Ok(Some(b"uno".to_vec())));
    assert_eq!(
        cache.keys(Store::Meta).await,
        Ok(vec!["a".to_owned(), "b".to_owned()])
    );
    cache.delete(Store::Meta, "a").await.expect("delete");
    cache
        .delete(Store::Meta, "missing")
        .await
        .expect("delete of a missing key");
    assert_eq!(cache.get(Store::Meta, "a").await, Ok(None));
    assert_eq!(cache.keys(Store::Meta).await, Ok(vec!["b".to_owned()]));

    cache
        .write(vec![
            Write::Put(Store::Records, "h:1:a".into(), b"x".to_vec()),
            Write::Put(Store::Records, "h:1:b".into(), b"y".to_vec()),
            Write::Put(Store::Records, "h:10:c".into(), b"z".to_vec()),
            Write::Put(Store::Outbox, "1".into(), b"o".to_vec()),
            Write::Delete(Store::Meta, "b".into()),
        ])
        .await
        .expect("write");
    assert_eq!(
        cache.get_prefix(Store::Records, "h:1:").await,
        Ok(vec![
            ("h:1:a".to_owned(), b"x".to_vec()),
            ("h:1:b".to_owned(), b"y".to_vec())
        ])
    );
    assert_eq!(cache.get(Store::Outbox, "1").await, Ok(Some(b"o".to_vec())));
    assert_eq!(
        cache
            .get_many(
                Store::Records,
                &["h:10:c".into(), "h:1:x".into(), "h:1:a".into()]
            )
            .await,
        Ok(vec![Some(b"z".to_vec()), None, Some(b"x".to_vec())])
    );
    assert_eq!(cache.get_many(Store::Meta, &[]).await, Ok(vec![]));
    cache
        .write(vec![
            Write::Put(Store::Records, "i:old".into(), b"gone".to_vec()),
            Write::Clear(Store::Records),
            Write::Put(Store::Records, "i:new".into(), b"kept".to_vec()),
            Write::Put(Store::Meta, "m".into(), b"meta".to_vec()),
        ])
        .await
        .expect("clear");
    assert_eq!(
        cache.keys(Store::Records).await,
        Ok(vec!["i:new".to_owned()])
    );
    assert_eq!(cache.get(Store::Records, "h:1:a").await, Ok(None));
    assert_eq!(cache.get(Store::Outbox, "1").await, Ok(Some(b"o".to_vec())));
    cache
        .write(vec![
            Write::Clear(Store::Meta),
            Write::Clear(Store::Records),
        ])
        .await
        .expect("clear");
    assert_eq!(cache.keys(Store::Meta).await, Ok(vec![]));
    assert_eq!(cache.keys(Store::Records).await, Ok(vec![]));
    assert_eq!(cache.get(Store::Meta, "b").await, Ok(None));
    // Destroyed, nothing is left in any store, and the next write starts an empty store.
    for store in Store::ALL {
        cache.put(store, "left", b"behind").await.expect("put");
    }
    let keep = vec![Write::Put(
        Store::Account,
        "kept".to_owned(),
        b"pin".to_vec(),
    )];
    assert_eq!(cache.destroy(keep).await, Ok(true));
    for store in Store::ALL {
        let expected = if store == Store::Account {
            vec!["kept".to_owned()]
        } else {
            vec![]
        };
        assert_eq!(cache.keys(store).await, Ok(expected), "{store:?}");
    }
    assert_eq!(
        cache.get(Store::Account, "kept").await,
        Ok(Some(b"pin".to_vec()))
    );
    cache
        .put(Store::Meta, "after", b"new")
        .await
        .expect("put after destroy");
    assert_eq!(cache.keys(Store::Meta).await, Ok(vec!["after".to_owned()]));
}
