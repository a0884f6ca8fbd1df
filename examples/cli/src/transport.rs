//! The CLI's HTTP transport: the SDK's own, remembering *where* each request
//! failed and why, so an error can say "cannot reach http://127.0.0.1:9
//! (connection refused)" instead of "could not connect".

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokenkeeper::transport::{
    HttpRequest, HttpResponse, HttpTransport, Method, ReqwestTransport, TransportError,
};
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
    inner: ReqwestTransport,
    failures: Mutex<Vec<Failure>>,
}

impl CliTransport {
    pub fn new(timeout: Duration) -> CliResult<Self> {
        let inner = ReqwestTransport::new(timeout, timeout.min(Duration::from_secs(10)))
            .map_err(|error| CliError::usage(format!("cannot set up HTTP: {error}")))?;
        Ok(Self {
            inner,
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

/// The SDK's own transport, with each failure noted (where, and why) for the error line.
#[async_trait]
impl HttpTransport for CliTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (method, url) = (request.method, request.url.clone());
        let result = self.inner.send(request).await;
        match &result {
            Ok(response) if !response.is_success() => {
                self.record(method, &url, Some(response.status), String::new());
            }
            Ok(_) => {}
            Err(TransportError::Timeout) => self.record(method, &url, None, "timed out".into()),
            Err(TransportError::Connect(cause) | TransportError::Io(cause)) => {
                self.record(method, &url, None, cause.clone());
            }
        }
        result
    }
}
