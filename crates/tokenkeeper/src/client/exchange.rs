//! Talking to the token endpoints: login, starting a session from a token
//! response, and reading the server's clock from its answers.

use std::sync::Arc;

use super::Inner;
use super::session_cell::Expect;
use crate::error::AuthError;
use crate::jwt::{decode_unverified, seconds_to_millis};
use crate::server::{Credentials, ServerVerdict, TokenResponse, classify_failure};
use crate::session::{SessionEvent, TokenSet};
use crate::transport::{HttpRequest, HttpResponse};

impl Inner {
    /// Sends a request to a token endpoint, recording the server's clock from
    /// the `Date` header so expiry is judged in server time.
    pub(super) async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        let response = self.transport.send(request).await?;
        if let Some(server_now) = response.server_date_millis() {
            self.time
                .observe_server_time(server_now, self.time.device_now_millis());
        }
        Ok(response)
    }

    /// The tokens in a successful token-endpoint answer. Without a `Date`
    /// header, a fresh token's `iat` stands in for the server's clock.
    pub(super) fn read_tokens(&self, response: &HttpResponse) -> Result<TokenResponse, AuthError> {
        let tokens = self.config.profile.parse_tokens(&response.body)?;
        if response.header("date").is_none()
            && let Ok(jwt) = decode_unverified(tokens.access_token.expose())
            && let Some(iat) = jwt.claims.iat
        {
            self.time
                .observe_server_time(seconds_to_millis(iat), self.time.device_now_millis());
        }
        Ok(tokens)
    }

    pub(super) async fn login(
        &self,
        credentials: &Credentials,
    ) -> Result<TokenResponse, AuthError> {
        let request = self
            .config
            .profile
            .login_request(&self.config.base_url, credentials)?;
        let response = self.exchange(request).await?;
        if !response.is_success() {
            return Err(
                match classify_failure(&response, self.time.device_now_millis()) {
                    ServerVerdict::Rejected { .. } => AuthError::InvalidCredentials,
                    ServerVerdict::Transient { .. } => AuthError::Server {
                        status: response.status,
                        code: None,
                    },
                    ServerVerdict::Unexpected { code } => AuthError::Server {
                        status: response.status,
                        code,
                    },
                },
            );
        }
        self.read_tokens(&response)
    }

    /// Makes `tokens` the session, replacing (and revoking) any previous one.
    pub(super) fn start_session(self: &Arc<Self>, tokens: TokenResponse) -> Result<(), AuthError> {
        // Read the store first so a stored session being replaced is revoked, not forgotten.
        let previous = self.current().ok();
        let set = TokenSet::from_response(
            tokens,
            None,
            self.cell.next_generation(),
            self.time.now_millis(),
            &self.config.validation,
            self.config.min_ttl,
        )?;
        let commit = self
            .cell
            .commit(Arc::new(set), Expect::Any, self.store.as_ref(), &self.time);
        self.report_commit(commit, SessionEvent::LoggedIn);
        match previous.and_then(|set| set.refresh.clone()) {
            Some(replaced) => self.revoke_later(replaced),
            // The server just answered: a good moment for revocations queued offline.
            None => self.spawn_flush(),
        }
        Ok(())
    }
}
