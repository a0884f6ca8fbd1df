//! Refresh tokens: opaque random strings grouped in families (one per login), rotated on
//! every use, with reuse detection that revokes the whole family.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Who a token was issued to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subject {
    pub(crate) sub: String,
    pub(crate) email: String,
}

/// Why a refresh token was refused. Every variant is an `invalid_grant` on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefreshError {
    Unknown,
    Revoked,
    Expired,
    /// The token had already been rotated: the family is now revoked.
    Reused,
}

impl RefreshError {
    pub(crate) fn description(self) -> &'static str {
        match self {
            RefreshError::Unknown => "unknown refresh token",
            RefreshError::Revoked => "refresh token revoked",
            RefreshError::Expired => "refresh token expired",
            RefreshError::Reused => "refresh token reuse detected",
        }
    }
}

#[derive(Debug)]
struct Record {
    family: u64,
    issued: Instant,
    used: bool,
}

#[derive(Debug)]
struct Family {
    subject: Subject,
    revoked: bool,
}

#[derive(Debug, Default)]
struct Inner {
    tokens: HashMap<String, Record>,
    families: HashMap<u64, Family>,
    next_family: u64,
}

/// All refresh tokens ever issued by one server, kept for its whole life (tests are short).
#[derive(Debug, Default)]
pub(crate) struct RefreshStore {
    inner: Mutex<Inner>,
}

impl RefreshStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The maps stay consistent even if a holder panicked: every update is one insert
        // or one field write, so the poisoned state is usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a new family (a login) and returns its first refresh token.
    pub(crate) fn start_family(&self, subject: Subject) -> String {
        let mut inner = self.lock();
        let family = inner.next_family;
        inner.next_family += 1;
        inner.families.insert(
            family,
            Family {
                subject,
                revoked: false,
            },
        );
        issue(&mut inner, family)
    }

    /// Spends `token` and returns the next one in its family. `ttl` is the refresh-token
    /// lifetime in force now.
    pub(crate) fn rotate(
        &self,
        token: &str,
        ttl: Duration,
    ) -> Result<(Subject, String), RefreshError> {
        let mut inner = self.lock();
        let (family_id, used, issued) = match inner.tokens.get(token) {
            Some(record) => (record.family, record.used, record.issued),
            None => return Err(RefreshError::Unknown),
        };
        let family = inner
            .families
            .get_mut(&family_id)
            .ok_or(RefreshError::Unknown)?;
        if family.revoked {
            return Err(RefreshError::Revoked);
        }
        if used {
            family.revoked = true;
            return Err(RefreshError::Reused);
        }
        if issued.elapsed() >= ttl {
            return Err(RefreshError::Expired);
        }
        let subject = family.subject.clone();
        if let Some(record) = inner.tokens.get_mut(token) {
            record.used = true;
        }
        Ok((subject, issue(&mut inner, family_id)))
    }

    /// Revokes the family `token` belongs to (any token of it, used or not, expired or not).
    /// Returns true only if a live family was revoked by this call.
    pub(crate) fn revoke(&self, token: &str) -> bool {
        let mut inner = self.lock();
        let Some(family_id) = inner.tokens.get(token).map(|r| r.family) else {
            return false;
        };
        match inner.families.get_mut(&family_id) {
            Some(family) if !family.revoked => {
                family.revoked = true;
                true
            }
            _ => false,
        }
    }
}

fn issue(inner: &mut Inner, family: u64) -> String {
    let token = random_token();
    inner.tokens.insert(
        token.clone(),
        Record {
            family,
            issued: Instant::now(),
            used: false,
        },
    );
    token
}

/// 256 random bits, base64url without padding (43 characters).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // aws-lc's RNG only fails if the OS entropy source is broken; a test server cannot
    // do anything sensible then.
    aws_lc_rs::rand::fill(&mut bytes).expect("system random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn alice() -> Subject {
        Subject {
            sub: "user-1".into(),
            email: "alice@example.com".into(),
        }
    }

    #[test]
    fn rotation_then_reuse_revokes_family() {
        let store = RefreshStore::default();
        let first = store.start_family(alice());
        assert_eq!(first.len(), 43);
        let (subject, second) = store.rotate(&first, DAY).expect("first rotation");
        assert_eq!(subject, alice());
        assert_ne!(first, second);
        assert_eq!(store.rotate(&first, DAY), Err(RefreshError::Reused));
        assert_eq!(store.rotate(&second, DAY), Err(RefreshError::Revoked));
        assert_eq!(store.rotate(&first, DAY), Err(RefreshError::Revoked));
    }

    #[test]
    fn unknown_expired_and_revoke() {
        let store = RefreshStore::default();
        assert_eq!(store.rotate("nope", DAY), Err(RefreshError::Unknown));
        let token = store.start_family(alice());
        assert_eq!(
            store.rotate(&token, Duration::ZERO),
            Err(RefreshError::Expired)
        );
        let other = store.start_family(alice());
        assert!(store.revoke(&other));
        assert!(!store.revoke(&other), "second revocation is a no-op");
        assert!(!store.revoke("unknown"));
        assert_eq!(store.rotate(&other, DAY), Err(RefreshError::Revoked));
        // The first family is untouched by revoking the second.
        assert!(store.rotate(&token, DAY).is_ok());
    }
}
