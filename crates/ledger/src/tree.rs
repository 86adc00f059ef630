//! The Merkle tree of RFC 9162 §2.1: roots, inclusion paths and consistency proofs.
//!
//! [`MerkleTree`] keeps every *complete, aligned* subtree hash (level 0 holds the leaf
//! hashes, level `h` holds the roots of the perfect subtrees over leaves
//! `[i·2^h, (i+1)·2^h)`). That is at most `2n` hashes (64 MB for a million entries). With
//! it, an append costs O(1) amortised hashes, the hash of any subtree that the RFC's
//! recursive definitions ask for costs O(log n), and proofs never rehash the log.
//!
//! [`Frontier`] keeps only the right edge (the "compact range": one perfect subtree per
//! set bit of the size). It is what a streaming verifier needs: O(log n) memory.

use crate::hash::{Hash, empty_root, node_hash};
use crate::proof::ProofError;

/// The largest power of two strictly less than `n`; `n` must be at least 2.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// An append-only RFC 9162 Merkle tree over leaf hashes, holding all complete subtree hashes.
#[derive(Clone, Debug, Default)]
pub struct MerkleTree {
    /// `levels[h][i]` is the root of the perfect subtree over leaves `[i << h, (i + 1) << h)`.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The leaf hash at `index`, if present.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        let index = usize::try_from(index).ok()?;
        self.levels.first()?.get(index).copied()
    }

    /// Appends one leaf hash, completing every subtree that it closes.
    pub fn push(&mut self, leaf: Hash) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let mut height = 0;
        // A level with an even number of nodes just completed a pair: its parent is new.
        while self.levels[height].len().is_multiple_of(2) {
            let level = &self.levels[height];
            let parent = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            if self.levels.len() == height + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[height + 1].push(parent);
            height += 1;
        }
    }

    /// `MTH(D[0:n])` for the current size.
    pub fn root(&self) -> Hash {
        let size = self.len();
        if size == 0 {
            empty_root()
        } else {
            self.subtree_root(0, size)
        }
    }

    /// `MTH(D[0:size])`, the root the tree had when it held `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(if size == 0 {
            empty_root()
        } else {
            self.subtree_root(0, size)
        })
    }

    /// RFC 9162 §2.1.3.1 `PATH(index, D[0:size])`: the inclusion proof of leaf `index`
    /// in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut path = Vec::with_capacity(64);
        self.path(index, 0, size, &mut path);
        Ok(path)
    }

    /// RFC 9162 §2.1.4.1 `PROOF(old_size, D[0:new_size])`: the consistency proof between
    /// the tree of `old_size` leaves and the tree of `new_size` leaves.
    ///
    /// For `old_size == new_size` and for `old_size == 0` there is nothing to prove and the
    /// proof is empty (the RFC defines the proof only for `0 < old_size < new_size`).
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(new_size)?;
        if old_size > new_size {
            return Err(ProofError::SizesOutOfOrder { old_size, new_size });
        }
        let mut proof = Vec::with_capacity(64);
        if old_size > 0 && old_size < new_size {
            self.subproof(old_size, 0, new_size, true, &mut proof);
        }
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.len() {
            return Err(ProofError::SizeBeyondTree {
                size,
                tree_size: self.len(),
            });
        }
        Ok(())
    }

    /// `MTH(D[start:end])` for `start < end <= len`. The RFC's recursions only ask for
    /// ranges whose left part is an aligned perfect subtree, so each step here is one
    /// stored lookup plus a recursion on the right part: O(log n).
    fn subtree_root(&self, start: u64, end: u64) -> Hash {
        let width = end - start;
        if width.is_power_of_two() && start.is_multiple_of(width) {
            let height = width.trailing_zeros() as usize;
            // Invariant: end <= len, so this complete subtree has been stored.
            return self.levels[height][(start >> height) as usize];
        }
        let split = split_point(width);
        node_hash(
            &self.subtree_root(start, start + split),
            &self.subtree_root(start + split, end),
        )
    }

    /// `PATH(index - start, D[start:end])`, appended to `out` in RFC order (deepest first).
    fn path(&self, index: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let width = end - start;
        if width <= 1 {
            return;
        }
        let split = start + split_point(width);
        if index < split {
            self.path(index, start, split, out);
            out.push(self.subtree_root(split, end));
        } else {
            self.path(index, split, end, out);
            out.push(self.subtree_root(start, split));
        }
    }

    /// `SUBPROOF(old_size, D[start:end], complete)`, appended to `out` in RFC order.
    /// `old_size` is relative to `start`.
    fn subproof(&self, old_size: u64, start: u64, end: u64, complete: bool, out: &mut Vec<Hash>) {
        let width = end - start;
        if old_size == width {
            if !complete {
                out.push(self.subtree_root(start, end));
            }
            return;
        }
        let split = split_point(width);
        if old_size <= split {
            self.subproof(old_size, start, start + split, complete, out);
            out.push(self.subtree_root(start + split, end));
        } else {
            self.subproof(old_size - split, start + split, end, false, out);
            out.push(self.subtree_root(start, start + split));
        }
    }
}

/// The right edge of a Merkle tree: one perfect subtree root per set bit of the size,
/// largest (leftmost) first. Enough to append and to compute the root in O(log n) memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Roots of the perfect subtrees covering `[0, size)`, left to right.
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash: merges every pair of equal-sized subtrees it completes.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut carry = self.size;
        while carry & 1 == 1 {
            // Invariant: one stored node per set bit of `size`, so a set bit has a node.
            let Some(left) = self.nodes.pop() else { break };
            node = node_hash(&left, &node);
            carry >>= 1;
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// `MTH` of the leaves appended so far: the subtrees folded right to left, which is
    /// exactly the RFC's split at the largest power of two below the size.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return empty_root();
        };
        nodes.fold(*last, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn stored_levels_hold_at_most_two_hashes_per_leaf() {
        let mut tree = MerkleTree::new();
        for i in 0..1000u32 {
            tree.push(leaf_hash(&i.to_be_bytes()));
        }
        let stored: usize = tree.levels.iter().map(Vec::len).sum();
        assert!(stored < 2 * 1000, "stored {stored} hashes");
    }
}
