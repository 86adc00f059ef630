//! Agreement between a found partition and the true one: the adjusted Rand
//! index and pairwise precision and recall.

use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartitionScore {
    pub items: u64,
    /// Adjusted Rand index (Hubert and Arabie): 1 for the same partition, about
    /// 0 for a random one.
    pub ari: f64,
    /// Of the pairs put together, the share truly together.
    pub precision: f64,
    /// Of the pairs truly together, the share put together.
    pub recall: f64,
    pub f1: f64,
    pub found_groups: u64,
    pub true_groups: u64,
}

fn pairs(n: u64) -> f64 {
    (n as f64) * (n.saturating_sub(1) as f64) / 2.0
}

/// Scores `found` against `truth`, one label each per item, in the same
/// order. Labels only need equality: any two items with equal labels are in
/// one group.
pub fn score<A: Hash + Eq, B: Hash + Eq>(truth: &[A], found: &[B]) -> PartitionScore {
    assert_eq!(truth.len(), found.len(), "one label per item in each");
    let mut cells: HashMap<(&A, &B), u64> = HashMap::new();
    let mut true_sizes: HashMap<&A, u64> = HashMap::new();
    let mut found_sizes: HashMap<&B, u64> = HashMap::new();
    for (t, f) in truth.iter().zip(found) {
        *cells.entry((t, f)).or_default() += 1;
        *true_sizes.entry(t).or_default() += 1;
        *found_sizes.entry(f).or_default() += 1;
    }
    let together_both: f64 = cells.values().map(|&n| pairs(n)).sum();
    let together_truth: f64 = true_sizes.values().map(|&n| pairs(n)).sum();
    let together_found: f64 = found_sizes.values().map(|&n| pairs(n)).sum();
    let all = pairs(truth.len() as u64);
    let expected = if all > 0.0 {
        together_truth * together_found / all
    } else {
        0.0
    };
    let max = (together_truth + together_found) / 2.0;
    let ari = if (max - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (together_both - expected) / (max - expected)
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 1.0 };
    let precision = ratio(together_both, together_found);
    let recall = ratio(together_both, together_truth);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    PartitionScore {
        items: truth.len() as u64,
        ari,
        precision,
        recall,
        f1,
        found_groups: found_sizes.len() as u64,
        true_groups: true_sizes.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one_whatever_the_labels() {
        let s = score(&[1, 1, 2, 2, 3], &["a", "a", "b", "b", "c"]);
        assert_eq!((s.ari, s.precision, s.recall), (1.0, 1.0, 1.0));
        assert_eq!((s.found_groups, s.true_groups), (3, 3));
    }

    #[test]
    fn known_values() {
        // sklearn.metrics.adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2])
        // is 0.24242424...
        let s = score(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((s.ari - 0.242_424_242_4).abs() < 1e-9, "{}", s.ari);
        // Found pairs: (0,1), (2,3), (4,5); only (0,1) and (4,5) are true.
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-12);
        // True pairs: 3 + 3 = 6.
        assert!((s.recall - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn merging_everything_has_full_recall_and_poor_precision() {
        let truth = [0, 0, 1, 1, 2, 2];
        let s = score(&truth, &[0; 6]);
        assert_eq!(s.recall, 1.0);
        assert!((s.precision - 3.0 / 15.0).abs() < 1e-12);
        assert!(s.ari.abs() < 1e-9);
    }
}
