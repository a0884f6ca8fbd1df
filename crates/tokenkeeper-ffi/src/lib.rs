//! UniFFI bindings of [`tokenkeeper`] for Swift, Kotlin and React Native.
//!
//! A thin layer with no logic of its own: every type here converts to or from
//! one of the core's, and every call forwards to [`tokenkeeper::AuthClient`].
//!
//! - [`client`]: the `AuthClient` object and its constructors.
//! - [`types`]: records and enums crossing the boundary (config, claims, HTTP messages, state, events).
//! - [`error`]: the one public error, mapped from [`tokenkeeper::AuthError`] in one place.
//! - [`foreign`]: traits the app may implement (`SecureStore`, `HttpTransport`, `SessionListener`)
//!   and their adapters to the core's traits.
//! - `android` (cargo feature `android`): the init call from Kotlin and the Keystore store.
//! - `jni_fast_path` (cargo feature `jni-fast-path`): `freshAccessToken()` for Kotlin as
//!   a plain JNI call, past JNA's per-call cost.
//! - [`runtime`]: the one process-wide tokio runtime every async call runs on.
//! - `transport`: the built-in HTTP client (cargo feature `builtin-transport`, on by default).
//!
//! No exported function panics by design, and every one returns `Result`: in Swift a
//! non-throwing call is made with `try!`, so a panic there would crash the app.

// Nothing here may panic across the boundary.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

uniffi::setup_scaffolding!();

#[cfg(feature = "android")]
pub mod android;
pub mod client;
pub mod error;
mod fast_path;
pub mod foreign;
#[cfg(feature = "jni-fast-path")]
mod jni_fast_path;
mod listener;
pub mod runtime;
mod transport;
pub mod types;

pub use client::AuthClient;
pub use error::{HttpTransportError, SecureStoreError, TokenkeeperError};
pub use foreign::{HttpTransport, SecureStore, SessionListener};
pub use types::{
    AuthConfig, Claims, ExpiryReason, FlushReport, HttpHeader, HttpMethod, HttpRequest,
    HttpResponse, JsonEndpoints, LogoutOutcome, OAuthEndpoints, SessionEvent, SessionState,
    SigningKeys, TokenResponse,
};
