//! The browser's local store, behind a repository trait: [`IndexedDbCache`] in the browser
//! (rexie over IndexedDB) and [`MemoryCache`] for native tests. Values are opaque bytes; anything
//! secret is sealed by `wasm-crypto` before it reaches the cache.
//!
//! Adding an object store: add a [`Store`] variant and raise [`SCHEMA_VERSION`] so browsers that
//! already have the database create the new store on upgrade.

mod indexed_db;
mod memory;

pub use indexed_db::IndexedDbCache;
pub use memory::MemoryCache;

/// The IndexedDB database name.
pub const DATABASE_NAME: &str = "strongroom";
/// The IndexedDB schema version: raise it whenever a store is added.
pub const SCHEMA_VERSION: u32 = 2;

/// The object stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Store {
    /// Small records about this browser itself (its device id and usage).
    Meta,
    /// The signed-in account's encrypted key bundle (for offline unlock) and the key-derivation
    /// settings last used per email (so a server cannot lower them silently).
    Account,
}

impl Store {
    /// Every store, for creating the database.
    pub const ALL: [Store; 2] = [Store::Meta, Store::Account];

    /// The object store's name in IndexedDB.
    pub fn name(self) -> &'static str {
        match self {
            Store::Meta => "meta",
            Store::Account => "account",
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
}

/// A key-value store of byte records, one namespace per [`Store`].
// The app runs on the browser's single thread, so these futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Cache {
    /// The record under `key`, if any.
    async fn get(&self, store: Store, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Writes the record under `key`, replacing any.
    async fn put(&self, store: Store, key: &str, value: &[u8]) -> Result<(), CacheError>;
    /// Removes the record under `key` (no error if there is none).
    async fn delete(&self, store: Store, key: &str) -> Result<(), CacheError>;
    /// Every key in `store`, in key order.
    async fn keys(&self, store: Store) -> Result<Vec<String>, CacheError>;
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
}
