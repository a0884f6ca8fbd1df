use super::error::JwtError;

/// The JWS algorithms a token may name. `none` is never one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

impl Algorithm {
    pub fn parse(name: &str) -> Result<Self, JwtError> {
        Ok(match name {
            "HS256" => Self::HS256,
            "HS384" => Self::HS384,
            "HS512" => Self::HS512,
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            "EdDSA" => Self::EdDSA,
            // "none" (any casing) and everything unknown: an unsecured token is never accepted.
            other => return Err(JwtError::UnsupportedAlgorithm(truncate_for_error(other))),
        })
    }

    /// HMAC algorithms need the shared secret to verify, which a client must never hold.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }
}

/// Keeps attacker-chosen header text in error messages short.
fn truncate_for_error(text: &str) -> String {
    text.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_in_any_casing_is_refused() {
        for name in ["none", "None", "NONE", "nOnE", ""] {
            assert!(matches!(
                Algorithm::parse(name),
                Err(JwtError::UnsupportedAlgorithm(_))
            ));
        }
    }

    #[test]
    fn known_algorithms_parse_and_hmac_is_symmetric() {
        assert_eq!(Algorithm::parse("RS256"), Ok(Algorithm::RS256));
        assert_eq!(Algorithm::parse("EdDSA"), Ok(Algorithm::EdDSA));
        assert!(Algorithm::parse("HS256").unwrap().is_symmetric());
        assert!(!Algorithm::parse("ES256").unwrap().is_symmetric());
    }

    #[test]
    fn long_unknown_names_are_truncated_in_errors() {
        let long = "x".repeat(1000);
        let Err(JwtError::UnsupportedAlgorithm(shown)) = Algorithm::parse(&long) else {
            panic!("expected refusal");
        };
        assert_eq!(shown.len(), 32);
    }
}
