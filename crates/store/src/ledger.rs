//! The tamper-evident audit ledger, persisted in the tip-line database.
//!
//! [`LedgerStore`] keeps `ctip-ledger`'s in-memory Merkle tree beside two tables of the
//! [`TipDb`]: `ledger_entries` (`seq`, leaf hash, canonical entry bytes) and
//! `ledger_checkpoints` (C2SP signed checkpoints by tree size). The pure crate does the
//! hashing, proofs and signatures; this module does the I/O and keeps the database and
//! the tree in step.
//!
//! Invariants:
//! - **`seq` is gap-free and is the Merkle leaf index.** One writer task assigns sequence
//!   numbers, and the tree grows only after the rows are committed: a failed commit never
//!   leaves the tree ahead of the database. When a commit's outcome is unknown (the
//!   connection dropped after `COMMIT`), the writer reads the rows back before writing
//!   again and learns whether its batch landed.
//! - **Appends are durable when they return** (SQLite `synchronous=FULL`, PostgreSQL's
//!   default `fsync`). Concurrent appends share one transaction, so one disk sync serves
//!   a whole batch (group commit).
//! - **Nothing read from the database is trusted.** [`LedgerStore::open`] and
//!   [`LedgerStore::verify_all`] re-hash every stored entry, check every stored checkpoint's
//!   signature and compare the recomputed roots with the signed ones; a tampered log does
//!   not open.
//! - **Checkpoints form a chain.** Every checkpoint after the first carries a signed
//!   extension line, [`PREVIOUS_CHECKPOINT_EXTENSION`], naming the size and root of the one
//!   before it, so deleting or replacing any checkpoint but the newest breaks the chain.
//!   Deleting the newest one (a rollback of the last signature, perhaps with the entries
//!   after its predecessor) leaves a log that is consistent in itself: only a checkpoint
//!   kept outside the database reveals it, which is what
//!   [`LedgerStore::verify_all_with`] takes.
//!
//! This module stores identifiers only: [`NewEntry`]'s field types (from `ctip-ledger`)
//! refuse anything that could be personal content. It assumes one [`LedgerStore`] per
//! database; a second writer is detected (its rows make a commit fail) and absorbed, but
//! not coordinated.

use std::ops::Range;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ctip_ledger::{
    Action, Actor, Checkpoint, CheckpointError, Detail, Entry, Hash, Ledger, LedgerError,
    LogVerifier, Note, NoteError, ProofError, RecordRef, Signer, Tenant, Verifier, leaf_hash,
    verify_consistency,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::tipline::{Backend, TipDb};

/// The checkpoint extension line that names the previous checkpoint:
/// `ctip-previous-checkpoint <size> <base64 root>`.
pub const PREVIOUS_CHECKPOINT_EXTENSION: &str = "ctip-previous-checkpoint";

/// Rows read per query when scanning the log: large enough that query overhead vanishes,
/// small enough that a page of rows stays a few megabytes.
const ROWS_PER_PAGE: i64 = 16_384;

/// Multi-row INSERT sizes. A batch is cut into chunks of these sizes only, so each
/// connection prepares at most five distinct statements however batch sizes vary.
/// Three parameters a row keeps 256 rows far below SQLite's and PostgreSQL's limits.
const INSERT_CHUNK_SIZES: [usize; 5] = [256, 64, 16, 4, 1];

/// How often a batch is retried after another writer's rows made its commit fail.
const MAX_COMMIT_ATTEMPTS: usize = 3;

/// Requests waiting for the writer before callers are made to wait for queue space.
const QUEUE_CAPACITY: usize = 4096;

/// PostgreSQL advisory lock that serialises checkpoint writers (any fixed number that
/// other code does not use; the tip-line migration uses 727274).
const CHECKPOINT_LOCK_KEY: i64 = 727_275;

/// How a [`LedgerStore`] commits and checkpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerConfig {
    /// Sign and store a checkpoint once this many entries were appended since the last
    /// one; `None` checkpoints only when [`LedgerStore::checkpoint`] is called. Entries
    /// after the newest checkpoint are not yet covered by a signature.
    pub checkpoint_every: Option<u64>,
    /// Most entries the writer puts into one transaction. A single
    /// [`LedgerStore::append_batch`] call is never split, so it may exceed this.
    pub max_batch: usize,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            checkpoint_every: Some(1000),
            max_batch: 4096,
        }
    }
}

/// An entry to append: everything but its sequence number, which the store assigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// When, in Unix seconds (the caller's clock).
    pub at: i64,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: Action,
    /// Which record.
    pub record: RecordRef,
    /// Which organisation.
    pub tenant: Tenant,
    /// An optional short, code-chosen, non-personal remark.
    pub detail: Option<Detail>,
}

impl NewEntry {
    /// An entry without detail.
    pub fn new(at: i64, actor: Actor, action: Action, record: RecordRef, tenant: Tenant) -> Self {
        Self {
            at,
            actor,
            action,
            record,
            tenant,
            detail: None,
        }
    }

    /// The same entry with a detail.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The ledger entry at position `seq`.
    pub fn at_seq(&self, seq: u64) -> Entry {
        Entry {
            seq,
            at: self.at,
            actor: self.actor.clone(),
            action: self.action.clone(),
            record: self.record.clone(),
            tenant: self.tenant.clone(),
            detail: self.detail.clone(),
        }
    }
}

