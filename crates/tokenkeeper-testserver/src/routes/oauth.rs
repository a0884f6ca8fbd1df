//! OAuth 2.0 profile: `POST /oauth/token` (RFC 6749 `password` and `refresh_token` grants)
//! and `POST /oauth/revoke` (RFC 7009). Same token store, families and counters as the
//! JSON profile.

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Form, Router};
use serde::Deserialize;

use super::{SharedState, conn, form_rejection_text};
use crate::counters::Counter;
use crate::faults::Endpoint;
use crate::response::{empty_ok, invalid_request, json_error, server_error, token_json};
use crate::server::ConnHandle;
use crate::state::{AppState, AuthError};

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
}

/// `token_type_hint` is accepted and ignored (unknown fields are): only refresh tokens
/// can be revoked here.
#[derive(Deserialize)]
struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
}

async fn token(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return invalid_request(form_rejection_text(&rejection)),
    };
    match form.grant_type.as_deref() {
        Some("password") => {
            let handler = async { password_grant(&state, &form) };
            state
                .faults
                .run(Endpoint::Login, conn(&handle), handler)
                .await
        }
        Some("refresh_token") => {
            state.counters.incr(Counter::RefreshCalls);
            let handler = async { refresh_grant(&state, &form) };
            state
                .faults
                .run(Endpoint::Refresh, conn(&handle), handler)
                .await
        }
        Some(_) => json_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "supported grant types: password, refresh_token",
        ),
        None => invalid_request("missing grant_type"),
    }
}

fn password_grant(state: &AppState, form: &TokenForm) -> Response {
    if let Some(response) = check_client(state, form.client_id.as_deref(), false) {
        return response;
    }
    let (Some(username), Some(password)) = (form.username.as_deref(), form.password.as_deref())
    else {
        return invalid_request("missing username or password");
    };
    match state.login(username, password) {
        Ok(tokens) => token_json(&tokens),
        Err(error) => grant_error(error),
    }
}

fn refresh_grant(state: &AppState, form: &TokenForm) -> Response {
    if let Some(response) = check_client(state, form.client_id.as_deref(), true) {
        return response;
    }
    let Some(refresh_token) = form.refresh_token.as_deref() else {
        return invalid_request("missing refresh_token");
    };
    match state.refresh(refresh_token) {
        Ok(tokens) => token_json(&tokens),
        Err(error) => grant_error(error),
    }
}

async fn revoke(
    State(state): State<SharedState>,
    handle: Option<Extension<ConnHandle>>,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    state.counters.incr(Counter::LogoutCalls);
    let handler = async {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return invalid_request(form_rejection_text(&rejection)),
        };
        if let Some(response) = check_client(&state, form.client_id.as_deref(), false) {
            return response;
        }
        let Some(token) = form.token.as_deref() else {
            return invalid_request("missing token");
        };
        // RFC 7009 §2.2: 200 whether or not the token was valid.
        state.revoke(token);
        empty_ok()
    };
    state
        .faults
        .run(Endpoint::Logout, conn(&handle), handler)
        .await
}

/// 401 `invalid_client` unless `client_id` is the configured one (or absent and optional).
fn check_client(state: &AppState, client_id: Option<&str>, required: bool) -> Option<Response> {
    match client_id {
        Some(id) if id == state.client_id => None,
        None if !required => None,
        Some(_) => Some(json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client_id",
        )),
        None => Some(json_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "missing client_id",
        )),
    }
}

/// RFC 6749 §5.2: a bad grant is 400 `invalid_grant`.
fn grant_error(error: AuthError) -> Response {
    match error {
        AuthError::InvalidCredentials => json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "invalid username or password",
        ),
        AuthError::Refresh(reason) => json_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            reason.description(),
        ),
        AuthError::Internal(description) => server_error(&description),
    }
}
