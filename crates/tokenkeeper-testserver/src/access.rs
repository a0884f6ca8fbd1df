//! The JWTs this server issues (access and ID tokens) and the checks `/api/me` applies to
//! access tokens, including "forced expiry" of every access token issued so far.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::keys::{SigningKeys, VerifyError};
use crate::tokens::{Subject, random_token};

/// Claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub(crate) iss: String,
    pub(crate) aud: String,
    pub(crate) sub: String,
    pub(crate) iat: u64,
    pub(crate) nbf: u64,
    pub(crate) exp: u64,
    pub(crate) jti: String,
    pub(crate) email: String,
    pub(crate) scope: String,
}

#[derive(Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    email: &'a str,
    iat: u64,
    exp: u64,
}

/// A freshly signed access token and its `expires_in` (seconds).
pub(crate) struct IssuedAccess {
    pub(crate) token: String,
    pub(crate) expires_in: u64,
}

const SCOPE: &str = "openid email api";
/// Prune expired ledger entries once the ledger holds this many.
const PRUNE_AT: usize = 10_000;

#[derive(Default)]
struct Ledger {
    /// jti -> (issue sequence number, exp in seconds).
    issued: HashMap<String, (u64, u64)>,
    next_seq: u64,
    /// Tokens with a smaller sequence number were force-expired.
    valid_from_seq: u64,
}

pub(crate) struct JwtIssuer {
    keys: SigningKeys,
    issuer: String,
    audience: String,
    client_id: String,
    ledger: Mutex<Ledger>,
}

impl JwtIssuer {
    pub(crate) fn new(
        keys: SigningKeys,
        issuer: String,
        audience: String,
        client_id: String,
    ) -> Self {
        JwtIssuer {
            keys,
            issuer,
            audience,
            client_id,
            ledger: Mutex::default(),
        }
    }

    pub(crate) fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // Each update is a single insert/store: a poisoned ledger is still consistent.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Signs an access token for `subject` valid for `ttl` (`exp` rounded up to a
    /// second). A zero `ttl` rounds down instead: the token is expired on issue,
    /// which is how tests play a server that hands out dead tokens.
    pub(crate) fn issue_access(
        &self,
        subject: &Subject,
        ttl: Duration,
    ) -> Result<IssuedAccess, jsonwebtoken::errors::Error> {
        let now = now_ms();
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX / 2);
        let iat = now / 1000;
        let exp = match ttl_ms {
            0 => iat,
            _ => now.saturating_add(ttl_ms).div_ceil(1000),
        };
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.sub.clone(),
            iat,
            nbf: iat,
            exp,
            jti: random_token(),
            email: subject.email.clone(),
            scope: SCOPE.to_owned(),
        };
        let token = self.keys.sign(&claims)?;
        let mut ledger = self.ledger();
        if ledger.issued.len() >= PRUNE_AT {
            let now_s = now / 1000;
            ledger.issued.retain(|_, (_, exp)| *exp > now_s);
        }
        let seq = ledger.next_seq;
        ledger.next_seq += 1;
        ledger.issued.insert(claims.jti, (seq, exp));
        Ok(IssuedAccess {
            token,
            expires_in: ttl_ms.div_ceil(1000),
        })
    }

    /// Signs an OpenID Connect style ID token (`aud` is the client id).
    pub(crate) fn issue_id(
        &self,
        subject: &Subject,
        ttl: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = now_ms();
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX / 2);
        self.keys.sign(&IdClaims {
            iss: &self.issuer,
            aud: &self.client_id,
            sub: &subject.sub,
            email: &subject.email,
            iat: now / 1000,
            exp: now.saturating_add(ttl_ms).div_ceil(1000),
        })
    }

    /// Makes every access token issued so far fail verification.
    pub(crate) fn expire_all(&self) {
        let mut ledger = self.ledger();
        ledger.valid_from_seq = ledger.next_seq;
    }

    /// Verifies signature, `kid`, `iss`, `aud`, `nbf`, `exp` (no leeway, millisecond
    /// precision) and the forced-expiry cut-off.
    pub(crate) fn verify_access(&self, token: &str) -> Result<AccessClaims, VerifyError> {
        let mut validation = self.keys.validation();
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let claims: AccessClaims = self.keys.verify(token, &validation)?;
        if now_ms() >= claims.exp.saturating_mul(1000) {
            return Err(VerifyError::Expired);
        }
        let ledger = self.ledger();
        match ledger.issued.get(&claims.jti) {
            Some((seq, _)) if *seq >= ledger.valid_from_seq => Ok(claims),
            Some(_) => Err(VerifyError::Expired),
            None => Err(VerifyError::Invalid("unknown token id".to_owned())),
        }
    }
}

fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SigningAlg;

    fn issuer() -> JwtIssuer {
        let keys = SigningKeys::generate(SigningAlg::Es256).expect("keys");
        JwtIssuer::new(
            keys,
            "https://iss.test".into(),
            "aud".into(),
            "client".into(),
        )
    }

    fn alice() -> Subject {
        Subject {
            sub: "user-1".into(),
            email: "alice@example.com".into(),
        }
    }

    #[test]
    fn issue_verify_and_force_expire() {
        let issuer = issuer();
        let issued = issuer
            .issue_access(&alice(), Duration::from_secs(60))
            .expect("issue");
        assert_eq!(issued.expires_in, 60);
        let claims = issuer.verify_access(&issued.token).expect("valid");
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.email, "alice@example.com");
        assert!(claims.exp >= claims.iat + 60);
        issuer.expire_all();
        assert!(matches!(
            issuer.verify_access(&issued.token),
            Err(VerifyError::Expired)
        ));
        let later = issuer
            .issue_access(&alice(), Duration::from_secs(60))
            .expect("issue");
        assert!(
            issuer.verify_access(&later.token).is_ok(),
            "new tokens are unaffected"
        );
    }

    #[test]
    fn zero_ttl_is_expired_and_tampering_is_invalid() {
        let issuer = issuer();
        let issued = issuer
            .issue_access(&alice(), Duration::ZERO)
            .expect("issue");
        // exp is rounded up to the next second, so wait past it.
        std::thread::sleep(Duration::from_millis(1100));
        assert!(matches!(
            issuer.verify_access(&issued.token),
            Err(VerifyError::Expired)
        ));
        let a = issuer
            .issue_access(&alice(), Duration::from_secs(60))
            .expect("issue");
        let b = issuer
            .issue_access(&alice(), Duration::from_secs(61))
            .expect("issue");
        let a_parts: Vec<&str> = a.token.split('.').collect();
        let b_parts: Vec<&str> = b.token.split('.').collect();
        // b's claims under a's signature.
        let tampered = format!("{}.{}.{}", a_parts[0], b_parts[1], a_parts[2]);
        assert!(matches!(
            issuer.verify_access(&tampered),
            Err(VerifyError::Invalid(_))
        ));
    }
}
