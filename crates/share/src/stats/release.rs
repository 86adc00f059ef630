//! What a release publishes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::domain::{CellKey, Grouping};
use super::epsilon::Epsilon;

/// Who is releasing, of which dataset, and when. The timestamp is passed in
/// (seconds since the Unix epoch) because this crate never reads a clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRequest {
    pub dataset_id: String,
    /// Unique within the dataset; the ledger refuses a repeated id.
    pub release_id: String,
    pub released_at_unix: i64,
}

/// A published table. Everything in it may be shown to anyone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub dataset_id: String,
    pub release_id: String,
    pub released_at_unix: i64,
    pub grouping: Grouping,
    pub mode: ReleaseMode,
    /// One entry per cell of the grouping over the domain, in cell order
    /// (first grouped dimension varying slowest), including empty cells.
    pub cells: Vec<ReleasedCell>,
}

impl Release {
    /// A sentence explaining the table's values to readers.
    pub fn legend(&self) -> String {
        match &self.mode {
            ReleaseMode::DifferentialPrivacy(details) => format!(
                "Counts include random noise for differential privacy (epsilon = {}). \
                 With 95% confidence each count is within {} of the true count; \
                 negative noisy counts are shown as 0.",
                details.epsilon,
                details.accuracy_95.floor()
            ),
            ReleaseMode::Threshold(details) => format!(
                "Exact counts. \"{}\" marks a cell with fewer than {} cases, or a cell \
                 withheld so that such a cell cannot be worked out from totals.",
                ReleasedValue::SUPPRESSED_MARK,
                details.k
            ),
        }
    }

    /// How many cells are suppressed.
    pub fn suppressed_cells(&self) -> usize {
        self.cells
            .iter()
            .filter(|cell| cell.value == ReleasedValue::Suppressed)
            .count()
    }
}

/// How the values were protected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ReleaseMode {
    DifferentialPrivacy(DpDetails),
    Threshold(ThresholdDetails),
}

/// Parameters of a differentially private release; all public.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DpDetails {
    /// The ε declared and charged to the ledger.
    pub epsilon: Epsilon,
    /// The ε that OpenDP's privacy map gives for this mechanism (never more
    /// than `epsilon`).
    pub epsilon_verified: f64,
    /// Always `"discrete_laplace"` today.
    pub mechanism: String,
    /// The discrete Laplace scale: noise has probability proportional to
    /// `exp(-|x| / scale)`.
    pub scale: f64,
    pub max_records_per_person: u32,
    /// With 95% confidence a cell's noise is smaller than this in absolute
    /// value (OpenDP's `discrete_laplacian_scale_to_accuracy`, before the
    /// clamp at zero, which only moves values towards the truth).
    pub accuracy_95: f64,
}

/// Parameters of a threshold release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdDetails {
    pub k: u64,
    /// Whether zero counts are suppressed too (they are below `k`).
    pub suppress_zeros: bool,
}

/// One cell of a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasedCell {
    pub key: CellKey,
    pub value: ReleasedValue,
}

/// A released count, or a suppressed cell.
///
/// Primary (below `k`) and complementary suppression look the same on
/// purpose: marking which cells are small would undo the complementary
/// suppression. That is also why the mark is not "<11": a complementary
/// cell may hold more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleasedValue {
    Count(u64),
    Suppressed,
}

impl ReleasedValue {
    /// How a suppressed cell is written.
    pub const SUPPRESSED_MARK: &'static str = "suppressed";

    pub fn count(self) -> Option<u64> {
        match self {
            ReleasedValue::Count(count) => Some(count),
            ReleasedValue::Suppressed => None,
        }
    }
}

impl fmt::Display for ReleasedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleasedValue::Count(count) => write!(f, "{count}"),
            ReleasedValue::Suppressed => f.write_str(Self::SUPPRESSED_MARK),
        }
    }
}
