//! Records and enums that cross the boundary, each with its conversion from or to the
//! core's type. No behaviour lives here.

use std::time::Duration;

use tokenkeeper::jwt::Algorithm;
use tokenkeeper::server::{ClientAuth, JsonProfile, OAuthProfile};
use tokenkeeper::transport::{self as core_transport, Method};
use zeroize::Zeroizing;

use crate::error::TokenkeeperError;

/// Everything the client needs to know about the app's server. Only `base_url` is required.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AuthConfig {
    /// https, or http to a loopback address (development). Its origin may receive the token.
    pub base_url: String,
    /// Further origins that may receive the bearer token.
    #[uniffi(default)]
    pub allowed_origins: Vec<String>,
    /// Allowed clock difference for `exp`/`nbf` (default 30 s).
    #[uniffi(default)]
    pub leeway_secs: Option<u64>,
    /// Refresh when the access token has less than this left (default 60 s).
    #[uniffi(default)]
    pub min_ttl_secs: Option<u64>,
    /// When set, tokens must carry this `iss`.
    #[uniffi(default)]
    pub issuer: Option<String>,
    /// When set, tokens' `aud` must contain it.
    #[uniffi(default)]
    pub audience: Option<String>,
    /// Separates sessions of several accounts or environments in one store (default "default").
    #[uniffi(default)]
    pub namespace: Option<String>,
    /// The server's login/refresh/logout endpoints (default: the reference server's shape).
    #[uniffi(default)]
    pub endpoints: Option<JsonEndpoints>,
    /// An OAuth 2.0 server instead of JSON endpoints (set one or the other).
    #[uniffi(default)]
    pub oauth: Option<OAuthEndpoints>,
    /// Verify token signatures offline with these keys (default: not verified).
    #[uniffi(default)]
    pub signing_keys: Option<SigningKeys>,
}

/// An OAuth 2.0 token endpoint and (RFC 7009) revocation endpoint.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct OAuthEndpoints {
    /// Path on the base URL, or absolute URL.
    pub token_endpoint: String,
    /// `None`: logout is local only.
    #[uniffi(default)]
    pub revocation_endpoint: Option<String>,
    pub client_id: String,
    /// Confidential clients only; a mobile app is normally a public client.
    #[uniffi(default)]
    pub client_secret: Option<String>,
    /// With a secret: HTTP Basic (default) or in the form body.
    #[uniffi(default)]
    pub secret_in_body: bool,
    /// Requested by `login` (the password grant).
    #[uniffi(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for OAuthEndpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthEndpoints")
            .field("token_endpoint", &self.token_endpoint)
            .field("revocation_endpoint", &self.revocation_endpoint)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl From<OAuthEndpoints> for OAuthProfile {
    fn from(endpoints: OAuthEndpoints) -> Self {
        let client_auth = match endpoints.client_secret {
            None => ClientAuth::None,
            Some(secret) if endpoints.secret_in_body => ClientAuth::Post(Zeroizing::new(secret)),
            Some(secret) => ClientAuth::Basic(Zeroizing::new(secret)),
        };
        let mut profile = OAuthProfile::new(endpoints.token_endpoint, endpoints.client_id);
        profile.revocation_endpoint = endpoints.revocation_endpoint;
        profile.client_auth = client_auth;
        profile.scope = endpoints.scope;
        profile
    }
}

/// Where the keys that sign the server's tokens come from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SigningKeys {
    /// A JWKS URL: cached (also in the store, for offline starts), fetched
    /// again after `ttl_secs` (default 1 h) or once for an unknown key.
    JwksUrl { url: String, ttl_secs: Option<u64> },
    /// A JWKS given inline (JSON text).
    Jwks { json: String },
    /// One PEM public key, for tokens signed with `algorithm` ("RS256", "ES256", "EdDSA", …).
    Pem { pem: String, algorithm: String },
}

/// A token response obtained outside the SDK (e.g. an authorization-code
/// flow in a browser), to start a session with.
#[derive(Clone, uniffi::Record)]
pub struct TokenResponse {
    pub access_token: String,
    #[uniffi(default)]
    pub refresh_token: Option<String>,
    #[uniffi(default)]
    pub id_token: Option<String>,
    #[uniffi(default)]
    pub expires_in_secs: Option<u64>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenResponse(<redacted>)")
    }
}

