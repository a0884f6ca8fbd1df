//! `/_test/*`: counters, faults, lifetimes and forced expiry over HTTP, for tests that run
//! the binary out of process (Kotlin, Swift, shell).
//!
//! - `GET /_test/counters` → counters JSON
//! - `POST /_test/reset` → resets counters → `{}`
//! - `POST /_test/faults` `{"endpoint","kind","delay_ms"?,"status"?,"retry_after_secs"?,"count"?}`
//!   → `{"pending": n}`; `DELETE /_test/faults` clears every queue → `{}`
//! - `GET|POST /_test/config` `{"access_ttl_ms"?,"refresh_ttl_ms"?}` → `{"access_ttl_ms","refresh_ttl_ms"}`
//! - `POST /_test/expire-access-tokens` → `{}`

use std::time::Duration;

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{SharedState, json_rejection_text};
use crate::faults::{Endpoint, Fault};
use crate::response::{empty_ok, invalid_request};

/// At most this many faults per `POST /_test/faults`.
const MAX_COUNT: u32 = 1000;

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/_test/counters", get(counters))
        .route("/_test/reset", post(reset))
        .route("/_test/faults", post(add_fault).delete(clear_faults))
        .route("/_test/config", get(get_config).post(set_config))
        .route("/_test/expire-access-tokens", post(expire_access_tokens))
}

async fn counters(State(state): State<SharedState>) -> Response {
    Json(state.counters.snapshot()).into_response()
}

async fn reset(State(state): State<SharedState>) -> Response {
    state.counters.reset();
    empty_ok()
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FaultKind {
    Delay,
    Status,
    DropConnection,
    LostResponse,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    endpoint: Endpoint,
    kind: FaultKind,
    delay_ms: Option<u64>,
    status: Option<u16>,
    retry_after_secs: Option<u64>,
    count: Option<u32>,
}

impl FaultSpec {
    fn to_fault(&self) -> Result<Fault, &'static str> {
        Ok(match self.kind {
            FaultKind::Delay => Fault::Delay(Duration::from_millis(
                self.delay_ms.ok_or("delay needs delay_ms")?,
            )),
            FaultKind::Status => {
                let status = self.status.ok_or("status needs status")?;
                if !(200..=599).contains(&status) {
                    return Err("status must be between 200 and 599");
                }
                match self.retry_after_secs {
                    Some(retry_after_secs) => Fault::StatusWithRetryAfter {
                        status,
                        retry_after_secs,
                    },
                    None => Fault::Status(status),
                }
            }
            FaultKind::DropConnection => Fault::DropConnection,
            FaultKind::LostResponse => Fault::LostResponse,
        })
    }
}

async fn add_fault(
    State(state): State<SharedState>,
    body: Result<Json<FaultSpec>, JsonRejection>,
) -> Response {
    let spec = match body {
        Ok(Json(spec)) => spec,
        Err(rejection) => return invalid_request(json_rejection_text(&rejection)),
    };
    let fault = match spec.to_fault() {
        Ok(fault) => fault,
        Err(message) => return invalid_request(message),
    };
    let count = spec.count.unwrap_or(1);
    if count == 0 || count > MAX_COUNT {
        return invalid_request("count must be between 1 and 1000");
    }
    for _ in 0..count {
        state.faults.push(spec.endpoint, fault.clone());
    }
    Json(json!({ "pending": state.faults.pending(spec.endpoint) })).into_response()
}

async fn clear_faults(State(state): State<SharedState>) -> Response {
    state.faults.clear();
    empty_ok()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigChange {
    access_ttl_ms: Option<u64>,
    refresh_ttl_ms: Option<u64>,
}

async fn set_config(
    State(state): State<SharedState>,
    body: Result<Json<ConfigChange>, JsonRejection>,
) -> Response {
    let change = match body {
        Ok(Json(change)) => change,
        Err(rejection) => return invalid_request(json_rejection_text(&rejection)),
    };
    if let Some(ms) = change.access_ttl_ms {
        state.lifetimes.set_access(Duration::from_millis(ms));
    }
    if let Some(ms) = change.refresh_ttl_ms {
        state.lifetimes.set_refresh(Duration::from_millis(ms));
    }
    get_config(State(state)).await
}

async fn get_config(State(state): State<SharedState>) -> Response {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    Json(json!({
        "access_ttl_ms": ms(state.lifetimes.access()),
        "refresh_ttl_ms": ms(state.lifetimes.refresh()),
    }))
    .into_response()
}

async fn expire_access_tokens(State(state): State<SharedState>) -> Response {
    state.jwt.expire_all();
    empty_ok()
}
