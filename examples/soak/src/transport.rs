//! The SDK's own reqwest transport, watched: it notes which app requests (tagged with
//! [`REQUEST_ID`]) got no HTTP response, so that an `Err` from `send()` can be told
//! apart — the app request's own connection was lost (not the SDK's to retry) or
//! something inside the SDK gave up (a refresh, say).

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokenkeeper::transport::{
    HttpRequest, HttpResponse, HttpTransport, ReqwestTransport, TransportError,
};

/// Header carrying the soak's request number; the SDK's own requests have none.
pub const REQUEST_ID: &str = "X-Soak-Request";

pub struct WatchedTransport {
    inner: ReqwestTransport,
    /// Tagged requests that got no response and whose worker has not asked yet.
    lost: Mutex<HashSet<u64>>,
}

impl WatchedTransport {
    /// The SDK's default timeouts (30 s per request, 10 s to connect).
    pub fn new() -> Result<Self, TransportError> {
        Ok(Self {
            inner: ReqwestTransport::new(Duration::from_secs(30), Duration::from_secs(10))?,
            lost: Mutex::new(HashSet::new()),
        })
    }

    /// Whether request `id` lost its connection; forgets it (keeps the set small).
    pub fn take_lost(&self, id: u64) -> bool {
        self.lost
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)
    }
}

#[async_trait]
impl HttpTransport for WatchedTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let id = request.header(REQUEST_ID).and_then(|id| id.parse().ok());
        let result = self.inner.send(request).await;
        if let (Err(_), Some(id)) = (&result, id) {
            self.lost
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id);
        }
        result
    }
}
