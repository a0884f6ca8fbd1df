//! Offline signature verification through the client: JWKS from the
//! reference server (RS256, ES256), rotation and unknown keys (exactly one
//! refetch, then a floor), offline starts from the stored JWKS, and forged
//! tokens refused before they become a session.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use tokenkeeper::clock::SystemClock;
use tokenkeeper::jwt::JwtError;
use tokenkeeper::server::JsonProfile;
use tokenkeeper::store::{MemoryStore, SecureStore};
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use tokenkeeper::{AccessToken, AuthClient, AuthConfig, AuthError, SessionState, TokenResponse};
use tokenkeeper_testserver::{SigningAlg, TestServer, TestServerConfig};

use common::{HookedTransport, alice};

const BASE: &str = "https://auth.example.com";
const JWKS_URL: &str = "https://auth.example.com/.well-known/jwks.json";

/// An ES256 key made for one test, with its JWK under `kid`.
struct SigningKey {
    pair: EcdsaKeyPair,
    kid: String,
}

impl SigningKey {
    fn new(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self {
            pair,
            kid: kid.into(),
        }
    }

    fn jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        json!({"kty": "EC", "crv": "P-256", "kid": self.kid, "use": "sig",
               "x": b64(&point[1..33]), "y": b64(&point[33..])})
    }

    /// A token valid for an hour, signed by this key.
    fn token(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header = json!({"alg": "ES256", "kid": self.kid, "typ": "JWT"});
        let claims = json!({"sub": "alice", "iat": now, "exp": now + 3600});
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64(signature.as_ref()))
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwks_of(keys: &[&SigningKey]) -> String {
    json!({"keys": keys.iter().map(|key| key.jwk()).collect::<Vec<_>>()}).to_string()
}

fn tokens(access: String) -> TokenResponse {
    TokenResponse {
        access_token: AccessToken::new(access),
        refresh_token: Some(tokenkeeper::RefreshToken::new("refresh-1")),
        id_token: None,
        expires_in: None,
    }
}

/// Serves a JWKS (which a test may swap, or take offline) and counts fetches.
#[derive(Default)]
struct JwksHost {
    jwks: Mutex<String>,
    offline: AtomicBool,
    fetches: AtomicUsize,
}

#[async_trait]
impl HttpTransport for JwksHost {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.url != JWKS_URL {
            return Ok(HttpResponse::new(404, Vec::new(), Vec::new()));
        }
        if self.offline.load(Ordering::SeqCst) {
            return Err(TransportError::Connect("offline".into()));
        }
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let body = self.jwks.lock().unwrap().clone().into_bytes();
        Ok(HttpResponse::new(200, Vec::new(), body))
    }
}

fn client_on(host: &Arc<JwksHost>, store: Arc<dyn SecureStore>) -> AuthClient {
    let config = AuthConfig::builder(BASE)
        .jwks_url(JWKS_URL)
        .build()
        .expect("valid config");
    AuthClient::new(config, store, Arc::clone(host) as _, Arc::new(SystemClock))
}

fn host_serving(keys: &[&SigningKey]) -> Arc<JwksHost> {
    let host = Arc::new(JwksHost::default());
    *host.jwks.lock().unwrap() = jwks_of(keys);
    host
}

