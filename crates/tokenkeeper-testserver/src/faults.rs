//! Fault injection: one FIFO queue per endpoint group, one fault consumed per request.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::response::{json_error, with_header};
use crate::server::ConnHandle;

/// A group of endpoints sharing one fault queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /auth/login` and the OAuth `password` grant.
    Login,
    /// `POST /auth/refresh` and the OAuth `refresh_token` grant.
    Refresh,
    /// `POST /auth/logout` and `POST /oauth/revoke`.
    Logout,
    /// `GET /api/me` and `GET /api/echo`.
    Api,
}

impl Endpoint {
    /// Every group, in queue order.
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Login,
        Endpoint::Refresh,
        Endpoint::Logout,
        Endpoint::Api,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// What to do to the next request of an endpoint group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Answer with this status and a JSON error body; the request is not handled.
    Status(u16),
    /// Like [`Fault::Status`], plus a `Retry-After` header in seconds.
    StatusWithRetryAfter {
        /// HTTP status code.
        status: u16,
        /// Value of the `Retry-After` header.
        retry_after_secs: u64,
    },
    /// Close the TCP connection without any response; the request is not handled.
    DropConnection,
    /// Handle the request (a refresh rotates and counts), then close the connection
    /// without sending the response.
    LostResponse,
}

#[derive(Debug, Default)]
pub(crate) struct FaultQueues {
    queues: Mutex<[VecDeque<Fault>; 4]>,
}

impl FaultQueues {
    fn lock(&self) -> MutexGuard<'_, [VecDeque<Fault>; 4]> {
        // Queues are plain VecDeques, valid after any panic.
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn push(&self, endpoint: Endpoint, fault: Fault) {
        self.lock()[endpoint.index()].push_back(fault);
    }

    pub(crate) fn take(&self, endpoint: Endpoint) -> Option<Fault> {
        self.lock()[endpoint.index()].pop_front()
    }

    pub(crate) fn pending(&self, endpoint: Endpoint) -> usize {
        self.lock()[endpoint.index()].len()
    }

    pub(crate) fn clear(&self) {
        for queue in self.lock().iter_mut() {
            queue.clear();
        }
    }

    /// Consumes the next fault of `endpoint` (if any) and runs `handler` accordingly.
    /// `handler` is only polled when the fault lets the request be handled.
    pub(crate) async fn run<F>(
        &self,
        endpoint: Endpoint,
        conn: Option<&ConnHandle>,
        handler: F,
    ) -> Response
    where
        F: Future<Output = Response>,
    {
        let Some(fault) = self.take(endpoint) else {
            return handler.await;
        };
        tracing::debug!(?endpoint, ?fault, "injecting fault");
        match fault {
            Fault::Delay(delay) => {
                tokio::time::sleep(delay).await;
                handler.await
            }
            Fault::Status(status) => status_response(endpoint, status, None),
            Fault::StatusWithRetryAfter {
                status,
                retry_after_secs,
            } => status_response(endpoint, status, Some(retry_after_secs)),
            Fault::DropConnection => ConnHandle::drop_connection(conn).await,
            Fault::LostResponse => {
                drop(handler.await);
                ConnHandle::drop_connection(conn).await
            }
        }
    }
}

fn status_response(endpoint: Endpoint, status: u16, retry_after_secs: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = match status.as_u16() {
        400 => "invalid_request",
        401 if endpoint == Endpoint::Api => "invalid_token",
        401 => "invalid_grant",
        429 => "rate_limited",
        503 => "temporarily_unavailable",
        500..=599 => "server_error",
        _ => "injected_fault",
    };
    let mut response = json_error(status, code, "injected fault");
    if status == StatusCode::UNAUTHORIZED && endpoint == Endpoint::Api {
        response = with_header(
            response,
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer error="invalid_token""#),
        );
    }
    if let Some(secs) = retry_after_secs {
        response = with_header(response, header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_are_fifo_per_endpoint() {
        let queues = FaultQueues::default();
        queues.push(Endpoint::Refresh, Fault::Status(503));
        queues.push(Endpoint::Refresh, Fault::DropConnection);
        queues.push(Endpoint::Api, Fault::LostResponse);
        assert_eq!(queues.pending(Endpoint::Refresh), 2);
        assert_eq!(queues.take(Endpoint::Login), None);
        assert_eq!(queues.take(Endpoint::Refresh), Some(Fault::Status(503)));
        assert_eq!(queues.take(Endpoint::Refresh), Some(Fault::DropConnection));
        assert_eq!(queues.take(Endpoint::Refresh), None);
        queues.clear();
        assert_eq!(queues.pending(Endpoint::Api), 0);
    }

    #[test]
    fn status_fault_carries_retry_after() {
        let response = status_response(Endpoint::Refresh, 429, Some(3));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
        let response = status_response(Endpoint::Api, 401, None);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
