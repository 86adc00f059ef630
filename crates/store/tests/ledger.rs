//! The audit ledger in the tip-line database, the way the server uses it: appends,
//! restarts, concurrent callers, checkpoints and proofs, and tampering done directly in
//! the database with SQL, which `verify_all` and `open` must both catch. An independent
//! verifier (`crates/ledger/verifier/rfc9162_verify.py`, written from RFC 9162 in Python)
//! checks fixtures built from the stored rows.
//!
//! Every scenario runs on SQLite in a temporary directory, and also on PostgreSQL when
//! `CTIP_TEST_POSTGRES_URL` is set (each test then works in a schema of its own).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};

use ctip_ledger::{
    Action, Actor, Detail, Entry, Hash, LedgerError, RecordRef, Signer, Tenant, Verifier,
    leaf_hash, verify_consistency, verify_inclusion,
};
use ctip_store::ledger::{
    ChainProblem, LedgerConfig, LedgerStore, LedgerStoreError, NewEntry, StoredCheckpoint,
};
use ctip_store::tipline::{Backend, TipDb};
use serde_json::{Value, json};
use sqlx::{AnyPool, Row};

const ORIGIN: &str = "ctip.test/audit";

fn signer() -> Signer {
    Signer::from_seed(ORIGIN, &[7u8; 32]).expect("test key")
}

/// A database for one test: a SQLite file in a temporary directory, or a fresh schema in
/// the PostgreSQL database named by `CTIP_TEST_POSTGRES_URL`.
struct TestDb {
    url: String,
    backend: Backend,
    _dir: Option<tempfile::TempDir>,
    /// (admin URL, schema) to drop at the end.
    schema: Option<(String, String)>,
}

impl TestDb {
    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("tipline.sqlite").display());
        TestDb {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            schema: None,
        }
    }

    async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("CTIP_TEST_POSTGRES_URL") else {
            println!("SKIPPED on PostgreSQL: CTIP_TEST_POSTGRES_URL is not set");
            return None;
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .subsec_nanos();
        let schema = format!(
            "ledger_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        sqlx::any::install_default_drivers();
        let admin = AnyPool::connect(&admin_url)
            .await
            .expect("connect to CTIP_TEST_POSTGRES_URL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("create test schema");
        admin.close().await;
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
        Some(TestDb {
            url,
            backend: Backend::Postgres,
            _dir: None,
            schema: Some((admin_url, schema)),
        })
    }

    async fn tipdb(&self) -> TipDb {
        TipDb::connect(&self.url).await.expect("tip-line database")
    }

    /// A pool of our own, for the SQL an attacker with database access would run.
    async fn raw(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.url).await.expect("raw connection")
    }

    async fn execute(&self, sql: &str) {
        let pool = self.raw().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pool.close().await;
    }

    /// Drops the append-only triggers, as someone with full database access can.
    async fn drop_append_only_guards(&self) {
        let sql = match self.backend {
            Backend::Sqlite => {
                "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete; \
                 DROP TRIGGER ledger_checkpoints_no_update; DROP TRIGGER ledger_checkpoints_no_delete;"
            }
            Backend::Postgres => {
                "DROP TRIGGER ledger_entries_append_only ON ledger_entries; \
                 DROP TRIGGER ledger_checkpoints_append_only ON ledger_checkpoints;"
            }
        };
        self.execute(sql).await;
    }

    async fn cleanup(self) {
        if let Some((admin_url, schema)) = &self.schema
            && let Ok(admin) = AnyPool::connect(admin_url).await
        {
            let drop_schema = format!("DROP SCHEMA {schema} CASCADE");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop_schema))
                .execute(&admin)
                .await;
            admin.close().await;
        }
    }
}

