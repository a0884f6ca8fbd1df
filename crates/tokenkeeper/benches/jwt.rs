//! Decode + validate of a typical access token: the cost `access_token()`
//! avoids by caching claims per token generation (see benches/client.rs).
//! And signature verification, paid once per login or refresh when keys are configured.

mod common;

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{AUDIENCE, ISSUER, typical_token};
use criterion::{Criterion, criterion_group, criterion_main};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use tokenkeeper::jwt::verify::KeySet;
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

/// RFC 7515 Appendix A.2: an RS256 token and its 2048-bit key's modulus.
const RFC7515_A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

fn es256_token_and_keys() -> (String, KeySet) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"k","x":"{}","y":"{}"}}]}}"#,
        b64(&point[1..33]),
        b64(&point[33..])
    );
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"ES256","kid":"k"}"#),
        b64(br#"{"sub":"alice"}"#)
    );
    let signature = pair.sign(&rng, input.as_bytes()).unwrap();
    let token = format!("{input}.{}", b64(signature.as_ref()));
    (token, KeySet::from_jwks(jwks.as_bytes()).unwrap())
}

fn verify_signatures(c: &mut Criterion) {
    let rsa = format!(r#"{{"keys":[{{"kty":"RSA","n":"{RFC7515_A2_N}","e":"AQAB"}}]}}"#);
    let rsa_keys = KeySet::from_jwks(rsa.as_bytes()).unwrap();
    let (es256_token, es256_keys) = es256_token_and_keys();
    let mut group = c.benchmark_group("jwt");
    group.bench_function("verify_rs256", |b| {
        b.iter(|| rsa_keys.verify(black_box(RFC7515_A2_TOKEN)))
    });
    group.bench_function("verify_es256", |b| {
        b.iter(|| es256_keys.verify(black_box(&es256_token)))
    });
    group.finish();
}

criterion_group!(benches, decode_and_validate, verify_signatures);
criterion_main!(benches);
