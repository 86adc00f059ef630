//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A note is a text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(4-byte key id || signature)>`. Keys are identified by name and by
//! key id `SHA-256(name || 0x0A || 0x01 || public key)[:4]`. Key strings use the formats of
//! the Go reference implementation: a verifier key is `<name>+<hex key id>+<base64(0x01 ||
//! public key)>`, a signer key is `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
//!
//! Parsing is strict: invalid UTF-8, control characters, malformed signature lines,
//! non-canonical base64 or trailing text are errors. Verification follows the spec:
//! signatures from unknown keys are ignored, a known key's bad signature rejects the whole
//! note, and a note with no verified known signature is rejected.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Signature type byte for Ed25519 in signed notes.
const ED25519_TYPE: u8 = 0x01;
/// The em dash (U+2014) and space that open every signature line.
const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";
/// Largest note accepted by [`Note::parse`], in bytes.
pub const MAX_NOTE_BYTES: usize = 1 << 20;
/// Most signature lines accepted by [`Note::parse`] (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Why a key string or key name is invalid, or a key could not be generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Key names must be non-empty, without spaces, `+` or control characters.
    #[error("key name must be non-empty, without spaces, '+' or control characters")]
    InvalidName,
    /// The key string does not have the expected `+`-separated parts.
    #[error("malformed key string")]
    Malformed,
    /// The key id in the string is not 8 hexadecimal digits.
    #[error("key id must be 8 hexadecimal digits")]
    InvalidKeyId,
    /// The key material is not base64 of the Ed25519 type byte and 32 bytes.
    #[error("key material must be base64 of 0x01 followed by 32 bytes")]
    InvalidKeyMaterial,
    /// The public key bytes are not a valid Ed25519 point.
    #[error("not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// The key id in the string does not match the name and key.
    #[error("key id does not match the key name and key")]
    KeyIdMismatch,
    /// The operating system's random number generator failed.
    #[error("cannot read random bytes from the operating system")]
    Randomness,
}

/// Why a note is malformed, could not be signed or did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_BYTES`].
    #[error("note is larger than {MAX_NOTE_BYTES} bytes")]
    TooLarge,
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8")]
    InvalidUtf8,
    /// The note holds an ASCII control character other than newline.
    #[error("control character at byte {offset}")]
    ControlCharacter {
        /// Byte offset of the character.
        offset: usize,
    },
    /// No blank line separates the text from signatures.
    #[error("note has no blank line before its signatures")]
    MissingSignatures,
    /// The text to sign does not end with a newline.
    #[error("note text must end with a newline")]
    TextWithoutFinalNewline,
    /// The note has more than [`MAX_SIGNATURES`] signature lines.
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A signature line is malformed (1-based line number within the signature block).
    #[error("malformed signature line {line}: {reason}")]
    MalformedSignatureLine {
        /// Line number within the signature block, from 1.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A signature from a trusted key failed to verify: the whole note is rejected.
    #[error("signature by trusted key {key_name:?} does not verify")]
    BadSignature {
        /// The key's name.
        key_name: String,
    },
    /// No signature from any trusted key was found.
    #[error("note has no signature from a trusted key")]
    NoTrustedSignature,
}

fn validate_key_name(name: &str) -> Result<(), KeyError> {
    let bad = |c: char| c.is_whitespace() || c == '+' || c.is_control();
    if name.is_empty() || name.chars().any(bad) {
        return Err(KeyError::InvalidName);
    }
    Ok(())
}

/// `SHA-256(name || 0x0A || 0x01 || public key)[:4]` as a big-endian integer.
fn ed25519_key_id(name: &str, public_key: &VerifyingKey) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ED25519_TYPE]);
    hasher.update(public_key.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Splits `<name>+<key id>+<material>` at the first two `+`: names never contain `+`,
/// but base64 key material may.
fn split_key_string(text: &str) -> Result<(&str, &str, &str), KeyError> {
    let (name, rest) = text.split_once('+').ok_or(KeyError::Malformed)?;
    let (id, material) = rest.split_once('+').ok_or(KeyError::Malformed)?;
    Ok((name, id, material))
}

fn parse_key_id(text: &str) -> Result<u32, KeyError> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::InvalidKeyId);
    }
    u32::from_str_radix(text, 16).map_err(|_| KeyError::InvalidKeyId)
}

/// Decodes `base64(0x01 || 32 bytes)`.
fn parse_key_material(text: &str) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let decoded = Zeroizing::new(
        BASE64
            .decode(text)
            .map_err(|_| KeyError::InvalidKeyMaterial)?,
    );
    match decoded.split_first() {
        Some((&ED25519_TYPE, key)) if key.len() == 32 => {
            let mut out = Zeroizing::new([0u8; 32]);
            out.copy_from_slice(key);
            Ok(out)
        }
        _ => Err(KeyError::InvalidKeyMaterial),
    }
}

fn encode_key_material(key: &[u8; 32]) -> Zeroizing<String> {
    let mut raw = Zeroizing::new([0u8; 33]);
    raw[0] = ED25519_TYPE;
    raw[1..].copy_from_slice(key);
    Zeroizing::new(BASE64.encode(&raw[..]))
}

