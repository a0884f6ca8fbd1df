//! Registering clients for the Kotlin JNI fast path (`jni_fast_path`, cargo feature
//! `jni-fast-path`). Without the feature nothing is registered and Kotlin reads through
//! UniFFI only.

#[cfg(feature = "jni-fast-path")]
pub(crate) use crate::jni_fast_path::{register, unregister};

#[cfg(not(feature = "jni-fast-path"))]
pub(crate) fn register(_client: &std::sync::Weak<crate::AuthClient>) -> Option<u64> {
    None
}

#[cfg(not(feature = "jni-fast-path"))]
pub(crate) fn unregister(_id: u64) {}
