//! ECDH private set intersection over ristretto255.
//!
//! The protocol follows the shape of the IETF draft
//! draft-wang-ppm-ecdh-psi: each side raises hashed items to a fresh secret
//! scalar, the other side raises them again, and doubly-blinded values are
//! equal exactly when the items are (the group is commutative).
//!
//! 1. The [`Initiator`] (agency A) hashes each item `x` to `H(x)` and sends
//!    `H(x)^a`, shuffled.
//! 2. The [`Responder`] (agency B) returns `(H(x)^a)^b` in the same order
//!    (shuffled in cardinality-only mode) and its own `H(y)^b`, shuffled.
//! 3. A computes `(H(y)^b)^a`, compares, and sends B either the positions of
//!    B's matching items ([`PsiMode::Intersection`]) or only their number
//!    ([`PsiMode::CardinalityOnly`]).
//!
//! Points travel as 32-byte canonical ristretto255 encodings; non-canonical
//! encodings and the identity are rejected. Hashing to the group uses
//! SHA-512 and the two-fold Elligator map with a tag that includes the
//! protocol version and the session id. Secret scalars are fresh per session,
//! used only with constant-time multiplication, and wiped when no longer
//! needed. Messages carry the session id, the step and a transcript hash
//! chain ([`PsiMessage::transcript_hash`] is what the transport signs).
//!
//! The security model is semi-honest for the result: a peer that deviates
//! can make the result wrong (report false matches or miss true ones), but
//! cannot learn items outside the intersection of the sets *it chose*. Read
//! the crate documentation on brute force for why "it chose" matters.

mod group;
mod item;
mod message;
mod policy;
mod session;

pub use group::{EncodedPoint, ItemHasher, POINT_LEN, PointError, decode_point};
pub use item::{ItemError, ItemKind, MAX_PLATFORM_LEN, MAX_VALUE_LEN, PsiItem};
pub use message::{
    DecodeError, MessageBody, PROTOCOL_VERSION, PsiMessage, PsiMode, SESSION_ID_LEN, SessionId,
    Step, TRANSCRIPT_HASH_LEN, TranscriptHash,
};
pub use policy::{
    DEFAULT_MAX_SESSIONS_PER_DAY, PolicyError, SessionBudget, SessionPolicy, SessionRequest,
};
pub use session::{
    DEFAULT_MAX_SET_SIZE, Initiator, MAX_SET_SIZE_LIMIT, Party, PointList, PsiConfig, PsiError,
    PsiOutcome, PsiResult, Responder,
};
