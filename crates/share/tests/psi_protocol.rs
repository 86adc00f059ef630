//! End-to-end behaviour of the PSI protocol, run in one process the way two
//! servers would run it across the network: every message goes through its
//! byte encoding.

use std::collections::{BTreeSet, HashSet};

use ctip_share::psi::{
    Initiator, ItemHasher, MessageBody, Party, PointError, PointList, PsiConfig, PsiError, PsiItem,
    PsiMessage, PsiMode, PsiOutcome, PsiResult, Responder, SessionId, Step, TranscriptHash,
    decode_point,
};
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use rand::rngs::OsRng;

/// Sends a message "over the wire": encode, record, decode.
fn transmit(message: &PsiMessage, wire: &mut Vec<Vec<u8>>) -> PsiMessage {
    let bytes = message.to_bytes();
    wire.push(bytes.clone());
    PsiMessage::from_bytes(&bytes).expect("an honest message decodes")
}

struct Run {
    initiator: PsiOutcome,
    responder: PsiOutcome,
    wire: Vec<Vec<u8>>,
}

fn run(config: PsiConfig, ours: Vec<PsiItem>, theirs: Vec<PsiItem>) -> Run {
    let session = SessionId::random();
    let mut initiator = Initiator::new(session, config, ours).expect("initiator set is valid");
    let mut responder = Responder::new(session, config, theirs).expect("responder set is valid");
    let mut wire = Vec::new();
    let request = transmit(
        &initiator.start().expect("fresh initiator starts"),
        &mut wire,
    );
    let reply = transmit(
        &responder.handle_request(&request).expect("honest request"),
        &mut wire,
    );
    let (last, initiator_outcome) = initiator.handle_reply(&reply).expect("honest reply");
    let last = transmit(&last, &mut wire);
    let responder_outcome = responder.handle_outcome(&last).expect("honest outcome");
    assert_eq!(initiator.transcript_hash(), responder.transcript_hash());
    Run {
        initiator: initiator_outcome,
        responder: responder_outcome,
        wire,
    }
}

/// An item of a kind chosen by `n`, so that every kind takes part.
fn item(n: u32) -> PsiItem {
    let made = match n % 5 {
        0 => PsiItem::phone(&format!("+44 7700 {:06}", n)),
        1 => PsiItem::email(&format!("Person.{n}@Example.org")),
        2 => PsiItem::handle("telegram", &format!("@User_{n}")),
        3 => PsiItem::wallet(&format!("1Wallet{n:08}xyz")),
        _ => PsiItem::document(&format!("p {n:09}")),
    };
    made.expect("generated items are valid")
}

fn items(ids: &BTreeSet<u32>) -> Vec<PsiItem> {
    ids.iter().map(|&n| item(n)).collect()
}

fn plaintext_intersection(a: &BTreeSet<u32>, b: &BTreeSet<u32>) -> Vec<PsiItem> {
    let mut shared: Vec<PsiItem> = a.intersection(b).map(|&n| item(n)).collect();
    shared.sort();
    shared
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn both_sides_learn_exactly_the_plaintext_intersection(
        a in proptest::collection::btree_set(0u32..120, 0..60),
        b in proptest::collection::btree_set(0u32..120, 0..60),
    ) {
        let outcome = run(PsiConfig::default(), items(&a), items(&b));
        let expected = plaintext_intersection(&a, &b);
        prop_assert_eq!(&outcome.initiator.result, &PsiResult::Intersection(expected.clone()));
        prop_assert_eq!(&outcome.responder.result, &PsiResult::Intersection(expected));
        prop_assert_eq!(outcome.initiator.peer_set_size, b.len());
        prop_assert_eq!(outcome.responder.peer_set_size, a.len());
    }

    #[test]
    fn cardinality_mode_gives_both_sides_the_count_only(
        a in proptest::collection::btree_set(0u32..120, 0..60),
        b in proptest::collection::btree_set(0u32..120, 0..60),
    ) {
        let outcome = run(PsiConfig::cardinality_only(), items(&a), items(&b));
        let expected = a.intersection(&b).count();
        prop_assert_eq!(&outcome.initiator.result, &PsiResult::Cardinality(expected));
        prop_assert_eq!(&outcome.responder.result, &PsiResult::Cardinality(expected));
    }
}

