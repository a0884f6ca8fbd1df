//! The one error type of the core. Every message is safe to log: none carries
//! a token, a password or a response body.

use thiserror::Error;

use crate::jwt::JwtError;
use crate::session::{ExpiryReason, RecordError};
use crate::store::StoreError;
use crate::transport::TransportError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    #[error("not logged in")]
    NotLoggedIn,
    #[error("the server refused the credentials")]
    InvalidCredentials,
    #[error("session expired: {0}")]
    SessionExpired(ExpiryReason),
    #[error("network error: {0}")]
    Network(#[from] TransportError),
    #[error("server answered HTTP {status}{}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Server { status: u16, code: Option<String> },
    #[error("the server's token response is unusable: {0}")]
    InvalidResponse(String),
    #[error("token refused: {0}")]
    Token(#[from] JwtError),
    #[error("secure storage: {0}")]
    Storage(#[from] StoreError),
    #[error("stored session: {0}")]
    Record(#[from] RecordError),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(
        "too many refreshes in a short time; refusing to refresh again before {retry_in_secs} s"
    )]
    RefreshBudgetExhausted { retry_in_secs: u64 },
}

impl AuthError {
    /// Worth trying again later with the same session (network, server trouble, busy storage).
    pub fn is_transient(&self) -> bool {
        match self {
            AuthError::Network(_) | AuthError::RefreshBudgetExhausted { .. } => true,
            AuthError::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            AuthError::Storage(StoreError::Unavailable(_)) => true,
            _ => false,
        }
    }
}
