//! Template clusters: ads written from one template, found with MinHash LSH.
//!
//! Each of the 16 bands of 4 sketch values is a bucket key. Rather than
//! comparing every pair in a bucket (quadratic in a big template), each ad is
//! compared with the bucket's first ad, its representative, and joined to it
//! when the estimated similarity clears the threshold; the 16 bands give 16
//! chances, and joins are transitive, so paraphrased copies chain together.
//! The representative is the earliest ad in input order, so adding ads later
//! gives the same clusters as clustering everything at once in that order.

use crate::document::{SKETCH_LEN, Sketch};
use crate::sets::DisjointSets;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Sketch values per band.
pub const ROWS_PER_BAND: usize = 4;
pub const BANDS: usize = SKETCH_LEN / ROWS_PER_BAND;

/// Expert settings for template clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TemplateParams {
    /// Estimated Jaccard similarity of word shingles (identifiers masked)
    /// above which two ads share a template. With 16 bands of 4, a pair at
    /// 0.5 becomes a candidate 64% of the time in some band and at 0.7 99.9%.
    pub min_similarity: f32,
}

impl Default for TemplateParams {
    fn default() -> Self {
        TemplateParams {
            min_similarity: 0.6,
        }
    }
}

/// The key of one band of a sketch.
fn band_key(sketch: &Sketch, band: usize) -> u64 {
    let rows = &sketch.0[band * ROWS_PER_BAND..(band + 1) * ROWS_PER_BAND];
    rows.iter()
        .fold(band as u64, |key, &v| (key << 16) ^ u64::from(v))
}

/// Pairs `(ad, representative)` to join, for the ads from `first_new` on.
/// Ads before `first_new` were clustered already; they only serve as
/// representatives.
fn join_pairs(sketches: &[Sketch], first_new: usize, params: TemplateParams) -> Vec<(u32, u32)> {
    (0..BANDS)
        .into_par_iter()
        .flat_map_iter(|band| {
            let mut representative: FxHashMap<u64, u32> = FxHashMap::default();
            representative.reserve(sketches.len());
            let mut pairs = Vec::new();
            for (index, sketch) in sketches.iter().enumerate() {
                if *sketch == Sketch::EMPTY {
                    continue;
                }
                let rep = *representative
                    .entry(band_key(sketch, band))
                    .or_insert(index as u32);
                if index >= first_new
                    && rep as usize != index
                    && sketch.similarity(&sketches[rep as usize]) >= params.min_similarity
                {
                    pairs.push((index as u32, rep));
                }
            }
            pairs
        })
        .collect()
}

/// Template clusters over `sketches` (in input order): for each ad, the index
/// of the earliest ad of its cluster.
pub fn cluster(sketches: &[Sketch], params: TemplateParams) -> Vec<u32> {
    extend(sketches, &[], params)
}

/// Adds ads to existing clusters. `labels` holds the cluster (earliest ad) of
/// each of the first `labels.len()` sketches, as returned by an earlier
/// [`cluster`] or [`extend`]; the rest are new. The result equals
/// `cluster(sketches)` (see the tests).
pub fn extend(sketches: &[Sketch], labels: &[u32], params: TemplateParams) -> Vec<u32> {
    assert!(labels.len() <= sketches.len(), "more labels than ads");
    let mut sets = DisjointSets::new(sketches.len());
    for (index, &label) in labels.iter().enumerate() {
        sets.union(index as u32, label);
    }
    for (a, b) in join_pairs(sketches, labels.len(), params) {
        sets.union(a, b);
    }
    sets.labels()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn sketches(texts: &[&str]) -> Vec<Sketch> {
        texts.iter().map(|t| Document::new(t, &[]).sketch).collect()
    }

    const ESCORT: &str = "sweet young girl new in town available now incall outcall ask about \
                          my specials call or text no blocked numbers serious gentlemen only";
    const ESCORT_2: &str = "sweet young girl new in town available today incall outcall ask about \
                            my specials call or text no blocked numbers serious gentlemen only";
    const JOB: &str = "we are hiring warehouse staff full time with benefits apply online today \
                       with your resume and two references drug test required";
    const JOB_2: &str = "we are hiring warehouse staff part time with benefits apply online today \
                         with your resume and two references drug test required";

    #[test]
    fn copies_of_one_template_cluster_and_others_do_not() {
        let labels = cluster(
            &sketches(&[ESCORT, JOB, ESCORT_2, JOB_2, "hello"]),
            TemplateParams::default(),
        );
        assert_eq!(labels, vec![0, 1, 0, 1, 4]);
    }

    #[test]
    fn empty_documents_stay_alone() {
        let labels = cluster(&sketches(&["", "", ESCORT]), TemplateParams::default());
        assert_eq!(labels, vec![0, 1, 2]);
    }

    #[test]
    fn extending_equals_clustering_all_at_once() {
        let texts: Vec<String> = (0..200)
            .map(|i| {
                let base = [ESCORT, JOB, ESCORT_2, JOB_2][i % 4];
                // Drop one word in some copies so pairs sit near the threshold.
                let words: Vec<&str> = base.split(' ').collect();
                let drop = (i * 7) % words.len();
                words
                    .iter()
                    .enumerate()
                    .filter(|&(w, _)| i % 3 != 0 || w != drop)
                    .map(|(_, w)| *w)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let all = sketches(&refs);
        let whole = cluster(&all, TemplateParams::default());
        for split in [0, 1, 57, 150, 200] {
            let first = cluster(&all[..split], TemplateParams::default());
            assert_eq!(extend(&all, &first, TemplateParams::default()), whole);
        }
    }
}
