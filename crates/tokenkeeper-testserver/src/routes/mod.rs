//! HTTP routes: the JSON profile, the OAuth 2.0 profile, the protected API, discovery
//! documents and the `/_test` admin endpoints.

mod admin;
mod api;
mod json_profile;
mod oauth;
mod well_known;

use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::http::StatusCode;
use axum::response::Response;

use crate::response::json_error;
use crate::server::ConnHandle;
use crate::state::AppState;

pub(crate) type SharedState = Arc<AppState>;

/// The whole application.
pub(crate) fn router(state: SharedState) -> Router {
    Router::new()
        .merge(json_profile::routes())
        .merge(oauth::routes())
        .merge(api::routes())
        .merge(well_known::routes())
        .merge(admin::routes())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// The request's connection handle (present when served by our accept loop).
pub(crate) fn conn(handle: &Option<Extension<ConnHandle>>) -> Option<&ConnHandle> {
    handle.as_ref().map(|Extension(conn)| conn)
}

/// Describes a JSON body rejection without echoing any of the body (it may hold tokens).
pub(crate) fn json_rejection_text(rejection: &JsonRejection) -> &'static str {
    match rejection {
        JsonRejection::JsonDataError(_) => "request body does not have the expected fields",
        JsonRejection::JsonSyntaxError(_) => "request body is not valid JSON",
        JsonRejection::MissingJsonContentType(_) => "expected Content-Type: application/json",
        _ => "could not read the request body",
    }
}

/// Describes a form body rejection without echoing any of the body.
pub(crate) fn form_rejection_text(rejection: &FormRejection) -> &'static str {
    match rejection {
        FormRejection::InvalidFormContentType(_) => {
            "expected Content-Type: application/x-www-form-urlencoded"
        }
        FormRejection::FailedToDeserializeForm(_)
        | FormRejection::FailedToDeserializeFormBody(_) => {
            "malformed form body (missing, repeated or invalid parameters)"
        }
        _ => "could not read the request body",
    }
}