#[test]
fn ten_thousand_items_per_side_match_the_plaintext_intersection() {
    // Overlap of 3,000: ids 7,000..10,000 on one side are 0..3,000 shifted.
    let a: BTreeSet<u32> = (0..10_000).collect();
    let b: BTreeSet<u32> = (7_000..17_000).collect();
    let outcome = run(PsiConfig::default(), items(&a), items(&b));
    let expected = plaintext_intersection(&a, &b);
    assert_eq!(expected.len(), 3_000);
    assert_eq!(
        outcome.initiator.result,
        PsiResult::Intersection(expected.clone())
    );
    assert_eq!(outcome.responder.result, PsiResult::Intersection(expected));
}

#[test]
fn duplicates_and_caller_order_do_not_change_the_result() {
    let a: BTreeSet<u32> = (0..50).collect();
    let b: BTreeSet<u32> = (25..80).collect();
    let mut ours = items(&a);
    ours.extend(items(&a));
    ours.reverse();
    let outcome = run(PsiConfig::default(), ours, items(&b));
    assert_eq!(
        outcome.initiator.result,
        PsiResult::Intersection(plaintext_intersection(&a, &b))
    );
    assert_eq!(outcome.responder.peer_set_size, 50);
}

#[test]
fn cardinality_mode_final_message_carries_only_a_count() {
    let a: BTreeSet<u32> = (0..40).collect();
    let b: BTreeSet<u32> = (30..90).collect();
    let outcome = run(PsiConfig::cardinality_only(), items(&a), items(&b));
    let last =
        PsiMessage::from_bytes(outcome.wire.last().expect("three messages")).expect("decodes");
    assert_eq!(last.body(), &MessageBody::Cardinality { count: 10 });
}

/// Plays a curious initiator that knows its own scalar `a`: it computes
/// `(H(y)^b)^a` for every responder point and returns the step-1 positions
/// whose double-blinded value is among them, together with the positions of
/// the items that really are shared.
fn positions_a_curious_initiator_links(mode: PsiMode) -> (BTreeSet<usize>, BTreeSet<usize>) {
    let a_ids: BTreeSet<u32> = (0..64).collect();
    let b_ids: BTreeSet<u32> = (0..16).chain(100..120).collect();
    let session = SessionId::random();
    let hasher = ItemHasher::new(&session);
    let a = Scalar::random(&mut OsRng);
    let ours: Vec<u32> = a_ids.iter().copied().collect();
    let blinded = ours
        .iter()
        .map(|&n| (hasher.hash(&item(n)) * a).compress().to_bytes())
        .collect();
    let request = PsiMessage::new(
        session,
        mode,
        TranscriptHash::start(&session),
        MessageBody::InitiatorBlinded { blinded },
    );
    let config = PsiConfig {
        mode,
        ..PsiConfig::default()
    };
    let mut responder = Responder::new(session, config, items(&b_ids)).expect("valid");
    let reply = responder
        .handle_request(&request)
        .expect("well-formed request");
    let MessageBody::ResponderBlinded {
        double_blinded,
        responder_blinded,
    } = reply.body()
    else {
        panic!("step 2 body");
    };
    let theirs: HashSet<[u8; 32]> = responder_blinded
        .iter()
        .map(|p| {
            (decode_point(p).expect("valid point") * a)
                .compress()
                .to_bytes()
        })
        .collect();
    let linked = (0..ours.len())
        .filter(|&i| theirs.contains(&double_blinded[i]))
        .collect();
    let truth = (0..ours.len())
        .filter(|&i| b_ids.contains(&ours[i]))
        .collect();
    (linked, truth)
}

#[test]
fn intersection_mode_keeps_step_one_order() {
    let (linked, truth) = positions_a_curious_initiator_links(PsiMode::Intersection);
    assert_eq!(truth.len(), 16);
    assert_eq!(linked, truth);
}

#[test]
fn cardinality_mode_hides_which_initiator_items_matched() {
    // The responder shuffles the double-blinded list: the count survives, the
    // positions do not (keeping them by chance has probability 1/C(64,16)).
    let (linked, truth) = positions_a_curious_initiator_links(PsiMode::CardinalityOnly);
    assert_eq!(linked.len(), truth.len());
    assert_ne!(linked, truth);
}

