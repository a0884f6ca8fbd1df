//! OAuth 2.0 token endpoint (RFC 6749) and revocation (RFC 7009): form-encoded
//! requests with client authentication; JSON answers and §5.2 error bodies.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use url::Url;
use url::form_urlencoded;
use zeroize::Zeroizing;

use super::{Credentials, endpoint};
use crate::error::AuthError;
use crate::secret::RefreshToken;
use crate::transport::HttpRequest;

const FORM: &str = "application/x-www-form-urlencoded";

/// How the client proves who it is to the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client (every mobile app without a backend): `client_id` in the body.
    None,
    /// HTTP Basic with the client id and secret (`client_secret_basic`).
    Basic(Zeroizing<String>),
    /// The secret in the body (`client_secret_post`).
    Post(Zeroizing<String>),
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientAuth::None => "None",
            ClientAuth::Basic(_) => "Basic(<redacted>)",
            ClientAuth::Post(_) => "Post(<redacted>)",
        })
    }
}

/// An OAuth 2.0 authorization server's token and revocation endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProfile {
    /// Path (joined onto the base URL) or absolute URL.
    pub token_endpoint: String,
    /// `None`: the server cannot revoke; logout is local only.
    pub revocation_endpoint: Option<String>,
    pub client_id: String,
    pub client_auth: ClientAuth,
    /// Requested with the password grant; refreshes keep the granted scope.
    pub scope: Option<String>,
}

impl OAuthProfile {
    /// A public client with no revocation endpoint; set the others as needed.
    pub fn new(token_endpoint: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            token_endpoint: token_endpoint.into(),
            revocation_endpoint: None,
            client_id: client_id.into(),
            client_auth: ClientAuth::None,
            scope: None,
        }
    }

    /// The resource-owner password grant (§4.3). Legacy, but what "log in
    /// with a password" means on OAuth servers that allow it; apps using a
    /// browser flow hand its result to `AuthClient::start_session` instead.
    pub(crate) fn login_request(
        &self,
        base: &Url,
        credentials: &Credentials,
    ) -> Result<HttpRequest, AuthError> {
        let mut fields = vec![
            ("grant_type", "password"),
            ("username", credentials.username.as_str()),
            ("password", credentials.password.as_str()),
        ];
        if let Some(scope) = &self.scope {
            fields.push(("scope", scope));
        }
        self.token_request(base, &self.token_endpoint, fields)
    }

    /// The refresh_token grant (§6).
    pub(crate) fn refresh_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<HttpRequest, AuthError> {
        let fields = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ];
        self.token_request(base, &self.token_endpoint, fields)
    }

    /// RFC 7009 revocation of the refresh token (which, per §2.1, also ends
    /// the access tokens issued with it on servers that support that).
    pub(crate) fn revocation_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<Option<HttpRequest>, AuthError> {
        let Some(path) = &self.revocation_endpoint else {
            return Ok(None);
        };
        let fields = vec![
            ("token", refresh.expose()),
            ("token_type_hint", "refresh_token"),
        ];
        self.token_request(base, path, fields).map(Some)
    }

    /// A form POST carrying the client's authentication.
    fn token_request<'a>(
        &'a self,
        base: &Url,
        path: &str,
        mut fields: Vec<(&'a str, &'a str)>,
    ) -> Result<HttpRequest, AuthError> {
        let mut request = HttpRequest::post(endpoint(base, path)?);
        match &self.client_auth {
            ClientAuth::None => fields.push(("client_id", &self.client_id)),
            ClientAuth::Post(secret) => {
                fields.push(("client_id", &self.client_id));
                fields.push(("client_secret", secret));
            }
            ClientAuth::Basic(secret) => {
                request = request.with_header(
                    "authorization",
                    basic_credentials(&self.client_id, secret).as_str(),
                );
            }
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        Ok(request.with_body(FORM, body.into_bytes()))
    }
}

