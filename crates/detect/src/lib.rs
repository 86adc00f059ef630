//! Trafficking indicators, structural signals, the risk score and a
//! trainable model.
//!
//! [`Detector::assess`] reads one ad (its folded text from
//! [`ctip_text::Normalised`] and the identifiers already extracted from it)
//! and returns an [`Assessment`]: a score in `[0, 1]` and every [`Reason`]
//! behind it, each with the span of original text that fired.
//!
//! * The indicators are data: `lexicon/indicators.toml`, documented with its
//!   sources and default weights in `lexicon/README.md`, embedded at build
//!   time and compiled into one Aho-Corasick automaton ([`Lexicon`]).
//! * Structural signals ([`Structural`]) look at the ad as a whole: several
//!   phones, names or ages, a stated minor's age, a price far below the local
//!   median ([`PriceBook`]), many cities.
//! * The default score is a noisy-OR of the distinct signals' weights; with a
//!   trained [`Model`] it is the model's probability instead.
//!
//! Architecture invariant: pure. No I/O (the lexicon is embedded; models and
//! price books are (de)serialised by the caller), no clock, no global
//! mutable state, and no panic on any input (property-tested).

mod lexicon;
mod model;
mod pipeline;
mod price;
mod signals;

pub use lexicon::{Hit, Indicator, Language, Lexicon, LexiconError, SHIPPED_LEXICON, SignalInfo};
pub use model::{
    CvReport, DIMENSION, Features, FoldReport, Model, SIGNAL_BITS, TrainParams, WORD_BITS,
    cross_validate, signal_feature,
};
pub use pipeline::{Analysed, analyse, city_key, featurise};
pub use price::{
    DEFAULT_MAX_KEYS, HourlyPrice, MIN_OBSERVATIONS, PRICE_BUCKETS, PriceBook, hourly_price,
};
pub use signals::{BELOW_MEDIAN_FRACTION, MANY_CITIES, Structural};

use ctip_core::{Ad, Assessment, Identifier, Reason};
use ctip_text::Normalised;
use signals::SignalHit;

/// Most reasons kept per indicator or signal; further matches still count
/// once towards the score.
pub const MAX_REASONS_PER_INDICATOR: usize = 5;
/// Longest evidence string, in characters.
const MAX_EVIDENCE_CHARS: usize = 80;

/// What the caller knows about an ad beyond its text and identifiers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AdContext {
    /// Distinct cities mentioned in the ad (`struct.many_cities` at 3+).
    pub cities_mentioned: usize,
    /// The local median hourly price for the ad's city in the currency of
    /// [`hourly_price`], from a [`PriceBook`], when known.
    pub local_median_hourly: Option<f64>,
}

/// Scores ads against a lexicon, by default weights or by a trained model.
#[derive(Debug, Clone)]
pub struct Detector {
    lexicon: Lexicon,
    model: Option<Model>,
}

impl Default for Detector {
    /// The shipped lexicon with its default weights.
    fn default() -> Self {
        Detector::new(Lexicon::shipped(), None)
    }
}

/// One distinct fired indicator or signal.
struct Fired {
    feature: u32,
    weight: f32,
}

/// Everything found in one ad, before scoring.
struct Analysis {
    fired: Vec<Fired>,
    /// Reasons with default weights, and each one's model feature.
    reasons: Vec<(Reason, u32)>,
}

impl Detector {
    pub fn new(lexicon: Lexicon, model: Option<Model>) -> Self {
        Detector { lexicon, model }
    }