/// A named Ed25519 signing key for notes. Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl Signer {
    /// A new key from the operating system's random number generator.
    pub fn generate(name: &str) -> Result<Self, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..]).map_err(|_| KeyError::Randomness)?;
        Self::from_seed(name, &seed)
    }

    /// The key whose RFC 8032 private key (seed) is `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        validate_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let key_id = ed25519_key_id(name, &key.verifying_key());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let rest = text
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Malformed)?;
        let (name, id, material) = split_key_string(rest)?;
        let key_id = parse_key_id(id)?;
        let seed = parse_key_material(material)?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != key_id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The private key string accepted by [`Signer::parse`]. Keep it secret.
    pub fn to_key_string(&self) -> Zeroizing<String> {
        let material = encode_key_material(self.key.as_bytes());
        Zeroizing::new(format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            material.as_str()
        ))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// The signature line for `text` (without the leading em dash and name).
    fn sign_text(&self, text: &str) -> NoteSignature {
        let signature = self.key.sign(text.as_bytes());
        NoteSignature {
            key_name: self.name.clone(),
            key_id: self.key_id,
            signature: signature.to_bytes().to_vec(),
        }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

/// A named Ed25519 public key that notes are verified against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Verifier {
    /// Parses `<name>+<hex key id>+<base64(0x01 || public key)>`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (name, id, material) = split_key_string(text)?;
        validate_key_name(name)?;
        let key_id = parse_key_id(id)?;
        let public = parse_key_material(material)?;
        let key = VerifyingKey::from_bytes(&public).map_err(|_| KeyError::InvalidPublicKey)?;
        if ed25519_key_id(name, &key) != key_id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Whether `signature` is this key's signature over `text`. Uses strict RFC 8032
    /// verification (rejects non-canonical and small-order encodings).
    fn verifies(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.key
            .verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

impl fmt::Display for Verifier {
    /// The verifier key string accepted by [`Verifier::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let material = encode_key_material(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, material.as_str())
    }
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signing key's name.
    pub key_name: String,
    /// The signing key's 4-byte id.
    pub key_id: u32,
    /// The signature bytes after the key id (64 bytes for Ed25519).
    pub signature: Vec<u8>,
}

/// A signed note: a text and one or more signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// Signs `text` with `signer`. The text must end with a newline and hold no control
    /// characters other than newline.
    pub fn sign(text: &str, signer: &Signer) -> Result<Self, NoteError> {
        check_characters(text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::TextWithoutFinalNewline);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures: vec![signer.sign_text(text)],
        })
    }

    /// Adds a signature by another key (e.g. a witness cosigning the same checkpoint).
    pub fn add_signature(&mut self, signer: &Signer) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        self.signatures.push(signer.sign_text(&self.text));
        Ok(())
    }

    /// Parses a note from bytes, strictly (see the module documentation).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| NoteError::InvalidUtf8)?;
        Self::parse(text)
    }

    /// Parses a note, strictly (see the module documentation). Signatures are not checked
    /// here: call [`Note::verify`] before trusting the text.
    pub fn parse(note: &str) -> Result<Self, NoteError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        check_characters(note)?;
        // The text ends at the *last* blank line: the text itself may hold blank lines.
        let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatures)?;
        let text = &note[..split + 1];
        let block = &note[split + 2..];
        if block.is_empty() {
            return Err(NoteError::MissingSignatures);
        }
        let Some(block) = block.strip_suffix('\n') else {
            return Err(NoteError::MalformedSignatureLine {
                line: block.split('\n').count(),
                reason: "missing final newline",
            });
        };
        let mut signatures = Vec::new();
        for (index, line) in block.split('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(parse_signature_line(line, index + 1)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Verifies the note against trusted keys and returns the names of the keys whose
    /// signatures verified. Signatures by keys not in `trusted` (by name *and* id) are
    /// ignored; a failing signature by a trusted key rejects the note.
    pub fn verify(&self, trusted: &[Verifier]) -> Result<Vec<String>, NoteError> {
        let mut verified: Vec<String> = Vec::new();
        for line in &self.signatures {
            let Some(key) = trusted
                .iter()
                .find(|key| key.key_id == line.key_id && key.name == line.key_name)
            else {
                continue;
            };
            if !key.verifies(&self.text, &line.signature) {
                return Err(NoteError::BadSignature {
                    key_name: key.name.clone(),
                });
            }
            if !verified.contains(&key.name) {
                verified.push(key.name.clone());
            }
        }
        if verified.is_empty() {
            return Err(NoteError::NoTrustedSignature);
        }
        Ok(verified)
    }
}

impl fmt::Display for Note {
    /// The wire form accepted by [`Note::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for line in &self.signatures {
            let mut raw = Vec::with_capacity(4 + line.signature.len());
            raw.extend_from_slice(&line.key_id.to_be_bytes());
            raw.extend_from_slice(&line.signature);
            writeln!(
                f,
                "{SIGNATURE_LINE_PREFIX}{} {}",
                line.key_name,
                BASE64.encode(raw)
            )?;
        }
        Ok(())
    }
}

fn check_characters(text: &str) -> Result<(), NoteError> {
    match text.bytes().position(|b| b < 0x20 && b != b'\n') {
        Some(offset) => Err(NoteError::ControlCharacter { offset }),
        None => Ok(()),
    }
}

fn parse_signature_line(line: &str, number: usize) -> Result<NoteSignature, NoteError> {
    let malformed = |reason| NoteError::MalformedSignatureLine {
        line: number,
        reason,
    };
    let rest = line
        .strip_prefix(SIGNATURE_LINE_PREFIX)
        .ok_or_else(|| malformed("must start with an em dash and a space"))?;
    let (name, encoded) = rest
        .split_once(' ')
        .ok_or_else(|| malformed("must be `— <key name> <signature>`"))?;
    validate_key_name(name).map_err(|_| malformed("invalid key name"))?;
    let raw = BASE64
        .decode(encoded)
        .map_err(|_| malformed("signature is not canonical base64"))?;
    if raw.len() < 5 {
        return Err(malformed("signature is shorter than a key id and one byte"));
    }
    let (id, signature) = raw.split_at(4);
    Ok(NoteSignature {
        key_name: name.to_owned(),
        key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
        signature: signature.to_vec(),
    })
}
