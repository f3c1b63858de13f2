//! The [`Cache`] over IndexedDB, through rexie. The database is opened on first use and kept
//! open; each call is one transaction. The records store is kept as segments of many records
//! each (see `segments.rs`); the other stores hold one value per key.
//!
//! Several tabs share the database, and they may run different releases:
//! - A tab that opens it at a newer schema version makes every other tab's connection close
//!   (rexie closes it on `versionchange`). That tab's next call finds its connection closed and
//!   opens the database again: a database deleted meanwhile (a sign-out elsewhere) is made
//!   anew; a newer one is [`CacheError::Superseded`], and the page asks to reload.
//! - An older release's tab that keeps its connection blocks the upgrade. The upgrade then
//!   waits for it; after [`OPEN_PATIENCE_MS`] the page is told ([`StorageState::Waiting`]) to
//!   ask the person to close that tab, and the upgrade goes on by itself once it is closed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use futures_util::FutureExt;
use futures_util::future::{Either, LocalBoxFuture, Shared, join, select};
use gloo_timers::future::TimeoutFuture;
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

use super::kept;
use super::segments::{self, Entries, Plan};
use super::{
    Cache, CacheError, DATABASE_NAME, SCHEMA_VERSION, StorageState, Store, Write, prefix_end,
};

/// How long opening the database may take before the page is told it is waiting for another
/// tab. Opening takes milliseconds otherwise, upgrades included.
pub const OPEN_PATIENCE_MS: u32 = 1_500;

/// The object store that holds [`Store::Records`] as segments. The store named after
/// [`Store::Records`] held one value per record before (schema 3); its records are moved here
/// when the database is opened, and it stays empty.
const SEGMENTS: &str = "record_segments";

/// Who is told of [`StorageState`] changes.
type Watcher = Rc<dyn Fn(StorageState)>;

/// Entries to write into the next database, and the token marking the one they come from.
type Pending = (String, Vec<Write>);

/// Opening the database, once for every call that waits for it.
type Opening = Shared<LocalBoxFuture<'static, Result<Rc<Rexie>, CacheError>>>;

/// IndexedDB-backed cache. Cheap to clone: clones share one open database.
#[derive(Clone)]
pub struct IndexedDbCache {
    name: Rc<str>,
    db: Rc<RefCell<Option<Rc<Rexie>>>>,
    /// The open under way: every call that needs the database waits for this one, so that only
    /// one connection is made, and none gets it before `restore` is written.
    opening: Rc<RefCell<Option<Opening>>>,
    /// Written into the database by the next open, before any call of this page gets it, unless
    /// it is the database they were set aside from (marked with the token): the browser's own
    /// entries, kept across a deletion ([`Cache::destroy`]). Also in `localStorage` (`kept.rs`).
    restore: Rc<RefCell<Option<Pending>>>,
    watcher: Rc<RefCell<Option<Watcher>>>,
    /// Set when the page is about to be replaced ([`IndexedDbCache::open_no_more`]).
    retired: Rc<std::cell::Cell<bool>>,
}

impl Default for IndexedDbCache {
    /// The app's database, [`DATABASE_NAME`].
    fn default() -> Self {
        Self::named(DATABASE_NAME)
    }
}

fn unavailable(e: rexie::Error) -> CacheError {
    match exception_name(&e).as_deref() {
        // Opening at this code's version failed because the database is at a newer one.
        Some("VersionError") => CacheError::Superseded,
        Some(name) => CacheError::Unavailable(format!("{e}: {name}")),
        None => CacheError::Unavailable(e.to_string()),
    }
}

/// The name of the DOM exception behind a rexie error (e.g. `InvalidStateError`), if any.
fn exception_name(e: &rexie::Error) -> Option<String> {
    let rexie::Error::IdbError(e) = e else {
        return None;
    };
    let value = match e {
        idb::Error::DomException(exception) => return Some(exception.name()),
        idb::Error::TransactionOpenFailed(value) | idb::Error::IndexedDbOpenFailed(value) => value,
        _ => return None,
    };
    value
        .dyn_ref::<web_sys::DomException>()
        .map(web_sys::DomException::name)
}

