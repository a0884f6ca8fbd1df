//! Public keys a token may be verified with: parsed from a JWKS (RFC 7517)
//! or a PEM, each bound to the algorithms its type allows, so a token's
//! header can never pick an algorithm its key was not made for.

use std::fmt;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::jwt::Algorithm;
use crate::jwt::decode::BASE64URL;

/// A JWKS larger than this is refused unread (real ones are a few KiB).
pub const MAX_JWKS_LEN: usize = 256 * 1024;
/// Keys beyond this many in one JWKS are ignored.
const MAX_KEYS: usize = 64;

/// Why keys could not be read. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the JWKS is larger than {MAX_JWKS_LEN} bytes")]
    TooLarge,
    #[error("the JWKS is not a JSON object with a \"keys\" array")]
    NotAJwks,
    #[error("the JWKS has no key usable for signature verification")]
    NoUsableKey,
    #[error("the PEM is not a {0} public key")]
    BadPem(&'static str),
    #[error("{0} cannot be used to verify tokens on a client")]
    RefusedAlgorithm(&'static str),
}

/// The raw public key, in the form ring verifies with.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// Modulus and exponent, big-endian.
    RsaComponents {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// An RSAPublicKey (PKCS#1) DER, as read from a PEM.
    RsaDer(Vec<u8>),
    /// An uncompressed point (0x04 ‖ x ‖ y).
    EcP256(Vec<u8>),
    EcP384(Vec<u8>),
    Ed25519(Vec<u8>),
}

impl PublicKey {
    /// Whether this type of key can verify `alg` at all.
    fn fits(&self, alg: Algorithm) -> bool {
        use Algorithm::*;
        match self {
            PublicKey::RsaComponents { .. } | PublicKey::RsaDer(_) => {
                matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512)
            }
            PublicKey::EcP256(_) => alg == ES256,
            PublicKey::EcP384(_) => alg == ES384,
            PublicKey::Ed25519(_) => alg == EdDSA,
        }
    }
}

/// One key with what it may verify.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationKey {
    pub(crate) kid: Option<String>,
    /// Pinned by the JWK's `alg` or the app's configuration; otherwise any
    /// algorithm the key type fits.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key: PublicKey,
}

impl VerificationKey {
    pub(crate) fn accepts(&self, alg: Algorithm) -> bool {
        self.key.fits(alg) && self.alg.is_none_or(|pinned| pinned == alg)
    }
}

impl fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The keys tokens are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    pub(crate) keys: Vec<VerificationKey>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<Value>,
}

impl KeySet {
    /// Reads a JWKS. Keys this client cannot use — encryption keys, symmetric
    /// (`oct`) keys, unsupported curves, malformed entries — are skipped, so
    /// one odd key in a provider's set does not break verification.
    pub fn from_jwks(json: &[u8]) -> Result<Self, KeyError> {
        if json.len() > MAX_JWKS_LEN {
            return Err(KeyError::TooLarge);
        }
        let raw: RawJwks = serde_json::from_slice(json).map_err(|_| KeyError::NotAJwks)?;
        let total = raw.keys.len();
        let keys: Vec<VerificationKey> = raw
            .keys
            .into_iter()
            .take(MAX_KEYS)
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter_map(from_jwk)
            .collect();
        if keys.is_empty() {
            return Err(KeyError::NoUsableKey);
        }
        if keys.len() < total {
            tracing::debug!(
                usable = keys.len(),
                total,
                "skipped JWKS entries this client cannot verify with"
            );
        }
        Ok(Self { keys })
    }

    /// One PEM public key (SPKI, or PKCS#1 for RSA) for the one algorithm
    /// the app says its server signs with.
    pub fn from_pem(pem: &str, alg: Algorithm) -> Result<Self, KeyError> {
        if alg.is_symmetric() {
            return Err(KeyError::RefusedAlgorithm("HMAC (HS*)"));
        }
        let key = VerificationKey {
            kid: None,
            alg: Some(alg),
            key: pem_public_key(pem)?,
        };
        if !key.accepts(alg) {
            return Err(KeyError::BadPem(match alg {
                Algorithm::ES256 => "EC P-256",
                Algorithm::ES384 => "EC P-384",
                Algorithm::EdDSA => "Ed25519",
                _ => "RSA",
            }));
        }
        Ok(Self { keys: vec![key] })
    }