/// Generates one test per backend for an `async fn(&TestDb)` scenario.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let db = super::TestDb::sqlite();
                    super::$scenario(&db).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    if let Some(db) = super::TestDb::postgres().await {
                        super::$scenario(&db).await;
                        db.cleanup().await;
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    appends_continue_across_restarts,
    concurrent_appends_get_gap_free_sequence_numbers_matching_their_entries,
    a_failed_commit_leaves_the_tree_in_step_with_the_database,
    rows_written_by_another_writer_are_absorbed_not_overwritten,
    checkpoints_are_signed_chained_and_served_with_proofs,
    the_database_refuses_updates_and_deletes_of_ledger_rows,
    an_edited_entry_is_caught_at_its_seq,
    an_edited_leaf_hash_is_caught_at_its_seq,
    an_entry_rewritten_with_its_hash_is_caught_between_checkpoints,
    a_deleted_entry_is_caught_at_its_seq,
    a_truncated_tail_is_caught,
    swapped_entries_are_caught_at_the_first_moved_seq,
    a_deleted_checkpoint_breaks_the_chain,
    a_forged_checkpoint_note_is_rejected,
    a_checkpoint_signed_by_another_key_is_rejected,
    a_rollback_is_caught_against_a_witnessed_checkpoint,
    the_independent_python_verifier_accepts_stored_rows_and_rejects_tampered_ones,
);

/// Entry number `i`: varied actors, actions, tenants and details.
fn new_entry(i: u64) -> NewEntry {
    let action = match i % 4 {
        0 => Action::Create,
        1 => Action::Read,
        2 => Action::Update,
        _ => Action::from_name("share.psi").expect("custom action"),
    };
    let entry = NewEntry::new(
        1_760_000_000 + i as i64,
        Actor::new(format!("user:{}", i % 7)).expect("actor"),
        action,
        RecordRef::new("tip", i.to_string()).expect("record"),
        Tenant::new(format!("org-{}", i % 3)).expect("tenant"),
    );
    if i.is_multiple_of(5) {
        entry.with_detail(Detail::new("fields=status").expect("detail"))
    } else {
        entry
    }
}

fn config(checkpoint_every: Option<u64>) -> LedgerConfig {
    LedgerConfig {
        checkpoint_every,
        ..LedgerConfig::default()
    }
}

/// A ledger of 45 entries appended one by one with a checkpoint every 10, plus a final
/// checkpoint: checkpoints at sizes 10, 20, 30, 40 and 45.
async fn populated(db: &TestDb) -> (TipDb, LedgerStore) {
    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(Some(10)))
        .await
        .expect("open");
    for i in 0..45 {
        assert_eq!(store.append(new_entry(i)).await.expect("append"), i);
    }
    store.checkpoint().await.expect("checkpoint");
    let sizes: Vec<u64> = store
        .checkpoints()
        .await
        .expect("checkpoints")
        .iter()
        .map(|c| c.size)
        .collect();
    assert_eq!(sizes, [10, 20, 30, 40, 45]);
    (tipdb, store)
}

/// Asserts that both a full verification and reopening the store fail with an error
/// accepted by `expected`, and returns the verification error.
async fn assert_caught(
    db: &TestDb,
    what: &str,
    expected: impl Fn(&LedgerStoreError) -> bool,
) -> LedgerStoreError {
    let tipdb = db.tipdb().await;
    let verified = LedgerStore::verify_all(&tipdb, &signer().verifier()).await;
    let error = match verified {
        Ok(report) => panic!("verify_all missed {what}: {report:?}"),
        Err(error) => error,
    };
    assert!(
        expected(&error),
        "verify_all on {what}: unexpected {error:?}"
    );
    match LedgerStore::open(&tipdb, signer()).await {
        Ok(_) => panic!("open accepted a ledger with {what}"),
        Err(reopened) => assert!(
            expected(&reopened),
            "open on {what}: unexpected {reopened:?}"
        ),
    }
    error
}

async fn stored_encoded(pool: &AnyPool, seq: i64) -> Vec<u8> {
    sqlx::query("SELECT encoded FROM ledger_entries WHERE seq = $1")
        .bind(seq)
        .fetch_one(pool)
        .await
        .expect("row")
        .try_get(0)
        .expect("encoded")
}