impl IndexedDbCache {
    /// The database called `name` (tests use their own).
    pub fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            db: Rc::default(),
            opening: Rc::default(),
            restore: Rc::default(),
            watcher: Rc::default(),
            retired: Rc::default(),
        }
    }

    /// Tells `watcher` whenever the store starts waiting for another tab, works again, or was
    /// upgraded by a newer release elsewhere (replacing any earlier watcher).
    pub fn watch(&self, watcher: impl Fn(StorageState) + 'static) {
        *self.watcher.borrow_mut() = Some(Rc::new(watcher));
    }

    fn tell(&self, state: StorageState) {
        let watcher = self.watcher.borrow().clone();
        if let Some(watcher) = watcher {
            watcher(state);
        }
    }

    /// Opens no database from now on (calls fail): this page is being replaced after a sign-out
    /// in another tab, and nothing it still had under way may write into the new database that
    /// sign-out's deletion makes.
    pub fn open_no_more(&self) {
        self.retired.set(true);
    }

    async fn db(&self) -> Result<Rc<Rexie>, CacheError> {
        if let Some(db) = self.db.borrow().as_ref() {
            return Ok(db.clone());
        }
        if self.retired.get() {
            return Err(CacheError::Unavailable(
                "this page is signed out and reloading".to_owned(),
            ));
        }
        let under_way = self.opening.borrow().clone();
        let opening = under_way.unwrap_or_else(|| {
            let this = self.clone();
            let opening = async move {
                let opened = this.open().await;
                this.opening.borrow_mut().take();
                if let Ok(db) = &opened {
                    *this.db.borrow_mut() = Some(db.clone());
                }
                opened
            }
            .boxed_local()
            .shared();
            *self.opening.borrow_mut() = Some(opening.clone());
            // Driven to the end even if every caller stops waiting: a connection left inside it
            // would never get the handler that closes it when another tab needs it to.
            wasm_bindgen_futures::spawn_local(opening.clone().map(|_| ()));
            opening
        });
        opening.await
    }

    /// Opens (or makes, or upgrades) the database, and writes what waits in `restore`.
    async fn open(&self) -> Result<Rc<Rexie>, CacheError> {
        let builder = Store::ALL.iter().fold(
            Rexie::builder(&self.name).version(SCHEMA_VERSION),
            |builder, store| builder.add_object_store(ObjectStore::new(store.name())),
        );
        let builder = builder.add_object_store(ObjectStore::new(SEGMENTS));
        let opening = Box::pin(builder.build());
        let opened = match select(opening, TimeoutFuture::new(OPEN_PATIENCE_MS)).await {
            Either::Left((opened, _)) => opened,
            Either::Right(((), opening)) => {
                // Blocked: a tab of an older release holds the database open.
                self.tell(StorageState::Waiting);
                let opened = opening.await;
                if opened.is_ok() {
                    self.tell(StorageState::Ready);
                }
                opened
            }
        };
        let db = match opened.map_err(unavailable) {
            Ok(db) => db,
            Err(e) => {
                if e == CacheError::Superseded {
                    self.tell(StorageState::Superseded);
                }
                return Err(e);
            }
        };
        // A connection given up on is closed: dropped, it would stay open unseen and hold up
        // another tab's upgrade, or a deletion, for good.
        if let Err(e) = move_records_into_segments(&db).await {
            db.close();
            return Err(e);
        }
        // What a sign-out kept of the browser goes into the new database its deletion left,
        // before any call of this page gets it: from this page, or set aside by a page that is
        // gone since. (Only this release does so: an older one's tab may open the new database
        // first; what it wrote there is then overwritten.)
        let pending = self.restore.borrow_mut().take();
        if let Some((token, writes)) = pending.or_else(|| kept::set_aside_for(&self.name)) {
            match restore_unless_marked(&db, &token, writes.clone()).await {
                Ok(true) => kept::forget(&self.name),
                // The database they were set aside from, its deletion still to come: the copy
                // in `localStorage` waits for the open after it.
                Ok(false) => {}
                Err(e) => {
                    *self.restore.borrow_mut() = Some((token, writes));
                    db.close();
                    return Err(e);
                }
            }
        }
        Ok(Rc::new(db))
    }

    /// Marks the database with a new token and sets `keep` aside with it, here and in
    /// `localStorage`, before a deletion is asked for (which the browser carries out even if
    /// this page goes): the next open of another database writes `keep` into it.
    pub(super) async fn set_aside(&self, keep: Vec<Write>) -> Result<(), CacheError> {
        if keep.is_empty() {
            kept::forget(&self.name);
            return Ok(());
        }
        let token = uuid::Uuid::now_v7().to_string();
        self.write(vec![Write::Put(
            Store::Meta,
            kept::MARKER.to_owned(),
            token.as_bytes().to_vec(),
        )])
        .await?;
        kept::set_aside(&self.name, &token, &keep);
        *self.restore.borrow_mut() = Some((token, keep));
        Ok(())
    }

    /// A transaction over `stores`. A connection closed under this tab (another tab upgraded
    /// or deleted the database) is dropped and the database opened again, once.
    async fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<rexie::Transaction, CacheError> {
        let db = self.db().await?;
        match db.transaction(stores, mode) {
            Err(e) if exception_name(&e).as_deref() == Some("InvalidStateError") => {
                self.db.borrow_mut().take();
                self.db()
                    .await?
                    .transaction(stores, mode)
                    .map_err(unavailable)
            }
            opened => opened.map_err(unavailable),
        }
    }

    /// The segments of one bucket, oldest first, or of every bucket (`None`).
    async fn segments(&self, bucket: Option<u32>) -> Result<Vec<Vec<u8>>, CacheError> {
        let tx = self
            .transaction(&[SEGMENTS], TransactionMode::ReadOnly)
            .await?;
        let range = bucket.map(bucket_range).transpose()?;
        let values = tx
            .store(SEGMENTS)
            .map_err(unavailable)?
            .get_all(range, None)
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        values.into_iter().map(|v| bytes_of(v, SEGMENTS)).collect()
    }
}

