//! Decode + validate of a typical access token: the cost `access_token()`
//! avoids by caching claims per token generation (see benches/client.rs).

use std::hint::black_box;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use tokenkeeper::jwt::{Validation, decode_unverified};

/// An RS256-shaped token with the claims a typical identity provider issues.
pub fn typical_token() -> String {
    let header = r#"{"alg":"RS256","typ":"JWT","kid":"2024-11-key-1"}"#;
    let claims = r#"{"iss":"https://auth.example.com/","sub":"auth0|5f7c8ec7c33c6c004bbafe82","aud":["https://api.example.com","https://example.eu.auth0.com/userinfo"],"iat":1700000000,"nbf":1700000000,"exp":1700003600,"azp":"mbv9Xp1FZq2bL0xkDs6mYwzH","scope":"openid profile email offline_access","jti":"9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b","email":"alice@example.com","email_verified":true}"#;
    let signature = [0x5a_u8; 256];
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

fn decode_and_validate(c: &mut Criterion) {
    let token = typical_token();
    let validation = Validation {
        issuer: Some("https://auth.example.com/".into()),
        audiences: vec!["https://api.example.com".into()],
        ..Validation::default()
    };
    let now = 1_700_001_000_000;
    c.bench_function("jwt/decode_unverified", |b| {
        b.iter(|| decode_unverified(black_box(&token)))
    });
    c.bench_function("jwt/decode_and_validate", |b| {
        b.iter(|| {
            let jwt = decode_unverified(black_box(&token)).map_err(|_| ())?;
            validation
                .validate(&jwt.claims, black_box(now))
                .map_err(|_| ())
        })
    });
}

criterion_group!(benches, decode_and_validate);
criterion_main!(benches);
