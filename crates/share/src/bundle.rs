//! Signed bundles of HTCDS cases, for handing cases to another organisation.
//!
//! A bundle is one JSON object (format `ctip-signed-htcds-bundle`, version 1):
//!
//! ```json
//! {"format":"ctip-signed-htcds-bundle","version":1,
//!  "sender":{"name":"Org A","public_key":"<64 hex digits>"},
//!  "created_day":"2025-03-01","recipient":"Org B",
//!  "cases":[ …HTCDS case documents… ],
//!  "signature":"<128 hex digits>"}
//! ```
//!
//! `recipient` may be `null` (a bundle for whoever the sender hands it to).
//! `cases` is an HTCDS bundle as `ctip_cases::export_bundle` writes it; this
//! module checks only that it is a JSON array. Whether each document is a
//! valid case is the receiving server's question (`ctip_cases::import_bundle`),
//! so this crate does not depend on the case model.
//!
//! # What is signed
//!
//! The Ed25519 signature covers a byte string built from the typed fields,
//! never re-serialised JSON (whose key order and number formatting depend on
//! the serialiser): the domain tag `ctip/exchange/signed-htcds-bundle\0`, the
//! version as a big-endian u32, then each of format, sender name, sender key
//! (32 bytes), created day, recipient (a presence byte, then the name) and
//! the SHA-256 of the `cases` value's exact bytes in the envelope, each as a
//! big-endian u64 length followed by the bytes. Changing any field, or any
//! byte of the payload (even whitespace), breaks the signature; the payload
//! the receiver validates is exactly the text that was signed.
//!
//! [`VerifiedBundle::bundle_id`] is the SHA-256 of that signed byte string.
//! Two envelopes carrying the same signed content have the same id even if
//! someone re-wrapped them with different whitespace between fields, so the
//! receiver can refuse a replay by id.
//!
//! # What verification does not do
//!
//! It does not decide whom to trust: the caller passes the keys of the
//! organisations it has agreed to exchange with, obtained out of band. No
//! I/O, no clock: the created day is a claim of the sender, covered by the
//! signature, and the receiver compares it with its own day.

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// The `format` field of every signed bundle.
pub const FORMAT: &str = "ctip-signed-htcds-bundle";
/// The only `version` this code reads and writes.
pub const VERSION: u32 = 1;
/// Largest envelope accepted, in bytes: far above any real exchange, small
/// enough that a hostile file cannot exhaust memory.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Longest organisation name, in characters (as for tenants).
pub const MAX_NAME_CHARS: usize = 120;

const DOMAIN: &[u8] = b"ctip/exchange/signed-htcds-bundle\0";
const TOP_FIELDS: [&str; 7] = [
    "format",
    "version",
    "sender",
    "created_day",
    "recipient",
    "cases",
    "signature",
];
const SENDER_FIELDS: [&str; 2] = ["name", "public_key"];

/// Why a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Larger than [`MAX_BUNDLE_BYTES`].
    #[error("the bundle is {size} bytes; at most {max} are accepted", max = MAX_BUNDLE_BYTES)]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not JSON at all (truncated files end up here).
    #[error("not a signed bundle: invalid JSON at line {line}, column {column}")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The `format` field names something else.
    #[error("not a ctip signed bundle: /format is not {FORMAT:?}")]
    UnknownFormat,
    /// A version this code does not read.
    #[error("signed bundle version {found} is not supported (this ctip reads version {VERSION})")]
    UnsupportedVersion {
        /// The version in the bundle.
        found: u64,
    },
    /// A field is missing, repeated, unknown or of the wrong form.
    #[error("{pointer}: {problem}")]
    Malformed {
        /// RFC 6901 pointer of the field (`""`: the whole envelope).
        pointer: String,
        /// What is wrong (never the value found).
        problem: &'static str,
    },
    /// The signature does not match the content and the key it names.
    #[error(
        "the signature does not verify: the bundle was altered after signing, or not signed by the key it names"
    )]
    BadSignature,
    /// Validly signed, by a key the caller does not trust.
    #[error("the bundle is signed by {key}, which is not one of the trusted organisation keys")]
    UntrustedSender {
        /// The signing key.
        key: IdentityKey,
    },
}