impl From<TokenResponse> for tokenkeeper::TokenResponse {
    fn from(tokens: TokenResponse) -> Self {
        Self {
            access_token: tokenkeeper::AccessToken::new(tokens.access_token),
            refresh_token: tokens.refresh_token.map(tokenkeeper::RefreshToken::new),
            id_token: tokens.id_token.map(tokenkeeper::IdToken::new),
            expires_in: tokens.expires_in_secs,
        }
    }
}

/// JSON login/refresh/logout endpoints with their paths and field names.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JsonEndpoints {
    pub login_path: String,
    pub refresh_path: String,
    /// `None`: the server has no logout endpoint; logout is local only.
    pub logout_path: Option<String>,
    pub username_field: String,
    pub password_field: String,
    /// Field carrying the refresh token in refresh and logout requests.
    pub refresh_request_field: String,
    pub access_token_field: String,
    pub refresh_token_field: String,
    pub id_token_field: String,
    pub expires_in_field: String,
}

impl From<JsonProfile> for JsonEndpoints {
    fn from(profile: JsonProfile) -> Self {
        Self {
            login_path: profile.login_path,
            refresh_path: profile.refresh_path,
            logout_path: profile.logout_path,
            username_field: profile.username_field,
            password_field: profile.password_field,
            refresh_request_field: profile.refresh_request_field,
            access_token_field: profile.response_fields.access_token,
            refresh_token_field: profile.response_fields.refresh_token,
            id_token_field: profile.response_fields.id_token,
            expires_in_field: profile.response_fields.expires_in,
        }
    }
}

impl From<JsonEndpoints> for JsonProfile {
    fn from(endpoints: JsonEndpoints) -> Self {
        // Taken from the default so the core's response-fields type need not be named.
        let mut response_fields = JsonProfile::default().response_fields;
        response_fields.access_token = endpoints.access_token_field;
        response_fields.refresh_token = endpoints.refresh_token_field;
        response_fields.id_token = endpoints.id_token_field;
        response_fields.expires_in = endpoints.expires_in_field;
        Self {
            login_path: endpoints.login_path,
            refresh_path: endpoints.refresh_path,
            logout_path: endpoints.logout_path,
            username_field: endpoints.username_field,
            password_field: endpoints.password_field,
            refresh_request_field: endpoints.refresh_request_field,
            response_fields,
        }
    }
}

/// The reference server's endpoints (`/auth/login` with `email` and `password`).
#[uniffi::export]
pub fn default_endpoints() -> Result<JsonEndpoints, TokenkeeperError> {
    Ok(JsonProfile::default().into())
}

/// djangorestframework-simplejwt's default endpoints, with its blacklist app.
#[uniffi::export]
pub fn simplejwt_endpoints() -> Result<JsonEndpoints, TokenkeeperError> {
    Ok(JsonProfile::simplejwt().into())
}

impl TryFrom<AuthConfig> for tokenkeeper::AuthConfig {
    type Error = TokenkeeperError;

