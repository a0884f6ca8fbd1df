//! The keys that verify the server's tokens: fixed ones from the
//! configuration, or a JWKS fetched over the transport, cached with a TTL,
//! kept in the store for offline starts, and fetched again — once, and never
//! more often than a floor — when a token names a key it does not know.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use arc_swap::ArcSwapOption;
use serde::{Deserialize, Serialize};

use super::Inner;
use crate::clock::{UnixMillis, duration_millis};
use crate::error::AuthError;
use crate::jwt::verify::{KeySet, KeySource, MAX_JWKS_LEN, RemoteJwks, verify};
use crate::jwt::{JwtError, Malformed, decode_unverified};
use crate::server::{TokenResponse, get_json_document};
use crate::store::StoreError;

/// A JWKS as fetched, with when.
struct Fetched {
    keys: KeySet,
    fetched_at: UnixMillis,
}

/// What the store keeps: the JWKS text as served, re-parsed on load.
#[derive(Serialize, Deserialize)]
struct StoredJwks {
    fetched_at: UnixMillis,
    jwks: String,
}

pub(super) struct RemoteKeyCache {
    current: ArcSwapOption<Fetched>,
    /// One fetch at a time; late arrivals use its result.
    fetching: tokio::sync::Mutex<()>,
    /// When a JWKS was last fetched *again* (the first fetch does not count:
    /// without it nothing verifies at all).
    last_refetch: AtomicI64,
}

impl Default for RemoteKeyCache {
    fn default() -> Self {
        Self {
            current: ArcSwapOption::empty(),
            fetching: tokio::sync::Mutex::new(()),
            last_refetch: AtomicI64::new(i64::MIN),
        }
    }
}

impl Inner {
    /// Verifies the signatures of the access token (and the ID token, when it
    /// is a JWT) if the app configured keys; otherwise does nothing.
    pub(super) async fn verify_signatures(&self, tokens: &TokenResponse) -> Result<(), AuthError> {
        let Some(source) = &self.config.keys else {
            return Ok(());
        };
        self.verify_one(source, tokens.access_token.expose(), true)
            .await?;
        if let Some(id) = &tokens.id_token {
            self.verify_one(source, id.expose(), false).await?;
        }
        Ok(())
    }

    /// Makes sure keys are at hand before a refresh token is spent, so a JWKS
    /// that cannot be fetched fails the refresh early instead of discarding a
    /// rotated token set whose signature could not be checked.
    pub(super) async fn ensure_signing_keys(&self) -> Result<(), AuthError> {
        if let Some(KeySource::Remote(remote)) = &self.config.keys {
            self.remote_keys(remote).await?;
        }
        Ok(())
    }

    async fn verify_one(
        &self,
        source: &KeySource,
        token: &str,
        required: bool,
    ) -> Result<(), AuthError> {
        let jwt = match decode_unverified(token) {
            Ok(jwt) => jwt,
            Err(JwtError::Malformed(Malformed::SegmentCount(1))) if !required => return Ok(()),
            Err(JwtError::Malformed(Malformed::SegmentCount(1))) => {
                return Err(JwtError::NotAJwt.into());
            }
            Err(error) => return Err(error.into()),
        };
        let remote = match source {
            KeySource::Fixed(keys) => return Ok(verify(token, &jwt.header, keys)?),
            KeySource::Remote(remote) => remote,
        };
        let keys = self.remote_keys(remote).await?;
        let error = match verify(token, &jwt.header, &keys.keys) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        // A fresh JWKS helps only if the issuer may have rotated: no key fits,
        // or the fitting keys were chosen without the token naming one of them.
        let rotation_possible = match &error {
            JwtError::NoMatchingKey => true,
            JwtError::BadSignature => !jwt
                .header
                .kid
                .as_deref()
                .is_some_and(|kid| keys.keys.names(kid)),
            _ => false,
        };
        if !rotation_possible {
            return Err(error.into());
        }
        match self.refetch_keys(remote, keys.fetched_at).await? {
            Some(fresh) => Ok(verify(token, &jwt.header, &fresh.keys)?),
            None => Err(error.into()),
        }
    }

