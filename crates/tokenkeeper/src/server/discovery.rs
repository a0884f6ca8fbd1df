//! Endpoint discovery: OpenID Connect Discovery 1.0 and RFC 8414
//! authorization server metadata.

use serde::Deserialize;
use url::Url;

use super::{ClientAuth, OAuthProfile, get_json_document};
use crate::client::require_secure;
use crate::error::AuthError;
use crate::json_error;
use crate::transport::HttpTransport;

/// Metadata documents larger than this are refused unread.
const MAX_METADATA_LEN: usize = 64 * 1024;

/// The parts of a server's metadata this SDK uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
}

impl OAuthProfile {
    /// A public client on the discovered endpoints.
    pub fn from_discovery(discovery: &Discovery, client_id: impl Into<String>) -> Self {
        Self {
            token_endpoint: discovery.token_endpoint.clone(),
            revocation_endpoint: discovery.revocation_endpoint.clone(),
            client_id: client_id.into(),
            client_auth: ClientAuth::None,
            scope: None,
        }
    }
}

/// Reads a server's metadata. `url` is either an issuer — then its OpenID
/// configuration is tried, then its RFC 8414 metadata, and the document's
/// `issuer` must be exactly that issuer (a mix-up defence both specs
/// require) — or the full URL of a `/.well-known/` document, taken as is.
/// Every endpoint must be https (or http to a loopback address).
pub async fn discover(transport: &dyn HttpTransport, url: &str) -> Result<Discovery, AuthError> {
    let parsed = Url::parse(url)
        .map_err(|error| AuthError::Config(format!("{url:?} is not a valid URL: {error}")))?;
    require_secure(&parsed)?;
    if parsed.path().contains("/.well-known/") {
        return fetch(transport, url).await;
    }
    let issuer = url.trim_end_matches('/');
    let mut last_error = None;
    for candidate in metadata_urls(&parsed) {
        match fetch(transport, &candidate).await {
            Ok(found) if found.issuer.trim_end_matches('/') == issuer => return Ok(found),
            Ok(found) => {
                return Err(AuthError::InvalidResponse(format!(
                    "metadata at {candidate} names issuer {:?}, not {issuer:?}",
                    found.issuer
                )));
            }
            Err(AuthError::Server { status: 404, .. }) => {
                last_error = Some(AuthError::Config(format!(
                    "{issuer} publishes no OpenID configuration or OAuth metadata"
                )));
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| AuthError::Config("no metadata URL".into())))
}

/// OpenID Discovery appends to the issuer's path; RFC 8414 inserts before it.
fn metadata_urls(issuer: &Url) -> [String; 2] {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    [
        format!("{origin}{path}/.well-known/openid-configuration"),
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
    ]
}

async fn fetch(transport: &dyn HttpTransport, url: &str) -> Result<Discovery, AuthError> {
    let response = get_json_document(transport, url, MAX_METADATA_LEN, "server metadata").await?;
    let discovery: Discovery = serde_json::from_slice(&response.body).map_err(|error| {
        AuthError::InvalidResponse(format!("server metadata: {}", json_error::describe(&error)))
    })?;
    let endpoints = [
        Some(&discovery.token_endpoint),
        discovery.revocation_endpoint.as_ref(),
        discovery.jwks_uri.as_ref(),
    ];
    for endpoint in endpoints.into_iter().flatten() {
        let parsed = Url::parse(endpoint).map_err(|_| {
            AuthError::InvalidResponse(format!("server metadata: {endpoint:?} is not a URL"))
        })?;
        require_secure(&parsed)?;
    }
    Ok(discovery)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{HttpRequest, HttpResponse, TransportError};

    /// Serves fixed documents by URL; everything else is 404.
    struct Documents(Vec<(&'static str, String)>);

    #[async_trait::async_trait]
    impl HttpTransport for Documents {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            Ok(match self.0.iter().find(|(url, _)| *url == request.url) {
                Some((_, body)) => HttpResponse::new(200, Vec::new(), body.clone().into_bytes()),
                None => HttpResponse::new(404, Vec::new(), Vec::new()),
            })
        }
    }

    fn metadata(issuer: &str, token_endpoint: &str) -> String {
        serde_json::json!({"issuer": issuer, "token_endpoint": token_endpoint,
            "revocation_endpoint": format!("{issuer}/revoke"), "jwks_uri": format!("{issuer}/jwks")})
        .to_string()
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn openid_configuration_first_then_rfc8414() {
        let issuer = "https://id.example.com/t1";
        let oidc = Documents(vec![(
            "https://id.example.com/t1/.well-known/openid-configuration",
            metadata(issuer, "https://id.example.com/t1/token"),
        )]);
        let found = run(discover(&oidc, issuer)).expect("OpenID configuration");
        assert_eq!(found.token_endpoint, "https://id.example.com/t1/token");
        assert_eq!(
            found.jwks_uri.as_deref(),
            Some("https://id.example.com/t1/jwks")
        );

        let rfc8414 = Documents(vec![(
            "https://id.example.com/.well-known/oauth-authorization-server/t1",
            metadata(issuer, "https://id.example.com/t1/token"),
        )]);
        assert!(run(discover(&rfc8414, issuer)).is_ok());
        assert!(matches!(
            run(discover(&Documents(Vec::new()), issuer)),
            Err(AuthError::Config(_))
        ));
    }

    #[test]
    fn a_document_for_another_issuer_or_with_insecure_endpoints_is_refused() {
        let issuer = "https://id.example.com";
        let mix_up = Documents(vec![(
            "https://id.example.com/.well-known/openid-configuration",
            metadata("https://evil.example.com", "https://evil.example.com/token"),
        )]);
        assert!(matches!(
            run(discover(&mix_up, issuer)),
            Err(AuthError::InvalidResponse(_))
        ));
        let insecure = Documents(vec![(
            "https://id.example.com/.well-known/openid-configuration",
            metadata(issuer, "http://id.example.com/token"),
        )]);
        assert!(matches!(
            run(discover(&insecure, issuer)),
            Err(AuthError::Config(_))
        ));
        let junk = Documents(vec![(
            "https://id.example.com/.well-known/openid-configuration",
            "<html>".into(),
        )]);
        assert!(matches!(
            run(discover(&junk, issuer)),
            Err(AuthError::InvalidResponse(_))
        ));
    }

    #[test]
    fn metadata_locations_follow_each_spec() {
        let issuer = Url::parse("https://id.example.com/tenant/1/").unwrap();
        assert_eq!(
            metadata_urls(&issuer),
            [
                "https://id.example.com/tenant/1/.well-known/openid-configuration".to_string(),
                "https://id.example.com/.well-known/oauth-authorization-server/tenant/1".into(),
            ]
        );
        let root = Url::parse("https://id.example.com").unwrap();
        assert_eq!(
            metadata_urls(&root)[1],
            "https://id.example.com/.well-known/oauth-authorization-server"
        );
    }
}