/// RFC 6749 §7.1: a token of another type (DPoP, MAC) would be sent wrongly
/// as a bearer token. Servers that omit `token_type` are tolerated.
pub(crate) fn require_bearer(body: &[u8]) -> Result<(), AuthError> {
    #[derive(serde::Deserialize)]
    struct TokenType {
        token_type: Option<String>,
    }
    match serde_json::from_slice::<TokenType>(body) {
        Ok(TokenType {
            token_type: Some(kind),
        }) if !kind.eq_ignore_ascii_case("bearer") => Err(AuthError::InvalidResponse(format!(
            "token_type {:?} is not Bearer",
            kind.chars().take(16).collect::<String>()
        ))),
        // Malformed bodies are reported by the full parse.
        _ => Ok(()),
    }
}

/// §2.3.1: id and secret are form-encoded *before* the Basic base64.
fn basic_credentials(client_id: &str, secret: &str) -> Zeroizing<String> {
    let encode = |text: &str| form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let pair = Zeroizing::new(format!("{}:{}", encode(client_id), encode(secret)));
    Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(request: &HttpRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(&request.body).into_owned().collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn refresh_is_a_form_encoded_refresh_token_grant_for_a_public_client() {
        let base = Url::parse("https://id.example.com/").unwrap();
        let profile = OAuthProfile::new("/oauth/token", "mobile app");
        let request = profile
            .refresh_request(&base, &RefreshToken::new("r+/="))
            .unwrap();
        assert_eq!(request.url, "https://id.example.com/oauth/token");
        assert_eq!(request.header("content-type"), Some(FORM));
        assert_eq!(
            form(&request),
            pairs(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "r+/="),
                ("client_id", "mobile app"),
            ])
        );
        assert!(request.header("authorization").is_none());
    }

    #[test]
    fn client_secret_basic_and_post() {
        let base = Url::parse("https://id.example.com/").unwrap();
        let mut profile = OAuthProfile::new("https://id.example.com/token", "id:1");
        profile.client_auth = ClientAuth::Basic(Zeroizing::new("s3cr%t".into()));
        let request = profile
            .refresh_request(&base, &RefreshToken::new("r"))
            .unwrap();
        // base64("id%3A1:s3cr%25t")
        assert_eq!(
            request.header("authorization"),
            Some("Basic aWQlM0ExOnMzY3IlMjV0")
        );
        assert!(!form(&request).iter().any(|(k, _)| k.starts_with("client")));

        profile.client_auth = ClientAuth::Post(Zeroizing::new("s".into()));
        let request = profile
            .refresh_request(&base, &RefreshToken::new("r"))
            .unwrap();
        let fields = form(&request);
        assert!(fields.contains(&("client_id".into(), "id:1".into())));
        assert!(fields.contains(&("client_secret".into(), "s".into())));
        assert!(!format!("{profile:?}").contains("s3cr"));
    }

    #[test]
    fn only_bearer_tokens_are_accepted() {
        assert!(require_bearer(br#"{"access_token":"a","token_type":"Bearer"}"#).is_ok());
        assert!(require_bearer(br#"{"access_token":"a","token_type":"bearer"}"#).is_ok());
        assert!(require_bearer(br#"{"access_token":"a"}"#).is_ok());
        assert!(matches!(
            require_bearer(br#"{"access_token":"a","token_type":"DPoP"}"#),
            Err(AuthError::InvalidResponse(_))
        ));
    }

    #[test]
    fn password_grant_and_rfc7009_revocation() {
        let base = Url::parse("https://id.example.com/").unwrap();
        let mut profile = OAuthProfile::new("/token", "app");
        profile.scope = Some("openid offline_access".into());
        let login = profile
            .login_request(&base, &Credentials::new("alice", "p&w=1"))
            .unwrap();
        assert_eq!(
            form(&login),
            pairs(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "p&w=1"),
                ("scope", "openid offline_access"),
                ("client_id", "app"),
            ])
        );
        assert!(
            profile
                .revocation_request(&base, &RefreshToken::new("r"))
                .unwrap()
                .is_none()
        );
        profile.revocation_endpoint = Some("/revoke".into());
        let revoke = profile
            .revocation_request(&base, &RefreshToken::new("r"))
            .unwrap()
            .unwrap();
        assert_eq!(revoke.url, "https://id.example.com/revoke");
        assert_eq!(
            form(&revoke),
            pairs(&[
                ("token", "r"),
                ("token_type_hint", "refresh_token"),
                ("client_id", "app"),
            ])
        );
    }
}
