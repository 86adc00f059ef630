//! Differentially private counts with OpenDP's discrete Laplace mechanism.

use opendp::accuracy::discrete_laplacian_scale_to_accuracy;
use opendp::core::Measurement;
use opendp::domains::{AtomDomain, VectorDomain};
use opendp::measurements::make_laplace;
use opendp::measures::MaxDivergence;
use opendp::metrics::{L1Distance, SymmetricDistance};
use opendp::transformations::make_count_by_categories;

use super::domain::ConfidentialCounts;
use super::epsilon::Epsilon;
use super::error::StatsError;
use super::ledger::BudgetLedger;
use super::release::{
    DpDetails, Release, ReleaseMode, ReleaseRequest, ReleasedCell, ReleasedValue,
};

/// The significance level of [`DpDetails::accuracy_95`].
const ACCURACY_ALPHA: f64 = 0.05;

/// How many times the scale is nudged up when rounding makes OpenDP's
/// privacy map come out a hair above the declared ε. One step is enough in
/// every case seen; the bound only guarantees termination.
const MAX_CALIBRATION_STEPS: usize = 64;

/// Parameters of a differentially private release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DpParams {
    /// The privacy loss of this release; charged to the ledger.
    pub epsilon: Epsilon,
    /// The most records (cases) one person can have in the data. 1 when a
    /// case is a person; see the module documentation.
    pub max_records_per_person: u32,
}

impl DpParams {
    /// One record per person.
    pub fn new(epsilon: Epsilon) -> Self {
        Self {
            epsilon,
            max_records_per_person: 1,
        }
    }

    pub fn with_max_records_per_person(mut self, max_records_per_person: u32) -> Self {
        self.max_records_per_person = max_records_per_person;
        self
    }
}

/// Cell indices of the records in, noisy counts of every cell out.
type CountMeasurement =
    Measurement<VectorDomain<AtomDomain<u32>>, SymmetricDistance, MaxDivergence, Vec<i64>>;

/// Releases every cell of `table` with discrete Laplace noise, after the
/// ledger has accepted and recorded the ε.
///
/// The mechanism is built and its privacy checked before the ledger is
/// asked; the ledger refuses (and nothing is sampled) when the budget would
/// be exceeded, the dataset is a threshold dataset, or the release id was
/// used before.
pub fn release_dp(
    table: &ConfidentialCounts,
    params: &DpParams,
    ledger: &mut BudgetLedger,
    request: &ReleaseRequest,
) -> Result<Release, StatsError> {
    if params.max_records_per_person == 0 {
        return Err(StatsError::InvalidMaxRecordsPerPerson);
    }
    let (measurement, scale, epsilon_verified) = calibrate(table.cell_count(), params)?;
    let accuracy_95 = discrete_laplacian_scale_to_accuracy(scale, ACCURACY_ALPHA)?;
    let query = format!(
        "counts by {}; discrete Laplace, scale {scale}, at most {} record(s) per person",
        table.grouping(),
        params.max_records_per_person
    );

    ledger.charge_epsilon(request, params.epsilon, query)?;

    let noisy = measurement.invoke(table.cell_of_record())?;
    if noisy.len() != table.cell_count() {
        return Err(StatsError::Mechanism(format!(
            "expected {} noisy counts, got {}",
            table.cell_count(),
            noisy.len()
        )));
    }
    let cells = noisy
        .into_iter()
        .enumerate()
        .map(|(index, noisy_count)| {
            let key = table
                .key(index)
                .ok_or(StatsError::TableMismatch("cell index"))?;
            // Post-processing: a negative count is impossible, so show 0.
            let released = u64::try_from(noisy_count.max(0)).unwrap_or_default();
            Ok(ReleasedCell {
                key,
                value: ReleasedValue::Count(released),
            })
        })
        .collect::<Result<Vec<_>, StatsError>>()?;

    Ok(Release {
        dataset_id: request.dataset_id.clone(),
        release_id: request.release_id.clone(),
        released_at_unix: request.released_at_unix,
        grouping: table.grouping().clone(),
        mode: ReleaseMode::DifferentialPrivacy(DpDetails {
            epsilon: params.epsilon,
            epsilon_verified,
            mechanism: "discrete_laplace".to_owned(),
            scale,
            max_records_per_person: params.max_records_per_person,
            accuracy_95,
        }),
        cells,
    })
}

/// Builds the count-then-noise measurement with the smallest scale whose
/// OpenDP privacy map, at a distance of `max_records_per_person` records,
/// is at most ε. Returns the measurement, the scale and the verified ε.
fn calibrate(
    cell_count: usize,
    params: &DpParams,
) -> Result<(CountMeasurement, f64, f64), StatsError> {
    let declared = params.epsilon.value();
    let records_per_person = params.max_records_per_person;
    // L1 sensitivity of the counts is records_per_person (stability 1 of
    // count_by_categories); OpenDP's map is d_in / scale.
    let mut scale = f64::from(records_per_person) / declared;
    for _ in 0..MAX_CALIBRATION_STEPS {
        let measurement = build_measurement(cell_count, scale)?;
        let epsilon = measurement.map(&records_per_person)?;
        if epsilon <= declared {
            return Ok((measurement, scale, epsilon));
        }
        scale = scale.next_up();
    }
    Err(StatsError::Calibration(declared))
}

fn build_measurement(cell_count: usize, scale: f64) -> Result<CountMeasurement, StatsError> {
    let cell_count =
        u32::try_from(cell_count).map_err(|_| StatsError::TableMismatch("too many cells"))?;
    let count = make_count_by_categories::<L1Distance<i64>, u32, i64>(
        VectorDomain::new(AtomDomain::default()),
        SymmetricDistance,
        (0..cell_count).collect(),
        false,
    )?;
    let noise = make_laplace::<_, _, MaxDivergence>(
        count.output_domain.clone(),
        count.output_metric.clone(),
        scale,
        None,
    )?;
    Ok((count >> noise)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_meets_the_declared_epsilon_exactly_or_below() {
        for (epsilon, per_person) in [(1.0, 1), (4.0, 1), (0.1, 1), (0.3, 3), (0.123457, 2)] {
            let params = DpParams::new(Epsilon::new(epsilon).unwrap())
                .with_max_records_per_person(per_person);
            let (_, scale, verified) = calibrate(3, &params).unwrap();
            assert!(verified <= params.epsilon.value());
            // Not wastefully noisy: within one part in 10^12 of d_in / ε.
            let ideal = f64::from(per_person) / params.epsilon.value();
            assert!((scale - ideal).abs() <= ideal * 1e-12, "{scale} vs {ideal}");
        }
    }
}
