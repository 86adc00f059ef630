//! From a cluster of ads to a template with slots, as in InfoShield-fine
//! (Lee et al., ICDE 2021): align every ad to a seed ad, keep the seed's
//! tokens that most ads share as the template, and treat the rest as slots
//! (names, cities, numbers and identifiers, the words a poster changes).
//!
//! The quality of a template is its description length: how many bits the
//! cluster's ads cost written as "template plus edits" against written word
//! by word. A template that explains its ads well compresses them a lot.

use crate::document::{Sketch, Token};
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Share of a cluster's ads that must contain a seed token for it to belong
/// to the template rather than a slot.
const TEMPLATE_SUPPORT: f64 = 0.5;
/// Ads compared when choosing the seed: enough to avoid an outlier seed,
/// few enough to stay linear in the cluster size.
const SEED_SAMPLE: usize = 24;

/// A cluster's template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The member whose tokens the template is drawn from.
    pub seed: usize,
    /// For each seed token, whether it belongs to the template (true) or is
    /// a slot (false).
    pub fixed: Vec<bool>,
    /// For each member, the share of its tokens the template explains.
    pub coverage: Vec<f32>,
    /// `1 - bits(template + edits) / bits(ads word by word)`, in `(-inf, 1]`.
    pub compression: f32,
}

impl Template {
    pub fn mean_coverage(&self) -> f32 {
        if self.coverage.is_empty() {
            return 0.0;
        }
        self.coverage.iter().sum::<f32>() / self.coverage.len() as f32
    }
}

/// The member most similar to a sample of the others, by sketch.
fn choose_seed(sketches: &[Sketch]) -> usize {
    let step = sketches.len().div_ceil(SEED_SAMPLE).max(1);
    let sample: Vec<usize> = (0..sketches.len()).step_by(step).collect();
    sample
        .iter()
        .copied()
        .max_by(|&a, &b| {
            let score = |i: usize| -> f32 {
                sample
                    .iter()
                    .map(|&j| sketches[i].similarity(&sketches[j]))
                    .sum()
            };
            score(a).total_cmp(&score(b)).then(b.cmp(&a))
        })
        .unwrap_or(0)
}

/// Seed positions matched by `member`.
fn matched(seed: &[u32], member: &[u32]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, seed, member) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            out.extend((0..len).map(|k| (old_index + k, new_index + k)));
        }
    }
    out
}

/// Refines one cluster, given its members' token sequences and sketches (in
/// the same order).
pub fn refine(tokens: &[&[u32]], sketches: &[Sketch]) -> Template {
    assert_eq!(tokens.len(), sketches.len(), "one sketch per member");
    let seed = choose_seed(sketches);
    let seed_tokens = tokens[seed];
    let alignments: Vec<Vec<(usize, usize)>> = tokens
        .iter()
        .map(|member| matched(seed_tokens, member))
        .collect();
    let mut support = vec![0u32; seed_tokens.len()];
    for alignment in &alignments {
        for &(s, _) in alignment {
            support[s] += 1;
        }
    }
    let needed = (TEMPLATE_SUPPORT * tokens.len() as f64).ceil() as u32;
    let fixed: Vec<bool> = support.iter().map(|&n| n >= needed.max(1)).collect();

    // Description length, in bits. A word costs log2 of the cluster's
    // vocabulary; a template word costs one bit per ad (kept or dropped); a
    // word the template does not explain costs a word plus its position.
    let mut vocabulary: Vec<u32> = tokens.iter().flat_map(|t| t.iter().copied()).collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let word_bits = ((vocabulary.len() + 1) as f64).log2();
    let template_len = fixed.iter().filter(|&&f| f).count();
    let position_bits = ((template_len + 2) as f64).log2();
    let mut raw_bits = 0.0;
    let mut encoded_bits = template_len as f64 * word_bits;
    let mut coverage = Vec::with_capacity(tokens.len());
    for (member, alignment) in tokens.iter().zip(&alignments) {
        let explained = alignment.iter().filter(|&&(s, _)| fixed[s]).count();
        let unexplained = member.len() - explained;
        raw_bits += member.len() as f64 * word_bits;
        encoded_bits += template_len as f64 + unexplained as f64 * (word_bits + position_bits);
        coverage.push(if member.is_empty() {
            0.0
        } else {
            explained as f32 / member.len() as f32
        });
    }
    let compression = if raw_bits > 0.0 {
        (1.0 - encoded_bits / raw_bits) as f32
    } else {
        0.0
    };
    Template {
        seed,
        fixed,
        coverage,
        compression,
    }
}

/// The template as text: its words, with each run of slots written once as
/// `⟨…⟩` and masked identifiers as their kind (`⟨phone⟩`).
pub fn render(seed_tokens: &[Token], fixed: &[bool]) -> String {
    let mut out = String::new();
    let mut in_slot = false;
    for (token, &is_fixed) in seed_tokens.iter().zip(fixed) {
        let piece = match (is_fixed, token.text) {
            (true, _) => {
                in_slot = false;
                token.text.to_string()
            }
            (false, _) if in_slot => continue,
            (false, _) => {
                in_slot = true;
                "⟨…⟩".to_string()
            }
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, tokens as tokens_of};

    fn cluster(texts: &[&str]) -> (Vec<Document>, Template) {
        let docs: Vec<Document> = texts.iter().map(|t| Document::new(t, &[])).collect();
        let tokens: Vec<&[u32]> = docs.iter().map(|d| d.tokens.as_slice()).collect();
        let sketches: Vec<Sketch> = docs.iter().map(|d| d.sketch).collect();
        let template = refine(&tokens, &sketches);
        (docs, template)
    }

    #[test]
    fn names_and_cities_become_slots() {
        let texts = [
            "hi i am Jessica new in Houston call me now",
            "hi i am Amber new in Dallas call me now",
            "hi i am Luna new in Austin call me now",
        ];
        let (_, template) = cluster(&texts);
        let seed_tokens = tokens_of(texts[template.seed], &[]);
        assert_eq!(
            render(&seed_tokens, &template.fixed),
            "hi i am ⟨…⟩ new in ⟨…⟩ call me now"
        );
        for c in &template.coverage {
            assert!((c - 8.0 / 10.0).abs() < 1e-6, "{c}");
        }
        // Three ten-word ads: the template pays for itself, if modestly.
        assert!(template.compression > 0.1, "{}", template.compression);
    }

    #[test]
    fn unrelated_ads_compress_worse_than_copies() {
        let (_, copies) = cluster(&[
            "hiring drivers today good pay apply now",
            "hiring drivers today great pay apply now",
        ]);
        let (_, unrelated) = cluster(&[
            "hiring drivers today good pay apply now",
            "sweet girl new in town call me",
        ]);
        assert!(copies.compression > unrelated.compression);
        assert!(unrelated.compression < 0.0);
    }

    #[test]
    fn empty_members_do_not_panic() {
        let (_, template) = cluster(&["", "", ""]);
        assert!(template.fixed.is_empty());
        assert_eq!(template.coverage, vec![0.0; 3]);
    }
}
