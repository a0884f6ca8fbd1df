//! [`AuthClient`]: the one public entry point.

mod config;
mod exchange;
mod hot_token;
mod logout;
mod origins;
mod persist;
mod refresh;
mod requests;
mod session_cell;
mod signing_keys;

pub use config::{AuthConfig, AuthConfigBuilder, PendingLogoutPolicy};
pub use logout::{FlushReport, LogoutOutcome};
pub(crate) use origins::require_secure;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::broadcast;

use crate::clock::{Clock, ServerTime};
use crate::error::AuthError;
use crate::jwt::Claims;
use crate::pending_logout::PendingLogoutQueue;
use crate::refresh::{BudgetTracker, SingleFlight};
use crate::secret::AccessToken;
use crate::server::{Credentials, TokenResponse};
use crate::session::{EventHub, SessionEvent, SessionState, TokenSet};
use crate::store::SecureStore;
use crate::transport::{HttpRequest, HttpResponse, HttpTransport};
use session_cell::{SessionCell, Slot};
use signing_keys::RemoteKeyCache;

/// A logged-in (or not) user session against one auth server.
///
/// Cheap to clone; clones share the session. All methods are safe to call
/// from many tasks at once.
#[derive(Clone)]
pub struct AuthClient {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    config: AuthConfig,
    store: Arc<dyn SecureStore>,
    transport: Arc<dyn HttpTransport>,
    time: ServerTime,
    cell: SessionCell,
    flight: SingleFlight<Result<Arc<TokenSet>, AuthError>>,
    budget: BudgetTracker,
    pending: PendingLogoutQueue,
    flushing: tokio::sync::Mutex<()>,
    events: EventHub,
    /// A commit the store refused is waiting to be written again.
    unsaved: AtomicBool,
    persist_retrying: AtomicBool,
    remote_keys: RemoteKeyCache,
}

impl AuthClient {
    pub fn new(
        config: AuthConfig,
        store: Arc<dyn SecureStore>,
        transport: Arc<dyn HttpTransport>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let inner = Inner {
            time: ServerTime::new(clock),
            cell: SessionCell::new(config.session_key.clone()),
            flight: SingleFlight::new(),
            budget: BudgetTracker::new(config.budget.clone()),
            pending: PendingLogoutQueue::new(
                config.pending_logout_key.clone(),
                config.pending_logout.clone(),
            ),
            flushing: tokio::sync::Mutex::new(()),
            events: EventHub::new(),
            unsaved: AtomicBool::new(false),
            persist_retrying: AtomicBool::new(false),
            remote_keys: RemoteKeyCache::default(),
            config,
            store,
            transport,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// With the built-in reqwest transport and the system clock.
    #[cfg(feature = "reqwest-transport")]
    pub fn with_defaults(config: AuthConfig, store: Arc<dyn SecureStore>) -> Self {
        let transport = Arc::new(crate::transport::ReqwestTransport::default());
        Self::new(
            config,
            store,
            transport,
            Arc::new(crate::clock::SystemClock),
        )
    }

    /// Reads the stored session (call at start-up) and, in the background,
    /// retries any revocation a previous logout could not finish.
    /// A locked store leaves the state `StorageUnavailable`, retried on the next call.
    pub async fn restore(&self) -> Result<SessionState, AuthError> {
        let loaded = self.inner.load();
        self.inner.spawn_flush();
        loaded.map(|_| self.state())
    }

    /// Logs in with credentials. Replaces any current session (whose refresh
    /// token is then revoked).
    pub async fn login(&self, credentials: Credentials) -> Result<(), AuthError> {
        let tokens = self.inner.login(&credentials).await?;
        self.inner.verify_signatures(&tokens).await?;
        self.inner.start_session(tokens)
    }

    /// Starts a session from tokens obtained elsewhere (e.g. an authorization-code
    /// flow in a browser). They are checked like tokens from a login.
    pub async fn start_session(&self, tokens: TokenResponse) -> Result<(), AuthError> {
        self.inner.verify_signatures(&tokens).await?;
        self.inner.start_session(tokens)
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.inner.fresh_access_token() {
            return Ok(token);
        }
        // Boxed so the fast path's future stays small.
        let tokens = Box::pin(self.inner.usable_tokens()).await?;
        Ok(tokens.access.clone())
    }

    /// The current access token when it needs no refresh, without waiting or
    /// I/O; `None` otherwise (call [`Self::access_token`] then). For callers
    /// that cannot await cheaply, such as an HTTP interceptor on a foreign thread.
    pub fn fresh_access_token(&self) -> Option<AccessToken> {
        self.inner.fresh_access_token()
    }

    /// The access token to retry with after the server refused `rejected`
    /// (a 401 seen by the app's own HTTP client). Refreshes only when
    /// `rejected` is still the current token — so any number of concurrent
    /// 401s for one token cost one refresh — and otherwise returns the token
    /// that already replaced it.
    pub async fn renew_after_rejection(&self, rejected: &str) -> Result<AccessToken, AuthError> {
        let current = self.inner.current()?;
        if current.access.expose() != rejected || current.refresh.is_none() {
            return self.access_token().await;
        }
        let renewed = self.inner.refresh_from(current.generation).await?;
        Ok(renewed.access.clone())
    }

    /// Whether requests to `url` get the bearer token (its origin is allowed).
    pub fn sends_token_to(&self, url: &str) -> bool {
        self.inner.config.origins.allows(url)
    }

    /// Claims of the current access token, when it is a JWT.
    pub fn claims(&self) -> Option<Claims> {
        self.inner.cell.active().and_then(|set| set.claims.clone())
    }

    /// Adds the bearer token to a request for an allowed origin; a request
    /// for any other origin is returned unchanged.
    pub async fn authorize(&self, request: HttpRequest) -> Result<HttpRequest, AuthError> {
        self.inner.authorize(request).await
    }

    /// Sends a request with the bearer token (allowed origins only). On 401
    /// the session is refreshed once — shared with every other caller — and
    /// the request retried once.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        self.inner.send(request).await
    }

    /// Refreshes now, whatever the token's remaining lifetime.
    pub async fn refresh(&self) -> Result<(), AuthError> {
        let current = self.inner.current()?;
        self.inner
            .refresh_from(current.generation)
            .await
            .map(|_| ())
    }

    /// Ends the session here first, then revokes it on the server; if the
    /// server cannot be reached the revocation is queued durably and retried.
    pub async fn logout(&self) -> Result<LogoutOutcome, AuthError> {
        self.inner.logout().await
    }

    /// Retries queued revocations now.
    pub async fn flush_pending(&self) -> Result<FlushReport, AuthError> {
        self.inner.flush_pending().await
    }

    pub fn state(&self) -> SessionState {
        self.inner.cell.state()
    }

    /// Session events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SessionEvent> {
        self.inner.events.subscribe()
    }
}