#[test]
fn no_item_appears_in_the_clear_in_any_message() {
    let a: BTreeSet<u32> = (0..150).collect();
    let b: BTreeSet<u32> = (100..250).collect();
    for config in [PsiConfig::default(), PsiConfig::cardinality_only()] {
        let session = SessionId::random();
        let mut initiator = Initiator::new(session, config, items(&a)).expect("valid");
        let mut responder = Responder::new(session, config, items(&b)).expect("valid");
        let mut wire = Vec::new();
        let request = transmit(&initiator.start().expect("starts"), &mut wire);
        let reply = transmit(
            &responder.handle_request(&request).expect("valid"),
            &mut wire,
        );
        let (last, _) = initiator.handle_reply(&reply).expect("valid");
        let last = transmit(&last, &mut wire);
        responder.handle_outcome(&last).expect("valid");

        // The unblinded hash H(x) is what a dictionary attack would look for:
        // it must not appear either, nor the value or the hash input.
        let hasher = ItemHasher::new(&session);
        for n in a.union(&b) {
            let item = item(*n);
            let forms = [
                item.value().as_bytes().to_vec(),
                item.hash_input(),
                hasher.hash(&item).compress().to_bytes().to_vec(),
            ];
            for form in &forms {
                for (step, bytes) in wire.iter().enumerate() {
                    assert!(
                        !bytes.windows(form.len()).any(|w| w == form.as_slice()),
                        "{item} appears in message {} in {:?} mode",
                        step + 1,
                        config.mode
                    );
                }
            }
        }
    }
}

/// A started pair of machines with the first message, for the negative tests.
struct Pair {
    session: SessionId,
    initiator: Initiator,
    responder: Responder,
    request: PsiMessage,
}

fn started_pair(config: PsiConfig) -> Pair {
    let a: BTreeSet<u32> = (0..20).collect();
    let b: BTreeSet<u32> = (10..30).collect();
    let session = SessionId::random();
    let mut initiator = Initiator::new(session, config, items(&a)).expect("valid");
    let responder = Responder::new(session, config, items(&b)).expect("valid");
    let request = initiator.start().expect("starts");
    Pair {
        session,
        initiator,
        responder,
        request,
    }
}

#[test]
fn a_flipped_byte_is_rejected_and_the_genuine_message_still_works() {
    let mut pair = started_pair(PsiConfig::default());
    let mut bytes = pair.request.to_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    assert!(PsiMessage::from_bytes(&bytes).is_err());
    // An attacker who re-seals an edited message gets a different transcript
    // hash, so the signature the transport checks over it no longer verifies.
    let MessageBody::InitiatorBlinded { blinded } = pair.request.body() else {
        panic!("step 1 body");
    };
    let mut swapped = blinded.clone();
    swapped.swap(0, 1);
    let resealed = PsiMessage::new(
        pair.session,
        PsiMode::Intersection,
        pair.request.previous_transcript(),
        MessageBody::InitiatorBlinded { blinded: swapped },
    );
    assert_ne!(resealed.transcript_hash(), pair.request.transcript_hash());
    // Rejections leave the responder as it was: the genuine message works.
    let reply = pair
        .responder
        .handle_request(&pair.request)
        .expect("genuine request");
    assert!(pair.initiator.handle_reply(&reply).is_ok());
}

#[test]
fn a_replayed_request_is_rejected() {
    let mut pair = started_pair(PsiConfig::default());
    pair.responder
        .handle_request(&pair.request)
        .expect("first time");
    assert!(matches!(
        pair.responder.handle_request(&pair.request),
        Err(PsiError::WrongState { .. })
    ));
    // Given to the next handler, it is the wrong step.
    assert_eq!(
        pair.responder.handle_outcome(&pair.request),
        Err(PsiError::UnexpectedStep {
            expected: Step::Outcome,
            received: Step::InitiatorBlinded
        })
    );
}

#[test]
fn a_replayed_reply_is_rejected() {
    let mut pair = started_pair(PsiConfig::default());
    let reply = pair.responder.handle_request(&pair.request).expect("valid");
    let (last, _) = pair.initiator.handle_reply(&reply).expect("first time");
    assert!(matches!(
        pair.initiator.handle_reply(&reply),
        Err(PsiError::WrongState { .. })
    ));
    pair.responder.handle_outcome(&last).expect("valid");
    assert!(matches!(
        pair.responder.handle_outcome(&last),
        Err(PsiError::WrongState { .. })
    ));
}

#[test]
fn messages_of_another_session_are_rejected() {
    let old = started_pair(PsiConfig::default());
    let mut new = started_pair(PsiConfig::default());
    assert!(matches!(
        new.responder.handle_request(&old.request),
        Err(PsiError::SessionMismatch { .. })
    ));
    // The new session still completes.
    let reply = new.responder.handle_request(&new.request).expect("valid");
    assert!(new.initiator.handle_reply(&reply).is_ok());
}

#[test]
fn a_reply_from_an_earlier_run_of_the_same_session_is_rejected() {
    // Same session id, restarted: the old reply continues the old transcript.
    let mut first = started_pair(PsiConfig::default());
    let old_reply = first
        .responder
        .handle_request(&first.request)
        .expect("valid");
    let session = first.session;
    let mut restarted =
        Initiator::new(session, PsiConfig::default(), vec![item(1), item(2)]).expect("valid");
    restarted.start().expect("starts");
    assert_eq!(
        restarted.handle_reply(&old_reply).map(|_| ()),
        Err(PsiError::TranscriptMismatch)
    );
}

