//! What happens after a commit, and how a write the store refused is retried
//! until it succeeds (the rotated refresh token must not be lost).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Inner;
use super::session_cell::Commit;
use crate::session::SessionEvent;

const PERSIST_RETRY_MAX_DELAY: Duration = Duration::from_secs(5);

impl Inner {
    /// Emits `event` when the commit took effect; schedules a retry when the
    /// store refused it. Returns whether the commit took effect.
    pub(super) fn report_commit(self: &Arc<Self>, commit: Commit, event: SessionEvent) -> bool {
        match commit {
            Commit::Persisted => {
                self.events.emit(event);
                true
            }
            Commit::Unpersisted(error) => {
                tracing::warn!(%error, "session kept in memory; the store refused the write, retrying");
                self.events.emit(event);
                self.events.emit(SessionEvent::StorageUnavailable);
                self.unsaved.store(true, Ordering::SeqCst);
                self.spawn_persist_retry();
                true
            }
            Commit::Stale => false,
        }
    }

    fn spawn_persist_retry(self: &Arc<Self>) {
        if self.persist_retrying.swap(true, Ordering::SeqCst) {
            return;
        }
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut attempt = 0;
            while this.unsaved.swap(false, Ordering::SeqCst) {
                attempt += 1;
                tokio::time::sleep(
                    this.config
                        .retry
                        .backoff(attempt)
                        .min(PERSIST_RETRY_MAX_DELAY),
                )
                .await;
                if let Err(error) = this.cell.persist_current(this.store.as_ref(), &this.time) {
                    tracing::debug!(%error, attempt, "persisting the session failed again");
                    this.unsaved.store(true, Ordering::SeqCst);
                }
            }
            this.persist_retrying.store(false, Ordering::SeqCst);
            // A commit may have failed between the loop's last check and now.
            if this.unsaved.load(Ordering::SeqCst) {
                this.spawn_persist_retry();
            }
        });
    }
}
