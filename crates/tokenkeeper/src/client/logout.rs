//! Logging out for real: the local session ends first, then the refresh token
//! is revoked on the server — now if it answers, later if it does not.

use std::sync::Arc;

use super::Inner;
use super::session_cell::{Expect, Slot};
use crate::error::AuthError;
use crate::pending_logout::PendingLogout;
use crate::secret::RefreshToken;
use crate::server::{ServerVerdict, classify_failure};
use crate::session::SessionEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// The server revoked the session (or had already forgotten it).
    Revoked,
    /// The server could not be reached; the revocation is queued and retried.
    Queued,
    /// Nothing to revoke on the server (no refresh token, or no logout endpoint).
    LocalOnly,
}

/// What a pass over the pending-logout queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    pub revoked: usize,
    pub remaining: usize,
    /// Given up on: too old, out of attempts, or refused by the server as a bad request.
    pub dropped: usize,
}

enum Revocation {
    Done,
    RetryLater,
    GiveUp,
}

impl Inner {
    pub(super) async fn logout(self: &Arc<Self>) -> Result<LogoutOutcome, AuthError> {
        // Whatever is stored must be ended too, even if it was never loaded.
        let _ = self.current();
        let Some(ended) = self
            .cell
            .end(Slot::LoggedOut, Expect::Any, self.store.as_ref())
        else {
            return Ok(LogoutOutcome::LocalOnly);
        };
        self.events.emit(SessionEvent::LoggedOut);
        let refresh = ended
            .previous
            .and_then(|set| set.refresh.clone())
            .filter(|_| self.config.profile.can_revoke());
        let outcome = match refresh {
            None => LogoutOutcome::LocalOnly,
            Some(token) => self.revoke_now_or_queue(token).await,
        };
        match ended.delete_error {
            Some(error) => Err(error.into()),
            None => Ok(outcome),
        }
    }

    /// Queues `token` durably, then tries to revoke it at once.
    async fn revoke_now_or_queue(self: &Arc<Self>, token: RefreshToken) -> LogoutOutcome {
        let queued = self.pending.enqueue(
            self.store.as_ref(),
            token.clone(),
            self.time.device_now_millis(),
        );
        let Ok(id) = queued else {
            // The store refused the queue entry: revoke from memory, best effort.
            return match self.revoke(&token).await {
                Revocation::Done => LogoutOutcome::Revoked,
                Revocation::RetryLater | Revocation::GiveUp => LogoutOutcome::Queued,
            };
        };
        let _flushing = self.flushing.lock().await;
        match self.revoke(&token).await {
            Revocation::Done | Revocation::GiveUp => {
                self.forget_pending(id);
                LogoutOutcome::Revoked
            }
            Revocation::RetryLater => LogoutOutcome::Queued,
        }
    }

    /// Queues a token for revocation and flushes in the background.
    pub(super) fn revoke_later(self: &Arc<Self>, token: RefreshToken) {
        if let Err(error) =
            self.pending
                .enqueue(self.store.as_ref(), token, self.time.device_now_millis())
        {
            tracing::warn!(%error, "could not queue a revocation");
        }
        self.spawn_flush();
    }

    pub(super) fn spawn_flush(self: &Arc<Self>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = this.flush_pending().await {
                tracing::debug!(%error, "pending logouts not flushed");
            }
        });
    }

    pub(super) async fn flush_pending(self: &Arc<Self>) -> Result<FlushReport, AuthError> {
        let _flushing = self.flushing.lock().await;
        let mut report = FlushReport::default();
        for entry in self.pending.entries(self.store.as_ref())? {
            if self.pending.is_spent(&entry, self.time.device_now_millis()) {
                self.forget_pending(entry.id);
                report.dropped += 1;
                continue;
            }
            match self.revoke(&entry.token).await {
                Revocation::Done => {
                    self.forget_pending(entry.id);
                    report.revoked += 1;
                }
                Revocation::GiveUp => {
                    self.forget_pending(entry.id);
                    report.dropped += 1;
                }
                Revocation::RetryLater => self.count_failed_attempt(&entry, &mut report),
            }
        }
        Ok(report)
    }

    async fn revoke(&self, token: &RefreshToken) -> Revocation {
        let request = match self
            .config
            .profile
            .logout_request(&self.config.base_url, token)
        {
            Ok(Some(request)) => request,
            Ok(None) | Err(_) => return Revocation::GiveUp,
        };
        match self.transport.send(request).await {
            Ok(response) if response.is_success() => Revocation::Done,
            Ok(response) => match classify_failure(&response, self.time.device_now_millis()) {
                // The server no longer knows the token: it is as good as revoked.
                ServerVerdict::Rejected { .. } => Revocation::Done,
                ServerVerdict::Transient { .. } => Revocation::RetryLater,
                ServerVerdict::Unexpected { .. } => Revocation::GiveUp,
            },
            Err(_) => Revocation::RetryLater,
        }
    }

    fn count_failed_attempt(&self, entry: &PendingLogout, report: &mut FlushReport) {
        match self.pending.record_failure(self.store.as_ref(), entry.id) {
            Ok(true) => report.dropped += 1,
            Ok(false) => report.remaining += 1,
            Err(error) => {
                tracing::warn!(%error, "could not update the pending-logout queue");
                report.remaining += 1;
            }
        }
    }

    fn forget_pending(&self, id: u64) {
        if let Err(error) = self.pending.remove(self.store.as_ref(), id) {
            tracing::warn!(%error, "could not update the pending-logout queue");
        }
    }
}
