//! One ad in, one result out: extraction, then scoring.
//!
//! Pure apart from reading the price book it is handed, so the same function
//! serves `scan`, `extract`, `train` and the benchmarks.

use crate::{AdContext, Detector, PriceBook, hourly_price, indicator_ids};
use ctip_core::{Ad, AdResult};
use ctip_text::{ExtractOptions, Normalised, extract, places};

/// What an analysis yields besides the result: the price observation that
/// feeds the local-median book afterwards.
pub struct Analysed {
    pub result: AdResult,
    pub price_key: Option<(String, String, f64)>,
}

/// The key under which an ad's prices are compared: its city, folded.
pub fn city_key(ad: &Ad) -> Option<String> {
    ad.city
        .as_deref()
        .map(|c| Normalised::new(c.trim()).as_str().to_owned())
        .filter(|c| !c.is_empty())
}

pub fn analyse(
    ad: &Ad,
    detector: &Detector,
    options: &ExtractOptions,
    prices: &PriceBook,
) -> Analysed {
    let text = ad.text();
    let folded = Normalised::new(&text);
    let identifiers = extract(ad, &folded, options);
    let hourly = hourly_price(&identifiers);
    let city = city_key(ad);
    let local_median_hourly = match (&city, &hourly) {
        (Some(city), Some(h)) => prices.median(city, &h.currency),
        _ => None,
    };
    let context = AdContext {
        cities_mentioned: places::cities_mentioned(&folded).len(),
        local_median_hourly,
    };
    let assessment = detector.assess(ad, &folded, &identifiers, &context);
    let price_key = match (city, hourly) {
        (Some(city), Some(h)) => Some((city, h.currency, h.amount)),
        _ => None,
    };
    Analysed {
        result: AdResult {
            id: ad.id.clone(),
            indicators: indicator_ids(&assessment),
            identifiers,
            score: assessment.score,
            reasons: assessment.reasons,
        },
        price_key,
    }
}

/// The model features of one ad, as `ctip train` learns from them. No price
/// book: a labelled set is not a stream in which local medians build up.
pub fn featurise(ad: &Ad, detector: &Detector, options: &ExtractOptions) -> crate::Features {
    let text = ad.text();
    let folded = Normalised::new(&text);
    let identifiers = extract(ad, &folded, options);
    let context = AdContext {
        cities_mentioned: places::cities_mentioned(&folded).len(),
        local_median_hourly: None,
    };
    detector.featurise(ad, &folded, &identifiers, &context)
}
