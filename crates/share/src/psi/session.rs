//! The two protocol state machines, [`Initiator`] (agency A) and
//! [`Responder`] (agency B).
//!
//! ```text
//! Initiator                                   Responder
//!   new ─ start() ── step 1: H(x)^a ────────────▶ handle_request()
//!   handle_reply() ◀── step 2: (H(x)^a)^b, H(y)^b ─┘
//!   └─ step 3: matched indices | count ──────────▶ handle_outcome()
//! ```
//!
//! Each call checks that the machine is in the state the call needs, and each
//! received message is checked, in this order, for session id, step, mode and
//! the previous transcript hash, before any of its points is touched. A
//! rejected message leaves the machine unchanged; a server should
//! nevertheless abort the session, since an honest peer never sends one.

use std::collections::{HashMap, HashSet};
use std::fmt;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::group::{BadPoint, BlindingKey, EncodedPoint, ItemHasher, PointError, validate_points};
use super::item::PsiItem;
use super::message::{MessageBody, PsiMessage, PsiMode, SessionId, Step, TranscriptHash};

/// Default cap on the number of distinct items on each side.
pub const DEFAULT_MAX_SET_SIZE: usize = 1_000_000;

/// Hard ceiling on any configured set size: list lengths are u32 on the wire.
pub const MAX_SET_SIZE_LIMIT: usize = u32::MAX as usize;

/// Settings of one side of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PsiConfig {
    /// What the two sides learn; both must configure the same mode.
    pub mode: PsiMode,
    /// Largest set accepted, for our own items and for the peer's. A peer
    /// set far larger than usual is the signature of a brute-force attempt
    /// (see the crate documentation).
    pub max_set_size: usize,
}

impl Default for PsiConfig {
    fn default() -> Self {
        Self {
            mode: PsiMode::Intersection,
            max_set_size: DEFAULT_MAX_SET_SIZE,
        }
    }
}

impl PsiConfig {
    /// The default configuration in cardinality-only mode.
    pub fn cardinality_only() -> Self {
        Self {
            mode: PsiMode::CardinalityOnly,
            ..Self::default()
        }
    }
}

/// Which side a set or a point list belongs to, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// This side.
    Own,
    /// The other organisation.
    Peer,
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Party::Own => "own",
            Party::Peer => "peer",
        })
    }
}

/// A received list of points, named for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointList {
    /// Step 1 `H(x)^a`.
    InitiatorBlinded,
    /// Step 2 `(H(x)^a)^b`.
    DoubleBlinded,
    /// Step 2 `H(y)^b`.
    ResponderBlinded,
}

impl fmt::Display for PointList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointList::InitiatorBlinded => "initiator-blinded",
            PointList::DoubleBlinded => "double-blinded",
            PointList::ResponderBlinded => "responder-blinded",
        })
    }
}

