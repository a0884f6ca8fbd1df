//! Start-up configuration and the two lifetimes that can change while the server runs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Signature algorithm for access and ID tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key (the default).
    #[default]
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
}

impl SigningAlg {
    /// The JOSE name: `"RS256"` or `"ES256"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    pub(crate) fn jwt_algorithm(self) -> jsonwebtoken::Algorithm {
        match self {
            SigningAlg::Rs256 => jsonwebtoken::Algorithm::RS256,
            SigningAlg::Es256 => jsonwebtoken::Algorithm::ES256,
        }
    }
}

impl std::str::FromStr for SigningAlg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "rs256" => Ok(SigningAlg::Rs256),
            "es256" => Ok(SigningAlg::Es256),
            other => Err(format!(
                "unknown signing algorithm {other:?} (expected rs256 or es256)"
            )),
        }
    }
}

/// Everything the server needs to start. Lifetimes can be changed later through
/// [`TestServer::set_access_ttl`](crate::TestServer::set_access_ttl) and friends.
#[derive(Clone, Debug)]
pub struct TestServerConfig {
    /// Lifetime of access tokens (the JWT `exp` is rounded up to the next whole
    /// second; zero issues tokens that are already expired).
    pub access_ttl: Duration,
    /// Lifetime of each refresh token, judged against the TTL in force when it is presented.
    pub refresh_ttl: Duration,
    /// `iss` of every token and `issuer` of the discovery document.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// The one OAuth client this server knows; also the `aud` of ID tokens.
    pub client_id: String,
    /// Algorithm of the key generated at start-up.
    pub signing_alg: SigningAlg,
    /// Accounts as `(email, password)`. The `sub` of the n-th user (from 1) is `user-n`.
    pub users: Vec<(String, String)>,
}

impl Default for TestServerConfig {
    fn default() -> Self {
        TestServerConfig {
            access_ttl: Duration::from_secs(300),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            issuer: "https://auth.tokenkeeper.test".to_owned(),
            audience: "tokenkeeper-demo".to_owned(),
            client_id: "tokenkeeper-demo".to_owned(),
            signing_alg: SigningAlg::Rs256,
            users: vec![(
                "alice@example.com".to_owned(),
                "correct horse battery staple".to_owned(),
            )],
        }
    }
}

/// The lifetimes that tests may change at runtime, in milliseconds.
#[derive(Debug)]
pub(crate) struct Lifetimes {
    access_ms: AtomicU64,
    refresh_ms: AtomicU64,
}

impl Lifetimes {
    pub(crate) fn new(access: Duration, refresh: Duration) -> Self {
        Lifetimes {
            access_ms: AtomicU64::new(duration_ms(access)),
            refresh_ms: AtomicU64::new(duration_ms(refresh)),
        }
    }

    pub(crate) fn access(&self) -> Duration {
        Duration::from_millis(self.access_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn refresh(&self) -> Duration {
        Duration::from_millis(self.refresh_ms.load(Ordering::SeqCst))
    }

    pub(crate) fn set_access(&self, ttl: Duration) {
        self.access_ms.store(duration_ms(ttl), Ordering::SeqCst);
    }

    pub(crate) fn set_refresh(&self, ttl: Duration) {
        self.refresh_ms.store(duration_ms(ttl), Ordering::SeqCst);
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
