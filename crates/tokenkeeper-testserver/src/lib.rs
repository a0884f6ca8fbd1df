//! Reference auth server for tokenkeeper's tests, benchmarks and demo.
//!
//! Start it in-process with [`TestServer::start`], or run the `tokenkeeper-testserver`
//! binary. It speaks two profiles over one token store:
//!
//! - JSON: `POST /auth/login`, `/auth/refresh`, `/auth/logout`;
//! - OAuth 2.0: `POST /oauth/token` (`password`, `refresh_token` grants), `/oauth/revoke`,
//!   `GET /.well-known/openid-configuration`;
//!
//! plus `GET /.well-known/jwks.json`, the protected `GET /api/me`, `GET /api/echo`, and
//! `/_test/*` admin endpoints. Refresh tokens rotate on every use; presenting a used one
//! revokes its family. Faults ([`Fault`]) can be queued per endpoint group ([`Endpoint`]),
//! and the server can stop and resume listening on the same port with its state intact.

#![warn(missing_docs)]

mod access;
mod config;
mod counters;
mod faults;
mod issued;
mod keys;
mod response;
mod routes;
mod server;
mod state;
mod tokens;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use config::{SigningAlg, TestServerConfig};
pub use counters::Counters;
pub use faults::{Endpoint, Fault};
pub use issued::ISSUED_TOKENS_CAPACITY;

use keys::SigningKeys;
use server::Listening;
use state::AppState;

/// A running test server. Dropping it stops the accept loop and closes its connections.
pub struct TestServer {
    state: Arc<AppState>,
    addr: SocketAddr,
    router: Router,
    /// `None` while paused.
    listening: tokio::sync::Mutex<Option<Listening>>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1` with an ephemeral port. Generates a fresh key pair.
    pub async fn start(config: TestServerConfig) -> io::Result<TestServer> {
        TestServer::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a server bound to `addr` (port 0 picks a free port).
    pub async fn start_on(config: TestServerConfig, addr: SocketAddr) -> io::Result<TestServer> {
        let listener = server::bind(addr)?;
        let addr = listener.local_addr()?;
        let alg = config.signing_alg;
        // RSA key generation takes a while: keep it off the async workers.
        let keys = tokio::task::spawn_blocking(move || SigningKeys::generate(alg))
            .await
            .map_err(io::Error::other)??;
        let state = Arc::new(AppState::new(&config, keys, format!("http://{addr}")));
        let router = routes::router(state.clone());
        let listening = server::spawn(listener, router.clone());
        tracing::info!(%addr, alg = alg.as_str(), "test server listening");
        Ok(TestServer {
            state,
            addr,
            router,
            listening: tokio::sync::Mutex::new(Some(listening)),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `base_url()` followed by `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.state.base_url)
    }

    /// The bound address; stays the same across [`pause`](Self::pause)/[`resume`](Self::resume).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.state.counters.snapshot()
    }

    /// Sets every counter to zero (tokens, families and faults are kept).
    pub fn reset_counters(&self) {
        self.state.counters.reset();
    }

    /// Every token issued so far — access, ID and refresh, by both profiles, in issue
    /// order — for checks that none leaked into logs. Holds the first
    /// [`ISSUED_TOKENS_CAPACITY`]; see [`issued_tokens_overflow`](Self::issued_tokens_overflow).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.issued.tokens()
    }

    /// How many tokens were issued after the record was full (missing from
    /// [`issued_tokens`](Self::issued_tokens)); a leak check should refuse to pass then.
    pub fn issued_tokens_overflow(&self) -> u64 {
        self.state.issued.overflow()
    }

    /// Writes [`issued_tokens`](Self::issued_tokens) to `path`, one per line, and returns
    /// how many. Fails when some were not recorded (past the cap): an incomplete list
    /// would let a leak check pass that should not.
    pub fn write_issued_tokens(&self, path: &Path) -> io::Result<usize> {
        let overflow = self.issued_tokens_overflow();
        if overflow > 0 {
            return Err(io::Error::other(format!(
                "{overflow} issued tokens were not recorded (more than {ISSUED_TOKENS_CAPACITY})"
            )));
        }
        let tokens = self.issued_tokens();
        let text: String = tokens.iter().flat_map(|t| [t.as_str(), "\n"]).collect();
        std::fs::write(path, text)?;
        Ok(tokens.len())
    }

    /// Queues `fault` for the next request of `endpoint` that has no earlier fault queued.
    pub fn inject(&self, endpoint: Endpoint, fault: Fault) {
        self.state.faults.push(endpoint, fault);
    }

    /// How many faults are still queued for `endpoint`.
    pub fn pending_faults(&self, endpoint: Endpoint) -> usize {
        self.state.faults.pending(endpoint)
    }

    /// Empties every fault queue.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Lifetime of access tokens issued from now on.
    pub fn set_access_ttl(&self, ttl: Duration) {
        self.state.lifetimes.set_access(ttl);
    }

    /// Lifetime of refresh tokens, applied to every refresh token when it is presented
    /// (so shortening it can expire tokens already issued).
    pub fn set_refresh_ttl(&self, ttl: Duration) {
        self.state.lifetimes.set_refresh(ttl);
    }

    /// The access-token lifetime in force.
    pub fn access_ttl(&self) -> Duration {
        self.state.lifetimes.access()
    }

    /// The refresh-token lifetime in force.
    pub fn refresh_ttl(&self) -> Duration {
        self.state.lifetimes.refresh()
    }

    /// Forced expiry: every access token issued so far is rejected by `/api/me` from now
    /// on (as expired); tokens issued later are not affected. Refresh tokens are untouched.
    pub fn expire_access_tokens(&self) {
        self.state.jwt.expire_all();
    }

    /// The JWKS document served at `/.well-known/jwks.json`.
    pub fn jwks_json(&self) -> String {
        self.state.keys().jwks_json().to_owned()
    }

    /// Stops listening: the listener is closed (connects are refused) and every open
    /// connection, keep-alive ones included, is closed. State is kept. Idempotent.
    pub async fn pause(&self) {
        let listening = self.listening.lock().await.take();
        if let Some(listening) = listening {
            listening.stop().await;
            tracing::info!(addr = %self.addr, "test server paused");
        }
    }

    /// Listens again on the same address with the same state. Idempotent.
    pub async fn resume(&self) -> io::Result<()> {
        let mut listening = self.listening.lock().await;
        if listening.is_none() {
            let listener = server::bind(self.addr)?;
            *listening = Some(server::spawn(listener, self.router.clone()));
            tracing::info!(addr = %self.addr, "test server resumed");
        }
        Ok(())
    }

    /// Whether the server is accepting connections (false while paused).
    pub async fn is_listening(&self) -> bool {
        self.listening.lock().await.is_some()
    }

    /// Stops the server and waits until its listener and connections are closed.
    pub async fn shutdown(self) {
        self.pause().await;
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Logging for the binaries around the reference server (its own, the demo, the soak):
/// `RUST_LOG` (default `warn`) to stderr, so stdout stays theirs. Keeps a subscriber
/// that is already set.
pub fn init_stderr_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
