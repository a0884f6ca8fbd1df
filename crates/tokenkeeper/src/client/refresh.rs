//! One refresh at a time per token generation, with retries for passing
//! failures, and a commit that only lands on the session it started from.

use std::sync::Arc;
use std::time::Duration;

use super::Inner;
use super::session_cell::{Expect, Slot};
use crate::error::AuthError;
use crate::secret::RefreshToken;
use crate::server::{ServerVerdict, classify_failure};
use crate::session::{ExpiryReason, SessionEvent, TokenSet};
use crate::transport::HttpResponse;

type RefreshResult = Result<Arc<TokenSet>, AuthError>;

impl Inner {
    /// Tokens newer than generation `from`: refreshes unless that already
    /// happened, joining any refresh in flight. A 401 seen with an older
    /// generation therefore never spends the refresh token again.
    pub(super) async fn refresh_from(self: &Arc<Self>, from: u64) -> RefreshResult {
        match self.join_or_start_refresh(from) {
            Some(ticket) => ticket
                .wait()
                .await
                .unwrap_or_else(|| Err(AuthError::Config("the refresh task panicked".into()))),
            None => self.current(),
        }
    }

    /// Starts (or joins) a refresh without waiting for it.
    pub(super) fn start_refresh(self: &Arc<Self>, from: u64) {
        drop(self.join_or_start_refresh(from));
    }

    fn join_or_start_refresh(
        self: &Arc<Self>,
        from: u64,
    ) -> Option<crate::refresh::SingleFlightTicket<RefreshResult>> {
        let this = Arc::clone(self);
        self.flight.join_or_start(
            from,
            || self.cell.active_generation() == Some(from),
            async move { this.run_refresh(from).await },
        )
    }

    async fn run_refresh(self: Arc<Self>, from: u64) -> RefreshResult {
        let current = self.current()?;
        if current.generation != from {
            return Ok(current);
        }
        let Some(refresh_token) = current.refresh.clone() else {
            return Err(self.expire(from, ExpiryReason::NoRefreshToken));
        };
        // The budget stops refresh loops; a token renewed on its own schedule
        // is not one, however short-lived the server makes its tokens.
        if !current.renewal_is_scheduled(self.time.now_millis())
            && let Err(wait) = self.budget.try_take(self.time.device_now_millis())
        {
            let retry_in_secs = wait.as_secs().max(1);
            tracing::warn!(retry_in_secs, "refresh budget exhausted");
            return Err(AuthError::RefreshBudgetExhausted { retry_in_secs });
        }
        self.ensure_signing_keys().await?;
        let response = self.refresh_with_retries(from, &refresh_token).await?;
        let tokens = self.read_tokens(&response)?;
        self.verify_signatures(&tokens).await?;
        let set = TokenSet::from_response(
            tokens,
            Some(refresh_token),
            self.cell.next_generation(),
            self.time.now_millis(),
            &self.config.validation,
            self.config.min_ttl,
        )?;
        let set = Arc::new(set);
        let generation = set.generation;
        let commit = self.cell.commit(
            Arc::clone(&set),
            Expect::Generation(from),
            self.store.as_ref(),
            &self.time,
        );
        if self.report_commit(commit, SessionEvent::Refreshed { generation }) {
            // Kept (the refresh token in it is the live one), but useless for
            // requests: say so rather than hand out a token the server refuses.
            if !set.is_usable(self.time.now_millis()) {
                return Err(AuthError::InvalidResponse(
                    "the server issued an access token that is already expired".into(),
                ));
            }
            return Ok(set);
        }
        // Logged out or logged in again while this ran: these tokens belong to
        // no session, so they are revoked rather than left live on the server.
        tracing::debug!("refresh finished after the session changed; discarding it");
        if let Some(orphan) = set.refresh.clone() {
            self.revoke_later(orphan);
        }
        self.current()
    }

    /// POSTs the refresh request until it succeeds, is refused for good, or
    /// runs out of attempts. Only a definitive refusal ends the session.
    async fn refresh_with_retries(
        &self,
        from: u64,
        refresh_token: &RefreshToken,
    ) -> Result<HttpResponse, AuthError> {
        let policy = &self.config.retry;
        let mut attempt = 1;
        loop {
            let request = self
                .config
                .profile
                .refresh_request(&self.config.base_url, refresh_token)?;
            let (error, retry_after) = match self.exchange(request).await {
                Ok(response) if response.is_success() => return Ok(response),
                Ok(response) => match classify_failure(&response, self.time.device_now_millis()) {
                    ServerVerdict::Rejected { code } => {
                        return Err(self.expire(
                            from,
                            ExpiryReason::RefreshRejected {
                                status: response.status,
                                code,
                            },
                        ));
                    }
                    ServerVerdict::Unexpected { code } => {
                        return Err(AuthError::Server {
                            status: response.status,
                            code,
                        });
                    }
                    ServerVerdict::Transient { retry_after_secs } => (
                        AuthError::Server {
                            status: response.status,
                            code: None,
                        },
                        retry_after_secs.map(Duration::from_secs),
                    ),
                },
                Err(error) => (error, None),
            };
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt));
            if attempt >= policy.max_attempts || delay > policy.max_retry_after {
                tracing::warn!(%error, attempt, "refresh failed; keeping the session");
                return Err(error);
            }
            tracing::debug!(%error, attempt, ?delay, "refresh failed; retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Ends the session of generation `from` because it cannot be renewed.
    fn expire(&self, from: u64, reason: ExpiryReason) -> AuthError {
        if let Some(ended) = self.cell.end(
            Slot::Expired(reason.clone()),
            Expect::Generation(from),
            self.store.as_ref(),
        ) {
            if let Some(error) = ended.delete_error {
                tracing::warn!(%error, "could not delete the expired session from the store");
            }
            self.events.emit(SessionEvent::Expired(reason.clone()));
        }
        AuthError::SessionExpired(reason)
    }
}
