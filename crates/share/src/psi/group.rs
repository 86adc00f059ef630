//! Group operations of the protocol on ristretto255: hashing items to group
//! elements, blinding them with a per-session secret scalar, and decoding
//! points received from the peer.
//!
//! All multiplications by the secret scalar use curve25519-dalek's
//! constant-time variable-base multiplication: the variable-time routines
//! would leak the scalar through timing. Work is spread over the rayon pool in
//! chunks, and each chunk is encoded with one batched inversion
//! (`double_and_compress_batch`) instead of one inverse square root per
//! point, which saves about a tenth of the per-item cost.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use rand::rngs::OsRng;
use rayon::prelude::*;
use sha2::{Digest, Sha512};
use zeroize::Zeroize;

use super::item::PsiItem;
use super::message::SessionId;

/// Length of a compressed ristretto255 point on the wire.
pub const POINT_LEN: usize = 32;

/// A compressed ristretto255 point as sent on the wire.
pub type EncodedPoint = [u8; POINT_LEN];

/// Items per rayon task. Large enough that the batched inversion in
/// `double_and_compress_batch` is amortised, small enough that two cores
/// stay balanced near the end of a list.
const CHUNK: usize = 512;

/// Domain-separation tag for hashing items to the group. The protocol
/// version is part of it so that a future encoding never matches this one;
/// the session id is appended per session (see [`ItemHasher::new`]).
const HASH_TO_GROUP_DST: &[u8] = b"ctip-psi/v1/ristretto255/SHA-512/item";

/// Why a received 32-byte string is not an acceptable group element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    /// Not the canonical encoding of any ristretto255 element.
    #[error("not a canonical ristretto255 encoding")]
    NonCanonical,
    /// The identity element: multiplying it by any scalar gives the identity,
    /// so it would match across sessions and reveal nothing but trouble.
    #[error("the identity element is not allowed")]
    Identity,
}

/// Decodes a point from the wire, rejecting non-canonical encodings and the
/// identity.
pub fn decode_point(bytes: &EncodedPoint) -> Result<RistrettoPoint, PointError> {
    let point = CompressedRistretto(*bytes)
        .decompress()
        .ok_or(PointError::NonCanonical)?;
    if point.is_identity() {
        return Err(PointError::Identity);
    }
    Ok(point)
}

/// A point that failed validation, with its position in the received list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadPoint {
    pub index: usize,
    pub reason: PointError,
}

/// The per-session secret exponent of one side. Never leaves this module in
/// any form but blinded points; wiped from memory when dropped.
pub(crate) struct BlindingKey {
    /// Half of the secret scalar `k` (that is `k · 2⁻¹ mod ℓ`). Encoding with
    /// `double_and_compress_batch` doubles the point again, so what goes on
    /// the wire is exactly the encoding of `k · P`.
    half_scalar: Scalar,
}

impl BlindingKey {
    /// A fresh uniformly random non-zero key from the operating system RNG.
    pub fn random() -> Self {
        loop {
            let scalar = Scalar::random(&mut OsRng);
            // Zero has probability 2⁻²⁵², but a zero key would map every item
            // to the identity, so it is excluded rather than assumed away.
            if scalar != Scalar::ZERO {
                let half_scalar = scalar * Scalar::from(2u8).invert();
                return Self { half_scalar };
            }
        }
    }

    /// Encodes `k · P` for each point of a chunk with one batched inversion.
    fn blind_chunk(&self, points: &[RistrettoPoint]) -> Vec<EncodedPoint> {
        let halves: Vec<RistrettoPoint> = points.iter().map(|p| p * self.half_scalar).collect();
        RistrettoPoint::double_and_compress_batch(&halves)
            .into_iter()
            .map(|c| c.to_bytes())
            .collect()
    }

    /// Hashes every item to the group and blinds it: `encode(k · H(item))`.
    pub fn hash_and_blind(&self, hasher: &ItemHasher, items: &[PsiItem]) -> Vec<EncodedPoint> {
        items
            .par_chunks(CHUNK)
            .flat_map_iter(|chunk| {
                let points: Vec<RistrettoPoint> =
                    chunk.iter().map(|item| hasher.hash(item)).collect();
                self.blind_chunk(&points)
            })
            .collect()
    }

    /// Decodes each received point and blinds it again: `encode(k · P)`.
    /// Fails if any point is invalid, naming one such point.
    pub fn reblind(&self, received: &[EncodedPoint]) -> Result<Vec<EncodedPoint>, BadPoint> {
        let chunks: Vec<Vec<EncodedPoint>> = received
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(chunk_index, chunk)| {
                let points = decode_chunk(chunk, chunk_index * CHUNK)?;
                Ok(self.blind_chunk(&points))
            })
            .collect::<Result<_, BadPoint>>()?;
        Ok(chunks.into_iter().flatten().collect())
    }
}

impl Drop for BlindingKey {
    fn drop(&mut self) {
        self.half_scalar.zeroize();
    }
}