/// Replaces the first occurrence of `from` by `to` (same length) in entry `seq`'s bytes.
fn edited(encoded: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = encoded
        .windows(from.len())
        .position(|w| w == from)
        .expect("field present");
    let mut out = encoded.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

async fn appends_continue_across_restarts(db: &TestDb) {
    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(Some(8)))
        .await
        .expect("open");
    let first = store
        .append_batch((0..20).map(new_entry).collect())
        .await
        .expect("batch");
    assert_eq!(first, 0..20);
    assert_eq!(store.append(new_entry(20)).await.expect("append"), 20);
    let root_before = store.root_at(21).await.expect("root");
    drop(store);
    tipdb.close().await;

    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(Some(8)))
        .await
        .expect("reopen");
    assert_eq!(store.size().await, 21);
    assert_eq!(store.root_at(21).await.expect("root"), root_before);
    for i in 21..30 {
        assert_eq!(store.append(new_entry(i)).await.expect("append"), i);
    }
    assert_eq!(store.append_batch(Vec::new()).await.expect("empty"), 30..30);
    for seq in [0, 20, 21, 29] {
        let entry = store.entry(seq).await.expect("read").expect("present");
        assert_eq!(entry, new_entry(seq).at_seq(seq));
    }
    assert_eq!(store.entry(30).await.expect("read"), None);

    let report = LedgerStore::verify_all(&tipdb, store.verifier())
        .await
        .expect("verifies");
    assert_eq!(report.entries, 30);
    assert_eq!(report.root, store.root_at(30).await.expect("root"));
    assert!(report.signed_size >= 24, "{report:?}");
    assert_eq!(report.unsigned_entries, 30 - report.signed_size);
    assert_eq!(report.consistency_proofs, report.checkpoints - 1);
}

async fn concurrent_appends_get_gap_free_sequence_numbers_matching_their_entries(db: &TestDb) {
    const TASKS: u64 = 32;
    const EACH: u64 = 40;
    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(Some(100)))
        .await
        .expect("open");
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..EACH {
                let id = task * EACH + i;
                let seq = if i % 10 == 9 {
                    // Some callers append small batches among the single appends.
                    let range = store
                        .append_batch(vec![new_entry(id)])
                        .await
                        .expect("batch");
                    assert_eq!(range.end - range.start, 1);
                    range.start
                } else {
                    store.append(new_entry(id)).await.expect("append")
                };
                got.push((seq, id));
            }
            got
        }));
    }
    let mut assigned = Vec::new();
    for handle in handles {
        assigned.extend(handle.await.expect("task"));
    }
    let mut seqs: Vec<u64> = assigned.iter().map(|(seq, _)| *seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..TASKS * EACH).collect::<Vec<_>>());
    for (seq, id) in &assigned {
        let stored = store.entry(*seq).await.expect("read").expect("present");
        assert_eq!(stored, new_entry(*id).at_seq(*seq), "seq {seq}");
    }
    let report = LedgerStore::verify_all(&tipdb, store.verifier())
        .await
        .expect("verifies");
    assert_eq!(report.entries, TASKS * EACH);
    drop(store);
    let reopened = LedgerStore::open(&tipdb, signer()).await.expect("reopen");
    assert_eq!(reopened.size().await, TASKS * EACH);
}

async fn a_failed_commit_leaves_the_tree_in_step_with_the_database(db: &TestDb) {
    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(None))
        .await
        .expect("open");
    store
        .append_batch((0..5).map(new_entry).collect())
        .await
        .expect("batch");
    let (install, remove) = match db.backend {
        Backend::Sqlite => (
            "CREATE TRIGGER refuse_inserts BEFORE INSERT ON ledger_entries \
             BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END;",
            "DROP TRIGGER refuse_inserts;",
        ),
        Backend::Postgres => (
            "CREATE FUNCTION refuse_inserts() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'disk full (injected)'; END; $$; \
             CREATE TRIGGER refuse_inserts BEFORE INSERT ON ledger_entries \
             FOR EACH ROW EXECUTE FUNCTION refuse_inserts();",
            "DROP TRIGGER refuse_inserts ON ledger_entries;",
        ),
    };
    db.execute(install).await;
    let failed = store.append_batch((5..9).map(new_entry).collect()).await;
    assert!(
        matches!(failed, Err(LedgerStoreError::CommitFailed(_))),
        "{failed:?}"
    );
    assert_eq!(store.size().await, 5, "the tree grew past the database");
    assert!(store.inclusion_proof(5, 6).await.is_err());
    db.execute(remove).await;

    assert_eq!(store.append(new_entry(5)).await.expect("append"), 5);
    store.checkpoint().await.expect("checkpoint");
    let report = LedgerStore::verify_all(&tipdb, store.verifier())
        .await
        .expect("verifies");
    assert_eq!((report.entries, report.signed_size), (6, 6));
}

