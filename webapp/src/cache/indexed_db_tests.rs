//! The cache against Chromium's IndexedDB: the shared contract, segments merged once a bucket
//! fills up, and records of a schema-3 database moved into segments on opening.

use std::cell::RefCell;

use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn fresh(name: &str) -> IndexedDbCache {
    IndexedDbCache::named(&format!("{name}-{}", js_sys::Math::random()))
}

#[test]
async fn keeps_the_cache_contract() {
    crate::cache::check_contract(&fresh("contract")).await;
}

/// Item `n`'s key; `n` below 10 share one bucket.
fn key(n: usize) -> String {
    let owner = (0..)
        .map(|i| format!("owner-{i}"))
        .filter(|owner| segments::bucket_of(&format!("i:{owner}")) == 7)
        .nth(n)
        .expect("owners in bucket 7");
    format!("i:{owner}")
}

#[test]
async fn a_bucket_written_many_times_is_merged_and_reads_the_newest() {
    let cache = fresh("merge");
    let keys: Vec<String> = (0..10).map(key).collect();
    // 40 writes into one bucket, then a deletion: merged into one segment at the
    // MAX_SEGMENTS-th write, then a segment per write.
    for round in 0..4u8 {
        for (n, k) in keys.iter().enumerate() {
            cache
                .put(Store::Records, k, &[round, n as u8])
                .await
                .expect("put");
        }
    }
    cache
        .delete(Store::Records, &keys[0])
        .await
        .expect("delete");
    cache
        .put(Store::Records, "h:x:1", b"other bucket")
        .await
        .expect("put");
    let db = cache.db().await.expect("open");
    let tx = db
        .transaction(&[SEGMENTS], TransactionMode::ReadOnly)
        .expect("transaction");
    let in_bucket = tx
        .store(SEGMENTS)
        .expect("store")
        .get_all_keys(Some(bucket_range(7).expect("range")), None)
        .await
        .expect("keys");
    assert_eq!(in_bucket.len(), 41 - (segments::MAX_SEGMENTS - 1));
    assert_eq!(cache.get(Store::Records, &keys[0]).await, Ok(None));
    for (n, k) in keys.iter().enumerate().skip(1) {
        assert_eq!(
            cache.get(Store::Records, k).await,
            Ok(Some(vec![3, n as u8]))
        );
    }
    let mut expected: Vec<String> = keys[1..].to_vec();
    expected.push("h:x:1".to_owned());
    expected.sort();
    assert_eq!(cache.keys(Store::Records).await, Ok(expected));
    assert_eq!(
        cache.get_prefix(Store::Records, "h:x:").await,
        Ok(vec![("h:x:1".to_owned(), b"other bucket".to_vec())])
    );
    assert_eq!(
        cache.get_many(Store::Records, &keys[..2]).await,
        Ok(vec![None, Some(vec![3, 1])])
    );
}

#[test]
async fn records_of_a_schema_3_database_are_moved_into_segments() {
    let name = format!("schema3-{}", js_sys::Math::random());
    let old = Store::ALL
        .iter()
        .fold(Rexie::builder(&name).version(3), |builder, store| {
            builder.add_object_store(ObjectStore::new(store.name()))
        })
        .build()
        .await
        .expect("schema 3");
    let tx = old
        .transaction(&["records", "outbox"], TransactionMode::ReadWrite)
        .expect("transaction");
    for (store, key, value) in [
        ("records", "i:a", &b"item"[..]),
        ("records", "h:a:1", b"past"),
        ("records", "f:b", b"folder"),
        ("outbox", "a", b"change"),
    ] {
        tx.store(store)
            .expect("store")
            .put(
                &js_sys::Uint8Array::from(value).into(),
                Some(&JsValue::from_str(key)),
            )
            .await
            .expect("put");
    }
    tx.done().await.expect("done");
    old.close();

    let cache = IndexedDbCache::named(&name);
    assert_eq!(
        cache.keys(Store::Records).await,
        Ok(vec!["f:b".to_owned(), "h:a:1".to_owned(), "i:a".to_owned()])
    );
    assert_eq!(
        cache.get(Store::Records, "i:a").await,
        Ok(Some(b"item".to_vec()))
    );
    assert_eq!(
        cache.get(Store::Outbox, "a").await,
        Ok(Some(b"change".to_vec()))
    );
    let db = cache.db().await.expect("open");
    let tx = db
        .transaction(&["records"], TransactionMode::ReadOnly)
        .expect("transaction");
    let left = tx
        .store("records")
        .expect("store")
        .count(None)
        .await
        .expect("count");
    assert_eq!(left, 0);
}

#[test]
async fn destroying_deletes_the_database_even_while_another_tab_has_it_open() {
    let cache = fresh("destroy");
    let name = cache.name.to_string();
    // Another tab of this release, with its own connection.
    let other_tab = IndexedDbCache::named(&name);
    cache
        .put(Store::Records, "i:secret", b"sealed")
        .await
        .expect("put");
    assert_eq!(
        other_tab.keys(Store::Records).await,
        Ok(vec!["i:secret".to_owned()])
    );
    // One more connection, which notes how it is told to let go: a deletion's `versionchange`
    // names no new version.
    let mut watcher = idb::Factory::new()
        .expect("indexedDB")
        .open(&name, Some(SCHEMA_VERSION))
        .expect("open request")
        .await
        .expect("the watcher opens");
    let told = Rc::new(RefCell::new(Vec::new()));
    let seen = told.clone();
    watcher.on_version_change(move |event| {
        let change = event
            .dyn_ref::<web_sys::IdbVersionChangeEvent>()
            .expect("a versionchange event");
        seen.borrow_mut().push(change.new_version());
        if let Some(db) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::IdbDatabase>().ok())
        {
            db.close();
        }
    });

    let keep = vec![Write::Put(
        Store::Meta,
        "device".to_owned(),
        b"kept".to_vec(),
    )];
    assert_eq!(cache.destroy(keep).await, Ok(true));
    assert_eq!(
        *told.borrow(),
        vec![None],
        "the database itself was deleted"
    );
    // Made anew at once, with only what was kept; the other tab's next call finds it.
    assert_eq!(
        other_tab.get(Store::Meta, "device").await,
        Ok(Some(b"kept".to_vec()))
    );
    assert_eq!(other_tab.keys(Store::Records).await, Ok(vec![]));
    drop(watcher);
}
