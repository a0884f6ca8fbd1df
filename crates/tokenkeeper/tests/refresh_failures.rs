//! Refresh on bad days: server errors, broken connections, lost responses,
//! logout racing a refresh, and a store that refuses writes.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::SessionEvent::{LoggedIn, Refreshed};
use tokenkeeper::clock::SystemClock;
use tokenkeeper::refresh::RefreshBudget;
use tokenkeeper::session::SessionRecord;
use tokenkeeper::store::{MemoryStore, SecureStore, StoreError};
use tokenkeeper::{AuthClient, AuthConfig, AuthError, ExpiryReason, SessionEvent, SessionState};
use tokenkeeper_testserver::{Endpoint, Fault, TestServer};

#[tokio::test]
async fn server_errors_then_success_keep_the_session() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    server.inject(Endpoint::Refresh, Fault::Status(500));
    server.inject(Endpoint::Refresh, Fault::Status(500));

    client.refresh().await.unwrap();
    assert_eq!(
        events.events().await,
        [LoggedIn, Refreshed { generation: 2 }]
    );

    let counters = server.counters();
    assert_eq!(counters.refresh_calls, 3);
    assert_eq!(counters.refreshes, 1);
    assert_eq!(client.state(), SessionState::LoggedIn);
    assert_eq!(
        client.send(api(&server, "/api/me")).await.unwrap().status,
        200
    );
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    server.inject(Endpoint::Refresh, Fault::DropConnection);

    client.refresh().await.unwrap();
    assert_eq!(
        events.events().await,
        [LoggedIn, Refreshed { generation: 2 }]
    );

    assert_eq!(server.counters().refresh_calls, 2);
    assert_eq!(client.state(), SessionState::LoggedIn);
}

#[tokio::test]
async fn retry_after_is_honoured_and_a_long_one_gives_up_keeping_the_session() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    server.inject(
        Endpoint::Refresh,
        Fault::StatusWithRetryAfter {
            status: 429,
            retry_after_secs: 1,
        },
    );
    let started = std::time::Instant::now();
    client.refresh().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );

    server.inject(
        Endpoint::Refresh,
        Fault::StatusWithRetryAfter {
            status: 503,
            retry_after_secs: 3_600,
        },
    );
    let error = client.refresh().await.unwrap_err();
    assert_eq!(
        error,
        AuthError::Server {
            status: 503,
            code: None
        }
    );
    assert!(error.is_transient());
    assert_eq!(client.state(), SessionState::LoggedIn);
    assert_eq!(
        events.events().await,
        [LoggedIn, Refreshed { generation: 2 }],
        "no Expired"
    );
}

