//! JSON Web Tokens as a client sees them: decode without verifying, read the
//! claims, and check them against the time and the expected issuer/audience.

mod algorithm;
mod claims;
mod decode;
mod error;
mod validate;
pub mod verify;

pub use algorithm::Algorithm;
pub use claims::Claims;
pub use decode::{Header, MAX_TOKEN_LEN, UnverifiedJwt, decode_unverified};
pub use error::{JwtError, Malformed, Segment};
pub use validate::{DEFAULT_LEEWAY, Validation, seconds_to_millis};

#[cfg(test)]
pub(crate) use decode::tests::token as test_token;
