//! Sealing to the organisation, and the organisation's key at rest.
//!
//! Report contents are sealed with libsodium-compatible sealed boxes
//! (X25519 + XSalsa20-Poly1305 from the `crypto_box` crate): anyone can seal
//! to the public key, only the secret key opens. The secret key is stored
//! only wrapped: once per staff member, under a key stretched from their
//! passphrase with Argon2id and applied with XChaCha20-Poly1305. Signing in
//! unwraps it into memory for the length of a session.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::receipt::getrandom_fill;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the sealed data could not be opened: wrong key, or it was altered")]
    Open,
    #[error("the passphrase does not unlock this key")]
    Passphrase,
    #[error("a stored key is malformed: {0}")]
    Malformed(&'static str),
    #[error("key stretching failed: {0}")]
    Stretch(String),
}

/// The public half: what the server holds to seal reports.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgPublicKey(PublicKey);

/// The secret half, held in memory only while a staff member is signed in.
#[derive(Clone)]
pub struct OrgSecretKey(SecretKey);

/// What a derived key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// XChaCha20-Poly1305 key for the sensitive fields of case records.
    CaseFields,
    /// Ed25519 seed of the organisation's identity towards other
    /// organisations (signed HTCDS bundles, PSI sessions).
    ExchangeIdentity,
}

impl KeyPurpose {
    fn label(self) -> &'static str {
        match self {
            KeyPurpose::CaseFields => "ctip/cases/field-key/v1",
            KeyPurpose::ExchangeIdentity => "ctip/exchange/ed25519-seed/v1",
        }
    }
}

/// 32 secret bytes derived by [`OrgSecretKey::derive`]; zeroised on drop,
/// redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SubKey([u8; 32]);

impl SubKey {
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SubKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubKey(..)")
    }
}

/// A fresh organisation key pair.
pub struct OrgKeys {
    pub public: OrgPublicKey,
    pub secret: OrgSecretKey,
}

impl OrgKeys {
    pub fn generate() -> OrgKeys {
        let secret = SecretKey::generate(&mut OsRng);
        OrgKeys {
            public: OrgPublicKey(secret.public_key()),
            secret: OrgSecretKey(secret),
        }
    }
}

impl OrgPublicKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<OrgPublicKey, KeyError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::Malformed("a public key is 32 bytes"))?;
        Ok(OrgPublicKey(PublicKey::from(array)))
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0.as_bytes()
    }

    /// Seals `plaintext` so that only the matching secret key opens it.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.0
            .seal(&mut OsRng, plaintext)
            .expect("sealing to a valid public key does not fail")
    }
}

impl fmt::Debug for OrgPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OrgPublicKey({})",
            data_encoding::HEXLOWER.encode(&self.to_bytes()[..4])
        )
    }
}

impl OrgSecretKey {
    pub fn public(&self) -> OrgPublicKey {
        OrgPublicKey(self.0.public_key())
    }

    /// A key for one purpose, derived from this secret with HKDF-SHA256.
    /// The organisation's secret is the one thing staff unwrap at sign-in;
    /// the keys for case fields and for signing exchanges with other
    /// organisations follow from it, so one wrapped secret per staff member
    /// covers them all and no purpose's key can be used for another.
    pub fn derive(&self, purpose: KeyPurpose) -> SubKey {
        let mut secret = self.0.to_bytes();
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"ctip organisation subkey v1"), &secret);
        secret.zeroize();
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
        hk.expand(purpose.label().as_bytes(), &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        SubKey(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0.unseal(sealed).map_err(|_| KeyError::Open)
    }

    /// Wraps this key under `passphrase` for storage.
    pub fn wrap(&self, passphrase: &str) -> Result<WrappedKey, KeyError> {
        let params = StretchParams::default();
        let mut salt = [0u8; 16];
        getrandom_fill(&mut salt);
        let mut nonce = [0u8; 24];
        getrandom_fill(&mut nonce);
        let mut kek = params.stretch(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new((&kek).into());
        kek.zeroize();
        let mut secret = self.0.to_bytes();
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &secret,
                    aad: WRAP_AAD,
                },
            )
            .map_err(|_| KeyError::Malformed("key wrapping failed"))?;
        secret.zeroize();
        Ok(WrappedKey {
            params,
            salt: salt.to_vec(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }
}

impl fmt::Debug for OrgSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OrgSecretKey(…)")
    }
}

const WRAP_AAD: &[u8] = b"ctip org secret key v1";

/// Argon2id cost, stored with each wrapped key so it can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StretchParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for StretchParams {
    /// OWASP's first recommended Argon2id setting (19 MiB, 2 passes, 1 lane).
    fn default() -> Self {
        StretchParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            lanes: 1,
        }
    }
}