/// A stored checkpoint whose signature was verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Entries covered.
    pub size: u64,
    /// The signed root of the first `size` entries.
    pub root: Hash,
    /// The signed note, as stored (C2SP signed-note text).
    pub note: String,
    /// When it was stored, in Unix seconds. Informational: not signed.
    pub created_at: i64,
    /// The previous checkpoint it names (size, root), if any.
    pub previous: Option<(u64, Hash)>,
}

/// What [`LedgerStore::verify_all`] established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entry rows read and re-hashed.
    pub entries: u64,
    /// Stored checkpoints whose signature, chain link and root were checked.
    pub checkpoints: u64,
    /// Checkpoints supplied from outside the database and checked.
    pub witnessed_checkpoints: u64,
    /// Consecutive checkpoint pairs whose RFC 9162 consistency proof was verified.
    pub consistency_proofs: u64,
    /// Size of the largest checkpoint: entries covered by a signature.
    pub signed_size: u64,
    /// Entries after the largest checkpoint: in order and well-formed, not yet signed.
    pub unsigned_entries: u64,
    /// Root of all entries read.
    pub root: Hash,
    /// Wall-clock time of the whole verification, reading included.
    pub elapsed: Duration,
}

/// How a checkpoint's link to its predecessor is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainProblem {
    /// It names no predecessor, but a stored checkpoint precedes it.
    #[error("it names no predecessor, but the checkpoint of size {stored} precedes it")]
    MissingLink {
        /// Size of the stored predecessor.
        stored: u64,
    },
    /// It names a predecessor, but no stored checkpoint precedes it.
    #[error("it names a predecessor of size {named}, which is not stored")]
    PredecessorMissing {
        /// Size it names.
        named: u64,
    },
    /// It names a predecessor of another size than the stored one before it.
    #[error(
        "it names a predecessor of size {named}, but the one stored before it has size {stored}"
    )]
    WrongPredecessor {
        /// Size it names.
        named: u64,
        /// Size of the stored predecessor.
        stored: u64,
    },
    /// It names the right predecessor size with another root.
    #[error(
        "the root it names for its predecessor of size {stored} differs from that checkpoint's"
    )]
    PredecessorRootDiffers {
        /// Size of the predecessor.
        stored: u64,
    },
    /// The extension line is malformed or repeated.
    #[error("its {PREVIOUS_CHECKPOINT_EXTENSION} line is malformed or repeated")]
    Malformed,
}

/// Everything that can go wrong storing, proving from or verifying the ledger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerStoreError {
    /// The database failed.
    #[error("ledger database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A batch of entries could not be committed; none of them is in the log.
    #[error("committing ledger entries failed: {0}")]
    CommitFailed(#[source] Arc<sqlx::Error>),
    /// The stored entries do not match themselves or the signed checkpoints. The inner
    /// error names the first bad entry where one can be pinned; see
    /// [`LedgerStoreError::bad_range`].
    #[error("the stored ledger was tampered with: {0}")]
    Tampered(#[source] LedgerError),
    /// A stored row cannot even be read as a ledger row.
    #[error("ledger row at index {index} is malformed: {reason}")]
    MalformedRow {
        /// Position in the log (rows in `seq` order).
        index: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// A stored checkpoint is not a checkpoint of this log signed by its key: forged,
    /// edited, or signed by another key.
    #[error(
        "stored checkpoint of size {size} is not a valid signed checkpoint of this log: {source}"
    )]
    CheckpointRejected {
        /// The row's size column.
        size: i64,
        /// Why it was rejected.
        source: CheckpointError,
    },
    /// A stored checkpoint row's size column disagrees with the signed size.
    #[error("checkpoint row of size {column} holds a signed checkpoint of size {signed}")]
    CheckpointSizeMismatch {
        /// The size column.
        column: i64,
        /// The size inside the signed note.
        signed: u64,
    },
    /// The chain of checkpoints is broken: a checkpoint was deleted, inserted or replaced.
    #[error("checkpoint chain broken at the checkpoint of size {size}: {problem}")]
    CheckpointChainBroken {
        /// Size of the checkpoint whose link is wrong.
        size: u64,
        /// What is wrong with the link.
        problem: ChainProblem,
    },
    /// A checkpoint supplied from outside the database is not a valid signed checkpoint.
    #[error(
        "witnessed checkpoint {position} is not a valid signed checkpoint of this log: {source}"
    )]
    WitnessRejected {
        /// Its position in the list given.
        position: usize,
        /// Why it was rejected.
        source: CheckpointError,
    },
    /// Two checkpoints are not consistent under RFC 9162: the log forked or was rewritten.
    #[error("checkpoints of sizes {old_size} and {new_size} are not consistent: {source}")]
    InconsistentCheckpoints {
        /// The smaller size.
        old_size: u64,
        /// The larger size.
        new_size: u64,
        /// Why the proof failed.
        source: ProofError,
    },
    /// A proof was asked for sizes or an index outside the log.
    #[error("ledger proof: {0}")]
    Proof(#[from] ProofError),
    /// Signing a checkpoint failed.
    #[error("signing the checkpoint failed: {0}")]
    Signing(#[from] NoteError),
    /// The database holds a newer checkpoint than this store's tree: another process
    /// writes to the same ledger.
    #[error(
        "the database holds a checkpoint of size {stored} but this store has {local} entries: another process writes to this ledger"
    )]
    DatabaseAhead {
        /// Size of the stored checkpoint.
        stored: u64,
        /// Entries in this store's tree.
        local: u64,
    },
    /// Other writers kept appending between this store's attempts.
    #[error("another writer appended to the ledger during {attempts} attempts to commit")]
    ConcurrentWriter {
        /// Attempts made.
        attempts: usize,
    },
    /// After a failed commit, the writer could not bring its tree back in step with the
    /// database; the batch was not written.
    #[error("the ledger writer could not get back in step with the database: {0}")]
    WriterOutOfStep(#[source] Arc<LedgerStoreError>),
    /// The task reading the log for verification stopped before the end of the log.
    #[error("the ledger reader stopped before the end of the log")]
    ReaderStopped,
    /// The writer task is gone (the runtime is shutting down).
    #[error("the ledger writer has stopped")]
    WriterStopped,
}

