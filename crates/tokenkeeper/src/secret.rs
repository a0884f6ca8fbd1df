//! Token values as secrets: they print redacted and are wiped from memory on drop.
//!
//! Nothing in this crate formats a raw token; the only way to read one is
//! [`Token::expose`], which call sites use exactly where the bytes must leave
//! (an `Authorization` header, a refresh request body, the secure store).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// What a token is for; only used to give each kind its own type and name.
pub trait TokenKind {
    const NAME: &'static str;
}

/// Marker for access tokens (sent as bearer tokens).
pub enum Access {}
/// Marker for refresh tokens (sent only to the refresh/revocation endpoints).
pub enum Refresh {}
/// Marker for OpenID Connect ID tokens.
pub enum Id {}

impl TokenKind for Access {
    const NAME: &'static str = "AccessToken";
}
impl TokenKind for Refresh {
    const NAME: &'static str = "RefreshToken";
}
impl TokenKind for Id {
    const NAME: &'static str = "IdToken";
}

pub type AccessToken = Token<Access>;
pub type RefreshToken = Token<Refresh>;
pub type IdToken = Token<Id>;

/// A secret token string of kind `K`. Clones share one buffer (tokens are
/// immutable), which is wiped when the last clone is dropped: handing a token
/// out costs a reference count, not a copy to zeroize.
pub struct Token<K> {
    value: Arc<Zeroizing<String>>,
    kind: PhantomData<fn() -> K>,
}

impl<K: TokenKind> Token<K> {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Arc::new(Zeroizing::new(value.into())),
            kind: PhantomData,
        }
    }

    /// The raw token. Call only where the value must leave the process or go to storage.
    pub fn expose(&self) -> &str {
        self.expose_raw()
    }
}

impl<K> Token<K> {
    fn expose_raw(&self) -> &str {
        &self.value
    }
}

impl<K> Clone for Token<K> {
    fn clone(&self) -> Self {
        Self {
            value: Arc::clone(&self.value),
            kind: PhantomData,
        }
    }
}

/// Constant-time in the length of the shorter value is not needed here: tokens are
/// compared only with tokens this process already holds.
impl<K> PartialEq for Token<K> {
    fn eq(&self, other: &Self) -> bool {
        **self.value == **other.value
    }
}
impl<K> Eq for Token<K> {}

impl<K: TokenKind> fmt::Debug for Token<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(<redacted>)", K::NAME)
    }
}

impl<K: TokenKind> fmt::Display for Token<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl<K> Serialize for Token<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_raw())
    }
}

impl<'de, K: TokenKind> Deserialize<'de> for Token<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let token = AccessToken::new("eyJhbGciOiJSUzI1NiJ9.secret-payload.sig");
        for printed in [
            format!("{token:?}"),
            format!("{token}"),
            format!("{token:#?}"),
        ] {
            assert!(!printed.contains("secret-payload"), "{printed}");
            assert_eq!(printed, "AccessToken(<redacted>)");
        }
        let refresh = RefreshToken::new("r-123");
        assert_eq!(
            format!("{:?}", Some(refresh)),
            "Some(RefreshToken(<redacted>))"
        );
    }

    #[test]
    fn serde_round_trip_keeps_the_value() {
        let token = IdToken::new("abc.def.ghi");
        let json = serde_json::to_string(&token).unwrap();
        assert_eq!(json, "\"abc.def.ghi\"");
        let back: IdToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back, token);
    }
}
