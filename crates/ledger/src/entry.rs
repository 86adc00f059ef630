//! Audit entries and their canonical byte encoding.
//!
//! An entry records *who* did *what*, *when*, to *which record*, in *which tenant*. It
//! never carries personal content: the field types only admit identifiers (a restricted
//! ASCII alphabet without spaces or `@`), and the free-text `detail` is capped at
//! [`MAX_DETAIL_BYTES`] and must be chosen by code, never copied from user input.
//!
//! # Encoding (format version 1)
//!
//! The leaf of the Merkle tree is exactly these bytes, so the encoding is canonical: every
//! valid entry has one encoding, and decoding rejects anything else (unknown version,
//! truncation, trailing bytes, invalid fields, a non-canonical presence flag).
//!
//! ```text
//! u8      version = 0x01
//! u64 BE  seq                      position in the log, from 0
//! i64 BE  at                       Unix time in seconds (two's complement)
//! str     actor                    e.g. "user:42", "reporter", "system"
//! str     action                   e.g. "create", "read", "purge" (lower-case name)
//! str     record kind              e.g. "tip", "case"
//! str     record id                e.g. "17", a UUID
//! str     tenant                   organisation id, e.g. "org-1"
//! u8      detail flag              0x00 = absent, 0x01 = present
//! str     detail                   only when the flag is 0x01
//!
//! str = u16 BE byte length || UTF-8 bytes
//! ```
//!
//! Field alphabets: identifiers (`actor`, `tenant`, `record id`) use `[A-Za-z0-9._:-]`,
//! 1..=128 bytes; `record kind` uses `[a-z0-9_-]`, 1..=32 bytes; `action` uses
//! `[a-z0-9_.-]`, 1..=64 bytes; `detail` is 1..=256 bytes of UTF-8 with no control
//! characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Version byte of the entry encoding described in the module documentation.
pub const ENTRY_FORMAT_VERSION: u8 = 1;
/// Longest identifier (actor, tenant, record id), in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 128;
/// Longest record kind, in bytes.
pub const MAX_RECORD_KIND_BYTES: usize = 32;
/// Longest action name, in bytes.
pub const MAX_ACTION_BYTES: usize = 64;
/// Longest detail, in bytes.
pub const MAX_DETAIL_BYTES: usize = 256;

/// Why an entry field is invalid or an encoded entry could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The bytes end before the named field is complete.
    #[error("entry is truncated in field `{field}`")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// The first byte is not a known format version.
    #[error("unsupported entry format version {0}")]
    UnsupportedVersion(u8),
    /// Bytes remain after the last field.
    #[error("{count} unexpected bytes after the end of the entry")]
    TrailingBytes {
        /// How many bytes remain.
        count: usize,
    },
    /// The detail presence flag is neither 0 nor 1.
    #[error("detail flag must be 0 or 1, found {0}")]
    InvalidDetailFlag(u8),
    /// A field is not valid UTF-8.
    #[error("field `{field}` is not valid UTF-8")]
    InvalidUtf8 {
        /// The field.
        field: &'static str,
    },
    /// A field is empty, too long or has a character outside its alphabet.
    #[error("field `{field}` is invalid: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A record reference is not of the form `kind:id`.
    #[error("record reference must be `kind:id`")]
    MalformedRecordRef,
}

fn check_alphabet(
    field: &'static str,
    value: &str,
    max_bytes: usize,
    allowed: fn(u8) -> bool,
    alphabet: &'static str,
) -> Result<(), EntryError> {
    if value.is_empty() {
        return Err(EntryError::InvalidField {
            field,
            reason: "must not be empty",
        });
    }
    if value.len() > max_bytes {
        return Err(EntryError::InvalidField {
            field,
            reason: "too long",
        });
    }
    if !value.bytes().all(allowed) {
        return Err(EntryError::InvalidField {
            field,
            reason: alphabet,
        });
    }
    Ok(())
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'-')
}

