//! `access_token()` on a valid session, side by side with what it replaces:
//! decoding and validating the token on every call.

use std::hint::black_box;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::FutureExt;
use tokenkeeper::clock::{Clock, SystemClock};
use tokenkeeper::jwt::{Validation, decode_unverified};
use tokenkeeper::store::MemoryStore;
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use tokenkeeper::{AccessToken, AuthClient, AuthConfig, TokenResponse};

/// The hot path never touches the network; this proves it.
struct NoNetwork;

#[async_trait]
impl HttpTransport for NoNetwork {
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError::Connect(
            "the benchmark has no network".into(),
        ))
    }
}

fn token_valid_for_an_hour() -> String {
    let now = SystemClock.now_millis() / 1000;
    let header = r#"{"alg":"RS256","typ":"JWT","kid":"2024-11-key-1"}"#;
    let claims = format!(
        r#"{{"iss":"https://auth.example.com/","sub":"auth0|5f7c8ec7c33c6c004bbafe82","aud":["https://api.example.com"],"iat":{now},"nbf":{now},"exp":{},"scope":"openid profile email offline_access","jti":"9f1c2d3e-4b5a-6978","email":"alice@example.com"}}"#,
        now + 3600
    );
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode([0x5a_u8; 256])
    )
}

fn access_token_hot_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let token = token_valid_for_an_hour();
    let config = AuthConfig::builder("https://api.example.com")
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
    let validation = Validation::default();
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
}

criterion_group!(benches, access_token_hot_path);
criterion_main!(benches);