async fn rows_written_by_another_writer_are_absorbed_not_overwritten(db: &TestDb) {
    let tipdb = db.tipdb().await;
    let store = LedgerStore::open_with(&tipdb, signer(), config(None))
        .await
        .expect("open");
    store
        .append_batch((0..3).map(new_entry).collect())
        .await
        .expect("batch");
    // Another process appends entries 3 and 4 behind this store's back.
    let pool = db.raw().await;
    for seq in 3..5u64 {
        let encoded = new_entry(100 + seq).at_seq(seq).encode();
        sqlx::query("INSERT INTO ledger_entries (seq, leaf_hash, encoded) VALUES ($1, $2, $3)")
            .bind(seq as i64)
            .bind(leaf_hash(&encoded).as_bytes().to_vec())
            .bind(encoded)
            .execute(&pool)
            .await
            .expect("foreign insert");
    }
    pool.close().await;
    assert_eq!(store.append(new_entry(5)).await.expect("append"), 5);
    assert_eq!(
        store.entry(3).await.expect("read"),
        Some(new_entry(103).at_seq(3))
    );
    assert_eq!(
        store.entry(5).await.expect("read"),
        Some(new_entry(5).at_seq(5))
    );
    store.checkpoint().await.expect("checkpoint");
    let report = LedgerStore::verify_all(&tipdb, store.verifier())
        .await
        .expect("verifies");
    assert_eq!(report.entries, 6);
}

async fn checkpoints_are_signed_chained_and_served_with_proofs(db: &TestDb) {
    let (_tipdb, store) = populated(db).await;
    let checkpoints = store.checkpoints().await.expect("checkpoints");
    assert_eq!(checkpoints[0].previous, None);
    for pair in checkpoints.windows(2) {
        assert_eq!(pair[1].previous, Some((pair[0].size, pair[0].root)));
        assert!(
            pair[1].note.contains(&format!(
                "\nctip-previous-checkpoint {} {}\n",
                pair[0].size,
                pair[0].root.to_base64()
            )),
            "{}",
            pair[1].note
        );
    }
    let latest: StoredCheckpoint = store
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("present");
    assert_eq!(latest, checkpoints[checkpoints.len() - 1]);
    // Nothing appended since: the same checkpoint, not a new one.
    let again = store.checkpoint().await.expect("checkpoint");
    assert_eq!(again.to_string(), latest.note);
    assert_eq!(
        store.checkpoints().await.expect("list").len(),
        checkpoints.len()
    );

    let verifier: Verifier = store.verifier().clone();
    for checkpoint in &checkpoints {
        let opened = ctip_ledger::Checkpoint::open(&checkpoint.note, &verifier).expect("opens");
        assert_eq!(
            (opened.size, opened.root),
            (checkpoint.size, checkpoint.root)
        );
        for seq in [0, checkpoint.size / 2, checkpoint.size - 1] {
            let leaf = store.leaf_hash(seq).await.expect("leaf");
            let path = store
                .inclusion_proof(seq, checkpoint.size)
                .await
                .expect("inclusion proof");
            verify_inclusion(seq, checkpoint.size, &leaf, &path, &checkpoint.root)
                .expect("inclusion verifies against the signed root");
        }
    }
    let (first, last) = (&checkpoints[0], &latest);
    let proof = store
        .consistency_proof(first.size, last.size)
        .await
        .expect("consistency proof");
    verify_consistency(first.size, last.size, &first.root, &last.root, &proof)
        .expect("consistency verifies between signed roots");
    assert!(store.inclusion_proof(45, 45).await.is_err());
    assert!(store.consistency_proof(10, 46).await.is_err());
}