    fn try_from(config: AuthConfig) -> Result<Self, Self::Error> {
        let mut builder = tokenkeeper::AuthConfig::builder(&config.base_url);
        for origin in &config.allowed_origins {
            builder = builder.allow_origin(origin);
        }
        if let Some(secs) = config.leeway_secs {
            builder = builder.leeway(Duration::from_secs(secs));
        }
        if let Some(secs) = config.min_ttl_secs {
            builder = builder.min_ttl(Duration::from_secs(secs));
        }
        if let Some(issuer) = &config.issuer {
            builder = builder.issuer(issuer);
        }
        if let Some(audience) = &config.audience {
            builder = builder.audience(audience);
        }
        if let Some(namespace) = &config.namespace {
            builder = builder.namespace(namespace);
        }
        builder = match (config.endpoints, config.oauth) {
            (Some(_), Some(_)) => {
                return Err(tokenkeeper::AuthError::Config(
                    "set either JSON endpoints or OAuth endpoints, not both".into(),
                )
                .into());
            }
            (Some(endpoints), None) => {
                builder.profile(tokenkeeper::ServerProfile::Json(endpoints.into()))
            }
            (None, Some(oauth)) => builder.profile(tokenkeeper::ServerProfile::OAuth(oauth.into())),
            (None, None) => builder,
        };
        builder = match config.signing_keys {
            None => builder,
            Some(SigningKeys::JwksUrl { url, ttl_secs }) => {
                let ttl = ttl_secs.map_or(
                    tokenkeeper::jwt::verify::RemoteJwks::DEFAULT_TTL,
                    Duration::from_secs,
                );
                builder.jwks_url(&url).jwks_cache(
                    ttl,
                    tokenkeeper::jwt::verify::RemoteJwks::DEFAULT_MIN_REFETCH_INTERVAL,
                )
            }
            Some(SigningKeys::Jwks { json }) => builder.jwks(&json),
            Some(SigningKeys::Pem { pem, algorithm }) => {
                let algorithm = Algorithm::parse(&algorithm)
                    .map_err(|error| tokenkeeper::AuthError::Config(error.to_string()))?;
                builder.pem_key(&pem, algorithm)
            }
        };
        Ok(builder.build()?)
    }
}

/// Claims of the current access token. Custom claims come as one JSON object text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Claims {
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub jti: Option<String>,
    /// Every other claim, as a JSON object (`{}` when there is none).
    pub custom_json: String,
}