/// The physical object store of a store.
fn physical(store: Store) -> &'static str {
    match store {
        Store::Records => SEGMENTS,
        other => other.name(),
    }
}

fn bucket_range(bucket: u32) -> Result<KeyRange, CacheError> {
    let prefix = segments::bucket_prefix(bucket);
    KeyRange::bound(
        &JsValue::from_str(&prefix),
        &JsValue::from_str(&prefix_end(&prefix)),
        None,
        None,
    )
    .map_err(|e| CacheError::Unavailable(e.to_string()))
}

fn bytes_of(value: JsValue, key: &str) -> Result<Vec<u8>, CacheError> {
    value
        .dyn_into::<js_sys::Uint8Array>()
        .map(|array| array.to_vec())
        .map_err(|_| CacheError::Corrupt(format!("{key} is not a byte record")))
}

/// Writes record entries, grouped by bucket, into the segments store within a transaction
/// already open on it: one new segment per bucket, or one merged segment in place of a bucket's
/// segments when it has [`segments::MAX_SEGMENTS`]. Every bucket's reads, then every write, go
/// out at once.
async fn write_segments(
    store: &rexie::Store,
    buckets: BTreeMap<u32, Entries>,
) -> Result<(), CacheError> {
    let existing = futures_util::future::try_join_all(buckets.keys().map(|bucket| async move {
        let keys = store
            .get_all_keys(Some(bucket_range(*bucket)?), None)
            .await
            .map_err(unavailable)?;
        keys.into_iter()
            .map(|k| {
                k.as_string()
                    .ok_or_else(|| CacheError::Corrupt("a key is not text".to_owned()))
            })
            .collect::<Result<Vec<String>, CacheError>>()
    }))
    .await?;
    let plans = buckets
        .into_iter()
        .zip(existing)
        .map(|((bucket, entries), existing)| {
            Ok((Plan::new(bucket, &existing)?, bucket, entries, existing))
        })
        .collect::<Result<Vec<_>, CacheError>>()?;
    let writes = plans
        .into_iter()
        .map(|(plan, bucket, entries, existing)| async move {
            let segment = if plan.merge {
                let old = store
                    .get_all(Some(bucket_range(bucket)?), None)
                    .await
                    .map_err(unavailable)?
                    .into_iter()
                    .map(|v| bytes_of(v, SEGMENTS))
                    .collect::<Result<Vec<_>, _>>()?;
                // Merged before anything is removed: a damaged segment fails the write whole.
                let merged = segments::merged(&old, entries)?;
                futures_util::future::try_join_all(
                    existing
                        .iter()
                        .map(|key| store.delete(JsValue::from_str(key))),
                )
                .await
                .map_err(unavailable)?;
                merged
            } else {
                segments::encode(&entries)?
            };
            let value = JsValue::from(js_sys::Uint8Array::from(segment.as_slice()));
            store
                .put(&value, Some(&JsValue::from_str(&plan.key)))
                .await
                .map_err(unavailable)?;
            Ok::<(), CacheError>(())
        });
    futures_util::future::try_join_all(writes).await?;
    Ok(())
}