async fn the_database_refuses_updates_and_deletes_of_ledger_rows(db: &TestDb) {
    let (_tipdb, _store) = populated(db).await;
    let pool = db.raw().await;
    for sql in [
        "UPDATE ledger_entries SET encoded = leaf_hash WHERE seq = 3",
        "DELETE FROM ledger_entries WHERE seq = 44",
        "UPDATE ledger_checkpoints SET created_at = 0",
        "DELETE FROM ledger_checkpoints WHERE size = 10",
    ] {
        let refused = sqlx::query(sql).execute(&pool).await;
        let message = refused.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    pool.close().await;
    let tipdb = db.tipdb().await;
    LedgerStore::verify_all(&tipdb, &signer().verifier())
        .await
        .expect("still intact");
}

async fn an_edited_entry_is_caught_at_its_seq(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    let pool = db.raw().await;
    // Entry 12 was by user:5; make it say user:1 did it.
    let forged = edited(&stored_encoded(&pool, 12).await, b"user:5", b"user:1");
    assert!(Entry::decode(&forged).is_ok(), "still a well-formed entry");
    sqlx::query("UPDATE ledger_entries SET encoded = $1 WHERE seq = 12")
        .bind(forged)
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let error = assert_caught(db, "an edited entry", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::LeafHashMismatch { index: 12, .. })
        )
    })
    .await;
    assert_eq!(error.first_bad_seq(), Some(12));
    assert!(error.to_string().contains("index 12"), "{error}");
}

async fn an_edited_leaf_hash_is_caught_at_its_seq(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    let pool = db.raw().await;
    sqlx::query("UPDATE ledger_entries SET leaf_hash = $1 WHERE seq = 7")
        .bind(leaf_hash(b"something else").as_bytes().to_vec())
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let error = assert_caught(db, "an edited leaf hash", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::LeafHashMismatch { index: 7, .. })
        )
    })
    .await;
    assert_eq!(error.first_bad_seq(), Some(7));
}

async fn an_entry_rewritten_with_its_hash_is_caught_between_checkpoints(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    let pool = db.raw().await;
    // A careful forger rewrites entry 23's bytes and recomputes its stored hash: only
    // the signed root of the next checkpoint (size 30) can tell.
    let forged = edited(&stored_encoded(&pool, 23).await, b"user:2", b"user:6");
    sqlx::query("UPDATE ledger_entries SET encoded = $1, leaf_hash = $2 WHERE seq = 23")
        .bind(forged.clone())
        .bind(leaf_hash(&forged).as_bytes().to_vec())
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let error = assert_caught(db, "a rewritten entry and hash", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::RootMismatch {
                verified_size: 20,
                checkpoint_size: 30
            })
        )
    })
    .await;
    assert_eq!(error.bad_range(), Some(20..30));
}

async fn a_deleted_entry_is_caught_at_its_seq(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    db.execute("DELETE FROM ledger_entries WHERE seq = 17")
        .await;
    let error = assert_caught(db, "a deleted entry", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::RowOutOfSequence {
                index: 17,
                found_seq: 18
            })
        )
    })
    .await;
    assert_eq!(error.first_bad_seq(), Some(17));
}

async fn a_truncated_tail_is_caught(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    db.execute("DELETE FROM ledger_entries WHERE seq >= 42")
        .await;
    let error = assert_caught(db, "a truncated tail", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::Truncated {
                entries: 42,
                checkpoint_size: 45
            })
        )
    })
    .await;
    assert_eq!(error.bad_range(), Some(42..45));
}

async fn swapped_entries_are_caught_at_the_first_moved_seq(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    // Reorder entries 33 and 36 by renumbering their rows.
    db.execute(
        "UPDATE ledger_entries SET seq = 1000000 WHERE seq = 33; \
         UPDATE ledger_entries SET seq = 33 WHERE seq = 36; \
         UPDATE ledger_entries SET seq = 36 WHERE seq = 1000000;",
    )
    .await;
    let error = assert_caught(db, "reordered entries", |e| {
        matches!(
            e,
            LedgerStoreError::Tampered(LedgerError::EntrySeqMismatch {
                index: 33,
                entry_seq: 36
            })
        )
    })
    .await;
    assert_eq!(error.first_bad_seq(), Some(33));
}

