//! Every failure is one line `error: …` on stderr, with its exit code:
//! 2 usage/config, 3 auth, 4 unreachable, 5 unexpected answer, 6 store.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;

use common::{Cli, PASSWORD, Server, USER};

#[test]
fn unknown_profile_lists_the_valid_ones() {
    Cli::new("http://127.0.0.1:1", &["--profile", "x"])
        .run(&["status"])
        .fails_with(
            2,
            r#"error: unknown profile "x" (expected json, simplejwt or oauth2)"#,
        );
}

#[test]
fn unreachable_server_names_the_origin_and_the_cause() {
    let port = common::closed_port();
    let cli = Cli::new(&format!("http://127.0.0.1:{port}"), &[]);
    cli.login().fails_with(
        4,
        &format!("error: cannot reach http://127.0.0.1:{port} (connection refused)"),
    );
}

#[test]
fn server_going_away_mid_session() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);
    cli.login().ok();
    server.pause();
    cli.run(&["call", "/api/me"]).fails_with(
        4,
        &format!(
            "error: cannot reach {} (connection refused)",
            server.base_url()
        ),
    );
    // Logout still ends the session here and queues the revocation.
    let logout = cli.run(&["logout"]);
    assert_eq!(
        logout.ok(),
        "logged out here; the server could not be reached, so the revocation is queued and retried by the next command\n"
    );
    server.resume();
    assert_eq!(server.server.counters().logout_calls, 0);
    cli.login().ok();
    assert_eq!(
        server.server.counters().logout_calls,
        1,
        "the queued revocation went out"
    );
    cli.assert_no_secrets(&server, &[]);
}

#[test]
fn wrong_credentials() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);
    let run = cli.run_with_stdin(
        &["login", "--username", USER, "--password-stdin"],
        Some("not the password\n"),
    );
    run.fails_with(3, "error: the server refused the credentials");
    assert!(!run.stderr.contains("not the password"));
    cli.run(&["token"]).fails_with(
        3,
        "error: not logged in (run `tokenkeeper-cli login` first)",
    );
}

#[test]
fn passwords_are_never_flag_values_and_need_a_terminal_or_stdin() {
    let cli = Cli::new("http://127.0.0.1:1", &[]);
    cli.run(&["login", "--username", USER, "--password", PASSWORD])
        .fails_with(
            2,
            "error: unexpected argument '--password' found (see --help)",
        );
    cli.run(&["login", "--username", USER]).fails_with(
        2,
        "error: standard input is not a terminal: pipe the password in with --password-stdin",
    );
    cli.run_with_stdin(&["login", "--password-stdin"], Some("x\n"))
        .fails_with(
            2,
            "error: no username: give --username (or username in the config file)",
        );
}

/// A one-shot HTTP server that answers every request with `body` (status 200).
fn canned_server(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn malformed_token_responses() {
    let cli = Cli::new(&canned_server("<html>not json</html>"), &[]);
    cli.login().fails_with(
        5,
        "error: the server's token response is unusable: invalid JSON at line 1 column 1",
    );
    // The value of a wrongly typed field is never echoed.
    let cli = Cli::new(
        &canned_server(
            r#"{"access_token":{"v":"secret-access-xyz"},"refresh_token":"secret-refresh-xyz"}"#,
        ),
        &[],
    );
    let run = cli.login();
    run.fails_with(
        5,
        r#"error: the server's token response is unusable: "access_token" is not a string"#,
    );
    assert!(!run.stderr.contains("secret-"));

    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &["--access-token-field", "token"]);
    cli.login().fails_with(
        5,
        r#"error: the server's token response is unusable: no "token" in the response"#,
    );
    let cli = Cli::new(&server.base_url(), &["--login-path", "/nope"]);
    cli.login().fails_with(
        5,
        &format!(
            "error: server answered HTTP 404 (not_found) to POST {}/nope",
            server.base_url()
        ),
    );
    cli.assert_no_secrets(&server, &[]);
}

#[test]
fn expired_session() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);
    cli.login().ok();
    server.server.set_refresh_ttl(std::time::Duration::ZERO);
    cli.run(&["refresh"]).fails_with(
        3,
        "error: session expired: the server refused the refresh token (HTTP 401, invalid_grant); log in again",
    );
    // The SDK removes an ended session from the store, so a new process sees none.
    let status = cli.run(&["status"]);
    assert!(
        status.ok().starts_with("state:    logged out"),
        "{status:#?}"
    );
    cli.assert_no_secrets(&server, &[]);
}

