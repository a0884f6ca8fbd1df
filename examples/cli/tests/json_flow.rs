//! The commands end to end against the reference server's JSON endpoints,
//! with the session in a file store in a temp dir.

mod common;

use common::{Cli, PASSWORD, Server, USER};

#[test]
fn login_status_token_call_refresh_logout() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);

    let status = cli.run(&["status"]);
    assert!(status.ok().contains("state:    logged out"), "{status:#?}");

    let login = cli.login();
    let out = login.ok();
    assert!(
        out.starts_with(&format!(
            "logged in as {USER} (sub user-1) at {}",
            server.base_url()
        )),
        "{out}"
    );
    assert!(out.contains("\naccess token expires in "), "{out}");
    assert!(
        login
            .stderr
            .starts_with("warning: tokens are stored unencrypted in "),
        "the file store warns: {login:#?}"
    );

    let status = cli.run(&["status"]);
    let out = status.ok();
    for expected in [
        "state:    logged in\n",
        "subject:  user-1\n",
        "issuer:   https://auth.tokenkeeper.test\n",
        "token:    expires in ",
        &format!("server:   {}/ (json profile)\n", server.base_url()),
        &format!("account:  127.0.0.1-{}\n", server.server.addr().port()),
        "store:    file ",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }

    let token = cli.run(&["token"]);
    let claims: serde_json::Value = serde_json::from_str(token.ok()).expect("claims are JSON");
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["aud"], "tokenkeeper-demo");
    assert!(claims["exp"].is_i64());
    assert!(
        token.stderr.contains("access token expires in "),
        "{token:#?}"
    );

    let raw = cli.run(&["token", "--raw"]);
    let raw_token = raw.ok().trim().to_owned();
    assert!(
        server.server.issued_tokens().contains(&raw_token),
        "--raw prints the access token"
    );
    assert_eq!(raw_token.matches('.').count(), 2);

    let call = cli.run(&["call", "/api/me"]);
    let body: serde_json::Value = serde_json::from_str(call.ok()).expect("JSON body");
    assert_eq!(body["sub"], "user-1");
    assert_eq!(body["email"], USER);
    assert!(call.stderr_lines().contains(&"HTTP 200"), "{call:#?}");

    let refresh = cli.run(&["refresh"]);
    assert!(
        refresh
            .ok()
            .starts_with("refreshed; access token expires in"),
        "{refresh:#?}"
    );
    let after = cli.run(&["token", "--raw"]);
    assert_ne!(
        after.ok().trim(),
        raw_token,
        "refresh replaced the access token"
    );

    let logout = cli.run(&["logout"]);
    assert_eq!(logout.ok(), "logged out; the server revoked the session\n");
    assert_eq!(
        server.server.counters().logout_calls,
        1,
        "the server saw the logout"
    );

    let status = cli.run(&["status"]);
    assert!(
        status.ok().starts_with("state:    logged out\n"),
        "{status:#?}"
    );
    cli.run(&["call", "/api/me"]).fails_with(
        3,
        "error: not logged in (run `tokenkeeper-cli login` first)",
    );
    assert_eq!(cli.run(&["logout"]).ok(), "not logged in; nothing to do\n");

    cli.assert_no_secrets(&server, &["token --raw"]);
}

