//! The protected resource: `GET /api/me` (bearer JWT required) and `GET /api/echo`
//! (reports whether an `Authorization` header arrived; no auth).

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use super::{SharedState, conn};
use crate::counters::Counter;
use crate::faults::Endpoint;
use crate::keys::VerifyError;
use crate::response::bearer_unauthorized;
use crate::server::ConnHandle;
use crate::state::AppState;

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/echo", get(echo))
}

async fn me(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    headers: HeaderMap,
) -> Response {
    state.counters.incr(Counter::ApiCalls);
    let handler = async { authorize(&state, &headers) };
    state
        .faults
        .run(Endpoint::Api, conn(&handle), handler)
        .await
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Response {
    let Some(token) = bearer_token(headers) else {
        state.counters.incr(Counter::ApiUnauthorized);
        return bearer_unauthorized(false, "missing bearer token");
    };
    match state.jwt.verify_access(token) {
        Ok(claims) => Json(json!({ "sub": claims.sub, "email": claims.email })).into_response(),
        Err(error) => {
            state.counters.incr(Counter::ApiUnauthorized);
            let description = match &error {
                VerifyError::Expired => "token expired",
                VerifyError::Invalid(reason) => reason.as_str(),
            };
            bearer_unauthorized(true, description)
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn echo(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    headers: HeaderMap,
) -> Response {
    state.counters.incr(Counter::ApiCalls);
    let handler = async {
        let authorized = headers.contains_key(header::AUTHORIZATION);
        Json(json!({ "authorized": authorized })).into_response()
    };
    state
        .faults
        .run(Endpoint::Api, conn(&handle), handler)
        .await
}
