//! `refresh` and `logout`.

use tokenkeeper::{LogoutOutcome, SessionState};

use super::Session;
use super::show::{expiry, now_secs};
use crate::errors::CliResult;

pub async fn refresh(session: &Session) -> CliResult<()> {
    session.state()?;
    session
        .client
        .refresh()
        .await
        .map_err(|error| session.fail(error))?;
    match session.client.claims() {
        Some(claims) => println!("refreshed; access token {}", expiry(claims.exp, now_secs())),
        None => println!("refreshed"),
    }
    Ok(())
}

pub async fn logout(session: &Session) -> CliResult<()> {
    let state = session.state()?;
    if matches!(state, SessionState::LoggedOut | SessionState::Unknown) {
        println!("not logged in; nothing to do");
        return Ok(());
    }
    let outcome = session
        .client
        .logout()
        .await
        .map_err(|error| session.fail(error))?;
    println!(
        "{}",
        match outcome {
            LogoutOutcome::Revoked => "logged out; the server revoked the session",
            LogoutOutcome::Queued =>
                "logged out here; the server could not be reached, so the revocation is queued and retried by the next command",
            LogoutOutcome::LocalOnly =>
                "logged out here (local only: the server has no way to revoke the session)",
        }
    );
    Ok(())
}
