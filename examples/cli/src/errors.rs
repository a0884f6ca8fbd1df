//! The CLI's one error type: a one-line message and an exit code per class,
//! so scripts can tell "fix your flags" from "the server is down".

use std::fmt;

use tokenkeeper::AuthError;
use tokenkeeper::store::StoreError;

use crate::transport::Failure;

/// Exit codes, one per class of failure (printed by `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Anything not covered below.
    Other = 1,
    /// Bad flags, config file or configuration.
    Usage = 2,
    /// Credentials refused, not logged in, session expired.
    Auth = 3,
    /// The server could not be reached.
    Network = 4,
    /// The server answered, but not as expected.
    Server = 5,
    /// The session store (keyring or file) failed.
    Storage = 6,
}

pub const EXIT_CODES_HELP: &str = "\
Exit codes: 0 ok, 1 other error, 2 usage or configuration, 3 authentication \
(credentials refused, not logged in, session expired), 4 server unreachable, \
5 unexpected server answer, 6 session store.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub class: Class,
    message: String,
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        // One line, always: a multi-line cause (a TOML snippet, a nested error) is folded.
        let message = message
            .into()
            .split('\n')
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Self { class, message }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Class::Usage, message)
    }

    pub fn exit_code(&self) -> u8 {
        self.class as u8
    }

    /// Translates an SDK error. `failures` are what the transport saw, so a
    /// network error can name the unreachable origin and why, and an HTTP
    /// error the endpoint that answered it.
    pub fn from_auth(error: AuthError, failures: &[Failure]) -> Self {
        match error {
            AuthError::Network(transport) => {
                match failures.iter().rev().find(|f| f.status.is_none()) {
                    Some(failure) => Self::new(
                        Class::Network,
                        format!("cannot reach {} ({})", failure.origin, failure.cause),
                    ),
                    None => Self::new(Class::Network, format!("network error: {transport}")),
                }
            }
            AuthError::InvalidCredentials => {
                Self::new(Class::Auth, "the server refused the credentials")
            }
            AuthError::NotLoggedIn => Self::new(
                Class::Auth,
                "not logged in (run `tokenkeeper-cli login` first)",
            ),
            AuthError::SessionExpired(reason) => Self::new(
                Class::Auth,
                format!("session expired: {reason}; log in again"),
            ),
            AuthError::Server { status, .. } => {
                let at = failures
                    .iter()
                    .rev()
                    .find(|f| f.status == Some(status))
                    .map(|f| format!(" to {} {}", f.method, f.url))
                    .unwrap_or_default();
                Self::new(Class::Server, format!("{error}{at}"))
            }
            AuthError::InvalidResponse(_) | AuthError::Token(_) => {
                Self::new(Class::Server, error.to_string())
            }
            AuthError::Storage(store) => Self::from_store(store),
            AuthError::Record(_) => Self::new(Class::Storage, error.to_string()),
            AuthError::Config(_) => Self::new(Class::Usage, error.to_string()),
            // `AuthError` may grow; its Display is always safe to print.
            other => Self::new(Class::Other, other.to_string()),
        }
    }

    pub fn from_store(error: StoreError) -> Self {
        Self::new(Class::Storage, format!("session store: {error}"))
    }

    /// Adds a hint after the message (before exiting).
    pub fn with_hint(mut self, hint: &str) -> Self {
        self.message = format!("{} ({hint})", self.message);
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenkeeper::transport::TransportError;

    #[test]
    fn messages_are_one_line() {
        let error = CliError::usage("first\n  second\n\n");
        assert_eq!(error.to_string(), "first second");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn network_errors_name_the_origin_and_the_cause() {
        let failures = [Failure {
            method: "POST",
            url: "http://127.0.0.1:9/auth/login".into(),
            origin: "http://127.0.0.1:9".into(),
            status: None,
            cause: "connection refused".into(),
        }];
        let error = CliError::from_auth(
            AuthError::Network(TransportError::Connect("x".into())),
            &failures,
        );
        assert_eq!(
            error.to_string(),
            "cannot reach http://127.0.0.1:9 (connection refused)"
        );
        assert_eq!(error.class, Class::Network);
    }

    #[test]
    fn http_errors_name_the_endpoint() {
        let failures = [Failure {
            method: "POST",
            url: "http://127.0.0.1:9/nope".into(),
            origin: "http://127.0.0.1:9".into(),
            status: Some(404),
            cause: String::new(),
        }];
        let error = CliError::from_auth(
            AuthError::Server {
                status: 404,
                code: None,
            },
            &failures,
        );
        assert_eq!(
            error.to_string(),
            "server answered HTTP 404 to POST http://127.0.0.1:9/nope"
        );
    }
}
