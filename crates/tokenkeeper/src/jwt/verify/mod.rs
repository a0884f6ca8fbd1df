//! Offline signature verification: which keys, and the check itself. The
//! fetching and caching of a remote JWKS lives with the client
//! (`client/signing_keys.rs`), which owns the transport and the store.

mod keys;
mod signature;

pub use keys::{KeyError, KeySet, MAX_JWKS_LEN};
pub(crate) use signature::verify;

use std::time::Duration;

/// Where the keys that sign the server's tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// Keys given by the app (an inline JWKS or a PEM), read once at configuration.
    Fixed(KeySet),
    /// A JWKS fetched from the server and kept in the store for offline use.
    Remote(RemoteJwks),
}

/// A JWKS URL and how often to read it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteJwks {
    pub url: String,
    /// How long a fetched JWKS is used before it is fetched again
    /// (a failed refetch keeps the old one: offline use continues).
    pub ttl: Duration,
    /// A token signed by an unknown key triggers one refetch, but never more
    /// often than this, so forged `kid`s cannot make the app hammer the server.
    pub min_refetch_interval: Duration,
}

impl RemoteJwks {
    pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);
    pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
}

#[cfg(test)]
mod tests;