/// Why a bundle could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A header field is not acceptable.
    #[error("{field}: {problem}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// The payload is not a JSON array of case documents.
    #[error("the cases must be a JSON array of case documents")]
    PayloadNotArray,
    /// The envelope would exceed [`MAX_BUNDLE_BYTES`].
    #[error("the bundle would be {size} bytes; at most {max} are accepted", max = MAX_BUNDLE_BYTES)]
    TooLarge {
        /// Its size.
        size: usize,
    },
}

/// Why a text is not an organisation's identity key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    /// Not 64 lower- or upper-case hex digits.
    #[error("expected 64 hex digits")]
    NotHex,
    /// Not a point of the curve.
    #[error("not an Ed25519 public key")]
    NotAKey,
    /// A small-order point, for which signatures mean nothing.
    #[error("a weak (small-order) Ed25519 key")]
    Weak,
}

/// An organisation's public identity towards other organisations: an
/// Ed25519 verifying key, written as 64 lower-case hex digits. Only its 32
/// bytes are kept (checked to be a usable key), so it is cheap to copy,
/// compare and carry in errors.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityKey([u8; 32]);

fn verifying_key(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyParseError> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyParseError::NotAKey)?;
    if key.is_weak() {
        return Err(KeyParseError::Weak);
    }
    Ok(key)
}

impl IdentityKey {
    /// The key with these bytes.
    ///
    /// # Errors
    /// If they are not a usable Ed25519 public key.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyParseError> {
        verifying_key(bytes).map(|_| Self(*bytes))
    }

    /// The key from its hex form (either case).
    ///
    /// # Errors
    /// If the text is not 64 hex digits of a usable key.
    pub fn from_hex(text: &str) -> Result<Self, KeyParseError> {
        let bytes: [u8; 32] = decode_hex(text, false).ok_or(KeyParseError::NotHex)?;
        Self::from_bytes(&bytes)
    }

    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        encode_hex(&self.to_bytes())
    }
}

impl fmt::Display for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityKey({})", self.to_hex())
    }
}

impl std::str::FromStr for IdentityKey {
    type Err = KeyParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::from_hex(text)
    }
}

/// The secret half of an organisation's identity. The server derives its
/// seed from the organisation's key (`KeyPurpose::ExchangeIdentity`), so it
/// exists only while a staff member's password has the key unwrapped.
pub struct IdentitySigner(SigningKey);

impl IdentitySigner {
    /// The signer for a 32-byte seed (ed25519-dalek zeroises it on drop).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    /// The public key others verify with.
    pub fn public_key(&self) -> IdentityKey {
        IdentityKey(self.0.verifying_key().to_bytes())
    }
}

impl fmt::Debug for IdentitySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IdentitySigner(public {}, secret withheld)",
            self.public_key()
        )
    }
}

/// What a bundle says about itself, besides the cases.
#[derive(Debug, Clone, Copy)]
pub struct BundleHeader<'a> {
    /// The sending organisation's name.
    pub sender_name: &'a str,
    /// The day the bundle was made (`YYYY-MM-DD`).
    pub created_day: &'a str,
    /// The organisation it is meant for, if one.
    pub recipient: Option<&'a str>,
}

/// Signs `cases` (an HTCDS bundle: a JSON array of case documents) and
/// returns the envelope's bytes (compact JSON and a final newline).
///
/// # Errors
/// A header field that [`verify`] would refuse, a payload that is not an
/// array, or an envelope over [`MAX_BUNDLE_BYTES`].
pub fn sign(
    signer: &IdentitySigner,
    header: &BundleHeader<'_>,
    cases: &serde_json::Value,
) -> Result<Vec<u8>, SignError> {
    let invalid = |field, problem| SignError::InvalidField { field, problem };
    check_name(header.sender_name).map_err(|problem| invalid("sender name", problem))?;
    if let Some(recipient) = header.recipient {
        check_name(recipient).map_err(|problem| invalid("recipient", problem))?;
    }
    if !is_iso_day(header.created_day) {
        return Err(invalid("created day", DAY_PROBLEM));
    }
    if !cases.is_array() {
        return Err(SignError::PayloadNotArray);
    }
    let payload = serde_json::value::to_raw_value(cases).map_err(|_| SignError::PayloadNotArray)?;
    let sender_key = signer.public_key();
    let message = signed_message(
        header.sender_name,
        &sender_key,
        header.created_day,
        header.recipient,
        payload.get().as_bytes(),
    );
    let signature = signer.0.sign(&message);
    let envelope = EnvelopeOut {
        format: FORMAT,
        version: VERSION,
        sender: SenderOut {
            name: header.sender_name,
            public_key: sender_key.to_hex(),
        },
        created_day: header.created_day,
        recipient: header.recipient,
        cases: &payload,
        signature: encode_hex(&signature.to_bytes()),
    };
    let mut bytes = serde_json::to_vec(&envelope).map_err(|_| SignError::PayloadNotArray)?;
    bytes.push(b'\n');
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(SignError::TooLarge { size: bytes.len() });
    }
    Ok(bytes)
}

