//! Several tabs on one IndexedDB database, in Chromium: a newer release upgrading it under
//! this tab, an older release's tab blocking this tab's upgrade, and a sign-out elsewhere
//! deleting it.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{
    Cache, CacheError, IndexedDbCache, OPEN_PATIENCE_MS, SCHEMA_VERSION, StorageState, Store, Write,
};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn fresh_name(what: &str) -> String {
    format!("tabs-{what}-{}", js_sys::Math::random())
}

/// The cache called `name`, and every [`StorageState`] it reports, in order.
fn watched(name: &str) -> (IndexedDbCache, Rc<RefCell<Vec<StorageState>>>) {
    let cache = IndexedDbCache::named(name);
    let states = Rc::new(RefCell::new(Vec::new()));
    let seen = states.clone();
    cache.watch(move |state| seen.borrow_mut().push(state));
    (cache, states)
}

/// A builder of the database called `name` at `version`, with every store this release has (as
/// another tab, of this release or another, opens it).
fn with_every_store(name: &str, version: u32) -> rexie::RexieBuilder {
    Store::ALL
        .iter()
        .fold(Rexie::builder(name).version(version), |builder, store| {
            builder.add_object_store(ObjectStore::new(store.name()))
        })
        .add_object_store(ObjectStore::new("record_segments"))
}

/// `future`'s output, or a panic saying `what` if it takes longer than `ms` (a blocked
/// IndexedDB request would otherwise hang the test run).
async fn within<T>(ms: u32, what: &str, future: impl std::future::Future<Output = T>) -> T {
    match select(Box::pin(future), TimeoutFuture::new(ms)).await {
        Either::Left((done, _)) => done,
        Either::Right(_) => panic!("{what} took longer than {ms} ms"),
    }
}

#[test]
async fn a_newer_release_elsewhere_upgrades_at_once_and_this_tab_is_told_to_reload() {
    let name = fresh_name("newer");
    let (cache, states) = watched(&name);
    // Several calls at once, as at the app's start: each opens the database, and only one
    // connection may stay open.
    let (put, _, _) = futures_util::future::join3(
        cache.put(Store::Outbox, "pending", b"an edit not yet sent"),
        cache.get(Store::Meta, "device"),
        cache.keys(Store::Account),
    )
    .await;
    put.expect("put");

    // Another tab opens the database at the next schema version: this tab's connection lets
    // go at once instead of blocking it.
    let newer = with_every_store(&name, SCHEMA_VERSION + 1);
    let newer = within(5_000, "the newer release's upgrade", newer.build())
        .await
        .expect("the newer release opens the database");

    assert_eq!(
        cache.get(Store::Outbox, "pending").await,
        Err(CacheError::Superseded),
        "this tab's code cannot read the newer store: it asks to reload"
    );
    assert_eq!(*states.borrow(), vec![StorageState::Superseded]);

    // What this tab saved is still there for the newer release.
    let tx = newer
        .transaction(&[Store::Outbox.name()], TransactionMode::ReadOnly)
        .expect("transaction");
    let kept = tx
        .store(Store::Outbox.name())
        .expect("store")
        .get(JsValue::from_str("pending"))
        .await
        .expect("get");
    assert!(kept.is_some(), "the pending edit survives the upgrade");
}

#[test]
async fn an_upgrade_blocked_by_an_older_tab_waits_says_so_and_goes_on_when_it_closes() {
    let name = fresh_name("blocked");
    // An older release's tab: its connection does not close when another tab upgrades.
    let older = idb::Factory::new()
        .expect("indexedDB")
        .open(&name, Some(SCHEMA_VERSION - 1))
        .expect("open request")
        .await
        .expect("the older release opens its database");

    let (cache, states) = watched(&name);
    let mut writing = Box::pin(cache.put(Store::Meta, "k", b"v"));
    match select(
        writing.as_mut(),
        TimeoutFuture::new(OPEN_PATIENCE_MS + 1_000),
    )
    .await
    {
        Either::Left((written, _)) => panic!("the upgrade was not blocked: {written:?}"),
        Either::Right(_) => {}
    }
    assert_eq!(
        *states.borrow(),
        vec![StorageState::Waiting],
        "the page is told that another tab holds the upgrade up"
    );

    older.close();
    within(5_000, "the upgrade once the older tab closed", writing)
        .await
        .expect("the write goes through once the older tab is closed");
    assert_eq!(
        *states.borrow(),
        vec![StorageState::Waiting, StorageState::Ready]
    );
    assert_eq!(cache.get(Store::Meta, "k").await, Ok(Some(b"v".to_vec())));
}

