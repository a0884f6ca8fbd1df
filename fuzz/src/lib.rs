//! What each fuzz target checks, as plain functions: `cargo fuzz` calls them with
//! generated inputs (fuzz_targets/), `tests/corpus.rs` with every file of the corpus and
//! of the regressions on stable. Besides "no panic", each checks a property.

use tokenkeeper::jwt::verify::KeySet;
use tokenkeeper::jwt::{Validation, decode_unverified};
use tokenkeeper::server::{OAuthProfile, classify_failure};
use tokenkeeper::session::SessionRecord;
use tokenkeeper::transport::HttpResponse;
use tokenkeeper::{JsonProfile, ServerProfile};

/// A fixed "now" (2026-01-01), so a run's outcome depends on the input only.
const NOW_MILLIS: i64 = 1_767_225_600_000;

/// The JWT decoder and validator: decoding is deterministic, and validation
/// answers (either way) for whatever decoded.
pub fn jwt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(first) = decode_unverified(text) else {
        return;
    };
    let again = decode_unverified(text).map(|jwt| jwt.claims);
    assert_eq!(
        again.ok().as_ref(),
        Some(&first.claims),
        "decoding is deterministic"
    );
    let validation = Validation {
        issuer: Some("https://auth.example.com/".into()),
        audiences: vec!["https://api.example.com".into()],
        ..Validation::default()
    };
    let _ = validation.validate(&first.claims, NOW_MILLIS);
}

/// Token responses in every server profile (the reference JSON shape,
/// djangorestframework-simplejwt's, OAuth 2.0), and the error-body verdict of a failed call.
pub fn token_response(data: &[u8]) {
    let profiles = [
        ServerProfile::Json(JsonProfile::default()),
        ServerProfile::Json(JsonProfile::simplejwt()),
        ServerProfile::OAuth(OAuthProfile::new("/token", "app")),
    ];
    for profile in profiles {
        if let Ok(response) = profile.parse_tokens(data) {
            assert!(
                !response.access_token.expose().is_empty(),
                "an accepted response has an access token"
            );
        }
    }
    for status in [400, 401, 429, 503] {
        let response = HttpResponse::new(status, Vec::new(), data.to_vec());
        let _ = classify_failure(&response, NOW_MILLIS);
    }
}

/// Stored session records: whatever decodes re-encodes to a record that decodes to
/// the same session.
pub fn session_record(data: &[u8]) {
    let Ok(record) = SessionRecord::decode(data) else {
        return;
    };
    let again = SessionRecord::decode(&record.encode()).expect("an encoded record decodes");
    assert_eq!(again, record);
}

/// Tokens whose signatures are junk, one per algorithm family: no JWKS may make them verify.
const JUNK_SIGNED: [&str; 4] = [
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    "eyJhbGciOiJQUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
];

/// JWKS documents: a set that parses has at least one usable key, and no
/// key in it verifies a junk signature.
pub fn jwks(data: &[u8]) {
    let Ok(keys) = KeySet::from_jwks(data) else {
        return;
    };
    assert!(!keys.is_empty(), "an accepted JWKS has a usable key");
    for token in JUNK_SIGNED {
        assert!(
            keys.verify(token).is_err(),
            "a junk signature never verifies"
        );
    }
}