/// A bundle whose signature checks out under a trusted key.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedBundle {
    sender_name: String,
    sender_key: IdentityKey,
    created_day: String,
    recipient: Option<String>,
    cases_json: String,
    case_count: usize,
    bundle_id: [u8; 32],
}

impl VerifiedBundle {
    /// The sending organisation's name, as it signed it.
    pub fn sender_name(&self) -> &str {
        &self.sender_name
    }

    /// The key that signed it (one of the trusted keys).
    pub fn sender_key(&self) -> IdentityKey {
        self.sender_key
    }

    /// The day the sender says it made the bundle (`YYYY-MM-DD`).
    pub fn created_day(&self) -> &str {
        &self.created_day
    }

    /// The organisation it is meant for, if the sender named one.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient.as_deref()
    }

    /// The HTCDS bundle, exactly the text that was signed (a JSON array).
    pub fn cases_json(&self) -> &str {
        &self.cases_json
    }

    /// How many entries the `cases` array has.
    pub fn case_count(&self) -> usize {
        self.case_count
    }

    /// SHA-256 of the signed content: the same for every copy of this
    /// bundle, different for any other.
    pub fn bundle_id(&self) -> [u8; 32] {
        self.bundle_id
    }

    /// [`Self::bundle_id`] as 64 lower-case hex digits.
    pub fn bundle_id_hex(&self) -> String {
        encode_hex(&self.bundle_id)
    }
}

impl fmt::Debug for VerifiedBundle {
    // The cases are personal data: never in a debug line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedBundle")
            .field("sender_name", &self.sender_name)
            .field("sender_key", &self.sender_key)
            .field("created_day", &self.created_day)
            .field("recipient", &self.recipient)
            .field("case_count", &self.case_count)
            .field("bundle_id", &self.bundle_id_hex())
            .finish_non_exhaustive()
    }
}

/// Parses a signed bundle, checks its signature, and checks that the key
/// that signed it is one of `trusted`.
///
/// Format and version are read first, so a bundle of another format or of a
/// later version is named as such rather than as a list of unknown fields.
///
/// # Errors
/// The first problem found: size, JSON syntax, format, version, a malformed
/// field (with its pointer), the signature, then trust.
pub fn verify(bytes: &[u8], trusted: &[IdentityKey]) -> Result<VerifiedBundle, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge { size: bytes.len() });
    }
    let top: Fields<'_> =
        serde_json::from_slice(bytes).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => malformed("", "expected a JSON object"),
            _ => BundleError::NotJson {
                line: error.line(),
                column: error.column(),
            },
        })?;
    let format: String = string(top.required("", "format")?, "/format")?;
    if format != FORMAT {
        return Err(BundleError::UnknownFormat);
    }
    let version: u64 = serde_json::from_str(top.required("", "version")?.get())
        .map_err(|_| malformed("/version", "expected a whole number"))?;
    if version != u64::from(VERSION) {
        return Err(BundleError::UnsupportedVersion { found: version });
    }
    top.check_keys("", &TOP_FIELDS)?;

    let sender = Fields::of(top.required("", "sender")?, "/sender")?;
    sender.check_keys("/sender", &SENDER_FIELDS)?;
    let sender_name = string(sender.required("/sender", "name")?, "/sender/name")?;
    check_name(&sender_name).map_err(|problem| malformed("/sender/name", problem))?;
    let key_text = string(
        sender.required("/sender", "public_key")?,
        "/sender/public_key",
    )?;
    let key_bytes = decode_hex::<32>(&key_text, true)
        .ok_or_else(|| malformed("/sender/public_key", "expected 64 lower-case hex digits"))?;
    let verifying = verifying_key(&key_bytes)
        .map_err(|_| malformed("/sender/public_key", "not a usable Ed25519 public key"))?;
    let sender_key = IdentityKey(key_bytes);

    let created_day = string(top.required("", "created_day")?, "/created_day")?;
    if !is_iso_day(&created_day) {
        return Err(malformed("/created_day", DAY_PROBLEM));
    }
    let recipient: Option<String> = serde_json::from_str(top.required("", "recipient")?.get())
        .map_err(|_| malformed("/recipient", "expected a name or null"))?;
    if let Some(recipient) = &recipient {
        check_name(recipient).map_err(|problem| malformed("/recipient", problem))?;
    }
    let cases = top.required("", "cases")?;
    let case_count = serde_json::from_str::<Vec<&RawValue>>(cases.get())
        .map_err(|_| malformed("/cases", "expected an array of case documents"))?
        .len();
    let signature_text = string(top.required("", "signature")?, "/signature")?;
    let signature = decode_hex::<64>(&signature_text, true)
        .map(|bytes| Signature::from_bytes(&bytes))
        .ok_or_else(|| malformed("/signature", "expected 128 lower-case hex digits"))?;

    let message = signed_message(
        &sender_name,
        &sender_key,
        &created_day,
        recipient.as_deref(),
        cases.get().as_bytes(),
    );
    // `verify_strict` also refuses malleable signatures, so one content has
    // one valid signature per key.
    verifying
        .verify_strict(&message, &signature)
        .map_err(|_| BundleError::BadSignature)?;
    if !trusted.contains(&sender_key) {
        return Err(BundleError::UntrustedSender { key: sender_key });
    }
    Ok(VerifiedBundle {
        sender_name,
        sender_key,
        created_day,
        recipient,
        cases_json: cases.get().to_owned(),
        case_count,
        bundle_id: Sha256::digest(&message).into(),
    })
}

