use std::time::Duration;

use url::Url;

use super::origins::{AllowedOrigins, require_secure};
use crate::error::AuthError;
use crate::jwt::verify::{KeySet, KeySource, RemoteJwks};
use crate::jwt::{Algorithm, Validation};
use crate::refresh::{RefreshBudget, RetryPolicy};
use crate::server::ServerProfile;

/// Everything an [`AuthClient`](super::AuthClient) needs to know about the app's server.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub(crate) base_url: Url,
    pub(crate) profile: ServerProfile,
    pub(crate) origins: AllowedOrigins,
    pub(crate) validation: Validation,
    pub(crate) min_ttl: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: RefreshBudget,
    pub(crate) pending_logout: PendingLogoutPolicy,
    pub(crate) keys: Option<KeySource>,
    pub(crate) session_key: String,
    pub(crate) pending_logout_key: String,
    pub(crate) jwks_key: String,
}

/// Bounds on revocations queued while offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogoutPolicy {
    pub max_attempts: u32,
    pub max_age: Duration,
    pub max_entries: usize,
}

impl Default for PendingLogoutPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 20,
            max_age: Duration::from_secs(30 * 24 * 3600),
            max_entries: 32,
        }
    }
}

impl AuthConfig {
    pub fn builder(base_url: &str) -> AuthConfigBuilder {
        AuthConfigBuilder {
            base_url: base_url.to_owned(),
            profile: ServerProfile::default(),
            extra_origins: Vec::new(),
            validation: Validation::default(),
            min_ttl: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            budget: RefreshBudget::default(),
            pending_logout: PendingLogoutPolicy::default(),
            namespace: "default".into(),
            keys: None,
            jwks_ttl: RemoteJwks::DEFAULT_TTL,
            jwks_min_refetch_interval: RemoteJwks::DEFAULT_MIN_REFETCH_INTERVAL,
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }
}

#[derive(Debug, Clone)]
pub struct AuthConfigBuilder {
    base_url: String,
    profile: ServerProfile,
    extra_origins: Vec<String>,
    validation: Validation,
    min_ttl: Duration,
    retry: RetryPolicy,
    budget: RefreshBudget,
    pending_logout: PendingLogoutPolicy,
    namespace: String,
    keys: Option<KeysInput>,
    jwks_ttl: Duration,
    jwks_min_refetch_interval: Duration,
}

/// Keys as the app gave them; parsed (and refused with a typed error) by `build()`.
#[derive(Debug, Clone)]
enum KeysInput {
    JwksUrl(String),
    Jwks(String),
    Pem { pem: String, alg: Algorithm },
}

impl AuthConfigBuilder {
    pub fn profile(mut self, profile: ServerProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Another origin that may receive the bearer token (the base URL's always may).
    pub fn allow_origin(mut self, url: &str) -> Self {
        self.extra_origins.push(url.to_owned());
        self
    }

    /// Allowed clock difference when checking `exp`/`nbf` (default 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway = leeway;
        self
    }

    pub fn issuer(mut self, issuer: &str) -> Self {
        self.validation.issuer = Some(issuer.to_owned());
        self
    }

    pub fn audience(mut self, audience: &str) -> Self {
        self.validation.audiences.push(audience.to_owned());
        self
    }

    /// Refresh proactively when less than this is left (default 60 s; at most half a token's lifetime).
    pub fn min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn refresh_budget(mut self, budget: RefreshBudget) -> Self {
        self.budget = budget;
        self
    }

    pub fn pending_logout(mut self, policy: PendingLogoutPolicy) -> Self {
        self.pending_logout = policy;
        self
    }

    /// Verify token signatures with the JWKS at `url`, cached (also in the
    /// store, for offline starts) and fetched again after the cache TTL or
    /// when a token names an unknown key.
    pub fn jwks_url(mut self, url: &str) -> Self {
        self.keys = Some(KeysInput::JwksUrl(url.to_owned()));
        self
    }

    /// How long a fetched JWKS is used (default 1 h) and the shortest time
    /// between two fetches (default 60 s).
    pub fn jwks_cache(mut self, ttl: Duration, min_refetch_interval: Duration) -> Self {
        self.jwks_ttl = ttl;
        self.jwks_min_refetch_interval = min_refetch_interval;
        self
    }

    /// Verify token signatures with this JWKS (JSON text).
    pub fn jwks(mut self, jwks_json: &str) -> Self {
        self.keys = Some(KeysInput::Jwks(jwks_json.to_owned()));
        self
    }

    /// Verify token signatures with one PEM public key, for tokens signed with `alg` only.
    pub fn pem_key(mut self, pem: &str, alg: Algorithm) -> Self {
        self.keys = Some(KeysInput::Pem {
            pem: pem.to_owned(),
            alg,
        });
        self
    }

    /// Separates sessions of several accounts or environments in one store.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.to_owned();
        self
    }

