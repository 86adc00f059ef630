//! Property tests: proofs verify for random shapes, the three tree representations agree,
//! the entry encoding is canonical, and parsers never panic on arbitrary input.

use ctip_ledger::{
    Action, Actor, Checkpoint, Detail, Entry, Frontier, Hash, Ledger, MerkleTree, Note, RecordRef,
    Signer, Tenant, Verifier, leaf_hash, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

fn tree_of(size: u64) -> (MerkleTree, Vec<Hash>) {
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_le_bytes())).collect();
    let mut tree = MerkleTree::new();
    for leaf in &leaves {
        tree.push(*leaf);
    }
    (tree, leaves)
}

fn identifier() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._:-]{1,40}"
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Create),
        Just(Action::Read),
        Just(Action::Update),
        Just(Action::Export),
        Just(Action::Purge),
        Just(Action::Login),
        Just(Action::Override),
        "[a-z0-9_.-]{1,20}".prop_map(|name| Action::from_name(&name).unwrap()),
    ]
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        any::<u64>(),
        any::<i64>(),
        identifier(),
        action(),
        "[a-z0-9_-]{1,12}",
        identifier(),
        identifier(),
        proptest::option::of("[^\\p{Cc}]{1,40}"),
    )
        .prop_map(|(seq, at, actor, action, kind, id, tenant, detail)| Entry {
            seq,
            at,
            actor: Actor::new(actor).unwrap(),
            action,
            record: RecordRef::new(kind, id).unwrap(),
            tenant: Tenant::new(tenant).unwrap(),
            detail: detail.map(|text| Detail::new(text).unwrap()),
        })
}

proptest! {
    #[test]
    fn inclusion_proofs_verify_for_random_shapes(size in 1u64..600, pick in any::<u64>(), older in any::<u64>()) {
        let (tree, leaves) = tree_of(size);
        let at_size = 1 + older % size;
        let index = pick % at_size;
        let proof = tree.inclusion_proof(index, at_size).unwrap();
        let root = tree.root_at(at_size).unwrap();
        prop_assert_eq!(verify_inclusion(index, at_size, &leaves[index as usize], &proof, &root), Ok(()));
        prop_assert!(proof.len() <= 64);
    }

    #[test]
    fn consistency_proofs_verify_for_random_shapes(size in 1u64..600, a in any::<u64>(), b in any::<u64>()) {
        let (tree, _) = tree_of(size);
        let new_size = 1 + a % size;
        let old_size = b % (new_size + 1);
        let proof = tree.consistency_proof(old_size, new_size).unwrap();
        let old_root = tree.root_at(old_size).unwrap();
        let new_root = tree.root_at(new_size).unwrap();
        prop_assert_eq!(verify_consistency(old_size, new_size, &old_root, &new_root, &proof), Ok(()));
    }

    #[test]
    fn frontier_stored_tree_and_restored_ledger_agree(size in 0u64..700) {
        let (tree, leaves) = tree_of(size);
        let mut frontier = Frontier::new();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        prop_assert_eq!(frontier.size(), size);
        prop_assert_eq!(frontier.root(), tree.root());
        prop_assert_eq!(Ledger::restore(leaves).root(), tree.root());
    }

    #[test]
    fn entry_encoding_round_trips(entry in entry()) {
        let bytes = entry.encode();
        prop_assert_eq!(Entry::decode(&bytes), Ok(entry));
    }

    #[test]
    fn entry_encoding_is_canonical_under_mutation(entry in entry(), position in any::<usize>(), value in any::<u8>()) {
        let mut bytes = entry.encode();
        let position = position % bytes.len();
        bytes[position] = value;
        // Whatever still decodes must encode back to exactly the same bytes: no two
        // encodings of one entry, so no two leaf hashes for one entry.
        if let Ok(decoded) = Entry::decode(&bytes) {
            prop_assert_eq!(decoded.encode(), bytes);
        }
    }

    #[test]
    fn entry_decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Entry::decode(&bytes);
    }

    #[test]
    fn note_and_key_parsing_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Note::parse_bytes(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = Note::parse(&text);
        let _ = Checkpoint::parse_text(&text);
        let _ = Verifier::parse(&text);
        let _ = Signer::parse(&text);
    }

    #[test]
    fn note_parsing_never_panics_on_near_valid_notes(cut in any::<usize>(), insert in "[\\PC\n—]{0,8}") {
        let signer = Signer::from_seed("prop.test/log", &[3u8; 32]).unwrap();
        let checkpoint = Checkpoint { origin: "prop.test/log".into(), size: 9, root: leaf_hash(b"x"), extensions: vec![] };
        let wire = checkpoint.sign(&signer).unwrap().to_string();
        let mut position = cut % (wire.len() + 1);
        while !wire.is_char_boundary(position) {
            position -= 1;
        }
        let mutated = format!("{}{}{}", &wire[..position], insert, &wire[position..]);
        if let Ok(note) = Note::parse(&mutated) {
            // Any accepted mutation must either still be the same signed text or fail verification.
            if note.verify(&[signer.verifier()]).is_ok() {
                prop_assert_eq!(note.text(), checkpoint.to_text());
            }
        }
    }
}
