//! The default store: the desktop keyring, here a real Secret Service
//! (gnome-keyring on a private D-Bus session). Run through the script that
//! sets one up:
//!
//! ```sh
//! scripts/with-secret-service.sh cargo test -p tokenkeeper-cli --test keyring
//! ```
//!
//! Without a D-Bus session this test fails (it never passes vacuously).
#![cfg(any(target_os = "linux", target_os = "freebsd"))]

mod common;

use common::{Cli, Server, USER};

#[test]
fn the_session_lives_in_the_keyring_by_default() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test needs a Secret Service on a D-Bus session bus; run it as\n  \
         scripts/with-secret-service.sh cargo test -p tokenkeeper-cli --test keyring"
    );
    let server = Server::start();
    // No --store: the keyring. The namespace (per server port) keeps runs apart.
    let cli = Cli::bare();
    let cli = Cli {
        args: vec!["--base-url".to_owned(), server.base_url()],
        ..cli
    };

    let login = cli.login();
    assert!(
        login.ok().starts_with(&format!("logged in as {USER}")),
        "{login:#?}"
    );
    assert!(
        login.stderr.is_empty(),
        "no warning for the keyring: {login:#?}"
    );
    assert!(!cli.path("session.json").exists());

    let status = cli.run(&["status"]);
    let out = status.ok();
    assert!(out.contains("state:    logged in\n"), "{out}");
    assert!(
        out.contains("store:    keyring: Secret Service (zbus-secret-service-keyring-store), service tokenkeeper-cli\n"),
        "{out}"
    );
    let call = cli.run(&["call", "/api/me"]);
    assert!(call.ok().contains("\"sub\":\"user-1\""), "{call:#?}");
    assert!(cli.run(&["refresh"]).ok().starts_with("refreshed"));
    assert_eq!(
        cli.run(&["logout"]).ok(),
        "logged out; the server revoked the session\n"
    );
    let status = cli.run(&["status"]);
    assert!(
        status.ok().starts_with("state:    logged out\n"),
        "{status:#?}"
    );
    cli.assert_no_secrets(&server, &[]);
}
