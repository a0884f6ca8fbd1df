//! The errors foreign code sees. [`TokenkeeperError`] is the one public error of every
//! call, mapped from the core's [`AuthError`] in [`TokenkeeperError::from`] only.
//! Its texts come from the core's messages, which never carry a token, a password or a
//! response body.
//!
//! Fields are called `detail`, not `message`: Kotlin exceptions already have a `message`.

use tokenkeeper::AuthError;
use tokenkeeper::store::StoreError;
use tokenkeeper::transport::TransportError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TokenkeeperError {
    #[error("{detail}")]
    NotLoggedIn { detail: String },
    #[error("{detail}")]
    InvalidCredentials { detail: String },
    /// The server ended the session (refresh refused) or it cannot be renewed: log in again.
    #[error("{detail}")]
    SessionExpired { detail: String },
    /// No HTTP answer (offline, timeout, connection lost); worth retrying.
    #[error("{detail}")]
    Network { detail: String },
    #[error("{detail}")]
    Server { status: u16, detail: String },
    #[error("{detail}")]
    InvalidResponse { detail: String },
    #[error("{detail}")]
    InvalidToken { detail: String },
    /// Secure storage failed for good (corrupt data, invalidated key, backend error).
    #[error("{detail}")]
    Storage { detail: String },
    /// Secure storage cannot be used right now (locked device); retried on the next call.
    #[error("{detail}")]
    StorageUnavailable { detail: String },
    #[error("{detail}")]
    Config { detail: String },
    #[error("{detail}")]
    RefreshBudgetExhausted { retry_in_secs: u64, detail: String },
    /// The client was shut down; make a new one.
    #[error("{detail}")]
    Closed { detail: String },
    /// A bug, or an exception thrown by a foreign callback that did not declare it.
    #[error("{detail}")]
    Internal { detail: String },
}

impl From<AuthError> for TokenkeeperError {
    fn from(error: AuthError) -> Self {
        let detail = error.to_string();
        match error {
            AuthError::NotLoggedIn => Self::NotLoggedIn { detail },
            AuthError::InvalidCredentials => Self::InvalidCredentials { detail },
            AuthError::SessionExpired(_) => Self::SessionExpired { detail },
            AuthError::Network(_) => Self::Network { detail },
            AuthError::Server { status, .. } => Self::Server { status, detail },
            AuthError::InvalidResponse(_) => Self::InvalidResponse { detail },
            AuthError::Token(_) => Self::InvalidToken { detail },
            AuthError::Storage(StoreError::Unavailable(_)) => Self::StorageUnavailable { detail },
            AuthError::Storage(_) | AuthError::Record(_) => Self::Storage { detail },
            AuthError::Config(_) => Self::Config { detail },
            AuthError::RefreshBudgetExhausted { retry_in_secs } => Self::RefreshBudgetExhausted {
                retry_in_secs,
                detail,
            },
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TokenkeeperError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            detail: format!("a foreign callback failed: {}", error.reason),
        }
    }
}

/// What a foreign [`SecureStore`](crate::foreign::SecureStore) may throw. A missing key
/// is not an error: `get` returns null/nil.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SecureStoreError {
    /// Try again later (a locked keychain is not an empty one).
    #[error("secure storage is unavailable right now: {detail}")]
    Unavailable { detail: String },
    #[error("stored value is corrupt: {detail}")]
    Corrupt { detail: String },
    /// The platform key protecting the data is gone for good; the next write starts afresh.
    #[error("the key protecting stored data was invalidated: {detail}")]
    KeyInvalidated { detail: String },
    #[error("secure storage failed: {detail}")]
    Other { detail: String },
}

impl From<SecureStoreError> for StoreError {
    fn from(error: SecureStoreError) -> Self {
        match error {
            SecureStoreError::Unavailable { detail } => StoreError::Unavailable(detail),
            SecureStoreError::Corrupt { detail } => StoreError::Corrupt(detail),
            SecureStoreError::KeyInvalidated { detail } => StoreError::KeyInvalidated(detail),
            SecureStoreError::Other { detail } => StoreError::Other(detail),
        }
    }
}

/// For Rust stores offered through the foreign interface (the Android Keystore one).
impl From<StoreError> for SecureStoreError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => Self::Unavailable { detail },
            StoreError::Corrupt(detail) => Self::Corrupt { detail },
            StoreError::KeyInvalidated(detail) => Self::KeyInvalidated { detail },
            StoreError::NotFound => Self::Other {
                detail: StoreError::NotFound.to_string(),
            },
            StoreError::Other(detail) => Self::Other { detail },
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecureStoreError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Other {
            detail: format!(
                "unexpected exception from the app's store: {}",
                error.reason
            ),
        }
    }
}

/// What a foreign [`HttpTransport`](crate::foreign::HttpTransport) may throw when a request
/// got no HTTP response. Every HTTP status, 4xx and 5xx included, is a response, not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HttpTransportError {
    #[error("request timed out")]
    Timeout { detail: String },
    #[error("could not connect: {detail}")]
    Connect { detail: String },
    #[error("connection failed: {detail}")]
    Io { detail: String },
}

impl From<HttpTransportError> for TransportError {
    fn from(error: HttpTransportError) -> Self {
        match error {
            HttpTransportError::Timeout { .. } => TransportError::Timeout,
            HttpTransportError::Connect { detail } => TransportError::Connect(detail),
            HttpTransportError::Io { detail } => TransportError::Io(detail),
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpTransportError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Io {
            detail: format!(
                "unexpected exception from the app's transport: {}",
                error.reason
            ),
        }
    }
}
