//! The ledger as a store uses it: append, checkpoint, read rows back, verify — and every
//! way of tampering with the stored rows is caught, at the first index where possible.

use ctip_ledger::{
    Action, Actor, Checkpoint, CheckpointError, Detail, Entry, Ledger, LedgerError, LogVerifier,
    NoteError, RecordRef, Signer, StoredEntry, Tenant, verify_consistency, verify_inclusion,
    verify_log, verify_rows,
};

const ORIGIN: &str = "ctip.test/audit";
const SIZE: u64 = 50;

fn signer() -> Signer {
    Signer::from_seed(ORIGIN, &[7u8; 32]).expect("valid key name")
}

fn entry(seq: u64, actor: &str) -> Entry {
    let actions = [Action::Create, Action::Read, Action::Update, Action::Export];
    Entry {
        seq,
        at: 1_760_000_000 + seq as i64 * 60,
        actor: Actor::new(actor).unwrap(),
        action: actions[(seq % 4) as usize].clone(),
        record: RecordRef::new("case", format!("{}", seq / 3)).unwrap(),
        tenant: Tenant::new("org-1").unwrap(),
        detail: seq
            .is_multiple_of(5)
            .then(|| Detail::new("fields=status").unwrap()),
    }
}

type Row = StoredEntry<Vec<u8>>;

/// A ledger of `SIZE` entries, its stored rows, and checkpoints signed every 10 entries.
fn stored_log() -> (Ledger, Vec<Row>, Vec<String>) {
    let signer = signer();
    let mut ledger = Ledger::new();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for seq in 0..SIZE {
        let appended = ledger
            .append(&entry(seq, &format!("user:{}", seq % 7)))
            .unwrap();
        rows.push(StoredEntry {
            seq: appended.seq,
            encoded: appended.encoded,
            leaf_hash: Some(appended.leaf_hash),
        });
        if (seq + 1).is_multiple_of(10) {
            notes.push(ledger.checkpoint(&signer).unwrap().to_string());
        }
    }
    (ledger, rows, notes)
}

fn latest(notes: &[String]) -> &str {
    notes.last().expect("at least one checkpoint")
}

fn all_checkpoints(notes: &[String]) -> Vec<Checkpoint> {
    let verifier = signer().verifier();
    notes
        .iter()
        .map(|note| Checkpoint::open(note, &verifier).unwrap())
        .collect()
}

#[test]
fn an_untouched_log_verifies_against_its_checkpoint() {
    let (ledger, rows, notes) = stored_log();
    let verified = verify_log(rows, latest(&notes), &signer().verifier()).unwrap();
    assert_eq!(verified.entries, SIZE);
    assert_eq!(verified.checkpoint_size, SIZE);
    assert_eq!(verified.checkpoint_root, ledger.root());
    assert_eq!(verified.root, ledger.root());
    assert_eq!(verified.unsigned_entries(), 0);
}

#[test]
fn rows_without_stored_hashes_verify_too() {
    let (_, rows, notes) = stored_log();
    let rows = rows.into_iter().map(|row| StoredEntry {
        leaf_hash: None,
        ..row
    });
    assert!(verify_log(rows, latest(&notes), &signer().verifier()).is_ok());
}

#[test]
fn entries_after_the_last_checkpoint_are_reported_as_unsigned() {
    let (mut ledger, mut rows, notes) = stored_log();
    for seq in SIZE..SIZE + 3 {
        let appended = ledger.append(&entry(seq, "system")).unwrap();
        rows.push(StoredEntry {
            seq,
            encoded: appended.encoded,
            leaf_hash: Some(appended.leaf_hash),
        });
    }
    let verified = verify_log(rows, latest(&notes), &signer().verifier()).unwrap();
    assert_eq!(verified.unsigned_entries(), 3);
    assert_eq!(verified.root, ledger.root());
    assert_ne!(verified.root, verified.checkpoint_root);
}

#[test]
fn an_edited_entry_is_pinned_by_its_stored_leaf_hash() {
    let (_, mut rows, notes) = stored_log();
    rows[17].encoded = entry(17, "user:999").encode();
    assert!(matches!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::LeafHashMismatch { index: 17, .. })
    ));
}

