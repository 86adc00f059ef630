//! The three protocol messages and their compact, versioned binary encoding.
//!
//! Layout of every message (integers big-endian):
//!
//! ```text
//! magic "CPSI" | version u8 | step u8 | mode u8 | session id [16]
//! | previous transcript hash [32] | body | transcript hash [32]
//! ```
//!
//! Bodies:
//! - step 1 (initiator → responder): `u32 n`, `n × point[32]` — `H(x)^a`, shuffled;
//! - step 2 (responder → initiator): `u32 n`, `n × point[32]` — `(H(x)^a)^b`
//!   in the order received (shuffled in cardinality mode); then `u32 m`,
//!   `m × point[32]` — `H(y)^b`, shuffled;
//! - step 3 (initiator → responder): in intersection mode `u32 k`,
//!   `k × u32` — strictly increasing indices into the responder's step-2
//!   list that matched; in cardinality mode `u64` — the count only.
//!
//! The trailing transcript hash is `SHA-256(tag ‖ every preceding byte of
//! the message)`. Because each message also carries the hash of the message
//! before it, the hashes form a chain over the whole session: a receiver
//! that checks the previous hash against its own rejects replayed,
//! reordered and cross-session messages, and a flipped byte anywhere breaks
//! the trailing hash. The hash is unkeyed, so it detects corruption, not
//! forgery: peers are authenticated by the transport signing
//! [`PsiMessage::transcript_hash`] with the organisation's key.
//!
//! Decoding never panics and never allocates more than the input length
//! justifies, whatever the bytes.

use std::fmt;

use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::group::{EncodedPoint, POINT_LEN};

/// Version of the message format and of the hash-to-group tag.
pub const PROTOCOL_VERSION: u8 = 1;
/// Length of a session id in bytes.
pub const SESSION_ID_LEN: usize = 16;
/// Length of a transcript hash in bytes.
pub const TRANSCRIPT_HASH_LEN: usize = 32;

const MAGIC: [u8; 4] = *b"CPSI";
const HEADER_LEN: usize = MAGIC.len() + 3 + SESSION_ID_LEN + TRANSCRIPT_HASH_LEN;
const TRANSCRIPT_START_TAG: &[u8] = b"ctip-psi/v1/transcript/start";
const TRANSCRIPT_MESSAGE_TAG: &[u8] = b"ctip-psi/v1/transcript/message";

/// Identifies one PSI session. Both organisations must agree on it before the
/// first message (it is fixed when the session is approved), so that every
/// message and every item hash is bound to this session only.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; SESSION_ID_LEN]);

impl SessionId {
    /// A fresh random session id (128 bits from the operating system).
    pub fn random() -> Self {
        let mut bytes = [0u8; SESSION_ID_LEN];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A session id from bytes agreed elsewhere (e.g. an approval record).
    pub fn from_bytes(bytes: [u8; SESSION_ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; SESSION_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

/// A link of the transcript hash chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TranscriptHash([u8; TRANSCRIPT_HASH_LEN]);

impl TranscriptHash {
    /// The chain's starting value for a session, before any message.
    pub fn start(session: &SessionId) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(TRANSCRIPT_START_TAG);
        hasher.update([PROTOCOL_VERSION]);
        hasher.update(session.as_bytes());
        Self(hasher.finalize().into())
    }

    /// The raw bytes, e.g. to sign.
    pub fn as_bytes(&self) -> &[u8; TRANSCRIPT_HASH_LEN] {
        &self.0
    }

    fn of_message(encoded_without_trailer: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(TRANSCRIPT_MESSAGE_TAG);
        hasher.update(encoded_without_trailer);
        Self(hasher.finalize().into())
    }
}

impl fmt::Debug for TranscriptHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TranscriptHash(")?;
        write_hex(f, &self.0)?;
        f.write_str(")")
    }
}

/// What the two sides learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PsiMode {
    /// Both sides learn which of their own items are in the intersection.
    Intersection,
    /// Both sides learn only how many items they share.
    CardinalityOnly,
}

impl PsiMode {
    fn code(self) -> u8 {
        match self {
            PsiMode::Intersection => 1,
            PsiMode::CardinalityOnly => 2,
        }
    }

    fn from_code(code: u8) -> Result<Self, DecodeError> {
        match code {
            1 => Ok(PsiMode::Intersection),
            2 => Ok(PsiMode::CardinalityOnly),
            other => Err(DecodeError::UnknownMode(other)),
        }
    }
}

/// Position of a message in the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// 1: the initiator's blinded items.
    InitiatorBlinded,
    /// 2: the responder's double-blinded copy plus its own blinded items.
    ResponderBlinded,
    /// 3: the initiator tells the responder the result.
    Outcome,
}

