//! The request loops and what they saw.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokenkeeper::transport::HttpRequest;
use tokenkeeper::{AuthClient, AuthError};

use crate::transport::{REQUEST_ID, WatchedTransport};

/// How each `send()` ended.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub ok: AtomicU64,
    /// 5xx from the API, returned as the server's answer.
    pub server_errors: AtomicU64,
    /// 401 returned to the caller: the SDK should have refreshed and retried.
    pub unauthorized: AtomicU64,
    /// Any other status (the reference server sends none): unexplained.
    pub other_status: AtomicU64,
    /// `Err` because the app request's own connection was lost.
    pub api_connection_lost: AtomicU64,
    pub max_latency_ms: AtomicU64,
    /// Every other `Err`, by kind, with one message of each.
    pub sdk_errors: Mutex<BTreeMap<String, (u64, String)>>,
}

impl Stats {
    pub fn errors(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (u64, String)>> {
        self.sdk_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn record_error(&self, error: &AuthError) {
        // AuthError messages carry no token or body (see its docs): safe to keep and print.
        let mut errors = self.errors();
        let entry = errors
            .entry(error_kind(error))
            .or_insert_with(|| (0, error.to_string()));
        entry.0 += 1;
    }
}

/// What an `Err` was, without the details that vary from one to the next.
fn error_kind(error: &AuthError) -> String {
    match error {
        AuthError::Network(_) => "network (SDK request)".into(),
        AuthError::Server { status, .. } => format!("server HTTP {status} (SDK request)"),
        AuthError::SessionExpired(_) => "session expired".into(),
        AuthError::RefreshBudgetExhausted { .. } => "refresh budget exhausted".into(),
        AuthError::InvalidResponse(_) => "invalid token response".into(),
        AuthError::Token(_) => "token refused".into(),
        other => other.to_string(),
    }
}

/// One request loop, until `deadline`.
pub struct Worker {
    pub client: AuthClient,
    pub transport: Arc<WatchedTransport>,
    pub url: String,
    pub stats: Arc<Stats>,
    pub next_id: Arc<AtomicU64>,
    pub deadline: Instant,
    pub pause: Duration,
}

impl Worker {
    pub async fn run(self) {
        while Instant::now() < self.deadline {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let request =
                HttpRequest::get(self.url.as_str()).with_header(REQUEST_ID, id.to_string());
            let started = Instant::now();
            let result = self.client.send(request).await;
            let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.stats
                .max_latency_ms
                .fetch_max(millis, Ordering::Relaxed);
            self.record(id, result);
            tokio::time::sleep(self.pause).await;
        }
    }

    fn record(&self, id: u64, result: Result<tokenkeeper::transport::HttpResponse, AuthError>) {
        let stats = &self.stats;
        stats.requests.fetch_add(1, Ordering::Relaxed);
        let counter = match result {
            Ok(response) => match response.status {
                200 => &stats.ok,
                401 => &stats.unauthorized,
                500..=599 => &stats.server_errors,
                _ => &stats.other_status,
            },
            // The app request itself got no answer: not the SDK's to retry.
            Err(AuthError::Network(_)) if self.transport.take_lost(id) => {
                &stats.api_connection_lost
            }
            Err(error) => {
                self.transport.take_lost(id);
                stats.record_error(&error);
                return;
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
