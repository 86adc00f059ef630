//! A trainable logistic-regression model over hashed sparse features.
//!
//! Features are binary and live in one index space:
//!
//! * `[0, 2^18)`: word unigrams and bigrams of the folded text, hashed with
//!   xxh3 and a fixed seed (the hashing trick: no vocabulary to store);
//! * `[2^18, 2^18 + 2^16)`: one feature per lexicon indicator id and per
//!   structural signal id, hashed from the id. Ids, not positions, pick the
//!   slot, so a model keeps its meaning when the lexicon gains indicators.
//!
//! Training is FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View
//! from the Trenches", KDD 2013) with L1 and L2 regularisation: per-feature
//! learning rates suit sparse text, and L1 keeps the saved model small.
//! Everything is deterministic given [`TrainParams::seed`].

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Bits of the word-feature space.
pub const WORD_BITS: u32 = 18;
/// Bits of the indicator/signal feature space.
pub const SIGNAL_BITS: u32 = 16;
const WORD_BUCKETS: u32 = 1 << WORD_BITS;
const SIGNAL_BUCKETS: u32 = 1 << SIGNAL_BITS;
/// Total feature dimension.
pub const DIMENSION: usize = (WORD_BUCKETS + SIGNAL_BUCKETS) as usize;

const WORD_SEED: u64 = 0x6374_6970_776f_7264; // "ctipword"
const BIGRAM_SEED: u64 = 0x6374_6970_6269_6772; // "ctipbigr"
const SIGNAL_SEED: u64 = 0x6374_6970_7369_676e; // "ctipsign"
/// Serialisation format of [`Model`]; bump when hashing or layout changes.
const MODEL_FORMAT: u32 = 1;

/// The feature index of a lexicon indicator or structural signal id.
pub fn signal_feature(id: &str) -> u32 {
    WORD_BUCKETS
        + (xxh3_64_with_seed(id.as_bytes(), SIGNAL_SEED) % u64::from(SIGNAL_BUCKETS)) as u32
}

/// A sparse binary feature vector: the sorted, distinct indices set to 1.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Features {
    indices: Vec<u32>,
}

impl Features {
    /// Builds a vector from any indices; out-of-range ones are dropped.
    pub fn from_indices(indices: impl IntoIterator<Item = u32>) -> Self {
        let mut indices: Vec<u32> = indices
            .into_iter()
            .filter(|&i| (i as usize) < DIMENSION)
            .collect();
        indices.sort_unstable();
        indices.dedup();
        Features { indices }
    }

    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    pub fn contains(&self, index: u32) -> bool {
        self.indices.binary_search(&index).is_ok()
    }
}

/// Appends the hashed unigrams and bigrams of `folded` to `out`.
///
/// Tokens are runs of letters and digits; every other non-space,
/// non-punctuation character (an emoji) is a token of its own.
pub(crate) fn word_features(folded: &str, out: &mut Vec<u32>) {
    let mut previous: Option<u64> = None;
    let mut push_token = |token: &str, out: &mut Vec<u32>| {
        let h = xxh3_64_with_seed(token.as_bytes(), WORD_SEED);
        out.push((h % u64::from(WORD_BUCKETS)) as u32);
        if let Some(p) = previous {
            let mut pair = [0u8; 16];
            pair[..8].copy_from_slice(&p.to_le_bytes());
            pair[8..].copy_from_slice(&h.to_le_bytes());
            let b = xxh3_64_with_seed(&pair, BIGRAM_SEED);
            out.push((b % u64::from(WORD_BUCKETS)) as u32);
        }
        previous = Some(h);
    };
    let mut start: Option<usize> = None;
    for (i, c) in folded.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push_token(&folded[s..i], out);
        }
        if !(c.is_whitespace() || c.is_ascii_punctuation() || is_general_punctuation(c)) {
            push_token(&folded[i..i + c.len_utf8()], out);
        }
    }
    if let Some(s) = start {
        push_token(&folded[s..], out);
    }
}

fn is_general_punctuation(c: char) -> bool {
    matches!(c as u32, 0x00A1..=0x00BF | 0x2000..=0x206F | 0x3000..=0x303F)
}

/// Hyper-parameters of [`Model::train`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainParams {
    /// Passes over the data.
    pub epochs: usize,
    /// FTRL learning-rate scale.
    pub alpha: f64,
    /// FTRL learning-rate smoothing.
    pub beta: f64,
    /// L1 strength: drives weak weights to exactly zero.
    pub l1: f64,
    /// L2 strength: shrinks every weight.
    pub l2: f64,
    /// Weigh each class by `n / (2 · n_class)` so a rare positive class is
    /// not ignored at the 0.5 threshold.
    pub balance_classes: bool,
    /// Seeds the example order of every epoch and the cross-validation folds.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            epochs: 10,
            alpha: 0.2,
            beta: 1.0,
            l1: 0.05,
            l2: 0.5,
            balance_classes: true,
            seed: 0x5eed,
        }
    }
}