#[test]
fn bad_urls() {
    let cli = Cli::bare();
    cli.run(&["--base-url", "not a url", "status"]).fails_with(
        2,
        r#"error: invalid base URL "not a url": relative URL without a base"#,
    );
    cli.run(&["--base-url", "http://api.example.com", "status"]).fails_with(
        2,
        "error: invalid configuration: http://api.example.com uses plain http; only https (or http to a loopback address) may carry tokens",
    );
    cli.run(&["status"]).fails_with(
        2,
        "error: no base URL: give --base-url or set base_url in the config file",
    );
    let cli = Cli::new("http://127.0.0.1:1", &[]);
    cli.run(&["call", "http://[::1"]).fails_with(
        2,
        r#"error: invalid URL "http://[::1": invalid IPv6 address"#,
    );
}

#[test]
fn config_file_errors() {
    let cli = Cli::bare();
    let missing = cli.path("missing.toml");
    cli.run(&["--config", missing.to_str().unwrap(), "status"])
        .fails_with(
            2,
            &format!(
                "error: cannot read config file {}: not found",
                missing.display()
            ),
        );

    let config = cli.path("cli.toml");
    common::write(
        &config,
        "base_url = \"http://127.0.0.1:1\"\nleeway = \"soon\"\n",
    );
    let path = config.to_str().unwrap();
    cli.run(&["--config", path, "status"]).fails_with(
        2,
        &format!(
            "error: malformed config file {path} at line 2, column 10: invalid type: string \"soon\", expected u64"
        ),
    );
    common::write(
        &config,
        "base_url = \"http://127.0.0.1:1\"\n[paths]\nlogni = \"/x\"\n",
    );
    let run = cli.run(&["--config", path, "status"]);
    assert_eq!(run.code, 2);
    let prefix =
        format!("error: malformed config file {path} at line 3, column 1: unknown field `logni`");
    assert!(
        run.stderr_lines().len() == 1 && run.stderr.starts_with(&prefix),
        "{run:#?}"
    );

    common::write(
        &config,
        "base_url = \"http://127.0.0.1:1\"\nbase_url = \"x\"\n",
    );
    let run = cli.run(&["--config", path, "status"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr_lines().len() == 1 && run.stderr.contains(" at line 2, column 1: "),
        "{run:#?}"
    );

    common::write(
        &config,
        "base_url = \"http://127.0.0.1:1\"\n[servers.a]\nprofile = \"json\"\n",
    );
    cli.run(&["--config", path, "--server", "b", "status"])
        .fails_with(
            2,
            &format!("error: unknown server \"b\" in {path} (known: a)"),
        );
    cli.run(&["--config", path, "--store", "vault", "status"])
        .fails_with(
            2,
            r#"error: unknown store "vault" (expected keyring or file:PATH)"#,
        );
    let missing_keys = cli.path("keys.json");
    cli.run(&[
        "--base-url",
        "http://127.0.0.1:1",
        "--jwks-file",
        missing_keys.to_str().unwrap(),
        "status",
    ])
    .fails_with(
        2,
        &format!(
            "error: cannot read JWKS file {}: not found",
            missing_keys.display()
        ),
    );
    common::write(&missing_keys, "{\"keys\": 42}");
    let run = cli.run(&[
        "--base-url",
        "http://127.0.0.1:1",
        "--jwks-file",
        missing_keys.to_str().unwrap(),
        "status",
    ]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr_lines().len() == 1
            && run
                .stderr
                .starts_with("error: invalid configuration: signing keys: "),
        "{run:#?}"
    );
    // The default location is read when present.
    let default = cli.path("config/tokenkeeper/cli.toml");
    std::fs::create_dir_all(default.parent().unwrap()).unwrap();
    common::write(&default, "profile = \"nope\"\n");
    cli.run(&["--base-url", "http://127.0.0.1:1", "status"])
        .fails_with(
            2,
            r#"error: unknown profile "nope" (expected json, simplejwt or oauth2)"#,
        );
}

#[test]
fn usage_errors_are_one_line() {
    let cli = Cli::bare();
    cli.run(&["--bogus", "status"])
        .fails_with(2, "error: unexpected argument '--bogus' found (see --help)");
    cli.run(&[]).fails_with(
        2,
        "error: no command given (expected login, token, call, refresh, logout or status; see --help)",
    );
    let help = cli.run(&["--help"]);
    assert!(help.ok().contains("Exit codes: 0 ok"), "{help:#?}");
}

#[test]
fn keyring_without_a_secret_service_says_so() {
    let cli = Cli::bare();
    let mut command = cli.command();
    command
        .args(["--base-url", "http://127.0.0.1:1", "status"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", cli.path("no-bus"));
    let run = common::execute(command, None);
    assert_eq!(run.code, 6, "{run:#?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with("error: session store: secure storage is unavailable right now: "),
        "{run:#?}"
    );
    assert!(
        lines[0].ends_with("(without a desktop keyring, --store file:PATH keeps the session in a file, unencrypted)"),
        "{run:#?}"
    );
}
