//! The HTTP transport used when the app passes none.

use std::sync::Arc;

use tokenkeeper::transport::HttpTransport;

use crate::error::TokenkeeperError;

/// The built-in reqwest transport. Call inside the runtime's context.
#[cfg(feature = "builtin-transport")]
pub(crate) fn built_in() -> Result<Arc<dyn HttpTransport>, TokenkeeperError> {
    use std::time::Duration;
    // reqwest's own defaults would wait forever for a stuck server.
    let transport = tokenkeeper::transport::ReqwestTransport::new(
        Duration::from_secs(30),
        Duration::from_secs(10),
    )
    .map_err(|error| TokenkeeperError::Internal {
        detail: format!("could not start the built-in HTTP client: {error}"),
    })?;
    Ok(Arc::new(transport))
}

/// Builds without the built-in transport (the app's OkHttp or URLSession does the HTTP)
/// need the app's.
#[cfg(not(feature = "builtin-transport"))]
pub(crate) fn built_in() -> Result<Arc<dyn HttpTransport>, TokenkeeperError> {
    Err(TokenkeeperError::Config {
        detail: "this build of tokenkeeper has no built-in HTTP transport: pass an HttpTransport"
            .to_owned(),
    })
}
