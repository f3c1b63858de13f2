//! An in-memory [`Cache`] for native tests.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::{Cache, CacheError, Store, Write};

type Records = BTreeMap<(Store, String), Vec<u8>>;

/// Records kept in memory; clones share the same records (like two handles on one database).
#[derive(Debug, Clone, Default)]
pub struct MemoryCache {
    records: Rc<RefCell<Records>>,
}

impl Cache for MemoryCache {
    async fn get(&self, store: Store, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.records.borrow().get(&(store, key.to_owned())).cloned())
    }

    async fn get_many(
        &self,
        store: Store,
        keys: &[String],
    ) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        let records = self.records.borrow();
        Ok(keys
            .iter()
            .map(|key| records.get(&(store, key.clone())).cloned())
            .collect())
    }

    async fn put(&self, store: Store, key: &str, value: &[u8]) -> Result<(), CacheError> {
        self.records
            .borrow_mut()
            .insert((store, key.to_owned()), value.to_vec());
        Ok(())
    }

    async fn delete(&self, store: Store, key: &str) -> Result<(), CacheError> {
        self.records.borrow_mut().remove(&(store, key.to_owned()));
        Ok(())
    }

    async fn keys(&self, store: Store) -> Result<Vec<String>, CacheError> {
        Ok(self
            .records
            .borrow()
            .keys()
            .filter(|(s, _)| *s == store)
            .map(|(_, k)| k.clone())
            .collect())
    }

    async fn get_prefix(
        &self,
        store: Store,
        prefix: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        Ok(self
            .records
            .borrow()
            .range((store, prefix.to_owned())..)
            .take_while(|((s, k), _)| *s == store && k.starts_with(prefix))
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn destroy(&self, keep: Vec<Write>) -> Result<bool, CacheError> {
        self.records.borrow_mut().clear();
        self.write(keep).await?;
        Ok(true)
    }

    async fn write(&self, writes: Vec<Write>) -> Result<(), CacheError> {
        let mut records = self.records.borrow_mut();
        for w in writes {
            match w {
                Write::Put(store, key, value) => {
                    records.insert((store, key), value);
                }
                Write::Delete(store, key) => {
                    records.remove(&(store, key));
                }
                Write::Clear(store) => records.retain(|(s, _), _| *s != store),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_cache_meets_the_contract() {
        futures_executor::block_on(crate::cache::check_contract(&MemoryCache::default()));
    }
}
