//! Request counters: atomics inside the server, a plain snapshot outside.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// A snapshot of the server's counters (also served as JSON by `GET /_test/counters`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Successful logins (JSON login and OAuth password grant).
    pub logins: u64,
    /// Logins rejected for wrong email or password.
    pub login_failures: u64,
    /// Every request to a refresh endpoint (`/auth/refresh`, OAuth `refresh_token` grant),
    /// including malformed, rejected and faulted ones.
    pub refresh_calls: u64,
    /// Successful rotations (a `LostResponse` fault still counts: the rotation happened).
    pub refreshes: u64,
    /// Presentations of an already-used refresh token (each revoked its family).
    pub reuse_detections: u64,
    /// Every request to `/auth/logout` or `/oauth/revoke`, including faulted ones.
    pub logout_calls: u64,
    /// Live refresh-token families revoked by logout or revocation requests.
    pub revocations: u64,
    /// Every request to `/api/*` (`/api/me` and `/api/echo`), including faulted ones.
    pub api_calls: u64,
    /// `/api/me` requests answered 401.
    pub api_unauthorized: u64,
}

/// Which counter to bump.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Counter {
    Logins,
    LoginFailures,
    RefreshCalls,
    Refreshes,
    ReuseDetections,
    LogoutCalls,
    Revocations,
    ApiCalls,
    ApiUnauthorized,
}

const COUNT: usize = 9;

#[derive(Debug, Default)]
pub(crate) struct AtomicCounters {
    values: [AtomicU64; COUNT],
}

impl AtomicCounters {
    pub(crate) fn incr(&self, counter: Counter) {
        self.values[counter as usize].fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn reset(&self) {
        for value in &self.values {
            value.store(0, Ordering::SeqCst);
        }
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let get = |c: Counter| self.values[c as usize].load(Ordering::SeqCst);
        Counters {
            logins: get(Counter::Logins),
            login_failures: get(Counter::LoginFailures),
            refresh_calls: get(Counter::RefreshCalls),
            refreshes: get(Counter::Refreshes),
            reuse_detections: get(Counter::ReuseDetections),
            logout_calls: get(Counter::LogoutCalls),
            revocations: get(Counter::Revocations),
            api_calls: get(Counter::ApiCalls),
            api_unauthorized: get(Counter::ApiUnauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_and_reset() {
        let counters = AtomicCounters::default();
        counters.incr(Counter::Refreshes);
        counters.incr(Counter::Refreshes);
        counters.incr(Counter::ApiUnauthorized);
        let snap = counters.snapshot();
        assert_eq!(snap.refreshes, 2);
        assert_eq!(snap.api_unauthorized, 1);
        assert_eq!(snap.logins, 0);
        counters.reset();
        assert_eq!(counters.snapshot(), Counters::default());
    }
}
