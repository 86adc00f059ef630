//! The data holder's view: how far a release is from the true counts.

use super::domain::{CellKey, ConfidentialCounts};
use super::error::StatsError;
use super::release::{Release, ReleasedValue};

/// One cell, released value beside the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellComparison {
    pub key: CellKey,
    pub true_count: u64,
    pub released: ReleasedValue,
    /// `None` for a suppressed cell.
    pub absolute_error: Option<u64>,
}

/// Error measures over a whole release.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorSummary {
    pub cells: usize,
    pub released_cells: usize,
    pub suppressed_cells: usize,
    /// Cases that sit in suppressed cells (their true counts added up).
    pub suppressed_cases: u64,
    /// Over released (not suppressed) cells; `None` when there are none.
    pub mean_absolute_error: Option<f64>,
    /// 95th percentile (nearest rank) of the released cells' absolute error.
    pub p95_absolute_error: Option<u64>,
    pub max_absolute_error: Option<u64>,
    /// The true count from which a cell is "large" for the relative figures.
    pub large_cell_min_count: u64,
    /// Released cells whose true count is at least `large_cell_min_count`.
    pub large_cells: usize,
    /// Mean of |released − true| / true over the large cells.
    pub mean_relative_error_large: Option<f64>,
    /// Share of large cells whose relative error is below 10 %.
    pub share_large_within_10_percent: Option<f64>,
}

/// A release compared with the true counts.
///
/// **For the data holder only.** Together with the release it reveals the
/// exact counts, so it must never be published, sent to a partner or shown
/// to anyone without access to the case data. It is deliberately not
/// serialisable, so it cannot slip into a JSON response by accident.
#[derive(Clone, Debug, PartialEq)]
pub struct HolderErrorReport {
    pub release_id: String,
    pub cells: Vec<CellComparison>,
    pub summary: ErrorSummary,
}

impl HolderErrorReport {
    /// The usual threshold for "large" cells.
    pub const DEFAULT_LARGE_CELL_MIN_COUNT: u64 = 50;

    /// Compares `release` with the exact counts it was made from. Fails if
    /// the release has a different grouping or cells.
    pub fn compare(
        table: &ConfidentialCounts,
        release: &Release,
        large_cell_min_count: u64,
    ) -> Result<Self, StatsError> {
        if release.grouping != *table.grouping() {
            return Err(StatsError::TableMismatch("grouping"));
        }
        if release.cells.len() != table.cell_count() {
            return Err(StatsError::TableMismatch("number of cells"));
        }
        let mut cells = Vec::with_capacity(release.cells.len());
        for ((index, &true_count), released) in
            table.counts().iter().enumerate().zip(&release.cells)
        {
            if table.key(index).as_ref() != Some(&released.key) {
                return Err(StatsError::TableMismatch("cell keys"));
            }
            cells.push(CellComparison {
                key: released.key.clone(),
                true_count,
                released: released.value,
                absolute_error: released
                    .value
                    .count()
                    .map(|count| count.abs_diff(true_count)),
            });
        }
        let summary = summarise(&cells, large_cell_min_count);
        Ok(Self {
            release_id: release.release_id.clone(),
            cells,
            summary,
        })
    }
}

fn summarise(cells: &[CellComparison], large_cell_min_count: u64) -> ErrorSummary {
    let mut errors: Vec<u64> = cells
        .iter()
        .filter_map(|cell| cell.absolute_error)
        .collect();
    errors.sort_unstable();
    let released_cells = errors.len();
    let mean_absolute_error = (released_cells > 0)
        .then(|| errors.iter().map(|&e| e as f64).sum::<f64>() / released_cells as f64);
    let p95_absolute_error = nearest_rank(&errors, 0.95);

    let relative: Vec<f64> = cells
        .iter()
        .filter(|cell| cell.true_count >= large_cell_min_count && cell.true_count > 0)
        .filter_map(|cell| {
            cell.absolute_error
                .map(|error| error as f64 / cell.true_count as f64)
        })
        .collect();
    let large_cells = relative.len();
    let mean_relative_error_large =
        (large_cells > 0).then(|| relative.iter().sum::<f64>() / large_cells as f64);
    let share_large_within_10_percent = (large_cells > 0).then(|| {
        relative.iter().filter(|&&error| error < 0.10).count() as f64 / large_cells as f64
    });

    ErrorSummary {
        cells: cells.len(),
        released_cells,
        suppressed_cells: cells.len() - released_cells,
        suppressed_cases: cells
            .iter()
            .filter(|cell| cell.released == ReleasedValue::Suppressed)
            .map(|cell| cell.true_count)
            .sum(),
        mean_absolute_error,
        p95_absolute_error,
        max_absolute_error: errors.last().copied(),
        large_cell_min_count,
        large_cells,
        mean_relative_error_large,
        share_large_within_10_percent,
    }
}

/// The nearest-rank percentile of sorted values.
pub(crate) fn nearest_rank(sorted: &[u64], quantile: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_matches_the_definition() {
        let values: Vec<u64> = (1..=20).collect();
        assert_eq!(nearest_rank(&values, 0.95), Some(19));
        assert_eq!(nearest_rank(&values, 1.0), Some(20));
        assert_eq!(nearest_rank(&[7], 0.95), Some(7));
        assert_eq!(nearest_rank(&[], 0.95), None);
    }
}