#[test]
fn out_of_order_calls_and_messages_are_rejected() {
    let mut pair = started_pair(PsiConfig::default());
    // The initiator cannot start twice, nor take its own message as a reply.
    assert!(matches!(
        pair.initiator.start(),
        Err(PsiError::WrongState { .. })
    ));
    assert_eq!(
        pair.initiator.handle_reply(&pair.request).map(|_| ()),
        Err(PsiError::UnexpectedStep {
            expected: Step::ResponderBlinded,
            received: Step::InitiatorBlinded
        })
    );
    // The responder cannot take an outcome before the request.
    assert!(matches!(
        pair.responder.handle_outcome(&pair.request),
        Err(PsiError::WrongState { .. })
    ));
    // A fresh initiator cannot take a reply before starting.
    let mut fresh =
        Initiator::new(pair.session, PsiConfig::default(), vec![item(3)]).expect("valid");
    let reply = pair.responder.handle_request(&pair.request).expect("valid");
    assert!(matches!(
        fresh.handle_reply(&reply),
        Err(PsiError::WrongState { .. })
    ));
    // Step 3 handed to the responder's request handler is the wrong state.
    let (last, _) = pair.initiator.handle_reply(&reply).expect("valid");
    assert!(matches!(
        pair.responder.handle_request(&last),
        Err(PsiError::WrongState { .. })
    ));
    pair.responder
        .handle_outcome(&last)
        .expect("in order it works");
}

#[test]
fn mismatched_modes_are_rejected() {
    let pair = started_pair(PsiConfig::default());
    let mut cardinality_responder =
        Responder::new(pair.session, PsiConfig::cardinality_only(), vec![item(1)]).expect("valid");
    assert_eq!(
        cardinality_responder
            .handle_request(&pair.request)
            .map(|_| ()),
        Err(PsiError::ModeMismatch {
            expected: PsiMode::CardinalityOnly,
            received: PsiMode::Intersection
        })
    );
}

/// Rebuilds the step-1 message with a changed point list, sealed correctly,
/// as a malicious initiator would.
fn with_points(pair: &Pair, edit: impl FnOnce(&mut Vec<[u8; 32]>)) -> PsiMessage {
    let MessageBody::InitiatorBlinded { blinded } = pair.request.body() else {
        panic!("step 1 body");
    };
    let mut points = blinded.clone();
    edit(&mut points);
    let message = PsiMessage::new(
        pair.session,
        PsiMode::Intersection,
        pair.request.previous_transcript(),
        MessageBody::InitiatorBlinded { blinded: points },
    );
    PsiMessage::from_bytes(&message.to_bytes()).expect("well-formed bytes")
}

#[test]
fn non_canonical_and_identity_points_are_rejected() {
    let mut pair = started_pair(PsiConfig::default());
    // s = p (2^255 - 19): a field element that is not reduced.
    let mut unreduced = [0xffu8; 32];
    unreduced[0] = 0xed;
    unreduced[31] = 0x7f;
    let bad = with_points(&pair, |points| points[3] = unreduced);
    assert_eq!(
        pair.responder.handle_request(&bad).map(|_| ()),
        Err(PsiError::InvalidPoint {
            list: PointList::InitiatorBlinded,
            index: 3,
            reason: PointError::NonCanonical
        })
    );
    let identity = with_points(&pair, |points| points[5] = [0u8; 32]);
    assert_eq!(
        pair.responder.handle_request(&identity).map(|_| ()),
        Err(PsiError::InvalidPoint {
            list: PointList::InitiatorBlinded,
            index: 5,
            reason: PointError::Identity
        })
    );
    let repeated = with_points(&pair, |points| points[7] = points[2]);
    assert_eq!(
        pair.responder.handle_request(&repeated).map(|_| ()),
        Err(PsiError::DuplicatePoint {
            list: PointList::InitiatorBlinded,
            index: 7
        })
    );
    // None of that changed the responder's state.
    assert!(pair.responder.handle_request(&pair.request).is_ok());
}

