//! Checks a compact JWS signature against a key set with ring (already in
//! the library for TLS, so verification adds no second crypto library).

use base64::Engine as _;
use ring::signature::{self as ring_sig, RsaPublicKeyComponents, UnparsedPublicKey};

use super::keys::{KeySet, PublicKey, VerificationKey};
use crate::jwt::decode::{BASE64URL, Header};
use crate::jwt::{Algorithm, JwtError, Malformed, Segment, decode_unverified};

impl KeySet {
    /// Checks `token`'s signature against these keys (claims are not
    /// validated: see [`crate::jwt::Validation`]). For tokens the client
    /// handles itself, e.g. an ID token from a browser flow.
    pub fn verify(&self, token: &str) -> Result<(), JwtError> {
        let header = decode_unverified(token)?.header;
        verify(token, &header, self)
    }
}

/// Verifies `token` (already decoded to `header`) with the keys that fit it.
/// [`JwtError::NoMatchingKey`] when no key fits the token's `alg` and `kid`,
/// [`JwtError::BadSignature`] when keys fit but none verifies.
pub(crate) fn verify(token: &str, header: &Header, keys: &KeySet) -> Result<(), JwtError> {
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or(JwtError::Malformed(Malformed::SegmentCount(1)))?;
    let signature = BASE64URL
        .decode(signature)
        .map_err(|_| JwtError::Malformed(Malformed::Base64(Segment::Signature)))?;
    if header.alg.is_symmetric() {
        return Err(JwtError::UnsupportedAlgorithm(format!("{:?}", header.alg)));
    }
    let mut tried = false;
    for key in keys.candidates(header.alg, header.kid.as_deref()) {
        tried = true;
        if verifies(key, header.alg, signing_input.as_bytes(), &signature) {
            return Ok(());
        }
    }
    Err(if tried {
        JwtError::BadSignature
    } else {
        JwtError::NoMatchingKey
    })
}

fn verifies(key: &VerificationKey, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
    use Algorithm::*;
    let rsa_params: &ring_sig::RsaParameters = match alg {
        RS256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
        RS384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
        RS512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
        PS256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
        PS384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
        PS512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
        ES256 | ES384 | EdDSA => return verifies_non_rsa(&key.key, alg, message, signature),
        HS256 | HS384 | HS512 => return false,
    };
    match &key.key {
        PublicKey::RsaComponents { n, e } => RsaPublicKeyComponents { n, e }
            .verify(rsa_params, message, signature)
            .is_ok(),
        PublicKey::RsaDer(der) => UnparsedPublicKey::new(rsa_params, der)
            .verify(message, signature)
            .is_ok(),
        _ => false,
    }
}

fn verifies_non_rsa(key: &PublicKey, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
    let (algorithm, bytes): (&dyn ring_sig::VerificationAlgorithm, &[u8]) = match (alg, key) {
        (Algorithm::ES256, PublicKey::EcP256(point)) => (&ring_sig::ECDSA_P256_SHA256_FIXED, point),
        (Algorithm::ES384, PublicKey::EcP384(point)) => (&ring_sig::ECDSA_P384_SHA384_FIXED, point),
        (Algorithm::EdDSA, PublicKey::Ed25519(raw)) => (&ring_sig::ED25519, raw),
        _ => return false,
    };
    UnparsedPublicKey::new(algorithm, bytes)
        .verify(message, signature)
        .is_ok()
}