async fn a_deleted_checkpoint_breaks_the_chain(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    db.execute("DELETE FROM ledger_checkpoints WHERE size = 20")
        .await;
    assert_caught(db, "a deleted checkpoint", |e| {
        matches!(
            e,
            LedgerStoreError::CheckpointChainBroken {
                size: 30,
                problem: ChainProblem::WrongPredecessor {
                    named: 20,
                    stored: 10
                }
            }
        )
    })
    .await;
    // The oldest remaining one too: the first stored checkpoint now names a
    // predecessor that is gone.
    db.execute("DELETE FROM ledger_checkpoints WHERE size = 10")
        .await;
    assert_caught(db, "the oldest checkpoints deleted", |e| {
        matches!(
            e,
            LedgerStoreError::CheckpointChainBroken {
                size: 30,
                problem: ChainProblem::PredecessorMissing { named: 20 }
            }
        )
    })
    .await;
}

async fn a_forged_checkpoint_note_is_rejected(db: &TestDb) {
    let _ = populated(db).await;
    db.drop_append_only_guards().await;
    let pool = db.raw().await;
    let note: String = sqlx::query("SELECT note FROM ledger_checkpoints WHERE size = 40")
        .fetch_one(&pool)
        .await
        .expect("row")
        .try_get(0)
        .expect("note");
    // Claim a different root for the same size, keeping the signature line.
    let lines: Vec<&str> = note.split('\n').collect();
    let forged_root = leaf_hash(b"forged").to_base64();
    let forged = note.replacen(lines[2], &forged_root, 1);
    assert_ne!(forged, note);
    sqlx::query("UPDATE ledger_checkpoints SET note = $1 WHERE size = 40")
        .bind(forged)
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    assert_caught(db, "a forged checkpoint note", |e| {
        matches!(e, LedgerStoreError::CheckpointRejected { size: 40, .. })
    })
    .await;
}

async fn a_checkpoint_signed_by_another_key_is_rejected(db: &TestDb) {
    let (_tipdb, store) = populated(db).await;
    // An intruder with their own key of the same name signs a head over a rewritten log.
    let intruder = Signer::from_seed(ORIGIN, &[66u8; 32]).expect("key");
    let head = ctip_ledger::Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 50,
        root: leaf_hash(b"rewritten"),
        extensions: vec![format!(
            "ctip-previous-checkpoint 45 {}",
            store.root_at(45).await.expect("root").to_base64()
        )],
    };
    let note = head.sign(&intruder).expect("sign").to_string();
    let pool = db.raw().await;
    sqlx::query("INSERT INTO ledger_checkpoints (size, note, created_at) VALUES (50, $1, 0)")
        .bind(note)
        .execute(&pool)
        .await
        .expect("insert");
    pool.close().await;
    assert_caught(db, "a checkpoint signed by another key", |e| {
        matches!(e, LedgerStoreError::CheckpointRejected { size: 50, .. })
    })
    .await;
}

async fn a_rollback_is_caught_against_a_witnessed_checkpoint(db: &TestDb) {
    let (tipdb, store) = populated(db).await;
    // An auditor kept the newest checkpoint (size 45).
    let witnessed = store
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("present")
        .note;
    drop(store);
    db.drop_append_only_guards().await;
    // Roll the log back to its checkpoint of size 40: delete the newest checkpoint and
    // the entries after its predecessor. The log is consistent in itself again...
    db.execute(
        "DELETE FROM ledger_checkpoints WHERE size = 45; \
         DELETE FROM ledger_entries WHERE seq >= 40;",
    )
    .await;
    let report = LedgerStore::verify_all(&tipdb, &signer().verifier())
        .await
        .expect("a rollback is invisible without a checkpoint kept elsewhere");
    assert_eq!(report.entries, 40);
    // ...but not against the witnessed checkpoint.
    let error = LedgerStore::verify_all_with(&tipdb, &signer().verifier(), &[&witnessed])
        .await
        .expect_err("rollback caught");
    assert!(
        matches!(
            error,
            LedgerStoreError::Tampered(LedgerError::Truncated {
                entries: 40,
                checkpoint_size: 45
            })
        ),
        "{error:?}"
    );
    let forged_witness = witnessed.replacen("\n45\n", "\n44\n", 1);
    assert!(matches!(
        LedgerStore::verify_all_with(&tipdb, &signer().verifier(), &[&forged_witness]).await,
        Err(LedgerStoreError::WitnessRejected { position: 0, .. })
    ));
}

