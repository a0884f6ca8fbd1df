//! The session as stored: one versioned JSON record per session key.
//!
//! Every stored record carries `schema_version`. Reading dispatches on it, so
//! a later schema adds a migration here and a test with a stored sample of the
//! old version. A record from a *newer* SDK is reported, never overwritten by
//! reading it.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::clock::UnixMillis;
use crate::json_error;
use crate::secret::{AccessToken, IdToken, RefreshToken};

pub const CURRENT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub access_token: AccessToken,
    /// `None` when the server issues no refresh token: the session then ends at expiry.
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    /// When the access token expires, in server time: the token's `exp`, or
    /// `expires_in` for opaque tokens.
    pub access_expires_at: Option<UnixMillis>,
    /// When the access token was issued, in server time (`iat`, or receipt time).
    pub access_issued_at: Option<UnixMillis>,
    /// Bumped on every new token set; a 401 for an older generation never
    /// triggers another refresh.
    pub generation: u64,
    /// Last measured server − device clock offset.
    pub server_offset_ms: i64,
    /// Device time of the write.
    pub saved_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error("session record is corrupt: {0}")]
    Corrupt(String),
    #[error("session record has schema version {0}, newer than this SDK understands")]
    NewerVersion(u32),
}

#[derive(Serialize)]
struct Stored<'a> {
    schema_version: u32,
    #[serde(flatten)]
    record: &'a SessionRecord,
}

#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<u32>,
}

#[derive(Deserialize)]
struct StoredV1 {
    #[serde(flatten)]
    record: SessionRecord,
}

impl SessionRecord {
    /// The bytes to store; wiped from memory when dropped.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let stored = Stored {
            schema_version: CURRENT_SCHEMA_VERSION,
            record: self,
        };
        // Serializing plain strings and integers into a Vec cannot fail.
        Zeroizing::new(serde_json::to_vec(&stored).unwrap_or_default())
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
        let corrupt = |error: serde_json::Error| RecordError::Corrupt(json_error::describe(&error));
        let probe: VersionProbe = serde_json::from_slice(bytes).map_err(corrupt)?;
        match probe.schema_version {
            Some(1) => {
                let stored: StoredV1 = serde_json::from_slice(bytes).map_err(corrupt)?;
                Ok(stored.record)
            }
            Some(version) if version > CURRENT_SCHEMA_VERSION => {
                Err(RecordError::NewerVersion(version))
            }
            Some(version) => Err(RecordError::Corrupt(format!(
                "unknown schema version {version}"
            ))),
            None => Err(RecordError::Corrupt("no schema_version".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SessionRecord {
        SessionRecord {
            access_token: AccessToken::new("access.jwt.value"),
            refresh_token: Some(RefreshToken::new("refresh-secret")),
            id_token: None,
            access_expires_at: Some(1_700_000_000_000),
            access_issued_at: Some(1_699_999_000_000),
            generation: 7,
            server_offset_ms: -1500,
            saved_at: 1_699_999_000_000,
        }
    }

    #[test]
    fn round_trips_and_carries_the_schema_version() {
        let bytes = sample().encode();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("{\"schema_version\":1,"), "{text}");
        assert_eq!(SessionRecord::decode(&bytes), Ok(sample()));
    }

    #[test]
    fn a_stored_v1_sample_still_reads() {
        // Bytes as version 1 writes them; keep this literal when adding version 2.
        let v1 = br#"{"schema_version":1,"access_token":"a.b.c","refresh_token":"r1","id_token":null,"access_expires_at":1700000000000,"access_issued_at":1699999000000,"generation":3,"server_offset_ms":0,"saved_at":1699999999000}"#;
        let record = SessionRecord::decode(v1).unwrap();
        assert_eq!(record.access_token.expose(), "a.b.c");
        assert_eq!(record.refresh_token.unwrap().expose(), "r1");
        assert_eq!(record.generation, 3);
    }

    #[test]
    fn newer_versions_are_reported_not_misread() {
        let v9 = br#"{"schema_version":9,"whatever":"future"}"#;
        assert_eq!(SessionRecord::decode(v9), Err(RecordError::NewerVersion(9)));
    }

    #[test]
    fn corrupt_bytes_are_a_typed_error_that_quotes_no_secret() {
        let cases: [&[u8]; 6] = [
            b"",
            b"\xff\xfe",
            b"[]",
            br#"{"access_token":"x"}"#,
            br#"{"schema_version":0}"#,
            br#"{"schema_version":1,"access_token":"secret-value","refresh_token":5}"#,
        ];
        for bytes in cases {
            match SessionRecord::decode(bytes) {
                Err(RecordError::Corrupt(message)) => {
                    assert!(!message.contains("secret-value"), "{message}")
                }
                other => panic!("expected Corrupt, got {other:?}"),
            }
        }
    }

    #[test]
    fn debug_output_redacts_tokens() {
        let printed = format!("{:?}", sample());
        assert!(!printed.contains("refresh-secret") && !printed.contains("access.jwt.value"));
    }
}