#[test]
fn a_reply_of_the_wrong_length_or_with_bad_points_is_rejected() {
    let mut pair = started_pair(PsiConfig::default());
    let reply = pair.responder.handle_request(&pair.request).expect("valid");
    let MessageBody::ResponderBlinded {
        double_blinded,
        responder_blinded,
    } = reply.body()
    else {
        panic!("step 2 body");
    };
    let forge = |double_blinded: Vec<[u8; 32]>, responder_blinded: Vec<[u8; 32]>| {
        PsiMessage::new(
            pair.session,
            PsiMode::Intersection,
            reply.previous_transcript(),
            MessageBody::ResponderBlinded {
                double_blinded,
                responder_blinded,
            },
        )
    };
    let short = forge(double_blinded[1..].to_vec(), responder_blinded.clone());
    assert_eq!(
        pair.initiator.handle_reply(&short).map(|_| ()),
        Err(PsiError::LengthMismatch {
            list: PointList::DoubleBlinded,
            expected: 20,
            received: 19
        })
    );
    let mut bad = responder_blinded.clone();
    bad[0][0] |= 1; // odd s: never canonical
    assert!(matches!(
        pair.initiator
            .handle_reply(&forge(double_blinded.clone(), bad)),
        Err(PsiError::InvalidPoint {
            list: PointList::ResponderBlinded,
            index: 0,
            ..
        })
    ));
    let mut bad = double_blinded.clone();
    bad[4] = [0u8; 32];
    assert!(matches!(
        pair.initiator
            .handle_reply(&forge(bad, responder_blinded.clone())),
        Err(PsiError::InvalidPoint {
            list: PointList::DoubleBlinded,
            index: 4,
            reason: PointError::Identity
        })
    ));
    assert!(pair.initiator.handle_reply(&reply).is_ok());
}

#[test]
fn forged_outcomes_are_rejected_by_the_responder() {
    for config in [PsiConfig::default(), PsiConfig::cardinality_only()] {
        let mut pair = started_pair(config);
        let reply = pair.responder.handle_request(&pair.request).expect("valid");
        let (last, _) = pair.initiator.handle_reply(&reply).expect("valid");
        let forge =
            |body| PsiMessage::new(pair.session, config.mode, last.previous_transcript(), body);
        let forgeries = match config.mode {
            PsiMode::Intersection => vec![
                (
                    forge(MessageBody::MatchedIndices { indices: vec![20] }),
                    "index past the end",
                ),
                (
                    forge(MessageBody::MatchedIndices {
                        indices: vec![3, 3],
                    }),
                    "repeated index",
                ),
                (
                    forge(MessageBody::MatchedIndices {
                        indices: vec![4, 2],
                    }),
                    "decreasing",
                ),
                (
                    forge(MessageBody::Cardinality { count: 1 }),
                    "body of the other mode",
                ),
            ],
            PsiMode::CardinalityOnly => vec![
                (
                    forge(MessageBody::Cardinality { count: 21 }),
                    "count above both sets",
                ),
                (
                    forge(MessageBody::MatchedIndices { indices: vec![1] }),
                    "body of the other mode",
                ),
            ],
        };
        for (forgery, what) in forgeries {
            assert!(
                pair.responder.handle_outcome(&forgery).is_err(),
                "{what} accepted"
            );
        }
        assert!(pair.responder.handle_outcome(&last).is_ok());
    }
}

#[test]
fn set_size_caps_apply_to_both_sides() {
    let small = PsiConfig {
        max_set_size: 10,
        ..PsiConfig::default()
    };
    let eleven: BTreeSet<u32> = (0..11).collect();
    assert_eq!(
        Initiator::new(SessionId::random(), small, items(&eleven)).map(|_| ()),
        Err(PsiError::SetTooLarge {
            party: Party::Own,
            size: 11,
            max: 10
        })
    );
    // The peer's set is checked against our cap when it arrives.
    let session = SessionId::random();
    let mut initiator =
        Initiator::new(session, PsiConfig::default(), items(&eleven)).expect("valid");
    let mut responder = Responder::new(session, small, vec![item(1)]).expect("valid");
    let request = initiator.start().expect("starts");
    assert_eq!(
        responder.handle_request(&request).map(|_| ()),
        Err(PsiError::SetTooLarge {
            party: Party::Peer,
            size: 11,
            max: 10
        })
    );
    assert_eq!(
        Initiator::new(
            session,
            PsiConfig {
                max_set_size: 0,
                ..PsiConfig::default()
            },
            vec![]
        )
        .map(|_| ()),
        Err(PsiError::InvalidConfig(0))
    );
}

#[test]
fn empty_sets_give_an_empty_intersection() {
    let outcome = run(PsiConfig::default(), Vec::new(), vec![item(1)]);
    assert_eq!(
        outcome.initiator.result,
        PsiResult::Intersection(Vec::new())
    );
    assert_eq!(
        outcome.responder.result,
        PsiResult::Intersection(Vec::new())
    );
}
