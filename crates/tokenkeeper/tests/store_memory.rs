//! The store contract, run against the in-memory store and against the
//! generic `Serialized` wrapper that backends without a native
//! compare-and-set use.

mod store_conformance;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokenkeeper::store::{BasicStore, MemoryStore, Serialized, StoreError};

#[test]
fn memory_store_meets_the_contract() {
    store_conformance::check_store(Arc::new(MemoryStore::new()), "memory");
}

/// The simplest possible backend: no locking of its own beyond its map.
#[derive(Default)]
struct MapBackend(Mutex<HashMap<String, Vec<u8>>>);

impl BasicStore for MapBackend {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.0
            .lock()
            .unwrap()
            .get(key)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0.lock().unwrap().insert(key.into(), value.into());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(key);
        Ok(())
    }
}

#[test]
fn serialized_basic_store_meets_the_contract() {
    store_conformance::check_store(
        Arc::new(Serialized::new(MapBackend::default())),
        "serialized",
    );
}
