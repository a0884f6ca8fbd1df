//! The token every benchmark measures: RS256-shaped, with the claims a
//! typical identity provider issues, valid for an hour from `issued_at`; and a
//! transport for benchmarks that must not touch the network.
#![allow(dead_code)] // each benchmark uses a different part

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// The paths measured never touch the network; this proves it.
pub struct NoNetwork;

#[async_trait]
impl HttpTransport for NoNetwork {
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError::Connect(
            "the benchmark has no network".into(),
        ))
    }
}

pub const ISSUER: &str = "https://auth.example.com/";
pub const AUDIENCE: &str = "https://api.example.com";

pub fn typical_token(issued_at: i64) -> String {
    let header = r#"{"alg":"RS256","typ":"JWT","kid":"2024-11-key-1"}"#;
    let claims = format!(
        r#"{{"iss":"{ISSUER}","sub":"auth0|5f7c8ec7c33c6c004bbafe82","aud":["{AUDIENCE}","https://example.eu.auth0.com/userinfo"],"iat":{issued_at},"nbf":{issued_at},"exp":{},"azp":"mbv9Xp1FZq2bL0xkDs6mYwzH","scope":"openid profile email offline_access","jti":"9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b","email":"alice@example.com","email_verified":true}}"#,
        issued_at + 3600
    );
    let signature = [0x5a_u8; 256];
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}