/// Why a session step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PsiError {
    /// The configured cap is zero or beyond what the wire format can carry.
    #[error("max_set_size must be between 1 and {MAX_SET_SIZE_LIMIT}, not {0}")]
    InvalidConfig(usize),
    /// A set, ours or the peer's, is larger than the configured cap.
    #[error("{party} set has {size} items; the cap is {max}")]
    SetTooLarge {
        /// Whose set.
        party: Party,
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The call does not fit the machine's current state.
    #[error("cannot {operation} while the session is {state}")]
    WrongState {
        /// What was attempted.
        operation: &'static str,
        /// The state the machine is in.
        state: &'static str,
    },
    /// A message of another session.
    #[error("message belongs to session {received}, not {expected}")]
    SessionMismatch {
        /// Our session.
        expected: SessionId,
        /// The message's session.
        received: SessionId,
    },
    /// A message of the wrong step: replayed or out of order.
    #[error("expected {expected}, received {received}")]
    UnexpectedStep {
        /// The step the machine waits for.
        expected: Step,
        /// The step of the message.
        received: Step,
    },
    /// The peer runs in another mode.
    #[error("peer runs in {received:?} mode; this side is configured for {expected:?}")]
    ModeMismatch {
        /// Our mode.
        expected: PsiMode,
        /// The peer's mode.
        received: PsiMode,
    },
    /// The message does not continue our transcript: it was replayed from
    /// an earlier exchange, or built on a message we never saw.
    #[error("message does not continue this session's transcript")]
    TranscriptMismatch,
    /// A received point is not a valid group element.
    #[error("point {index} of the {list} list is invalid: {reason}")]
    InvalidPoint {
        /// Which list.
        list: PointList,
        /// Position in it.
        index: usize,
        /// What is wrong.
        reason: PointError,
    },
    /// The same point twice in a list: an honest peer de-duplicates, and
    /// repeats would inflate counts.
    #[error("point {index} of the {list} list repeats an earlier one")]
    DuplicatePoint {
        /// Which list.
        list: PointList,
        /// Position of the repeat.
        index: usize,
    },
    /// The double-blinded list must have one entry per item sent in step 1.
    #[error("{list} list has {received} points; expected {expected}")]
    LengthMismatch {
        /// Which list.
        list: PointList,
        /// Expected length.
        expected: usize,
        /// Received length.
        received: usize,
    },
    /// A final message whose body is not the one the mode prescribes.
    #[error("final message body does not fit {mode:?} mode")]
    BodyDoesNotFitMode {
        /// Our mode.
        mode: PsiMode,
    },
    /// A matched index outside our list, or not strictly increasing.
    #[error("matched index {index} at position {position} is out of range or out of order")]
    InvalidMatchedIndex {
        /// Position in the received index list.
        position: usize,
        /// The index.
        index: u32,
    },
    /// A reported intersection size larger than either set.
    #[error("reported intersection size {count} exceeds the smaller set size {max}")]
    CardinalityOutOfRange {
        /// Reported size.
        count: u64,
        /// Smaller of the two set sizes.
        max: usize,
    },
}

/// What a side learns at the end of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsiOutcome {
    /// Number of distinct items the peer put in (every PSI reveals it).
    pub peer_set_size: usize,
    /// The result, as the mode allows.
    pub result: PsiResult,
}

/// The result proper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsiResult {
    /// Our own items that the peer also holds, in canonical order.
    Intersection(Vec<PsiItem>),
    /// Only the size of the intersection.
    Cardinality(usize),
}

impl PsiResult {
    /// Size of the intersection, whatever the mode.
    pub fn count(&self) -> usize {
        match self {
            PsiResult::Intersection(items) => items.len(),
            PsiResult::Cardinality(count) => *count,
        }
    }
}

/// Checks and prepares one side's inputs: de-duplicates (a repeated item
/// would show up as a repeated point), applies the cap, and shuffles so that
/// positions on the wire say nothing about the caller's order.
fn prepare_items(
    items: Vec<PsiItem>,
    config: &PsiConfig,
    rng: &mut StdRng,
) -> Result<Vec<PsiItem>, PsiError> {
    if config.max_set_size == 0 || config.max_set_size > MAX_SET_SIZE_LIMIT {
        return Err(PsiError::InvalidConfig(config.max_set_size));
    }
    let mut items = items;
    items.sort_unstable();
    items.dedup();
    if items.len() > config.max_set_size {
        return Err(PsiError::SetTooLarge {
            party: Party::Own,
            size: items.len(),
            max: config.max_set_size,
        });
    }
    items.shuffle(rng);
    Ok(items)
}

/// A fresh CSPRNG for shuffles, seeded from the operating system (like the
/// secret scalars; an operating system without a working RNG cannot run
/// this protocol at all).
fn shuffle_rng() -> StdRng {
    StdRng::from_entropy()
}

/// Checks the envelope of a received message against our session.
fn check_envelope(
    message: &PsiMessage,
    session_id: SessionId,
    mode: PsiMode,
    expected_step: Step,
    transcript: TranscriptHash,
) -> Result<(), PsiError> {
    if message.session_id() != session_id {
        return Err(PsiError::SessionMismatch {
            expected: session_id,
            received: message.session_id(),
        });
    }
    if message.step() != expected_step {
        return Err(PsiError::UnexpectedStep {
            expected: expected_step,
            received: message.step(),
        });
    }
    if message.mode() != mode {
        return Err(PsiError::ModeMismatch {
            expected: mode,
            received: message.mode(),
        });
    }
    if message.previous_transcript() != transcript {
        return Err(PsiError::TranscriptMismatch);
    }
    Ok(())
}

fn check_peer_size(size: usize, config: &PsiConfig) -> Result<(), PsiError> {
    if size > config.max_set_size {
        return Err(PsiError::SetTooLarge {
            party: Party::Peer,
            size,
            max: config.max_set_size,
        });
    }
    Ok(())
}

