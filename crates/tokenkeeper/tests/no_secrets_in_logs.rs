//! Secrets never reach logs or Debug output: a whole session's life (login, calls, a
//! 401 and refresh with rotation, failed refresh attempts, wrong password, offline
//! logout queued then flushed) at TRACE level for every crate — ours, the reference
//! server's, reqwest's and hyper's — and no token or password the session ever
//! handled appears in what was logged.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use tokenkeeper::Credentials;
use tokenkeeper::store::MemoryStore;
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use tokenkeeper_testserver::{Endpoint, Fault, TestServerConfig};
use tracing_subscriber::fmt::MakeWriter;

/// Everything logged, from every thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The real transport, keeping every token value the server sent.
struct TokenCollector {
    inner: HookedTransport,
    tokens: Mutex<Vec<String>>,
}

#[async_trait]
impl HttpTransport for TokenCollector {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.inner.send(request).await?;
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(&response.body) {
            let mut tokens = self.tokens.lock().unwrap();
            for name in ["access_token", "refresh_token", "id_token"] {
                if let Some(serde_json::Value::String(token)) = fields.get(name) {
                    tokens.push(token.clone());
                }
            }
        }
        Ok(response)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_or_password_in_trace_logs_or_debug_output() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .init();

    let server = server_with_ttl(Duration::from_secs(300)).await;
    let transport = Arc::new(TokenCollector {
        inner: HookedTransport::new(),
        tokens: Mutex::new(Vec::new()),
    });
    let store = Arc::new(MemoryStore::new());
    let client = client_with(
        config(&server),
        store.clone(),
        transport.clone(),
        Arc::new(tokenkeeper::clock::SystemClock),
    );
    let (email, password) = TestServerConfig::default().users.remove(0);

    let wrong = client
        .login(Credentials::new(email.clone(), "wrong horse".to_owned()))
        .await;
    tracing::info!("wrong password: {wrong:?}");
    client.login(alice()).await.unwrap();
    tracing::info!("client: {client:?}, claims: {:?}", client.claims());
    let token = client.access_token().await.unwrap();
    tracing::info!("token: {token:?} / {token}");
    client.send(api(&server, "/api/me")).await.unwrap();

    server.expire_access_tokens();
    let retried = client.send(api(&server, "/api/me")).await.unwrap();
    assert_eq!(retried.status, 200, "401, refresh with rotation, retry");
    server.inject(Endpoint::Refresh, Fault::Status(503));
    client.refresh().await.unwrap();
    server.inject(Endpoint::Refresh, Fault::DropConnection);
    let dropped = client.refresh().await;
    tracing::info!("refresh over a dropped connection: {dropped:?}");

    server.inject(Endpoint::Logout, Fault::Status(503));
    server.inject(Endpoint::Logout, Fault::Status(503));
    server.inject(Endpoint::Logout, Fault::Status(503));
    let outcome = client.logout().await.unwrap();
    tracing::info!(
        "logout: {outcome:?}, flush: {:?}",
        client.flush_pending().await
    );
    assert!(server.counters().refreshes >= 2);

    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("tokenkeeper") && logged.contains("TRACE"),
        "trace logging of our crates was captured"
    );
    let mut secrets = transport.tokens.lock().unwrap().clone();
    assert!(
        secrets.len() >= 6,
        "tokens of login and refreshes were seen"
    );
    secrets.push(password);
    for secret in &secrets {
        assert!(
            !logged.contains(secret.as_str()),
            "a secret reached the log"
        );
        // Half a token is as bad (a log line cut in two, a JWT's signature part).
        let half = &secret[secret.len() / 2..];
        assert!(!logged.contains(half), "part of a secret reached the log");
    }
}
