//! The FFI surface used as a foreign language would, against the reference server
//! running in-process: the exported types only, foreign traits implemented in Rust.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokenkeeper::transport::HttpTransport as _;
use tokenkeeper_ffi::{
    AuthClient, AuthConfig, HttpMethod, HttpRequest, HttpResponse, HttpTransport,
    HttpTransportError, LogoutOutcome, OAuthEndpoints, SecureStore, SecureStoreError, SessionEvent,
    SessionListener, SessionState, SigningKeys, TokenResponse, TokenkeeperError,
};
use tokenkeeper_testserver::{TestServer, TestServerConfig};
use tokio::sync::mpsc;

const SESSION_KEY: &str = "tokenkeeper.default.session";

async fn server() -> TestServer {
    TestServer::start(TestServerConfig::default())
        .await
        .expect("test server starts")
}

fn config(server: &TestServer) -> AuthConfig {
    let defaults = TestServerConfig::default();
    AuthConfig {
        base_url: server.base_url(),
        allowed_origins: Vec::new(),
        leeway_secs: None,
        min_ttl_secs: None,
        issuer: Some(defaults.issuer),
        audience: Some(defaults.audience),
        namespace: None,
        endpoints: None,
        oauth: None,
        signing_keys: None,
    }
}

fn alice() -> (String, String) {
    TestServerConfig::default().users.remove(0)
}

