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

/// reqwest errors print the URL, never header values or bodies; still, keep
/// only the kind so nothing request-specific reaches logs.
fn classify(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::Timeout
    } else if error.is_connect() {
        TransportError::Connect("connection refused or unreachable".into())
    } else if error.is_builder() || error.is_request() && error.url().is_none() {
        TransportError::Io("invalid request".into())
    } else {
        TransportError::Io("connection closed before a complete response".into())
    }
}
