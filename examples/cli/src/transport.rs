//! The CLI's HTTP transport: reqwest, like the SDK's own, but it remembers
//! *why* a request failed and where, so an error can say "cannot reach
//! http://127.0.0.1:9 (connection refused)" instead of "could not connect".

use std::error::Error as _;
use std::io;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, Method, TransportError};
use url::Url;

use crate::errors::{CliError, CliResult};

/// A request that got no response, or a non-2xx one. Never holds headers or bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub method: &'static str,
    /// Without query, fragment or user info.
    pub url: String,
    pub origin: String,
    /// `None`: no HTTP response at all.
    pub status: Option<u16>,
    pub cause: String,
}

pub struct CliTransport {
    client: reqwest::Client,
    failures: Mutex<Vec<Failure>>,
}

impl CliTransport {
    pub fn new(timeout: Duration) -> CliResult<Self> {
        // The workspace's reqwest has no crypto provider of its own; Err only
        // means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirect could carry the Authorization header to another origin.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| CliError::usage(format!("cannot set up HTTP: {error}")))?;
        Ok(Self {
            client,
            failures: Mutex::new(Vec::new()),
        })
    }

    /// Failed requests so far, oldest first.
    pub fn failures(&self) -> Vec<Failure> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Failure>> {
        // A plain list: still valid after a panic elsewhere.
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record(&self, method: Method, url: &str, status: Option<u16>, cause: String) {
        let (url, origin) = match Url::parse(url) {
            Ok(mut parsed) => {
                parsed.set_query(None);
                parsed.set_fragment(None);
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
                let origin = parsed.origin().ascii_serialization();
                (parsed.to_string(), origin)
            }
            Err(_) => ("(invalid URL)".to_owned(), "(invalid URL)".to_owned()),
        };
        self.lock().push(Failure {
            method: method.as_str(),
            url,
            origin,
            status,
            cause,
        });
    }
}

#[async_trait]
impl HttpTransport for CliTransport {
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
        let result = async {
            let response = builder.send().await?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(HttpResponse::new(status, headers, body.to_vec()))
        }
        .await;
        match result {
            Ok(response) => {
                if !response.is_success() {
                    self.record(
                        request.method,
                        &request.url,
                        Some(response.status),
                        String::new(),
                    );
                }
                Ok(response)
            }
            Err(error) => {
                let (cause, mapped) = classify(&error);
                self.record(request.method, &request.url, None, cause);
                Err(mapped)
            }
        }
    }
}

/// A short cause for people, and the SDK's error kind. reqwest's own text
/// names the URL and nests causes; only the innermost useful cause is kept.
fn classify(error: &reqwest::Error) -> (String, TransportError) {
    if error.is_timeout() {
        return ("timed out".into(), TransportError::Timeout);
    }
    let mut tls = None;
    let mut io_kind = None;
    let mut dns = false;
    let mut source = error.source();
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
            Some(io::ErrorKind::AddrNotAvailable) => "address not available".into(),
            Some(io::ErrorKind::UnexpectedEof) => "connection closed before a response".into(),
            _ if error.is_connect() => "connection failed".into(),
            _ if error.is_body() || error.is_decode() => "response cut short".into(),
            _ => "connection closed before a complete response".into(),
        }
    };
    let mapped = if error.is_connect() {
        TransportError::Connect(cause.clone())
    } else {
        TransportError::Io(cause.clone())
    };
    (cause, mapped)
}