impl LedgerStoreError {
    /// The sequence numbers that verification pinned the failure to: one entry for an
    /// edited, moved or missing row; the range between two checkpoints when entries were
    /// rewritten together with their stored hashes (only the signed roots disagree then);
    /// the missing tail when a checkpoint covers more entries than are stored.
    pub fn bad_range(&self) -> Option<Range<u64>> {
        match self {
            Self::MalformedRow { index, .. } => Some(*index..index + 1),
            Self::Tampered(error) => match error {
                LedgerError::RowOutOfSequence { index, .. }
                | LedgerError::UndecodableEntry { index, .. }
                | LedgerError::EntrySeqMismatch { index, .. }
                | LedgerError::LeafHashMismatch { index, .. } => Some(*index..index + 1),
                LedgerError::RootMismatch {
                    verified_size,
                    checkpoint_size,
                } => Some(*verified_size..*checkpoint_size),
                LedgerError::Truncated {
                    entries,
                    checkpoint_size,
                } => Some(*entries..*checkpoint_size),
                _ => None,
            },
            _ => None,
        }
    }

    /// The first sequence number that may be bad (the start of [`Self::bad_range`]).
    pub fn first_bad_seq(&self) -> Option<u64> {
        self.bad_range().map(|range| range.start)
    }
}

/// Result alias for this module.
pub type Result<T> = std::result::Result<T, LedgerStoreError>;

/// The audit ledger: appends, checkpoints and proofs over the tip-line database.
///
/// Cloning is cheap and shares one writer and one tree.
#[derive(Clone)]
pub struct LedgerStore {
    shared: Arc<Shared>,
    queue: mpsc::Sender<AppendRequest>,
}

struct Shared {
    pool: AnyPool,
    backend: Backend,
    signer: Signer,
    verifier: Verifier,
    config: LedgerConfig,
    /// The tree over committed entries. Only the writer task grows it.
    state: Mutex<State>,
}

struct State {
    ledger: Ledger,
    /// Size of the newest stored checkpoint.
    checkpointed_size: u64,
}

struct AppendRequest {
    entries: Vec<NewEntry>,
    done: oneshot::Sender<Result<Range<u64>>>,
}

impl LedgerStore {
    /// Opens the ledger in `db` with the default [`LedgerConfig`]. See
    /// [`LedgerStore::open_with`].
    pub async fn open(db: &TipDb, signer: Signer) -> Result<LedgerStore> {
        Self::open_with(db, signer, LedgerConfig::default()).await
    }

    /// Opens the ledger in `db`, signing checkpoints with `signer` (its key name is the
    /// log's origin). Every stored row is re-hashed and every stored checkpoint verified
    /// first, exactly as [`LedgerStore::verify_all`] does; a tampered log, or checkpoints
    /// from another key, make this fail instead of opening.
    ///
    /// Must be called inside a Tokio runtime: it spawns the writer task.
    pub async fn open_with(
        db: &TipDb,
        signer: Signer,
        config: LedgerConfig,
    ) -> Result<LedgerStore> {
        let verifier = signer.verifier();
        let scan = scan_log(db.pool(), db.backend(), &verifier, &[]).await?;
        let checkpointed_size = scan.checkpoints.last().map_or(0, |c| c.size);
        let shared = Arc::new(Shared {
            pool: db.pool().clone(),
            backend: db.backend(),
            signer,
            verifier,
            config,
            state: Mutex::new(State {
                ledger: Ledger::restore(scan.leaves),
                checkpointed_size,
            }),
        });
        let (queue, incoming) = mpsc::channel(QUEUE_CAPACITY);
        let writer = Writer {
            shared: Arc::clone(&shared),
            incoming,
            needs_sync: false,
        };
        tokio::spawn(writer.run());
        Ok(LedgerStore { shared, queue })
    }

    /// Appends one entry and returns its sequence number once it is committed.
    pub async fn append(&self, entry: NewEntry) -> Result<u64> {
        let range = self.append_batch(vec![entry]).await?;
        Ok(range.start)
    }

    /// Appends entries atomically, in order, with consecutive sequence numbers, and
    /// returns them once they are committed.
    pub async fn append_batch(&self, entries: Vec<NewEntry>) -> Result<Range<u64>> {
        if entries.is_empty() {
            let size = self.size().await;
            return Ok(size..size);
        }
        let (done, answer) = oneshot::channel();
        self.queue
            .send(AppendRequest { entries, done })
            .await
            .map_err(|_| LedgerStoreError::WriterStopped)?;
        answer.await.map_err(|_| LedgerStoreError::WriterStopped)?
    }

