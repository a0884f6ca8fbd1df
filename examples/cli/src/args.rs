//! Command-line arguments. Every setting can also come from the config file
//! (see `config.rs`); a flag given here wins over the file.
//!
//! There is deliberately no flag that takes a password or client secret as
//! its value: those would end up in shell history and `ps` output.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::errors::EXIT_CODES_HELP;

#[derive(Debug, Parser)]
#[command(
    name = "tokenkeeper-cli",
    version,
    about = "Log in to an auth backend, look at its tokens, call its APIs, refresh and log out.",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in with a username and password (asked for without echo, or read from stdin).
    Login(LoginArgs),
    /// Print the access token's claims (and when it expires); `--raw` prints the token itself.
    Token(TokenArgs),
    /// Send a request with the access token; prints the status (stderr) and the body (stdout).
    Call(CallArgs),
    /// Refresh the tokens now.
    Refresh,
    /// End the session here and revoke it on the server.
    Logout,
    /// Show whether a session is stored, for whom, until when, and where it is kept.
    Status,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Username or email (else `username` from the config file, else asked for).
    #[arg(short, long)]
    pub username: Option<String>,
    /// Read the password from standard input (for scripts) instead of asking.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Print the raw access token (and nothing else). Treat the output as a secret.
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// Absolute URL, or a path joined onto the base URL (e.g. /api/me).
    pub url: String,
    /// HTTP method (default GET, or POST with --data).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// Request body; `@FILE` reads it from a file, `@-` from stdin.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Extra header, as 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Exit with an error (code 5) when the answer is not 2xx.
    #[arg(short, long)]
    pub fail: bool,
}

/// Settings shared by every command; each may instead come from the config file.
#[derive(Debug, Default, Args)]
pub struct SettingsArgs {
    /// Config file [default: ~/.config/tokenkeeper/cli.toml, if present].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Use the [servers.NAME] section of the config file.
    #[arg(long, global = true, value_name = "NAME")]
    pub server: Option<String>,
    /// The auth server's base URL (https, or http on loopback).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Server profile: json (default), simplejwt or oauth2.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Login endpoint path (json, simplejwt).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "JSON profiles"
    )]
    pub login_path: Option<String>,
    /// Refresh endpoint path (json, simplejwt).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "JSON profiles"
    )]
    pub refresh_path: Option<String>,
    /// Logout endpoint path; '' for none (logout is then local only).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "JSON profiles"
    )]
    pub logout_path: Option<String>,
    /// Login request field for the username.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub username_field: Option<String>,
    /// Login request field for the password.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub password_field: Option<String>,
    /// Refresh/logout request field for the refresh token.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub refresh_request_field: Option<String>,
    /// Response field with the access token.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub access_token_field: Option<String>,
    /// Response field with the refresh token.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub refresh_token_field: Option<String>,
    /// Response field with the ID token.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub id_token_field: Option<String>,
    /// Response field with the lifetime in seconds.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "JSON profiles"
    )]
    pub expires_in_field: Option<String>,

    /// OAuth client id.
    #[arg(
        long,
        global = true,
        value_name = "ID",
        help_heading = "OAuth 2.0 profile"
    )]
    pub client_id: Option<String>,
    /// Read the client secret from this environment variable.
    #[arg(
        long,
        global = true,
        value_name = "VAR",
        help_heading = "OAuth 2.0 profile"
    )]
    pub client_secret_env: Option<String>,
    /// How the client authenticates: none (default), basic or post.
    #[arg(
        long,
        global = true,
        value_name = "METHOD",
        help_heading = "OAuth 2.0 profile"
    )]
    pub client_auth: Option<String>,
    /// Scope to ask for at login.
    #[arg(
        long,
        global = true,
        value_name = "SCOPE",
        help_heading = "OAuth 2.0 profile"
    )]
    pub scope: Option<String>,
    /// Token endpoint (URL, or a path on the base URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "OAuth 2.0 profile"
    )]
    pub token_endpoint: Option<String>,
    /// Revocation endpoint (URL, or a path on the base URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "OAuth 2.0 profile"
    )]
    pub revocation_endpoint: Option<String>,
    /// Read endpoints, issuer and JWKS URL from BASE_URL/.well-known/openid-configuration.
    #[arg(long, global = true, help_heading = "OAuth 2.0 profile")]
    pub discover: bool,

    /// Verify signatures with the JWKS at this URL.
    #[arg(long, global = true, value_name = "URL", help_heading = "Token checks")]
    pub jwks_url: Option<String>,
    /// Verify signatures with the JWKS in this file.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "Token checks"
    )]
    pub jwks_file: Option<PathBuf>,
    /// Verify signatures with the PEM public key in this file (needs --pem-alg).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "Token checks"
    )]
    pub pem_file: Option<PathBuf>,
    /// Algorithm of the PEM key: RS256, ES256, EdDSA, ...
    #[arg(long, global = true, value_name = "ALG", help_heading = "Token checks")]
    pub pem_alg: Option<String>,
    /// Allowed clock difference for exp/nbf, in seconds [default: 30].
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        help_heading = "Token checks"
    )]
    pub leeway: Option<u64>,
    /// Expected `iss` of tokens.
    #[arg(long, global = true, value_name = "ISS", help_heading = "Token checks")]
    pub issuer: Option<String>,
    /// Expected `aud` of tokens.
    #[arg(long, global = true, value_name = "AUD", help_heading = "Token checks")]
    pub audience: Option<String>,

    /// Session name in the store [default: the base URL's host and port].
    #[arg(long, global = true, value_name = "NAME", help_heading = "Session")]
    pub namespace: Option<String>,
    /// Where the session is kept: keyring (default) or file:PATH (unencrypted!).
    #[arg(long, global = true, value_name = "STORE", help_heading = "Session")]
    pub store: Option<String>,
    /// Another origin that may receive the access token (repeatable).
    #[arg(long, global = true, value_name = "URL", help_heading = "Session")]
    pub allow_origin: Vec<String>,
    /// Seconds before a request gives up [default: 30].
    #[arg(long, global = true, value_name = "SECONDS", help_heading = "Session")]
    pub timeout: Option<u64>,
}