/// The byte string the signature covers; see the module documentation.
fn signed_message(
    sender_name: &str,
    sender_key: &IdentityKey,
    created_day: &str,
    recipient: Option<&str>,
    cases: &[u8],
) -> Vec<u8> {
    fn put(message: &mut Vec<u8>, bytes: &[u8]) {
        message.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        message.extend_from_slice(bytes);
    }
    let mut message = Vec::with_capacity(DOMAIN.len() + 256);
    message.extend_from_slice(DOMAIN);
    message.extend_from_slice(&VERSION.to_be_bytes());
    put(&mut message, FORMAT.as_bytes());
    put(&mut message, sender_name.as_bytes());
    put(&mut message, &sender_key.to_bytes());
    put(&mut message, created_day.as_bytes());
    match recipient {
        None => message.push(0),
        Some(recipient) => {
            message.push(1);
            put(&mut message, recipient.as_bytes());
        }
    }
    put(&mut message, &Sha256::digest(cases));
    message
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'a str,
    version: u32,
    sender: SenderOut<'a>,
    created_day: &'a str,
    recipient: Option<&'a str>,
    cases: &'a RawValue,
    signature: String,
}

#[derive(Serialize)]
struct SenderOut<'a> {
    name: &'a str,
    public_key: String,
}

/// An object's members in document order, repeats included, each value
/// kept as its raw text, so that every check can name its pointer.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key, value));
                }
                Ok(Fields(members))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

impl<'a> Fields<'a> {
    fn of(raw: &'a RawValue, pointer: &str) -> Result<Self, BundleError> {
        serde_json::from_str(raw.get()).map_err(|_| malformed(pointer, "expected a JSON object"))
    }

    fn required(&self, pointer: &str, key: &'static str) -> Result<&'a RawValue, BundleError> {
        self.0
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
            .ok_or_else(|| malformed(&format!("{pointer}/{key}"), "missing"))
    }

    /// Refuses repeated keys (a parser that kept the other copy would see
    /// another bundle) and keys outside `allowed`.
    fn check_keys(&self, pointer: &str, allowed: &[&str]) -> Result<(), BundleError> {
        for (index, (key, _)) in self.0.iter().enumerate() {
            let at = || format!("{pointer}/{}", pointer_token(key));
            if !allowed.contains(&key.as_str()) {
                return Err(malformed(&at(), "unknown field"));
            }
            if self.0[..index].iter().any(|(earlier, _)| earlier == key) {
                return Err(malformed(&at(), "repeats an earlier field"));
            }
        }
        Ok(())
    }
}

fn malformed(pointer: &str, problem: &'static str) -> BundleError {
    BundleError::Malformed {
        pointer: pointer.to_owned(),
        problem,
    }
}

fn string(raw: &RawValue, pointer: &str) -> Result<String, BundleError> {
    serde_json::from_str(raw.get()).map_err(|_| malformed(pointer, "expected a string"))
}

/// An unknown key as a pointer token (RFC 6901 escapes), cut to 64
/// characters: it comes from the file and could be anything.
fn pointer_token(key: &str) -> String {
    let cut: String = key
        .chars()
        .take(64)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    cut.replace('~', "~0").replace('/', "~1")
}

const NAME_PROBLEM: &str =
    "expected 1 to 120 characters, no control characters, no surrounding spaces";
const DAY_PROBLEM: &str = "expected a calendar date YYYY-MM-DD";

fn check_name(name: &str) -> Result<(), &'static str> {
    let count = name.chars().count();
    if count == 0
        || count > MAX_NAME_CHARS
        || name.trim() != name
        || name.chars().any(char::is_control)
    {
        return Err(NAME_PROBLEM);
    }
    Ok(())
}

