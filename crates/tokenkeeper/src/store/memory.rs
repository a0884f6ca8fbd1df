use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use super::{SecureStore, StoreError};

/// A store that lives as long as the process: for tests and for apps that
/// want no persistence at all. Values are wiped from memory when replaced.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Zeroizing<Vec<u8>>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, Zeroizing<Vec<u8>>>> {
        // A panic while holding this lock cannot leave the map half-written
        // (every operation is a single insert/remove), so a poisoned lock is safe to reuse.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.entries().len())
            .finish()
    }
}

impl SecureStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.entries()
            .get(key)
            .map(|value| value.to_vec())
            .ok_or(StoreError::NotFound)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.entries()
            .insert(key.to_owned(), Zeroizing::new(value.to_vec()));
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.entries().remove(key);
        Ok(())
    }

    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        let mut entries = self.entries();
        if entries.get(key).map(|value| value.as_slice()) != expected {
            return Ok(false);
        }
        match new {
            Some(value) => entries.insert(key.to_owned(), Zeroizing::new(value.to_vec())),
            None => entries.remove(key),
        };
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_overwrite_delete() {
        let store = MemoryStore::new();
        assert_eq!(store.get("k"), Err(StoreError::NotFound));
        store.set("k", b"one").unwrap();
        store.set("k", b"two").unwrap();
        assert_eq!(store.get("k").unwrap(), b"two");
        store.delete("k").unwrap();
        store.delete("k").unwrap();
        assert_eq!(store.get("k"), Err(StoreError::NotFound));
    }

    #[test]
    fn debug_shows_no_values() {
        let store = MemoryStore::new();
        store.set("session", b"secret-token").unwrap();
        assert_eq!(format!("{store:?}"), "MemoryStore { keys: 1 }");
    }
}
