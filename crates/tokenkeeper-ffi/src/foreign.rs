//! Traits the app may implement in Swift, Kotlin or TypeScript (Rust implementations
//! work too), and the adapters that make them the core's traits.
//!
//! Every method returns `Result` with an error that has a
//! `From<uniffi::UnexpectedUniFFICallbackError>`: an exception the foreign code did not
//! declare becomes that error instead of a Rust panic.

use std::sync::Arc;

use tokenkeeper::store::{BasicStore, StoreError};
use tokenkeeper::transport::TransportError;

use crate::error::{HttpTransportError, SecureStoreError, TokenkeeperError};
use crate::types::{HttpRequest, HttpResponse, SessionEvent};

/// The app's secure key-value storage (Keychain, EncryptedSharedPreferences, ...).
///
/// Each `set` must be atomic: a reader sees the old value or the new one, never a mix.
/// Values are arbitrary bytes, up to at least 64 KiB. Calls are made from the library's
/// own threads, never the main thread, and never two writes at once through one client.
#[uniffi::export(with_foreign)]
pub trait SecureStore: Send + Sync {
    /// The value under `key`, or null/nil when there is none.
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SecureStoreError>;
    fn set(&self, key: String, value: Vec<u8>) -> Result<(), SecureStoreError>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: String) -> Result<(), SecureStoreError>;
}

/// The app's HTTP client (URLSession, OkHttp, fetch), so its pinning, proxies and
/// interceptors apply. Every HTTP status is a response; throw only when there is none.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError>;
}

/// Receives every session event, in order, on a library thread. Return quickly.
#[uniffi::export(with_foreign)]
pub trait SessionListener: Send + Sync {
    fn on_event(&self, event: SessionEvent) -> Result<(), TokenkeeperError>;
}

/// A foreign [`SecureStore`] as the core's [`BasicStore`]; the client wraps it in
/// [`tokenkeeper::store::Serialized`], which adds compare-and-set.
pub(crate) struct ForeignStore(pub(crate) Arc<dyn SecureStore>);

impl BasicStore for ForeignStore {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        match self.0.get(key.to_owned()) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(StoreError::NotFound),
            Err(error) => Err(error.into()),
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        Ok(self.0.set(key.to_owned(), value.to_vec())?)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        Ok(self.0.delete(key.to_owned())?)
    }
}

/// A foreign [`HttpTransport`] as the core's.
pub(crate) struct ForeignTransport(pub(crate) Arc<dyn HttpTransport>);

#[async_trait::async_trait]
impl tokenkeeper::transport::HttpTransport for ForeignTransport {
    async fn send(
        &self,
        request: tokenkeeper::transport::HttpRequest,
    ) -> Result<tokenkeeper::transport::HttpResponse, TransportError> {
        let response = self.0.send(request.into()).await?;
        Ok(response.into())
    }
}
