//! The `AuthClient` object: one user session against one auth server. Every method
//! forwards to [`tokenkeeper::AuthClient`]; async ones run on the crate's runtime.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use zeroize::Zeroizing;

use tokenkeeper::Credentials;
use tokenkeeper::clock::SystemClock;
use tokenkeeper::store::{MemoryStore, Serialized};

use crate::error::TokenkeeperError;
use crate::fast_path;
use crate::foreign::{ForeignStore, ForeignTransport, HttpTransport, SecureStore, SessionListener};
use crate::listener::{self, Forwarding};
use crate::runtime::{self, run};
use crate::transport;
use crate::types::{
    AuthConfig, Claims, FlushReport, HttpRequest, HttpResponse, LogoutOutcome, SessionState,
    TokenResponse,
};

/// A logged-in (or not) user session. Safe to use from many threads at once; create
/// one per server and account, at start-up, and call `restore()` first.
#[derive(uniffi::Object)]
pub struct AuthClient {
    /// `None` once shut down (or while being dropped).
    core: RwLock<Option<tokenkeeper::AuthClient>>,
    listener: Mutex<Option<Forwarding>>,
    /// Its id for the Kotlin JNI fast path, when this build has one.
    fast_path_id: Option<u64>,
}

impl AuthClient {
    fn wrap(core: tokenkeeper::AuthClient) -> Arc<Self> {
        Arc::new_cyclic(|this| Self {
            core: RwLock::new(Some(core)),
            listener: Mutex::new(None),
            fast_path_id: fast_path::register(this),
        })
    }