#[test]
async fn a_database_deleted_by_another_tab_is_opened_anew() {
    let name = fresh_name("deleted");
    let (cache, states) = watched(&name);
    cache.put(Store::Meta, "k", b"v").await.expect("put");

    // Signing out in another tab deletes the database: this tab's connection lets go.
    within(5_000, "deleting the database", Rexie::delete(&name))
        .await
        .expect("delete");

    assert_eq!(cache.get(Store::Meta, "k").await, Ok(None), "nothing left");
    cache
        .put(Store::Meta, "k", b"w")
        .await
        .expect("writes go on");
    assert_eq!(cache.get(Store::Meta, "k").await, Ok(Some(b"w".to_vec())));
    assert!(states.borrow().is_empty(), "nothing to tell the person");
}

#[test]
async fn a_deletion_held_up_keeps_the_browsers_entries_ahead_of_every_call() {
    let name = fresh_name("held-up");
    let cache = IndexedDbCache::named(&name);
    cache
        .put(Store::Meta, "device", b"this browser")
        .await
        .expect("put");
    cache
        .put(Store::Outbox, "edit", b"sealed")
        .await
        .expect("put");
    // A connection that does not let go when the database is deleted (an older release's tab,
    // or one of this page's dropped but not yet collected).
    let holder = idb::Factory::new()
        .expect("indexedDB")
        .open(&name, Some(SCHEMA_VERSION))
        .expect("open request")
        .await
        .expect("the other connection opens");

    let keep = vec![Write::Put(
        Store::Meta,
        "device".to_owned(),
        b"this browser".to_vec(),
    )];
    assert_eq!(
        within(
            OPEN_PATIENCE_MS + 3_000,
            "the sign-out",
            cache.destroy(keep)
        )
        .await,
        Ok(false),
        "the deletion waits, the sign-out does not"
    );
    // What the sign-in page asks meanwhile waits for the new database, and finds the browser's
    // own entry in it: the deletion goes first, then the kept entries, then every call.
    let (device, ()) = within(
        5_000,
        "reading once the other connection closed",
        futures_util::future::join(cache.get(Store::Meta, "device"), async {
            TimeoutFuture::new(300).await;
            holder.close();
        }),
    )
    .await;
    assert_eq!(device, Ok(Some(b"this browser".to_vec())));
    assert_eq!(
        cache.keys(Store::Outbox).await,
        Ok(vec![]),
        "the rest is gone"
    );
}

#[test]
async fn entries_set_aside_by_a_page_gone_since_go_into_the_next_database_only() {
    let name = fresh_name("gone");
    let set_aside = || {
        crate::cache::local_storage()
            .expect("localStorage")
            .get_item(&format!("strongroom.kept-across-sign-out:{name}"))
            .expect("read")
    };
    // A page signs out: its entries are set aside and the database marked, the deletion waits
    // (another tab's connection holds it up), and the page goes.
    let old = IndexedDbCache::named(&name);
    old.put(Store::Meta, "device", b"in the old database")
        .await
        .expect("put");
    old.set_aside(vec![Write::Put(
        Store::Meta,
        "device".to_owned(),
        b"kept".to_vec(),
    )])
    .await
    .expect("set aside");
    // A page opening the old database meanwhile leaves both alone.
    let early = IndexedDbCache::named(&name);
    assert_eq!(
        early.get(Store::Meta, "device").await,
        Ok(Some(b"in the old database".to_vec()))
    );
    assert!(
        set_aside().is_some(),
        "still set aside for the next database"
    );
    // The deletion goes through (both connections let go, held as they are), and an older
    // release's tab makes the new database first and writes into it.
    within(5_000, "deleting the database", Rexie::delete(&name))
        .await
        .expect("delete");
    drop((old, early));
    let older = with_every_store(&name, SCHEMA_VERSION)
        .build()
        .await
        .expect("the older tab makes the database");
    let tx = older
        .transaction(&[Store::Meta.name()], TransactionMode::ReadWrite)
        .expect("transaction");
    tx.store(Store::Meta.name())
        .expect("store")
        .put(
            &js_sys::Uint8Array::from(&b"made by the older tab"[..]).into(),
            Some(&JsValue::from_str("device")),
        )
        .await
        .expect("put");
    tx.done().await.expect("committed");
    older.close();
    // The next page of this release writes what was set aside, then forgets it.
    let next = IndexedDbCache::named(&name);
    assert_eq!(
        next.get(Store::Meta, "device").await,
        Ok(Some(b"kept".to_vec()))
    );
    assert_eq!(set_aside(), None, "written once, then forgotten");
}
