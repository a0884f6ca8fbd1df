//! Shared set-up for the engine tests: the reference server in-process, a
//! client on it, stores and transports that misbehave on demand, and an event log.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokenkeeper::clock::{Clock, SystemClock};
use tokenkeeper::refresh::RefreshBudget;
use tokenkeeper::store::{MemoryStore, SecureStore, StoreError};
use tokenkeeper::transport::{
    HttpRequest, HttpResponse, HttpTransport, ReqwestTransport, TransportError,
};
use tokenkeeper::{AuthClient, AuthConfig, Credentials, SessionEvent};
use tokenkeeper_testserver::{TestServer, TestServerConfig};
use tokio::sync::Semaphore;

pub const SESSION_KEY: &str = "tokenkeeper.default.session";
pub const PENDING_KEY: &str = "tokenkeeper.default.pending-logout";

pub async fn server_with_ttl(access_ttl: Duration) -> TestServer {
    TestServer::start(TestServerConfig {
        access_ttl,
        ..TestServerConfig::default()
    })
    .await
    .expect("test server starts")
}

pub fn alice() -> Credentials {
    let config = TestServerConfig::default();
    let (email, password) = &config.users[0];
    Credentials::new(email.clone(), password.clone())
}

pub fn config(server: &TestServer) -> AuthConfig {
    let defaults = TestServerConfig::default();
    AuthConfig::builder(&server.base_url())
        .issuer(&defaults.issuer)
        .audience(&defaults.audience)
        .refresh_budget(RefreshBudget {
            max_refreshes: 1_000,
            window: Duration::from_secs(60),
        })
        .build()
        .expect("valid config")
}

pub fn client(server: &TestServer, store: Arc<dyn SecureStore>) -> AuthClient {
    client_with(
        config(server),
        store,
        Arc::new(HookedTransport::new()),
        Arc::new(SystemClock),
    )
}

pub fn client_with(
    config: AuthConfig,
    store: Arc<dyn SecureStore>,
    transport: Arc<dyn HttpTransport>,
    clock: Arc<dyn Clock>,
) -> AuthClient {
    AuthClient::new(config, store, transport, clock)
}

pub fn api(server: &TestServer, path: &str) -> HttpRequest {
    HttpRequest::get(format!("{}{}", server.base_url(), path))
}

/// Sleeps until the client's access token is past its `exp` (device clock).
pub async fn sleep_until_expired(client: &AuthClient) {
    let exp_ms = client
        .claims()
        .and_then(|claims| claims.exp)
        .expect("a JWT with exp")
        * 1000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    tokio::time::sleep(Duration::from_millis((exp_ms - now_ms).max(0) as u64 + 50)).await;
}

/// Polls `condition` until it holds or `timeout` passes.
pub async fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// Records every session event of a client from the moment it is created.
pub struct EventLog {
    events: Arc<Mutex<Vec<SessionEvent>>>,
}

impl EventLog {
    pub fn attach(client: &AuthClient) -> Self {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        let mut receiver = client.subscribe();
        tokio::spawn(async move {
            while let Ok(event) = receiver.recv().await {
                sink.lock().unwrap().push(event);
            }
        });
        Self { events }
    }

    /// Events so far (after letting the listener task catch up).
    pub async fn events(&self) -> Vec<SessionEvent> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.events.lock().unwrap().clone()
    }

    pub async fn count(&self, matches: impl Fn(&SessionEvent) -> bool) -> usize {
        self.events()
            .await
            .iter()
            .filter(|event| matches(event))
            .count()
    }
}

/// A memory store whose writes and reads can be made to fail.
#[derive(Default)]
pub struct FaultyStore {
    pub inner: MemoryStore,
    pub failing_writes: AtomicUsize,
    pub unavailable: AtomicBool,
}

impl FaultyStore {
    pub fn fail_next_writes(&self, count: usize) {
        self.failing_writes.store(count, Ordering::SeqCst);
    }

    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    fn take_write_failure(&self) -> Result<(), StoreError> {
        let failing = self
            .failing_writes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        match failing {
            Ok(_) => Err(StoreError::Unavailable("injected write failure".into())),
            Err(_) => Ok(()),
        }
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("device locked".into()));
        }
        Ok(())
    }
}

impl SecureStore for FaultyStore {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.check()?;
        self.inner.get(key)
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.check()?;
        self.take_write_failure()?;
        self.inner.set(key, value)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete(key)
    }

    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        self.check()?;
        self.take_write_failure()?;
        self.inner.compare_and_set(key, expected, new)
    }
}

/// The real reqwest transport, plus two hooks: hold the *request* for URLs
/// containing a marker until released, and hold *responses* of URLs
/// containing a marker until released. Also counts Authorization headers seen.
pub struct HookedTransport {
    inner: ReqwestTransport,
    hold_request: Mutex<Option<(String, Arc<Semaphore>)>>,
    hold_response: Mutex<Option<(String, Arc<Semaphore>)>>,
}

impl HookedTransport {
    pub fn new() -> Self {
        Self {
            inner: ReqwestTransport::new(Duration::from_secs(20), Duration::from_secs(5)).unwrap(),
            hold_request: Mutex::new(None),
            hold_response: Mutex::new(None),
        }
    }

    /// The next request whose URL contains `marker` waits until the returned
    /// gate gets a permit; later ones (e.g. its retry) pass freely.
    pub fn hold_next_request(&self, marker: &str) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.hold_request.lock().unwrap() = Some((marker.into(), Arc::clone(&gate)));
        gate
    }

    /// Responses to URLs containing `marker` are held until the gate gets a permit.
    pub fn hold_responses(&self, marker: &str) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.hold_response.lock().unwrap() = Some((marker.into(), Arc::clone(&gate)));
        gate
    }

    fn take_gate(
        slot: &Mutex<Option<(String, Arc<Semaphore>)>>,
        url: &str,
    ) -> Option<Arc<Semaphore>> {
        let mut slot = slot.lock().unwrap();
        let matches = slot
            .as_ref()
            .is_some_and(|(marker, _)| url.contains(marker.as_str()));
        if matches {
            slot.take().map(|(_, gate)| gate)
        } else {
            None
        }
    }

    fn gate_for(
        slot: &Mutex<Option<(String, Arc<Semaphore>)>>,
        url: &str,
    ) -> Option<Arc<Semaphore>> {
        let slot = slot.lock().unwrap();
        slot.as_ref()
            .filter(|(marker, _)| url.contains(marker.as_str()))
            .map(|(_, gate)| Arc::clone(gate))
    }
}

#[async_trait]
impl HttpTransport for HookedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if let Some(gate) = Self::take_gate(&self.hold_request, &request.url) {
            gate.acquire().await.unwrap().forget();
        }
        let response_gate = Self::gate_for(&self.hold_response, &request.url);
        let response = self.inner.send(request).await;
        if let Some(gate) = response_gate {
            gate.acquire().await.unwrap().forget();
        }
        response
    }
}
