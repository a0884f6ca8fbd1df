use thiserror::Error;

/// Why a token could not be used. Messages never contain the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JwtError {
    #[error("malformed token: {0}")]
    Malformed(Malformed),
    #[error("unsupported or refused algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("token expired at {expired_at} (now {now}, leeway {leeway_secs} s)")]
    Expired {
        expired_at: i64,
        now: i64,
        leeway_secs: i64,
    },
    #[error("token not valid before {not_before} (now {now}, leeway {leeway_secs} s)")]
    NotYetValid {
        not_before: i64,
        now: i64,
        leeway_secs: i64,
    },
    #[error("token issuer {found:?} is not the expected {expected:?}")]
    WrongIssuer {
        expected: String,
        found: Option<String>,
    },
    #[error("token audience {found:?} does not include any of {expected:?}")]
    WrongAudience {
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("token has no {0} claim")]
    MissingClaim(&'static str),
    #[error("no configured key fits the token's algorithm and key id")]
    NoMatchingKey,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("signing keys are configured but the token is not a JWT")]
    NotAJwt,
}

/// The shape errors, one per way a token string can be broken.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Malformed {
    #[error("token is longer than {max} bytes")]
    TooLong { max: usize },
    #[error("expected 3 dot-separated segments, found {0}")]
    SegmentCount(usize),
    #[error("{0} segment is not base64url")]
    Base64(Segment),
    #[error("{0} segment is not a JSON object")]
    NotJsonObject(Segment),
    #[error("header has no string \"alg\"")]
    MissingAlgorithm,
    #[error("claim {claim:?} {problem}")]
    InvalidClaim {
        claim: &'static str,
        problem: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

impl From<Malformed> for JwtError {
    fn from(value: Malformed) -> Self {
        JwtError::Malformed(value)
    }
}
