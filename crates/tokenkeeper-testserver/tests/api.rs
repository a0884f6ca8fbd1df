//! The protected API, JWT verification against the JWKS, and raw-HTTP behaviour.

mod common;

use std::time::Duration;

use common::{EMAIL, client, login, me, read_response, send_get, start, start_with, str_field};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;
use tokenkeeper_testserver::{SigningAlg, TestServerConfig};
use tokio::net::TcpStream;

#[tokio::test]
async fn me_accepts_a_valid_token() {
    let server = start().await;
    let client = client();
    let session = login(&client, &server).await;
    let response = me(&client, &server, str_field(&session, "access_token")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("date"), "hyper adds Date");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["sub"], "user-1");
    assert_eq!(body["email"], EMAIL);
    let counters = server.counters();
    assert_eq!((counters.api_calls, counters.api_unauthorized), (1, 0));
}

#[tokio::test]
async fn me_rejects_missing_tampered_and_foreign_tokens() {
    let server = start().await;
    let other = start().await;
    let client = client();
    let session = login(&client, &server).await;
    let access = str_field(&session, "access_token");

    let missing = client
        .get(server.url("/api/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");

    let parts: Vec<&str> = access.split('.').collect();
    let mut signature = parts[2].as_bytes().to_vec();
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        String::from_utf8(signature).expect("ascii")
    );
    let foreign = login(&client, &other).await;
    let basic = client
        .get(server.url("/api/me"))
        .header("authorization", "Basic YTpi")
        .send()
        .await
        .expect("request");
    assert_eq!(basic.status(), 401);
    for token in [
        tampered.as_str(),
        "garbage",
        str_field(&foreign, "access_token"),
    ] {
        let response = me(&client, &server, token).await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_token");
    }
    let counters = server.counters();
    assert_eq!((counters.api_calls, counters.api_unauthorized), (5, 5));
}

#[tokio::test]
async fn me_rejects_expired_tokens() {
    let config = TestServerConfig {
        access_ttl: Duration::from_secs(1),
        ..TestServerConfig::default()
    };
    let server = start_with(config).await;
    let client = client();
    let session = login(&client, &server).await;
    assert_eq!(session["expires_in"], 1);
    let access = str_field(&session, "access_token");
    assert_eq!(me(&client, &server, access).await.status(), 200);
    // exp is rounded up to a whole second: 1 s TTL ends within 2 s.
    tokio::time::sleep(Duration::from_millis(2050)).await;
    let response = me(&client, &server, access).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error_description"], "token expired");
}

#[tokio::test]
async fn forced_expiry_rejects_earlier_tokens_only() {
    let server = start().await;
    let client = client();
    let before = login(&client, &server).await;
    let refreshed = common::refresh(&client, &server, str_field(&before, "refresh_token"))
        .await
        .expect("refresh")
        .json::<Value>()
        .await
        .expect("json");
    server.expire_access_tokens();
    for token in [
        str_field(&before, "access_token"),
        str_field(&refreshed, "access_token"),
    ] {
        assert_eq!(me(&client, &server, token).await.status(), 401);
    }
    // The refresh token still works and yields a token that is accepted at once.
    let after = common::refresh(&client, &server, str_field(&refreshed, "refresh_token"))
        .await
        .expect("refresh")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(
        me(&client, &server, str_field(&after, "access_token"))
            .await
            .status(),
        200
    );
}

async fn verify_with_jwks(alg: SigningAlg) {
    let server = start_with(TestServerConfig {
        signing_alg: alg,
        ..TestServerConfig::default()
    })
    .await;
    let client = client();
    let jwks_text = client
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .expect("jwks")
        .text()
        .await
        .expect("text");
    assert_eq!(jwks_text, server.jwks_json());
    let jwks: JwkSet = serde_json::from_str(&jwks_text).expect("jwks parses");
    let session = login(&client, &server).await;
    let access = str_field(&session, "access_token");
    let header = jsonwebtoken::decode_header(access).expect("header");
    assert_eq!(header.alg, alg_of(alg));
    let kid = header.kid.expect("kid in header");
    let jwk = jwks.find(&kid).expect("kid published in the JWKS");
    let raw: Value = serde_json::from_str(&jwks_text).expect("json");
    assert_eq!(raw["keys"][0]["use"], "sig");
    assert_eq!(raw["keys"][0]["alg"], alg.as_str());

    let key = DecodingKey::from_jwk(jwk).expect("decoding key");
    let mut validation = Validation::new(alg_of(alg));
    validation.set_issuer(&["https://auth.tokenkeeper.test"]);
    validation.set_audience(&["tokenkeeper-demo"]);
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
    let claims: Value = jsonwebtoken::decode(access, &key, &validation)
        .expect("verifies")
        .claims;
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["email"], EMAIL);
    assert!(claims["jti"].is_string() && claims["scope"].is_string());
    assert_eq!(claims["iat"], claims["nbf"]);
    assert!(claims["exp"].as_u64() > claims["iat"].as_u64());

    let id_token = str_field(&session, "id_token");
    let mut id_validation = Validation::new(alg_of(alg));
    id_validation.set_audience(&["tokenkeeper-demo"]);
    let id: Value = jsonwebtoken::decode(id_token, &key, &id_validation)
        .expect("id token verifies")
        .claims;
    assert_eq!(id["email"], EMAIL);
    assert_eq!(id["iss"], "https://auth.tokenkeeper.test");
}

fn alg_of(alg: SigningAlg) -> jsonwebtoken::Algorithm {
    match alg {
        SigningAlg::Rs256 => jsonwebtoken::Algorithm::RS256,
        SigningAlg::Es256 => jsonwebtoken::Algorithm::ES256,
    }
}

#[tokio::test]
async fn rs256_tokens_verify_against_the_jwks() {
    verify_with_jwks(SigningAlg::Rs256).await;
}

#[tokio::test]
async fn es256_tokens_verify_against_the_jwks() {
    verify_with_jwks(SigningAlg::Es256).await;
}

#[tokio::test]
async fn echo_reports_the_authorization_header() {
    let server = start().await;
    let client = client();
    let without: Value = client
        .get(server.url("/api/echo"))
        .send()
        .await
        .expect("echo")
        .json()
        .await
        .expect("json");
    assert_eq!(without, serde_json::json!({"authorized": false}));
    let with: Value = client
        .get(server.url("/api/echo"))
        .bearer_auth("anything")
        .send()
        .await
        .expect("echo")
        .json()
        .await
        .expect("json");
    assert_eq!(with, serde_json::json!({"authorized": true}));
    assert_eq!(server.counters().api_calls, 2);
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let server = start().await;
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    for _ in 0..3 {
        send_get(&mut stream, "/api/echo").await;
        let response = read_response(&mut stream).await.expect("a response");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.to_ascii_lowercase().contains("\r\ndate: "));
    }
    let unknown = {
        send_get(&mut stream, "/nope").await;
        read_response(&mut stream).await.expect("a response")
    };
    assert!(unknown.starts_with("HTTP/1.1 404"));
    assert_eq!(server.counters().api_calls, 3);
}
