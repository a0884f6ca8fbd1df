//! Start-up: a stored session comes back; a locked store is not an empty one;
//! a corrupt record is a typed error and a clean logged-out state.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::store::{MemoryStore, SecureStore};
use tokenkeeper::{AuthError, SessionEvent, SessionState};

#[tokio::test]
async fn a_stored_session_survives_a_restart() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    client(&server, store.clone()).login(alice()).await.unwrap();

    let restarted = client(&server, store.clone());
    assert_eq!(restarted.state(), SessionState::Unknown);
    assert_eq!(restarted.restore().await.unwrap(), SessionState::LoggedIn);
    assert_eq!(
        restarted
            .send(api(&server, "/api/me"))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(server.counters().refresh_calls, 0);
}

#[tokio::test]
async fn a_locked_store_at_start_up_is_retried_not_wiped() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(FaultyStore::default());
    client(&server, store.clone()).login(alice()).await.unwrap();

    store.set_unavailable(true);
    let restarted = client(&server, store.clone());
    let events = EventLog::attach(&restarted);
    assert!(matches!(
        restarted.restore().await,
        Err(AuthError::Storage(_))
    ));
    assert_eq!(restarted.state(), SessionState::StorageUnavailable);
    assert!(matches!(
        restarted.access_token().await,
        Err(AuthError::Storage(_))
    ));

    store.set_unavailable(false);
    assert!(
        restarted.access_token().await.is_ok(),
        "recovers on the next call"
    );
    assert_eq!(restarted.state(), SessionState::LoggedIn);
    assert!(store.inner.get(SESSION_KEY).is_ok(), "nothing was deleted");
    assert_eq!(
        events.events().await,
        vec![SessionEvent::StorageUnavailable]
    );
}

#[tokio::test]
async fn a_corrupt_record_is_a_typed_error_and_a_clean_logout() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    store
        .set(SESSION_KEY, b"{\"schema_version\":1,\"access_token\":42}")
        .unwrap();

    let client = client(&server, store.clone());
    assert!(matches!(client.restore().await, Err(AuthError::Record(_))));
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert_eq!(
        client.access_token().await.unwrap_err(),
        AuthError::NotLoggedIn
    );
    client.login(alice()).await.unwrap();
    assert_eq!(client.state(), SessionState::LoggedIn);
}

#[tokio::test]
async fn a_record_from_a_newer_sdk_is_left_alone() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(MemoryStore::new());
    let future = b"{\"schema_version\":99,\"tokens\":\"whatever\"}";
    store.set(SESSION_KEY, future).unwrap();

    let client = client(&server, store.clone());
    assert!(matches!(client.restore().await, Err(AuthError::Record(_))));
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert_eq!(store.get(SESSION_KEY).unwrap(), future.to_vec());
}