#[tokio::test]
async fn reference_server_tokens_verify_in_rs256_and_es256() {
    for signing_alg in [SigningAlg::Rs256, SigningAlg::Es256] {
        let server = TestServer::start(TestServerConfig {
            signing_alg,
            ..TestServerConfig::default()
        })
        .await
        .unwrap();
        let config = AuthConfig::builder(&server.base_url())
            .profile(tokenkeeper::ServerProfile::Json(JsonProfile::default()))
            .jwks_url(&server.url("/.well-known/jwks.json"))
            .build()
            .unwrap();
        let client = AuthClient::new(
            config,
            Arc::new(MemoryStore::new()),
            Arc::new(HookedTransport::new()),
            Arc::new(SystemClock),
        );
        client.login(alice()).await.expect("login verifies");
        client.refresh().await.expect("refreshed token verifies");
        assert!(
            client.access_token().await.is_ok(),
            "{}",
            signing_alg.as_str()
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn an_unknown_key_costs_exactly_one_refetch_then_the_floor_holds() {
    let known = SigningKey::new("known");
    let stranger = SigningKey::new("stranger");
    let host = host_serving(&[&known]);
    let client = client_on(&host, Arc::new(MemoryStore::new()));

    let refused = client.start_session(tokens(stranger.token())).await;
    assert_eq!(refused, Err(AuthError::Token(JwtError::NoMatchingKey)));
    assert_eq!(
        host.fetches.load(Ordering::SeqCst),
        2,
        "first fetch + one refetch"
    );
    assert_ne!(client.state(), SessionState::LoggedIn);

    // Within the refetch floor, forged kids cost no request at all.
    for _ in 0..5 {
        assert!(
            client
                .start_session(tokens(stranger.token()))
                .await
                .is_err()
        );
    }
    assert_eq!(host.fetches.load(Ordering::SeqCst), 2);

    // A known key needs no fetch.
    client.start_session(tokens(known.token())).await.unwrap();
    assert_eq!(host.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_the_one_refetch() {
    let old = SigningKey::new("2025");
    let new = SigningKey::new("2026");
    let host = host_serving(&[&old]);
    let client = client_on(&host, Arc::new(MemoryStore::new()));
    client.start_session(tokens(old.token())).await.unwrap();
    assert_eq!(host.fetches.load(Ordering::SeqCst), 1);

    *host.jwks.lock().unwrap() = jwks_of(&[&old, &new]);
    client.start_session(tokens(new.token())).await.unwrap();
    assert_eq!(host.fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn verification_works_offline_from_the_stored_jwks() {
    let key = SigningKey::new("k1");
    let store: Arc<dyn SecureStore> = Arc::new(MemoryStore::new());
    let host = host_serving(&[&key]);
    client_on(&host, Arc::clone(&store))
        .start_session(tokens(key.token()))
        .await
        .unwrap();

    // A new process, no network: the JWKS kept in the store still verifies.
    host.offline.store(true, Ordering::SeqCst);
    let offline = client_on(&host, Arc::clone(&store));
    offline.start_session(tokens(key.token())).await.unwrap();
    assert_eq!(host.fetches.load(Ordering::SeqCst), 1);

    // ...and forged tokens are still refused offline.
    let stranger = SigningKey::new("k1");
    assert_eq!(
        offline.start_session(tokens(stranger.token())).await,
        Err(AuthError::Token(JwtError::BadSignature))
    );
}

#[tokio::test]
async fn forged_tokens_never_become_a_session() {
    let key = SigningKey::new("k1");
    let host = host_serving(&[&key]);
    let client = client_on(&host, Arc::new(MemoryStore::new()));

    let genuine = key.token();
    let parts: Vec<&str> = genuine.split('.').collect();
    let admin = b64(br#"{"sub":"admin","exp":4102444800}"#);
    let tampered = format!("{}.{admin}.{}", parts[0], parts[2]);
    assert_eq!(
        client.start_session(tokens(tampered)).await,
        Err(AuthError::Token(JwtError::BadSignature))
    );

    let hs256_header = b64(br#"{"alg":"HS256","kid":"k1"}"#);
    let secret = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key.jwk().to_string().as_bytes());
    let input = format!("{hs256_header}.{}", parts[1]);
    let mac = ring::hmac::sign(&secret, input.as_bytes());
    let confused = format!("{input}.{}", b64(mac.as_ref()));
    assert!(matches!(
        client.start_session(tokens(confused)).await,
        Err(AuthError::Token(JwtError::UnsupportedAlgorithm(_)))
    ));

    assert_eq!(
        client.start_session(tokens("opaque-token".into())).await,
        Err(AuthError::Token(JwtError::NotAJwt))
    );
    assert_ne!(client.state(), SessionState::LoggedIn);
}

#[test]
fn bad_key_configuration_is_a_typed_error() {
    for builder in [
        AuthConfig::builder(BASE).jwks("{\"keys\": []}"),
        AuthConfig::builder(BASE).jwks("not json"),
        AuthConfig::builder(BASE).jwks_url("http://auth.example.com/jwks.json"),
        AuthConfig::builder(BASE).pem_key("garbage", tokenkeeper::jwt::Algorithm::RS256),
        AuthConfig::builder(BASE).pem_key("garbage", tokenkeeper::jwt::Algorithm::HS256),
    ] {
        assert!(matches!(builder.build(), Err(AuthError::Config(_))));
    }
    let key = SigningKey::new("inline");
    let inline = AuthConfig::builder(BASE).jwks(&jwks_of(&[&key])).build();
    assert!(inline.is_ok());
}
