//! k-anonymity threshold releases with complementary suppression.

use super::domain::ConfidentialCounts;
use super::error::StatsError;
use super::ledger::BudgetLedger;
use super::release::{
    Release, ReleaseMode, ReleaseRequest, ReleasedCell, ReleasedValue, ThresholdDetails,
};

/// The threshold used by the Counter Trafficking Data Collaborative.
pub const DEFAULT_K: u64 = 11;

/// Parameters of a threshold release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThresholdParams {
    /// Cells with fewer cases than this are suppressed. At least 2.
    pub k: u64,
    /// Whether cells with no case are suppressed too. `true` (the default)
    /// applies "fewer than k" literally; `false` publishes zeros, which
    /// shows where no case was recorded but keeps more cells readable.
    pub suppress_zeros: bool,
}

impl Default for ThresholdParams {
    fn default() -> Self {
        Self {
            k: DEFAULT_K,
            suppress_zeros: true,
        }
    }
}

/// Releases the exact counts of `table` with small cells suppressed, after
/// the ledger has accepted and recorded the release. The output depends
/// only on the table and the parameters (no randomness).
pub fn release_threshold(
    table: &ConfidentialCounts,
    params: &ThresholdParams,
    ledger: &mut BudgetLedger,
    request: &ReleaseRequest,
) -> Result<Release, StatsError> {
    if params.k < 2 {
        return Err(StatsError::InvalidK(params.k));
    }
    let suppressed = suppression_pattern(
        table.counts(),
        table.radices(),
        params.k,
        params.suppress_zeros,
    );
    let query = format!(
        "counts by {}; suppressed below k = {}{}",
        table.grouping(),
        params.k,
        if params.suppress_zeros {
            ""
        } else {
            ", zeros shown"
        }
    );
    ledger.record_threshold(request, params.k, query)?;

    let cells = table
        .counts()
        .iter()
        .zip(&suppressed)
        .enumerate()
        .map(|(index, (&count, &hidden))| {
            let key = table
                .key(index)
                .ok_or(StatsError::TableMismatch("cell index"))?;
            let value = if hidden {
                ReleasedValue::Suppressed
            } else {
                ReleasedValue::Count(count)
            };
            Ok(ReleasedCell { key, value })
        })
        .collect::<Result<Vec<_>, StatsError>>()?;

    Ok(Release {
        dataset_id: request.dataset_id.clone(),
        release_id: request.release_id.clone(),
        released_at_unix: request.released_at_unix,
        grouping: table.grouping().clone(),
        mode: ReleaseMode::Threshold(ThresholdDetails {
            k: params.k,
            suppress_zeros: params.suppress_zeros,
        }),
        cells,
    })
}