    /// Keys that may verify a token with this header: compatible with `alg`,
    /// and with the token's `kid` when both sides name one.
    pub(crate) fn candidates<'a>(
        &'a self,
        alg: Algorithm,
        kid: Option<&'a str>,
    ) -> impl Iterator<Item = &'a VerificationKey> + 'a {
        self.keys.iter().filter(move |key| {
            key.accepts(alg)
                && match (kid, &key.kid) {
                    (Some(wanted), Some(have)) => wanted == have,
                    _ => true,
                }
        })
    }

    /// Whether a key of this set carries `kid`.
    pub(crate) fn names(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid.as_deref() == Some(kid))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The members of a JWK (RFC 7517 §4, RFC 7518 §6) a verifying client reads.
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(rename = "use")]
    key_use: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

fn from_jwk(jwk: Jwk) -> Option<VerificationKey> {
    if jwk
        .key_use
        .as_deref()
        .is_some_and(|key_use| key_use != "sig")
    {
        return None;
    }
    let member = |value: &Option<String>| BASE64URL.decode(value.as_deref()?).ok();
    let key = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => {
            // Leading zero octets are not allowed (RFC 7518 §6.3.1.1), but
            // some servers send one; ring wants the minimal form.
            let minimal = |bytes: Vec<u8>| {
                let zeros = bytes.iter().take_while(|&&b| b == 0).count();
                bytes[zeros..].to_vec()
            };
            PublicKey::RsaComponents {
                n: minimal(member(&jwk.n)?),
                e: minimal(member(&jwk.e)?),
            }
        }
        ("EC", Some(curve @ ("P-256" | "P-384"))) => {
            let (x, y) = (member(&jwk.x)?, member(&jwk.y)?);
            let size = if curve == "P-256" { 32 } else { 48 };
            if x.len() != size || y.len() != size {
                return None;
            }
            ec_point([&[4u8][..], &x, &y].concat())?
        }
        ("OKP", Some("Ed25519")) => ed25519(member(&jwk.x)?)?,
        // Symmetric keys (a client must never hold one), other curves, unknown types.
        _ => return None,
    };
    let alg = match &jwk.alg {
        None => None,
        Some(name) => Some(Algorithm::parse(name).ok()?),
    };
    let key = VerificationKey {
        kid: jwk.kid,
        alg,
        key,
    };
    // A key pinned to an algorithm its type cannot do (or to HS*) is unusable.
    match key.alg {
        Some(alg) if alg.is_symmetric() || !key.accepts(alg) => None,
        _ => Some(key),
    }
}

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The key in a `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1) PEM.
fn pem_public_key(pem: &str) -> Result<PublicKey, KeyError> {
    let unreadable = KeyError::BadPem("PUBLIC KEY or RSA PUBLIC KEY");
    let (label, der) =
        spki::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| unreadable.clone())?;
    match label {
        "RSA PUBLIC KEY" => return Ok(PublicKey::RsaDer(der)),
        "PUBLIC KEY" => {}
        _ => return Err(unreadable),
    }
    let info = SubjectPublicKeyInfoRef::from_der(&der).map_err(|_| unreadable.clone())?;
    let raw = info
        .subject_public_key
        .as_bytes()
        .ok_or(unreadable.clone())?
        .to_vec();
    let key = match info.algorithm.oid {
        RSA_ENCRYPTION => Some(PublicKey::RsaDer(raw)),
        EC_PUBLIC_KEY => ec_point(raw),
        ED25519 => ed25519(raw),
        _ => None,
    };
    key.ok_or(KeyError::BadPem("RSA, EC P-256/P-384 or Ed25519"))
}

fn ec_point(point: Vec<u8>) -> Option<PublicKey> {
    match (point.first(), point.len()) {
        (Some(4), 65) => Some(PublicKey::EcP256(point)),
        (Some(4), 97) => Some(PublicKey::EcP384(point)),
        _ => None,
    }
}

fn ed25519(raw: Vec<u8>) -> Option<PublicKey> {
    (raw.len() == 32).then_some(PublicKey::Ed25519(raw))
}