impl Step {
    /// The step number on the wire.
    pub fn number(self) -> u8 {
        match self {
            Step::InitiatorBlinded => 1,
            Step::ResponderBlinded => 2,
            Step::Outcome => 3,
        }
    }

    fn from_number(number: u8) -> Result<Self, DecodeError> {
        match number {
            1 => Ok(Step::InitiatorBlinded),
            2 => Ok(Step::ResponderBlinded),
            3 => Ok(Step::Outcome),
            other => Err(DecodeError::UnknownStep(other)),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {}", self.number())
    }
}

/// The payload of a message; which variant is fixed by step and mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageBody {
    /// Step 1: `H(x)^a` for each initiator item, in shuffled order.
    InitiatorBlinded {
        /// Blinded points.
        blinded: Vec<EncodedPoint>,
    },
    /// Step 2.
    ResponderBlinded {
        /// `(H(x)^a)^b`, in the order of step 1 (intersection mode) or
        /// shuffled (cardinality mode).
        double_blinded: Vec<EncodedPoint>,
        /// `H(y)^b` for each responder item, in shuffled order.
        responder_blinded: Vec<EncodedPoint>,
    },
    /// Step 3 in intersection mode: strictly increasing positions in
    /// `responder_blinded` that are in the intersection.
    MatchedIndices {
        /// Positions.
        indices: Vec<u32>,
    },
    /// Step 3 in cardinality mode: the size of the intersection.
    Cardinality {
        /// Intersection size.
        count: u64,
    },
}

impl MessageBody {
    /// The step this body belongs to.
    pub fn step(&self) -> Step {
        match self {
            MessageBody::InitiatorBlinded { .. } => Step::InitiatorBlinded,
            MessageBody::ResponderBlinded { .. } => Step::ResponderBlinded,
            MessageBody::MatchedIndices { .. } | MessageBody::Cardinality { .. } => Step::Outcome,
        }
    }

    fn encoded_len(&self) -> usize {
        match self {
            MessageBody::InitiatorBlinded { blinded } => 4 + blinded.len() * POINT_LEN,
            MessageBody::ResponderBlinded {
                double_blinded,
                responder_blinded,
            } => 8 + (double_blinded.len() + responder_blinded.len()) * POINT_LEN,
            MessageBody::MatchedIndices { indices } => 4 + indices.len() * 4,
            MessageBody::Cardinality { .. } => 8,
        }
    }
}

/// Why bytes are not a well-formed message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before a field was complete.
    #[error("message truncated: {needed} more bytes needed at offset {offset}")]
    Truncated {
        /// Offset of the incomplete field.
        offset: usize,
        /// Bytes missing.
        needed: usize,
    },
    /// The first four bytes are not `CPSI`.
    #[error("not a ctip PSI message (bad magic)")]
    BadMagic,
    /// A version this build does not speak.
    #[error("unsupported protocol version {0} (this build speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion(u8),
    /// A step number outside 1..=3.
    #[error("unknown step number {0}")]
    UnknownStep(u8),
    /// A mode code outside the known modes.
    #[error("unknown mode code {0}")]
    UnknownMode(u8),
    /// A list length that the remaining bytes cannot hold.
    #[error(
        "list of {count} entries at offset {offset} does not fit in the remaining {remaining} bytes"
    )]
    CountTooLarge {
        /// Offset of the length field.
        offset: usize,
        /// Declared entries.
        count: u32,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// Bytes between the body and the trailing transcript hash.
    #[error("{0} unexpected bytes after the message body")]
    TrailingBytes(usize),
    /// The trailing hash does not match the message: it was altered.
    #[error("transcript hash does not match the message contents")]
    TranscriptHashMismatch,
}

/// One protocol message. The state machines build them; read them from the
/// wire with [`PsiMessage::from_bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsiMessage {
    session_id: SessionId,
    mode: PsiMode,
    previous_transcript: TranscriptHash,
    body: MessageBody,
    transcript_hash: TranscriptHash,
}

impl PsiMessage {
    /// Seals a body into a message, computing its transcript hash. The state
    /// machines build their messages with this; it is public so that tools
    /// and tests can build arbitrary (even malicious) messages, which the
    /// receiving state machine must then reject on its own checks. In step 3
    /// the body must fit the mode (`MatchedIndices` for intersection mode,
    /// `Cardinality` for cardinality-only mode); a mismatched pair does not
    /// survive encoding and is rejected by the state machines.
    pub fn new(
        session_id: SessionId,
        mode: PsiMode,
        previous_transcript: TranscriptHash,
        body: MessageBody,
    ) -> Self {
        let mut message = Self {
            session_id,
            mode,
            previous_transcript,
            body,
            transcript_hash: TranscriptHash([0; TRANSCRIPT_HASH_LEN]),
        };
        let mut encoded = Vec::with_capacity(message.encoded_len());
        message.write_without_trailer(&mut encoded);
        message.transcript_hash = TranscriptHash::of_message(&encoded);
        message
    }