#[test]
fn an_edit_that_also_rewrites_the_hash_is_caught_by_the_root() {
    let (_, mut rows, notes) = stored_log();
    let forged = entry(17, "user:999").encode();
    rows[17].leaf_hash = Some(ctip_ledger::leaf_hash(&forged));
    rows[17].encoded = forged;
    assert_eq!(
        verify_log(rows.clone(), latest(&notes), &signer().verifier()),
        Err(LedgerError::RootMismatch {
            verified_size: 0,
            checkpoint_size: SIZE
        })
    );
    // With every checkpoint the store kept, the edit is narrowed to entries 10..20.
    assert_eq!(
        verify_rows(rows, &all_checkpoints(&notes)),
        Err(LedgerError::RootMismatch {
            verified_size: 10,
            checkpoint_size: 20
        })
    );
}

#[test]
fn a_corrupted_byte_is_caught() {
    let (_, mut rows, notes) = stored_log();
    // The version byte: the entry no longer decodes.
    rows[3].encoded[0] ^= 0xff;
    rows[3].leaf_hash = None;
    assert!(matches!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::UndecodableEntry { index: 3, .. })
    ));
    // The timestamp: still decodes, so the root catches it.
    let (_, mut rows, notes) = stored_log();
    rows[33].encoded[16] ^= 0x01;
    rows[33].leaf_hash = None;
    assert!(matches!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::RootMismatch {
            checkpoint_size: SIZE,
            ..
        })
    ));
}

#[test]
fn a_deleted_entry_is_caught_where_the_gap_is() {
    let (_, mut rows, notes) = stored_log();
    rows.remove(17);
    assert_eq!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::RowOutOfSequence {
            index: 17,
            found_seq: 18
        })
    );
}

#[test]
fn a_deletion_hidden_by_renumbering_rows_is_caught_by_the_entry_seq() {
    let (_, mut rows, notes) = stored_log();
    rows.remove(17);
    for (index, row) in rows.iter_mut().enumerate() {
        row.seq = index as u64;
    }
    assert_eq!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::EntrySeqMismatch {
            index: 17,
            entry_seq: 18
        })
    );
}

#[test]
fn a_deleted_tail_is_caught_as_truncation() {
    let (_, mut rows, notes) = stored_log();
    rows.truncate(45);
    assert_eq!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::Truncated {
            entries: 45,
            checkpoint_size: SIZE
        })
    );
}

#[test]
fn reordered_entries_are_caught() {
    let (_, mut rows, notes) = stored_log();
    rows.swap(5, 6);
    assert_eq!(
        verify_log(rows.clone(), latest(&notes), &signer().verifier()),
        Err(LedgerError::RowOutOfSequence {
            index: 5,
            found_seq: 6
        })
    );
    // Swapping the seq columns back hides the move from the row order only.
    rows[5].seq = 5;
    rows[6].seq = 6;
    assert_eq!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::EntrySeqMismatch {
            index: 5,
            entry_seq: 6
        })
    );
}

#[test]
fn a_duplicated_entry_is_caught() {
    let (_, mut rows, notes) = stored_log();
    let copy = rows[10].clone();
    rows.insert(11, copy);
    assert_eq!(
        verify_log(rows, latest(&notes), &signer().verifier()),
        Err(LedgerError::RowOutOfSequence {
            index: 11,
            found_seq: 10
        })
    );
}

#[test]
fn a_checkpoint_from_another_key_or_with_an_edited_body_is_rejected() {
    let (ledger, rows, notes) = stored_log();
    let impostor = Signer::from_seed(ORIGIN, &[8u8; 32]).unwrap();
    let forged = ledger.checkpoint(&impostor).unwrap().to_string();
    assert_eq!(
        verify_log(rows.clone(), &forged, &signer().verifier()),
        Err(LedgerError::Checkpoint(CheckpointError::Note(
            NoteError::NoTrustedSignature
        )))
    );
    let edited = latest(&notes).replacen("\n50\n", "\n49\n", 1);
    assert_ne!(edited, latest(&notes));
    assert_eq!(
        verify_log(rows, &edited, &signer().verifier()),
        Err(LedgerError::Checkpoint(CheckpointError::Note(
            NoteError::BadSignature {
                key_name: ORIGIN.to_owned()
            }
        )))
    );
}

