//! Decode + validate of a typical access token: the cost `access_token()`
//! avoids by caching claims per token generation (see benches/client.rs).

mod common;

use std::hint::black_box;

use common::{AUDIENCE, ISSUER, typical_token};
use criterion::{Criterion, criterion_group, criterion_main};
use tokenkeeper::jwt::{Validation, decode_unverified};

fn decode_and_validate(c: &mut Criterion) {
    let token = typical_token(1_700_000_000);
    let validation = Validation {
        issuer: Some(ISSUER.into()),
        audiences: vec![AUDIENCE.into()],
        ..Validation::default()
    };
    let now = 1_700_001_000_000;
    let mut group = c.benchmark_group("jwt");
    group.bench_function("decode_unverified", |b| {
        b.iter(|| decode_unverified(black_box(&token)))
    });
    group.bench_function("decode_and_validate", |b| {
        b.iter(|| {
            let jwt = decode_unverified(black_box(&token)).map_err(|_| ())?;
            validation
                .validate(&jwt.claims, black_box(now))
                .map_err(|_| ())
        })
    });
    group.finish();
}

criterion_group!(benches, decode_and_validate);
criterion_main!(benches);
