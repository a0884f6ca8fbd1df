//! `token` (claims; the raw token only with `--raw`) and `status`.

use tokenkeeper::SessionState;

use super::Session;
use super::show::{claims_json, expiry, now_secs};
use crate::args::TokenArgs;
use crate::errors::{CliError, CliResult};

pub async fn token(args: &TokenArgs, session: &Session) -> CliResult<()> {
    session.state()?;
    // The token a request would carry now: refreshed first if it is about to expire.
    let token = session
        .client
        .access_token()
        .await
        .map_err(|error| session.fail(error))?;
    if args.raw {
        println!("{}", token.expose());
        return Ok(());
    }
    let Some(claims) = session.client.claims() else {
        return Err(CliError::new(
            crate::errors::Class::Other,
            "the access token is not a JWT, so it has no claims to show (--raw prints it)",
        ));
    };
    let pretty = serde_json::to_string_pretty(&claims_json(&claims))
        .map_err(|error| CliError::new(crate::errors::Class::Other, error.to_string()))?;
    println!("{pretty}");
    // On stderr, so `token | jq` gets pure JSON.
    eprintln!("access token {}", expiry(claims.exp, now_secs()));
    Ok(())
}

pub fn status(session: &Session) -> CliResult<()> {
    let state = session.state()?;
    let resolved = &session.resolved;
    let line = |name: &str, value: &str| println!("{:<10}{value}", format!("{name}:"));
    match &state {
        SessionState::LoggedIn => {
            let claims = session.client.claims();
            let now = now_secs();
            let expired = claims
                .as_ref()
                .and_then(|claims| claims.exp)
                .is_some_and(|exp| exp <= now);
            line(
                "state",
                if expired {
                    "logged in (access token expired; the next command refreshes it)"
                } else {
                    "logged in"
                },
            );
            if let Some(claims) = &claims {
                if let Some(sub) = &claims.sub {
                    line("subject", sub);
                }
                if let Some(iss) = &claims.iss {
                    line("issuer", iss);
                }
                line("token", &expiry(claims.exp, now));
            }
        }
        SessionState::LoggedOut | SessionState::Unknown => line("state", "logged out"),
        SessionState::Expired(reason) => line("state", &format!("expired: {reason}")),
        SessionState::StorageUnavailable => line("state", "unknown (the store is unavailable)"),
    }
    line(
        "server",
        &format!(
            "{} ({} profile)",
            resolved.base_url,
            resolved.profile.name()
        ),
    );
    line("account", &resolved.namespace);
    line("store", &resolved.store.to_string());
    Ok(())
}
