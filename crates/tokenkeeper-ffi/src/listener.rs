//! Forwards the core's session events to a foreign [`SessionListener`].

use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::AbortHandle;

use crate::error::TokenkeeperError;
use crate::foreign::SessionListener;
use crate::runtime;

/// The forwarding task of one listener; stops it when dropped.
pub(crate) struct Forwarding(AbortHandle);

impl Drop for Forwarding {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts forwarding from `events` (subscribed before this call, so nothing after it is missed).
pub(crate) fn forward(
    mut events: broadcast::Receiver<tokenkeeper::SessionEvent>,
    listener: Arc<dyn SessionListener>,
) -> Result<Forwarding, TokenkeeperError> {
    let task = runtime::handle()?.spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    // A listener's failure is its own business: the next event still goes out.
                    let _ = listener.on_event(event.into());
                }
                // Events were missed; the listener can read `state()`.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
    Ok(Forwarding(task.abort_handle()))
}