    /// Signs the current tree head and stores it, chained to the previous checkpoint.
    /// Returns the stored checkpoint unchanged when no entry was appended since.
    pub async fn checkpoint(&self) -> Result<Note> {
        let stored = self.shared.checkpoint().await?;
        Note::parse(&stored.note).map_err(LedgerStoreError::Signing)
    }

    /// The newest stored checkpoint, signature verified.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        let mut conn = self.shared.pool.acquire().await?;
        latest_checkpoint(&mut conn, &self.shared.verifier).await
    }

    /// Every stored checkpoint, oldest first, signatures and chain verified.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let mut conn = self.shared.pool.acquire().await?;
        let checkpoints = load_checkpoints(&mut conn, &self.shared.verifier).await?;
        check_chain(&checkpoints)?;
        Ok(checkpoints)
    }

    /// Number of committed entries, which is also the next sequence number.
    pub async fn size(&self) -> u64 {
        self.shared.state.lock().await.ledger.size()
    }

    /// The root of the first `size` entries.
    pub async fn root_at(&self, size: u64) -> Result<Hash> {
        Ok(self.shared.state.lock().await.ledger.root_at(size)?)
    }

    /// The leaf hash of entry `seq`, if it is committed.
    pub async fn leaf_hash(&self, seq: u64) -> Option<Hash> {
        self.shared.state.lock().await.ledger.leaf_hash(seq)
    }

    /// RFC 9162 inclusion proof of entry `seq` in the tree of the first `tree_size`
    /// entries (the audit path, deepest hash first).
    pub async fn inclusion_proof(&self, seq: u64, tree_size: u64) -> Result<Vec<Hash>> {
        Ok(self
            .shared
            .state
            .lock()
            .await
            .ledger
            .inclusion_proof(seq, tree_size)?)
    }

    /// RFC 9162 consistency proof from the tree of `old_size` entries to that of
    /// `new_size` entries.
    pub async fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>> {
        Ok(self
            .shared
            .state
            .lock()
            .await
            .ledger
            .consistency_proof(old_size, new_size)?)
    }

    /// Entry `seq` as stored, checked against the tree: `None` if it is not committed,
    /// an error if the stored bytes no longer hash to the leaf in the tree.
    pub async fn entry(&self, seq: u64) -> Result<Option<Entry>> {
        let Some(expected) = self.leaf_hash(seq).await else {
            return Ok(None);
        };
        let seq_column = i64::try_from(seq).map_err(|_| LedgerStoreError::MalformedRow {
            index: seq,
            reason: "sequence number beyond the database's integer range",
        })?;
        let row = sqlx::query("SELECT encoded FROM ledger_entries WHERE seq = $1")
            .bind(seq_column)
            .fetch_optional(&self.shared.pool)
            .await?;
        let Some(row) = row else {
            return Err(LedgerStoreError::MalformedRow {
                index: seq,
                reason: "the entry is in the tree but its row is missing from the database",
            });
        };
        let encoded: Vec<u8> = row.try_get(0)?;
        let computed = leaf_hash(&encoded);
        if computed != expected {
            return Err(LedgerStoreError::Tampered(LedgerError::LeafHashMismatch {
                index: seq,
                stored: expected,
                computed,
            }));
        }
        let entry = Entry::decode(&encoded).map_err(|source| {
            LedgerStoreError::Tampered(LedgerError::UndecodableEntry { index: seq, source })
        })?;
        Ok(Some(entry))
    }

    /// The key that verifies this log's checkpoints.
    pub fn verifier(&self) -> &Verifier {
        &self.shared.verifier
    }

    /// Verifies the whole stored log from the database alone, trusting nothing in
    /// memory: re-hashes every entry, checks that sequence numbers run 0, 1, 2…, opens
    /// every stored checkpoint under `verifier`, checks the checkpoint chain, compares the
    /// recomputed root at each checkpoint's size with the signed one, and verifies an
    /// RFC 9162 consistency proof between each pair of consecutive checkpoints.
    ///
    /// Errors name the first bad entry where one can be pinned
    /// ([`LedgerStoreError::first_bad_seq`]). Memory: about 96 bytes per entry.
    pub async fn verify_all(db: &TipDb, verifier: &Verifier) -> Result<VerifyReport> {
        Self::verify_all_with(db, verifier, &[]).await
    }

    /// [`LedgerStore::verify_all`], also checking checkpoints kept outside the database
    /// (published, or held by an auditor): each must be signed by `verifier`, and the
    /// stored log must contain it. This is what catches a rollback: the newest stored
    /// checkpoint deleted, with or without the entries after it.
    pub async fn verify_all_with(
        db: &TipDb,
        verifier: &Verifier,
        witnessed_notes: &[&str],
    ) -> Result<VerifyReport> {
        let started = Instant::now();
        let witnessed = witnessed_notes
            .iter()
            .enumerate()
            .map(|(position, note)| {
                Checkpoint::open(note, verifier)
                    .map_err(|source| LedgerStoreError::WitnessRejected { position, source })
            })
            .collect::<Result<Vec<_>>>()?;
        let scan = scan_log(db.pool(), db.backend(), verifier, &witnessed).await?;
        let ledger = Ledger::restore(scan.leaves);

        let mut heads: Vec<(u64, Hash)> = scan
            .checkpoints
            .iter()
            .map(|c| (c.size, c.root))
            .chain(witnessed.iter().map(|c| (c.size, c.root)))
            .collect();
        heads.sort_unstable();
        heads.dedup();
        let mut consistency_proofs = 0;
        for pair in heads.windows(2) {
            let ((old_size, old_root), (new_size, new_root)) = (pair[0], pair[1]);
            let inconsistent = |source| LedgerStoreError::InconsistentCheckpoints {
                old_size,
                new_size,
                source,
            };
            let proof = ledger
                .consistency_proof(old_size, new_size)
                .map_err(inconsistent)?;
            verify_consistency(old_size, new_size, &old_root, &new_root, &proof)
                .map_err(inconsistent)?;
            consistency_proofs += 1;
        }
        Ok(VerifyReport {
            entries: scan.verified.entries,
            checkpoints: scan.checkpoints.len() as u64,
            witnessed_checkpoints: witnessed.len() as u64,
            consistency_proofs,
            signed_size: scan.verified.checkpoint_size,
            unsigned_entries: scan.verified.unsigned_entries(),
            root: scan.verified.root,
            elapsed: started.elapsed(),
        })
    }
}

