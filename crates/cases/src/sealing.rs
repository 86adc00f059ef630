//! Field-level encryption of case documents at rest.
//!
//! Every value at one of [`Case::sensitive_paths`] (names, birth dates,
//! contact details, identity numbers, free text) is replaced by a string
//! `ctip:sealed:v1:<base64>` holding a random 24-byte nonce and the
//! XChaCha20-Poly1305 encryption of the value's JSON, under the tenant's
//! [`FieldKey`]. The associated data binds each ciphertext to its case and
//! its JSON pointer, so a sealed value cannot be moved to another field or
//! another case without opening failing. Everything else (picklists, dates
//! of events, countries, consent records) stays readable, which is what
//! listings, retention and statistics need without the key.
//!
//! The key comes from the server (derived from the tenant's secret, which
//! exists only inside signed-in sessions); this module never stores it.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::import::{ImportError, escape_pointer_token, import_case_value};
use crate::model::Case;

const PREFIX: &str = "ctip:sealed:v1:";
const NONCE_LEN: usize = 24;

/// The tenant's key for case fields.
pub struct FieldKey(Zeroizing<[u8; 32]>);

impl FieldKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        FieldKey(Zeroizing::new(*bytes))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.0).into())
    }
}

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldKey(..)")
    }
}

/// Why a stored document could not be opened. Never carries a value.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the stored case is not JSON: {0}")]
    NotJson(String),
    #[error("sealed field {pointer}: wrong key, or the value was altered or moved")]
    Open { pointer: String },
    #[error("sealed field {pointer} is malformed")]
    Malformed { pointer: String },
    #[error("the opened case does not fit the model ({count} problems, first at {first})")]
    Invalid { count: usize, first: String },
}

fn aad(case_id: &str, pointer: &str) -> Vec<u8> {
    let mut aad = b"ctip case field v1\0".to_vec();
    aad.extend_from_slice(case_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(pointer.as_bytes());
    aad
}

/// The case as stored: its HTCDS document with every sensitive value sealed.
pub fn seal_case(case: &Case, key: &FieldKey) -> String {
    let mut document = crate::export_case(case);
    let cipher = key.cipher();
    for path in case.sensitive_paths() {
        let Some(slot) = document.pointer_mut(&path.pointer) else {
            continue;
        };
        let plaintext = Zeroizing::new(slot.to_string());
        let mut nonce = [0u8; NONCE_LEN];
        // The OS generator failing is not something a server can work around.
        getrandom::fill(&mut nonce).expect("the operating system's random generator works");
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad(case.id.as_str(), &path.pointer),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message under 256 GiB");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        *slot = Value::String(format!(
            "{PREFIX}{}",
            data_encoding::BASE64URL_NOPAD.encode(&sealed)
        ));
    }
    document.to_string()
}

/// Opens a stored document with the tenant's key and validates it back into
/// a [`Case`]. `case_id` is the id the row is stored under: a document whose
/// id differs fails to open.
pub fn open_case(stored: &str, case_id: &str, key: &FieldKey) -> Result<Case, SealError> {
    let mut document: Value =
        serde_json::from_str(stored).map_err(|e| SealError::NotJson(e.to_string()))?;
    open_values(&mut document, "", case_id, &key.cipher())?;
    import_case_value(&document).map_err(|errors| invalid(&errors))
}

fn invalid(errors: &[ImportError]) -> SealError {
    SealError::Invalid {
        count: errors.len(),
        first: errors
            .first()
            .map(|e| e.pointer.clone())
            .unwrap_or_default(),
    }
}

/// The stored document with sealed values left sealed: what a reader
/// without the key (retention, listings) may look at.
pub fn stored_document(stored: &str) -> Result<Value, SealError> {
    serde_json::from_str(stored).map_err(|e| SealError::NotJson(e.to_string()))
}

fn open_values(
    value: &mut Value,
    pointer: &str,
    case_id: &str,
    cipher: &XChaCha20Poly1305,
) -> Result<(), SealError> {
    match value {
        Value::String(text) if text.starts_with(PREFIX) => {
            let malformed = || SealError::Malformed {
                pointer: pointer.to_owned(),
            };
            let bytes = data_encoding::BASE64URL_NOPAD
                .decode(&text.as_bytes()[PREFIX.len()..])
                .map_err(|_| malformed())?;
            if bytes.len() < NONCE_LEN {
                return Err(malformed());
            }
            let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
            let plaintext = Zeroizing::new(
                cipher
                    .decrypt(
                        XNonce::from_slice(nonce),
                        Payload {
                            msg: ciphertext,
                            aad: &aad(case_id, pointer),
                        },
                    )
                    .map_err(|_| SealError::Open {
                        pointer: pointer.to_owned(),
                    })?,
            );
            *value = serde_json::from_slice(&plaintext).map_err(|_| malformed())?;
            Ok(())
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                open_values(item, &format!("{pointer}/{index}"), case_id, cipher)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let child = format!("{pointer}/{}", escape_pointer_token(key));
                open_values(item, &child, case_id, cipher)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
