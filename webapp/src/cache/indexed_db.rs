//! The [`Cache`] over IndexedDB, through rexie. The database is opened on first use and kept
//! open; each call is one transaction.

use std::cell::RefCell;
use std::rc::Rc;

use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

use super::{Cache, CacheError, DATABASE_NAME, SCHEMA_VERSION, Store, Write, prefix_end};

/// IndexedDB-backed cache. Cheap to clone: clones share one open database.
#[derive(Clone, Default)]
pub struct IndexedDbCache {
    db: Rc<RefCell<Option<Rc<Rexie>>>>,
}

fn unavailable(e: rexie::Error) -> CacheError {
    CacheError::Unavailable(e.to_string())
}

impl IndexedDbCache {
    async fn db(&self) -> Result<Rc<Rexie>, CacheError> {
        if let Some(db) = self.db.borrow().as_ref() {
            return Ok(db.clone());
        }
        let builder = Store::ALL.iter().fold(
            Rexie::builder(DATABASE_NAME).version(SCHEMA_VERSION),
            |builder, store| builder.add_object_store(ObjectStore::new(store.name())),
        );
        let db = Rc::new(builder.build().await.map_err(unavailable)?);
        *self.db.borrow_mut() = Some(db.clone());
        Ok(db)
    }
}

impl Cache for IndexedDbCache {
    async fn get(&self, store: Store, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let db = self.db().await?;
        let tx = db
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .map_err(unavailable)?;
        let value = tx
            .store(store.name())
            .map_err(unavailable)?
            .get(JsValue::from_str(key))
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        value
            .map(|v| {
                v.dyn_into::<js_sys::Uint8Array>()
                    .map(|array| array.to_vec())
                    .map_err(|_| CacheError::Corrupt(format!("{key} is not a byte record")))
            })
            .transpose()
    }

    async fn put(&self, store: Store, key: &str, value: &[u8]) -> Result<(), CacheError> {
        let db = self.db().await?;
        let tx = db
            .transaction(&[store.name()], TransactionMode::ReadWrite)
            .map_err(unavailable)?;
        let bytes: JsValue = js_sys::Uint8Array::from(value).into();
        tx.store(store.name())
            .map_err(unavailable)?
            .put(&bytes, Some(&JsValue::from_str(key)))
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        Ok(())
    }

    async fn delete(&self, store: Store, key: &str) -> Result<(), CacheError> {
        let db = self.db().await?;
        let tx = db
            .transaction(&[store.name()], TransactionMode::ReadWrite)
            .map_err(unavailable)?;
        tx.store(store.name())
            .map_err(unavailable)?
            .delete(JsValue::from_str(key))
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        Ok(())
    }

    async fn keys(&self, store: Store) -> Result<Vec<String>, CacheError> {
        let db = self.db().await?;
        let tx = db
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .map_err(unavailable)?;
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
        let db = self.db().await?;
        let tx = db
            .transaction(&[store.name()], TransactionMode::ReadOnly)
            .map_err(unavailable)?;
        let range = KeyRange::bound(
            &JsValue::from_str(prefix),
            &JsValue::from_str(&prefix_end(prefix)),
            None,
            None,
        )
        .map_err(|e| CacheError::Unavailable(e.to_string()))?;
        let found = tx
            .store(store.name())
            .map_err(unavailable)?
            .scan(Some(range), None, None, None)
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        found
            .into_iter()
            .map(|(k, v)| {
                let key = k
                    .as_string()
                    .ok_or_else(|| CacheError::Corrupt("a key is not text".to_owned()))?;
                let bytes = v
                    .dyn_into::<js_sys::Uint8Array>()
                    .map(|array| array.to_vec())
                    .map_err(|_| CacheError::Corrupt(format!("{key} is not a byte record")))?;
                Ok((key, bytes))
            })
            .collect()
    }

    async fn write(&self, writes: Vec<Write>) -> Result<(), CacheError> {
        if writes.is_empty() {
            return Ok(());
        }
        let db = self.db().await?;
        let mut names: Vec<&str> = writes
            .iter()
            .map(|w| match w {
                Write::Put(store, ..) | Write::Delete(store, _) => store.name(),
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        let tx = db
            .transaction(&names, TransactionMode::ReadWrite)
            .map_err(unavailable)?;
        let stores = names
            .iter()
            .map(|name| Ok((*name, tx.store(name).map_err(unavailable)?)))
            .collect::<Result<std::collections::BTreeMap<_, _>, CacheError>>()?;
        // Every request is issued at once (polled together), not one after another: IndexedDB
        // runs a transaction's requests in order anyway, and awaiting each one first costs a
        // turn of the event loop per record (1.6 s of a 10,000-record first sync).
        let requests = writes.iter().map(|w| {
            let (store, request) = match w {
                Write::Put(store, key, value) => {
                    let bytes: JsValue = js_sys::Uint8Array::from(value.as_slice()).into();
                    (store, Request::Put(bytes, JsValue::from_str(key)))
                }
                Write::Delete(store, key) => (store, Request::Delete(JsValue::from_str(key))),
            };
            let store = &stores[store.name()];
            async move {
                match request {
                    Request::Put(bytes, key) => store.put(&bytes, Some(&key)).await.map(|_| ()),
                    Request::Delete(key) => store.delete(key).await,
                }
            }
        });
        futures_util::future::try_join_all(requests)
            .await
            .map_err(unavailable)?;
        tx.done().await.map_err(unavailable)?;
        Ok(())
    }
}

/// One request of a write, ready to issue.
enum Request {
    Put(JsValue, JsValue),
    Delete(JsValue),
}
