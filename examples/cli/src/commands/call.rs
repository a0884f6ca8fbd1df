//! `call <url>`: one request with the session's token. Refreshing and
//! retrying once on 401 is the SDK's job, not ours.

use std::io::{self, Read as _, Write as _};

use tokenkeeper::transport::{HttpRequest, Method};
use url::Url;

use super::Session;
use crate::args::CallArgs;
use crate::errors::{Class, CliError, CliResult};

pub async fn run(args: &CallArgs, session: &Session) -> CliResult<()> {
    session.state()?;
    let url = target(&args.url, &session.resolved.base_url)?;
    let body = match &args.data {
        Some(data) => Some(read_body(data)?),
        None => None,
    };
    let method = match &args.method {
        Some(name) => parse_method(name)?,
        None if body.is_some() => Method::Post,
        None => Method::Get,
    };
    let mut request = HttpRequest::new(method, url.as_str());
    if let Some(body) = body {
        request = request.with_body("application/json", body);
    }
    for header in &args.headers {
        let (name, value) = parse_header(header)?;
        request.set_header(name, value);
    }
    if !session.client.sends_token_to(url.as_str()) {
        eprintln!(
            "note: {} is not the server's origin; sending without the access token (add --allow-origin to send it)",
            url.origin().ascii_serialization()
        );
    }
    let response = session
        .client
        .send(request)
        .await
        .map_err(|error| session.fail(error))?;
    let success = (200..300).contains(&response.status);
    if args.fail && !success {
        // Like `curl --fail`: the error line instead of the answer.
        return Err(CliError::new(
            Class::Server,
            format!(
                "{} {url} answered HTTP {}",
                method.as_str(),
                response.status
            ),
        ));
    }
    eprintln!("HTTP {}", response.status);
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(&response.body).and_then(|()| {
        if response.body.last().is_some_and(|&b| b != b'\n') {
            stdout.write_all(b"\n")?;
        }
        stdout.flush()
    });
    // A closed pipe (`| head`) is not an error worth reporting.
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => Err(CliError::new(
            Class::Other,
            format!("cannot write the body: {error}"),
        )),
        _ => Ok(()),
    }
}

/// An absolute URL, or a path on the base URL (`/api/me`).
fn target(text: &str, base: &Url) -> CliResult<Url> {
    let parsed = match Url::parse(text) {
        Ok(url) => Ok(url),
        Err(url::ParseError::RelativeUrlWithoutBase) => base.join(text),
        Err(error) => Err(error),
    };
    match parsed {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        Ok(url) => Err(CliError::usage(format!(
            "invalid URL {text:?}: unsupported scheme {:?}",
            url.scheme()
        ))),
        Err(error) => Err(CliError::usage(format!("invalid URL {text:?}: {error}"))),
    }
}

fn parse_method(name: &str) -> CliResult<Method> {
    Ok(match name.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "HEAD" => Method::Head,
        _ => {
            return Err(CliError::usage(format!(
                "unsupported method {name:?} (expected GET, POST, PUT, PATCH, DELETE or HEAD)"
            )));
        }
    })
}

fn parse_header(text: &str) -> CliResult<(&str, &str)> {
    match text.split_once(':') {
        Some((name, value))
            if !name.trim().is_empty() && !name.trim().contains(char::is_whitespace) =>
        {
            Ok((name.trim(), value.trim()))
        }
        // Not echoed: a malformed header may well be an Authorization value.
        _ => Err(CliError::usage("invalid header (expected 'Name: value')")),
    }
}

/// `BODY`, `@FILE` or `@-` (stdin).
fn read_body(data: &str) -> CliResult<Vec<u8>> {
    match data.strip_prefix('@') {
        Some("-") => {
            let mut body = Vec::new();
            io::stdin().read_to_end(&mut body).map_err(|error| {
                CliError::usage(format!("cannot read the body from stdin: {error}"))
            })?;
            Ok(body)
        }
        Some(path) => std::fs::read(path)
            .map_err(|error| CliError::usage(format!("cannot read body file {path}: {error}"))),
        None => Ok(data.as_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_the_base_url() {
        let base = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            target("/api/me", &base).unwrap().as_str(),
            "http://127.0.0.1:8080/api/me"
        );
        assert_eq!(
            target("https://other.example/x", &base).unwrap().as_str(),
            "https://other.example/x"
        );
        assert!(target("ftp://x/y", &base).is_err());
        assert!(target("http://[::1", &base).is_err());
    }

    #[test]
    fn headers_and_methods_parse() {
        assert_eq!(parse_header("X-A: b: c").unwrap(), ("X-A", "b: c"));
        assert!(parse_header("Authorization Bearer secret").is_err());
        assert!(
            !parse_header("bad name: v")
                .unwrap_err()
                .to_string()
                .contains("bad name")
        );
        assert_eq!(parse_method("patch").unwrap(), Method::Patch);
        assert!(parse_method("BREW").is_err());
    }
}
