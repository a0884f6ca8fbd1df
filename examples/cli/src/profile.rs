//! From settings to the SDK's server profile: the JSON shapes (reference
//! server, simplejwt) with their paths and field names, or OAuth 2.0 with its
//! endpoints, optionally discovered.

use std::str::FromStr;

use tokenkeeper::server::{self, ClientAuth, Discovery, JsonProfile, OAuthProfile};
use tokenkeeper::{AuthError, ServerProfile};
use zeroize::Zeroizing;

use crate::config::{Resolved, Settings};
use crate::errors::{CliError, CliResult};
use crate::transport::CliTransport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    Json,
    SimpleJwt,
    OAuth2,
}

impl FromStr for ProfileKind {
    type Err = CliError;

    fn from_str(name: &str) -> Result<Self, CliError> {
        match name {
            "json" => Ok(Self::Json),
            "simplejwt" => Ok(Self::SimpleJwt),
            "oauth2" => Ok(Self::OAuth2),
            other => Err(CliError::usage(format!(
                "unknown profile {other:?} (expected json, simplejwt or oauth2)"
            ))),
        }
    }
}

impl ProfileKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::SimpleJwt => "simplejwt",
            Self::OAuth2 => "oauth2",
        }
    }
}

/// The server profile, plus what discovery said about keys and issuer.
pub struct ServerSetup {
    pub profile: ServerProfile,
    pub discovered: Option<Discovery>,
}

/// `online`: whether discovery may be fetched. Commands that never talk to
/// the server (status) pass false and get a profile good enough to read
/// the stored session.
pub async fn server_setup(
    resolved: &Resolved,
    transport: &CliTransport,
    online: bool,
) -> CliResult<ServerSetup> {
    let settings = &resolved.settings;
    let discovered = if settings.discover == Some(true) && online {
        let url = resolved
            .base_url
            .join("/.well-known/openid-configuration")
            .map_err(|error| CliError::usage(format!("invalid discovery URL: {error}")))?;
        let found =
            server::discover(transport, url.as_str())
                .await
                .map_err(|error| match error {
                    // Without the URL the SDK's "unusable token response" wording would mislead.
                    AuthError::InvalidResponse(why) => CliError::new(
                        crate::errors::Class::Server,
                        format!("the discovery document at {url} is unusable: {why}"),
                    ),
                    other => CliError::from_auth(other, &transport.failures()),
                })?;
        Some(found)
    } else {
        None
    };
    let profile = match resolved.profile {
        ProfileKind::Json => ServerProfile::Json(json_profile(JsonProfile::default(), settings)),
        ProfileKind::SimpleJwt => {
            ServerProfile::Json(json_profile(JsonProfile::simplejwt(), settings))
        }
        ProfileKind::OAuth2 => {
            ServerProfile::OAuth(oauth2_profile(settings, discovered.as_ref(), online)?)
        }
    };
    Ok(ServerSetup {
        profile,
        discovered,
    })
}

/// A JSON preset with the configured paths and field names over it.
fn json_profile(mut profile: JsonProfile, settings: &Settings) -> JsonProfile {
    let set = |target: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            target.clone_from(value);
        }
    };
    set(&mut profile.login_path, &settings.paths.login);
    set(&mut profile.refresh_path, &settings.paths.refresh);
    if let Some(logout) = &settings.paths.logout {
        profile.logout_path = (!logout.is_empty()).then(|| logout.clone());
    }
    let request = &settings.request_fields;
    set(&mut profile.username_field, &request.username);
    set(&mut profile.password_field, &request.password);
    set(&mut profile.refresh_request_field, &request.refresh);
    let response = &settings.response_fields;
    let fields = &mut profile.response_fields;
    set(&mut fields.access_token, &response.access);
    set(&mut fields.refresh_token, &response.refresh);
    set(&mut fields.id_token, &response.id);
    set(&mut fields.expires_in, &response.expires_in);
    profile
}

/// The OAuth 2.0 profile: endpoints from flags/config, else from discovery.
fn oauth2_profile(
    settings: &Settings,
    discovered: Option<&Discovery>,
    online: bool,
) -> CliResult<OAuthProfile> {
    let client_id = settings.client_id.clone().ok_or_else(|| {
        CliError::usage("the oauth2 profile needs a client id (--client-id or client_id)")
    })?;
    let token_endpoint = match (&settings.token_endpoint, discovered) {
        (Some(endpoint), _) => endpoint.clone(),
        (None, Some(found)) => found.token_endpoint.clone(),
        // Offline (status): the endpoint is never called, any valid one will do.
        (None, None) if !online && settings.discover == Some(true) => "/".to_owned(),
        (None, None) => {
            return Err(CliError::usage(
                "the oauth2 profile needs a token endpoint (--token-endpoint, or --discover)",
            ));
        }
    };
    let revocation_endpoint = settings
        .revocation_endpoint
        .clone()
        .or_else(|| discovered.and_then(|found| found.revocation_endpoint.clone()));
    let mut profile = OAuthProfile::new(token_endpoint, client_id);
    profile.revocation_endpoint = revocation_endpoint.filter(|endpoint| !endpoint.is_empty());
    profile.scope = settings.scope.clone();
    profile.client_auth = client_auth(settings)?;
    Ok(profile)
}

fn client_auth(settings: &Settings) -> CliResult<ClientAuth> {
    let method = settings.client_auth.as_deref().unwrap_or("none");
    if method == "none" {
        return Ok(ClientAuth::None);
    }
    if !matches!(method, "basic" | "post") {
        return Err(CliError::usage(format!(
            "unknown client auth method {method:?} (expected none, basic or post)"
        )));
    }
    let secret = match (&settings.client_secret_env, &settings.client_secret) {
        (Some(var), _) => std::env::var(var).map(Zeroizing::new).map_err(|_| {
            CliError::usage(format!(
                "the client secret variable {var} is not set (or not UTF-8)"
            ))
        })?,
        (None, Some(secret)) => Zeroizing::new(secret.clone()),
        (None, None) => {
            return Err(CliError::usage(format!(
                "client auth {method:?} needs a secret (--client-secret-env VAR, or client_secret in the config file)"
            )));
        }
    };
    Ok(if method == "basic" {
        ClientAuth::Basic(secret)
    } else {
        ClientAuth::Post(secret)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_profiles_list_the_valid_ones() {
        let error = "x".parse::<ProfileKind>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown profile \"x\" (expected json, simplejwt or oauth2)"
        );
    }

    #[test]
    fn json_overrides_apply_over_the_preset() {
        let mut settings = Settings::default();
        settings.paths.logout = Some(String::new());
        settings.response_fields.access = Some("token".into());
        let profile = json_profile(JsonProfile::simplejwt(), &settings);
        assert_eq!(profile.logout_path, None);
        assert_eq!(profile.response_fields.access_token, "token");
        assert_eq!(profile.login_path, "/api/token/");
    }

    #[test]
    fn oauth2_needs_a_client_id_and_an_endpoint() {
        let mut settings = Settings::default();
        assert!(oauth2_profile(&settings, None, true).is_err());
        settings.client_id = Some("app".into());
        assert!(oauth2_profile(&settings, None, true).is_err());
        settings.token_endpoint = Some("/oauth/token".into());
        settings.client_auth = Some("basic".into());
        settings.client_secret = Some("s".into());
        let profile = oauth2_profile(&settings, None, true).unwrap();
        assert!(matches!(profile.client_auth, ClientAuth::Basic(_)));
    }
}
