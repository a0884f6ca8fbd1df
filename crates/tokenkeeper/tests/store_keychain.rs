//! The Keychain backend over the in-memory fake keychain (the real one needs
//! an Apple device): the shared conformance suite, and a keychain that is
//! locked at start-up (before first unlock) is retried, not taken for empty.

mod common;
mod store_conformance;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::store::keychain::fake::FakeKeychain;
use tokenkeeper::store::keychain::{KeychainConfig, KeychainStore};
use tokenkeeper::store::{SecureStore, Serialized, StoreError};
use tokenkeeper::{AuthError, SessionState};

fn keychain_store() -> Serialized<KeychainStore<FakeKeychain>> {
    Serialized::new(KeychainStore::with_api(
        FakeKeychain::new(),
        KeychainConfig::new("com.example.app.tokenkeeper"),
    ))
}

#[test]
fn conformance() {
    store_conformance::check_store(Arc::new(keychain_store()), "keychain-fake");
}

#[test]
fn conformance_with_an_access_group() {
    let store = Serialized::new(KeychainStore::with_api(
        FakeKeychain::new(),
        KeychainConfig::new("com.example.app.tokenkeeper")
            .with_access_group("TEAMID.com.example.shared"),
    ));
    store_conformance::check_store(Arc::new(store), "keychain-fake-group");
}

#[tokio::test]
async fn a_locked_keychain_at_start_up_is_retried_not_wiped() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let store = Arc::new(keychain_store());
    client(&server, store.clone()).login(alice()).await.unwrap();
    let fake = store.backend().api();

    // The app relaunched by a background refresh before the first unlock.
    fake.set_locked(true);
    let restarted = client(&server, store.clone());
    let restored = restarted.restore().await;
    assert!(
        matches!(
            restored,
            Err(AuthError::Storage(StoreError::Unavailable(_)))
        ),
        "{restored:?}"
    );
    assert_eq!(restarted.state(), SessionState::StorageUnavailable);

    fake.set_locked(false);
    assert_eq!(restarted.restore().await.unwrap(), SessionState::LoggedIn);
    assert_eq!(restarted.state(), SessionState::LoggedIn);
    assert!(store.get(SESSION_KEY).is_ok(), "nothing was deleted");
    assert_eq!(server.counters().refresh_calls, 0);
}
