//! Refresh tokens still to be revoked on the server, kept in the secure store
//! so a logout made offline (or interrupted by the app being killed) is
//! finished on a later start.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;

use crate::client::PendingLogoutPolicy;
use crate::clock::{UnixMillis, duration_millis};
use crate::json_error;
use crate::secret::RefreshToken;
use crate::store::{SecureStore, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingLogout {
    pub id: u64,
    pub token: RefreshToken,
    pub queued_at: UnixMillis,
    pub attempts: u32,
}

#[derive(Serialize, Deserialize)]
struct QueueRecord {
    schema_version: u32,
    entries: Vec<PendingLogout>,
}

/// The store-backed queue. Each change is a read-modify-write of one record
/// under a lock, so concurrent logouts and flushes never lose an entry.
pub(crate) struct PendingLogoutQueue {
    key: String,
    policy: PendingLogoutPolicy,
    lock: Mutex<()>,
}

impl PendingLogoutQueue {
    pub(crate) fn new(key: String, policy: PendingLogoutPolicy) -> Self {
        Self {
            key,
            policy,
            lock: Mutex::new(()),
        }
    }

    /// Adds a token; the oldest entries make room when the queue is full.
    pub(crate) fn enqueue(
        &self,
        store: &dyn SecureStore,
        token: RefreshToken,
        now: UnixMillis,
    ) -> Result<u64, StoreError> {
        let id = fastrand::u64(..);
        self.update(store, |entries| {
            entries.push(PendingLogout {
                id,
                token,
                queued_at: now,
                attempts: 0,
            });
            let excess = entries.len().saturating_sub(self.policy.max_entries);
            entries.drain(..excess);
        })?;
        Ok(id)
    }

    pub(crate) fn entries(
        &self,
        store: &dyn SecureStore,
    ) -> Result<Vec<PendingLogout>, StoreError> {
        let _guard = self.lock();
        read(store, &self.key)
    }

    pub(crate) fn remove(&self, store: &dyn SecureStore, id: u64) -> Result<(), StoreError> {
        self.update(store, |entries| entries.retain(|entry| entry.id != id))
    }

    /// Counts a failed attempt; drops the entry once it is out of attempts.
    /// Returns whether it was dropped.
    pub(crate) fn record_failure(
        &self,
        store: &dyn SecureStore,
        id: u64,
    ) -> Result<bool, StoreError> {
        let mut dropped = false;
        self.update(store, |entries| {
            for entry in entries.iter_mut().filter(|entry| entry.id == id) {
                entry.attempts += 1;
            }
            let before = entries.len();
            entries.retain(|entry| entry.attempts < self.policy.max_attempts);
            dropped = entries.len() < before;
        })?;
        Ok(dropped)
    }

    /// Whether an entry is past its age or attempt limit and should be given up.
    pub(crate) fn is_spent(&self, entry: &PendingLogout, now: UnixMillis) -> bool {
        entry.attempts >= self.policy.max_attempts
            || now.saturating_sub(entry.queued_at) > duration_millis(self.policy.max_age)
    }

    fn update(
        &self,
        store: &dyn SecureStore,
        change: impl FnOnce(&mut Vec<PendingLogout>),
    ) -> Result<(), StoreError> {
        let _guard = self.lock();
        let mut entries = read(store, &self.key)?;
        change(&mut entries);
        if entries.is_empty() {
            return store.delete(&self.key);
        }
        let record = QueueRecord {
            schema_version: 1,
            entries,
        };
        let bytes = zeroize::Zeroizing::new(serde_json::to_vec(&record).unwrap_or_default());
        store.set(&self.key, &bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A missing queue is an empty one; a corrupt one is reported and then
/// replaced on the next write (its tokens cannot be read back anyway).
fn read(store: &dyn SecureStore, key: &str) -> Result<Vec<PendingLogout>, StoreError> {
    match store.get(key) {
        Ok(bytes) => match serde_json::from_slice::<QueueRecord>(&bytes) {
            Ok(record) if record.schema_version == 1 => Ok(record.entries),
            Ok(record) => Err(StoreError::Corrupt(format!(
                "pending-logout queue has unknown schema version {}",
                record.schema_version
            ))),
            Err(error) => {
                tracing::warn!(error = %json_error::describe(&error), "pending-logout queue unreadable; dropping it");
                Ok(Vec::new())
            }
        },
        Err(StoreError::NotFound) => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use std::time::Duration;

    fn queue(max_entries: usize, max_attempts: u32) -> PendingLogoutQueue {
        PendingLogoutQueue::new(
            "q".into(),
            PendingLogoutPolicy {
                max_attempts,
                max_age: Duration::from_secs(60),
                max_entries,
            },
        )
    }

    #[test]
    fn entries_survive_a_new_queue_on_the_same_store() {
        let store = MemoryStore::new();
        let id = queue(8, 3)
            .enqueue(&store, RefreshToken::new("r1"), 1_000)
            .unwrap();
        let entries = queue(8, 3).entries(&store).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].id, id);
        assert_eq!(entries[0].token.expose(), "r1");
        queue(8, 3).remove(&store, id).unwrap();
        assert_eq!(
            store.get("q"),
            Err(StoreError::NotFound),
            "an empty queue leaves nothing behind"
        );
    }

    #[test]
    fn bounded_in_size_attempts_and_age() {
        let store = MemoryStore::new();
        let q = queue(2, 2);
        for token in ["a", "b", "c"] {
            q.enqueue(&store, RefreshToken::new(token), 0).unwrap();
        }
        let entries = q.entries(&store).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.token.expose()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert!(!q.record_failure(&store, entries[0].id).unwrap());
        assert!(
            q.record_failure(&store, entries[0].id).unwrap(),
            "second failure spends it"
        );
        assert_eq!(q.entries(&store).unwrap().len(), 1);
        assert!(!q.is_spent(&entries[1], 60_000));
        assert!(q.is_spent(&entries[1], 60_001));
    }

    #[test]
    fn corrupt_queue_reads_as_empty_and_unavailable_is_an_error() {
        let store = MemoryStore::new();
        store.set("q", b"garbage").unwrap();
        assert!(queue(8, 3).entries(&store).unwrap().is_empty());
    }
}
