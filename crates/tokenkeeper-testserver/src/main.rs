//! `tokenkeeper-testserver`: runs the reference auth server until SIGINT/SIGTERM.
//!
//! Prints exactly one line to stdout when ready: `listening on http://127.0.0.1:PORT`.
//! Logs go to stderr (`RUST_LOG`, default `warn`); token values are never logged.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use tokenkeeper_testserver::{SigningAlg, TestServer, TestServerConfig};

const USAGE: &str = "\
usage: tokenkeeper-testserver [options]
  --port N               port on 127.0.0.1 (default 0: a free port)
  --access-ttl-ms N      access token lifetime (default 300000)
  --refresh-ttl-ms N     refresh token lifetime (default 30 days)
  --alg rs256|es256      signing algorithm (default rs256)
  --issuer URL           iss of every token (default https://auth.tokenkeeper.test)
  --audience AUD         aud of access tokens (default tokenkeeper-demo)
  --client-id ID         OAuth client id (default tokenkeeper-demo)
  --exit-on-stdin-close  also stop when standard input reaches end of file
  -h, --help             this text";

/// Options that take a value.
const VALUE_FLAGS: [&str; 7] = [
    "--port",
    "--access-ttl-ms",
    "--refresh-ttl-ms",
    "--alg",
    "--issuer",
    "--audience",
    "--client-id",
];

struct Options {
    port: u16,
    config: TestServerConfig,
    exit_on_stdin_close: bool,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        config: TestServerConfig::default(),
        exit_on_stdin_close: false,
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "--exit-on-stdin-close" {
            options.exit_on_stdin_close = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        if !VALUE_FLAGS.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}"));
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--port" => {
                options.port = value
                    .parse()
                    .map_err(|_| format!("--port: bad port {value}"))?
            }
            "--access-ttl-ms" => options.config.access_ttl = Duration::from_millis(number()?),
            "--refresh-ttl-ms" => options.config.refresh_ttl = Duration::from_millis(number()?),
            "--alg" => options.config.signing_alg = value.parse::<SigningAlg>()?,
            "--issuer" => options.config.issuer = value,
            "--audience" => options.config.audience = value,
            "--client-id" => options.config.client_id = value,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("tokenkeeper-testserver: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tokenkeeper_testserver::init_stderr_logging();

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let server = match TestServer::start_on(options.config, addr).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("tokenkeeper-testserver: cannot start on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", server.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // Nobody reads our stdout; keep serving anyway.
        eprintln!("tokenkeeper-testserver: could not write to stdout");
    }
    drop(stdout);

    wait_for_stop(options.exit_on_stdin_close).await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Returns on Ctrl-C/SIGINT, SIGTERM, or (if asked) end of standard input.
async fn wait_for_stop(exit_on_stdin_close: bool) {
    let stdin_closed = async {
        if exit_on_stdin_close {
            let mut buf = [0u8; 256];
            let mut stdin = tokio::io::stdin();
            loop {
                match tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate() => {}
        () = stdin_closed => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_options() {
        let options = parse_args(args(&[
            "--port",
            "8080",
            "--access-ttl-ms",
            "1500",
            "--alg",
            "ES256",
        ]))
        .expect("valid");
        assert_eq!(options.port, 8080);
        assert_eq!(options.config.access_ttl, Duration::from_millis(1500));
        assert_eq!(options.config.signing_alg, SigningAlg::Es256);
        assert!(parse_args(args(&["--port"])).is_err());
        assert!(parse_args(args(&["--alg", "hs256"])).is_err());
        assert!(parse_args(args(&["--bogus", "1"])).is_err());
    }
}
