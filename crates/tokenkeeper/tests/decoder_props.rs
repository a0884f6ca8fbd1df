//! Whatever bytes arrive, decoding gives a value or a typed error: never a panic.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use tokenkeeper::jwt::{Validation, decode_unverified};
use tokenkeeper::session::SessionRecord;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        // Arbitrary text.
        any::<String>(),
        // Valid base64url of arbitrary bytes.
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|bytes| URL_SAFE_NO_PAD.encode(bytes)),
        // Valid base64url of JSON-ish text, to reach the claim parsing.
        "\\{(\"(alg|exp|nbf|iat|aud|iss|sub)\":(-?[0-9]{1,20}(\\.[0-9]+)?|\"[A-Za-z0-9]{0,5}\"|null|true|\\[\\]|\\{\\}),?){0,4}\\}"
            .prop_map(|json| URL_SAFE_NO_PAD.encode(json)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = decode_unverified(&text);
        let _ = SessionRecord::decode(&bytes);
    }

    #[test]
    fn arbitrary_dot_separated_strings_never_panic(parts in proptest::collection::vec(segment(), 0..6)) {
        let token = parts.join(".");
        if let Ok(jwt) = decode_unverified(&token) {
            for now in [i64::MIN, -1, 0, 1_700_000_000_000, i64::MAX] {
                let _ = Validation::default().validate(&jwt.claims, now);
            }
        }
    }

    #[test]
    fn header_and_payload_objects_never_panic(
        header in "\\{(\"alg\":\"(RS256|none|HS256|ES256|x)\")?\\}",
        payload in "\\{(\"(exp|nbf|aud)\":(1e999|-1e999|1\\.5|\\[\"a\",1\\]|\"x\"|18446744073709551616),?){0,3}\\}",
    ) {
        let token = format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
        let _ = decode_unverified(&token);
    }
}