impl Claims {
    pub(crate) fn from_core(claims: tokenkeeper::jwt::Claims) -> Result<Self, TokenkeeperError> {
        let custom_json =
            serde_json::to_string(&claims.custom).map_err(|error| TokenkeeperError::Internal {
                detail: format!("custom claims could not be written as JSON: {error}"),
            })?;
        Ok(Self {
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            iss: claims.iss,
            sub: claims.sub,
            aud: claims.aud,
            jti: claims.jti,
            custom_json,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl From<HttpMethod> for Method {
    fn from(method: HttpMethod) -> Self {
        match method {
            HttpMethod::Get => Method::Get,
            HttpMethod::Post => Method::Post,
            HttpMethod::Put => Method::Put,
            HttpMethod::Patch => Method::Patch,
            HttpMethod::Delete => Method::Delete,
            HttpMethod::Head => Method::Head,
        }
    }
}

impl From<Method> for HttpMethod {
    fn from(method: Method) -> Self {
        match method {
            Method::Get => HttpMethod::Get,
            Method::Post => HttpMethod::Post,
            Method::Put => HttpMethod::Put,
            Method::Patch => HttpMethod::Patch,
            Method::Delete => HttpMethod::Delete,
            Method::Head => HttpMethod::Head,
        }
    }
}

/// One header line; names may repeat.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for HttpHeader {
    /// Values may be bearer tokens: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHeader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: String,
    #[uniffi(default)]
    pub headers: Vec<HttpHeader>,
    #[uniffi(default)]
    pub body: Vec<u8>,
}

impl From<HttpRequest> for core_transport::HttpRequest {
    fn from(request: HttpRequest) -> Self {
        let mut core = core_transport::HttpRequest::new(request.method.into(), request.url);
        core.headers = request
            .headers
            .into_iter()
            .map(|header| (header.name, Zeroizing::new(header.value)))
            .collect();
        core.body = Zeroizing::new(request.body);
        core
    }
}

impl From<core_transport::HttpRequest> for HttpRequest {
    fn from(request: core_transport::HttpRequest) -> Self {
        Self {
            method: request.method.into(),
            url: request.url.clone(),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| HttpHeader {
                    name: name.clone(),
                    value: value.as_str().to_owned(),
                })
                .collect(),
            body: request.body.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    #[uniffi(default)]
    pub headers: Vec<HttpHeader>,
    #[uniffi(default)]
    pub body: Vec<u8>,
}

impl From<HttpResponse> for core_transport::HttpResponse {
    fn from(response: HttpResponse) -> Self {
        core_transport::HttpResponse::new(
            response.status,
            response
                .headers
                .into_iter()
                .map(|header| (header.name, header.value))
                .collect(),
            response.body,
        )
    }
}

impl From<core_transport::HttpResponse> for HttpResponse {
    fn from(response: core_transport::HttpResponse) -> Self {
        Self {
            status: response.status,
            headers: response
                .headers
                .iter()
                .map(|(name, value)| HttpHeader {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            body: response.body.to_vec(),
        }
    }
}

/// Why a session ended without the user logging out.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ExpiryReason {
    /// The refresh endpoint definitively refused the refresh token.
    RefreshRejected { status: u16, code: Option<String> },
    /// The access token expired and there is no refresh token to renew it.
    NoRefreshToken,
}

impl From<tokenkeeper::ExpiryReason> for ExpiryReason {
    fn from(reason: tokenkeeper::ExpiryReason) -> Self {
        match reason {
            tokenkeeper::ExpiryReason::RefreshRejected { status, code } => {
                ExpiryReason::RefreshRejected { status, code }
            }
            tokenkeeper::ExpiryReason::NoRefreshToken => ExpiryReason::NoRefreshToken,
        }
    }
}

/// Where the session stands now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionState {
    /// The store has not been read yet (before `restore()`).
    Unknown,
    LoggedOut,
    LoggedIn,
    Expired {
        reason: ExpiryReason,
    },
    /// The store could not be read (locked device); retried on the next call.
    StorageUnavailable,
}

impl From<tokenkeeper::SessionState> for SessionState {
    fn from(state: tokenkeeper::SessionState) -> Self {
        match state {
            tokenkeeper::SessionState::Unknown => SessionState::Unknown,
            tokenkeeper::SessionState::LoggedOut => SessionState::LoggedOut,
            tokenkeeper::SessionState::LoggedIn => SessionState::LoggedIn,
            tokenkeeper::SessionState::Expired(reason) => SessionState::Expired {
                reason: reason.into(),
            },
            tokenkeeper::SessionState::StorageUnavailable => SessionState::StorageUnavailable,
        }
    }
}

/// What happened to the session, in order. `Refreshed` and `StorageUnavailable` may repeat.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionEvent {
    LoggedIn,
    Refreshed {
        generation: u64,
    },
    LoggedOut,
    Expired {
        reason: ExpiryReason,
    },
    /// Reading or writing the store failed with "try later"; persisting is retried.
    StorageUnavailable,
}

impl From<tokenkeeper::SessionEvent> for SessionEvent {
    fn from(event: tokenkeeper::SessionEvent) -> Self {
        match event {
            tokenkeeper::SessionEvent::LoggedIn => SessionEvent::LoggedIn,
            tokenkeeper::SessionEvent::Refreshed { generation } => {
                SessionEvent::Refreshed { generation }
            }
            tokenkeeper::SessionEvent::LoggedOut => SessionEvent::LoggedOut,
            tokenkeeper::SessionEvent::Expired(reason) => SessionEvent::Expired {
                reason: reason.into(),
            },
            tokenkeeper::SessionEvent::StorageUnavailable => SessionEvent::StorageUnavailable,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogoutOutcome {
    /// The server revoked the session (or had already forgotten it).
    Revoked,
    /// The server could not be reached; the revocation is queued and retried.
    Queued,
    /// Nothing to revoke on the server (no refresh token, or no logout endpoint).
    LocalOnly,
}

impl From<tokenkeeper::LogoutOutcome> for LogoutOutcome {
    fn from(outcome: tokenkeeper::LogoutOutcome) -> Self {
        match outcome {
            tokenkeeper::LogoutOutcome::Revoked => LogoutOutcome::Revoked,
            tokenkeeper::LogoutOutcome::Queued => LogoutOutcome::Queued,
            tokenkeeper::LogoutOutcome::LocalOnly => LogoutOutcome::LocalOnly,
        }
    }
}

/// What a pass over the queue of revocations left by offline logouts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct FlushReport {
    pub revoked: u64,
    pub remaining: u64,
    /// Given up on: too old, out of attempts, or refused by the server as a bad request.
    pub dropped: u64,
}

impl From<tokenkeeper::FlushReport> for FlushReport {
    fn from(report: tokenkeeper::FlushReport) -> Self {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Self {
            revoked: count(report.revoked),
            remaining: count(report.remaining),
            dropped: count(report.dropped),
        }
    }
}
