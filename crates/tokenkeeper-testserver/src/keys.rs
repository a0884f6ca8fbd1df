//! The signing key generated at start-up, its JWKS, and JWT signing/verification with it.
//!
//! No key material lives in the repository: each server generates a fresh key pair with
//! aws-lc-rs (RSA 2048 for RS256, P-256 for ES256). The `kid` is the key's RFC 7638
//! SHA-256 thumbprint.

use std::io;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::SigningAlg;

/// Why a JWT was not accepted.
#[derive(Debug)]
pub(crate) enum VerifyError {
    /// Not a JWT, wrong algorithm, unknown `kid`, bad signature, wrong `iss`/`aud`,
    /// missing claims, not yet valid.
    Invalid(String),
    /// `exp` has passed.
    Expired,
}

pub(crate) struct SigningKeys {
    alg: SigningAlg,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwks_json: String,
}

impl SigningKeys {
    /// Generates a new key pair for `alg`.
    pub(crate) fn generate(alg: SigningAlg) -> io::Result<Self> {
        let encoding = match alg {
            SigningAlg::Rs256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(crypto_err)?;
                let pkcs8: Pkcs8V1Der<'static> = pair.as_der().map_err(crypto_err)?;
                // jsonwebtoken wants PKCS#1 DER for RSA; its PEM reader unwraps PKCS#8.
                EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes())
                    .map_err(jwt_err)?
            }
            SigningAlg::Es256 => {
                let pair =
                    EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(crypto_err)?;
                let pkcs8 = pair.to_pkcs8v1().map_err(crypto_err)?;
                EncodingKey::from_ec_der(pkcs8.as_ref())
            }
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.jwt_algorithm()).map_err(jwt_err)?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(jwt_err)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        // Verify with the key as published, so the JWKS is exercised by every request.
        let decoding = DecodingKey::from_jwk(&jwk).map_err(jwt_err)?;
        let jwks_json =
            serde_json::to_string(&JwkSet { keys: vec![jwk] }).map_err(io::Error::other)?;
        Ok(SigningKeys {
            alg,
            kid,
            encoding,
            decoding,
            jwks_json,
        })
    }

    pub(crate) fn alg(&self) -> SigningAlg {
        self.alg
    }

    pub(crate) fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    /// Signs `claims` with a header carrying `alg`, `typ` and `kid`.
    pub(crate) fn sign<T: Serialize>(
        &self,
        claims: &T,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(self.alg.jwt_algorithm());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }

    /// A validation for this key's algorithm with no leeway; the caller adds `iss`/`aud`.
    pub(crate) fn validation(&self) -> Validation {
        let mut validation = Validation::new(self.alg.jwt_algorithm());
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation
    }

    /// Checks the header's `kid`, the signature and `validation`, then decodes the claims.
    pub(crate) fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, VerifyError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| VerifyError::Invalid(format!("malformed token: {e}")))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(VerifyError::Invalid("unknown key id".to_owned()));
        }
        jsonwebtoken::decode::<T>(token, &self.decoding, validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => VerifyError::Expired,
                _ => VerifyError::Invalid(format!("invalid token: {e}")),
            })
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn crypto_err(e: aws_lc_rs::error::Unspecified) -> io::Error {
    io::Error::other(format!("key generation failed: {e}"))
}

fn jwt_err(e: jsonwebtoken::errors::Error) -> io::Error {
    io::Error::other(format!("signing key setup failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    fn round_trip(alg: SigningAlg) {
        let keys = SigningKeys::generate(alg).expect("key generation");
        let claims = Claims {
            sub: "user-1".into(),
            exp: 4_000_000_000,
        };
        let token = keys.sign(&claims).expect("sign");
        let mut validation = keys.validation();
        validation.validate_aud = false;
        let back: Claims = keys.verify(&token, &validation).expect("verify");
        assert_eq!(back, claims);
        let jwks: serde_json::Value = serde_json::from_str(keys.jwks_json()).expect("jwks json");
        assert_eq!(jwks["keys"][0]["alg"], alg.as_str());
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["kid"], keys.kid.as_str());
    }

    #[test]
    fn rs256_round_trip() {
        round_trip(SigningAlg::Rs256);
    }

    #[test]
    fn es256_round_trip() {
        round_trip(SigningAlg::Es256);
    }
}
