//! The crate-level error type.

use crate::checkpoint::CheckpointError;
use crate::entry::EntryError;
use crate::hash::Hash;
use crate::note::{KeyError, NoteError};
use crate::proof::ProofError;

/// Everything that can go wrong when appending to, proving from or verifying a ledger.
///
/// Verification errors name the first index (0-based position in the log) that fails
/// wherever the failure can be pinned to one entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// An entry was appended out of order: its `seq` is not the ledger's size.
    #[error("entry has sequence number {found} but the ledger expects {expected}")]
    OutOfSequence {
        /// The next sequence number (the ledger's size).
        expected: u64,
        /// The entry's sequence number.
        found: u64,
    },
    /// An entry is invalid or its encoding does not decode.
    #[error("invalid entry: {0}")]
    Entry(#[from] EntryError),
    /// A proof could not be produced or does not verify.
    #[error("proof error: {0}")]
    Proof(#[from] ProofError),
    /// A signed note is malformed or does not verify.
    #[error("signed note: {0}")]
    Note(#[from] NoteError),
    /// A key string is invalid.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// A checkpoint is malformed, unsigned or from another log.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// Checkpoints given to one verification disagree on the log's origin.
    #[error("checkpoints come from different logs: {first:?} and {other:?}")]
    MixedOrigins {
        /// The first origin seen.
        first: String,
        /// A different origin.
        other: String,
    },
    /// Two checkpoints of the same size have different roots: the log forked.
    #[error("two checkpoints of size {size} have different roots")]
    ConflictingCheckpoints {
        /// The tree size both claim.
        size: u64,
    },
    /// A stored row is not where its sequence number says: an entry was deleted,
    /// duplicated or moved.
    #[error(
        "row at index {index} has sequence number {found_seq}: an entry is missing, duplicated or moved"
    )]
    RowOutOfSequence {
        /// The position in the stream.
        index: u64,
        /// The row's sequence number.
        found_seq: u64,
    },
    /// The stored bytes at `index` are not a valid entry.
    #[error("entry at index {index} does not decode: {source}")]
    UndecodableEntry {
        /// The position in the log.
        index: u64,
        /// Why it does not decode.
        source: EntryError,
    },
    /// The entry's own sequence number disagrees with its position: rows were renumbered.
    #[error("entry at index {index} says it is entry {entry_seq}")]
    EntrySeqMismatch {
        /// The position in the log.
        index: u64,
        /// The sequence number inside the encoded entry.
        entry_seq: u64,
    },
    /// The stored leaf hash is not the hash of the stored bytes: the entry was edited.
    #[error(
        "entry at index {index} was altered: stored leaf hash {stored} but the entry hashes to {computed}"
    )]
    LeafHashMismatch {
        /// The position in the log.
        index: u64,
        /// The leaf hash stored beside the entry.
        stored: Hash,
        /// The hash of the stored entry bytes.
        computed: Hash,
    },
    /// The entries do not produce the signed root: something in `(verified_size, checkpoint_size]`
    /// (0-based indexes `verified_size..checkpoint_size`) was altered.
    #[error(
        "entries {verified_size}..{checkpoint_size} do not match the checkpoint of size {checkpoint_size}"
    )]
    RootMismatch {
        /// Size of the largest prefix that matched an earlier checkpoint (0 if none).
        verified_size: u64,
        /// Size of the checkpoint whose root does not match.
        checkpoint_size: u64,
    },
    /// The log holds fewer entries than a checkpoint covers: entries were deleted at the end.
    #[error("log has {entries} entries but a checkpoint covers {checkpoint_size}")]
    Truncated {
        /// Entries present.
        entries: u64,
        /// Entries the checkpoint covers.
        checkpoint_size: u64,
    },
}