fn python_verifier() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ledger/verifier/rfc9162_verify.py")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hex_list(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(Hash::to_hex).collect()
}

/// A fixture for the Python verifier: entries and leaf hashes read straight from the
/// database, roots and proofs served by the store, the newest stored checkpoint.
async fn fixture_from_database(db: &TestDb, store: &LedgerStore) -> Value {
    let pool = db.raw().await;
    let rows = sqlx::query("SELECT encoded, leaf_hash FROM ledger_entries ORDER BY seq")
        .fetch_all(&pool)
        .await
        .expect("rows");
    pool.close().await;
    let entries: Vec<String> = rows
        .iter()
        .map(|row| hex(&row.try_get::<Vec<u8>, _>(0).expect("encoded")))
        .collect();
    let leaves: Vec<String> = rows
        .iter()
        .map(|row| hex(&row.try_get::<Vec<u8>, _>(1).expect("leaf hash")))
        .collect();
    let checkpoints = store.checkpoints().await.expect("checkpoints");
    let latest = checkpoints.last().expect("a checkpoint");
    let size = latest.size;
    let mut inclusion = Vec::new();
    for (seq, tree_size) in [
        (0, 1),
        (0, size),
        (9, 10),
        (12, 20),
        (31, 40),
        (44, 45),
        (27, size),
    ] {
        inclusion.push(json!({
            "leaf_index": seq,
            "tree_size": tree_size,
            "leaf_hash": store.leaf_hash(seq).await.expect("leaf").to_hex(),
            "root": store.root_at(tree_size).await.expect("root").to_hex(),
            "path": hex_list(&store.inclusion_proof(seq, tree_size).await.expect("proof")),
        }));
    }
    let mut pairs: Vec<(u64, u64)> = checkpoints
        .windows(2)
        .map(|p| (p[0].size, p[1].size))
        .collect();
    pairs.extend([(0, 10), (3, 45), (13, 40), (45, 45)]);
    let mut consistency = Vec::new();
    for (first, second) in pairs {
        consistency.push(json!({
            "first": first,
            "second": second,
            "first_hash": store.root_at(first).await.expect("root").to_hex(),
            "second_hash": store.root_at(second).await.expect("root").to_hex(),
            "path": hex_list(&store.consistency_proof(first, second).await.expect("proof")),
        }));
    }
    json!({
        "entries": entries,
        "leaf_hashes": leaves,
        "tree_size": size,
        "root": latest.root.to_hex(),
        "inclusion": inclusion,
        "consistency": consistency,
        "checkpoint": latest.note,
        "verifier_key": store.verifier().to_string(),
    })
}

/// Runs the Python verifier; `None` when `python3` is not installed.
fn run_python(fixture: &Value) -> Option<Output> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fixture.json");
    std::fs::write(&path, serde_json::to_vec_pretty(fixture).expect("json")).expect("write");
    match Command::new("python3")
        .arg(python_verifier())
        .arg(&path)
        .output()
    {
        Ok(output) => Some(output),
        Err(error) if error.kind() == ErrorKind::NotFound => {
            println!("SKIPPED: python3 is not on PATH, the independent verifier was not run");
            None
        }
        Err(error) => panic!("cannot run python3: {error}"),
    }
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn the_independent_python_verifier_accepts_stored_rows_and_rejects_tampered_ones(
    db: &TestDb,
) {
    let (_tipdb, store) = populated(db).await;
    let fixture = fixture_from_database(db, &store).await;
    let Some(output) = run_python(&fixture) else {
        return;
    };
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(" passed, 0 failed"),
        "{}",
        describe(&output)
    );

    db.drop_append_only_guards().await;
    let pool = db.raw().await;
    let forged = edited(&stored_encoded(&pool, 12).await, b"user:5", b"user:1");
    sqlx::query("UPDATE ledger_entries SET encoded = $1 WHERE seq = 12")
        .bind(forged)
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let tampered = fixture_from_database(db, &store).await;
    let Some(output) = run_python(&tampered) else {
        return;
    };
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("leaf[12] hash"),
        "{}",
        describe(&output)
    );
}
