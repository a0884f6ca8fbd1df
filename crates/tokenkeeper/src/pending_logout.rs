//! Refresh tokens still to be revoked on the server, kept in the secure store
//! so a logout made offline (or interrupted by the app being killed) is
//! finished on a later start.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

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
/// committed with the store's compare-and-set, so concurrent logouts and
/// flushes (from any client on the same store) never lose an entry.
pub(crate) struct PendingLogoutQueue {
    key: String,
    policy: PendingLogoutPolicy,
}

/// A change that keeps losing the race this often is reported, not retried forever.
const MAX_UPDATE_ATTEMPTS: usize = 64;

impl PendingLogoutQueue {
    pub(crate) fn new(key: String, policy: PendingLogoutPolicy) -> Self {
        Self { key, policy }
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
                token: token.clone(),
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
        match read_bytes(store, &self.key) {
            Ok(stored) => Ok(parse(stored.as_deref())),
            // Nothing in it can be revoked; the next change replaces it.
            Err(StoreError::Corrupt(_) | StoreError::KeyInvalidated(_)) => Ok(Vec::new()),
            Err(error) => Err(error),
        }
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
        mut change: impl FnMut(&mut Vec<PendingLogout>),
    ) -> Result<(), StoreError> {
        for _ in 0..MAX_UPDATE_ATTEMPTS {
            let stored = match read_bytes(store, &self.key) {
                Err(StoreError::Corrupt(_) | StoreError::KeyInvalidated(_)) => {
                    // Its tokens can never be read back: start a new queue.
                    tracing::warn!("pending-logout queue cannot be decrypted; replacing it");
                    store.delete(&self.key)?;
                    continue;
                }
                stored => stored?,
            };
            let mut entries = parse(stored.as_deref());
            change(&mut entries);
            let new = match entries.is_empty() {
                true => None,
                false => Some(Zeroizing::new(encode(entries))),
            };
            let expected = stored.as_ref().map(|bytes| bytes.as_slice());
            if store.compare_and_set(
                &self.key,
                expected,
                new.as_ref().map(|bytes| bytes.as_slice()),
            )? {
                return Ok(());
            }
        }
        Err(StoreError::Other(
            "the pending-logout queue kept changing under this update".into(),
        ))
    }
}

fn encode(entries: Vec<PendingLogout>) -> Vec<u8> {
    let record = QueueRecord {
        schema_version: 1,
        entries,
    };
    // Plain structs of strings and integers: serialising cannot fail.
    serde_json::to_vec(&record).unwrap_or_default()
}

fn read_bytes(
    store: &dyn SecureStore,
    key: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    match store.get(key) {
        Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error),
    }
}

/// A missing queue is an empty one; an unreadable one too: it is replaced on
/// the next write (its tokens cannot be read back anyway).
fn parse(stored: Option<&Vec<u8>>) -> Vec<PendingLogout> {
    let Some(bytes) = stored else {
        return Vec::new();
    };
    match serde_json::from_slice::<QueueRecord>(bytes) {
        Ok(record) if record.schema_version == 1 => record.entries,
        Ok(record) => {
            tracing::warn!(
                version = record.schema_version,
                "pending-logout queue has an unknown schema version; replacing it"
            );
            Vec::new()
        }
        Err(error) => {
            tracing::warn!(error = %json_error::describe(&error), "pending-logout queue unreadable; replacing it");
            Vec::new()
        }
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

    /// A store whose value under every key cannot be decrypted until deleted.
    #[derive(Default)]
    struct UndecryptableStore {
        inner: MemoryStore,
        key_lost: std::sync::atomic::AtomicBool,
    }

    impl SecureStore for UndecryptableStore {
        fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
            if self.key_lost.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(StoreError::KeyInvalidated("lock screen changed".into()));
            }
            self.inner.get(key)
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.inner.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.key_lost
                .store(false, std::sync::atomic::Ordering::SeqCst);
            self.inner.delete(key)
        }
        fn compare_and_set(
            &self,
            key: &str,
            expected: Option<&[u8]>,
            new: Option<&[u8]>,
        ) -> Result<bool, StoreError> {
            self.get(key).map(drop).or_else(|error| match error {
                StoreError::NotFound => Ok(()),
                error => Err(error),
            })?;
            self.inner.compare_and_set(key, expected, new)
        }
    }

    #[test]
    fn an_undecryptable_queue_is_replaced_not_a_dead_end() {
        let store = UndecryptableStore::default();
        let q = queue(8, 3);
        q.enqueue(&store, RefreshToken::new("lost"), 0).unwrap();
        store
            .key_lost
            .store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(q.entries(&store).unwrap().is_empty());
        q.enqueue(&store, RefreshToken::new("new"), 0).unwrap();
        let entries = q.entries(&store).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.token.expose()).collect::<Vec<_>>(),
            ["new"]
        );
    }

    #[test]
    fn corrupt_queue_reads_as_empty_and_unavailable_is_an_error() {
        let store = MemoryStore::new();
        store.set("q", b"garbage").unwrap();
        assert!(queue(8, 3).entries(&store).unwrap().is_empty());
    }
}
