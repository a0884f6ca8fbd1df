//! Cold start: a new client on a store that holds a session, `restore()`, then the
//! first `access_token()` — what an app does at launch. The store is in memory, so
//! the figure excludes the platform store's own latency (Keychain, Keystore).

mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::{AUDIENCE, ISSUER, NoNetwork, typical_token};
use criterion::{Criterion, criterion_group, criterion_main};
use tokenkeeper::clock::{Clock, SystemClock};
use tokenkeeper::store::{MemoryStore, SecureStore};
use tokenkeeper::{AccessToken, AuthClient, AuthConfig, RefreshToken, SessionState, TokenResponse};

fn new_client(config: &AuthConfig, store: &Arc<MemoryStore>) -> AuthClient {
    let store: Arc<dyn SecureStore> = store.clone();
    AuthClient::new(
        config.clone(),
        store,
        Arc::new(NoNetwork),
        Arc::new(SystemClock),
    )
}

fn cold_restore(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = AuthConfig::builder(AUDIENCE)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap();
    let store = Arc::new(MemoryStore::new());
    let response = TokenResponse {
        access_token: AccessToken::new(typical_token(SystemClock.now_millis() / 1000)),
        refresh_token: Some(RefreshToken::new(
            "a-refresh-token-of-typical-length-0123456789abcdef",
        )),
        id_token: None,
        expires_in: None,
    };
    runtime
        .block_on(new_client(&config, &store).start_session(response))
        .unwrap();

    // A group, so criterion files it under restore/ like the other benches' rows.
    let mut group = c.benchmark_group("restore");
    group.bench_function("cold_start_to_first_token", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let client = new_client(&config, &store);
                assert_eq!(client.restore().await.unwrap(), SessionState::LoggedIn);
                black_box(client.access_token().await.unwrap())
            })
        })
    });
    group.finish();
}

criterion_group!(benches, cold_restore);
criterion_main!(benches);
