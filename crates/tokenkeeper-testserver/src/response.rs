//! Small builders for the JSON responses every route shares.

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// `{"error": code, "error_description": description}` with `status`.
pub(crate) fn json_error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

/// 400 `invalid_request`.
pub(crate) fn invalid_request(description: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// 500 `server_error` (signing failed: never expected).
pub(crate) fn server_error(description: &str) -> Response {
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        description,
    )
}

/// 401 for a protected resource (RFC 6750 §3): `WWW-Authenticate: Bearer error="invalid_token"`
/// when a token was presented, a bare `Bearer` challenge when none was.
pub(crate) fn bearer_unauthorized(token_presented: bool, description: &str) -> Response {
    let challenge = if token_presented {
        r#"Bearer error="invalid_token""#
    } else {
        "Bearer"
    };
    with_header(
        json_error(StatusCode::UNAUTHORIZED, "invalid_token", description),
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    )
}

/// 200 JSON with `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
pub(crate) fn token_json<T: Serialize>(body: &T) -> Response {
    let response = Json(body).into_response();
    let response = with_header(
        response,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    with_header(
        response,
        header::PRAGMA,
        HeaderValue::from_static("no-cache"),
    )
}

/// 200 `{}`.
pub(crate) fn empty_ok() -> Response {
    (StatusCode::OK, Json(json!({}))).into_response()
}

pub(crate) fn with_header(
    mut response: Response,
    name: HeaderName,
    value: HeaderValue,
) -> Response {
    response.headers_mut().insert(name, value);
    response
}
