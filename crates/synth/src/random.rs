//! Small helpers over `fastrand::Rng` so choices read as sentences.

use fastrand::Rng;

/// One element of a non-empty slice, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    debug_assert!(!items.is_empty());
    &items[rng.usize(..items.len())]
}

/// A copy of one element of a non-empty slice, uniformly.
pub(crate) fn pick_copy<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    *pick(rng, items)
}

/// True with probability `p`.
pub(crate) fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}

/// An index into `weights`, with probability proportional to its weight.
pub(crate) fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return 0;
    }
    let mut target = rng.u64(..total);
    for (index, &w) in weights.iter().enumerate() {
        let w = u64::from(w);
        if target < w {
            return index;
        }
        target -= w;
    }
    weights.len() - 1
}

/// A standard normal variate (Box-Muller), for heavy-tailed network sizes.
pub(crate) fn normal(rng: &mut Rng) -> f64 {
    let u1 = rng.f64().max(f64::MIN_POSITIVE);
    let u2 = rng.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A seed for a sub-generator derived from a value, so the same value always
/// describes the same thing (a benign business from its phone) without a table.
pub(crate) fn derive_seed(a: u64, b: u64) -> u64 {
    // splitmix64 finaliser: cheap and well mixed.
    let mut z = a ^ b.rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Picks with replacement among `remaining` counts and takes one away, in
/// O(log n): a Fenwick tree, so network sizes come out exact while ads are
/// interleaved at random and nothing is listed per ad.
pub(crate) struct Remaining {
    tree: Vec<u64>,
    total: u64,
}

impl Remaining {
    pub(crate) fn new(counts: &[u64]) -> Self {
        let n = counts.len();
        let mut tree = vec![0u64; n + 1];
        for (i, &c) in counts.iter().enumerate() {
            tree[i + 1] += c;
            let parent = (i + 1) + ((i + 1) & (i + 1).wrapping_neg());
            if parent <= n {
                let carried = tree[i + 1];
                tree[parent] += carried;
            }
        }
        Remaining {
            tree,
            total: counts.iter().sum(),
        }
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// An index with probability proportional to what remains of it, minus one.
    pub(crate) fn take(&mut self, rng: &mut Rng) -> Option<usize> {
        if self.total == 0 {
            return None;
        }
        let n = self.tree.len() - 1;
        let mut target = rng.u64(..self.total);
        let mut pos = 0usize;
        let mut step = if n == 0 {
            0
        } else {
            1usize << (usize::BITS - 1 - n.leading_zeros())
        };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= target {
                pos = next;
                target -= self.tree[next];
            }
            step >>= 1;
        }
        let mut i = pos + 1;
        while i <= n {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
        self.total -= 1;
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_hands_out_exactly_the_counts() {
        let counts = [3u64, 0, 7, 1, 12, 5];
        let mut remaining = Remaining::new(&counts);
        let mut rng = Rng::with_seed(1);
        let mut seen = [0u64; 6];
        while let Some(i) = remaining.take(&mut rng) {
            seen[i] += 1;
        }
        assert_eq!(seen, counts);
        assert!(remaining.is_empty());
    }

    #[test]
    fn weighted_never_picks_a_zero_weight() {
        let mut rng = Rng::with_seed(3);
        for _ in 0..1000 {
            assert_ne!(weighted(&mut rng, &[2, 0, 5]), 1);
        }
    }
}