impl std::fmt::Debug for AuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthClient")
            .field("base_url", &self.inner.config.base_url.as_str())
            .field("state", &self.state())
            .finish()
    }
}

impl Inner {
    /// The session in use, reading the store first if it was not read yet.
    fn current(&self) -> Result<Arc<TokenSet>, AuthError> {
        if let Some(set) = self.cell.active() {
            return Ok(set);
        }
        match self.cell.slot() {
            Slot::Active(set) => Ok(set),
            Slot::Unknown | Slot::Unavailable => match self.load()? {
                Slot::Active(set) => Ok(set),
                _ => Err(AuthError::NotLoggedIn),
            },
            Slot::LoggedOut => Err(AuthError::NotLoggedIn),
            Slot::Expired(reason) => Err(AuthError::SessionExpired(reason)),
        }
    }

    fn load(&self) -> Result<Slot, AuthError> {
        let was_unavailable = matches!(self.cell.slot(), Slot::Unavailable);
        let loaded = self
            .cell
            .load(self.store.as_ref(), &self.time, self.config.min_ttl);
        if let Err(AuthError::Storage(crate::store::StoreError::Unavailable(_))) = &loaded
            && !was_unavailable
        {
            self.events.emit(SessionEvent::StorageUnavailable);
        }
        loaded
    }

    /// The current access token if it needs no refresh: no I/O, no lock, no copy.
    fn fresh_access_token(&self) -> Option<AccessToken> {
        self.cell.fresh_access_token(self.time.now_millis())
    }

    /// Fresh tokens: the hot path returns the current set without I/O; near
    /// expiry a refresh starts in the background; past expiry callers wait for it.
    async fn usable_tokens(self: &Arc<Self>) -> Result<Arc<TokenSet>, AuthError> {
        let current = self.current()?;
        let now = self.time.now_millis();
        if current.is_fresh(now) {
            return Ok(current);
        }
        if current.can_serve_while_refreshing(now) && current.refresh.is_some() {
            self.start_refresh(current.generation);
            return Ok(current);
        }
        self.refresh_from(current.generation).await
    }
}
