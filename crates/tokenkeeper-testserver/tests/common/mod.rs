//! Helpers shared by the integration tests (each test binary uses a subset).
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use tokenkeeper_testserver::{TestServer, TestServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

pub async fn start() -> TestServer {
    start_with(TestServerConfig::default()).await
}

pub async fn start_with(config: TestServerConfig) -> TestServer {
    TestServer::start(config).await.expect("server starts")
}

/// A fresh client (fresh connection pool) with a timeout so a hang fails fast.
pub fn client() -> reqwest::Client {
    // Err: already installed by an earlier test.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

pub async fn login(client: &reqwest::Client, server: &TestServer) -> Value {
    let response = client
        .post(server.url("/auth/login"))
        .json(&json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 200);
    response.json().await.expect("login json")
}

pub async fn refresh(
    client: &reqwest::Client,
    server: &TestServer,
    token: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(server.url("/auth/refresh"))
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
}

pub async fn me(
    client: &reqwest::Client,
    server: &TestServer,
    access_token: &str,
) -> reqwest::Response {
    client
        .get(server.url("/api/me"))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("api request")
}

pub fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field} missing in {value}"))
}

/// Reads one HTTP/1.1 response (headers + Content-Length body) from a raw stream.
/// Returns `None` if the connection ends (EOF or reset) before any byte arrives.
pub async fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&data[..end + 4 + length]).to_string());
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) if data.is_empty() => return None,
            Ok(0) | Err(_) => panic!("connection ended mid-response"),
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

pub async fn send_get(stream: &mut TcpStream, path: &str) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