    /// The JWKS to verify with: memory, else the store, else the network;
    /// past its TTL it is fetched again, and kept if that fails.
    async fn remote_keys(&self, remote: &RemoteJwks) -> Result<Arc<Fetched>, AuthError> {
        let cache = &self.remote_keys;
        let cached = match cache.current.load_full() {
            Some(fetched) => Some(fetched),
            None => self.load_stored_jwks(),
        };
        let Some(cached) = cached else {
            return self.fetch_first_jwks(remote).await;
        };
        let age = self
            .time
            .device_now_millis()
            .saturating_sub(cached.fetched_at);
        if age < duration_millis(remote.ttl) {
            return Ok(cached);
        }
        match self.refetch_keys(remote, cached.fetched_at).await {
            Ok(Some(fresh)) => Ok(fresh),
            Ok(None) => Ok(cached),
            Err(error) => {
                tracing::info!(%error, "could not refresh the JWKS; using the stored one");
                Ok(cached)
            }
        }
    }

    /// Fetches again unless the floor forbids it (`None`). A fetch that
    /// someone else finished meanwhile (newer than `seen`) is used as is.
    async fn refetch_keys(
        &self,
        remote: &RemoteJwks,
        seen: UnixMillis,
    ) -> Result<Option<Arc<Fetched>>, AuthError> {
        let cache = &self.remote_keys;
        let _fetching = cache.fetching.lock().await;
        if let Some(newer) = cache.current.load_full().filter(|f| f.fetched_at > seen) {
            return Ok(Some(newer));
        }
        let now = self.time.device_now_millis();
        let last = cache.last_refetch.load(Ordering::Relaxed);
        if now.saturating_sub(last) < duration_millis(remote.min_refetch_interval) {
            tracing::debug!("JWKS fetched again too recently; not fetching");
            return Ok(None);
        }
        cache.last_refetch.store(now, Ordering::Relaxed);
        self.fetch_jwks_locked(remote).await.map(Some)
    }

    /// The first fetch (no keys at all yet): no floor, since nothing can be verified without it.
    async fn fetch_first_jwks(&self, remote: &RemoteJwks) -> Result<Arc<Fetched>, AuthError> {
        let _fetching = self.remote_keys.fetching.lock().await;
        if let Some(fetched) = self.remote_keys.current.load_full() {
            return Ok(fetched);
        }
        self.fetch_jwks_locked(remote).await
    }

    /// GETs and parses the JWKS, then keeps it in memory and in the store.
    async fn fetch_jwks_locked(&self, remote: &RemoteJwks) -> Result<Arc<Fetched>, AuthError> {
        let now = self.time.device_now_millis();
        let response = get_json_document(
            self.transport.as_ref(),
            &remote.url,
            MAX_JWKS_LEN,
            "the JWKS",
        )
        .await?;
        let keys = KeySet::from_jwks(&response.body)
            .map_err(|error| AuthError::InvalidResponse(format!("JWKS: {error}")))?;
        tracing::debug!(keys = keys.len(), "fetched the JWKS");
        let fetched = Arc::new(Fetched {
            keys,
            fetched_at: now,
        });
        self.remote_keys.current.store(Some(Arc::clone(&fetched)));
        self.save_jwks(&response.body, now);
        Ok(fetched)
    }

    /// The JWKS kept by an earlier run, if any (a store error means none).
    fn load_stored_jwks(&self) -> Option<Arc<Fetched>> {
        let bytes = match self.store.get(&self.config.jwks_key) {
            Ok(bytes) => bytes,
            Err(StoreError::NotFound) => return None,
            Err(error) => {
                tracing::debug!(%error, "stored JWKS unreadable; fetching instead");
                return None;
            }
        };
        let stored: StoredJwks = serde_json::from_slice(&bytes).ok()?;
        let keys = KeySet::from_jwks(stored.jwks.as_bytes()).ok()?;
        let fetched = Arc::new(Fetched {
            keys,
            fetched_at: stored.fetched_at,
        });
        self.remote_keys.current.store(Some(Arc::clone(&fetched)));
        Some(fetched)
    }

    /// Best effort: a JWKS that cannot be stored is simply fetched again next start.
    fn save_jwks(&self, body: &[u8], fetched_at: UnixMillis) {
        let Ok(jwks) = String::from_utf8(body.to_vec()) else {
            return;
        };
        let stored = StoredJwks { fetched_at, jwks };
        let saved = serde_json::to_vec(&stored)
            .map_err(|error| StoreError::Other(error.to_string()))
            .and_then(|bytes| self.store.set(&self.config.jwks_key, &bytes));
        if let Err(error) = saved {
            tracing::info!(%error, "could not keep the JWKS in the store");
        }
    }
}
