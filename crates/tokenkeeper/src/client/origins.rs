use std::net::IpAddr;

use url::{Origin, Url};

use crate::error::AuthError;

/// The origins (scheme, host, port) that may receive the bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedOrigins {
    origins: Vec<Origin>,
}

impl AllowedOrigins {
    /// Every URL must be https, or http on a loopback address (local development and tests).
    pub(crate) fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Result<Self, AuthError> {
        let mut origins = Vec::new();
        for url in urls {
            require_secure(url)?;
            origins.push(url.origin());
        }
        Ok(Self { origins })
    }

    pub(crate) fn allows(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|url| self.origins.contains(&url.origin()))
    }
}

pub(crate) fn require_secure(url: &Url) -> Result<(), AuthError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(AuthError::Config(format!(
            "{} uses plain http; only https (or http to a loopback address) may carry tokens",
            url.origin().ascii_serialization()
        ))),
        other => Err(AuthError::Config(format!(
            "unsupported URL scheme {other:?}"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(urls: &[&str]) -> Result<AllowedOrigins, AuthError> {
        let parsed: Vec<Url> = urls.iter().map(|u| Url::parse(u).unwrap()).collect();
        AllowedOrigins::new(&parsed)
    }

    #[test]
    fn only_exact_origins_are_allowed() {
        let allowed = origins(&["https://api.example.com", "http://127.0.0.1:8080"]).unwrap();
        assert!(allowed.allows("https://api.example.com/v1/me?x=1"));
        assert!(allowed.allows("https://api.example.com:443/"));
        assert!(allowed.allows("http://127.0.0.1:8080/api"));
        for other in [
            "http://api.example.com/",
            "https://api.example.com:8443/",
            "https://evil.example.com/",
            "https://api.example.com.evil.com/",
            "https://evil.com/?https://api.example.com",
            "http://127.0.0.1:8081/",
            "not a url",
        ] {
            assert!(!allowed.allows(other), "{other}");
        }
    }

    #[test]
    fn plain_http_is_refused_except_loopback() {
        assert!(
            origins(&[
                "http://localhost:3000",
                "http://[::1]:80",
                "http://127.8.9.10"
            ])
            .is_ok()
        );
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "ftp://example.com",
        ] {
            assert!(
                matches!(origins(&[bad]), Err(AuthError::Config(_))),
                "{bad}"
            );
        }
    }
}