impl StretchParams {
    fn stretch(&self, passphrase: &str, salt: &[u8]) -> Result<[u8; 32], KeyError> {
        let params = Params::new(self.memory_kib, self.iterations, self.lanes, Some(32))
            .map_err(|e| KeyError::Stretch(e.to_string()))?;
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), salt, &mut out)
            .map_err(|e| KeyError::Stretch(e.to_string()))?;
        Ok(out)
    }
}

/// The organisation's secret key as stored: encrypted under a passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub params: StretchParams,
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
}

impl WrappedKey {
    pub fn unwrap_with(&self, passphrase: &str) -> Result<OrgSecretKey, KeyError> {
        if self.nonce.len() != 24 {
            return Err(KeyError::Malformed("a wrapping nonce is 24 bytes"));
        }
        let mut kek = self.params.stretch(passphrase, &self.salt)?;
        let cipher = XChaCha20Poly1305::new((&kek).into());
        kek.zeroize();
        let mut secret = cipher
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: WRAP_AAD,
                },
            )
            .map_err(|_| KeyError::Passphrase)?;
        let array: Result<[u8; 32], _> = secret.as_slice().try_into();
        secret.zeroize();
        let mut array = array.map_err(|_| KeyError::Malformed("a secret key is 32 bytes"))?;
        let key = SecretKey::from(array);
        array.zeroize();
        Ok(OrgSecretKey(key))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a wrapped key serialises")
    }

    pub fn from_json(text: &str) -> Result<WrappedKey, KeyError> {
        serde_json::from_str(text).map_err(|_| KeyError::Malformed("wrapped key JSON"))
    }
}

/// The reporter's key pair, derived from their receipt code.
pub struct ReporterKeys(SecretKey);

impl ReporterKeys {
    pub(crate) fn from_seed(seed: [u8; 32]) -> ReporterKeys {
        ReporterKeys(SecretKey::from(seed))
    }

    /// The public key the server stores with the report, to seal replies.
    pub fn public(&self) -> OrgPublicKey {
        OrgPublicKey(self.0.public_key())
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0.unseal(sealed).map_err(|_| KeyError::Open)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&data_encoding::HEXLOWER.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::ReceiptCode;

    #[test]
    fn sealed_data_opens_only_with_the_secret_key() {
        let org = OrgKeys::generate();
        let other = OrgKeys::generate();
        let sealed = org.public.seal(b"a report");
        assert!(!sealed.windows(8).any(|w| w == b"a report"));
        assert_eq!(org.secret.open(&sealed).unwrap(), b"a report");
        assert_eq!(other.secret.open(&sealed), Err(KeyError::Open));
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(org.secret.open(&altered), Err(KeyError::Open));
    }

    #[test]
    fn wrapped_key_needs_the_passphrase() {
        let org = OrgKeys::generate();
        let wrapped = org.secret.wrap("correct horse battery staple").unwrap();
        let json = wrapped.to_json();
        let back = WrappedKey::from_json(&json).unwrap();
        let unwrapped = back.unwrap_with("correct horse battery staple").unwrap();
        assert_eq!(unwrapped.public(), org.public);
        assert_eq!(back.unwrap_with("wrong").err(), Some(KeyError::Passphrase));
        assert!(WrappedKey::from_json("{}").is_err());
    }

    #[test]
    fn replies_sealed_to_a_receipt_open_with_the_same_code_only() {
        let code = ReceiptCode::generate();
        let public = code.reporter_keys().public();
        let sealed = public.seal(b"we received your report");
        let again = ReceiptCode::parse(&code.display()).unwrap();
        assert_eq!(
            again.reporter_keys().open(&sealed).unwrap(),
            b"we received your report"
        );
        assert!(
            ReceiptCode::generate()
                .reporter_keys()
                .open(&sealed)
                .is_err()
        );
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_organisation_and_survive_wrapping() {
        let org = OrgKeys::generate();
        let fields = org.secret.derive(KeyPurpose::CaseFields);
        let identity = org.secret.derive(KeyPurpose::ExchangeIdentity);
        assert_ne!(fields.expose(), identity.expose());
        let other = OrgKeys::generate();
        assert_ne!(
            fields.expose(),
            other.secret.derive(KeyPurpose::CaseFields).expose()
        );
        let unwrapped = org
            .secret
            .wrap("correct horse battery staple")
            .unwrap()
            .unwrap_with("correct horse battery staple")
            .unwrap();
        assert_eq!(
            unwrapped.derive(KeyPurpose::CaseFields).expose(),
            fields.expose()
        );
        assert_eq!(format!("{fields:?}"), "SubKey(..)");
    }
}