impl Shared {
    /// Signs the tree head and stores it, chained to the newest stored checkpoint. Holds
    /// the state lock throughout, so the tree cannot grow between signing and storing and
    /// two checkpoints never race for the same predecessor.
    async fn checkpoint(&self) -> Result<StoredCheckpoint> {
        let mut state = self.state.lock().await;
        let size = state.ledger.size();
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CHECKPOINT_LOCK_KEY)
                .execute(&mut *tx)
                .await?;
        }
        // The predecessor is read from the database, not remembered: if an earlier
        // checkpoint's commit reported failure but landed, the chain still links to it.
        let previous = latest_checkpoint(&mut tx, &self.verifier).await?;
        if let Some(previous) = &previous {
            if previous.size == size {
                tx.rollback().await?;
                state.checkpointed_size = size;
                return Ok(previous.clone());
            }
            if previous.size > size {
                return Err(LedgerStoreError::DatabaseAhead {
                    stored: previous.size,
                    local: size,
                });
            }
        }
        let mut head = state.ledger.tree_head(self.signer.name());
        if let Some(previous) = &previous {
            head.extensions.push(format!(
                "{PREVIOUS_CHECKPOINT_EXTENSION} {} {}",
                previous.size,
                previous.root.to_base64()
            ));
        }
        let note = head.sign(&self.signer)?.to_string();
        let created_at = unix_now();
        sqlx::query("INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3)")
            .bind(to_column(size)?)
            .bind(note.as_str())
            .bind(created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        state.checkpointed_size = size;
        Ok(StoredCheckpoint {
            size,
            root: head.root,
            note,
            created_at,
            previous: previous.map(|p| (p.size, p.root)),
        })
    }
}

/// One entry ready to insert.
struct PreparedRow {
    entry: Entry,
    encoded: Vec<u8>,
    leaf: Hash,
}

/// What reading back the rows after a failed commit found.
enum SyncOutcome {
    /// The batch's own rows are there: the commit landed after all.
    OursLanded,
    /// This many rows by someone else were found (0: the commit really failed).
    Loaded(u64),
}

/// The group-commit writer: the only code that grows the tree.
struct Writer {
    shared: Arc<Shared>,
    incoming: mpsc::Receiver<AppendRequest>,
    /// A commit failed: read the rows back before writing again.
    needs_sync: bool,
}

impl Writer {
    async fn run(mut self) {
        let mut batch = Vec::new();
        while let Some(first) = self.incoming.recv().await {
            let mut entries = first.entries.len();
            batch.push(first);
            // Whatever queued up while the previous batch was syncing joins this one.
            while entries < self.shared.config.max_batch {
                match self.incoming.try_recv() {
                    Ok(next) => {
                        entries += next.entries.len();
                        batch.push(next);
                    }
                    Err(_) => break,
                }
            }
            self.commit(std::mem::take(&mut batch)).await;
            self.checkpoint_if_due().await;
        }
    }

    async fn commit(&mut self, batch: Vec<AppendRequest>) {
        for _ in 0..MAX_COMMIT_ATTEMPTS {
            if self.needs_sync {
                if let Err(error) = self.sync(&[]).await {
                    let error = Arc::new(error);
                    return answer_error(batch, || {
                        LedgerStoreError::WriterOutOfStep(Arc::clone(&error))
                    });
                }
                self.needs_sync = false;
            }
            let start = self.shared.state.lock().await.ledger.size();
            let rows = prepare(start, &batch);
            match insert_rows(&self.shared.pool, &rows).await {
                Ok(()) => {
                    if let Err(error) = self.grow_tree(&rows).await {
                        self.needs_sync = true;
                        let error = Arc::new(error);
                        return answer_error(batch, || {
                            LedgerStoreError::WriterOutOfStep(Arc::clone(&error))
                        });
                    }
                    return answer_ranges(batch, start);
                }
                Err(error) => {
                    let error = Arc::new(error);
                    self.needs_sync = true;
                    match self.sync(&rows).await {
                        Ok(SyncOutcome::OursLanded) => {
                            self.needs_sync = false;
                            return answer_ranges(batch, start);
                        }
                        Ok(SyncOutcome::Loaded(0)) => {
                            self.needs_sync = false;
                            return answer_error(batch, || {
                                LedgerStoreError::CommitFailed(Arc::clone(&error))
                            });
                        }
                        // Another writer's rows took these sequence numbers; they are in
                        // the tree now, so try again after them.
                        Ok(SyncOutcome::Loaded(_)) => self.needs_sync = false,
                        Err(_) => {
                            return answer_error(batch, || {
                                LedgerStoreError::CommitFailed(Arc::clone(&error))
                            });
                        }
                    }
                }
            }
        }
        answer_error(batch, || LedgerStoreError::ConcurrentWriter {
            attempts: MAX_COMMIT_ATTEMPTS,
        });
    }

