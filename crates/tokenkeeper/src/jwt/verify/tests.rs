//! Verification against RFC 7515's RS256 example and keys made here with ring.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair,
};
use serde_json::{Value, json};

use super::{KeyError, KeySet, verify};
use crate::jwt::{Algorithm, JwtError, decode_unverified};

/// RFC 7515 Appendix A.2: an RS256 JWS and its key's modulus (e = AQAB).
const RFC7515_A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

fn rsa_jwk(extra: Value) -> Value {
    let mut jwk = json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQAB"});
    if let (Value::Object(jwk), Value::Object(extra)) = (&mut jwk, extra) {
        jwk.extend(extra);
    }
    jwk
}

fn jwks(keys: Vec<Value>) -> KeySet {
    KeySet::from_jwks(json!({ "keys": keys }).to_string().as_bytes()).expect("usable JWKS")
}

fn check(token: &str, keys: &KeySet) -> Result<(), JwtError> {
    let header = decode_unverified(token)?.header;
    verify(token, &header, keys)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token over `header` and a small payload, signed by `sign`.
fn signed(header: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(br#"{"sub":"alice","exp":4102444800}"#)
    );
    format!("{input}.{}", b64(&sign(input.as_bytes())))
}

fn ec_key(alg: Algorithm) -> EcdsaKeyPair {
    let signing = match alg {
        Algorithm::ES256 => &ECDSA_P256_SHA256_FIXED_SIGNING,
        _ => &ECDSA_P384_SHA384_FIXED_SIGNING,
    };
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).expect("keygen");
    EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).expect("key")
}

fn ec_jwk(key: &EcdsaKeyPair, crv: &str, kid: &str) -> Value {
    let point = key.public_key().as_ref();
    let half = (point.len() - 1) / 2;
    json!({"kty": "EC", "crv": crv, "kid": kid, "x": b64(&point[1..=half]), "y": b64(&point[1 + half..])})
}

fn ec_token(key: &EcdsaKeyPair, alg: &str, kid: &str) -> String {
    let rng = SystemRandom::new();
    signed(json!({"alg": alg, "kid": kid}), |input| {
        key.sign(&rng, input).expect("sign").as_ref().to_vec()
    })
}

fn ed_key() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("keygen");
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("key")
}