fn invalid_point(list: PointList) -> impl Fn(BadPoint) -> PsiError {
    move |bad| PsiError::InvalidPoint {
        list,
        index: bad.index,
        reason: bad.reason,
    }
}

fn reject_duplicates(list: PointList, points: &[EncodedPoint]) -> Result<(), PsiError> {
    let mut seen = HashSet::with_capacity(points.len());
    match points.iter().position(|point| !seen.insert(point)) {
        Some(index) => Err(PsiError::DuplicatePoint { list, index }),
        None => Ok(()),
    }
}

/// The initiator's state. Secrets live only in the states that need them and
/// are wiped when the state is left.
enum InitiatorState {
    Ready { key: BlindingKey },
    AwaitingReply { key: BlindingKey },
    Finished,
}

impl InitiatorState {
    fn name(&self) -> &'static str {
        match self {
            InitiatorState::Ready { .. } => "ready to start",
            InitiatorState::AwaitingReply { .. } => "awaiting the responder's reply",
            InitiatorState::Finished => "finished",
        }
    }
}

/// Agency A: sends its blinded set first, computes the result, and tells the
/// responder what it may learn.
pub struct Initiator {
    session_id: SessionId,
    config: PsiConfig,
    hasher: ItemHasher,
    /// Our items in the order they were sent in step 1.
    items: Vec<PsiItem>,
    transcript: TranscriptHash,
    state: InitiatorState,
}

impl Initiator {
    /// Prepares a session with a fresh secret scalar. `items` may contain
    /// duplicates; they are removed.
    pub fn new(
        session_id: SessionId,
        config: PsiConfig,
        items: Vec<PsiItem>,
    ) -> Result<Self, PsiError> {
        let items = prepare_items(items, &config, &mut shuffle_rng())?;
        Ok(Self {
            session_id,
            config,
            hasher: ItemHasher::new(&session_id),
            items,
            transcript: TranscriptHash::start(&session_id),
            state: InitiatorState::Ready {
                key: BlindingKey::random(),
            },
        })
    }

    /// The session id.
    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// Hash of the transcript so far (after the last message sent or accepted).
    pub fn transcript_hash(&self) -> TranscriptHash {
        self.transcript
    }

    /// Number of distinct items this side contributes.
    pub fn set_size(&self) -> usize {
        self.items.len()
    }

    /// Step 1: blinds our items and returns the message for the responder.
    pub fn start(&mut self) -> Result<PsiMessage, PsiError> {
        let key = match std::mem::replace(&mut self.state, InitiatorState::Finished) {
            InitiatorState::Ready { key } => key,
            other => {
                let state = other.name();
                self.state = other;
                return Err(PsiError::WrongState {
                    operation: "start",
                    state,
                });
            }
        };
        let blinded = key.hash_and_blind(&self.hasher, &self.items);
        let message = PsiMessage::new(
            self.session_id,
            self.config.mode,
            self.transcript,
            MessageBody::InitiatorBlinded { blinded },
        );
        self.transcript = message.transcript_hash();
        self.state = InitiatorState::AwaitingReply { key };
        Ok(message)
    }