    /// Pushes committed rows into the tree.
    async fn grow_tree(&self, rows: &[PreparedRow]) -> Result<()> {
        let mut state = self.shared.state.lock().await;
        for row in rows {
            let appended = state
                .ledger
                .append(&row.entry)
                .map_err(LedgerStoreError::Tampered)?;
            debug_assert_eq!(appended.leaf_hash, row.leaf);
        }
        Ok(())
    }

    /// Loads rows the tree does not have yet (validating each), and tells whether they
    /// begin with `ours`.
    async fn sync(&self, ours: &[PreparedRow]) -> Result<SyncOutcome> {
        let mut state = self.shared.state.lock().await;
        let start = state.ledger.size();
        let mut matches_ours = !ours.is_empty();
        let mut loaded = 0u64;
        let mut next = to_column(start)?;
        loop {
            let rows = fetch_page(&self.shared.pool, next).await?;
            for row in &rows {
                let index = state.ledger.size();
                let (seq, stored_leaf, encoded) = read_row(row, index)?;
                if seq != index {
                    return Err(LedgerStoreError::Tampered(LedgerError::RowOutOfSequence {
                        index,
                        found_seq: seq,
                    }));
                }
                let appended = state
                    .ledger
                    .append_encoded(&encoded)
                    .map_err(LedgerStoreError::Tampered)?;
                if appended.leaf_hash != stored_leaf {
                    return Err(LedgerStoreError::Tampered(LedgerError::LeafHashMismatch {
                        index: appended.seq,
                        stored: stored_leaf,
                        computed: appended.leaf_hash,
                    }));
                }
                if let Some(own) = usize::try_from(loaded).ok().and_then(|i| ours.get(i)) {
                    matches_ours &= own.encoded == encoded;
                }
                loaded += 1;
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == ROWS_PER_PAGE => {
                    next = last.try_get::<i64, _>(0)?.saturating_add(1);
                }
                _ => break,
            }
        }
        if matches_ours && loaded >= ours.len() as u64 {
            Ok(SyncOutcome::OursLanded)
        } else {
            Ok(SyncOutcome::Loaded(loaded))
        }
    }

    /// Signs a checkpoint when enough entries arrived since the last one. A failure is
    /// left for the next batch to retry: the entries are committed either way.
    async fn checkpoint_if_due(&self) {
        let Some(every) = self.shared.config.checkpoint_every else {
            return;
        };
        let due = {
            let state = self.shared.state.lock().await;
            state.ledger.size() - state.checkpointed_size >= every.max(1)
        };
        if due {
            let _ = self.shared.checkpoint().await;
        }
    }
}

fn prepare(start: u64, batch: &[AppendRequest]) -> Vec<PreparedRow> {
    batch
        .iter()
        .flat_map(|request| request.entries.iter())
        .zip(start..)
        .map(|(new, seq)| {
            let entry = new.at_seq(seq);
            let encoded = entry.encode();
            let leaf = leaf_hash(&encoded);
            PreparedRow {
                entry,
                encoded,
                leaf,
            }
        })
        .collect()
}

fn answer_ranges(batch: Vec<AppendRequest>, start: u64) {
    let mut next = start;
    for request in batch {
        let end = next + request.entries.len() as u64;
        let _ = request.done.send(Ok(next..end));
        next = end;
    }
}

fn answer_error(batch: Vec<AppendRequest>, error: impl Fn() -> LedgerStoreError) {
    for request in batch {
        let _ = request.done.send(Err(error()));
    }
}

/// `INSERT INTO ledger_entries … VALUES ($1, $2, $3), …` for each chunk size.
static INSERT_SQL: LazyLock<Vec<Arc<str>>> = LazyLock::new(|| {
    INSERT_CHUNK_SIZES
        .iter()
        .map(|&rows| {
            let values: Vec<String> = (0..rows)
                .map(|row| format!("(${}, ${}, ${})", 3 * row + 1, 3 * row + 2, 3 * row + 3))
                .collect();
            Arc::from(format!(
                "INSERT INTO ledger_entries (seq, leaf_hash, encoded) VALUES {}",
                values.join(", ")
            ))
        })
        .collect()
});

