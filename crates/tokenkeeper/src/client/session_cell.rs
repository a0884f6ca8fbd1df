//! The session in use and its one writer path: every change is stored first,
//! then published, under one lock, so readers never see a session the store
//! does not have (except when the store refuses a write: see `commit`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use super::hot_token::HotToken;
use crate::clock::{ServerTime, UnixMillis};
use crate::error::AuthError;
use crate::secret::AccessToken;
use crate::session::{ExpiryReason, SessionRecord, SessionState, TokenSet};
use crate::store::{SecureStore, StoreError};

#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Not read from the store yet.
    Unknown,
    /// The store could not be read; nothing is known about the session.
    Unavailable,
    LoggedOut,
    Expired(ExpiryReason),
    Active(Arc<TokenSet>),
}

/// Which session a write is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Whatever is there (login, logout).
    Any,
    /// Only if this generation is still the one in use (refresh, expiry).
    Generation(u64),
}

#[derive(Debug)]
pub(crate) enum Commit {
    Persisted,
    /// Published, but the store refused the write: the tokens live in memory
    /// until a later write succeeds.
    Unpersisted(StoreError),
    /// The session moved on (logout, another login) while this was prepared; nothing changed.
    Stale,
}

pub(crate) struct Ended {
    /// The tokens that were in use, if any.
    pub previous: Option<Arc<TokenSet>>,
    pub delete_error: Option<StoreError>,
}

pub(crate) struct SessionCell {
    /// Read on every `access_token()`: lock-free.
    slot: ArcSwap<Slot>,
    /// Per-thread copies of the access token, for `access_token()`.
    hot: HotToken,
    writer: Mutex<()>,
    last_generation: AtomicU64,
    key: String,
}

impl SessionCell {
    pub(crate) fn new(key: String) -> Self {
        Self {
            slot: ArcSwap::from_pointee(Slot::Unknown),
            hot: HotToken::new(),
            writer: Mutex::new(()),
            last_generation: AtomicU64::new(0),
            key,
        }
    }

    pub(crate) fn slot(&self) -> Slot {
        Slot::clone(&self.slot.load())
    }

    pub(crate) fn active(&self) -> Option<Arc<TokenSet>> {
        match &**self.slot.load() {
            Slot::Active(set) => Some(Arc::clone(set)),
            _ => None,
        }
    }

    /// The access token if it needs no refresh at `server_now`: the
    /// `access_token()` fast path (no lock, no store, no decoding).
    pub(crate) fn fresh_access_token(&self, server_now: UnixMillis) -> Option<AccessToken> {
        self.hot.fresh(server_now, || {
            self.active()
                .map(|set| (set.access.clone(), set.refresh_at))
        })
    }

    pub(crate) fn active_generation(&self) -> Option<u64> {
        match &**self.slot.load() {
            Slot::Active(set) => Some(set.generation),
            _ => None,
        }
    }

    pub(crate) fn state(&self) -> SessionState {
        match &**self.slot.load() {
            Slot::Unknown => SessionState::Unknown,
            Slot::Unavailable => SessionState::StorageUnavailable,
            Slot::LoggedOut => SessionState::LoggedOut,
            Slot::Expired(reason) => SessionState::Expired(reason.clone()),
            Slot::Active(_) => SessionState::LoggedIn,
        }
    }

    /// A generation number never used before in this store.
    pub(crate) fn next_generation(&self) -> u64 {
        self.last_generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Reads the stored session into the cell (start-up, or a retry after the
    /// store was unavailable). A record that cannot be read is never deleted:
    /// a locked store is not an empty one, and a record from a newer SDK is not ours to drop.
    pub(crate) fn load(
        &self,
        store: &dyn SecureStore,
        time: &ServerTime,
        min_ttl: std::time::Duration,
    ) -> Result<Slot, AuthError> {
        let _writer = self.lock_writer();
        if !matches!(**self.slot.load(), Slot::Unknown | Slot::Unavailable) {
            return Ok(self.slot());
        }
        let loaded = match store.get(&self.key) {
            Ok(bytes) => SessionRecord::decode(&bytes).map_err(AuthError::from),
            Err(StoreError::NotFound) => {
                self.publish(Slot::LoggedOut);
                return Ok(Slot::LoggedOut);
            }
            Err(error @ StoreError::Unavailable(_)) => {
                self.publish(Slot::Unavailable);
                return Err(error.into());
            }
            Err(error) => Err(error.into()),
        };
        match loaded {
            Ok(record) => {
                time.set_offset_millis(record.server_offset_ms);
                self.last_generation
                    .fetch_max(record.generation, Ordering::SeqCst);
                let slot = Slot::Active(Arc::new(TokenSet::from_record(record, min_ttl)));
                self.publish(slot.clone());
                Ok(slot)
            }
            Err(error) => {
                tracing::warn!(%error, "stored session unreadable; starting logged out");
                self.publish(Slot::LoggedOut);
                Err(error)
            }
        }
    }

    /// Stores `set`, then publishes it, if `expect` still holds.
    pub(crate) fn commit(
        &self,
        set: Arc<TokenSet>,
        expect: Expect,
        store: &dyn SecureStore,
        time: &ServerTime,
    ) -> Commit {
        let _writer = self.lock_writer();
        if !self.matches(expect) {
            return Commit::Stale;
        }
        let record = set.to_record(time.offset_millis(), time.device_now_millis());
        let stored = store.set(&self.key, &record.encode());
        // Publish even when the write failed: the server may already have
        // rotated the refresh token, and this copy is then the only live one.
        self.publish(Slot::Active(set));
        match stored {
            Ok(()) => Commit::Persisted,
            Err(error) => Commit::Unpersisted(error),
        }
    }

    /// Writes the session in use again (after an earlier write failed).
    /// `Ok(false)`: there is no session to write any more.
    pub(crate) fn persist_current(
        &self,
        store: &dyn SecureStore,
        time: &ServerTime,
    ) -> Result<bool, StoreError> {
        let _writer = self.lock_writer();
        let Some(set) = self.active() else {
            return Ok(false);
        };
        let record = set.to_record(time.offset_millis(), time.device_now_millis());
        store.set(&self.key, &record.encode()).map(|()| true)
    }

    /// Ends the session (logout, expiry) if `expect` holds: deletes the record,
    /// then publishes `to`. The in-memory session ends even if the delete
    /// fails; the error is handed back so the caller can report it.
    /// `None`: the session moved on and nothing changed.
    pub(crate) fn end(&self, to: Slot, expect: Expect, store: &dyn SecureStore) -> Option<Ended> {
        let _writer = self.lock_writer();
        if !self.matches(expect) {
            return None;
        }
        let previous = self.active();
        let delete_error = store.delete(&self.key).err();
        self.publish(to);
        Some(Ended {
            previous,
            delete_error,
        })
    }

    fn matches(&self, expect: Expect) -> bool {
        match expect {
            Expect::Any => true,
            Expect::Generation(generation) => self.active_generation() == Some(generation),
        }
    }

    fn publish(&self, slot: Slot) {
        self.slot.store(Arc::new(slot));
        self.hot.invalidate();
    }

    fn lock_writer(&self) -> MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
