use std::time::Duration;

use super::claims::Claims;
use super::error::JwtError;
use crate::clock::UnixMillis;

pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// What a token must satisfy to be used. Times are compared in milliseconds;
/// `exp`/`nbf` are whole seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// Allowed clock difference for `exp` and `nbf`.
    pub leeway: Duration,
    /// When set, `iss` must equal it.
    pub issuer: Option<String>,
    /// When non-empty, `aud` must contain at least one of these.
    pub audiences: Vec<String>,
    /// Refuse tokens without `exp` (on by default: a token that never expires
    /// cannot be refreshed on time).
    pub require_exp: bool,
}

impl Default for Validation {
    fn default() -> Self {
        Self {
            leeway: DEFAULT_LEEWAY,
            issuer: None,
            audiences: Vec::new(),
            require_exp: true,
        }
    }
}

impl Validation {
    /// Checks `claims` at time `now`.
    ///
    /// A token is valid while `now < exp + leeway` and once `now >= nbf - leeway`.
    pub fn validate(&self, claims: &Claims, now: UnixMillis) -> Result<(), JwtError> {
        let leeway_ms = i64::try_from(self.leeway.as_millis()).unwrap_or(i64::MAX);
        let leeway_secs = leeway_ms / 1000;
        let now_secs = now.div_euclid(1000);
        match claims.exp {
            Some(exp) if now >= seconds_to_millis(exp).saturating_add(leeway_ms) => {
                return Err(JwtError::Expired {
                    expired_at: exp,
                    now: now_secs,
                    leeway_secs,
                });
            }
            None if self.require_exp => return Err(JwtError::MissingClaim("exp")),
            _ => {}
        }
        if let Some(nbf) = claims.nbf
            && now < seconds_to_millis(nbf).saturating_sub(leeway_ms)
        {
            return Err(JwtError::NotYetValid {
                not_before: nbf,
                now: now_secs,
                leeway_secs,
            });
        }
        if let Some(expected) = &self.issuer
            && claims.iss.as_ref() != Some(expected)
        {
            return Err(JwtError::WrongIssuer {
                expected: expected.clone(),
                found: claims.iss.clone(),
            });
        }
        if !self.audiences.is_empty() && !claims.aud.iter().any(|aud| self.audiences.contains(aud))
        {
            return Err(JwtError::WrongAudience {
                expected: self.audiences.clone(),
                found: claims.aud.clone(),
            });
        }
        Ok(())
    }
}

pub fn seconds_to_millis(seconds: i64) -> UnixMillis {
    seconds.saturating_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXP: i64 = 1_700_000_000;
    const LEEWAY_MS: i64 = 30_000;

    fn at(seconds: i64) -> UnixMillis {
        seconds * 1000
    }

    fn claims() -> Claims {
        Claims {
            exp: Some(EXP),
            nbf: Some(EXP - 3600),
            iss: Some("https://issuer.example".into()),
            aud: vec!["app".into(), "other".into()],
            ..Claims::default()
        }
    }

    #[test]
    fn exp_edges_with_leeway() {
        let validation = Validation::default();
        let exp_ms = at(EXP);
        assert_eq!(validation.validate(&claims(), exp_ms - 1), Ok(()));
        assert_eq!(
            validation.validate(&claims(), exp_ms),
            Ok(()),
            "inside the leeway"
        );
        assert_eq!(
            validation.validate(&claims(), exp_ms + LEEWAY_MS - 1),
            Ok(())
        );
        assert_eq!(
            validation.validate(&claims(), exp_ms + LEEWAY_MS),
            Err(JwtError::Expired {
                expired_at: EXP,
                now: EXP + 30,
                leeway_secs: 30
            }),
            "exactly at exp + leeway the token is expired"
        );
    }

    #[test]
    fn exp_edges_without_leeway() {
        let validation = Validation {
            leeway: Duration::ZERO,
            ..Validation::default()
        };
        assert_eq!(validation.validate(&claims(), at(EXP) - 1), Ok(()));
        assert!(matches!(
            validation.validate(&claims(), at(EXP)),
            Err(JwtError::Expired { .. })
        ));
    }

    #[test]
    fn nbf_edges_with_leeway() {
        let validation = Validation::default();
        let nbf_ms = at(EXP - 3600);
        assert_eq!(
            validation.validate(&claims(), nbf_ms - LEEWAY_MS),
            Ok(()),
            "exactly at nbf - leeway"
        );
        assert_eq!(validation.validate(&claims(), nbf_ms), Ok(()));
        assert_eq!(
            validation.validate(&claims(), nbf_ms - LEEWAY_MS - 1),
            Err(JwtError::NotYetValid {
                not_before: EXP - 3600,
                now: EXP - 3600 - 31,
                leeway_secs: 30
            })
        );
    }

    #[test]
    fn missing_exp_is_refused_unless_allowed() {
        let no_exp = Claims {
            exp: None,
            ..claims()
        };
        assert_eq!(
            Validation::default().validate(&no_exp, at(EXP)),
            Err(JwtError::MissingClaim("exp"))
        );
        let lenient = Validation {
            require_exp: false,
            ..Validation::default()
        };
        assert_eq!(lenient.validate(&no_exp, at(EXP + 99_999)), Ok(()));
    }

    #[test]
    fn issuer_must_match_when_configured() {
        let mut validation = Validation {
            issuer: Some("https://issuer.example".into()),
            ..Validation::default()
        };
        assert_eq!(validation.validate(&claims(), at(EXP - 10)), Ok(()));
        validation.issuer = Some("https://evil.example".into());
        assert_eq!(
            validation.validate(&claims(), at(EXP - 10)),
            Err(JwtError::WrongIssuer {
                expected: "https://evil.example".into(),
                found: Some("https://issuer.example".into())
            })
        );
        let no_iss = Claims {
            iss: None,
            ..claims()
        };
        assert!(matches!(
            validation.validate(&no_iss, at(EXP - 10)),
            Err(JwtError::WrongIssuer { found: None, .. })
        ));
    }

    #[test]
    fn audience_must_intersect_when_configured() {
        let mut validation = Validation {
            audiences: vec!["nope".into(), "other".into()],
            ..Validation::default()
        };
        assert_eq!(validation.validate(&claims(), at(EXP - 10)), Ok(()));
        validation.audiences = vec!["nope".into()];
        assert!(matches!(
            validation.validate(&claims(), at(EXP - 10)),
            Err(JwtError::WrongAudience { .. })
        ));
        let no_aud = Claims {
            aud: vec![],
            ..claims()
        };
        assert!(matches!(
            validation.validate(&no_aud, at(EXP - 10)),
            Err(JwtError::WrongAudience { .. })
        ));
    }

    #[test]
    fn extreme_dates_do_not_overflow() {
        let far = Claims {
            exp: Some(i64::MAX),
            nbf: Some(i64::MIN),
            ..Claims::default()
        };
        assert_eq!(Validation::default().validate(&far, i64::MAX - 1), Ok(()));
        let past = Claims {
            exp: Some(i64::MIN),
            ..Claims::default()
        };
        assert!(matches!(
            Validation::default().validate(&past, 0),
            Err(JwtError::Expired { .. })
        ));
    }
}
