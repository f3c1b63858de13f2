//! Settings of this browser (not of the account), kept in the local store.

use shared_types::AccountId;

use crate::cache::{Cache, CacheError, Store};

const LOCK_AFTER: &str = "lock_after_minutes";

/// Minutes without activity before the vault locks, when nothing is chosen.
pub const DEFAULT_LOCK_AFTER_MINUTES: u32 = 15;
/// The choices offered; 0 means never.
pub const LOCK_AFTER_CHOICES: [(u32, &str); 7] = [
    (1, "1 minute"),
    (5, "5 minutes"),
    (15, "15 minutes"),
    (30, "30 minutes"),
    (60, "1 hour"),
    (240, "4 hours"),
    (0, "Never (lock only on demand or reload)"),
];

const CLIPBOARD_CLEAR: &str = "clipboard_clear_seconds";

/// Seconds after which a copied secret is cleared from the clipboard, when nothing is chosen.
pub const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u32 = 30;
/// The choices offered; 0 means never.
pub const CLIPBOARD_CLEAR_CHOICES: [(u32, &str); 6] = [
    (10, "10 seconds"),
    (30, "30 seconds"),
    (60, "1 minute"),
    (120, "2 minutes"),
    (300, "5 minutes"),
    (0, "Never"),
];

const DEVICE_ONLY: &str = "device_only";

/// Whether a key of [`Store::Meta`] holds a setting of this browser (kept at sign-out).
pub fn is_browser_setting(key: &str) -> bool {
    key == LOCK_AFTER
        || key == CLIPBOARD_CLEAR
        || key
            .strip_prefix(DEVICE_ONLY)
            .is_some_and(|rest| rest.starts_with(':'))
}

/// This browser's preferences.
#[derive(Debug, Clone)]
pub struct Preferences<C> {
    cache: C,
}

impl<C: Cache> Preferences<C> {
    /// Preferences over `cache`.
    pub fn new(cache: C) -> Self {
        Self { cache }
    }

    /// A stored choice among `choices`; `default` when none (or no longer offered) is stored.
    async fn choice(
        &self,
        key: &str,
        choices: &[(u32, &str)],
        default: u32,
    ) -> Result<u32, CacheError> {
        let stored = self.cache.get(Store::Meta, key).await?;
        Ok(stored
            .and_then(|bytes| serde_json::from_slice::<u32>(&bytes).ok())
            .filter(|v| choices.iter().any(|(c, _)| c == v))
            .unwrap_or(default))
    }

    /// Stores `value`, which must be one of `choices`.
    async fn set_choice(
        &self,
        key: &str,
        choices: &[(u32, &str)],
        value: u32,
    ) -> Result<(), CacheError> {
        if !choices.iter().any(|(c, _)| *c == value) {
            return Err(CacheError::Corrupt(format!(
                "{value} is not one of the choices"
            )));
        }
        let bytes = serde_json::to_vec(&value).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        self.cache.put(Store::Meta, key, &bytes).await
    }

    /// Minutes of inactivity before the vault locks (0: never).
    pub async fn lock_after_minutes(&self) -> Result<u32, CacheError> {
        self.choice(LOCK_AFTER, &LOCK_AFTER_CHOICES, DEFAULT_LOCK_AFTER_MINUTES)
            .await
    }

    /// Chooses the minutes of inactivity before the vault locks (one of the offered choices).
    pub async fn set_lock_after_minutes(&self, minutes: u32) -> Result<(), CacheError> {
        self.set_choice(LOCK_AFTER, &LOCK_AFTER_CHOICES, minutes)
            .await
    }

    /// Seconds after which a copied secret is cleared from the clipboard (0: never).
    pub async fn clipboard_clear_seconds(&self) -> Result<u32, CacheError> {
        self.choice(
            CLIPBOARD_CLEAR,
            &CLIPBOARD_CLEAR_CHOICES,
            DEFAULT_CLIPBOARD_CLEAR_SECONDS,
        )
        .await
    }

    /// Chooses when a copied secret is cleared from the clipboard (one of the offered choices).
    pub async fn set_clipboard_clear_seconds(&self, seconds: u32) -> Result<(), CacheError> {
        self.set_choice(CLIPBOARD_CLEAR, &CLIPBOARD_CLEAR_CHOICES, seconds)
            .await
    }

    /// Whether this browser keeps `account`'s vault on this device only (no sync).
    pub async fn device_only(&self, account: AccountId) -> Result<bool, CacheError> {
        let stored = (self.cache)
            .get(Store::Meta, &format!("{DEVICE_ONLY}:{account}"))
            .await?;
        Ok(stored.is_some_and(|bytes| bytes.as_slice() == b"true"))
    }

    /// Chooses whether this browser keeps `account`'s vault on this device only.
    pub async fn set_device_only(&self, account: AccountId, on: bool) -> Result<(), CacheError> {
        let key = format!("{DEVICE_ONLY}:{account}");
        if on {
            self.cache.put(Store::Meta, &key, b"true").await
        } else {
            self.cache.delete(Store::Meta, &key).await
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cache::MemoryCache;
    use futures_executor::block_on;

    #[test]
    fn the_lock_delay_defaults_persists_and_refuses_odd_values() {
        let prefs = Preferences::new(MemoryCache::default());
        assert_eq!(
            block_on(prefs.lock_after_minutes()).unwrap(),
            DEFAULT_LOCK_AFTER_MINUTES
        );
        block_on(prefs.set_lock_after_minutes(5)).unwrap();
        assert_eq!(block_on(prefs.lock_after_minutes()).unwrap(), 5);
        block_on(prefs.set_lock_after_minutes(0)).unwrap();
        assert_eq!(block_on(prefs.lock_after_minutes()).unwrap(), 0);
        assert!(block_on(prefs.set_lock_after_minutes(7)).is_err());
        assert_eq!(block_on(prefs.lock_after_minutes()).unwrap(), 0);
    }

    #[test]
    fn the_clipboard_delay_defaults_persists_and_refuses_odd_values() {
        let prefs = Preferences::new(MemoryCache::default());
        assert_eq!(
            block_on(prefs.clipboard_clear_seconds()).unwrap(),
            DEFAULT_CLIPBOARD_CLEAR_SECONDS
        );
        block_on(prefs.set_clipboard_clear_seconds(10)).unwrap();
        assert_eq!(block_on(prefs.clipboard_clear_seconds()).unwrap(), 10);
        assert!(block_on(prefs.set_clipboard_clear_seconds(11)).is_err());
    }
}