    /// Step 2 → 3: checks the responder's reply, computes the result, and
    /// returns the final message for the responder with our outcome.
    pub fn handle_reply(
        &mut self,
        reply: &PsiMessage,
    ) -> Result<(PsiMessage, PsiOutcome), PsiError> {
        let InitiatorState::AwaitingReply { key } = &self.state else {
            return Err(PsiError::WrongState {
                operation: "handle a reply",
                state: self.state.name(),
            });
        };
        check_envelope(
            reply,
            self.session_id,
            self.config.mode,
            Step::ResponderBlinded,
            self.transcript,
        )?;
        let MessageBody::ResponderBlinded {
            double_blinded,
            responder_blinded,
        } = reply.body()
        else {
            // check_envelope verified the step, and the step fixes the body.
            return Err(PsiError::UnexpectedStep {
                expected: Step::ResponderBlinded,
                received: reply.step(),
            });
        };
        if double_blinded.len() != self.items.len() {
            return Err(PsiError::LengthMismatch {
                list: PointList::DoubleBlinded,
                expected: self.items.len(),
                received: double_blinded.len(),
            });
        }
        check_peer_size(responder_blinded.len(), &self.config)?;
        validate_points(double_blinded).map_err(invalid_point(PointList::DoubleBlinded))?;
        reject_duplicates(PointList::ResponderBlinded, responder_blinded)?;
        let responder_reblinded = key
            .reblind(responder_blinded)
            .map_err(invalid_point(PointList::ResponderBlinded))?;

        let (body, result) = match self.config.mode {
            PsiMode::Intersection => {
                // Same order as step 1, so position i is our item i.
                let mut position_of = HashMap::with_capacity(double_blinded.len());
                for (index, point) in double_blinded.iter().enumerate() {
                    if position_of.insert(point, index).is_some() {
                        return Err(PsiError::DuplicatePoint {
                            list: PointList::DoubleBlinded,
                            index,
                        });
                    }
                }
                let mut indices = Vec::new();
                let mut ours = Vec::new();
                for (peer_index, point) in responder_reblinded.iter().enumerate() {
                    if let Some(&own_index) = position_of.get(point) {
                        // Bounded by the u32 wire length of the peer's list.
                        indices.push(peer_index as u32);
                        ours.push(self.items[own_index].clone());
                    }
                }
                ours.sort_unstable();
                (
                    MessageBody::MatchedIndices { indices },
                    PsiResult::Intersection(ours),
                )
            }
            PsiMode::CardinalityOnly => {
                // The responder shuffled this list, so only membership can be
                // tested, which is all we need for a count.
                let mut doubly: HashSet<&EncodedPoint> =
                    HashSet::with_capacity(double_blinded.len());
                for (index, point) in double_blinded.iter().enumerate() {
                    if !doubly.insert(point) {
                        return Err(PsiError::DuplicatePoint {
                            list: PointList::DoubleBlinded,
                            index,
                        });
                    }
                }
                let count = responder_reblinded
                    .iter()
                    .filter(|p| doubly.contains(p))
                    .count();
                (
                    MessageBody::Cardinality {
                        count: count as u64,
                    },
                    PsiResult::Cardinality(count),
                )
            }
        };
        self.transcript = reply.transcript_hash();
        let message = PsiMessage::new(self.session_id, self.config.mode, self.transcript, body);
        self.transcript = message.transcript_hash();
        self.state = InitiatorState::Finished;
        Ok((
            message,
            PsiOutcome {
                peer_set_size: responder_blinded.len(),
                result,
            },
        ))
    }
}

/// The responder's state.
enum ResponderState {
    AwaitingRequest { key: BlindingKey },
    AwaitingOutcome { initiator_set_size: usize },
    Finished,
}

impl ResponderState {
    fn name(&self) -> &'static str {
        match self {
            ResponderState::AwaitingRequest { .. } => "awaiting the initiator's request",
            ResponderState::AwaitingOutcome { .. } => "awaiting the initiator's outcome",
            ResponderState::Finished => "finished",
        }
    }
}

/// Agency B: answers the initiator's blinded set with its own, and learns the
/// result from the initiator's final message.
pub struct Responder {
    session_id: SessionId,
    config: PsiConfig,
    hasher: ItemHasher,
    /// Our items in the order they were sent in step 2.
    items: Vec<PsiItem>,
    transcript: TranscriptHash,
    state: ResponderState,
}

impl Responder {
    /// Prepares a session with a fresh secret scalar. `items` may contain
    /// duplicates; they are removed.
    pub fn new(
        session_id: SessionId,
        config: PsiConfig,
        items: Vec<PsiItem>,
    ) -> Result<Self, PsiError> {
        let items = prepare_items(items, &config, &mut shuffle_rng())?;
        Ok(Self {
            session_id,
            config,
            hasher: ItemHasher::new(&session_id),
            items,
            transcript: TranscriptHash::start(&session_id),
            state: ResponderState::AwaitingRequest {
                key: BlindingKey::random(),
            },
        })
    }

    /// The session id.
    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// Hash of the transcript so far.
    pub fn transcript_hash(&self) -> TranscriptHash {
        self.transcript
    }

    /// Number of distinct items this side contributes.
    pub fn set_size(&self) -> usize {
        self.items.len()
    }