#[test]
fn a_signed_checkpoint_for_a_different_tree_is_rejected() {
    let (_, rows, _) = stored_log();
    let mut other = Ledger::new();
    for seq in 0..SIZE {
        other.append(&entry(seq, "user:1")).unwrap();
    }
    let note = other.checkpoint(&signer()).unwrap().to_string();
    assert_eq!(
        verify_log(rows, &note, &signer().verifier()),
        Err(LedgerError::RootMismatch {
            verified_size: 0,
            checkpoint_size: SIZE
        })
    );
}

#[test]
fn checkpoints_of_a_forked_log_conflict() {
    let (_, _, notes) = stored_log();
    let mut checkpoints = all_checkpoints(&notes);
    let mut fork = checkpoints[0].clone();
    fork.root = ctip_ledger::leaf_hash(b"fork");
    checkpoints.push(fork);
    assert_eq!(
        LogVerifier::with_checkpoints(&checkpoints).err(),
        Some(LedgerError::ConflictingCheckpoints { size: 10 })
    );
}

#[test]
fn append_only_accepts_the_next_sequence_number() {
    let mut ledger = Ledger::new();
    assert_eq!(
        ledger.append(&entry(1, "user:1")),
        Err(LedgerError::OutOfSequence {
            expected: 0,
            found: 1
        })
    );
    let first = ledger.append(&entry(0, "user:1")).unwrap();
    assert_eq!(first.seq, 0);
    assert_eq!(
        ledger.append_encoded(&first.encoded).err(),
        Some(LedgerError::OutOfSequence {
            expected: 1,
            found: 0
        })
    );
    assert!(matches!(
        ledger.append_encoded(b"not an entry"),
        Err(LedgerError::Entry(_))
    ));
    let second = ledger.append_encoded(&entry(1, "user:2").encode()).unwrap();
    assert_eq!(ledger.leaf_hash(1), Some(second.leaf_hash));
    assert_eq!(ledger.size(), 2);
}

#[test]
fn a_restored_ledger_continues_where_the_stored_one_stopped() {
    let (ledger, rows, _) = stored_log();
    let mut restored = Ledger::restore(rows.iter().filter_map(|row| row.leaf_hash));
    assert_eq!(restored.root(), ledger.root());
    assert_eq!(restored.size(), SIZE);
    let mut original = ledger.clone();
    let next = entry(SIZE, "user:3");
    assert_eq!(restored.append(&next), original.append(&next));
    assert_eq!(restored.root(), original.root());
}

#[test]
fn proofs_from_the_ledger_verify_against_its_checkpoints() {
    let (ledger, rows, notes) = stored_log();
    let checkpoints = all_checkpoints(&notes);
    for pair in checkpoints.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let proof = ledger.consistency_proof(old.size, new.size).unwrap();
        assert_eq!(
            verify_consistency(old.size, new.size, &old.root, &new.root, &proof),
            Ok(())
        );
    }
    let head = checkpoints.last().unwrap();
    for row in &rows {
        let proof = ledger.inclusion_proof(row.seq, head.size).unwrap();
        let leaf = ctip_ledger::leaf_hash(&row.encoded);
        assert_eq!(
            verify_inclusion(row.seq, head.size, &leaf, &proof, &head.root),
            Ok(())
        );
    }
}

#[test]
fn a_verified_restore_rebuilds_the_ledger_or_names_the_tampered_row() {
    let (ledger, rows, notes) = stored_log();
    let checkpoints = all_checkpoints(&notes);
    let (restored, verified) = Ledger::restore_verified(rows.clone(), &checkpoints).unwrap();
    assert_eq!(restored.root(), ledger.root());
    assert_eq!(verified.entries, SIZE);
    assert_eq!(
        restored.inclusion_proof(3, SIZE),
        ledger.inclusion_proof(3, SIZE)
    );

    let mut tampered = rows;
    tampered[42].encoded = entry(42, "user:77").encode();
    assert!(matches!(
        Ledger::restore_verified(tampered, &checkpoints),
        Err(LedgerError::LeafHashMismatch { index: 42, .. })
    ));
}
