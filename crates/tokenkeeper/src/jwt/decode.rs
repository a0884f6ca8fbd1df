use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::algorithm::Algorithm;
use super::claims::Claims;
use super::error::{JwtError, Malformed, Segment};

/// Larger than any real access token (big enterprise tokens are ~8 KiB), small
/// enough that a hostile string costs nothing to refuse.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// base64url as RFC 7515 says (no padding), tolerating padding some servers add.
pub(crate) const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

/// A JWS split and decoded, signature not checked.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedJwt {
    pub header: Header,
    pub claims: Claims,
}

/// Reads a compact JWS without verifying its signature: enough for a client to
/// know when its own token expires. Refuses `alg: none` and anything malformed
/// with a typed error; never panics.
pub fn decode_unverified(token: &str) -> Result<UnverifiedJwt, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Malformed::TooLong { max: MAX_TOKEN_LEN }.into());
    }
    let segments: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = segments[..] else {
        return Err(Malformed::SegmentCount(segments.len()).into());
    };
    let header = parse_header(decode_object(header, Segment::Header)?)?;
    let claims = Claims::from_json(decode_object(payload, Segment::Payload)?)?;
    if signature.is_empty() || BASE64URL.decode(signature).is_err() {
        return Err(Malformed::Base64(Segment::Signature).into());
    }
    Ok(UnverifiedJwt { header, claims })
}

fn decode_object(segment: &str, which: Segment) -> Result<Map<String, Value>, Malformed> {
    let bytes = BASE64URL
        .decode(segment)
        .map_err(|_| Malformed::Base64(which))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Malformed::NotJsonObject(which)),
    }
}

fn parse_header(mut object: Map<String, Value>) -> Result<Header, JwtError> {
    let alg = match object.remove("alg") {
        Some(Value::String(name)) => Algorithm::parse(&name)?,
        _ => return Err(Malformed::MissingAlgorithm.into()),
    };
    let text = |value: Option<Value>| match value {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    Ok(Header {
        alg,
        kid: text(object.remove("kid")),
        typ: text(object.remove("typ")),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A structurally valid token with the given header and claims (signature is junk).
    pub(crate) fn token(header: Value, claims: Value) -> String {
        format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes()),
            b64(b"not-a-real-signature")
        )
    }

    #[test]
    fn decodes_a_well_formed_token() {
        let jwt = token(
            json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
            json!({"sub": "u", "exp": 10}),
        );
        let decoded = decode_unverified(&jwt).unwrap();
        assert_eq!(decoded.header.alg, Algorithm::RS256);
        assert_eq!(decoded.header.kid.as_deref(), Some("k1"));
        assert_eq!(decoded.claims.sub.as_deref(), Some("u"));
        assert_eq!(decoded.claims.exp, Some(10));
    }

    #[test]
    fn rfc7519_unsecured_example_is_refused() {
        // RFC 7519 §6.1: {"alg":"none"} with the example claims and an empty signature.
        let unsecured = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";
        assert_eq!(
            decode_unverified(unsecured),
            Err(JwtError::UnsupportedAlgorithm("none".into()))
        );
    }

    #[test]
    fn rfc7519_hs256_example_decodes() {
        // RFC 7519 §3.1.
        let example = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let decoded = decode_unverified(example).unwrap();
        assert_eq!(decoded.header.alg, Algorithm::HS256);
        assert_eq!(decoded.claims.iss.as_deref(), Some("joe"));
        assert_eq!(decoded.claims.exp, Some(1_300_819_380));
        assert_eq!(
            decoded.claims.custom["http://example.com/is_root"],
            json!(true)
        );
    }

    #[test]
    fn wrong_segment_counts_are_malformed() {
        for (input, count) in [
            ("", 1),
            ("abc", 1),
            ("a.b", 2),
            ("a.b.c.d", 4),
            ("a.b.c.d.e", 5),
        ] {
            assert_eq!(
                decode_unverified(input),
                Err(Malformed::SegmentCount(count).into()),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_base64_in_each_segment_is_malformed() {
        let good_header = b64(br#"{"alg":"RS256"}"#);
        let good_payload = b64(br#"{"exp":1}"#);
        let cases = [
            (format!("!!!.{good_payload}.c2ln"), Segment::Header),
            (format!("{good_header}.@@@.c2ln"), Segment::Payload),
            (
                format!("{good_header}.{good_payload}.***"),
                Segment::Signature,
            ),
            (format!("{good_header}.{good_payload}."), Segment::Signature),
        ];
        for (input, segment) in cases {
            assert_eq!(
                decode_unverified(&input),
                Err(Malformed::Base64(segment).into())
            );
        }
    }

    #[test]
    fn non_json_and_non_object_segments_are_malformed() {
        let header = b64(br#"{"alg":"RS256"}"#);
        for payload in [
            &b"not json"[..],
            b"[1,2]",
            b"\"text\"",
            b"42",
            b"null",
            b"{\"exp\":1",
        ] {
            let input = format!("{header}.{}.c2ln", b64(payload));
            assert_eq!(
                decode_unverified(&input),
                Err(Malformed::NotJsonObject(Segment::Payload).into())
            );
        }
        let input = format!("{}.{}.c2ln", b64(b"[]"), b64(b"{}"));
        assert_eq!(
            decode_unverified(&input),
            Err(Malformed::NotJsonObject(Segment::Header).into())
        );
    }

    #[test]
    fn header_without_string_alg_is_malformed() {
        for header in [json!({}), json!({"alg": 256}), json!({"alg": null})] {
            let input = token(header, json!({}));
            assert_eq!(
                decode_unverified(&input),
                Err(Malformed::MissingAlgorithm.into())
            );
        }
    }

    #[test]
    fn huge_input_is_refused_before_any_work() {
        let huge = format!("{}.{}.c2ln", "a".repeat(MAX_TOKEN_LEN), "b");
        assert_eq!(
            decode_unverified(&huge),
            Err(Malformed::TooLong { max: MAX_TOKEN_LEN }.into())
        );
    }

    #[test]
    fn wrongly_typed_claims_are_malformed() {
        let input = token(json!({"alg": "ES256"}), json!({"aud": 12}));
        assert!(matches!(
            decode_unverified(&input),
            Err(JwtError::Malformed(Malformed::InvalidClaim {
                claim: "aud",
                ..
            }))
        ));
    }

    #[test]
    fn padded_base64_is_tolerated() {
        let header = base64::engine::general_purpose::URL_SAFE.encode(br#"{"alg":"RS256"}"#);
        let payload = base64::engine::general_purpose::URL_SAFE.encode(br#"{"exp":1}"#);
        let input = format!("{header}.{payload}.c2lnbg==");
        assert!(decode_unverified(&input).is_ok());
    }
}
