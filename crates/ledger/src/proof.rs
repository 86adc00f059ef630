//! Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
//!
//! Variable names follow the RFC (`fn`, `sn`, `r`, `fr`, `sr`; `fn` is a Rust keyword, so
//! it is spelled `f_n` here). These functions take no tree: a client holding only a
//! checkpoint and a proof can run them.

use crate::hash::{Hash, empty_root, node_hash};

/// Why a proof could not be produced or did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not inside the tree the proof is for.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A proof was asked for a tree larger than the log.
    #[error("tree size {size} is beyond the log's {tree_size} entries")]
    SizeBeyondTree {
        /// The requested size.
        size: u64,
        /// The current number of leaves.
        tree_size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizesOutOfOrder {
        /// The older (first) tree size.
        old_size: u64,
        /// The newer (second) tree size.
        new_size: u64,
    },
    /// The proof has more hashes than the tree shape allows (RFC step "if sn is 0, fail").
    #[error("proof has more hashes than the tree shape allows")]
    PathTooLong,
    /// The proof ran out of hashes before reaching the root (`sn` not 0 at the end).
    #[error("proof has fewer hashes than the tree shape requires")]
    PathTooShort,
    /// A consistency proof between different sizes must not be empty (RFC §2.1.4.2 step 1).
    #[error("consistency proof is empty")]
    EmptyPath,
    /// Between equal sizes, or from the empty tree, there is nothing to prove.
    #[error("consistency proof must be empty for trivial size pairs")]
    UnexpectedPath,
    /// The recomputed root is not the expected root.
    #[error("recomputed root does not match the expected root")]
    RootMismatch,
    /// The recomputed first (older) root is not the expected one.
    #[error("recomputed old root does not match the expected old root")]
    OldRootMismatch,
}

/// RFC 9162 §2.1.3.2: verifies that `leaf` is the leaf at `leaf_index` in the tree of
/// `tree_size` leaves whose root is `root`, given `inclusion_path`.
pub fn verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf: &Hash,
    inclusion_path: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // 1. Compare leaf_index from the inclusion_proof_v2 structure against tree_size.
    if leaf_index >= tree_size {
        return Err(ProofError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    // 2. Set fn to leaf_index and sn to tree_size - 1.
    let mut f_n = leaf_index;
    let mut s_n = tree_size - 1;
    // 3. Set r to hash.
    let mut r = *leaf;
    // 4. For each value p in the inclusion_path array:
    for p in inclusion_path {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if s_n == 0 {
            return Err(ProofError::PathTooLong);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if f_n & 1 == 1 || f_n == s_n {
            // i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, &r);
            // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until
            //     either LSB(fn) is set or fn is 0.
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            // Otherwise: Set r to HASH(0x01 || r || p).
            r = node_hash(&r, p);
        }
        // c. Finally, right-shift both fn and sn one time.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. Compare sn to 0. Compare r against the root_hash.
    if s_n != 0 {
        return Err(ProofError::PathTooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: verifies that the tree of `second` leaves with root `second_hash`
/// extends the tree of `first` leaves with root `first_hash`, given `consistency_path`.
///
/// Beyond the RFC (which defines proofs only for `0 < first < second`), two trivial cases
/// accept an empty path: equal sizes with equal roots, and `first == 0` with the empty-tree
/// root `SHA-256()`. Any other empty path fails, as RFC step 1 requires.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_hash: &Hash,
    second_hash: &Hash,
    consistency_path: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesOutOfOrder {
            old_size: first,
            new_size: second,
        });
    }
    if first == second || first == 0 {
        if !consistency_path.is_empty() {
            return Err(ProofError::UnexpectedPath);
        }
        if first == 0 {
            return if *first_hash == empty_root() {
                Ok(())
            } else {
                Err(ProofError::OldRootMismatch)
            };
        }
        return if first_hash == second_hash {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    // 1. If consistency_path is an empty array, stop and fail the proof verification.
    if consistency_path.is_empty() {
        return Err(ProofError::EmptyPath);
    }
    // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path
    //    array. (Done by choosing the start value and the remaining iterator.)
    let (start, rest) = if first.is_power_of_two() {
        (first_hash, consistency_path)
    } else {
        (&consistency_path[0], &consistency_path[1..])
    };
    // 3. Set fn to first - 1 and sn to second - 1.
    let mut f_n = first - 1;
    let mut s_n = second - 1;
    // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. Set both fr and sr to the first value in the consistency_path array.
    let mut f_r = *start;
    let mut s_r = *start;
    // 6. For each subsequent value c in the consistency_path array:
    for c in rest {
        // a. If sn is 0, then stop the iteration and fail the proof verification.
        if s_n == 0 {
            return Err(ProofError::PathTooLong);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if f_n & 1 == 1 || f_n == s_n {
            // i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until
            //     either LSB(fn) is set or fn is 0.
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            // Otherwise: Set sr to HASH(0x01 || sr || c).
            s_r = node_hash(&s_r, c);
        }
        // c. Finally, right-shift both fn and sn one time.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
    if s_n != 0 {
        return Err(ProofError::PathTooShort);
    }
    if f_r != *first_hash {
        return Err(ProofError::OldRootMismatch);
    }
    if s_r != *second_hash {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
