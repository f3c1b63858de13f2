//! This browser's identity: a random device id made on first start and kept in the local store,
//! with when the browser first and last opened Strongroom. The account issues use the id to
//! recognise a verified browser.

use serde::{Deserialize, Serialize};
use shared_types::DeviceId;

use crate::cache::{Cache, CacheError, Store};

/// The key of the [`BrowserRecord`] in [`Store::Meta`].
pub const KEY: &str = "browser";

/// What this browser remembers about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserRecord {
    /// Random id of this browser profile.
    pub device_id: DeviceId,
    /// When Strongroom first opened here (ms since the epoch).
    pub first_opened_ms: f64,
    /// When it opened here most recently: this time (ms since the epoch).
    pub last_opened_ms: f64,
    /// How many times it has opened here, this time included.
    pub opens: u64,
}

/// Reads and updates the [`BrowserRecord`].
#[derive(Debug, Clone)]
pub struct DeviceService<C> {
    cache: C,
}

impl<C: Cache> DeviceService<C> {
    /// A service over `cache`.
    pub fn new(cache: C) -> Self {
        Self { cache }
    }

    /// This browser's record, made now if there is none (without counting an open).
    pub async fn current(&self, now_ms: f64) -> Result<BrowserRecord, CacheError> {
        let stored = self.cache.get(Store::Meta, KEY).await?;
        if let Some(record) =
            stored.and_then(|bytes| serde_json::from_slice::<BrowserRecord>(&bytes).ok())
        {
            return Ok(record);
        }
        self.record_open(now_ms).await
    }

    /// Records that the app opened at `now_ms`: makes the record on first start, otherwise
    /// counts the open. A damaged record is replaced rather than blocking the app.
    pub async fn record_open(&self, now_ms: f64) -> Result<BrowserRecord, CacheError> {
        let stored = self.cache.get(Store::Meta, KEY).await?;
        let record =
            match stored.and_then(|bytes| serde_json::from_slice::<BrowserRecord>(&bytes).ok()) {
                Some(previous) => BrowserRecord {
                    opens: previous.opens.saturating_add(1),
                    last_opened_ms: now_ms,
                    ..previous
                },
                None => BrowserRecord {
                    device_id: DeviceId::new_v7(),
                    first_opened_ms: now_ms,
                    last_opened_ms: now_ms,
                    opens: 1,
                },
            };
        let bytes = serde_json::to_vec(&record).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        self.cache.put(Store::Meta, KEY, &bytes).await?;
        Ok(record)
    }
}

/// "Chrome on Windows" and the like, from a user-agent string, for the list of verified browsers.
pub fn describe_user_agent(ua: &str) -> String {
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chromium/") || ua.contains("HeadlessChrome/") {
        "Chromium"
    } else if ua.contains("Chrome/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let os = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {os}")
}

/// This browser's readable name.
pub fn browser_name() -> String {
    let ua = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    describe_user_agent(&ua)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cache::MemoryCache;
    use futures_executor::block_on;

    #[test]
    fn the_first_open_makes_an_id_and_later_opens_keep_it() {
        let cache = MemoryCache::default();
        let first = block_on(DeviceService::new(cache.clone()).record_open(1000.0)).unwrap();
        assert_eq!(first.opens, 1);
        assert_eq!(first.first_opened_ms, 1000.0);
        // A new service over the same store (a reload) sees the same browser.
        let second = block_on(DeviceService::new(cache.clone()).record_open(5000.0)).unwrap();
        assert_eq!(second.device_id, first.device_id);
        assert_eq!(second.opens, 2);
        assert_eq!(second.first_opened_ms, 1000.0);
        assert_eq!(second.last_opened_ms, 5000.0);
    }

    #[test]
    fn user_agents_become_readable_names() {
        assert_eq!(
            describe_user_agent(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36"
            ),
            "Chromium on Linux"
        );
        assert_eq!(
            describe_user_agent(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0"
            ),
            "Edge on Windows"
        );
        assert_eq!(
            describe_user_agent(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Gecko/20100101 Firefox/120.0"
            ),
            "Firefox on macOS"
        );
    }

    #[test]
    fn current_makes_the_record_once_and_does_not_count_opens() {
        let cache = MemoryCache::default();
        let service = DeviceService::new(cache);
        let first = block_on(service.current(1.0)).unwrap();
        let again = block_on(service.current(2.0)).unwrap();
        assert_eq!(first.device_id, again.device_id);
        assert_eq!(again.opens, 1);
    }

    #[test]
    fn another_store_is_another_browser() {
        let a = block_on(DeviceService::new(MemoryCache::default()).record_open(1.0)).unwrap();
        let b = block_on(DeviceService::new(MemoryCache::default()).record_open(1.0)).unwrap();
        assert_ne!(a.device_id, b.device_id);
    }

    #[test]
    fn a_damaged_record_is_replaced_not_fatal() {
        let cache = MemoryCache::default();
        block_on(cache.put(Store::Meta, KEY, b"{not json")).unwrap();
        let record = block_on(DeviceService::new(cache).record_open(7.0)).unwrap();
        assert_eq!(record.opens, 1);
    }
}
