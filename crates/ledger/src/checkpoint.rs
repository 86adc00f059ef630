//! C2SP tlog checkpoints (<https://c2sp.org/tlog-checkpoint>): the signed tree head.
//!
//! The note text is `<origin>\n<tree size>\n<base64 root hash>\n`, optionally followed by
//! non-empty extension lines. The log signs it with a key whose name is the origin.

use crate::hash::Hash;
use crate::note::{Note, NoteError, Signer, Verifier};

/// Why a checkpoint body is malformed or not the one expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The body has fewer than three lines.
    #[error("checkpoint body must have an origin, a tree size and a root hash")]
    MissingLines,
    /// A line of the body is empty (1-based line number).
    #[error("checkpoint line {line} is empty")]
    EmptyLine {
        /// The line number, from 1.
        line: usize,
    },
    /// The body does not end with a newline.
    #[error("checkpoint body must end with a newline")]
    MissingFinalNewline,
    /// The tree size is not a canonical decimal `u64`.
    #[error("tree size must be decimal digits without leading zeros")]
    InvalidTreeSize,
    /// The root hash is not canonical base64 of 32 bytes.
    #[error("root hash must be base64 of 32 bytes")]
    InvalidRootHash,
    /// The origin is not the one the verifier expects.
    #[error("checkpoint origin {found:?} is not the expected {expected:?}")]
    OriginMismatch {
        /// The origin the caller trusts.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// The signed note around the checkpoint is malformed or does not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A tree head: the log's identity, its size and its root hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `ctip.example.org/audit`. Equal to the signing key's name.
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// `MTH` of the first `size` entries.
    pub root: Hash,
    /// Opaque extension lines (none are written by this crate).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text (body) of this checkpoint.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint body (the text of a verified note).
    pub fn parse_text(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        if lines.len() < 3 {
            return Err(CheckpointError::MissingLines);
        }
        if let Some(index) = lines.iter().position(|line| line.is_empty()) {
            return Err(CheckpointError::EmptyLine { line: index + 1 });
        }
        let size = parse_tree_size(lines[1])?;
        let root = Hash::from_base64(lines[2]).ok_or(CheckpointError::InvalidRootHash)?;
        Ok(Self {
            origin: lines[0].to_owned(),
            size,
            root,
            extensions: lines[3..].iter().map(|line| (*line).to_owned()).collect(),
        })
    }

    /// Signs this checkpoint. The signer's key name should equal the origin.
    pub fn sign(&self, signer: &Signer) -> Result<Note, NoteError> {
        Note::sign(&self.to_text(), signer)
    }

    /// Parses and verifies a signed checkpoint from the log whose origin is the
    /// verifier's key name (the convention this crate signs with).
    pub fn open(note: &str, verifier: &Verifier) -> Result<Self, CheckpointError> {
        Self::open_with(note, std::slice::from_ref(verifier), verifier.name())
    }

    /// Parses a signed checkpoint, verifies it against `trusted` keys and checks that its
    /// origin is `origin`. The body is only parsed once a signature verified.
    pub fn open_with(
        note: &str,
        trusted: &[Verifier],
        origin: &str,
    ) -> Result<Self, CheckpointError> {
        let note = Note::parse(note)?;
        note.verify(trusted)?;
        let checkpoint = Self::parse_text(note.text())?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::OriginMismatch {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}

fn parse_tree_size(text: &str) -> Result<u64, CheckpointError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(CheckpointError::InvalidTreeSize);
    }
    text.parse().map_err(|_| CheckpointError::InvalidTreeSize)
}