#[tokio::test]
async fn a_lost_response_after_rotation_ends_the_session_cleanly() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let client = client(&server, store.clone());
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    server.inject(Endpoint::Refresh, Fault::LostResponse);

    let error = client.refresh().await.unwrap_err();

    assert!(matches!(
        error,
        AuthError::SessionExpired(ExpiryReason::RefreshRejected { status: 401, .. })
    ));
    let counters = server.counters();
    assert_eq!(counters.refresh_calls, 2, "one retry, then no loop");
    assert_eq!(counters.reuse_detections, 1);
    assert!(matches!(client.state(), SessionState::Expired(_)));
    assert_eq!(store.get(SESSION_KEY), Err(StoreError::NotFound));
    assert_eq!(
        events
            .count(|e| matches!(e, SessionEvent::Expired(_)))
            .await,
        1
    );
    assert!(matches!(
        client.send(api(&server, "/api/me")).await,
        Err(AuthError::SessionExpired(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_finishing_after_logout_is_discarded_and_revoked() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let transport = Arc::new(HookedTransport::new());
    let client = client_with(
        config(&server),
        store.clone(),
        transport.clone(),
        Arc::new(SystemClock),
    );
    client.login(alice()).await.unwrap();
    let events = EventLog::attach(&client);

    // The server rotates, but the client sees the answer only after logging out.
    let gate = transport.hold_responses("/auth/refresh");
    let refresh = {
        let client = client.clone();
        tokio::spawn(async move { client.refresh().await })
    };
    assert!(eventually(Duration::from_secs(5), || server.counters().refreshes == 1).await);
    client.logout().await.unwrap();
    gate.add_permits(1);

    assert_eq!(refresh.await.unwrap(), Err(AuthError::NotLoggedIn));
    assert_eq!(store.get(SESSION_KEY), Err(StoreError::NotFound));
    assert_eq!(client.state(), SessionState::LoggedOut);
    let seen = events.events().await;
    assert_eq!(
        seen,
        vec![SessionEvent::LoggedOut],
        "no LoggedIn/Refreshed after logout"
    );
    // The orphaned, rotated token is revoked too: nothing stays live on the server.
    assert!(
        eventually(Duration::from_secs(5), || store.get(PENDING_KEY)
            == Err(StoreError::NotFound))
        .await
    );
    assert_eq!(server.counters().reuse_detections, 0);
}

#[tokio::test]
async fn a_store_write_failure_keeps_the_session_and_persists_the_newest_token() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(FaultyStore::default());
    let client = client(&server, store.clone());
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();

    store.fail_next_writes(2);
    client.refresh().await.unwrap();
    assert_eq!(
        client.send(api(&server, "/api/me")).await.unwrap().status,
        200
    );
    let seen = events.events().await;
    assert!(seen.contains(&SessionEvent::StorageUnavailable), "{seen:?}");
    assert!(
        seen.iter()
            .any(|e| matches!(e, SessionEvent::Refreshed { .. }))
    );

    // The retry writes the rotated token in the background.
    let generation_in_store = || {
        store
            .get(SESSION_KEY)
            .ok()
            .and_then(|bytes| SessionRecord::decode(&bytes).ok())
            .map(|record| record.generation)
    };
    assert!(eventually(Duration::from_secs(10), || generation_in_store() == Some(2)).await);

    // A "restart" on the same store refreshes with the persisted token: it is the live one.
    drop(client);
    let restarted = common::client(&server, store.clone());
    assert_eq!(restarted.restore().await.unwrap(), SessionState::LoggedIn);
    restarted.refresh().await.unwrap();
    let counters = server.counters();
    assert_eq!(counters.reuse_detections, 0);
    assert_eq!(counters.refreshes, 2);
}

/// A client allowed `max_refreshes` a minute.
fn client_with_budget(server: &TestServer, max_refreshes: usize) -> AuthClient {
    let config = AuthConfig::builder(&server.base_url())
        .refresh_budget(RefreshBudget {
            max_refreshes,
            window: Duration::from_secs(60),
        })
        .build()
        .unwrap();
    client_with(
        config,
        Arc::new(MemoryStore::new()),
        Arc::new(HookedTransport::new()),
        Arc::new(SystemClock),
    )
}

#[tokio::test]
async fn scheduled_renewals_of_short_lived_tokens_do_not_spend_the_budget() {
    // 1 s tokens renew every half second: far more than a budget of 2 per minute.
    let server = server_with_ttl(Duration::from_secs(1)).await;
    let client = client_with_budget(&server, 2);
    client.login(alice()).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    while tokio::time::Instant::now() < deadline {
        let response = client.send(api(&server, "/api/me")).await.unwrap();
        assert_eq!(response.status, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        server.counters().refreshes > 2,
        "renewed on schedule {} times, more than the budget's 2",
        server.counters().refreshes
    );
}

#[tokio::test]
async fn tokens_that_arrive_expired_are_an_error_and_the_budget_stops_the_loop() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client_with_budget(&server, 3);
    client.login(alice()).await.unwrap();
    // From now on the server hands out tokens that expire the moment they are issued.
    server.set_access_ttl(Duration::ZERO);

    let error = client.refresh().await.unwrap_err();
    assert!(matches!(error, AuthError::InvalidResponse(_)), "{error:?}");
    let mut last = None;
    for _ in 0..10 {
        last = Some(client.send(api(&server, "/api/me")).await.unwrap_err());
    }
    assert!(
        matches!(last, Some(AuthError::RefreshBudgetExhausted { .. })),
        "{last:?}"
    );
    assert_eq!(
        server.counters().refresh_calls,
        3,
        "the budget capped the refreshes"
    );
    assert_eq!(server.counters().api_calls, 0, "no expired token was sent");
    assert_eq!(
        client.state(),
        SessionState::LoggedIn,
        "the session itself is kept"
    );
}
