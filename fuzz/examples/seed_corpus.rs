//! Writes the seed corpus (fuzz/corpus/<target>/) from real traffic: tokens and
//! response bodies of the reference server (RS256 and ES256), the session records the
//! client stores, plus the shapes of other servers' bodies. Run from the repository:
//!
//!     cargo run -p tokenkeeper-fuzz --example seed_corpus
//!
//! Tokens come from the test server's throwaway keys: nothing secret is written.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokenkeeper::store::{MemoryStore, SecureStore};
use tokenkeeper::transport::{HttpRequest, HttpTransport, ReqwestTransport};
use tokenkeeper::{AuthClient, AuthConfig, Credentials};
use tokenkeeper_testserver::{SigningAlg, TestServer, TestServerConfig};

const SESSION_KEY: &str = "tokenkeeper.default.session";

struct Corpus(PathBuf);

impl Corpus {
    fn write(&self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.0.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), bytes).unwrap();
    }
}

#[tokio::main]
async fn main() {
    let corpus = Corpus(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    for (alg, name) in [(SigningAlg::Rs256, "rs256"), (SigningAlg::Es256, "es256")] {
        seed_from_server(&corpus, alg, name).await;
    }
    seed_other_shapes(&corpus);
    println!("wrote {}", corpus.0.display());
}

async fn seed_from_server(corpus: &Corpus, alg: SigningAlg, name: &str) {
    let defaults = TestServerConfig::default();
    let (email, password) = defaults.users[0].clone();
    let server = TestServer::start(TestServerConfig {
        signing_alg: alg,
        ..defaults.clone()
    })
    .await
    .unwrap();
    let http = ReqwestTransport::default();
    let post = |path: &str, body: String| {
        HttpRequest::post(server.url(path)).with_body("application/json", body.into_bytes())
    };

    corpus.write(
        "jwks",
        &format!("{name}-server.json"),
        server.jwks_json().as_bytes(),
    );

    let login = http
        .send(post(
            "/auth/login",
            format!(r#"{{"email":"{email}","password":"{password}"}}"#),
        ))
        .await
        .unwrap();
    corpus.write("token_response", &format!("{name}-login.json"), &login.body);
    let wrong = http
        .send(post(
            "/auth/login",
            format!(r#"{{"email":"{email}","password":"nope"}}"#),
        ))
        .await
        .unwrap();
    corpus.write(
        "token_response",
        &format!("{name}-wrong-password.json"),
        &wrong.body,
    );

    let store = Arc::new(MemoryStore::new());
    let config = AuthConfig::builder(&server.base_url())
        .issuer(&defaults.issuer)
        .audience(&defaults.audience)
        .build()
        .unwrap();
    let client = AuthClient::with_defaults(config, store.clone());
    client
        .login(Credentials::new(email, password))
        .await
        .unwrap();
    let token = client.access_token().await.unwrap();
    corpus.write("jwt", &format!("{name}-access"), token.expose().as_bytes());
    corpus.write(
        "session_record",
        &format!("{name}-after-login.json"),
        &store.get(SESSION_KEY).unwrap(),
    );
    client.refresh().await.unwrap();
    corpus.write(
        "session_record",
        &format!("{name}-after-refresh.json"),
        &store.get(SESSION_KEY).unwrap(),
    );

    let refresh_token = store_refresh_token(&store.get(SESSION_KEY).unwrap());
    // The same refresh token twice: a rotation, then the reuse the server refuses.
    for seed in ["refresh", "refresh-reused"] {
        let body = format!(r#"{{"refresh_token":"{refresh_token}"}}"#);
        let response = http.send(post("/auth/refresh", body)).await.unwrap();
        corpus.write(
            "token_response",
            &format!("{name}-{seed}.json"),
            &response.body,
        );
    }
}

/// The refresh token inside a stored record (its JSON field).
fn store_refresh_token(record: &[u8]) -> String {
    let text = String::from_utf8(record.to_vec()).unwrap();
    let start = text.find(r#""refresh_token":""#).unwrap() + r#""refresh_token":""#.len();
    text[start..].split('"').next().unwrap().to_owned()
}

fn seed_other_shapes(corpus: &Corpus) {
    let simplejwt = r#"{"refresh":"eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2ln","access":"eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2ln"}"#;
    let shapes: [(&str, &str, &str); 14] = [
        (
            "jwks",
            "rfc7517-a1-ec-and-rsa.json",
            r#"{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"},{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}]}"#,
        ),
        (
            "jwks",
            "okp-ed25519.json",
            r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"}]}"#,
        ),
        (
            "jwks",
            "oct-only.json",
            r#"{"keys":[{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","alg":"HS256"}]}"#,
        ),
        (
            "jwks",
            "mixed-junk.json",
            r#"{"keys":[{"kty":"EC","crv":"P-521","x":"AA","y":"AA"},{"kty":"RSA","n":5},"x",{"kty":"RSA","n":"AQAB","e":"AQAB","alg":"RSA-OAEP"}]}"#,
        ),
        ("jwks", "empty.json", r#"{"keys":[]}"#),
        ("token_response", "simplejwt-pair.json", simplejwt),
        (
            "token_response",
            "simplejwt-invalid.json",
            r#"{"detail":"Token is invalid or expired","code":"token_not_valid"}"#,
        ),
        (
            "token_response",
            "oauth-invalid-grant.json",
            r#"{"error":"invalid_grant","error_description":"expired"}"#,
        ),
        (
            "token_response",
            "opaque.json",
            r#"{"access_token":"opaque-123","token_type":"Bearer","expires_in":3600}"#,
        ),
        ("jwt", "alg-none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
        (
            "jwt",
            "two-segments",
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0",
        ),
        ("jwt", "not-base64", "e30.!!!.e30"),
        (
            "session_record",
            "future-version.json",
            r#"{"schema_version":99}"#,
        ),
        (
            "session_record",
            "no-version.json",
            r#"{"access_token":"a","generation":1}"#,
        ),
    ];
    for (target, name, text) in shapes {
        corpus.write(target, name, text.as_bytes());
    }
}