/// Inserts `rows` in one transaction: one disk sync for the whole batch.
async fn insert_rows(pool: &AnyPool, rows: &[PreparedRow]) -> std::result::Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut rest = rows;
    while !rest.is_empty() {
        let (size_index, &chunk_size) = INSERT_CHUNK_SIZES
            .iter()
            .enumerate()
            .find(|(_, size)| **size <= rest.len())
            .unwrap_or((INSERT_CHUNK_SIZES.len() - 1, &1));
        let (chunk, tail) = rest.split_at(chunk_size);
        let mut query = sqlx::query(AssertSqlSafe(Arc::clone(&INSERT_SQL[size_index])));
        for row in chunk {
            let seq = i64::try_from(row.entry.seq)
                .map_err(|_| sqlx::Error::Protocol("ledger sequence number overflow".into()))?;
            query = query
                .bind(seq)
                .bind(row.leaf.as_bytes().to_vec())
                .bind(row.encoded.clone());
        }
        query.execute(&mut *tx).await?;
        rest = tail;
    }
    tx.commit().await
}

/// One page of entry rows with `seq >= from`, in `seq` order.
async fn fetch_page<'c, E>(executor: E, from: i64) -> std::result::Result<Vec<AnyRow>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "SELECT seq, leaf_hash, encoded FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2",
    )
    .bind(from)
    .bind(ROWS_PER_PAGE)
    .fetch_all(executor)
    .await
}

/// Reads one entry row found at position `index`: `(seq, stored leaf hash, encoded)`.
fn read_row(row: &AnyRow, index: u64) -> Result<(u64, Hash, Vec<u8>)> {
    let seq: i64 = row.try_get(0)?;
    let seq = u64::try_from(seq).map_err(|_| LedgerStoreError::MalformedRow {
        index,
        reason: "negative sequence number",
    })?;
    let stored: Vec<u8> = row.try_get(1)?;
    let stored =
        <[u8; 32]>::try_from(stored.as_slice()).map_err(|_| LedgerStoreError::MalformedRow {
            index,
            reason: "stored leaf hash is not 32 bytes",
        })?;
    let encoded: Vec<u8> = row.try_get(2)?;
    Ok((seq, Hash(stored), encoded))
}

/// Everything a scan of the stored log established.
struct Scan {
    /// Recomputed leaf hashes, in order.
    leaves: Vec<Hash>,
    verified: ctip_ledger::VerifiedLog,
    /// Stored checkpoints, oldest first, verified and chained.
    checkpoints: Vec<StoredCheckpoint>,
}

/// Reads the whole log in one read transaction (a consistent snapshot) and verifies it
/// against the stored checkpoints and `witnessed` ones.
async fn scan_log(
    pool: &AnyPool,
    backend: Backend,
    verifier: &Verifier,
    witnessed: &[Checkpoint],
) -> Result<Scan> {
    let mut tx = pool.begin().await?;
    if backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let checkpoints = load_checkpoints(&mut tx, verifier).await?;
    check_chain(&checkpoints)?;
    let heads: Vec<Checkpoint> = checkpoints
        .iter()
        .map(|c| Checkpoint {
            origin: verifier.name().to_owned(),
            size: c.size,
            root: c.root,
            extensions: Vec::new(),
        })
        .chain(witnessed.iter().cloned())
        .collect();
    let mut log = LogVerifier::with_checkpoints(&heads).map_err(LedgerStoreError::Tampered)?;

    // A reader task fetches the next page while this one re-hashes the current page:
    // the database and the hashing overlap instead of taking turns.
    let (pages, mut incoming) = mpsc::channel::<Result<Vec<AnyRow>>>(2);
    let reader = tokio::spawn(async move {
        // Start below zero so that a row someone gave a negative seq is seen and reported.
        let mut next = i64::MIN;
        loop {
            let rows = match fetch_page(&mut *tx, next).await {
                Ok(rows) => rows,
                Err(error) => {
                    let _ = pages.send(Err(error.into())).await;
                    return;
                }
            };
            let last_seq = match rows.last().map(|row| row.try_get::<i64, _>(0)).transpose() {
                Ok(last) => last,
                Err(error) => {
                    let _ = pages.send(Err(error.into())).await;
                    return;
                }
            };
            let full = rows.len() as i64 == ROWS_PER_PAGE;
            // A closed channel means verification already failed: stop reading.
            if pages.send(Ok(rows)).await.is_err() {
                return;
            }
            match last_seq.and_then(|last| last.checked_add(1)) {
                Some(after) if full => next = after,
                _ => break,
            }
        }
        let _ = tx.rollback().await;
    });

    let mut leaves = Vec::new();
    while let Some(page) = incoming.recv().await {
        for row in &page? {
            let index = log.entries();
            let (seq, stored, encoded) = read_row(row, index)?;
            let leaf = log
                .push(seq, &encoded, Some(&stored))
                .map_err(LedgerStoreError::Tampered)?;
            leaves.push(leaf);
        }
    }
    // The channel also closes if the reader panicked: only a reader that ran to its end
    // means every row was seen.
    reader.await.map_err(|_| LedgerStoreError::ReaderStopped)?;
    let verified = log.finish().map_err(LedgerStoreError::Tampered)?;
    Ok(Scan {
        leaves,
        verified,
        checkpoints,
    })
}