/// Record writes in order, grouped by bucket (a later write of a key replaces an earlier one).
fn by_bucket<'a>(
    writes: impl IntoIterator<Item = (&'a str, Option<&'a [u8]>)>,
) -> BTreeMap<u32, Entries> {
    let mut buckets: BTreeMap<u32, Entries> = BTreeMap::new();
    for (key, value) in writes {
        buckets
            .entry(segments::bucket_of(key))
            .or_default()
            .insert(key.to_owned(), value.map(<[u8]>::to_vec));
    }
    buckets
}

/// Moves records kept one per value (schema 3) into segments, in one transaction.
async fn move_records_into_segments(db: &Rexie) -> Result<(), CacheError> {
    let old_name = Store::Records.name();
    let tx = db
        .transaction(&[old_name, SEGMENTS], TransactionMode::ReadWrite)
        .map_err(unavailable)?;
    let old = tx.store(old_name).map_err(unavailable)?;
    if old.count(None).await.map_err(unavailable)? > 0 {
        let keys = old.get_all_keys(None, None).await.map_err(unavailable)?;
        let values = old.get_all(None, None).await.map_err(unavailable)?;
        let records = keys
            .into_iter()
            .zip(values)
            .map(|(k, v)| {
                let key = k
                    .as_string()
                    .ok_or_else(|| CacheError::Corrupt("a key is not text".to_owned()))?;
                let value = bytes_of(v, &key)?;
                Ok((key, value))
            })
            .collect::<Result<Vec<_>, CacheError>>()?;
        let buckets = by_bucket(
            records
                .iter()
                .map(|(k, v)| (k.as_str(), Some(v.as_slice()))),
        );
        let moved = async {
            write_segments(&tx.store(SEGMENTS).map_err(unavailable)?, buckets).await?;
            old.clear().await.map_err(unavailable)
        };
        if let Err(e) = moved.await {
            let _ = tx.abort().await;
            return Err(e);
        }
    }
    committed(tx).await
}

async fn committed(tx: rexie::Transaction) -> Result<(), CacheError> {
    if tx.done().await.map_err(unavailable)?.is_committed() {
        Ok(())
    } else {
        Err(CacheError::Unavailable(
            "the browser did not keep a write to its storage".to_owned(),
        ))
    }
}

