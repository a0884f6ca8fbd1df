use serde_json::{Map, Value};

use super::json_profile::ResponseFields;
use crate::clock::UnixMillis;
use crate::error::AuthError;
use crate::json_error;
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::transport::HttpResponse;

/// A successful answer from a login or refresh endpoint.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    /// `None`: the server did not rotate; the previous refresh token stays.
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    /// Seconds until the access token expires, when the server says.
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    pub fn parse(body: &[u8], fields: &ResponseFields) -> Result<Self, AuthError> {
        let mut object: Map<String, Value> = serde_json::from_slice(body)
            .map_err(|error| AuthError::InvalidResponse(json_error::describe(&error)))?;
        let access = take_token_string(&mut object, &fields.access_token)?.ok_or_else(|| {
            AuthError::InvalidResponse(format!("no {:?} in the response", fields.access_token))
        })?;
        Ok(Self {
            access_token: AccessToken::new(access),
            refresh_token: take_token_string(&mut object, &fields.refresh_token)?
                .map(RefreshToken::new),
            id_token: take_token_string(&mut object, &fields.id_token)?.map(IdToken::new),
            expires_in: take_seconds(&mut object, &fields.expires_in)?,
        })
    }
}

/// A missing, null or empty field is absent; any other non-string is an error
/// (which names the field, never its value).
fn take_token_string(
    object: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<String>, AuthError> {
    match object.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(AuthError::InvalidResponse(format!(
            "{field:?} is not a string"
        ))),
    }
}

/// `expires_in` as a number, or a numeric string as some servers send it.
fn take_seconds(object: &mut Map<String, Value>, field: &str) -> Result<Option<u64>, AuthError> {
    let invalid =
        || AuthError::InvalidResponse(format!("{field:?} is not a non-negative number of seconds"));
    match object.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match (number.as_u64(), number.as_f64()) {
            (Some(whole), _) => Ok(Some(whole)),
            (None, Some(seconds)) if seconds.is_finite() && (0.0..1e12).contains(&seconds) => {
                Ok(Some(seconds as u64))
            }
            _ => Err(invalid()),
        },
        Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

/// What a non-2xx answer from an auth endpoint means for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerVerdict {
    /// Server trouble or rate limiting (5xx, 429, 408): try again later, keep the session.
    Transient { retry_after_secs: Option<u64> },
    /// The token or credentials are definitively refused (400/401/403, e.g. `invalid_grant`).
    Rejected { code: Option<String> },
    /// Anything else, or an OAuth error that means our request is wrong
    /// (`invalid_client`, `unsupported_grant_type`, …): a configuration problem.
    Unexpected { code: Option<String> },
}

/// OAuth 2.0 error codes (RFC 6749 §5.2) that say the request, not the token, is wrong.
const CONFIGURATION_ERRORS: [&str; 5] = [
    "invalid_request",
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

pub fn classify_failure(response: &HttpResponse, now: UnixMillis) -> ServerVerdict {
    let code = error_code(&response.body);
    match response.status {
        408 | 429 | 500..=599 => ServerVerdict::Transient {
            retry_after_secs: response.retry_after_secs(now),
        },
        400 | 401 | 403
            if code
                .as_deref()
                .is_some_and(|c| CONFIGURATION_ERRORS.contains(&c)) =>
        {
            ServerVerdict::Unexpected { code }
        }
        400 | 401 | 403 => ServerVerdict::Rejected { code },
        _ => ServerVerdict::Unexpected { code },
    }
}

/// The machine-readable error code of an error body: OAuth's `error`, or
/// simplejwt/DRF's `code`. Only short printable codes are kept, so a reflected
/// token can never end up in an error message.
fn error_code(body: &[u8]) -> Option<String> {
    let object: Map<String, Value> = serde_json::from_slice(body).ok()?;
    let code = ["error", "code"]
        .iter()
        .find_map(|key| object.get(*key).and_then(Value::as_str))?;
    let printable = code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    printable.then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<TokenResponse, AuthError> {
        TokenResponse::parse(body.as_bytes(), &ResponseFields::default())
    }

    #[test]
    fn parses_a_full_response() {
        let response = parse(r#"{"access_token":"a","refresh_token":"r","id_token":"i","expires_in":300,"token_type":"Bearer"}"#).unwrap();
        assert_eq!(response.access_token.expose(), "a");
        assert_eq!(response.refresh_token.unwrap().expose(), "r");
        assert_eq!(response.id_token.unwrap().expose(), "i");
        assert_eq!(response.expires_in, Some(300));
    }

    #[test]
    fn refresh_token_and_expiry_are_optional() {
        let response =
            parse(r#"{"access_token":"a","refresh_token":null,"expires_in":"60"}"#).unwrap();
        assert!(response.refresh_token.is_none());
        assert_eq!(response.expires_in, Some(60));
        assert_eq!(
            parse(r#"{"access_token":"a","expires_in":59.9}"#)
                .unwrap()
                .expires_in,
            Some(59)
        );
    }

    #[test]
    fn bad_bodies_are_typed_errors_without_secrets() {
        let cases = [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"access_token":""}"#,
            r#"{"access_token":42}"#,
            r#"{"access_token":"a","refresh_token":{"x":"secret-r"}}"#,
            r#"{"access_token":"secret-a","expires_in":-5}"#,
            r#"{"access_token":"secret-a","expires_in":"soon"}"#,
            r#"{"access_token":"secret-a","expires_in":1e300}"#,
        ];
        for body in cases {
            match parse(body) {
                Err(AuthError::InvalidResponse(message)) => {
                    assert!(!message.contains("secret"), "{message}");
                }
                other => panic!("{body}: expected InvalidResponse, got {other:?}"),
            }
        }
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse::new(
            status,
            vec![("Retry-After".into(), "7".into())],
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn failures_are_classified() {
        assert_eq!(
            classify_failure(&response(503, ""), 0),
            ServerVerdict::Transient {
                retry_after_secs: Some(7)
            }
        );
        assert!(matches!(
            classify_failure(&response(429, ""), 0),
            ServerVerdict::Transient { .. }
        ));
        assert_eq!(
            classify_failure(&response(400, r#"{"error":"invalid_grant"}"#), 0),
            ServerVerdict::Rejected {
                code: Some("invalid_grant".into())
            }
        );
        assert_eq!(
            classify_failure(
                &response(401, r#"{"detail":"x","code":"token_not_valid"}"#),
                0
            ),
            ServerVerdict::Rejected {
                code: Some("token_not_valid".into())
            }
        );
        assert_eq!(
            classify_failure(&response(401, r#"{"error":"invalid_client"}"#), 0),
            ServerVerdict::Unexpected {
                code: Some("invalid_client".into())
            }
        );
        assert_eq!(
            classify_failure(&response(404, "<html>"), 0),
            ServerVerdict::Unexpected { code: None }
        );
    }

    #[test]
    fn reflected_secrets_are_not_kept_as_codes() {
        let body = r#"{"error":"bad token eyJhbGciOi.secret.sig"}"#;
        assert_eq!(
            classify_failure(&response(400, body), 0),
            ServerVerdict::Rejected { code: None }
        );
    }
}
