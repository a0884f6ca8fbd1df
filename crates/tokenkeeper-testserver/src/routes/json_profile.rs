//! JSON profile: `POST /auth/login`, `/auth/refresh`, `/auth/logout`.

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::{SharedState, conn, json_rejection_text};
use crate::counters::Counter;
use crate::faults::Endpoint;
use crate::response::{empty_ok, invalid_request, json_error, server_error, token_json};
use crate::server::ConnHandle;
use crate::state::AuthError;

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginBody {
    #[serde(alias = "username")]
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct RefreshBody {
    refresh_token: String,
}

async fn login(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Response {
    let handler = async {
        let body = match body {
            Ok(Json(body)) => body,
            Err(rejection) => return invalid_request(json_rejection_text(&rejection)),
        };
        match state.login(&body.email, &body.password) {
            Ok(tokens) => token_json(&tokens),
            Err(error) => auth_error(error),
        }
    };
    state
        .faults
        .run(Endpoint::Login, conn(&handle), handler)
        .await
}

async fn refresh(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    body: Result<Json<RefreshBody>, JsonRejection>,
) -> Response {
    state.counters.incr(Counter::RefreshCalls);
    let handler = async {
        let body = match body {
            Ok(Json(body)) => body,
            Err(rejection) => return invalid_request(json_rejection_text(&rejection)),
        };
        match state.refresh(&body.refresh_token) {
            Ok(tokens) => token_json(&tokens),
            Err(error) => auth_error(error),
        }
    };
    state
        .faults
        .run(Endpoint::Refresh, conn(&handle), handler)
        .await
}

async fn logout(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    body: Result<Json<RefreshBody>, JsonRejection>,
) -> Response {
    state.counters.incr(Counter::LogoutCalls);
    let handler = async {
        let body = match body {
            Ok(Json(body)) => body,
            Err(rejection) => return invalid_request(json_rejection_text(&rejection)),
        };
        state.revoke(&body.refresh_token);
        empty_ok()
    };
    state
        .faults
        .run(Endpoint::Logout, conn(&handle), handler)
        .await
}

fn auth_error(error: AuthError) -> Response {
    match error {
        AuthError::InvalidCredentials => json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "invalid email or password",
        ),
        AuthError::Refresh(reason) => json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            reason.description(),
        ),
        AuthError::Internal(description) => server_error(&description),
    }
}
