//! Where sessions live at rest. One small trait, byte values by key, so each
//! platform's secure storage (and an app's own, through FFI) fits behind it.

mod memory;

pub use memory::MemoryStore;

use thiserror::Error;

/// Storage failures, told apart because the session engine reacts differently:
/// `Unavailable` means "try again later" (a locked keychain is not an empty one),
/// `Corrupt` means the bytes are there but unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    #[error("no value stored under this key")]
    NotFound,
    #[error("secure storage is unavailable right now: {0}")]
    Unavailable(String),
    #[error("stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("secure storage failed: {0}")]
    Other(String),
}

/// Secure key-value storage. Shaped to map onto a UniFFI foreign trait:
/// object-safe, no generics, byte arrays in and out, every method fallible.
///
/// Implementations must make each `set` atomic: a reader sees the old value or
/// the new one, never a mix.
pub trait SecureStore: Send + Sync {
    /// The value under `key`, or `StoreError::NotFound`.
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    /// Removing a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}