fn decode_chunk(
    chunk: &[EncodedPoint],
    first_index: usize,
) -> Result<Vec<RistrettoPoint>, BadPoint> {
    chunk
        .iter()
        .enumerate()
        .map(|(offset, bytes)| {
            decode_point(bytes).map_err(|reason| BadPoint {
                index: first_index + offset,
                reason,
            })
        })
        .collect()
}

/// Checks that every received point is a valid, non-identity element, for
/// lists that are only compared and never multiplied.
pub(crate) fn validate_points(received: &[EncodedPoint]) -> Result<(), BadPoint> {
    received
        .par_chunks(CHUNK)
        .enumerate()
        .try_for_each(|(chunk_index, chunk)| decode_chunk(chunk, chunk_index * CHUNK).map(|_| ()))
}

/// Hashes items to ristretto255 with a tag bound to the protocol version and
/// the session, so that hashes from one session are useless in another.
#[derive(Clone)]
pub struct ItemHasher {
    /// SHA-512 state that has already absorbed the tag and session id;
    /// cloned per item so the prefix is hashed once.
    prefix: Sha512,
}

impl ItemHasher {
    /// A hasher for one session.
    pub fn new(session: &SessionId) -> Self {
        let mut prefix = Sha512::new();
        // Length-prefixed tag, then the fixed-length session id: unambiguous.
        prefix.update([HASH_TO_GROUP_DST.len() as u8]);
        prefix.update(HASH_TO_GROUP_DST);
        prefix.update(session.as_bytes());
        Self { prefix }
    }

    /// `H(item)`: SHA-512 of the tag, session and item encoding, mapped to the
    /// group with the two-fold Elligator map of `from_uniform_bytes` (the
    /// same construction as RFC 9380's `hash_to_ristretto255`).
    pub fn hash(&self, item: &PsiItem) -> RistrettoPoint {
        let mut state = self.prefix.clone();
        let mut encoded = Vec::with_capacity(64);
        item.write_hash_input(&mut encoded);
        state.update(&encoded);
        let digest: [u8; 64] = state.finalize().into();
        RistrettoPoint::from_uniform_bytes(&digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<PsiItem> {
        (0..n)
            .map(|i| PsiItem::document(&format!("DOC{i}")).expect("valid document"))
            .collect()
    }

    #[test]
    fn blinding_commutes_across_two_keys() {
        let session = SessionId::random();
        let hasher = ItemHasher::new(&session);
        let (a, b) = (BlindingKey::random(), BlindingKey::random());
        let list = items(CHUNK + 7);
        let ab = b
            .reblind(&a.hash_and_blind(&hasher, &list))
            .expect("valid points");
        let ba = a
            .reblind(&b.hash_and_blind(&hasher, &list))
            .expect("valid points");
        assert_eq!(ab, ba);
    }

    #[test]
    fn wire_encoding_is_exactly_k_times_p() {
        let session = SessionId::random();
        let hasher = ItemHasher::new(&session);
        let key = BlindingKey::random();
        let list = items(3);
        let blinded = key.hash_and_blind(&hasher, &list);
        let scalar = key.half_scalar * Scalar::from(2u8);
        for (item, wire) in list.iter().zip(&blinded) {
            assert_eq!((hasher.hash(item) * scalar).compress().to_bytes(), *wire);
        }
    }

    #[test]
    fn hashes_depend_on_the_session() {
        let item = &items(1)[0];
        let one = ItemHasher::new(&SessionId::random()).hash(item);
        let two = ItemHasher::new(&SessionId::random()).hash(item);
        assert_ne!(one.compress(), two.compress());
    }

    #[test]
    fn non_canonical_and_identity_encodings_are_rejected() {
        // p = 2^255 - 19 encodes s = p, which is not reduced: non-canonical.
        let mut unreduced = [0xffu8; 32];
        unreduced[0] = 0xed;
        unreduced[31] = 0x7f;
        assert_eq!(decode_point(&unreduced), Err(PointError::NonCanonical));
        // Odd s ("negative" field element) is never a canonical encoding.
        let mut negative = [0u8; 32];
        negative[0] = 1;
        assert_eq!(decode_point(&negative), Err(PointError::NonCanonical));
        // The high bit must be clear.
        let mut high_bit = RistrettoPoint::random(&mut OsRng).compress().to_bytes();
        high_bit[31] |= 0x80;
        assert_eq!(decode_point(&high_bit), Err(PointError::NonCanonical));
        assert_eq!(decode_point(&[0u8; 32]), Err(PointError::Identity));
    }

    #[test]
    fn reblind_reports_the_position_of_the_first_bad_point() {
        let key = BlindingKey::random();
        let mut received: Vec<EncodedPoint> = (0..CHUNK * 2)
            .map(|_| RistrettoPoint::random(&mut OsRng).compress().to_bytes())
            .collect();
        received[CHUNK + 3] = [0u8; 32];
        assert_eq!(
            key.reblind(&received),
            Err(BadPoint {
                index: CHUNK + 3,
                reason: PointError::Identity
            })
        );
    }
}
