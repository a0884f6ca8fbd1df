//! `GET /.well-known/jwks.json` and `GET /.well-known/openid-configuration`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::SharedState;
use crate::response::with_header;

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/.well-known/openid-configuration", get(discovery))
}

async fn jwks(State(state): State<SharedState>) -> Response {
    with_header(
        state.keys().jwks_json().to_owned().into_response(),
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )
}

async fn discovery(State(state): State<SharedState>) -> Response {
    let base = &state.base_url;
    Json(json!({
        "issuer": state.issuer,
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "userinfo_endpoint": format!("{base}/api/me"),
        "grant_types_supported": ["password", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [state.keys().alg().as_str()],
        "scopes_supported": ["openid", "email", "api"],
    }))
    .into_response()
}
