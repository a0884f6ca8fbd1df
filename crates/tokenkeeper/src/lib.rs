//! tokenkeeper: the core of a JWT session SDK for mobile apps.
//!
//! No FFI and no platform code lives here outside the `store` backends; the
//! `tokenkeeper-ffi` crate wraps this one for Swift, Kotlin and React Native.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tokenkeeper::AuthError> {
//! use std::sync::Arc;
//! use tokenkeeper::{AuthClient, AuthConfig, Credentials, store::MemoryStore, transport::HttpRequest};
//!
//! let config = AuthConfig::builder("https://api.example.com").build()?;
//! let client = AuthClient::with_defaults(config, Arc::new(MemoryStore::new()));
//! client.restore().await?;
//! client.login(Credentials::new("alice@example.com", "secret")).await?;
//! let me = client.send(HttpRequest::get("https://api.example.com/api/me")).await?;
//! client.logout().await?;
//! # Ok(()) }
//! ```

mod client;
pub mod clock;
mod error;
mod json_error;
pub mod jwt;
mod pending_logout;
pub mod refresh;
pub mod secret;
pub mod server;
pub mod session;
pub mod store;
pub mod transport;

pub use client::{
    AuthClient, AuthConfig, AuthConfigBuilder, FlushReport, LogoutOutcome, PendingLogoutPolicy,
};
pub use error::AuthError;
pub use secret::{AccessToken, IdToken, RefreshToken};
pub use server::{
    ClientAuth, Credentials, JsonProfile, OAuthProfile, ServerProfile, TokenResponse, discover,
};
pub use session::{ExpiryReason, SessionEvent, SessionState};
