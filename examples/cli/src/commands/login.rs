//! `login`: credentials from a flag/prompt and a no-echo prompt or stdin.

use std::io::{self, BufRead as _, IsTerminal as _, Read as _, Write as _};

use tokenkeeper::store::StoreError;
use tokenkeeper::{AuthError, Credentials};
use zeroize::Zeroizing;

use super::Session;
use super::show::{expiry, now_secs};
use crate::args::LoginArgs;
use crate::errors::{CliError, CliResult};

pub async fn run(args: &LoginArgs, session: &Session) -> CliResult<()> {
    // A store that cannot be read cannot take the new session either; a
    // corrupt or old record is simply replaced by the login.
    if let Err(error @ AuthError::Storage(StoreError::Unavailable(_))) = &session.restored {
        return Err(session.fail(error.clone()));
    }
    let username = username(args, session)?;
    let password = password(args, &username)?;
    session
        .client
        .login(Credentials::new(username.clone(), password.as_str()))
        .await
        .map_err(|error| session.fail(error))?;
    let claims = session.client.claims();
    let who = claims
        .as_ref()
        .and_then(|claims| claims.sub.clone())
        .map_or_else(|| username.clone(), |sub| format!("{username} (sub {sub})"));
    println!("logged in as {who} at {}", session.resolved.base_url);
    if let Some(claims) = claims {
        println!("access token {}", expiry(claims.exp, now_secs()));
    }
    Ok(())
}

fn username(args: &LoginArgs, session: &Session) -> CliResult<String> {
    if let Some(name) = args
        .username
        .clone()
        .or_else(|| session.resolved.settings.username.clone())
    {
        return Ok(name);
    }
    if args.password_stdin || !io::stdin().is_terminal() {
        return Err(CliError::usage(
            "no username: give --username (or username in the config file)",
        ));
    }
    eprint!("Username: ");
    let _ = io::stderr().flush();
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| CliError::usage(format!("cannot read the username: {error}")))?;
    let name = line.trim().to_owned();
    if name.is_empty() {
        return Err(CliError::usage("no username given"));
    }
    Ok(name)
}

fn password(args: &LoginArgs, username: &str) -> CliResult<Zeroizing<String>> {
    let password = if args.password_stdin {
        let mut text = Zeroizing::new(String::new());
        io::stdin().read_to_string(&mut text).map_err(|_| {
            CliError::usage("cannot read the password from standard input (is it UTF-8?)")
        })?;
        // One trailing newline is how `echo` and here-strings end; it is not part of the password.
        let end = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .map_or(text.len(), str::len);
        text.truncate(end);
        text
    } else if io::stdin().is_terminal() {
        Zeroizing::new(
            rpassword::prompt_password(format!("Password for {username}: "))
                .map_err(|error| CliError::usage(format!("cannot read the password: {error}")))?,
        )
    } else {
        return Err(CliError::usage(
            "standard input is not a terminal: pipe the password in with --password-stdin",
        ));
    };
    if password.is_empty() {
        return Err(CliError::usage("empty password"));
    }
    Ok(password)
}
