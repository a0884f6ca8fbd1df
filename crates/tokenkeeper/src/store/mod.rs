//! Where sessions live at rest. One small trait, byte values by key, so each
//! platform's secure storage (and an app's own, through FFI) fits behind it.

#[cfg(feature = "android-keystore")]
pub mod android_keystore;
#[cfg(feature = "desktop-keyring")]
pub mod desktop_keyring;
#[cfg(feature = "keychain")]
pub mod keychain;
mod memory;

pub use memory::MemoryStore;

use thiserror::Error;

/// Storage failures, told apart because the session engine reacts differently:
/// `Unavailable` means "try again later" (a locked keychain is not an empty one),
/// `Corrupt` and `KeyInvalidated` mean the data is there but unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    #[error("no value stored under this key")]
    NotFound,
    #[error("secure storage is unavailable right now: {0}")]
    Unavailable(String),
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    /// The platform key protecting the stored data is gone for good (lock
    /// screen removed, biometrics re-enrolled, key deleted): what was stored
    /// cannot be decrypted any more. The next write starts afresh.
    #[error("the key protecting stored data was invalidated: {0}")]
    KeyInvalidated(String),
    #[error("secure storage failed: {0}")]
    Other(String),
}

/// Secure key-value storage. Shaped to map onto a UniFFI foreign trait:
/// object-safe, no generics, byte arrays in and out, every method fallible.
///
/// Implementations must make each `set` atomic: a reader sees the old value or
/// the new one, never a mix. Values are arbitrary bytes (not UTF-8), up to
/// at least 64 KiB.
pub trait SecureStore: Send + Sync {
    /// The value under `key`, or `StoreError::NotFound`.
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Removing a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Writes `new` (`None` deletes) only if the stored value is still
    /// `expected` (`None`: nothing stored), and says whether it wrote. Atomic
    /// against every other write through this store object, so read-modify-
    /// write updates (the pending-logout queue) lose nothing; each backend
    /// documents whether that extends to other processes sharing the store.
    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError>;
}

/// The three plain operations of a backend with no compare-and-set of its
/// own (Keychain, keyring, a file): wrap it in [`Serialized`] to get a
/// [`SecureStore`].
pub trait BasicStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// A [`BasicStore`] whose writes go through one lock, which makes
/// `compare_and_set` atomic against every write through this object (not
/// against other processes: backends that can offer that say so).
pub struct Serialized<B> {
    backend: B,
    writer: std::sync::Mutex<()>,
}

impl<B: BasicStore> Serialized<B> {
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            writer: std::sync::Mutex::new(()),
        }
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The lock guards no data, only the order of writes: poison is harmless.
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<B: BasicStore> SecureStore for Serialized<B> {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.backend.get(key)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let _writing = self.lock();
        self.backend.set(key, value)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let _writing = self.lock();
        self.backend.delete(key)
    }

    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        let _writing = self.lock();
        let current = match self.backend.get(key) {
            Ok(value) => Some(zeroize::Zeroizing::new(value)),
            Err(StoreError::NotFound) => None,
            Err(error) => return Err(error),
        };
        if current.as_ref().map(|value| value.as_slice()) != expected {
            return Ok(false);
        }
        match new {
            Some(value) => self.backend.set(key, value)?,
            None => self.backend.delete(key)?,
        }
        Ok(true)
    }
}