impl Cache for IndexedDbCache {
    async fn destroy(&self, keep: Vec<Write>) -> Result<bool, CacheError> {
        // An open under way ends first, so that its connection is the one held below, and the
        // open below a new request, queued behind the deletion.
        let under_way = self.opening.borrow().clone();
        if let Some(opening) = under_way {
            let _ = opening.await;
        }
        self.set_aside(keep).await?;
        // Every connection rexie opens closes itself on `versionchange`, which the deletion
        // fires, this tab's included, as long as it is held (dropping it drops that handler
        // and leaves the connection open until collected).
        let held = self.db.borrow_mut().take();
        let name = self.name.clone();
        let this = self.clone();
        // The deletion's request goes out first and the new database's right behind it (`join`
        // polls them in that order), ahead of this page's other calls and of any other tab's
        // opened after now: the browser runs them in that order, and the open writes `keep`
        // before any call of this page gets the database.
        let mut renewing = Box::pin(join(
            async move { Rexie::delete(&name).await },
            async move { this.db().await },
        ));
        let outcome = select(renewing.as_mut(), TimeoutFuture::new(OPEN_PATIENCE_MS)).await;
        match outcome {
            Either::Left(((deleted, opened), _)) => {
                drop(held);
                deleted.map_err(unavailable)?;
                opened.map(|_| true)
            }
            // A connection still open holds the deletion up (an older release's tab, or this
            // page's until the browser collects it): it goes on by itself once that closes.
            // This page's stays held until then, so that it lets go when told.
            Either::Right(_) => {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = renewing.await;
                    drop(held);
                });
                Ok(false)
            }
        }
    }

    async fn get(&self, store: Store, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        if store == Store::Records {
            let segments = self.segments(Some(segments::bucket_of(key))).await?;
            return segments::find(&segments, key);
        }
        let tx = self
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .await?;
        let value = tx
            .store(store.name())
            .map_err(unavailable)?
            .get(JsValue::from_str(key))
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        value.map(|v| bytes_of(v, key)).transpose()
    }

    async fn get_many(
        &self,
        store: Store,
        keys: &[String],
    ) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let name = physical(store);
        let tx = self.transaction(&[name], TransactionMode::ReadOnly).await?;
        let object_store = tx.store(name).map_err(unavailable)?;
        let found = if store == Store::Records {
            let buckets: std::collections::BTreeSet<u32> =
                keys.iter().map(|k| segments::bucket_of(k)).collect();
            let read = futures_util::future::try_join_all(buckets.iter().map(|bucket| {
                let object_store = &object_store;
                async move {
                    let values = object_store
                        .get_all(Some(bucket_range(*bucket)?), None)
                        .await
                        .map_err(unavailable)?;
                    let segments = values
                        .into_iter()
                        .map(|v| bytes_of(v, SEGMENTS))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok::<_, CacheError>((*bucket, segments))
                }
            }))
            .await?
            .into_iter()
            .collect::<BTreeMap<u32, Vec<Vec<u8>>>>();
            let live = read
                .into_iter()
                .map(|(bucket, segments)| Ok((bucket, segments::live(&segments)?)))
                .collect::<Result<BTreeMap<u32, _>, CacheError>>()?;
            keys.iter()
                .map(|key| {
                    live.get(&segments::bucket_of(key))
                        .and_then(|records| records.get(key).cloned())
                })
                .collect()
        } else {
            let values = futures_util::future::try_join_all(
                keys.iter()
                    .map(|key| object_store.get(JsValue::from_str(key))),
            )
            .await
            .map_err(unavailable)?;
            keys.iter()
                .zip(values)
                .map(|(key, value)| value.map(|v| bytes_of(v, key)).transpose())
                .collect::<Result<Vec<_>, _>>()?
        };
        tx.done().await.map_err(unavailable)?;
        Ok(found)
    }

    async fn put(&self, store: Store, key: &str, value: &[u8]) -> Result<(), CacheError> {
        self.write(vec![Write::Put(store, key.to_owned(), value.to_vec())])
            .await
    }

    async fn delete(&self, store: Store, key: &str) -> Result<(), CacheError> {
        self.write(vec![Write::Delete(store, key.to_owned())]).await
    }

    async fn keys(&self, store: Store) -> Result<Vec<String>, CacheError> {
        if store == Store::Records {
            return segments::live_keys(&self.segments(None).await?);
        }
        let tx = self
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .await?;
        let keys = tx
            .store(store.name())
            .map_err(unavailable)?
            .get_all_keys(None, None)
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        keys.into_iter()
            .map(|k| {
                k.as_string()
                    .ok_or_else(|| CacheError::Corrupt("a key is not text".to_owned()))
            })
            .collect()
    }

    async fn get_prefix(
        &self,
        store: Store,
        prefix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        if store == Store::Records {
            let segments = self.segments(segments::bucket_of_prefix(prefix)).await?;
            let live = segments::live(&segments)?;
            return Ok(live
                .into_iter()
                .filter(|(key, _)| key.starts_with(prefix))
                .collect());
        }
        let tx = self
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .await?;
        let range = KeyRange::bound(
            &JsValue::from_str(prefix),
            &JsValue::from_str(&prefix_end(prefix)),
            None,
            None,
        )
        .map_err(|e| CacheError::Unavailable(e.to_string()))?;
        let store = tx.store(store.name()).map_err(unavailable)?;
        let keys = store
            .get_all_keys(Some(range.clone()), None)
            .await
            .map_err(unavailable)?;
        let values = store
            .get_all(Some(range), None)
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        keys.into_iter()
            .zip(values)
            .map(|(k, v)| {
                let key = k
                    .as_string()
                    .ok_or_else(|| CacheError::Corrupt("a key is not text".to_owned()))?;
                let bytes = bytes_of(v, &key)?;
                Ok((key, bytes))
            })
            .collect()
    }

    async fn write(&self, writes: Vec<Write>) -> Result<(), CacheError> {
        if writes.is_empty() {
            return Ok(());
        }
        let tx = self
            .transaction(&scope(&writes), TransactionMode::ReadWrite)
            .await?;
        write_in(tx, writes).await
    }
}

