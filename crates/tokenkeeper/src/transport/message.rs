use std::fmt;

use zeroize::Zeroizing;

use crate::clock::UnixMillis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// An HTTP request. Header values and the body may hold secrets (bearer
/// tokens, refresh tokens, passwords), so both are wiped on drop and never
/// printed by `Debug`.
#[derive(Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, Zeroizing<String>)>,
    pub body: Zeroizing<Vec<u8>>,
}

impl HttpRequest {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Zeroizing::new(Vec::new()),
        }
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_header(name, value);
        self
    }

    pub fn with_body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.set_header("Content-Type", content_type);
        self.body = Zeroizing::new(body);
        self
    }

    /// Replaces every header of that name (case-insensitive).
    pub fn set_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove_header(&name);
        self.headers.push((name, Zeroizing::new(value.into())));
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            name,
        )
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response. Bodies of token endpoints hold secrets: wiped on drop,
/// never printed.
#[derive(Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Zeroizing<Vec<u8>>,
}

impl HttpResponse {
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Self {
            status,
            headers,
            body: Zeroizing::new(body),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(
            self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            name,
        )
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's clock from the `Date` header, if present and valid.
    pub fn server_date_millis(&self) -> Option<UnixMillis> {
        let date = httpdate::parse_http_date(self.header("date")?).ok()?;
        Some(crate::clock::system_time_to_millis(date))
    }

    /// `Retry-After` as seconds (the delta form; an HTTP date is converted by the caller's clock).
    pub fn retry_after_secs(&self, now: UnixMillis) -> Option<u64> {
        let value = self.header("retry-after")?.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(seconds);
        }
        let at = crate::clock::system_time_to_millis(httpdate::parse_http_date(value).ok()?);
        Some(u64::try_from(at.saturating_sub(now)).unwrap_or(0) / 1000)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

fn find_header<'a>(
    mut headers: impl Iterator<Item = (&'a str, &'a str)>,
    name: &str,
) -> Option<&'a str> {
    headers
        .find(|(existing, _)| existing.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_header_values_or_bodies() {
        let request = HttpRequest::post("https://api.example/x")
            .with_header("Authorization", "Bearer top-secret")
            .with_body(
                "application/json",
                b"{\"refresh_token\":\"r-secret\"}".to_vec(),
            );
        let printed = format!("{request:?}");
        assert!(
            !printed.contains("top-secret") && !printed.contains("r-secret"),
            "{printed}"
        );
        assert!(printed.contains("Authorization"));
        let response = HttpResponse::new(200, vec![], b"{\"access_token\":\"a-secret\"}".to_vec());
        assert!(!format!("{response:?}").contains("a-secret"));
    }

    #[test]
    fn headers_are_case_insensitive_and_replaced() {
        let mut request = HttpRequest::get("https://x").with_header("authorization", "a");
        request.set_header("Authorization", "b");
        assert_eq!(request.headers.len(), 1);
        assert_eq!(request.header("AUTHORIZATION"), Some("b"));
    }

    #[test]
    fn date_and_retry_after_are_parsed() {
        let response = HttpResponse::new(
            429,
            vec![
                ("Date".into(), "Sun, 06 Nov 1994 08:49:37 GMT".into()),
                ("Retry-After".into(), "120".into()),
            ],
            vec![],
        );
        assert_eq!(response.server_date_millis(), Some(784_111_777_000));
        assert_eq!(response.retry_after_secs(0), Some(120));
        let dated = HttpResponse::new(
            503,
            vec![("retry-after".into(), "Sun, 06 Nov 1994 08:49:47 GMT".into())],
            vec![],
        );
        assert_eq!(dated.retry_after_secs(784_111_777_000), Some(10));
        let junk = HttpResponse::new(503, vec![("retry-after".into(), "soon".into())], vec![]);
        assert_eq!(junk.retry_after_secs(0), None);
    }
}