    /// The session this message belongs to.
    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// The mode the sender runs in.
    pub fn mode(&self) -> PsiMode {
        self.mode
    }

    /// The step of this message.
    pub fn step(&self) -> Step {
        self.body.step()
    }

    /// Hash of the transcript up to, not including, this message.
    pub fn previous_transcript(&self) -> TranscriptHash {
        self.previous_transcript
    }

    /// Hash of the transcript including this message. This is what the
    /// transport should sign: it commits to this message and, through the
    /// chain, to every earlier one of the session.
    pub fn transcript_hash(&self) -> TranscriptHash {
        self.transcript_hash
    }

    /// The payload.
    pub fn body(&self) -> &MessageBody {
        &self.body
    }

    /// Size of the encoding in bytes.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.body.encoded_len() + TRANSCRIPT_HASH_LEN
    }

    /// The wire encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.write_without_trailer(&mut out);
        out.extend_from_slice(self.transcript_hash.as_bytes());
        out
    }

    fn write_without_trailer(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        out.push(PROTOCOL_VERSION);
        out.push(self.step().number());
        out.push(self.mode.code());
        out.extend_from_slice(self.session_id.as_bytes());
        out.extend_from_slice(self.previous_transcript.as_bytes());
        match &self.body {
            MessageBody::InitiatorBlinded { blinded } => write_points(out, blinded),
            MessageBody::ResponderBlinded {
                double_blinded,
                responder_blinded,
            } => {
                write_points(out, double_blinded);
                write_points(out, responder_blinded);
            }
            MessageBody::MatchedIndices { indices } => {
                out.extend_from_slice(&list_len(indices.len()).to_be_bytes());
                for index in indices {
                    out.extend_from_slice(&index.to_be_bytes());
                }
            }
            MessageBody::Cardinality { count } => out.extend_from_slice(&count.to_be_bytes()),
        }
    }

    /// Parses and integrity-checks a message. Whether it fits the session is
    /// the state machine's business.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let body_end = bytes
            .len()
            .checked_sub(TRANSCRIPT_HASH_LEN)
            .filter(|end| *end >= HEADER_LEN)
            .ok_or(DecodeError::Truncated {
                offset: bytes.len(),
                needed: (HEADER_LEN + TRANSCRIPT_HASH_LEN).saturating_sub(bytes.len()),
            })?;
        let mut reader = Reader {
            bytes: &bytes[..body_end],
            offset: 0,
        };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let version = reader.u8()?;
        if version != PROTOCOL_VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let step = Step::from_number(reader.u8()?)?;
        let mode = PsiMode::from_code(reader.u8()?)?;
        let session_id = SessionId(reader.array()?);
        let previous_transcript = TranscriptHash(reader.array()?);
        let body = match (step, mode) {
            (Step::InitiatorBlinded, _) => MessageBody::InitiatorBlinded {
                blinded: reader.points()?,
            },
            (Step::ResponderBlinded, _) => MessageBody::ResponderBlinded {
                double_blinded: reader.points()?,
                responder_blinded: reader.points()?,
            },
            (Step::Outcome, PsiMode::Intersection) => MessageBody::MatchedIndices {
                indices: reader.indices()?,
            },
            (Step::Outcome, PsiMode::CardinalityOnly) => MessageBody::Cardinality {
                count: u64::from_be_bytes(reader.array()?),
            },
        };
        let unread = reader.bytes.len() - reader.offset;
        if unread != 0 {
            return Err(DecodeError::TrailingBytes(unread));
        }
        let transcript_hash = TranscriptHash::of_message(&bytes[..body_end]);
        if transcript_hash.as_bytes()[..] != bytes[body_end..] {
            return Err(DecodeError::TranscriptHashMismatch);
        }
        Ok(Self {
            session_id,
            mode,
            previous_transcript,
            body,
            transcript_hash,
        })
    }
}