    /// Step 1 → 2: blinds the initiator's points again and adds ours. The
    /// secret scalar is dropped (and wiped) before this returns: nothing
    /// later needs it.
    pub fn handle_request(&mut self, request: &PsiMessage) -> Result<PsiMessage, PsiError> {
        let ResponderState::AwaitingRequest { key } = &self.state else {
            return Err(PsiError::WrongState {
                operation: "handle a request",
                state: self.state.name(),
            });
        };
        check_envelope(
            request,
            self.session_id,
            self.config.mode,
            Step::InitiatorBlinded,
            self.transcript,
        )?;
        let MessageBody::InitiatorBlinded { blinded } = request.body() else {
            return Err(PsiError::UnexpectedStep {
                expected: Step::InitiatorBlinded,
                received: request.step(),
            });
        };
        check_peer_size(blinded.len(), &self.config)?;
        reject_duplicates(PointList::InitiatorBlinded, blinded)?;
        let mut double_blinded = key
            .reblind(blinded)
            .map_err(invalid_point(PointList::InitiatorBlinded))?;
        if self.config.mode == PsiMode::CardinalityOnly {
            // Breaks the link between the initiator's step-1 positions and
            // these points, so the initiator can count matches but not tell
            // which of its items matched.
            double_blinded.shuffle(&mut shuffle_rng());
        }
        let responder_blinded = key.hash_and_blind(&self.hasher, &self.items);
        self.transcript = request.transcript_hash();
        let reply = PsiMessage::new(
            self.session_id,
            self.config.mode,
            self.transcript,
            MessageBody::ResponderBlinded {
                double_blinded,
                responder_blinded,
            },
        );
        self.transcript = reply.transcript_hash();
        self.state = ResponderState::AwaitingOutcome {
            initiator_set_size: blinded.len(),
        };
        Ok(reply)
    }

    /// Step 3: reads what the initiator found. In intersection mode the
    /// indices select our own items; in cardinality mode only the count is
    /// given. Both are as trustworthy as the initiator: a dishonest one can
    /// under- or over-report, but can never make us learn an item we do not
    /// already hold.
    pub fn handle_outcome(&mut self, outcome: &PsiMessage) -> Result<PsiOutcome, PsiError> {
        let ResponderState::AwaitingOutcome { initiator_set_size } = self.state else {
            return Err(PsiError::WrongState {
                operation: "handle an outcome",
                state: self.state.name(),
            });
        };
        check_envelope(
            outcome,
            self.session_id,
            self.config.mode,
            Step::Outcome,
            self.transcript,
        )?;
        let result = match (self.config.mode, outcome.body()) {
            (PsiMode::Intersection, MessageBody::MatchedIndices { indices }) => {
                let max = initiator_set_size.min(self.items.len());
                if indices.len() > max {
                    return Err(PsiError::CardinalityOutOfRange {
                        count: indices.len() as u64,
                        max,
                    });
                }
                let mut ours = Vec::with_capacity(indices.len());
                let mut previous: Option<u32> = None;
                for (position, &index) in indices.iter().enumerate() {
                    let increasing = previous.is_none_or(|p| index > p);
                    let item = self.items.get(index as usize).filter(|_| increasing);
                    match item {
                        Some(item) => ours.push(item.clone()),
                        None => return Err(PsiError::InvalidMatchedIndex { position, index }),
                    }
                    previous = Some(index);
                }
                ours.sort_unstable();
                PsiResult::Intersection(ours)
            }
            (PsiMode::CardinalityOnly, MessageBody::Cardinality { count }) => {
                let max = initiator_set_size.min(self.items.len());
                match usize::try_from(*count) {
                    Ok(count) if count <= max => PsiResult::Cardinality(count),
                    _ => return Err(PsiError::CardinalityOutOfRange { count: *count, max }),
                }
            }
            (mode, _) => return Err(PsiError::BodyDoesNotFitMode { mode }),
        };
        self.transcript = outcome.transcript_hash();
        self.state = ResponderState::Finished;
        Ok(PsiOutcome {
            peer_set_size: initiator_set_size,
            result,
        })
    }
}

impl fmt::Debug for Initiator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Items and the key are deliberately left out.
        f.debug_struct("Initiator")
            .field("session_id", &self.session_id)
            .field("mode", &self.config.mode)
            .field("set_size", &self.items.len())
            .field("state", &self.state.name())
            .finish()
    }
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Responder")
            .field("session_id", &self.session_id)
            .field("mode", &self.config.mode)
            .field("set_size", &self.items.len())
            .field("state", &self.state.name())
            .finish()
    }
}
