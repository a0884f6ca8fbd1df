use serde_json::{Map, Value};
use url::Url;

use super::{Credentials, endpoint};
use crate::error::AuthError;
use crate::secret::RefreshToken;
use crate::transport::HttpRequest;

/// Names of the fields in a token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFields {
    pub access_token: String,
    pub refresh_token: String,
    pub id_token: String,
    pub expires_in: String,
}

impl Default for ResponseFields {
    fn default() -> Self {
        Self {
            access_token: "access_token".into(),
            refresh_token: "refresh_token".into(),
            id_token: "id_token".into(),
            expires_in: "expires_in".into(),
        }
    }
}

/// JSON login/refresh/logout endpoints with configurable paths and field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProfile {
    pub login_path: String,
    pub refresh_path: String,
    /// `None`: the server has no logout endpoint; logout is local only.
    pub logout_path: Option<String>,
    pub username_field: String,
    pub password_field: String,
    /// Field carrying the refresh token in refresh and logout requests.
    pub refresh_request_field: String,
    pub response_fields: ResponseFields,
}

impl Default for JsonProfile {
    /// The reference server's shape (`/auth/login` with `email` and `password`).
    fn default() -> Self {
        Self {
            login_path: "/auth/login".into(),
            refresh_path: "/auth/refresh".into(),
            logout_path: Some("/auth/logout".into()),
            username_field: "email".into(),
            password_field: "password".into(),
            refresh_request_field: "refresh_token".into(),
            response_fields: ResponseFields::default(),
        }
    }
}

impl JsonProfile {
    /// djangorestframework-simplejwt with its default URLs and the blacklist app.
    pub fn simplejwt() -> Self {
        Self {
            login_path: "/api/token/".into(),
            refresh_path: "/api/token/refresh/".into(),
            logout_path: Some("/api/token/blacklist/".into()),
            username_field: "username".into(),
            password_field: "password".into(),
            refresh_request_field: "refresh".into(),
            response_fields: ResponseFields {
                access_token: "access".into(),
                refresh_token: "refresh".into(),
                id_token: "id_token".into(),
                expires_in: "expires_in".into(),
            },
        }
    }

    pub(crate) fn login_request(
        &self,
        base: &Url,
        credentials: &Credentials,
    ) -> Result<HttpRequest, AuthError> {
        let body = json_body([
            (&self.username_field, credentials.username.as_str()),
            (&self.password_field, credentials.password.as_str()),
        ]);
        Ok(
            HttpRequest::post(endpoint(base, &self.login_path)?)
                .with_body("application/json", body),
        )
    }

    pub(crate) fn refresh_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<HttpRequest, AuthError> {
        let body = json_body([(&self.refresh_request_field, refresh.expose())]);
        Ok(HttpRequest::post(endpoint(base, &self.refresh_path)?)
            .with_body("application/json", body))
    }

    pub(crate) fn logout_request(
        &self,
        base: &Url,
        refresh: &RefreshToken,
    ) -> Result<Option<HttpRequest>, AuthError> {
        let Some(path) = &self.logout_path else {
            return Ok(None);
        };
        let body = json_body([(&self.refresh_request_field, refresh.expose())]);
        Ok(Some(
            HttpRequest::post(endpoint(base, path)?).with_body("application/json", body),
        ))
    }
}

fn json_body<'a>(fields: impl IntoIterator<Item = (&'a String, &'a str)>) -> Vec<u8> {
    let object: Map<String, Value> = fields
        .into_iter()
        .map(|(name, value)| (name.clone(), Value::String(value.to_owned())))
        .collect();
    // A map of strings always serializes.
    serde_json::to_vec(&object).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_use_the_configured_paths_and_fields() {
        let base = Url::parse("https://api.example.com/v1/").unwrap();
        let profile = JsonProfile::simplejwt();
        let login = profile
            .login_request(&base, &Credentials::new("alice", "pw\"with quotes"))
            .unwrap();
        assert_eq!(login.url, "https://api.example.com/api/token/");
        let body: Value = serde_json::from_slice(&login.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"username": "alice", "password": "pw\"with quotes"})
        );
        let refresh = profile
            .refresh_request(&base, &RefreshToken::new("r1"))
            .unwrap();
        let body: Value = serde_json::from_slice(&refresh.body).unwrap();
        assert_eq!(body, serde_json::json!({"refresh": "r1"}));
        assert_eq!(refresh.header("content-type"), Some("application/json"));
    }

    #[test]
    fn relative_paths_join_the_base() {
        let base = Url::parse("https://api.example.com/v1/").unwrap();
        let profile = JsonProfile {
            refresh_path: "auth/refresh".into(),
            ..JsonProfile::default()
        };
        let request = profile
            .refresh_request(&base, &RefreshToken::new("r"))
            .unwrap();
        assert_eq!(request.url, "https://api.example.com/v1/auth/refresh");
    }

    #[test]
    fn no_logout_path_means_no_logout_request() {
        let base = Url::parse("https://api.example.com/").unwrap();
        let profile = JsonProfile {
            logout_path: None,
            ..JsonProfile::default()
        };
        assert!(
            profile
                .logout_request(&base, &RefreshToken::new("r"))
                .unwrap()
                .is_none()
        );
    }
}