/// A trained logistic-regression model.
///
/// Serialised sparsely (only non-zero weights) with a format number; loading
/// a model of another format or with out-of-range indices fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelRepr", into = "ModelRepr")]
pub struct Model {
    bias: f32,
    weights: Vec<f32>,
    params: TrainParams,
    examples: usize,
}

impl Model {
    /// Fits a model to labelled examples (`true` = trafficking).
    pub fn train(examples: &[(Features, bool)], params: &TrainParams) -> Model {
        let order: Vec<usize> = (0..examples.len()).collect();
        train_on(examples, &order, params)
    }

    /// Probability in `[0, 1]` that the example is positive.
    pub fn predict(&self, features: &Features) -> f32 {
        let mut z = f64::from(self.bias);
        for &i in &features.indices {
            z += f64::from(self.weights.get(i as usize).copied().unwrap_or(0.0));
        }
        sigmoid(z) as f32
    }

    /// The learned coefficient of one feature (0 for unknown indices).
    pub fn coefficient(&self, index: u32) -> f32 {
        self.weights.get(index as usize).copied().unwrap_or(0.0)
    }

    pub fn bias(&self) -> f32 {
        self.bias
    }

    /// The parameters the model was trained with.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }

    /// Number of training examples.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Number of non-zero weights.
    pub fn non_zero(&self) -> usize {
        self.weights.iter().filter(|w| **w != 0.0).count()
    }
}

fn sigmoid(z: f64) -> f64 {
    let z = z.clamp(-35.0, 35.0);
    1.0 / (1.0 + (-z).exp())
}

/// FTRL-Proximal over the examples at `subset`.
fn train_on(examples: &[(Features, bool)], subset: &[usize], params: &TrainParams) -> Model {
    let bias_index = DIMENSION;
    let mut z = vec![0f64; DIMENSION + 1];
    let mut n = vec![0f64; DIMENSION + 1];
    let alpha = if params.alpha > 0.0 && params.alpha.is_finite() {
        params.alpha
    } else {
        TrainParams::default().alpha
    };
    let beta = params.beta.max(0.0);
    let l1 = params.l1.max(0.0);
    let l2 = params.l2.max(0.0);
    let weight_of = |z: f64, n: f64, penalise: bool| -> f64 {
        let l1 = if penalise { l1 } else { 0.0 };
        if z.abs() <= l1 {
            0.0
        } else {
            -(z - z.signum() * l1) / ((beta + n.sqrt()) / alpha + l2)
        }
    };
    let positives = subset.iter().filter(|&&i| examples[i].1).count();
    let negatives = subset.len() - positives;
    let class_weight = |label: bool| -> f64 {
        if !params.balance_classes || positives == 0 || negatives == 0 {
            return 1.0;
        }
        let count = if label { positives } else { negatives };
        subset.len() as f64 / (2.0 * count as f64)
    };

    let mut rng = fastrand::Rng::with_seed(params.seed);
    let mut order = subset.to_vec();
    let mut active: Vec<usize> = Vec::new();
    let mut w: Vec<f64> = Vec::new();
    for _ in 0..params.epochs {
        rng.shuffle(&mut order);
        for &e in &order {
            let (features, label) = &examples[e];
            active.clear();
            active.extend(
                features
                    .indices
                    .iter()
                    .map(|&i| i as usize)
                    .filter(|&i| i < DIMENSION),
            );
            active.push(bias_index);
            w.clear();
            w.extend(
                active
                    .iter()
                    .map(|&i| weight_of(z[i], n[i], i != bias_index)),
            );
            let p = sigmoid(w.iter().sum());
            let g = (p - if *label { 1.0 } else { 0.0 }) * class_weight(*label);
            for (&i, &wi) in active.iter().zip(&w) {
                let sigma = ((n[i] + g * g).sqrt() - n[i].sqrt()) / alpha;
                z[i] += g - sigma * wi;
                n[i] += g * g;
            }
        }
    }
    let weights = (0..DIMENSION)
        .map(|i| weight_of(z[i], n[i], true) as f32)
        .collect();
    Model {
        bias: weight_of(z[bias_index], n[bias_index], false) as f32,
        weights,
        params: params.clone(),
        examples: subset.len(),
    }
}

/// Counts and rates of one cross-validation fold, at threshold 0.5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldReport {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
}

impl FoldReport {
    fn from_counts(tp: usize, fp: usize, fn_: usize, tn: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        FoldReport {
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            true_negatives: tn,
            precision,
            recall,
            f1,
            accuracy: ratio(tp + tn, tp + fp + fn_ + tn),
        }
    }
}