/// RFC 7468 text: base64 in lines of 64 characters.
fn pem(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let lines: Vec<&str> = base64
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[test]
fn rfc7515_rs256_example_verifies_and_a_tampered_payload_does_not() {
    let keys = jwks(vec![rsa_jwk(json!({}))]);
    assert_eq!(check(RFC7515_A2_TOKEN, &keys), Ok(()));

    let mut parts: Vec<&str> = RFC7515_A2_TOKEN.split('.').collect();
    let tampered_payload =
        b64(br#"{"iss":"joe","exp":1300819380,"http://example.com/is_root":false}"#);
    parts[1] = &tampered_payload;
    assert_eq!(check(&parts.join("."), &keys), Err(JwtError::BadSignature));
}

#[test]
fn es256_es384_and_eddsa_verify_with_their_jwks() {
    for (alg, name, crv) in [
        (Algorithm::ES256, "ES256", "P-256"),
        (Algorithm::ES384, "ES384", "P-384"),
    ] {
        let key = ec_key(alg);
        let keys = jwks(vec![ec_jwk(&key, crv, "ec1")]);
        assert_eq!(check(&ec_token(&key, name, "ec1"), &keys), Ok(()), "{name}");
    }
    let ed = ed_key();
    let keys = jwks(vec![
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed1", "x": b64(ed.public_key().as_ref())}),
    ]);
    let token = signed(json!({"alg": "EdDSA", "kid": "ed1"}), |input| {
        ed.sign(input).as_ref().to_vec()
    });
    assert_eq!(check(&token, &keys), Ok(()));
}

#[test]
fn a_key_from_another_issuer_is_no_match_or_a_bad_signature() {
    let ours = ec_key(Algorithm::ES256);
    let theirs = ec_key(Algorithm::ES256);
    let keys = jwks(vec![ec_jwk(&ours, "P-256", "ours")]);
    assert_eq!(
        check(&ec_token(&theirs, "ES256", "unknown"), &keys),
        Err(JwtError::NoMatchingKey)
    );
    assert_eq!(
        check(&ec_token(&theirs, "ES256", "ours"), &keys),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn hs256_signed_with_the_public_key_as_secret_is_refused() {
    // The classic algorithm-confusion attack: a verifier that let the header
    // pick HMAC would accept this, keyed with the (public) RSA modulus.
    let keys = jwks(vec![rsa_jwk(json!({"kid": "rsa1"}))]);
    let secret = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, RFC7515_A2_N.as_bytes());
    let forged = signed(json!({"alg": "HS256", "kid": "rsa1"}), |input| {
        ring::hmac::sign(&secret, input).as_ref().to_vec()
    });
    assert!(matches!(
        check(&forged, &keys),
        Err(JwtError::UnsupportedAlgorithm(_))
    ));
}

#[test]
fn the_key_decides_the_algorithm_not_the_token() {
    // The RFC token, relabelled: its RSA key cannot do ES256, and a key
    // pinned to RS384 does not verify RS256 tokens.
    let keys = jwks(vec![rsa_jwk(json!({"alg": "RS384"}))]);
    assert_eq!(check(RFC7515_A2_TOKEN, &keys), Err(JwtError::NoMatchingKey));
    let ec = ec_key(Algorithm::ES256);
    let rsa_only = jwks(vec![rsa_jwk(json!({}))]);
    assert_eq!(
        check(&ec_token(&ec, "ES256", "k"), &rsa_only),
        Err(JwtError::NoMatchingKey)
    );
}

#[test]
fn unusable_entries_are_skipped_and_a_set_without_usable_keys_is_refused() {
    let keys = jwks(vec![
        json!({"kty": "oct", "k": "c2VjcmV0"}),
        rsa_jwk(json!({"use": "enc", "kid": "enc"})),
        rsa_jwk(json!({"alg": "RSA-OAEP", "kid": "oaep"})),
        json!({"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}),
        json!({"kty": "RSA", "n": 5}),
        json!("not an object"),
        rsa_jwk(json!({"kid": "sig", "use": "sig"})),
    ]);
    assert_eq!(keys.len(), 1);
    assert_eq!(check(RFC7515_A2_TOKEN, &keys), Ok(()));

    let only_symmetric = json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}).to_string();
    assert_eq!(
        KeySet::from_jwks(only_symmetric.as_bytes()),
        Err(KeyError::NoUsableKey)
    );
    for junk in [&b"[]"[..], b"{}", b"{\"keys\": 3}", b"\xff\xfe", b""] {
        assert_eq!(KeySet::from_jwks(junk), Err(KeyError::NotAJwks));
    }
    let huge = vec![b' '; super::MAX_JWKS_LEN + 1];
    assert_eq!(KeySet::from_jwks(&huge), Err(KeyError::TooLarge));
}

/// A DER TLV (definite length, short or long form).
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=127 => out.push(len as u8),
        128..=255 => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

#[test]
fn rsa_pem_keys_in_pkcs1_and_spki_form_verify_the_rfc_example() {
    let n = URL_SAFE_NO_PAD.decode(RFC7515_A2_N).expect("n");
    let rsa_public_key = der(
        0x30,
        &[der(0x02, &[&[0u8][..], &n].concat()), der(0x02, &[1, 0, 1])].concat(),
    );
    let rsa_encryption = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let spki = der(
        0x30,
        &[
            &rsa_encryption[..],
            &der(0x03, &[&[0u8][..], &rsa_public_key].concat()),
        ]
        .concat(),
    );
    for pem in [
        pem("RSA PUBLIC KEY", &rsa_public_key),
        pem("PUBLIC KEY", &spki),
    ] {
        let keys = KeySet::from_pem(&pem, Algorithm::RS256).expect("RSA PEM");
        assert_eq!(check(RFC7515_A2_TOKEN, &keys), Ok(()));
        // Pinned to RS256: the same key refuses to vouch for PS256.
        let ps = KeySet::from_pem(&pem, Algorithm::PS256).expect("RSA PEM");
        assert_eq!(check(RFC7515_A2_TOKEN, &ps), Err(JwtError::NoMatchingKey));
    }
}

#[test]
fn pem_keys_verify_only_the_configured_algorithm() {
    // SubjectPublicKeyInfo = fixed algorithm prefix ‖ the raw public key.
    const P256_SPKI_PREFIX: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
    const ED25519_SPKI_PREFIX: &str = "302a300506032b6570032100";
    let hex = |text: &str| -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    };

    let ec = ec_key(Algorithm::ES256);
    let ec_pem = pem(
        "PUBLIC KEY",
        &[hex(P256_SPKI_PREFIX), ec.public_key().as_ref().to_vec()].concat(),
    );
    let keys = KeySet::from_pem(&ec_pem, Algorithm::ES256).expect("EC PEM");
    assert_eq!(check(&ec_token(&ec, "ES256", "any"), &keys), Ok(()));
    assert!(KeySet::from_pem(&ec_pem, Algorithm::RS256).is_err());

    let ed = ed_key();
    let ed_pem = pem(
        "PUBLIC KEY",
        &[hex(ED25519_SPKI_PREFIX), ed.public_key().as_ref().to_vec()].concat(),
    );
    let keys = KeySet::from_pem(&ed_pem, Algorithm::EdDSA).expect("Ed25519 PEM");
    let token = signed(json!({"alg": "EdDSA"}), |input| {
        ed.sign(input).as_ref().to_vec()
    });
    assert_eq!(check(&token, &keys), Ok(()));

    assert_eq!(
        KeySet::from_pem(&ed_pem, Algorithm::HS256),
        Err(KeyError::RefusedAlgorithm("HMAC (HS*)"))
    );
    assert!(KeySet::from_pem("not a pem", Algorithm::ES256).is_err());
}
