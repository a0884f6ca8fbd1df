//! How requests leave the process. The core speaks only [`HttpTransport`];
//! the built-in implementation uses reqwest, and apps may hand in their own
//! (OkHttp, URLSession) so their pinning, proxies and interceptors apply.

mod message;
#[cfg(feature = "reqwest-transport")]
mod reqwest_transport;

pub use message::{HttpRequest, HttpResponse, Method};
#[cfg(feature = "reqwest-transport")]
pub use reqwest_transport::ReqwestTransport;

use async_trait::async_trait;
use thiserror::Error;

/// A request that got no HTTP response. All of these are worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    #[error("request timed out")]
    Timeout,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("connection failed: {0}")]
    Io(String),
}

#[async_trait]
pub trait HttpTransport: Send + Sync {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}