#[test]
fn call_refreshes_on_401_and_passes_method_headers_and_body() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);
    cli.login().ok();
    let refreshes = server.server.counters().refreshes;
    server.server.expire_access_tokens();
    let call = cli.run(&["call", "/api/me"]);
    assert!(call.ok().contains("\"sub\":\"user-1\""), "{call:#?}");
    assert_eq!(
        server.server.counters().refreshes,
        refreshes + 1,
        "one refresh on 401"
    );

    // Another origin never gets the token; the CLI says so.
    let other = format!("http://localhost:{}/api/echo", server.server.addr().port());
    let call = cli.run(&["call", &other]);
    assert_eq!(call.ok().trim(), r#"{"authorized":false}"#);
    assert!(
        call.stderr
            .contains("is not the server's origin; sending without the access token")
    );
    let call = cli.run(&["--allow-origin", &other, "call", &other]);
    assert_eq!(call.ok().trim(), r#"{"authorized":true}"#);

    // The server answers 405 to a POST on /api/me: printed, exit 0; with --fail, an error.
    let post = cli.run(&["call", "/api/me", "-d", "{}", "-H", "X-Test: 1"]);
    assert_eq!(post.code, 0, "{post:#?}");
    assert!(post.stderr_lines().contains(&"HTTP 405"), "{post:#?}");
    cli.run(&["call", "-X", "delete", "/api/me", "--fail"])
        .fails_with(
            5,
            &format!(
                "error: DELETE {}/api/me answered HTTP 405",
                server.base_url()
            ),
        );
    cli.assert_no_secrets(&server, &[]);
}

#[test]
fn status_shows_an_expired_access_token_and_token_refreshes_it() {
    let server = Server::start();
    server
        .server
        .set_access_ttl(std::time::Duration::from_secs(1));
    // No leeway, so the 1 s token is expired after a short wait.
    let cli = Cli::new(&server.base_url(), &["--leeway", "0"]);
    cli.login().ok();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let status = cli.run(&["status"]);
    assert!(
        status
            .ok()
            .contains("logged in (access token expired; the next command refreshes it)"),
        "{status:#?}"
    );
    assert!(status.stdout.contains("token:    expired "), "{status:#?}");
    server
        .server
        .set_access_ttl(std::time::Duration::from_secs(300));
    let token = cli.run(&["token"]);
    assert!(
        token.stderr.contains("access token expires in "),
        "{token:#?}"
    );
    cli.assert_no_secrets(&server, &[]);
}

/// Paths and field names from a config file section over the simplejwt
/// preset, pointed at the reference server's shape: every override applies.
#[test]
fn config_file_sections_and_field_overrides() {
    let server = Server::start();
    let cli = Cli::bare();
    let config = cli.path("cli.toml");
    common::write(
        &config,
        &format!(
            r#"
base_url = "https://unused.example"
store = "file:state/session.json"
default_server = "local"
username = "{USER}"

[servers.local]
base_url = "{base}"
profile = "simplejwt"

[servers.local.paths]
login = "/auth/login"
refresh = "/auth/refresh"
logout = "/auth/logout"

[servers.local.request_fields]
username = "email"
refresh = "refresh_token"

[servers.local.response_fields]
access = "access_token"
refresh = "refresh_token"
"#,
            base = server.base_url()
        ),
    );
    let config = config.to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        cli.run_with_stdin(&all, Some(&format!("{PASSWORD}\n")))
    };
    let login = run(&["login", "--password-stdin"]);
    assert!(
        login.ok().starts_with(&format!("logged in as {USER}")),
        "{login:#?}"
    );
    assert!(
        cli.path("state/session.json").is_file(),
        "store path is relative to the config file"
    );
    let status = run(&["status"]);
    assert!(status.ok().contains("(simplejwt profile)"), "{status:#?}");
    assert!(run(&["refresh"]).ok().starts_with("refreshed"));
    // A flag wins over the file: another namespace has no session.
    let other = run(&["--namespace", "other", "status"]);
    assert!(other.ok().starts_with("state:    logged out"), "{other:#?}");
    assert_eq!(
        run(&["logout"]).ok(),
        "logged out; the server revoked the session\n"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(cli.path("state/session.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the session file is private");
    }
    cli.assert_no_secrets(&server, &[]);
}

#[test]
fn signatures_are_checked_with_a_jwks_file_and_an_issuer() {
    let server = Server::start();
    let jwks = tempfile::NamedTempFile::new().unwrap();
    common::write(jwks.path(), &server.server.jwks_json());
    let jwks_path = jwks.path().to_string_lossy().into_owned();
    let good = Cli::new(
        &server.base_url(),
        &[
            "--jwks-file",
            &jwks_path,
            "--issuer",
            "https://auth.tokenkeeper.test",
            "--audience",
            "tokenkeeper-demo",
        ],
    );
    good.login().ok();
    // Discovery on the JSON profile: the JWKS URL and issuer from the server's metadata.
    let discovered = Cli::new(&server.base_url(), &["--discover"]);
    discovered.login().ok();
    assert!(discovered.run(&["call", "/api/me"]).ok().contains("user-1"));

    let wrong_issuer = Cli::new(&server.base_url(), &["--issuer", "https://other.example"]);
    let login = wrong_issuer.login();
    assert_eq!(login.code, 5, "{login:#?}");
    assert!(
        login.stderr_lines()[0].starts_with("error: token refused: "),
        "{login:#?}"
    );
    good.assert_no_secrets(&server, &[]);
    discovered.assert_no_secrets(&server, &[]);
    wrong_issuer.assert_no_secrets(&server, &[]);
}
