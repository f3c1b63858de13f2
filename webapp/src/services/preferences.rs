//! Settings of this browser (not of the account), kept in the local store.

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

    /// Minutes of inactivity before the vault locks (0: never).
    pub async fn lock_after_minutes(&self) -> Result<u32, CacheError> {
        let stored = self.cache.get(Store::Meta, LOCK_AFTER).await?;
        Ok(stored
            .and_then(|bytes| serde_json::from_slice::<u32>(&bytes).ok())
            .filter(|m| LOCK_AFTER_CHOICES.iter().any(|(c, _)| c == m))
            .unwrap_or(DEFAULT_LOCK_AFTER_MINUTES))
    }

    /// Chooses the minutes of inactivity before the vault locks (one of the offered choices).
    pub async fn set_lock_after_minutes(&self, minutes: u32) -> Result<(), CacheError> {
        if !LOCK_AFTER_CHOICES.iter().any(|(c, _)| *c == minutes) {
            return Err(CacheError::Corrupt(format!(
                "{minutes} minutes is not one of the choices"
            )));
        }
        let bytes = serde_json::to_vec(&minutes).map_err(|e| CacheError::Corrupt(e.to_string()))?;
        self.cache.put(Store::Meta, LOCK_AFTER, &bytes).await
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
}
