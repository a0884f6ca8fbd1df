//! Expiry judged in server time whatever the device clock says, and bearer
//! tokens only for the configured origins.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::clock::SkewedClock;
use tokenkeeper::store::MemoryStore;
use tokenkeeper::{AuthConfig, SessionEvent};

async fn run_with_device_skew(skew_millis: i64) {
    let server = server_with_ttl(Duration::from_secs(4)).await;
    let client = client_with(
        config(&server),
        Arc::new(MemoryStore::new()),
        Arc::new(HookedTransport::new()),
        Arc::new(SkewedClock { skew_millis }),
    );
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();

    // 6 s of traffic on 4 s tokens refreshed at half-life: 2 or 3 refreshes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
    while tokio::time::Instant::now() < deadline {
        assert_eq!(
            client.send(api(&server, "/api/me")).await.unwrap().status,
            200
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let counters = server.counters();
    assert_eq!(
        counters.api_unauthorized, 0,
        "skew {skew_millis}: a request carried an expired token"
    );
    assert!(
        (2..=3).contains(&counters.refreshes),
        "skew {skew_millis}: {} refreshes (early refreshing would be many more)",
        counters.refreshes
    );
    let refreshed = events
        .count(|e| matches!(e, SessionEvent::Refreshed { .. }))
        .await;
    assert_eq!(
        refreshed as u64, counters.refreshes,
        "each refresh announced"
    );
    assert_eq!(
        events
            .count(|e| matches!(e, SessionEvent::Expired(_)))
            .await,
        0
    );
}

#[tokio::test]
async fn device_clock_ten_minutes_ahead() {
    run_with_device_skew(10 * 60 * 1000).await;
}

#[tokio::test]
async fn device_clock_ten_minutes_behind() {
    run_with_device_skew(-10 * 60 * 1000).await;
}

#[tokio::test]
async fn no_bearer_token_for_other_origins() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    client.login(alice()).await.unwrap();
    let port = server.addr().port();

    let allowed = client.send(api(&server, "/api/echo")).await.unwrap();
    assert_eq!(body_json(&allowed.body)["authorized"], true);
    // Same server, different origin (host name): must not carry the token.
    let other =
        tokenkeeper::transport::HttpRequest::get(format!("http://localhost:{port}/api/echo"));
    let response = client.send(other.clone()).await.unwrap();
    assert_eq!(body_json(&response.body)["authorized"], false);
    let authorized = client.authorize(other).await.unwrap();
    assert_eq!(authorized.header("authorization"), None);
}

#[test]
fn plain_http_is_refused_for_anything_but_loopback() {
    let error = AuthConfig::builder("http://auth.example.com")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("plain http"), "{error}");
    assert!(AuthConfig::builder("http://127.0.0.1:8080").build().is_ok());
}

fn body_json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}
