//! What the auth server speaks: request shapes for login/refresh/logout and
//! how to read its answers. Each profile is plain data, so apps configure it
//! (and foreign languages can pass it across FFI).

mod credentials;
mod discovery;
mod json_profile;
mod oauth_profile;
mod response;

pub use credentials::Credentials;
pub use discovery::{Discovery, discover};
pub use json_profile::{JsonProfile, ResponseFields};
pub use oauth_profile::{ClientAuth, OAuthProfile};
pub use response::{ServerVerdict, TokenResponse, classify_failure};

use url::Url;

use crate::error::AuthError;
use crate::secret::RefreshToken;
use crate::transport::HttpRequest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerProfile {
    /// JSON endpoints for login, refresh and logout (custom backends, djangorestframework-simplejwt).
    Json(JsonProfile),
    /// OAuth 2.0: refresh_token grant, RFC 7009 revocation, §5.2 error bodies.
    OAuth(OAuthProfile),
}

impl Default for ServerProfile {
    fn default() -> Self {
        ServerProfile::Json(JsonProfile::default())
    }
}

impl ServerProfile {
    pub(crate) fn login_request(
        &self,
        base: &Url,
        credentials: &Credentials,
    ) -> Result<HttpRequest, AuthError> {
        match self {
            ServerProfile::Json(profile) => profile.login_request(base, credentials),
            ServerProfile::OAuth(profile) => profile.login_request(base, credentials),
        }
    }

    pub(crate) fn refresh_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<HttpRequest, AuthError> {
        match self {
            ServerProfile::Json(profile) => profile.refresh_request(base, refresh),
            ServerProfile::OAuth(profile) => profile.refresh_request(base, refresh),
        }
    }

    /// `None` when the server has no way to revoke (logout is then local only).
    pub(crate) fn logout_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<Option<HttpRequest>, AuthError> {
        match self {
            ServerProfile::Json(profile) => profile.logout_request(base, refresh),
            ServerProfile::OAuth(profile) => profile.revocation_request(base, refresh),
        }
    }

    /// Whether the server has a way to revoke a refresh token.
    pub(crate) fn can_revoke(&self) -> bool {
        match self {
            ServerProfile::Json(profile) => profile.logout_path.is_some(),
            ServerProfile::OAuth(profile) => profile.revocation_endpoint.is_some(),
        }
    }

    /// Reads a token endpoint's successful answer the way this profile does
    /// (e.g. a body an app got from its own authorization-code exchange).
    pub fn parse_tokens(&self, body: &[u8]) -> Result<TokenResponse, AuthError> {
        match self {
            ServerProfile::Json(profile) => TokenResponse::parse(body, &profile.response_fields),
            ServerProfile::OAuth(_) => {
                oauth_profile::require_bearer(body)?;
                TokenResponse::parse(body, &ResponseFields::default())
            }
        }
    }
}

/// GETs a JSON document (JWKS, server metadata) of at most `max_len` bytes;
/// `what` names it in errors.
pub(crate) async fn get_json_document(
    transport: &dyn crate::transport::HttpTransport,
    url: &str,
    max_len: usize,
    what: &str,
) -> Result<crate::transport::HttpResponse, AuthError> {
    let response = transport
        .send(HttpRequest::get(url).with_header("accept", "application/json"))
        .await?;
    if !response.is_success() {
        return Err(AuthError::Server {
            status: response.status,
            code: None,
        });
    }
    if response.body.len() > max_len {
        return Err(AuthError::InvalidResponse(format!(
            "{what} is larger than {max_len} bytes"
        )));
    }
    Ok(response)
}

/// Joins an endpoint path onto the base URL; an absolute URL is taken as is.
pub(crate) fn endpoint(base: &Url, path: &str) -> Result<String, AuthError> {
    base.join(path)
        .map(String::from)
        .map_err(|_| AuthError::Config(format!("endpoint {path:?} is not a valid URL path")))
}