    fn build(
        config: AuthConfig,
        store: Arc<dyn tokenkeeper::store::SecureStore>,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>, TokenkeeperError> {
        let config = tokenkeeper::AuthConfig::try_from(config)?;
        // The built-in transport starts its connection pool on the runtime.
        let _context = runtime::handle()?.enter();
        let transport = match transport {
            Some(transport) => Arc::new(ForeignTransport(transport)),
            None => transport::built_in()?,
        };
        let core = tokenkeeper::AuthClient::new(config, store, transport, Arc::new(SystemClock));
        Ok(Self::wrap(core))
    }

    fn core(&self) -> Result<tokenkeeper::AuthClient, TokenkeeperError> {
        // The slots hold no invariant a panic could break: poisoning is ignored.
        let core = self.core.read().unwrap_or_else(PoisonError::into_inner);
        core.clone().ok_or_else(|| TokenkeeperError::Closed {
            detail: "the client was shut down".to_owned(),
        })
    }

    fn listener_slot(&self) -> MutexGuard<'_, Option<Forwarding>> {
        self.listener.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the listener and releases the core (timers, HTTP connection pool) on the
    /// runtime: the foreign GC may get here on any thread.
    fn release(&self) {
        if let Some(id) = self.fast_path_id {
            fast_path::unregister(id);
        }
        drop(self.listener_slot().take());
        let core = self
            .core
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(core) = core {
            runtime::drop_on_runtime(core);
        }
    }
}

impl Drop for AuthClient {
    fn drop(&mut self) {
        self.release();
    }
}

#[uniffi::export]
impl AuthClient {
    /// With the app's secure store and, optionally, its HTTP client (otherwise the
    /// built-in one, when this build has it). The store needs no compare-and-set: the
    /// client serializes its writes.
    #[uniffi::constructor]
    pub fn new(
        config: AuthConfig,
        store: Arc<dyn SecureStore>,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>, TokenkeeperError> {
        Self::build(
            config,
            Arc::new(Serialized::new(ForeignStore(store))),
            transport,
        )
    }

    /// A store in memory only: the session does not survive the process. For tests
    /// and demos.
    #[uniffi::constructor]
    pub fn in_memory(
        config: AuthConfig,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>, TokenkeeperError> {
        Self::build(config, Arc::new(MemoryStore::new()), transport)
    }

    /// Reads the stored session (call at start-up) and retries, in the background, any
    /// revocation a previous logout could not finish.
    pub async fn restore(&self) -> Result<SessionState, TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.restore().await?.into()) }).await
    }

    /// Logs in; replaces any current session (whose refresh token is then revoked).
    pub async fn login(&self, username: String, password: String) -> Result<(), TokenkeeperError> {
        let core = self.core()?;
        let credentials = Credentials::new(username, password);
        run(async move { Ok(core.login(credentials).await?) }).await
    }

    /// Starts a session from tokens obtained elsewhere (e.g. an authorization-code flow
    /// in a browser); they are validated (and signature-checked) like a login's.
    pub async fn start_session(&self, tokens: TokenResponse) -> Result<(), TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.start_session(tokens.into()).await?) }).await
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<String, TokenkeeperError> {
        let core = self.core()?;
        // A valid token needs no task on the runtime: answered on the caller's thread.
        if let Some(token) = core.fresh_access_token() {
            return Ok(token.expose().to_owned());
        }
        run(async move { Ok(core.access_token().await?.expose().to_owned()) }).await
    }

    /// The current access token when it needs no refresh, without waiting; null/nil
    /// otherwise (then call `access_token`). Cheap enough for every request.
    pub fn fresh_access_token(&self) -> Result<Option<String>, TokenkeeperError> {
        Ok(self
            .core()?
            .fresh_access_token()
            .map(|token| token.expose().to_owned()))
    }

    /// The token to retry with after the server answered 401 to `rejected_token` (for
    /// the app's own HTTP client, e.g. an OkHttp `Authenticator`). Refreshes only if
    /// `rejected_token` is still current: concurrent 401s share one refresh.
    pub async fn renew_after_rejection(
        &self,
        rejected_token: String,
    ) -> Result<String, TokenkeeperError> {
        let core = self.core()?;
        let rejected_token = Zeroizing::new(rejected_token);
        run(async move {
            let renewed = core.renew_after_rejection(&rejected_token).await?;
            Ok(renewed.expose().to_owned())
        })
        .await
    }

    /// Claims of the current access token, when there is a session and the token is a JWT.
    pub fn claims(&self) -> Result<Option<Claims>, TokenkeeperError> {
        self.core()?.claims().map(Claims::from_core).transpose()
    }

    /// Sends a request with the bearer token (allowed origins only; others go out
    /// unchanged). On 401 the session is refreshed once, shared with every other
    /// caller, and the request retried once.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.send(request.into()).await?.into()) }).await
    }

    /// The request with the bearer token added when its origin is allowed, for apps that
    /// send it with their own HTTP client.
    pub async fn authorize(&self, request: HttpRequest) -> Result<HttpRequest, TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.authorize(request.into()).await?.into()) }).await
    }

    /// Refreshes now, whatever the token's remaining lifetime.
    pub async fn refresh(&self) -> Result<(), TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.refresh().await?) }).await
    }

    /// Ends the session here first, then revokes it on the server; offline, the
    /// revocation is queued durably and retried.
    pub async fn logout(&self) -> Result<LogoutOutcome, TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.logout().await?.into()) }).await
    }

    /// Retries queued revocations now.
    pub async fn flush_pending(&self) -> Result<FlushReport, TokenkeeperError> {
        let core = self.core()?;
        run(async move { Ok(core.flush_pending().await?.into()) }).await
    }

    pub fn state(&self) -> Result<SessionState, TokenkeeperError> {
        Ok(self.core()?.state().into())
    }

    /// The id under which the Kotlin layer reads `fresh_access_token` over plain JNI
    /// (`NativeFastPath`); null when this build has no fast path.
    pub fn jni_fast_path_id(&self) -> Result<Option<u64>, TokenkeeperError> {
        Ok(self.fast_path_id)
    }

    /// Whether requests to `url` get the bearer token: its origin is the server's or
    /// one of `allowed_origins`.
    pub fn sends_token_to(&self, url: String) -> Result<bool, TokenkeeperError> {
        Ok(self.core()?.sends_token_to(&url))
    }

    /// Releases the session's resources now; every later call fails with `Closed`. The
    /// stored session stays (this is not a logout). Calls in flight finish.
    pub fn shutdown(&self) -> Result<(), TokenkeeperError> {
        self.release();
        Ok(())
    }

    /// Sends every session event from now on to `listener`, replacing any earlier one.
    pub fn set_listener(&self, listener: Arc<dyn SessionListener>) -> Result<(), TokenkeeperError> {
        let forwarding = listener::forward(self.core()?.subscribe(), listener)?;
        *self.listener_slot() = Some(forwarding);
        Ok(())
    }

    /// Stops sending events to the listener, if there is one.
    pub fn remove_listener(&self) -> Result<(), TokenkeeperError> {
        drop(self.listener_slot().take());
        Ok(())
    }
}
