//! The in-memory ledger state that a store keeps beside its rows.

use crate::checkpoint::Checkpoint;
use crate::entry::Entry;
use crate::error::LedgerError;
use crate::hash::{Hash, leaf_hash};
use crate::note::{Note, Signer};
use crate::proof::ProofError;
use crate::tree::MerkleTree;
use crate::verify::{LogVerifier, StoredEntry, VerifiedLog};

/// What a store persists for one appended entry: `(seq, leaf_hash, encoded)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The entry's position in the log.
    pub seq: u64,
    /// `SHA-256(0x00 || encoded)`.
    pub leaf_hash: Hash,
    /// The canonical encoding, which is the Merkle leaf.
    pub encoded: Vec<u8>,
}

/// An append-only audit log: the Merkle tree over all entries appended so far.
///
/// It holds hashes only (about 64 bytes per entry), never entry contents: the store keeps
/// the rows. Rebuild it at start-up with [`Ledger::restore`] from the stored leaf hashes,
/// and check the stored rows against a signed checkpoint with [`crate::verify_log`].
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    tree: MerkleTree,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the ledger from stored leaf hashes, in sequence order. This trusts the
    /// hashes; verify the rows with [`crate::verify_log`] to detect tampering.
    pub fn restore(leaf_hashes: impl IntoIterator<Item = Hash>) -> Self {
        let mut tree = MerkleTree::new();
        for leaf in leaf_hashes {
            tree.push(leaf);
        }
        Self { tree }
    }

    /// Rebuilds the ledger from stored rows while verifying them against opened
    /// checkpoints (see [`crate::verify_rows`]): one pass for start-up, which fails on the
    /// first tampered row instead of trusting stored hashes.
    pub fn restore_verified<B, I>(
        rows: I,
        checkpoints: &[Checkpoint],
    ) -> Result<(Self, VerifiedLog), LedgerError>
    where
        B: AsRef<[u8]>,
        I: IntoIterator<Item = StoredEntry<B>>,
    {
        let mut verifier = LogVerifier::with_checkpoints(checkpoints)?;
        let mut tree = MerkleTree::new();
        for row in rows {
            tree.push(verifier.push(row.seq, row.encoded.as_ref(), row.leaf_hash.as_ref())?);
        }
        Ok((Self { tree }, verifier.finish()?))
    }

    /// Number of entries, which is also the next entry's `seq`.
    pub fn size(&self) -> u64 {
        self.tree.len()
    }

    /// The current root hash (`SHA-256()` when empty).
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The root hash when the ledger held `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.tree.root_at(size)
    }

    /// The leaf hash of entry `seq`, if present.
    pub fn leaf_hash(&self, seq: u64) -> Option<Hash> {
        self.tree.leaf(seq)
    }

    /// Appends an entry whose `seq` must be [`Ledger::size`]. Returns what to persist.
    pub fn append(&mut self, entry: &Entry) -> Result<Appended, LedgerError> {
        let expected = self.size();
        if entry.seq != expected {
            return Err(LedgerError::OutOfSequence {
                expected,
                found: entry.seq,
            });
        }
        let encoded = entry.encode();
        let leaf = leaf_hash(&encoded);
        self.tree.push(leaf);
        Ok(Appended {
            seq: expected,
            leaf_hash: leaf,
            encoded,
        })
    }

    /// Appends an already encoded entry after validating it (it must decode and carry
    /// the next `seq`).
    pub fn append_encoded(&mut self, encoded: &[u8]) -> Result<Appended, LedgerError> {
        let entry = Entry::decode(encoded)?;
        let expected = self.size();
        if entry.seq != expected {
            return Err(LedgerError::OutOfSequence {
                expected,
                found: entry.seq,
            });
        }
        let leaf = leaf_hash(encoded);
        self.tree.push(leaf);
        Ok(Appended {
            seq: expected,
            leaf_hash: leaf,
            encoded: encoded.to_vec(),
        })
    }

    /// The unsigned checkpoint for the current size, under `origin`.
    pub fn tree_head(&self, origin: &str) -> Checkpoint {
        Checkpoint {
            origin: origin.to_owned(),
            size: self.size(),
            root: self.root(),
            extensions: Vec::new(),
        }
    }

    /// A signed checkpoint for the current size. The origin is the signer's key name, as
    /// C2SP recommends, so a verifier key alone identifies the log.
    pub fn checkpoint(&self, signer: &Signer) -> Result<Note, LedgerError> {
        Ok(self.tree_head(signer.name()).sign(signer)?)
    }

    /// RFC 9162 inclusion proof of entry `index` in the tree of the first `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.tree.inclusion_proof(index, size)
    }

    /// RFC 9162 consistency proof from the tree of `old_size` to that of `new_size` entries.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, ProofError> {
        self.tree.consistency_proof(old_size, new_size)
    }
}