/// Whether `text` is a proleptic Gregorian date written `YYYY-MM-DD`.
fn is_iso_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// `N` bytes from `2N` hex digits; `lower_only` refuses upper case, so the
/// envelope has one spelling of each value.
fn decode_hex<const N: usize>(text: &str, lower_only: bool) -> Option<[u8; N]> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' if !lower_only => Some(b - b'A' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signer(seed: u8) -> IdentitySigner {
        IdentitySigner::from_seed(&[seed; 32])
    }

    fn cases() -> serde_json::Value {
        json!([
            {"id": "case-1", "htcds_version": "2.0", "victim": {"id": "v-1", "prs_FirstName": "Ana"}},
            {"id": "case-2", "htcds_version": "2.0", "victim": {"id": "v-2"}, "n": 3.5e0}
        ])
    }

    fn header() -> BundleHeader<'static> {
        BundleHeader {
            sender_name: "Org A",
            created_day: "2025-03-01",
            recipient: Some("Org B"),
        }
    }

    fn signed() -> Vec<u8> {
        sign(&signer(1), &header(), &cases()).expect("a valid bundle signs")
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// The bundle with one exact substring replaced.
    fn edited(from: &str, to: &str) -> Vec<u8> {
        let original = text(&signed());
        assert_eq!(original.matches(from).count(), 1, "{from} occurs once");
        original.replacen(from, to, 1).into_bytes()
    }

    #[test]
    fn a_signed_bundle_verifies_and_keeps_every_field() {
        let key = signer(1).public_key();
        let bundle = verify(&signed(), &[signer(2).public_key(), key]).expect("verifies");
        assert_eq!(bundle.sender_name(), "Org A");
        assert_eq!(bundle.sender_key(), key);
        assert_eq!(bundle.created_day(), "2025-03-01");
        assert_eq!(bundle.recipient(), Some("Org B"));
        assert_eq!(bundle.case_count(), 2);
        let payload: serde_json::Value = serde_json::from_str(bundle.cases_json()).unwrap();
        assert_eq!(payload, cases());
        assert_eq!(bundle.bundle_id_hex().len(), 64);
    }

    #[test]
    fn a_bundle_without_recipient_verifies() {
        let header = BundleHeader {
            recipient: None,
            ..header()
        };
        let bytes = sign(&signer(1), &header, &json!([])).unwrap();
        let bundle = verify(&bytes, &[signer(1).public_key()]).unwrap();
        assert_eq!(bundle.recipient(), None);
        assert_eq!(bundle.case_count(), 0);
    }

    #[test]
    fn signing_is_deterministic_and_ids_follow_content() {
        assert_eq!(signed(), signed());
        let trusted = [signer(1).public_key()];
        let id = verify(&signed(), &trusted).unwrap().bundle_id();
        let other_day = BundleHeader {
            created_day: "2025-03-02",
            ..header()
        };
        let other = sign(&signer(1), &other_day, &cases()).unwrap();
        assert_ne!(verify(&other, &trusted).unwrap().bundle_id(), id);
    }

    #[test]
    fn whitespace_between_envelope_fields_keeps_the_id() {
        let trusted = [signer(1).public_key()];
        let original = verify(&signed(), &trusted).unwrap();
        let spaced = text(&signed())
            .replacen("{\"format\"", "{ \"format\"", 1)
            .replacen(",\"signature\"", ",\n  \"signature\"", 1);
        let again = verify(spaced.as_bytes(), &trusted).expect("still the same signed content");
        assert_eq!(again.bundle_id(), original.bundle_id());
    }

    #[test]
    fn changing_any_signed_field_breaks_the_signature() {
        let other_key = signer(9).public_key().to_hex();
        let own_key = signer(1).public_key().to_hex();
        let tamperings = [
            ("\"name\":\"Org A\"", "\"name\":\"Org X\"".to_owned()),
            (own_key.as_str(), other_key.clone()),
            (
                "\"created_day\":\"2025-03-01\"",
                "\"created_day\":\"2025-03-02\"".to_owned(),
            ),
            (
                "\"recipient\":\"Org B\"",
                "\"recipient\":\"Org C\"".to_owned(),
            ),
            ("\"recipient\":\"Org B\"", "\"recipient\":null".to_owned()),
            (
                "\"prs_FirstName\":\"Ana\"",
                "\"prs_FirstName\":\"Ann\"".to_owned(),
            ),
            ("3.5", "3.50".to_owned()),
            ("\"id\":\"case-1\"", "\"id\": \"case-1\"".to_owned()),
        ];
        for (from, to) in tamperings {
            let result = verify(
                &edited(from, &to),
                &[signer(1).public_key(), signer(9).public_key()],
            );
            assert_eq!(result, Err(BundleError::BadSignature), "{from} -> {to}");
        }
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes = signed();
        let trusted = [signer(1).public_key()];
        for position in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[position] ^= 0x01;
            assert!(
                verify(&flipped, &trusted).is_err(),
                "a flip at byte {position} was accepted"
            );
        }
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = signed();
        let trusted = [signer(1).public_key()];
        // The last byte is the newline, which JSON does not need.
        for length in 0..bytes.len() - 1 {
            assert!(
                verify(&bytes[..length], &trusted).is_err(),
                "length {length}"
            );
        }
        assert!(matches!(
            verify(&bytes[..bytes.len() / 2], &trusted),
            Err(BundleError::NotJson { line: 1, .. })
        ));
    }

    #[test]
    fn an_untrusted_key_is_refused_after_the_signature_checks_out() {
        assert_eq!(
            verify(&signed(), &[signer(2).public_key()]),
            Err(BundleError::UntrustedSender {
                key: signer(1).public_key()
            })
        );
        assert!(matches!(
            verify(&signed(), &[]),
            Err(BundleError::UntrustedSender { .. })
        ));
    }

    #[test]
    fn a_bundle_signed_by_another_key_than_it_names_is_refused() {
        // Sign as key 2, then claim key 1 in the envelope.
        let forged = text(&sign(&signer(2), &header(), &cases()).unwrap()).replacen(
            &signer(2).public_key().to_hex(),
            &signer(1).public_key().to_hex(),
            1,
        );
        assert_eq!(
            verify(forged.as_bytes(), &[signer(1).public_key()]),
            Err(BundleError::BadSignature)
        );
    }

    #[test]
    fn format_and_version_are_named_before_other_problems() {
        let other_format = edited(FORMAT, "something-else");
        assert_eq!(verify(&other_format, &[]), Err(BundleError::UnknownFormat));
        let later =
            text(&edited("\"version\":1", "\"version\":2")).replacen("\"sender\"", "\"origin\"", 1);
        assert_eq!(
            verify(later.as_bytes(), &[]),
            Err(BundleError::UnsupportedVersion { found: 2 })
        );
    }

    fn pointer_of(result: Result<VerifiedBundle, BundleError>) -> String {
        match result {
            Err(BundleError::Malformed { pointer, .. }) => pointer,
            other => panic!("expected a malformed field, got {other:?}"),
        }
    }

    #[test]
    fn malformed_fields_are_named_by_pointer() {
        let key = signer(1).public_key().to_hex();
        let cases = [
            (("\"version\":1", "\"version\":\"1\""), "/version"),
            (
                ("\"name\":\"Org A\"", "\"name\":\" Org A\""),
                "/sender/name",
            ),
            (("\"name\":\"Org A\"", "\"name\":7"), "/sender/name"),
            (("\"name\":\"Org A\"", "\"nom\":\"Org A\""), "/sender/nom"),
            ((key.as_str(), &key.to_uppercase()), "/sender/public_key"),
            (
                (
                    "\"created_day\":\"2025-03-01\"",
                    "\"created_day\":\"2025-02-30\"",
                ),
                "/created_day",
            ),
            (
                ("\"recipient\":\"Org B\"", "\"recipient\":[]"),
                "/recipient",
            ),
            (
                (
                    "\"recipient\":\"Org B\"",
                    "\"recipient\":\"Org B\",\"x~/y\":0",
                ),
                "/x~0~1y",
            ),
            (
                (
                    "\"recipient\":\"Org B\"",
                    "\"recipient\":\"Org B\",\"recipient\":null",
                ),
                "/recipient",
            ),
            (("\"signature\":\"", "\"signature\":\"zz"), "/signature"),
        ];
        for ((from, to), pointer) in cases {
            assert_eq!(pointer_of(verify(&edited(from, to), &[])), pointer, "{to}");
        }
        let missing = text(&signed()).replacen("\"recipient\":\"Org B\",", "", 1);
        assert_eq!(pointer_of(verify(missing.as_bytes(), &[])), "/recipient");
        let not_object = br#"["ctip-signed-htcds-bundle"]"#;
        assert_eq!(pointer_of(verify(not_object, &[])), "");
        let envelope: serde_json::Value = serde_json::from_slice(&signed()).unwrap();
        let mut object = envelope.as_object().unwrap().clone();
        object.insert("cases".into(), json!({"id": "case-1"}));
        let bytes = serde_json::to_vec(&object).unwrap();
        assert_eq!(pointer_of(verify(&bytes, &[])), "/cases");
    }

    #[test]
    fn errors_never_repeat_values_from_the_bundle() {
        let bad = edited(
            "\"prs_FirstName\":\"Ana\"",
            "\"prs_FirstName\":\"Ana\",\"Ana\"",
        );
        let message = verify(&bad, &[]).unwrap_err().to_string();
        assert!(!message.contains("Ana"), "{message}");
        let bad_day = edited("2025-03-01", "Ana-secret");
        let message = verify(&bad_day, &[]).unwrap_err().to_string();
        assert!(!message.contains("Ana"), "{message}");
    }

    #[test]
    fn signing_refuses_what_verification_would_refuse() {
        let cases = cases();
        for (header, field) in [
            (
                BundleHeader {
                    sender_name: "",
                    ..header()
                },
                "sender name",
            ),
            (
                BundleHeader {
                    recipient: Some("tab\there"),
                    ..header()
                },
                "recipient",
            ),
            (
                BundleHeader {
                    created_day: "2025-13-01",
                    ..header()
                },
                "created day",
            ),
        ] {
            assert!(
                matches!(sign(&signer(1), &header, &cases), Err(SignError::InvalidField { field: f, .. }) if f == field),
                "{field}"
            );
        }
        assert_eq!(
            sign(&signer(1), &header(), &json!({"id": "case-1"})),
            Err(SignError::PayloadNotArray)
        );
    }

    #[test]
    fn identity_keys_round_trip_through_hex_and_refuse_junk() {
        let key = signer(3).public_key();
        assert_eq!(IdentityKey::from_hex(&key.to_hex()), Ok(key));
        assert_eq!(IdentityKey::from_hex(&key.to_hex().to_uppercase()), Ok(key));
        assert_eq!(IdentityKey::from_hex("abc"), Err(KeyParseError::NotHex));
        assert_eq!(
            IdentityKey::from_hex(&"g".repeat(64)),
            Err(KeyParseError::NotHex)
        );
        // The identity point (1, as a compressed y) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(IdentityKey::from_bytes(&identity), Err(KeyParseError::Weak));
        assert!(!format!("{:?}", signer(3)).contains(&encode_hex(&[3u8; 32])));
    }

    #[test]
    fn calendar_days_are_checked() {
        for day in ["2024-02-29", "2000-02-29", "1999-12-31", "2025-01-01"] {
            assert!(is_iso_day(day), "{day}");
        }
        for day in [
            "2023-02-29",
            "1900-02-29",
            "2025-04-31",
            "2025-00-10",
            "2025-1-01",
            "2025/01/01",
            "２０２５-01-01",
            "",
        ] {
            assert!(!is_iso_day(day), "{day}");
        }
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let huge = vec![b' '; MAX_BUNDLE_BYTES + 1];
        assert_eq!(
            verify(&huge, &[]),
            Err(BundleError::TooLarge {
                size: MAX_BUNDLE_BYTES + 1
            })
        );
    }
}
