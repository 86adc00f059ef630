//! Errors of the statistics module.

use thiserror::Error;

use super::domain::Dimension;
use super::ledger::LedgerError;

/// A [`StatsDomain`](super::StatsDomain) or [`Grouping`](super::Grouping)
/// that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("the {0} domain has no categories")]
    Empty(Dimension),
    #[error("the {dimension} domain lists {value:?} twice")]
    Duplicate { dimension: Dimension, value: String },
    #[error("{0:?} is not an ISO 3166-1 alpha-2 code (two capital letters)")]
    NotIsoAlpha2(String),
    #[error("the {0} domain contains an empty category")]
    EmptyCategory(Dimension),
    #[error("the year range {first}..={last} is empty or longer than {max} years")]
    BadYearRange { first: i32, last: i32, max: u32 },
    #[error("the grouping names {0} twice")]
    RepeatedDimension(Dimension),
    #[error("the grouping has {cells} cells, more than the limit of {max}")]
    TooManyCells { cells: u128, max: u64 },
}

/// Why a table could not be counted or released.
#[derive(Debug, Error)]
pub enum StatsError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A record's value is not among the domain's categories. The value is
    /// included for the data holder, who needs it to fix the data; this error
    /// must not be shown to anyone else.
    #[error("record {record}: {dimension} {value:?} is outside the domain")]
    OutsideDomain {
        record: usize,
        dimension: Dimension,
        value: String,
    },
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("k must be at least 2, got {0}")]
    InvalidK(u64),
    #[error("max_records_per_person must be at least 1")]
    InvalidMaxRecordsPerPerson,
    /// OpenDP refused to build or run the mechanism. If this happens after
    /// the ledger accepted the release, the ε stays charged: the budget is
    /// spent conservatively, never refunded.
    #[error("OpenDP: {0}")]
    Mechanism(String),
    #[error("the noise scale for epsilon {0} could not be calibrated")]
    Calibration(f64),
    #[error("the release does not match this table ({0})")]
    TableMismatch(&'static str),
}

impl From<opendp::error::Error> for StatsError {
    fn from(error: opendp::error::Error) -> Self {
        match error.message {
            Some(message) => StatsError::Mechanism(format!("{}: {message}", error.variant)),
            None => StatsError::Mechanism(error.variant.to_string()),
        }
    }
}
