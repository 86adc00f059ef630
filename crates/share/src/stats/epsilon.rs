//! The privacy-loss parameter ε, held in exact millionths.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How many units make ε = 1.
const UNITS_PER_EPSILON: u64 = 1_000_000;

/// The largest ε accepted (per release and as a dataset's total). Anything
/// near it protects nobody; the cap keeps arithmetic far from overflow and
/// keeps every value exactly representable as an `f64`.
const MAX_UNITS: u64 = 1_000 * UNITS_PER_EPSILON;

/// A privacy-loss parameter ε, stored as a whole number of millionths.
///
/// The ledger adds many ε values and compares the sum with a budget; with
/// floating point, ten releases at ε = 0.1 could add up to slightly more
/// than 1.0 and be refused. Millionths make the arithmetic exact. Values are
/// rounded to the nearest millionth when created, and that rounded value is
/// the one used to calibrate noise and to charge the ledger.
///
/// Serialised as a JSON number (`1.5`), so persisted ledgers stay readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Epsilon(u64);

/// Why a number is not a usable ε.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EpsilonError {
    #[error("epsilon must be a finite number, got {0}")]
    NotFinite(f64),
    #[error("epsilon must be at least 0.000001, got {0}")]
    TooSmall(f64),
    #[error("epsilon must be at most 1000, got {0}")]
    TooLarge(f64),
}

impl Epsilon {
    /// ε rounded to the nearest millionth; must lie in [0.000001, 1000].
    pub fn new(value: f64) -> Result<Self, EpsilonError> {
        if !value.is_finite() {
            return Err(EpsilonError::NotFinite(value));
        }
        let units = (value * UNITS_PER_EPSILON as f64).round();
        if units < 1.0 {
            return Err(EpsilonError::TooSmall(value));
        }
        if units > MAX_UNITS as f64 {
            return Err(EpsilonError::TooLarge(value));
        }
        // In range [1, MAX_UNITS] and integral, so the cast is exact.
        Ok(Self(units as u64))
    }

    /// ε as a number.
    pub fn value(self) -> f64 {
        self.0 as f64 / UNITS_PER_EPSILON as f64
    }

    /// The exact number of millionths.
    pub fn millionths(self) -> u64 {
        self.0
    }
}

impl TryFrom<f64> for Epsilon {
    type Error = EpsilonError;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Epsilon> for f64 {
    fn from(epsilon: Epsilon) -> f64 {
        epsilon.value()
    }
}

impl fmt::Display for Epsilon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_add_up_exactly() {
        let tenth = Epsilon::new(0.1).unwrap();
        let sum: u64 = (0..10).map(|_| tenth.millionths()).sum();
        assert_eq!(sum, Epsilon::new(1.0).unwrap().millionths());
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        assert!(matches!(Epsilon::new(0.0), Err(EpsilonError::TooSmall(_))));
        assert!(matches!(Epsilon::new(-1.0), Err(EpsilonError::TooSmall(_))));
        assert!(matches!(
            Epsilon::new(f64::NAN),
            Err(EpsilonError::NotFinite(_))
        ));
        assert!(matches!(Epsilon::new(1e9), Err(EpsilonError::TooLarge(_))));
    }

    #[test]
    fn json_round_trip_is_exact() {
        for value in [0.000001, 0.1, 0.3, 1.0, 4.0, 123.456789] {
            let epsilon = Epsilon::new(value).unwrap();
            let json = serde_json::to_string(&epsilon).unwrap();
            let back: Epsilon = serde_json::from_str(&json).unwrap();
            assert_eq!(back, epsilon, "{json}");
        }
    }
}
