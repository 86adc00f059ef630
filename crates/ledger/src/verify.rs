//! Whole-log verification: recompute the tree from stored rows and compare it with signed
//! checkpoints, pinning the first failing entry wherever one can be pinned.
//!
//! Checks, in order, for the row at position `i` (0-based):
//! 1. its `seq` column is `i` (a deleted, duplicated or moved row fails here);
//! 2. its bytes decode as an entry whose own `seq` is `i` (renumbered rows fail here);
//! 3. if the store kept the leaf hash, it equals `SHA-256(0x00 || bytes)` (an entry edited
//!    without recomputing its hash fails here);
//! 4. at every checkpoint size, the recomputed root equals the signed root (an edit that
//!    also rewrote the stored hash fails here, between the previous and this checkpoint);
//! 5. at the end, there are at least as many rows as the largest checkpoint covers.

use std::collections::BTreeMap;

use crate::checkpoint::Checkpoint;
use crate::entry::Entry;
use crate::error::LedgerError;
use crate::hash::{Hash, leaf_hash};
use crate::note::Verifier;
use crate::tree::Frontier;

/// One stored row as a store reads it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry<B> {
    /// The sequence number column.
    pub seq: u64,
    /// The canonical entry bytes.
    pub encoded: B,
    /// The leaf hash column, if the store keeps one.
    pub leaf_hash: Option<Hash>,
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedLog {
    /// Rows read.
    pub entries: u64,
    /// Size of the largest checkpoint checked.
    pub checkpoint_size: u64,
    /// Root of the largest checkpoint checked.
    pub checkpoint_root: Hash,
    /// Root over all rows read, including those after the last checkpoint.
    pub root: Hash,
}

impl VerifiedLog {
    /// Rows appended after the largest checkpoint: well-formed and in sequence, but not
    /// yet covered by a signature.
    pub fn unsigned_entries(&self) -> u64 {
        self.entries - self.checkpoint_size
    }
}

/// A push-based verifier, for stores that stream rows (e.g. an async database cursor).
/// Memory is O(log n) plus the checkpoints.
#[derive(Clone, Debug)]
pub struct LogVerifier {
    /// Signed roots by tree size, not yet reached.
    pending: BTreeMap<u64, Hash>,
    /// Largest checkpoint (size, root), kept for the report.
    largest: (u64, Hash),
    /// Size of the last checkpoint matched.
    verified_size: u64,
    frontier: Frontier,
}

impl LogVerifier {
    /// A verifier for one checkpoint that has already been opened (signature verified).
    pub fn new(checkpoint: &Checkpoint) -> Result<Self, LedgerError> {
        Self::with_checkpoints(std::slice::from_ref(checkpoint))
    }

    /// A verifier for several opened checkpoints of one log. Matching every checkpoint
    /// narrows an undetectable-by-row alteration down to the range between two of them.
    pub fn with_checkpoints(checkpoints: &[Checkpoint]) -> Result<Self, LedgerError> {
        let mut pending = BTreeMap::new();
        let mut origin: Option<&str> = None;
        for checkpoint in checkpoints {
            match origin {
                None => origin = Some(&checkpoint.origin),
                Some(first) if first != checkpoint.origin => {
                    return Err(LedgerError::MixedOrigins {
                        first: first.to_owned(),
                        other: checkpoint.origin.clone(),
                    });
                }
                Some(_) => {}
            }
            if let Some(previous) = pending.insert(checkpoint.size, checkpoint.root)
                && previous != checkpoint.root
            {
                return Err(LedgerError::ConflictingCheckpoints {
                    size: checkpoint.size,
                });
            }
        }
        let frontier = Frontier::new();
        let largest = pending
            .iter()
            .next_back()
            .map_or((0, frontier.root()), |(size, root)| (*size, *root));
        let mut verifier = Self {
            pending,
            largest,
            verified_size: 0,
            frontier,
        };
        verifier.check_reached_checkpoint()?;
        Ok(verifier)
    }

    /// Number of rows accepted so far.
    pub fn entries(&self) -> u64 {
        self.frontier.size()
    }

    /// Checks the next row and returns its leaf hash.
    pub fn push(
        &mut self,
        seq: u64,
        encoded: &[u8],
        stored_leaf_hash: Option<&Hash>,
    ) -> Result<Hash, LedgerError> {
        let index = self.frontier.size();
        if seq != index {
            return Err(LedgerError::RowOutOfSequence {
                index,
                found_seq: seq,
            });
        }
        let entry = Entry::decode(encoded)
            .map_err(|source| LedgerError::UndecodableEntry { index, source })?;
        if entry.seq != index {
            return Err(LedgerError::EntrySeqMismatch {
                index,
                entry_seq: entry.seq,
            });
        }
        let computed = leaf_hash(encoded);
        if let Some(stored) = stored_leaf_hash
            && *stored != computed
        {
            return Err(LedgerError::LeafHashMismatch {
                index,
                stored: *stored,
                computed,
            });
        }
        self.frontier.push(computed);
        self.check_reached_checkpoint()?;
        Ok(computed)
    }

    /// Ends the stream: fails if a checkpoint covers more rows than were read.
    pub fn finish(self) -> Result<VerifiedLog, LedgerError> {
        let entries = self.frontier.size();
        if let Some((&checkpoint_size, _)) = self.pending.iter().next_back() {
            return Err(LedgerError::Truncated {
                entries,
                checkpoint_size,
            });
        }
        Ok(VerifiedLog {
            entries,
            checkpoint_size: self.largest.0,
            checkpoint_root: self.largest.1,
            root: self.frontier.root(),
        })
    }

    fn check_reached_checkpoint(&mut self) -> Result<(), LedgerError> {
        let size = self.frontier.size();
        if let Some(expected) = self.pending.remove(&size) {
            if self.frontier.root() != expected {
                return Err(LedgerError::RootMismatch {
                    verified_size: self.verified_size,
                    checkpoint_size: size,
                });
            }
            self.verified_size = size;
        }
        Ok(())
    }
}

/// Verifies a whole stored log against a signed checkpoint.
///
/// `checkpoint_note` is the signed note text; it must verify under `verifier` and carry
/// the verifier's key name as origin. `rows` must be in sequence order. Rows after the
/// checkpoint are checked for shape and order and reported as
/// [`VerifiedLog::unsigned_entries`].
pub fn verify_log<B, I>(
    rows: I,
    checkpoint_note: &str,
    verifier: &Verifier,
) -> Result<VerifiedLog, LedgerError>
where
    B: AsRef<[u8]>,
    I: IntoIterator<Item = StoredEntry<B>>,
{
    let checkpoint = Checkpoint::open(checkpoint_note, verifier)?;
    verify_rows(rows, &[checkpoint])
}

/// Verifies stored rows against checkpoints that were already opened (signatures checked).
pub fn verify_rows<B, I>(rows: I, checkpoints: &[Checkpoint]) -> Result<VerifiedLog, LedgerError>
where
    B: AsRef<[u8]>,
    I: IntoIterator<Item = StoredEntry<B>>,
{
    let mut verifier = LogVerifier::with_checkpoints(checkpoints)?;
    for row in rows {
        verifier.push(row.seq, row.encoded.as_ref(), row.leaf_hash.as_ref())?;
    }
    verifier.finish()
}
