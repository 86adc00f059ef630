//! Tamper-evident audit ledger for ctip.
//!
//! Every create, read, update, export and purge of case or tip data appends an
//! [`Entry`] (who, what, when, which record, which tenant — never personal content) to an
//! append-only Merkle log. The log's state is published as signed checkpoints; anyone
//! holding the log's verifier key can check that no entry was edited, removed, reordered
//! or inserted since a checkpoint was signed.
//!
//! - Hashing, inclusion and consistency proofs follow RFC 9162 §2.1 exactly
//!   ([`verify_inclusion`], [`verify_consistency`]); the tree itself is written here on
//!   top of `sha2`.
//! - Checkpoints are C2SP `tlog-checkpoint` bodies in C2SP `signed-note`s with Ed25519
//!   keys ([`Checkpoint`], [`Note`], [`Signer`], [`Verifier`]); signatures come from
//!   `ed25519-dalek`.
//! - Entries have a documented canonical binary encoding ([`entry`]).
//!
//! This crate never does I/O and has no database: a store feeds it rows
//! `(seq, encoded bytes[, leaf hash])` and persists what [`Ledger::append`] returns.
//! It never reads a clock either: the caller stamps `Entry::at`.
//!
//! ```
//! use ctip_ledger::{Action, Actor, Entry, Ledger, RecordRef, Signer, StoredEntry, Tenant, verify_log};
//!
//! # fn main() -> Result<(), ctip_ledger::LedgerError> {
//! let signer = Signer::generate("ctip.example.org/audit")?;
//! let mut ledger = Ledger::new();
//! let appended = ledger.append(&Entry {
//!     seq: ledger.size(),
//!     at: 1_760_000_000,
//!     actor: Actor::new("user:42")?,
//!     action: Action::Read,
//!     record: RecordRef::parse("tip:17")?,
//!     tenant: Tenant::new("org-1")?,
//!     detail: None,
//! })?;
//! // The store persists (seq, leaf_hash, encoded) and the signed checkpoint text.
//! let checkpoint = ledger.checkpoint(&signer)?.to_string();
//! // An auditor reads the rows back and checks them against the checkpoint.
//! let rows = [StoredEntry { seq: appended.seq, encoded: appended.encoded, leaf_hash: Some(appended.leaf_hash) }];
//! let verified = verify_log(rows, &checkpoint, &signer.verifier())?;
//! assert_eq!(verified.entries, 1);
//! # Ok(())
//! # }
//! ```
//!
//! An independent verifier written from the RFC in Python (standard library only) lives
//! in `verifier/rfc9162_verify.py`.

pub mod checkpoint;
pub mod entry;
mod error;
mod hash;
mod ledger;
pub mod note;
mod proof;
mod tree;
mod verify;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use entry::{Action, Actor, CustomAction, Detail, Entry, EntryError, RecordRef, Tenant};
pub use error::LedgerError;
pub use hash::{Hash, empty_root, leaf_hash, node_hash};
pub use ledger::{Appended, Ledger};
pub use note::{KeyError, Note, NoteError, NoteSignature, Signer, Verifier};
pub use proof::{ProofError, verify_consistency, verify_inclusion};
pub use tree::{Frontier, MerkleTree};
pub use verify::{LogVerifier, StoredEntry, VerifiedLog, verify_log, verify_rows};