/// Which cells to suppress in a table of `counts` laid out in mixed radix
/// over `radices` (first dimension slowest).
///
/// Primary suppression hides every count below `k` (zeros only if
/// `suppress_zeros`). Complementary suppression then visits every line (the
/// cells that differ in one dimension only); a line with exactly one
/// suppressed cell gets a second one, the smallest visible count in the line
/// (a non-zero one when there is one, so the pair does not reveal its sum is
/// the primary cell's value), ties going to the first cell. A new
/// suppression can leave another line with a lone suppressed cell, so lines
/// through each newly suppressed cell are queued again until none is left.
/// Lines of length 1 are skipped: their total is the cell itself, and that
/// total, released in any other table, is below `k` there too.
pub(crate) fn suppression_pattern(
    counts: &[u64],
    radices: &[u32],
    k: u64,
    suppress_zeros: bool,
) -> Vec<bool> {
    let mut suppressed: Vec<bool> = counts
        .iter()
        .map(|&count| count < k && (count > 0 || suppress_zeros))
        .collect();

    // strides[d] = number of cells one step in dimension d moves over.
    let mut strides = vec![1usize; radices.len()];
    for d in (0..radices.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * radices[d + 1] as usize;
    }
    let line_start = |cell: usize, d: usize| {
        let coordinate = (cell / strides[d]) % radices[d] as usize;
        cell - coordinate * strides[d]
    };

    // Dimensions whose lines have two cells or more.
    let long_dimensions: Vec<usize> = (0..radices.len()).filter(|&d| radices[d] >= 2).collect();

    let mut pending: Vec<(usize, usize)> = Vec::new();
    for (cell, _) in suppressed.iter().enumerate().filter(|(_, hidden)| **hidden) {
        for &d in &long_dimensions {
            pending.push((d, line_start(cell, d)));
        }
    }
    // Process lines in the order they were found, so the result is a pure
    // function of the input.
    pending.reverse();

    while let Some((d, start)) = pending.pop() {
        let line = (0..radices[d] as usize).map(|step| start + step * strides[d]);
        let hidden_in_line = line.clone().filter(|&cell| suppressed[cell]).count();
        if hidden_in_line != 1 {
            continue;
        }
        let complement = line
            .filter(|&cell| !suppressed[cell])
            .min_by_key(|&cell| (counts[cell] == 0, counts[cell], cell));
        let Some(complement) = complement else {
            continue;
        };
        suppressed[complement] = true;
        for &e in long_dimensions.iter().filter(|&&e| e != d) {
            // Pushed last, popped next: finish the chain this started.
            pending.push((e, line_start(complement, e)));
        }
    }
    suppressed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(counts: &[u64], radices: &[u32]) -> Vec<bool> {
        suppression_pattern(counts, radices, 11, true)
    }

    /// Every line with a suppressed cell has at least two.
    fn no_lone_suppressed_cell(hidden: &[bool], radices: &[u32]) -> bool {
        let cells = hidden.len();
        let mut strides = vec![1usize; radices.len()];
        for d in (0..radices.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * radices[d + 1] as usize;
        }
        (0..radices.len()).all(|d| {
            (0..cells)
                .filter(|cell| (cell / strides[d]).is_multiple_of(radices[d] as usize))
                .all(|start| {
                    let in_line = (0..radices[d] as usize)
                        .filter(|step| hidden[start + step * strides[d]])
                        .count();
                    radices[d] < 2 || in_line != 1
                })
        })
    }

    #[test]
    fn one_dimension_gets_a_second_suppressed_cell() {
        // 5 is primary; 12 is the smallest visible count.
        let hidden = pattern(&[40, 5, 12, 30], &[4]);
        assert_eq!(hidden, [false, true, true, false]);
    }

    #[test]
    fn two_dimensions_suppress_in_rows_and_columns() {
        // 3 x 3, one small cell in the middle.
        let counts = [50, 60, 70, 80, 4, 90, 100, 110, 120];
        let hidden = pattern(&counts, &[3, 3]);
        assert!(hidden[4]);
        assert_eq!(hidden.iter().filter(|h| **h).count(), 4, "{hidden:?}");
        assert!(no_lone_suppressed_cell(&hidden, &[3, 3]));
        // The column of 4, [60, 4, 110], takes 60; 60's row [50, 60, 70]
        // takes 50; 50's column [50, 80, 100] takes 80, which also gives
        // 4's row [80, 4, 90] its second suppressed cell.
        assert_eq!(
            hidden,
            [true, true, false, true, true, false, false, false, false]
        );
    }

    #[test]
    fn zero_cells_count_as_small_only_when_asked() {
        let counts = [0, 30, 40];
        assert_eq!(
            suppression_pattern(&counts, &[3], 11, true),
            [true, true, false]
        );
        assert_eq!(
            suppression_pattern(&counts, &[3], 11, false),
            [false, false, false]
        );
    }

    #[test]
    fn complements_prefer_non_zero_cells() {
        let counts = [5, 0, 30, 20];
        assert_eq!(
            suppression_pattern(&counts, &[4], 11, false),
            [true, false, false, true]
        );
    }

    #[test]
    fn a_single_cell_line_is_left_alone() {
        assert_eq!(pattern(&[3], &[]), [true]);
        assert_eq!(pattern(&[3, 40], &[2, 1]), [true, true]);
    }

    proptest::proptest! {
        #[test]
        fn every_line_has_zero_or_several_suppressed_cells(
            rows in 1u32..6,
            columns in 1u32..6,
            layers in 1u32..4,
            seed in proptest::collection::vec(0u64..40, 90),
        ) {
            let radices = [rows, columns, layers];
            let cells = (rows * columns * layers) as usize;
            let counts = &seed[..cells];
            let hidden = suppression_pattern(counts, &radices, 11, true);
            proptest::prop_assert!(no_lone_suppressed_cell(&hidden, &radices));
            for (count, hidden) in counts.iter().zip(&hidden) {
                if *count < 11 {
                    proptest::prop_assert!(*hidden);
                }
            }
        }
    }
}
