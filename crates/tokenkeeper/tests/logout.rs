//! Logging out for real: local first, revocation now or queued durably.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::store::{MemoryStore, SecureStore, StoreError};
use tokenkeeper::{AuthError, LogoutOutcome, SessionEvent, SessionState};

#[tokio::test]
async fn logout_revokes_on_the_server_and_clears_the_store() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let client = client(&server, store.clone());
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    assert!(store.get(SESSION_KEY).is_ok());

    assert_eq!(client.logout().await.unwrap(), LogoutOutcome::Revoked);

    assert_eq!(server.counters().revocations, 1);
    assert_eq!(store.get(SESSION_KEY), Err(StoreError::NotFound));
    assert_eq!(store.get(PENDING_KEY), Err(StoreError::NotFound));
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert_eq!(
        client.access_token().await.unwrap_err(),
        AuthError::NotLoggedIn
    );
    assert_eq!(
        events.events().await,
        vec![SessionEvent::LoggedIn, SessionEvent::LoggedOut]
    );
}

#[tokio::test]
async fn offline_logout_is_finished_after_a_restart_exactly_once() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let first = client(&server, store.clone());
    let events = EventLog::attach(&first);
    first.login(alice()).await.unwrap();

    server.pause().await;
    assert_eq!(first.logout().await.unwrap(), LogoutOutcome::Queued);
    assert_eq!(
        first.state(),
        SessionState::LoggedOut,
        "local logout does not wait for the server"
    );
    assert_eq!(
        events.events().await,
        [SessionEvent::LoggedIn, SessionEvent::LoggedOut]
    );
    assert_eq!(store.get(SESSION_KEY), Err(StoreError::NotFound));
    assert!(
        store.get(PENDING_KEY).is_ok(),
        "the revocation is queued in the store"
    );
    drop(first);

    // "Restart" with the server back.
    server.resume().await.unwrap();
    let second = client(&server, store.clone());
    assert_eq!(second.restore().await.unwrap(), SessionState::LoggedOut);
    assert!(
        eventually(Duration::from_secs(5), || server.counters().revocations
            == 1)
        .await
    );
    assert!(
        eventually(Duration::from_secs(5), || store.get(PENDING_KEY)
            == Err(StoreError::NotFound))
        .await
    );
    drop(second);

    let third = client(&server, store.clone());
    third.restore().await.unwrap();
    assert_eq!(third.flush_pending().await.unwrap().revoked, 0);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let counters = server.counters();
    assert_eq!(counters.revocations, 1, "revoked once");
    assert_eq!(counters.logout_calls, 1, "and never asked again");
}

#[tokio::test]
async fn a_new_login_never_resurrects_a_queued_token() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let client = client(&server, store.clone());
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    server.pause().await;
    client.logout().await.unwrap();
    server.resume().await.unwrap();

    // Logging in is a sign the network is back: the queued revocation goes out too.
    client.login(alice()).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || store.get(PENDING_KEY)
            == Err(StoreError::NotFound))
        .await
    );
    assert_eq!(
        server.counters().revocations,
        1,
        "only the old session was revoked"
    );
    assert_eq!(client.state(), SessionState::LoggedIn);
    assert_eq!(
        client.send(api(&server, "/api/me")).await.unwrap().status,
        200
    );
    client.refresh().await.unwrap();
    assert_eq!(server.counters().reuse_detections, 0);
    assert_eq!(
        events.events().await,
        [
            SessionEvent::LoggedIn,
            SessionEvent::LoggedOut,
            SessionEvent::LoggedIn,
            SessionEvent::Refreshed { generation: 3 }
        ]
    );
}

#[tokio::test]
async fn flush_gives_up_on_entries_past_their_attempts() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let config = tokenkeeper::AuthConfig::builder(&server.base_url())
        .pending_logout(tokenkeeper::PendingLogoutPolicy {
            max_attempts: 2,
            ..Default::default()
        })
        .build()
        .unwrap();
    let client = client_with(
        config,
        store.clone(),
        Arc::new(HookedTransport::new()),
        Arc::new(tokenkeeper::clock::SystemClock),
    );
    client.login(alice()).await.unwrap();
    server.pause().await;
    assert_eq!(client.logout().await.unwrap(), LogoutOutcome::Queued);

    let first = client.flush_pending().await.unwrap();
    assert_eq!((first.remaining, first.dropped), (1, 0));
    let second = client.flush_pending().await.unwrap();
    assert_eq!((second.remaining, second.dropped), (0, 1));
    assert_eq!(store.get(PENDING_KEY), Err(StoreError::NotFound));
}
