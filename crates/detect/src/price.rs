//! Hourly-equivalent prices and a per-city streaming median in fixed memory.
//!
//! A price far below what a city usually charges is a reported indicator of
//! control (the person does not keep the money) and of minors. Prices are
//! only ever compared within one currency: `150 roses` and `150 USD` are
//! kept apart, so a coded currency never skews a real one.

use ctip_core::{Identifier, IdentifierKind, Span};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Histogram buckets per (city, currency).
pub const PRICE_BUCKETS: usize = 256;
/// The histogram covers `[MIN_PRICE, MAX_PRICE]`; prices outside are clamped
/// into the end buckets. The range spans every real currency's hourly rates
/// (yen and pesos included).
pub const MIN_PRICE: f64 = 0.01;
pub const MAX_PRICE: f64 = 1e8;
/// [`PriceBook::median`] answers only after this many observations.
pub const MIN_OBSERVATIONS: u64 = 20;
/// Default cap on (city, currency) keys.
pub const DEFAULT_MAX_KEYS: usize = 4096;

/// Shortest and longest stated durations that are scaled to an hour.
const MIN_MINUTES: u32 = 10;
const MAX_MINUTES: u32 = 24 * 60;

/// An ad's price per hour, in the ad's own currency.
#[derive(Debug, Clone, PartialEq)]
pub struct HourlyPrice {
    pub amount: f64,
    /// The currency as the extractor gave it (`USD`, `roses`).
    pub currency: String,
    /// The price the hourly amount was derived from.
    pub span: Span,
}

/// The ad's hourly-equivalent price.
///
/// Picks, in order: a price stated for exactly 60 minutes; else the stated
/// duration nearest an hour (10 minutes to 24 hours), scaled linearly
/// (`100 / 30 min` → `200 / hour`); else the first price without a
/// duration, read as hourly. Non-positive and non-finite amounts are skipped.
pub fn hourly_price(identifiers: &[Identifier]) -> Option<HourlyPrice> {
    let prices = identifiers.iter().filter_map(|id| {
        let price = id.price.as_ref()?;
        (id.kind == IdentifierKind::Price && price.amount.is_finite() && price.amount > 0.0)
            .then_some((id, price))
    });
    let mut timed: Option<(u32, f64, &str, Span)> = None;
    let mut untimed: Option<(f64, &str, Span)> = None;
    for (id, price) in prices {
        match price.minutes {
            Some(m) if (MIN_MINUTES..=MAX_MINUTES).contains(&m) => {
                let distance = m.abs_diff(60);
                if timed.is_none_or(|(d, ..)| distance < d) {
                    let hourly = price.amount * 60.0 / f64::from(m);
                    timed = Some((distance, hourly, &price.currency, id.span));
                }
            }
            Some(_) => {}
            None => {
                if untimed.is_none() {
                    untimed = Some((price.amount, &price.currency, id.span));
                }
            }
        }
    }
    let (amount, currency, span) = match (timed, untimed) {
        (Some((_, a, c, s)), _) => (a, c, s),
        (None, Some(u)) => u,
        (None, None) => return None,
    };
    Some(HourlyPrice {
        amount,
        currency: currency.to_owned(),
        span,
    })
}

/// Per-(city, currency) streaming medians of hourly prices.
///
/// Each key holds a histogram of [`PRICE_BUCKETS`] log-spaced buckets over
/// `[MIN_PRICE, MAX_PRICE]`: each bucket is about 9.4% wide, and the median
/// is interpolated inside its bucket, so it is within a few percent of the
/// exact median (ample for a "below half" test). Memory is fixed: at most
/// `max_keys` keys of about 1 KiB each. When a new key arrives at the cap,
/// the key with the fewest observations is evicted (ties: the oldest slot),
/// so busy cities stay and one-off typos go.
///
/// Keys are compared trimmed and case-insensitively.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PriceBookRepr", into = "PriceBookRepr")]
pub struct PriceBook {
    max_keys: usize,
    entries: Vec<Entry>,
    index: HashMap<(String, String), usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    city: String,
    currency: String,
    count: u64,
    buckets: Box<[u32; PRICE_BUCKETS]>,
}

impl Default for PriceBook {
    fn default() -> Self {
        PriceBook::new(DEFAULT_MAX_KEYS)
    }
}