/// The result of [`cross_validate`]. The top-level rates pool every fold's
/// counts (micro-averaged); `folds` has each fold's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    pub k: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
    pub folds: Vec<FoldReport>,
}

/// Stratified, seeded k-fold cross-validation at threshold 0.5.
///
/// Positives and negatives are shuffled separately (seed
/// [`TrainParams::seed`]) and dealt round-robin into folds, so every fold
/// has the same class balance. `k` is clamped to `[2, examples.len()]`;
/// with fewer than two examples the report is empty (all zeros).
pub fn cross_validate(examples: &[(Features, bool)], k: usize, params: &TrainParams) -> CvReport {
    if examples.len() < 2 {
        return CvReport {
            k: 0,
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
            accuracy: 0.0,
            folds: Vec::new(),
        };
    }
    let k = k.clamp(2, examples.len());
    let mut rng = fastrand::Rng::with_seed(params.seed ^ 0xf01d);
    let mut positives: Vec<usize> = (0..examples.len()).filter(|&i| examples[i].1).collect();
    let mut negatives: Vec<usize> = (0..examples.len()).filter(|&i| !examples[i].1).collect();
    rng.shuffle(&mut positives);
    rng.shuffle(&mut negatives);
    let mut fold_of = vec![0usize; examples.len()];
    for (position, &i) in positives.iter().chain(&negatives).enumerate() {
        fold_of[i] = position % k;
    }

    let mut folds = Vec::with_capacity(k);
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for fold in 0..k {
        let train: Vec<usize> = (0..examples.len())
            .filter(|&i| fold_of[i] != fold)
            .collect();
        let fold_params = TrainParams {
            seed: params.seed.wrapping_add(fold as u64),
            ..params.clone()
        };
        let model = train_on(examples, &train, &fold_params);
        let (mut ftp, mut ffp, mut ffn, mut ftn) = (0, 0, 0, 0);
        for (i, (features, label)) in examples.iter().enumerate() {
            if fold_of[i] != fold {
                continue;
            }
            match (model.predict(features) >= 0.5, *label) {
                (true, true) => ftp += 1,
                (true, false) => ffp += 1,
                (false, true) => ffn += 1,
                (false, false) => ftn += 1,
            }
        }
        tp += ftp;
        fp += ffp;
        fn_ += ffn;
        tn += ftn;
        folds.push(FoldReport::from_counts(ftp, ffp, ffn, ftn));
    }
    let pooled = FoldReport::from_counts(tp, fp, fn_, tn);
    CvReport {
        k,
        precision: pooled.precision,
        recall: pooled.recall,
        f1: pooled.f1,
        accuracy: pooled.accuracy,
        folds,
    }
}

/// Serialised form of [`Model`]: only the non-zero weights.
#[derive(Serialize, Deserialize)]
struct ModelRepr {
    format: u32,
    word_bits: u32,
    signal_bits: u32,
    examples: usize,
    params: TrainParams,
    bias: f32,
    /// `(feature index, weight)` for every non-zero weight.
    weights: Vec<(u32, f32)>,
}

impl From<Model> for ModelRepr {
    fn from(model: Model) -> Self {
        ModelRepr {
            format: MODEL_FORMAT,
            word_bits: WORD_BITS,
            signal_bits: SIGNAL_BITS,
            examples: model.examples,
            params: model.params,
            bias: model.bias,
            weights: model
                .weights
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != 0.0)
                .map(|(i, w)| (i as u32, *w))
                .collect(),
        }
    }
}

impl TryFrom<ModelRepr> for Model {
    type Error = String;

    fn try_from(repr: ModelRepr) -> Result<Self, String> {
        if repr.format != MODEL_FORMAT
            || repr.word_bits != WORD_BITS
            || repr.signal_bits != SIGNAL_BITS
        {
            return Err(format!(
                "model format {} ({} + {} bits) is not the supported format {MODEL_FORMAT} ({WORD_BITS} + {SIGNAL_BITS} bits)",
                repr.format, repr.word_bits, repr.signal_bits
            ));
        }
        if !repr.bias.is_finite() {
            return Err("model bias is not finite".into());
        }
        let mut weights = vec![0f32; DIMENSION];
        for (i, w) in repr.weights {
            if !w.is_finite() {
                return Err(format!("model weight {i} is not finite"));
            }
            *weights
                .get_mut(i as usize)
                .ok_or_else(|| format!("model weight index {i} out of range"))? = w;
        }
        Ok(Model {
            bias: repr.bias,
            weights,
            params: repr.params,
            examples: repr.examples,
        })
    }
}
