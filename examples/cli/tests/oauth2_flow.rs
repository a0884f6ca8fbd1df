//! The commands against the reference server's OAuth 2.0 endpoints: password
//! grant, refresh_token grant, RFC 7009 revocation; endpoints discovered or given.

mod common;

use common::{Cli, Server, USER};

fn full_flow(server: &Server, cli: &Cli, profile_line: &str) {
    let login = cli.login();
    assert!(
        login
            .ok()
            .starts_with(&format!("logged in as {USER} (sub user-1)")),
        "{login:#?}"
    );
    let status = cli.run(&["status"]);
    assert!(status.ok().contains(profile_line), "{status:#?}");
    assert!(
        status.stdout.contains("state:    logged in\n"),
        "{status:#?}"
    );

    let token = cli.run(&["token"]);
    let claims: serde_json::Value = serde_json::from_str(token.ok()).expect("claims are JSON");
    assert_eq!(claims["iss"], "https://auth.tokenkeeper.test");

    let call = cli.run(&["call", "/api/me"]);
    assert!(call.ok().contains("\"sub\":\"user-1\""), "{call:#?}");
    let refresh = cli.run(&["refresh"]);
    assert!(
        refresh
            .ok()
            .starts_with("refreshed; access token expires in"),
        "{refresh:#?}"
    );
    assert_eq!(server.server.counters().refreshes, 1);

    let logout = cli.run(&["logout"]);
    assert_eq!(logout.ok(), "logged out; the server revoked the session\n");
    assert_eq!(server.server.counters().logout_calls, 1);
    let status = cli.run(&["status"]);
    assert!(
        status.ok().starts_with("state:    logged out\n"),
        "{status:#?}"
    );
    cli.assert_no_secrets(server, &[]);
}

#[test]
fn discovered_endpoints_issuer_and_jwks() {
    let server = Server::start();
    let cli = Cli::new(
        &server.base_url(),
        &[
            "--profile",
            "oauth2",
            "--client-id",
            "tokenkeeper-demo",
            "--discover",
        ],
    );
    full_flow(&server, &cli, "(oauth2 profile)");
}

#[test]
fn given_endpoints_from_a_config_file() {
    let server = Server::start();
    let cli = Cli::new(&server.base_url(), &[]);
    let config = cli.path("cli.toml");
    common::write(
        &config,
        r#"
profile = "oauth2"
client_id = "tokenkeeper-demo"
token_endpoint = "/oauth/token"
revocation_endpoint = "/oauth/revoke"
scope = "openid api"
"#,
    );
    let cli = Cli {
        args: [
            cli.args.clone(),
            vec!["--config".into(), config.to_string_lossy().into_owned()],
        ]
        .concat(),
        ..cli
    };
    full_flow(&server, &cli, "(oauth2 profile)");
}

#[test]
fn oauth2_configuration_errors() {
    let server = Server::start();
    let base = server.base_url();
    Cli::new(&base, &["--profile", "oauth2"])
        .login()
        .fails_with(
            2,
            "error: the oauth2 profile needs a client id (--client-id or client_id)",
        );
    Cli::new(&base, &["--profile", "oauth2", "--client-id", "x"])
        .login()
        .fails_with(
            2,
            "error: the oauth2 profile needs a token endpoint (--token-endpoint, or --discover)",
        );
    Cli::new(
        &base,
        &[
            "--profile",
            "oauth2",
            "--client-id",
            "x",
            "--discover",
            "--client-auth",
            "jwt",
        ],
    )
    .login()
    .fails_with(
        2,
        r#"error: unknown client auth method "jwt" (expected none, basic or post)"#,
    );
    Cli::new(
        &base,
        &[
            "--profile",
            "oauth2",
            "--client-id",
            "x",
            "--discover",
            "--client-auth",
            "basic",
            "--client-secret-env",
            "TK_CLI_TEST_UNSET",
        ],
    )
    .login()
    .fails_with(
        2,
        "error: the client secret variable TK_CLI_TEST_UNSET is not set (or not UTF-8)",
    );
    // An unknown client: the server says invalid_client, a configuration problem.
    let cli = Cli::new(
        &base,
        &[
            "--profile",
            "oauth2",
            "--client-id",
            "someone-else",
            "--discover",
        ],
    );
    let run = cli.login();
    assert_eq!(run.code, 5, "{run:#?}");
    assert_eq!(run.stderr_lines().len(), 1, "{run:#?}");
    assert!(
        run.stderr_lines()[0]
            .starts_with("error: server answered HTTP 401 (invalid_client) to POST "),
        "{run:#?}"
    );
    // Discovery against a server without it.
    let port = common::closed_port();
    Cli::new(
        &format!("http://127.0.0.1:{port}"),
        &["--profile", "oauth2", "--client-id", "x", "--discover"],
    )
    .login()
    .fails_with(
        4,
        &format!("error: cannot reach http://127.0.0.1:{port} (connection refused)"),
    );
}