async fn load_checkpoints(
    conn: &mut AnyConnection,
    verifier: &Verifier,
) -> Result<Vec<StoredCheckpoint>> {
    let rows = sqlx::query("SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| open_checkpoint(row, verifier))
        .collect()
}

async fn latest_checkpoint(
    conn: &mut AnyConnection,
    verifier: &Verifier,
) -> Result<Option<StoredCheckpoint>> {
    let row = sqlx::query(
        "SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| open_checkpoint(&row, verifier)).transpose()
}

/// Verifies one checkpoint row's signature and origin, and that its size column tells
/// the truth.
fn open_checkpoint(row: &AnyRow, verifier: &Verifier) -> Result<StoredCheckpoint> {
    let column: i64 = row.try_get(0)?;
    let note: String = row.try_get(1)?;
    let created_at: i64 = row.try_get(2)?;
    let checkpoint = Checkpoint::open(&note, verifier).map_err(|source| {
        LedgerStoreError::CheckpointRejected {
            size: column,
            source,
        }
    })?;
    if u64::try_from(column) != Ok(checkpoint.size) {
        return Err(LedgerStoreError::CheckpointSizeMismatch {
            column,
            signed: checkpoint.size,
        });
    }
    let previous =
        previous_link(&checkpoint).map_err(|problem| LedgerStoreError::CheckpointChainBroken {
            size: checkpoint.size,
            problem,
        })?;
    Ok(StoredCheckpoint {
        size: checkpoint.size,
        root: checkpoint.root,
        note,
        created_at,
        previous,
    })
}

/// The `(size, root)` a checkpoint names as its predecessor, if it names one.
fn previous_link(
    checkpoint: &Checkpoint,
) -> std::result::Result<Option<(u64, Hash)>, ChainProblem> {
    let prefix = format!("{PREVIOUS_CHECKPOINT_EXTENSION} ");
    let mut links = checkpoint
        .extensions
        .iter()
        .filter_map(|line| line.strip_prefix(&prefix));
    let Some(link) = links.next() else {
        return Ok(None);
    };
    if links.next().is_some() {
        return Err(ChainProblem::Malformed);
    }
    let (size, root) = link.split_once(' ').ok_or(ChainProblem::Malformed)?;
    let size: u64 = size.parse().map_err(|_| ChainProblem::Malformed)?;
    let root = Hash::from_base64(root).ok_or(ChainProblem::Malformed)?;
    Ok(Some((size, root)))
}

/// Checks that each checkpoint (oldest first) names exactly the stored one before it.
fn check_chain(checkpoints: &[StoredCheckpoint]) -> Result<()> {
    let mut before: Option<&StoredCheckpoint> = None;
    for checkpoint in checkpoints {
        let problem = match (before, checkpoint.previous) {
            (None, None) => None,
            (None, Some((named, _))) => Some(ChainProblem::PredecessorMissing { named }),
            (Some(stored), None) => Some(ChainProblem::MissingLink {
                stored: stored.size,
            }),
            (Some(stored), Some((named, _))) if named != stored.size => {
                Some(ChainProblem::WrongPredecessor {
                    named,
                    stored: stored.size,
                })
            }
            (Some(stored), Some((_, root))) if root != stored.root => {
                Some(ChainProblem::PredecessorRootDiffers {
                    stored: stored.size,
                })
            }
            (Some(_), Some(_)) => None,
        };
        if let Some(problem) = problem {
            return Err(LedgerStoreError::CheckpointChainBroken {
                size: checkpoint.size,
                problem,
            });
        }
        before = Some(checkpoint);
    }
    Ok(())
}

fn to_column(value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| LedgerStoreError::MalformedRow {
        index: value,
        reason: "sequence number beyond the database's integer range",
    })
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(size: u64, previous: Option<(u64, Hash)>) -> StoredCheckpoint {
        StoredCheckpoint {
            size,
            root: leaf_hash(&size.to_be_bytes()),
            note: String::new(),
            created_at: 0,
            previous,
        }
    }

    #[test]
    fn a_chain_links_each_checkpoint_to_the_one_before() {
        let first = head(3, None);
        let second = head(7, Some((3, first.root)));
        let third = head(9, Some((7, second.root)));
        assert!(check_chain(&[first.clone(), second.clone(), third.clone()]).is_ok());

        let gap = check_chain(&[first.clone(), third.clone()]).unwrap_err();
        assert!(matches!(
            gap,
            LedgerStoreError::CheckpointChainBroken {
                size: 9,
                problem: ChainProblem::WrongPredecessor {
                    named: 7,
                    stored: 3
                }
            }
        ));
        let head_removed = check_chain(&[second.clone(), third]).unwrap_err();
        assert!(matches!(
            head_removed,
            LedgerStoreError::CheckpointChainBroken {
                size: 7,
                problem: ChainProblem::PredecessorMissing { named: 3 }
            }
        ));
        let forked = head(7, Some((3, leaf_hash(b"other root"))));
        assert!(matches!(
            check_chain(&[first, forked]).unwrap_err(),
            LedgerStoreError::CheckpointChainBroken {
                problem: ChainProblem::PredecessorRootDiffers { stored: 3 },
                ..
            }
        ));
    }

    #[test]
    fn insert_statements_number_their_placeholders_in_order() {
        assert_eq!(
            &*INSERT_SQL[INSERT_CHUNK_SIZES.len() - 1],
            "INSERT INTO ledger_entries (seq, leaf_hash, encoded) VALUES ($1, $2, $3)"
        );
        let four = &INSERT_SQL[INSERT_CHUNK_SIZES.iter().position(|&n| n == 4).unwrap()];
        assert!(four.ends_with("($7, $8, $9), ($10, $11, $12)"), "{four}");
    }
}
