use std::io;
use std::time::Duration;

use async_trait::async_trait;

use super::{HttpRequest, HttpResponse, HttpTransport, Method, TransportError};

/// The built-in transport: reqwest with rustls and the platform certificate verifier.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// `timeout` bounds a whole request; `connect_timeout` the TCP+TLS set-up.
    pub fn new(timeout: Duration, connect_timeout: Duration) -> Result<Self, TransportError> {
        // reqwest is built without a crypto provider (ring is smaller than its aws-lc-rs:
        // see the workspace Cargo.toml). Err means the process already has one: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(connect_timeout)
            // Redirects could carry the Authorization header to another origin.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| TransportError::Connect(error.to_string()))?;
        Ok(Self { client })
    }
}

/// 30 s per request, 10 s to connect.
impl Default for ReqwestTransport {
    /// Panics only if the TLS backend cannot be initialised, as
    /// `reqwest::Client::new` does; use [`ReqwestTransport::new`] to handle that.
    fn default() -> Self {
        Self::new(Duration::from_secs(30), Duration::from_secs(10))
            .unwrap_or_else(|error| panic!("cannot initialise the HTTP client: {error}"))
    }
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        };
        let mut builder = self.client.request(method, request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.to_vec());
        }
        let response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect();
        let body = response.bytes().await.map_err(classify)?;
        Ok(HttpResponse::new(status, headers, body.to_vec()))
    }
}

/// What went wrong, in a few words for people ("connection refused", "host
/// not found", "TLS failed: …"). reqwest's own text names the URL and nests
/// causes; only the innermost useful cause is kept, and never the URL, a
/// header or a body.
fn classify(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        return TransportError::Timeout;
    }
    let mut tls = None;
    let mut io_kind = None;
    let mut dns = false;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        if let Some(rustls_error) = cause.downcast_ref::<rustls::Error>() {
            tls.get_or_insert_with(|| rustls_error.to_string());
        }
        dns |= cause.to_string().starts_with("dns error");
        source = cause.source();
    }
    let cause = if let Some(tls) = tls {
        format!("TLS failed: {tls}")
    } else if dns {
        "host not found".into()
    } else {
        match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => "connection refused".into(),
            Some(io::ErrorKind::ConnectionReset) => "connection reset".into(),
            Some(io::ErrorKind::ConnectionAborted) => "connection aborted".into(),
            Some(io::ErrorKind::TimedOut) => "timed out".into(),
            Some(io::ErrorKind::NetworkUnreachable) => "network unreachable".into(),
            Some(io::ErrorKind::HostUnreachable) => "host unreachable".into(),
            Some(io::ErrorKind::UnexpectedEof) => "connection closed before a response".into(),
            _ if error.is_connect() => "connection failed".into(),
            _ if error.is_builder() || error.is_request() && error.url().is_none() => {
                "invalid request".into()
            }
            _ => "connection closed before a complete response".into(),
        }
    };
    if error.is_connect() {
        TransportError::Connect(cause)
    } else {
        TransportError::Io(cause)
    }
}