fn is_kind_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'_' | b'-')
}

fn is_action_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'_' | b'.' | b'-')
}

fn check_identifier(field: &'static str, value: &str) -> Result<(), EntryError> {
    check_alphabet(
        field,
        value,
        MAX_IDENTIFIER_BYTES,
        is_identifier_byte,
        "allowed characters are A-Z a-z 0-9 . _ : -",
    )
}

/// Declares a validated string newtype that (de)serialises as a plain string.
macro_rules! identifier_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps the value.
            pub fn new(value: impl Into<String>) -> Result<Self, EntryError> {
                let value = value.into();
                let check: fn(&'static str, &str) -> Result<(), EntryError> = $check;
                check($field, &value)?;
                Ok(Self(value))
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = EntryError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier_type!(
    /// Who acted: a pseudonymous account id such as `user:42`, or a role such as `reporter`.
    Actor,
    "actor",
    check_identifier
);

identifier_type!(
    /// The organisation (tenant) the record belongs to, e.g. `org-1`.
    Tenant,
    "tenant",
    check_identifier
);

identifier_type!(
    /// A short, code-chosen, non-personal remark, e.g. `fields=status` or `reason=legal-hold`.
    Detail,
    "detail",
    |field, value| {
        if value.is_empty() {
            return Err(EntryError::InvalidField {
                field,
                reason: "must not be empty",
            });
        }
        if value.len() > MAX_DETAIL_BYTES {
            return Err(EntryError::InvalidField {
                field,
                reason: "too long",
            });
        }
        if value.chars().any(char::is_control) {
            return Err(EntryError::InvalidField {
                field,
                reason: "control characters are not allowed",
            });
        }
        Ok(())
    }
);

identifier_type!(
    /// The name of an action that has no dedicated [`Action`] variant yet. Only
    /// [`Action::from_name`] builds one, so a known name never hides in here.
    CustomAction,
    "action",
    |field, value| {
        check_alphabet(
            field,
            value,
            MAX_ACTION_BYTES,
            is_action_byte,
            "allowed characters are a-z 0-9 _ . -",
        )
    }
);

/// What was done. Encoded as its lower-case name, so adding a variant later never changes
/// the bytes (and so the hashes) of entries already written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Action {
    /// A record was created.
    Create,
    /// A record was viewed or fetched.
    Read,
    /// A record was changed.
    Update,
    /// A record left the system in an export or evidence package.
    Export,
    /// A record's personal content was irreversibly erased.
    Purge,
    /// A user signed in.
    Login,
    /// A user signed out.
    Logout,
    /// A user overrode a control (e.g. a break-glass read).
    Override,
    /// Any other action, by name.
    Other(CustomAction),
}

impl Action {
    const KNOWN: [(&'static str, Action); 8] = [
        ("create", Action::Create),
        ("read", Action::Read),
        ("update", Action::Update),
        ("export", Action::Export),
        ("purge", Action::Purge),
        ("login", Action::Login),
        ("logout", Action::Logout),
        ("override", Action::Override),
    ];

    /// The action with this name: a dedicated variant when one exists, else [`Action::Other`].
    pub fn from_name(name: &str) -> Result<Self, EntryError> {
        if let Some((_, action)) = Self::KNOWN.iter().find(|(known, _)| *known == name) {
            return Ok(action.clone());
        }
        Ok(Action::Other(CustomAction::new(name)?))
    }

    /// The lower-case name written into the encoding.
    pub fn name(&self) -> &str {
        match self {
            Action::Create => "create",
            Action::Read => "read",
            Action::Update => "update",
            Action::Export => "export",
            Action::Purge => "purge",
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Override => "override",
            Action::Other(custom) => custom.as_str(),
        }
    }
}

impl TryFrom<String> for Action {
    type Error = EntryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_name(&value)
    }
}

impl From<Action> for String {
    fn from(value: Action) -> Self {
        value.name().to_owned()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which record was touched: a kind (`tip`, `case`, …) and an id, written `kind:id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordRef {
    kind: String,
    id: String,
}

impl RecordRef {
    /// Validates both parts.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Result<Self, EntryError> {
        let kind = kind.into();
        let id = id.into();
        check_alphabet(
            "record kind",
            &kind,
            MAX_RECORD_KIND_BYTES,
            is_kind_byte,
            "allowed characters are a-z 0-9 _ -",
        )?;
        check_identifier("record id", &id)?;
        Ok(Self { kind, id })
    }

    /// Parses `kind:id`, splitting at the first colon (ids may contain colons).
    pub fn parse(text: &str) -> Result<Self, EntryError> {
        let (kind, id) = text.split_once(':').ok_or(EntryError::MalformedRecordRef)?;
        Self::new(kind, id)
    }

    /// The record kind, e.g. `tip`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The record id within its kind.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl TryFrom<String> for RecordRef {
    type Error = EntryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecordRef> for String {
    fn from(value: RecordRef) -> Self {
        value.to_string()
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// One audit entry. Every field is validated on construction, so any `Entry` encodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the log, from 0; the ledger only appends the next one.
    pub seq: u64,
    /// When, in Unix seconds.
    pub at: i64,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: Action,
    /// Which record.
    pub record: RecordRef,
    /// Which organisation.
    pub tenant: Tenant,
    /// An optional short, non-personal remark.
    pub detail: Option<Detail>,
}

impl Entry {
    /// The canonical encoding (see the module documentation). It is the Merkle leaf.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            1 + 8
                + 8
                + 2 * 5
                + 1
                + 2
                + self.actor.0.len()
                + self.action.name().len()
                + self.record.kind.len()
                + self.record.id.len()
                + self.tenant.0.len()
                + self.detail.as_ref().map_or(0, |d| d.0.len()),
        );
        out.push(ENTRY_FORMAT_VERSION);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.at.to_be_bytes());
        for text in [
            self.actor.as_str(),
            self.action.name(),
            self.record.kind(),
            self.record.id(),
            self.tenant.as_str(),
        ] {
            put_str(&mut out, text);
        }
        match &self.detail {
            None => out.push(0),
            Some(detail) => {
                out.push(1);
                put_str(&mut out, detail.as_str());
            }
        }
        out
    }

    /// Decodes and validates an encoding produced by [`Entry::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut reader = Reader { rest: bytes };
        let version = reader.u8("version")?;
        if version != ENTRY_FORMAT_VERSION {
            return Err(EntryError::UnsupportedVersion(version));
        }
        let seq = u64::from_be_bytes(reader.array("seq")?);
        let at = i64::from_be_bytes(reader.array("at")?);
        let actor = Actor::new(reader.str("actor")?)?;
        let action = Action::from_name(reader.str("action")?)?;
        let kind = reader.str("record kind")?;
        let id = reader.str("record id")?;
        let record = RecordRef::new(kind, id)?;
        let tenant = Tenant::new(reader.str("tenant")?)?;
        let detail = match reader.u8("detail flag")? {
            0 => None,
            1 => Some(Detail::new(reader.str("detail")?)?),
            other => return Err(EntryError::InvalidDetailFlag(other)),
        };
        if !reader.rest.is_empty() {
            return Err(EntryError::TrailingBytes {
                count: reader.rest.len(),
            });
        }
        Ok(Self {
            seq,
            at,
            actor,
            action,
            record,
            tenant,
            detail,
        })
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    // Every field is validated to at most MAX_DETAIL_BYTES (< u16::MAX) on construction.
    let len = u16::try_from(text.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&text.as_bytes()[..usize::from(len)]);
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize, field: &'static str) -> Result<&'a [u8], EntryError> {
        if self.rest.len() < count {
            return Err(EntryError::Truncated { field });
        }
        let (head, tail) = self.rest.split_at(count);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EntryError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, EntryError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn str(&mut self, field: &'static str) -> Result<&'a str, EntryError> {
        let len = u16::from_be_bytes(self.array(field)?);
        let bytes = self.take(usize::from(len), field)?;
        std::str::from_utf8(bytes).map_err(|_| EntryError::InvalidUtf8 { field })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            seq: 7,
            at: 1_700_000_000,
            actor: Actor::new("user:42").unwrap(),
            action: Action::Read,
            record: RecordRef::parse("tip:17").unwrap(),
            tenant: Tenant::new("org-1").unwrap(),
            detail: Some(Detail::new("fields=status").unwrap()),
        }
    }

    #[test]
    fn encoding_matches_the_documented_layout() {
        let bytes = sample().encode();
        let mut expected = vec![1u8];
        expected.extend_from_slice(&7u64.to_be_bytes());
        expected.extend_from_slice(&1_700_000_000i64.to_be_bytes());
        for text in ["user:42", "read", "tip", "17", "org-1"] {
            expected.extend_from_slice(&(text.len() as u16).to_be_bytes());
            expected.extend_from_slice(text.as_bytes());
        }
        expected.push(1);
        expected.extend_from_slice(&13u16.to_be_bytes());
        expected.extend_from_slice(b"fields=status");
        assert_eq!(bytes, expected);
    }

    #[test]
    fn decode_inverts_encode() {
        let entry = sample();
        assert_eq!(Entry::decode(&entry.encode()), Ok(entry.clone()));
        let without_detail = Entry {
            detail: None,
            ..entry
        };
        assert_eq!(Entry::decode(&without_detail.encode()), Ok(without_detail));
    }

    #[test]
    fn decode_rejects_every_truncation_and_trailing_bytes() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(
                matches!(
                    Entry::decode(&bytes[..cut]),
                    Err(EntryError::Truncated { .. })
                ),
                "prefix of {cut} bytes decoded"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Entry::decode(&longer),
            Err(EntryError::TrailingBytes { count: 1 })
        );
    }

    #[test]
    fn decode_rejects_unknown_version_and_bad_flag() {
        let mut bytes = sample().encode();
        bytes[0] = 2;
        assert_eq!(
            Entry::decode(&bytes),
            Err(EntryError::UnsupportedVersion(2))
        );
        let mut no_detail = Entry {
            detail: None,
            ..sample()
        }
        .encode();
        let last = no_detail.len() - 1;
        no_detail[last] = 2;
        assert_eq!(
            Entry::decode(&no_detail),
            Err(EntryError::InvalidDetailFlag(2))
        );
    }

    #[test]
    fn fields_that_could_carry_personal_content_are_rejected() {
        assert!(Actor::new("jane.doe@example.org").is_err());
        assert!(Actor::new("Jane Doe").is_err());
        assert!(Tenant::new("").is_err());
        assert!(RecordRef::parse("tip").is_err());
        assert!(RecordRef::parse("Tip:1").is_err());
        assert!(Detail::new("line\nbreak").is_err());
        assert!(Detail::new("x".repeat(MAX_DETAIL_BYTES + 1)).is_err());
        assert!(Action::from_name("Delete Everything").is_err());
    }

    #[test]
    fn known_action_names_map_to_their_variants() {
        assert_eq!(Action::from_name("purge"), Ok(Action::Purge));
        let custom = Action::from_name("share.psi").unwrap();
        assert!(matches!(custom, Action::Other(_)));
        assert_eq!(custom.name(), "share.psi");
    }

    #[test]
    fn json_form_uses_plain_strings_and_validates() {
        let entry = sample();
        let json = serde_json::to_string(&entry).unwrap();
        assert!(json.contains("\"record\":\"tip:17\""), "{json}");
        assert!(json.contains("\"action\":\"read\""), "{json}");
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, entry);
        let bad = json.replace("user:42", "a b");
        assert!(serde_json::from_str::<Entry>(&bad).is_err());
    }
}
