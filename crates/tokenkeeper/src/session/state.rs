use std::fmt;

use tokio::sync::broadcast;

/// Why a session ended without the user logging out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpiryReason {
    /// The refresh endpoint definitively refused the refresh token (e.g. `invalid_grant`).
    RefreshRejected { status: u16, code: Option<String> },
    /// The access token expired and there is no refresh token to renew it.
    NoRefreshToken,
}

impl fmt::Display for ExpiryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpiryReason::RefreshRejected { status, code } => {
                write!(f, "the server refused the refresh token (HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, ", {code}")?;
                }
                f.write_str(")")
            }
            ExpiryReason::NoRefreshToken => {
                f.write_str("the access token expired and there is no refresh token")
            }
        }
    }
}

/// Where the session stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// The store has not been read yet (before `restore()`).
    Unknown,
    LoggedOut,
    LoggedIn,
    Expired(ExpiryReason),
    /// The store could not be read (locked keychain, device not yet unlocked);
    /// the session may well exist and is retried on the next call.
    StorageUnavailable,
}

/// What happened, in order. `Refreshed` and `StorageUnavailable` may repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    LoggedIn,
    Refreshed {
        generation: u64,
    },
    LoggedOut,
    Expired(ExpiryReason),
    /// Reading or writing the store failed with "try later"; the session is
    /// kept in memory and persisting is retried.
    StorageUnavailable,
}

/// Fan-out of session events to any number of listeners.
pub(crate) struct EventHub {
    sender: broadcast::Sender<SessionEvent>,
}

impl EventHub {
    pub(crate) fn new() -> Self {
        // Listeners that fall this far behind see `Lagged` and can re-read `state()`.
        let (sender, _) = broadcast::channel(256);
        Self { sender }
    }

    pub(crate) fn emit(&self, event: SessionEvent) {
        tracing::debug!(?event, "session event");
        // No listener is not an error.
        let _ = self.sender.send(event);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<SessionEvent> {
        self.sender.subscribe()
    }
}
