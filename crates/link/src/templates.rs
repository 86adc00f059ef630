//! Template clusters: ads written from one template, found with MinHash LSH.
//!
//! Each of the 16 bands of 4 sketch values is a bucket key. Ads are taken in
//! input order. Rather than comparing every pair in a bucket (quadratic in a
//! big template), each ad looks up the first ad of each of its 16 buckets,
//! takes that ad's cluster, and compares itself with the cluster's founder.
//! It joins the most similar founder that clears the threshold, or founds a
//! cluster of its own. Comparing with founders only (leader clustering)
//! keeps a chain of paraphrases, each close to the last, from merging
//! unrelated templates: single linkage did exactly that at 100k ads
//! (template precision 0.05). Every decision depends only on earlier ads, so
//! adding ads later gives the same clusters as clustering everything at once
//! in that order.

use crate::document::{SKETCH_LEN, Sketch};
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
            min_similarity: 0.5,
        }
    }
}

/// The key of one band of a sketch.
fn band_key(sketch: &Sketch, band: usize) -> u64 {
    let rows = &sketch.0[band * ROWS_PER_BAND..(band + 1) * ROWS_PER_BAND];
    rows.iter()
        .fold(band as u64, |key, &v| (key << 16) ^ u64::from(v))
}

/// Template clusters over `sketches` (in input order): for each ad, the index
/// of its cluster's founder, the earliest ad of the cluster.
pub fn cluster(sketches: &[Sketch], params: TemplateParams) -> Vec<u32> {
    extend(sketches, &[], params)
}

/// Adds ads to existing clusters. `labels` holds the cluster (founder) of
/// each of the first `labels.len()` sketches, as returned by an earlier
/// [`cluster`] or [`extend`]; the rest are new. The result equals
/// `cluster(sketches)` (see the tests).
pub fn extend(sketches: &[Sketch], labels: &[u32], params: TemplateParams) -> Vec<u32> {
    assert!(labels.len() <= sketches.len(), "more labels than ads");
    let keys: Vec<[u64; BANDS]> = sketches
        .par_iter()
        .map(|sketch| std::array::from_fn(|band| band_key(sketch, band)))
        .collect();
    let mut first_in_bucket: FxHashMap<u64, u32> = FxHashMap::default();
    first_in_bucket.reserve(sketches.len() * BANDS / 2);
    let mut out = Vec::with_capacity(sketches.len());
    out.extend_from_slice(labels);
    for (index, sketch) in sketches.iter().enumerate() {
        if *sketch == Sketch::EMPTY {
            if index >= labels.len() {
                out.push(index as u32);
            }
            continue;
        }
        if index >= labels.len() {
            // Leader clustering: join the most similar founder among the
            // clusters this ad's buckets point to, if similar enough. Only
            // founders are compared, so clusters never chain through a
            // run of paraphrases into one giant cluster.
            let mut best: Option<(f32, u32)> = None;
            for key in &keys[index] {
                if let Some(&rep) = first_in_bucket.get(key) {
                    let founder = out[rep as usize];
                    let similarity = sketch.similarity(&sketches[founder as usize]);
                    let better = match best {
                        None => true,
                        Some((s, f)) => similarity > s || (similarity == s && founder < f),
                    };
                    if better {
                        best = Some((similarity, founder));
                    }
                }
            }
            out.push(match best {
                Some((similarity, founder)) if similarity >= params.min_similarity => founder,
                _ => index as u32,
            });
        }
        for &key in &keys[index] {
            first_in_bucket.entry(key).or_insert(index as u32);
        }
    }
    out
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