    /// The shipped lexicon, scored by `model`.
    pub fn with_model(model: Model) -> Self {
        Detector::new(Lexicon::shipped(), Some(model))
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// Scores one ad.
    ///
    /// `text` must be `Normalised::new(&ad.text())`, and `identifiers` those
    /// extracted from the same text: every span indexes into `ad.text()`.
    ///
    /// Without a model the score is the noisy-OR `1 - Π(1 - wᵢ)` over the
    /// distinct indicators and signals that fired: interpretable (each
    /// weight reads as "the chance this sign alone means trafficking"),
    /// monotone (a further sign never lowers the score) and bounded in
    /// `[0, 1]` however many signs fire. Each indicator counts once, however
    /// often it matches. With a model the score is the model's probability
    /// and each reason's `weight` is the model's coefficient for its
    /// indicator. Reasons are ordered by weight, strongest first, then by
    /// position.
    pub fn assess(
        &self,
        ad: &Ad,
        text: &Normalised<'_>,
        identifiers: &[Identifier],
        context: &AdContext,
    ) -> Assessment {
        let analysis = self.analyse(ad, text, identifiers, context);
        let (score, mut reasons): (f32, Vec<Reason>) = match &self.model {
            None => {
                let keep: f64 = analysis
                    .fired
                    .iter()
                    .map(|f| 1.0 - f64::from(f.weight))
                    .product();
                let reasons = analysis.reasons.into_iter().map(|(r, _)| r).collect();
                ((1.0 - keep) as f32, reasons)
            }
            Some(model) => {
                let features = features_of(text, &analysis);
                let reasons = analysis
                    .reasons
                    .into_iter()
                    .map(|(mut r, feature)| {
                        r.weight = model.coefficient(feature);
                        r
                    })
                    .collect();
                (model.predict(&features), reasons)
            }
        };
        reasons.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.span.map(|s| s.start).cmp(&b.span.map(|s| s.start)))
        });
        let score = if score.is_finite() {
            score.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Assessment { score, reasons }
    }

    /// The model features of one ad: hashed word unigrams and bigrams plus
    /// one feature per fired indicator and structural signal. Same inputs as
    /// [`Detector::assess`].
    pub fn featurise(
        &self,
        ad: &Ad,
        text: &Normalised<'_>,
        identifiers: &[Identifier],
        context: &AdContext,
    ) -> Features {
        let analysis = self.analyse(ad, text, identifiers, context);
        features_of(text, &analysis)
    }

    fn analyse(
        &self,
        ad: &Ad,
        text: &Normalised<'_>,
        identifiers: &[Identifier],
        context: &AdContext,
    ) -> Analysis {
        let scan = self.lexicon.scan(text.as_str());
        let indicators = self.lexicon.indicators();
        let mut fired: Vec<Fired> = Vec::new();
        let mut fired_indicators: Vec<(usize, usize)> = Vec::new(); // (indicator, reasons kept)
        let mut reasons: Vec<(Reason, u32)> = Vec::new();
        let mut youth_fired = false;
        for hit in &scan.hits {
            let indicator = &indicators[hit.indicator];
            let feature = self.lexicon.indicator_feature(hit.indicator);
            let slot = match fired_indicators
                .iter()
                .position(|(i, _)| *i == hit.indicator)
            {
                Some(slot) => slot,
                None => {
                    fired.push(Fired {
                        feature,
                        weight: indicator.weight,
                    });
                    youth_fired |= indicator.category == "youth";
                    fired_indicators.push((hit.indicator, 0));
                    fired_indicators.len() - 1
                }
            };
            let kept = &mut fired_indicators[slot].1;
            if *kept < MAX_REASONS_PER_INDICATOR {
                *kept += 1;
                reasons.push((
                    Reason {
                        indicator: indicator.id.clone(),
                        weight: indicator.weight,
                        span: Some(text.original_span(hit.start, hit.end)),
                        evidence: truncate(text.original_text(hit.start, hit.end)),
                    },
                    feature,
                ));
            }
        }

        let mut hits: Vec<SignalHit> = Vec::new();
        signals::structural_hits(
            ad,
            text,
            identifiers,
            &scan.name_trigger_ends,
            youth_fired,
            &mut hits,
        );
        if let Some(median) = context
            .local_median_hourly
            .filter(|m| m.is_finite() && *m > 0.0)
            && let Some(price) = hourly_price(identifiers)
            && price.amount < BELOW_MEDIAN_FRACTION * median
        {
            hits.push(SignalHit {
                signal: Structural::PriceBelowMedian,
                span: Some(price.span),
                evidence: format!(
                    "hourly price {:.0}% of the local median",
                    100.0 * price.amount / median
                ),
            });
        }
        if context.cities_mentioned >= MANY_CITIES {
            hits.push(SignalHit {
                signal: Structural::ManyCities,
                span: None,
                evidence: format!("{} cities mentioned", context.cities_mentioned),
            });
        }

        let mut per_signal = [0usize; Structural::ALL.len()];
        for hit in hits {
            let info = self.lexicon.signal(hit.signal);
            let feature = self.lexicon.signal_feature(hit.signal);
            let kept = &mut per_signal[hit.signal as usize];
            if *kept == 0 {
                fired.push(Fired {
                    feature,
                    weight: info.weight,
                });
            }
            if *kept < MAX_REASONS_PER_INDICATOR {
                reasons.push((
                    Reason {
                        indicator: info.id.clone(),
                        weight: info.weight,
                        span: hit.span,
                        evidence: hit.evidence,
                    },
                    feature,
                ));
            }
            *kept += 1;
        }
        Analysis { fired, reasons }
    }
}

fn features_of(text: &Normalised<'_>, analysis: &Analysis) -> Features {
    let mut indices = Vec::with_capacity(text.as_str().len() / 3 + analysis.fired.len());
    model::word_features(text.as_str(), &mut indices);
    indices.extend(analysis.fired.iter().map(|f| f.feature));
    Features::from_indices(indices)
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

/// The distinct indicator ids behind an assessment, in order of first
/// appearance: what `AdResult::indicators` holds.
pub fn indicator_ids(assessment: &Assessment) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for reason in &assessment.reasons {
        if !ids.contains(&reason.indicator) {
            ids.push(reason.indicator.clone());
        }
    }
    ids
}

#[cfg(test)]
mod tests;