/// List lengths are u32 on the wire; the state machines cap set sizes far
/// below that (see `PsiConfig`), so this conversion cannot fail for lists
/// they build.
fn list_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn write_points(out: &mut Vec<u8>, points: &[EncodedPoint]) {
    out.extend_from_slice(&list_len(points.len()).to_be_bytes());
    for point in points {
        out.extend_from_slice(point);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let remaining = self.bytes.len() - self.offset;
        if len > remaining {
            return Err(DecodeError::Truncated {
                offset: self.offset,
                needed: len - remaining,
            });
        }
        let slice = &self.bytes[self.offset..self.offset + len];
        self.offset += len;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a u32 count of `entry_len`-byte entries and checks that they fit
    /// before anything is allocated.
    fn count(&mut self, entry_len: usize) -> Result<usize, DecodeError> {
        let offset = self.offset;
        let count = u32::from_be_bytes(self.array()?);
        let remaining = self.bytes.len() - self.offset;
        let entries = count as usize;
        if entries
            .checked_mul(entry_len)
            .is_none_or(|len| len > remaining)
        {
            return Err(DecodeError::CountTooLarge {
                offset,
                count,
                remaining,
            });
        }
        Ok(entries)
    }

    fn points(&mut self) -> Result<Vec<EncodedPoint>, DecodeError> {
        let count = self.count(POINT_LEN)?;
        (0..count).map(|_| self.array()).collect()
    }

    fn indices(&mut self) -> Result<Vec<u32>, DecodeError> {
        let count = self.count(4)?;
        (0..count)
            .map(|_| self.array().map(u32::from_be_bytes))
            .collect()
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_messages() -> Vec<PsiMessage> {
        let session = SessionId::random();
        let start = TranscriptHash::start(&session);
        let point = |seed: u8| [seed; POINT_LEN];
        vec![
            PsiMessage::new(
                session,
                PsiMode::Intersection,
                start,
                MessageBody::InitiatorBlinded {
                    blinded: vec![point(1), point(2)],
                },
            ),
            PsiMessage::new(
                session,
                PsiMode::CardinalityOnly,
                start,
                MessageBody::ResponderBlinded {
                    double_blinded: vec![point(3)],
                    responder_blinded: vec![point(4), point(5), point(6)],
                },
            ),
            PsiMessage::new(
                session,
                PsiMode::Intersection,
                start,
                MessageBody::MatchedIndices {
                    indices: vec![0, 2, 7],
                },
            ),
            PsiMessage::new(
                session,
                PsiMode::CardinalityOnly,
                start,
                MessageBody::Cardinality { count: 9 },
            ),
        ]
    }

    #[test]
    fn every_message_round_trips() {
        for message in sample_messages() {
            let bytes = message.to_bytes();
            assert_eq!(bytes.len(), message.encoded_len());
            assert_eq!(PsiMessage::from_bytes(&bytes), Ok(message));
        }
    }

    #[test]
    fn every_single_bit_flip_is_rejected() {
        for message in sample_messages() {
            let bytes = message.to_bytes();
            for position in 0..bytes.len() {
                for bit in 0..8 {
                    let mut tampered = bytes.clone();
                    tampered[position] ^= 1 << bit;
                    assert!(
                        PsiMessage::from_bytes(&tampered).is_err(),
                        "flip of bit {bit} at byte {position} of {} accepted",
                        message.step()
                    );
                }
            }
        }
    }

    #[test]
    fn a_huge_declared_count_is_rejected_without_allocating() {
        let message = &sample_messages()[0];
        let mut bytes = message.to_bytes();
        bytes[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            PsiMessage::from_bytes(&bytes),
            Err(DecodeError::CountTooLarge {
                count: u32::MAX,
                ..
            })
        ));
    }

    #[test]
    fn an_unknown_version_is_named() {
        let mut bytes = sample_messages()[3].to_bytes();
        bytes[4] = 2;
        assert_eq!(
            PsiMessage::from_bytes(&bytes),
            Err(DecodeError::UnsupportedVersion(2))
        );
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = PsiMessage::from_bytes(&bytes);
        }

        #[test]
        fn decoding_mutated_messages_never_panics(
            which in 0usize..4,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = sample_messages()[which].to_bytes();
            for (index, value) in edits {
                let position = index.index(bytes.len());
                bytes[position] = value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let _ = PsiMessage::from_bytes(&bytes);
        }

        #[test]
        fn any_point_list_round_trips(points in proptest::collection::vec(any::<[u8; 32]>(), 0..40)) {
            let session = SessionId::random();
            let message = PsiMessage::new(
                session,
                PsiMode::Intersection,
                TranscriptHash::start(&session),
                MessageBody::InitiatorBlinded { blinded: points },
            );
            prop_assert_eq!(PsiMessage::from_bytes(&message.to_bytes()), Ok(message));
        }
    }
}
