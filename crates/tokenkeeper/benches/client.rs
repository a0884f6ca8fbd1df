//! `access_token()` on a valid session, side by side with what it replaces:
//! decoding and validating the token on every call.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::{AUDIENCE, ISSUER, NoNetwork, typical_token};
use criterion::{Criterion, criterion_group, criterion_main};
use futures::FutureExt;
use tokenkeeper::clock::{Clock, SystemClock};
use tokenkeeper::jwt::{Validation, decode_unverified};
use tokenkeeper::store::MemoryStore;
use tokenkeeper::{AccessToken, AuthClient, AuthConfig, TokenResponse};

fn access_token_hot_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let token = typical_token(SystemClock.now_millis() / 1000);
    let config = AuthConfig::builder(AUDIENCE)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap();
    let client = AuthClient::new(
        config,
        Arc::new(MemoryStore::new()),
        Arc::new(NoNetwork),
        Arc::new(SystemClock),
    );
    let response = TokenResponse {
        access_token: AccessToken::new(token.clone()),
        refresh_token: Some(tokenkeeper::RefreshToken::new("refresh")),
        id_token: None,
        expires_in: None,
    };
    runtime.block_on(client.start_session(response)).unwrap();

    let mut group = c.benchmark_group("access_token");
    group.bench_function("cached_session", |b| {
        b.iter(|| {
            // The fast path completes on its first poll.
            let token = client
                .access_token()
                .now_or_never()
                .expect("no await on a valid session");
            black_box(token.unwrap())
        })
    });
    let validation = Validation {
        issuer: Some(ISSUER.into()),
        audiences: vec![AUDIENCE.into()],
        ..Validation::default()
    };
    group.bench_function("decode_validate_per_call", |b| {
        b.iter(|| {
            let jwt = decode_unverified(black_box(&token)).unwrap();
            validation
                .validate(&jwt.claims, SystemClock.now_millis())
                .unwrap();
            black_box(AccessToken::new(token.as_str()))
        })
    });
    group.finish();

    // What any owned-token hand-out costs at least on this machine: sharing
    // the token (one atomic increment, one decrement) and reading the clock.
    let mut floor = c.benchmark_group("access_token_floor");
    let shared = AccessToken::new(token.as_str());
    floor.bench_function("token_clone_and_drop", |b| {
        b.iter(|| black_box(black_box(&shared).clone()))
    });
    floor.bench_function("clock_read", |b| {
        b.iter(|| black_box(SystemClock.now_millis()))
    });
    floor.finish();
}

criterion_group!(benches, access_token_hot_path);
criterion_main!(benches);