fn get(url: String) -> HttpRequest {
    HttpRequest {
        method: HttpMethod::Get,
        url,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_send_refresh_on_expiry_and_logout() {
    let server = server().await;
    let client = AuthClient::in_memory(config(&server), None).unwrap();
    assert_eq!(client.restore().await.unwrap(), SessionState::LoggedOut);

    let (email, password) = alice();
    client.login(email, password).await.unwrap();
    assert_eq!(client.state().unwrap(), SessionState::LoggedIn);
    assert_eq!(client.access_token().await.unwrap().split('.').count(), 3);
    let claims = client.claims().unwrap().expect("a JWT access token");
    assert_eq!(claims.sub.as_deref(), Some("user-1"));
    assert!(claims.custom_json.starts_with('{'));

    let me = client.send(get(server.url("/api/me"))).await.unwrap();
    assert_eq!(me.status, 200);
    let authorized = client.authorize(get(server.url("/api/me"))).await.unwrap();
    assert!(
        authorized
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("authorization") && h.value.starts_with("Bearer "))
    );
    let elsewhere = get("https://elsewhere.example.com/".into());
    assert_eq!(
        client.authorize(elsewhere.clone()).await.unwrap(),
        elsewhere
    );

    server.reset_counters();
    server.expire_access_tokens();
    let me = client.send(get(server.url("/api/me"))).await.unwrap();
    assert_eq!(me.status, 200, "refreshed once and retried");
    assert_eq!(server.counters().refreshes, 1);

    assert_eq!(client.logout().await.unwrap(), LogoutOutcome::Revoked);
    assert_eq!(client.state().unwrap(), SessionState::LoggedOut);
    assert!(matches!(
        client.access_token().await,
        Err(TokenkeeperError::NotLoggedIn { .. })
    ));
    assert_eq!(client.flush_pending().await.unwrap().remaining, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_bad_config_are_typed_errors() {
    let server = server().await;
    let client = AuthClient::in_memory(config(&server), None).unwrap();
    let (email, _) = alice();
    let error = client.login(email, "wrong".into()).await.unwrap_err();
    assert!(
        matches!(error, TokenkeeperError::InvalidCredentials { .. }),
        "{error:?}"
    );

    let mut insecure = config(&server);
    insecure.base_url = "http://auth.example.com".into();
    assert!(matches!(
        AuthClient::in_memory(insecure, None),
        Err(TokenkeeperError::Config { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_endpoints_and_jwks_verification_through_the_ffi_config() {
    let server = server().await;
    let mut oauth = config(&server);
    oauth.oauth = Some(OAuthEndpoints {
        token_endpoint: "/oauth/token".into(),
        revocation_endpoint: Some("/oauth/revoke".into()),
        client_id: TestServerConfig::default().client_id,
        client_secret: None,
        secret_in_body: false,
        scope: None,
    });
    oauth.signing_keys = Some(SigningKeys::JwksUrl {
        url: server.url("/.well-known/jwks.json"),
        ttl_secs: None,
    });
    let client = AuthClient::in_memory(oauth.clone(), None).unwrap();
    let (email, password) = alice();
    client.login(email, password).await.unwrap();
    client.refresh().await.unwrap();
    assert_eq!(client.logout().await.unwrap(), LogoutOutcome::Revoked);
    assert_eq!(server.counters().revocations, 1);

    // Tokens from elsewhere start a session only if they verify.
    let forged = TokenResponse {
        access_token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".into(),
        refresh_token: None,
        id_token: None,
        expires_in_secs: None,
    };
    let error = client.start_session(forged).await.unwrap_err();
    assert!(
        matches!(error, TokenkeeperError::InvalidToken { .. }),
        "{error:?}"
    );

    let mut both = oauth;
    both.endpoints = Some(tokenkeeper_ffi::types::default_endpoints().unwrap());
    assert!(matches!(
        AuthClient::in_memory(both, None),
        Err(TokenkeeperError::Config { .. })
    ));
}

/// A store as an app would write one: a map, no compare-and-set.
#[derive(Default)]
struct MapStore {
    values: Mutex<HashMap<String, Vec<u8>>>,
    fail_reads_with: Mutex<Option<SecureStoreError>>,
}

impl MapStore {
    fn has(&self, key: &str) -> bool {
        self.values.lock().unwrap().contains_key(key)
    }
}

impl SecureStore for MapStore {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SecureStoreError> {
        if let Some(error) = self.fail_reads_with.lock().unwrap().clone() {
            return Err(error);
        }
        Ok(self.values.lock().unwrap().get(&key).cloned())
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), SecureStoreError> {
        self.values.lock().unwrap().insert(key, value);
        Ok(())
    }

    fn delete(&self, key: String) -> Result<(), SecureStoreError> {
        self.values.lock().unwrap().remove(&key);
        Ok(())
    }
}

/// A transport as an app would write one, here over the core's reqwest transport.
struct CountingTransport {
    inner: tokenkeeper::transport::ReqwestTransport,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl HttpTransport for CountingTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let response =
            self.inner
                .send(request.into())
                .await
                .map_err(|error| HttpTransportError::Io {
                    detail: error.to_string(),
                })?;
        Ok(response.into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_store_and_transport_carry_the_session() {
    let server = server().await;
    let store = Arc::new(MapStore::default());
    let transport = Arc::new(CountingTransport {
        inner: tokenkeeper::transport::ReqwestTransport::default(),
        calls: AtomicUsize::new(0),
    });
    let client = AuthClient::new(config(&server), store.clone(), Some(transport.clone())).unwrap();
    let (email, password) = alice();
    client.login(email, password).await.unwrap();
    assert!(
        store.has(SESSION_KEY),
        "the session went to the app's store"
    );
    let me = client.send(get(server.url("/api/me"))).await.unwrap();
    assert_eq!(me.status, 200);
    assert_eq!(transport.calls.load(Ordering::SeqCst), 2);

    // A restart: a new client on the same store finds the session.
    let again = AuthClient::new(config(&server), store.clone(), None).unwrap();
    assert_eq!(again.restore().await.unwrap(), SessionState::LoggedIn);
    drop(again);

    assert_eq!(client.logout().await.unwrap(), LogoutOutcome::Revoked);
    assert!(!store.has(SESSION_KEY));
    assert_eq!(server.counters().revocations, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_failures_become_typed_errors() {
    let server = server().await;
    for (thrown, expected) in [
        (
            SecureStoreError::Unavailable {
                detail: "device locked".into(),
            },
            "StorageUnavailable",
        ),
        (
            SecureStoreError::Other {
                detail: "disk full".into(),
            },
            "Storage",
        ),
    ] {
        let store = Arc::new(MapStore::default());
        *store.fail_reads_with.lock().unwrap() = Some(thrown);
        let client = AuthClient::new(config(&server), store, None).unwrap();
        let error = client.restore().await.unwrap_err();
        let name = format!("{error:?}");
        assert!(
            name.starts_with(&format!("{expected} ")),
            "{expected}: {name}"
        );
    }
}

/// A transport that never gets an answer.
struct OfflineTransport;

#[async_trait::async_trait]
impl HttpTransport for OfflineTransport {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, HttpTransportError> {
        Err(HttpTransportError::Connect {
            detail: "no route to host".into(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_failures_become_network_errors() {
    let server = server().await;
    let store = Arc::new(MapStore::default());
    let client = AuthClient::new(config(&server), store, Some(Arc::new(OfflineTransport))).unwrap();
    let (email, password) = alice();
    let error = client.login(email, password).await.unwrap_err();
    assert!(
        matches!(error, TokenkeeperError::Network { .. }),
        "{error:?}"
    );
}

#[test]
fn endpoint_records_round_trip_to_the_core_profiles() {
    use tokenkeeper::server::JsonProfile;
    let simplejwt = tokenkeeper_ffi::types::simplejwt_endpoints().unwrap();
    assert_eq!(simplejwt.login_path, "/api/token/");
    assert_eq!(JsonProfile::from(simplejwt), JsonProfile::simplejwt());
    let default = tokenkeeper_ffi::types::default_endpoints().unwrap();
    assert_eq!(JsonProfile::from(default), JsonProfile::default());
}

#[test]
fn undeclared_foreign_exceptions_become_errors_not_panics() {
    let unexpected = || uniffi::UnexpectedUniFFICallbackError::new("IllegalStateException");
    assert!(matches!(
        TokenkeeperError::from(unexpected()),
        TokenkeeperError::Internal { .. }
    ));
    assert!(matches!(
        SecureStoreError::from(unexpected()),
        SecureStoreError::Other { .. }
    ));
    assert!(matches!(
        HttpTransportError::from(unexpected()),
        HttpTransportError::Io { .. }
    ));
    let server_error = TokenkeeperError::from(tokenkeeper::AuthError::Server {
        status: 503,
        code: None,
    });
    assert!(matches!(
        server_error,
        TokenkeeperError::Server { status: 503, .. }
    ));
}

struct ChannelListener {
    events: mpsc::UnboundedSender<SessionEvent>,
    dropped: Arc<AtomicBool>,
}

impl SessionListener for ChannelListener {
    fn on_event(&self, event: SessionEvent) -> Result<(), TokenkeeperError> {
        let _ = self.events.send(event);
        Ok(())
    }
}

impl Drop for ChannelListener {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

async fn next(events: &mut mpsc::UnboundedReceiver<SessionEvent>) -> Option<SessionEvent> {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .ok()
        .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_receives_events_until_removed_or_dropped() {
    let server = server().await;
    let client = AuthClient::in_memory(config(&server), None).unwrap();
    let (sender, mut events) = mpsc::unbounded_channel();
    let dropped = Arc::new(AtomicBool::new(false));
    client
        .set_listener(Arc::new(ChannelListener {
            events: sender,
            dropped: dropped.clone(),
        }))
        .unwrap();

    let (email, password) = alice();
    client.login(email.clone(), password.clone()).await.unwrap();
    client.refresh().await.unwrap();
    client.logout().await.unwrap();
    assert_eq!(next(&mut events).await, Some(SessionEvent::LoggedIn));
    assert!(matches!(
        next(&mut events).await,
        Some(SessionEvent::Refreshed { .. })
    ));
    assert_eq!(next(&mut events).await, Some(SessionEvent::LoggedOut));

    client.remove_listener().unwrap();
    client.login(email, password).await.unwrap();
    assert_eq!(next(&mut events).await, None, "no events after removal");
    assert!(dropped.load(Ordering::SeqCst), "the listener was released");

    // Dropping the client stops a listener that is still set.
    let (sender, _events) = mpsc::unbounded_channel();
    let dropped = Arc::new(AtomicBool::new(false));
    client
        .set_listener(Arc::new(ChannelListener {
            events: sender,
            dropped: dropped.clone(),
        }))
        .unwrap();
    drop(client);
    for _ in 0..100 {
        if dropped.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(dropped.load(Ordering::SeqCst), "the listener was released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpers_for_the_apps_own_http_client() {
    let server = server().await;
    let client = AuthClient::in_memory(config(&server), None).unwrap();
    assert_eq!(client.fresh_access_token().unwrap(), None, "no session yet");
    let (email, password) = alice();
    client.login(email, password).await.unwrap();

    assert!(client.sends_token_to(server.url("/api/me")).unwrap());
    assert!(
        !client
            .sends_token_to("https://elsewhere.example.com/".into())
            .unwrap()
    );
    assert!(!client.sends_token_to("not a url".into()).unwrap());

    let rejected = client.fresh_access_token().unwrap().expect("a fresh token");
    server.expire_access_tokens();
    let renewed = client
        .renew_after_rejection(rejected.clone())
        .await
        .unwrap();
    assert_ne!(renewed, rejected);
    assert_eq!(
        client.renew_after_rejection(rejected).await.unwrap(),
        renewed
    );
    assert_eq!(
        server.counters().refreshes,
        1,
        "a stale rejection refreshes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shut_down_client_answers_closed_and_keeps_the_stored_session() {
    let server = server().await;
    let store = Arc::new(MapStore::default());
    let client = AuthClient::new(config(&server), store.clone(), None).unwrap();
    let (email, password) = alice();
    client.login(email, password).await.unwrap();

    client.shutdown().unwrap();
    client.shutdown().unwrap();
    assert!(matches!(
        client.state(),
        Err(TokenkeeperError::Closed { .. })
    ));
    assert!(matches!(
        client.access_token().await,
        Err(TokenkeeperError::Closed { .. })
    ));
    assert!(store.has(SESSION_KEY), "shutting down is not logging out");
}