    pub fn build(self) -> Result<AuthConfig, AuthError> {
        let base_url = parse_url(&self.base_url)?;
        require_secure(&base_url)?;
        let mut urls = vec![base_url.clone()];
        for origin in &self.extra_origins {
            urls.push(parse_url(origin)?);
        }
        if self.retry.max_attempts == 0 || self.budget.max_refreshes == 0 {
            return Err(AuthError::Config(
                "retry attempts and refresh budget must be at least 1".into(),
            ));
        }
        let valid_namespace = !self.namespace.is_empty()
            && self
                .namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid_namespace {
            return Err(AuthError::Config(
                "namespace must be non-empty ASCII letters, digits, '-', '_' or '.'".into(),
            ));
        }
        let keys = match self.keys {
            None => None,
            Some(input) => Some(key_source(
                input,
                self.jwks_ttl,
                self.jwks_min_refetch_interval,
            )?),
        };
        Ok(AuthConfig {
            origins: AllowedOrigins::new(&urls)?,
            keys,
            base_url,
            profile: self.profile,
            validation: self.validation,
            min_ttl: self.min_ttl,
            retry: self.retry,
            budget: self.budget,
            pending_logout: self.pending_logout,
            session_key: format!("tokenkeeper.{}.session", self.namespace),
            pending_logout_key: format!("tokenkeeper.{}.pending-logout", self.namespace),
            jwks_key: format!("tokenkeeper.{}.jwks", self.namespace),
        })
    }
}

fn key_source(
    input: KeysInput,
    ttl: Duration,
    min_refetch_interval: Duration,
) -> Result<KeySource, AuthError> {
    let invalid = |error| AuthError::Config(format!("signing keys: {error}"));
    Ok(match input {
        KeysInput::JwksUrl(url) => {
            require_secure(&parse_url(&url)?)?;
            KeySource::Remote(RemoteJwks {
                url,
                ttl,
                min_refetch_interval,
            })
        }
        KeysInput::Jwks(json) => {
            KeySource::Fixed(KeySet::from_jwks(json.as_bytes()).map_err(invalid)?)
        }
        KeysInput::Pem { pem, alg } => {
            KeySource::Fixed(KeySet::from_pem(&pem, alg).map_err(invalid)?)
        }
    })
}

fn parse_url(text: &str) -> Result<Url, AuthError> {
    Url::parse(text)
        .map_err(|error| AuthError::Config(format!("{text:?} is not a valid URL: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_origin_is_always_allowed() {
        let config = AuthConfig::builder("https://api.example.com/v1/")
            .allow_origin("https://files.example.com")
            .build()
            .unwrap();
        assert!(config.origins.allows("https://api.example.com/other"));
        assert!(config.origins.allows("https://files.example.com/x"));
        assert!(!config.origins.allows("https://example.com/x"));
        assert_eq!(config.session_key, "tokenkeeper.default.session");
    }

    #[test]
    fn bad_configuration_is_a_typed_error() {
        for builder in [
            AuthConfig::builder("not a url"),
            AuthConfig::builder("http://api.example.com"),
            AuthConfig::builder("https://api.example.com").allow_origin("http://cdn.example.com"),
            AuthConfig::builder("https://api.example.com").namespace("a/b"),
            AuthConfig::builder("https://api.example.com").namespace(""),
            AuthConfig::builder("https://api.example.com").retry(RetryPolicy {
                max_attempts: 0,
                ..RetryPolicy::default()
            }),
        ] {
            assert!(matches!(builder.build(), Err(AuthError::Config(_))));
        }
    }
}
