//! The one process-wide tokio runtime.
//!
//! Async exports spawn their future here and hand the foreign executor only the
//! `JoinHandle`, which any executor can await. So the core's background tasks, reqwest's
//! reactor and the timers all live on this runtime, whatever thread the foreign
//! language polls from — and a foreign call that is cancelled does not cut a refresh or
//! a logout in half: the task runs to its end and its result is dropped.

use std::future::Future;
use std::sync::LazyLock;

use tokio::runtime::{Handle, Runtime};

use crate::error::TokenkeeperError;

static RUNTIME: LazyLock<Result<Runtime, String>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        // Phones: two workers are plenty for a token client and keep the footprint small.
        .worker_threads(2)
        .thread_name("tokenkeeper")
        .enable_all()
        .build()
        .map_err(|error| error.to_string())
});

/// The runtime's handle, or why it could not start.
pub fn handle() -> Result<Handle, TokenkeeperError> {
    match &*RUNTIME {
        Ok(runtime) => Ok(runtime.handle().clone()),
        Err(reason) => Err(TokenkeeperError::Internal {
            detail: format!("could not start the tokio runtime: {reason}"),
        }),
    }
}

/// Runs `future` on the runtime and waits for it from any executor.
pub(crate) async fn run<F, T>(future: F) -> Result<T, TokenkeeperError>
where
    F: Future<Output = Result<T, TokenkeeperError>> + Send + 'static,
    T: Send + 'static,
{
    match handle()?.spawn(future).await {
        Ok(result) => result,
        Err(error) => Err(TokenkeeperError::Internal {
            detail: if error.is_panic() {
                "a tokenkeeper task panicked".to_owned()
            } else {
                "a tokenkeeper task was cancelled".to_owned()
            },
        }),
    }
}

/// Drops `value` on a runtime thread: objects owning tokio resources may be released by
/// a foreign garbage collector on any thread.
pub(crate) fn drop_on_runtime<T: Send + 'static>(value: T) {
    match handle() {
        Ok(handle) => {
            handle.spawn(async move { drop(value) });
        }
        Err(_) => drop(value),
    }
}