/// Writes `writes` unless `db` is the database marked with `token` (they were set aside from it,
/// and it is still to be deleted): `Ok(false)`, nothing written. One transaction: no other write
/// comes in between.
async fn restore_unless_marked(
    db: &Rexie,
    token: &str,
    writes: Vec<Write>,
) -> Result<bool, CacheError> {
    let meta = Store::Meta.name();
    let mut names = scope(&writes);
    if !names.contains(&meta) {
        names.push(meta);
    }
    let tx = db
        .transaction(&names, TransactionMode::ReadWrite)
        .map_err(unavailable)?;
    let marker = tx
        .store(meta)
        .map_err(unavailable)?
        .get(JsValue::from_str(kept::MARKER))
        .await
        .map_err(unavailable)?;
    let marked = marker
        .map(|v| bytes_of(v, kept::MARKER))
        .transpose()?
        .is_some_and(|found| found == token.as_bytes());
    if marked {
        committed(tx).await?;
        return Ok(false);
    }
    write_in(tx, writes).await.map(|()| true)
}

/// The object stores `writes` touch.
fn scope(writes: &[Write]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = writes.iter().map(|w| physical(w.store())).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Applies `writes` (all or none) in `tx`, a read-write transaction over their [`scope`].
async fn write_in(tx: rexie::Transaction, writes: Vec<Write>) -> Result<(), CacheError> {
    let names = scope(&writes);
    let stores = names
        .iter()
        .map(|name| Ok((*name, tx.store(name).map_err(unavailable)?)))
        .collect::<Result<BTreeMap<_, _>, CacheError>>()?;
    // Records: what follows the last clearing of the store, by bucket.
    let (cleared, after) = match writes
        .iter()
        .rposition(|w| matches!(w, Write::Clear(Store::Records)))
    {
        Some(at) => (true, &writes[at + 1..]),
        None => (false, writes.as_slice()),
    };
    let records = by_bucket(after.iter().filter_map(|w| match w {
        Write::Put(Store::Records, key, value) => Some((key.as_str(), Some(value.as_slice()))),
        Write::Delete(Store::Records, key) => Some((key.as_str(), None)),
        _ => None,
    }));
    // The other stores' requests are issued at once, in order (the runs are polled
    // together on the first poll), and IndexedDB runs them in that order. Consecutive puts
    // into one store go out as one run that listens only to its last request. A failed
    // request aborts the transaction, which fails its later requests and the transaction.
    let mut runs: Vec<LocalBoxFuture<'_, rexie::Result<()>>> = Vec::new();
    let mut rest: Vec<&Write> = writes
        .iter()
        .filter(|w| w.store() != Store::Records)
        .collect();
    while let Some(first) = rest.first() {
        let store = &stores[first.store().name()];
        match first {
            Write::Put(name, ..) => {
                let len = rest
                    .iter()
                    .take_while(|w| matches!(w, Write::Put(s, ..) if s == name))
                    .count();
                let run: Vec<&Write> = rest.drain(..len).collect();
                let values = run.into_iter().filter_map(|w| match w {
                    Write::Put(_, key, value) => Some((
                        JsValue::from(js_sys::Uint8Array::from(value.as_slice())),
                        Some(JsValue::from_str(key)),
                    )),
                    _ => None,
                });
                runs.push(Box::pin(store.put_all(values)));
            }
            Write::Delete(_, key) => {
                runs.push(Box::pin(store.delete(JsValue::from_str(key))));
                rest.remove(0);
            }
            Write::Clear(_) => {
                runs.push(Box::pin(store.clear()));
                rest.remove(0);
            }
        }
    }
    let others = async {
        futures_util::future::try_join_all(runs)
            .await
            .map_err(unavailable)
    };
    let records = async {
        let Some(store) = stores.get(SEGMENTS) else {
            return Ok(());
        };
        if cleared {
            store.clear().await.map_err(unavailable)?;
        }
        if records.is_empty() {
            return Ok(());
        }
        write_segments(store, records).await
    };
    if let Err(e) = futures_util::future::try_join(others, records).await {
        // Nothing of a failed write may be kept: IndexedDB would commit the requests that
        // succeeded once none is pending.
        let _ = tx.abort().await;
        return Err(e);
    }
    committed(tx).await
}

/// The cache against Chromium's IndexedDB (`indexed_db_tests.rs`).
#[cfg(all(test, target_arch = "wasm32"))]
#[path = "indexed_db_tests.rs"]
mod browser_tests;