impl PriceBook {
    /// An empty book holding at most `max_keys` (city, currency) keys
    /// (at least one).
    pub fn new(max_keys: usize) -> Self {
        PriceBook {
            max_keys: max_keys.max(1),
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Records one hourly price. Non-finite and non-positive prices are
    /// ignored, as are empty city or currency names.
    pub fn observe(&mut self, city: &str, currency: &str, hourly: f64) {
        if !(hourly.is_finite() && hourly > 0.0) {
            return;
        }
        let key = key(city, currency);
        if key.0.is_empty() || key.1.is_empty() {
            return;
        }
        let slot = match self.index.get(&key) {
            Some(&slot) => slot,
            None => self.insert(key),
        };
        let entry = &mut self.entries[slot];
        let bucket = &mut entry.buckets[bucket_of(hourly)];
        *bucket = bucket.saturating_add(1);
        entry.count = entry.count.saturating_add(1);
    }

    fn insert(&mut self, key: (String, String)) -> usize {
        let entry = Entry {
            city: key.0.clone(),
            currency: key.1.clone(),
            count: 0,
            buckets: Box::new([0; PRICE_BUCKETS]),
        };
        if self.entries.len() < self.max_keys {
            self.entries.push(entry);
            self.index.insert(key, self.entries.len() - 1);
            return self.entries.len() - 1;
        }
        let (slot, _) = self
            .entries
            .iter()
            .enumerate()
            .min_by_key(|(i, e)| (e.count, *i))
            .unwrap_or((0, &self.entries[0]));
        let old = &self.entries[slot];
        self.index.remove(&(old.city.clone(), old.currency.clone()));
        self.entries[slot] = entry;
        self.index.insert(key, slot);
        slot
    }

    /// Observations recorded for a key.
    pub fn count(&self, city: &str, currency: &str) -> u64 {
        self.entry(city, currency).map_or(0, |e| e.count)
    }

    /// The median hourly price for a city and currency, once it has at least
    /// [`MIN_OBSERVATIONS`] observations.
    pub fn median(&self, city: &str, currency: &str) -> Option<f64> {
        let entry = self.entry(city, currency)?;
        if entry.count < MIN_OBSERVATIONS {
            return None;
        }
        // The lower median: the ceil(n/2)-th smallest observation.
        let rank = entry.count.div_ceil(2);
        let mut before = 0u64;
        for (bucket, &n) in entry.buckets.iter().enumerate() {
            let n = u64::from(n);
            if n > 0 && before + n >= rank {
                // Spread the bucket's observations evenly across its width.
                let within = (rank - before) as f64 - 0.5;
                let fraction = within / n as f64;
                return Some(bucket_value(bucket as f64 + fraction));
            }
            before += n;
        }
        None
    }

    /// Number of (city, currency) keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, city: &str, currency: &str) -> Option<&Entry> {
        self.index
            .get(&key(city, currency))
            .map(|&slot| &self.entries[slot])
    }
}

fn key(city: &str, currency: &str) -> (String, String) {
    (city.trim().to_lowercase(), currency.trim().to_lowercase())
}

fn log_step() -> f64 {
    (MAX_PRICE / MIN_PRICE).ln() / PRICE_BUCKETS as f64
}

fn bucket_of(price: f64) -> usize {
    let position = (price / MIN_PRICE).ln() / log_step();
    if position.is_nan() || position < 0.0 {
        0
    } else {
        (position as usize).min(PRICE_BUCKETS - 1)
    }
}

/// The price at a fractional bucket position.
fn bucket_value(position: f64) -> f64 {
    MIN_PRICE * (position * log_step()).exp()
}

/// Serialised form: sparse buckets, so a book of many quiet cities stays small.
#[derive(Serialize, Deserialize)]
struct PriceBookRepr {
    max_keys: usize,
    entries: Vec<EntryRepr>,
}

#[derive(Serialize, Deserialize)]
struct EntryRepr {
    city: String,
    currency: String,
    /// `(bucket, count)` pairs for the non-empty buckets.
    buckets: Vec<(u16, u32)>,
}

impl From<PriceBook> for PriceBookRepr {
    fn from(book: PriceBook) -> Self {
        PriceBookRepr {
            max_keys: book.max_keys,
            entries: book
                .entries
                .into_iter()
                .map(|e| EntryRepr {
                    city: e.city,
                    currency: e.currency,
                    buckets: e
                        .buckets
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| **n > 0)
                        .map(|(b, n)| (b as u16, *n))
                        .collect(),
                })
                .collect(),
        }
    }
}

impl TryFrom<PriceBookRepr> for PriceBook {
    type Error = String;

    fn try_from(repr: PriceBookRepr) -> Result<Self, String> {
        let mut book = PriceBook::new(repr.max_keys);
        if repr.entries.len() > book.max_keys {
            return Err(format!(
                "price book holds {} keys, more than its cap {}",
                repr.entries.len(),
                book.max_keys
            ));
        }
        for e in repr.entries {
            let key = key(&e.city, &e.currency);
            if book.index.contains_key(&key) {
                return Err(format!("duplicate price book key {key:?}"));
            }
            let mut buckets = Box::new([0u32; PRICE_BUCKETS]);
            let mut count = 0u64;
            for (b, n) in e.buckets {
                let slot = buckets
                    .get_mut(b as usize)
                    .ok_or_else(|| format!("price bucket {b} out of range"))?;
                *slot = slot.saturating_add(n);
                count += u64::from(n);
            }
            book.index.insert(key.clone(), book.entries.len());
            book.entries.push(Entry {
                city: key.0,
                currency: key.1,
                count,
                buckets,
            });
        }
        Ok(book)
    }
}
