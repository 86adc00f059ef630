//! Behaviour of `ctip_share::stats`: budgets, threshold suppression, the DP
//! mechanism's noise, domains and the holder's error report.

use ctip_share::stats::{
    BudgetLedger, CaseFacts, Charge, ConfidentialCounts, DatasetPolicy, Dimension, DpParams,
    Epsilon, Grouping, HolderErrorReport, LedgerError, Release, ReleaseMode, ReleaseRequest,
    ReleasedValue, StatsDomain, StatsError, ThresholdParams, release_dp, release_threshold,
};

const COUNTRIES: [&str; 4] = ["KH", "NG", "PH", "UA"];
const EXPLOITATION: [&str; 3] = ["ForcedLabour", "SexualExploitation", "Other"];
const AGE_BANDS: [&str; 3] = ["9-17", "18-20", "21-23"];

fn domain() -> StatsDomain {
    StatsDomain::new(COUNTRIES, EXPLOITATION, AGE_BANDS, 2021..=2023).unwrap()
}

fn grouping(dimensions: &[Dimension]) -> Grouping {
    Grouping::new(dimensions).unwrap()
}

/// `n` identical cases.
fn cases(country: &str, exploitation: &str, age_band: &str, year: i32, n: usize) -> Vec<CaseFacts> {
    vec![
        CaseFacts {
            country: country.into(),
            exploitation: exploitation.into(),
            age_band: age_band.into(),
            year,
        };
        n
    ]
}

fn request(dataset: &str, release: &str) -> ReleaseRequest {
    ReleaseRequest {
        dataset_id: dataset.into(),
        release_id: release.into(),
        released_at_unix: 1_780_000_000,
    }
}

fn eps(value: f64) -> Epsilon {
    Epsilon::new(value).unwrap()
}

fn dp_ledger(dataset: &str, total: f64) -> BudgetLedger {
    let mut ledger = BudgetLedger::new();
    ledger
        .register(
            dataset,
            DatasetPolicy::DifferentialPrivacy {
                total_epsilon: eps(total),
            },
        )
        .unwrap();
    ledger
}

fn threshold_ledger(dataset: &str) -> BudgetLedger {
    let mut ledger = BudgetLedger::new();
    ledger
        .register(dataset, DatasetPolicy::Threshold { min_k: 11 })
        .unwrap();
    ledger
}

fn country_year_table(facts: &[CaseFacts]) -> ConfidentialCounts {
    ConfidentialCounts::tabulate(
        facts,
        &domain(),
        &grouping(&[Dimension::Country, Dimension::Year]),
    )
    .unwrap()
}

fn released(release: &Release) -> Vec<ReleasedValue> {
    release.cells.iter().map(|cell| cell.value).collect()
}

// ---------------------------------------------------------------- budget

#[test]
fn a_release_beyond_the_budget_is_refused_and_not_recorded() {
    let facts = cases("NG", "Other", "18-20", 2022, 30);
    let table = country_year_table(&facts);
    let mut ledger = dp_ledger("ds", 1.0);

    release_dp(
        &table,
        &DpParams::new(eps(0.6)),
        &mut ledger,
        &request("ds", "r1"),
    )
    .unwrap();
    let refused = release_dp(
        &table,
        &DpParams::new(eps(0.6)),
        &mut ledger,
        &request("ds", "r2"),
    );
    match refused {
        Err(StatsError::Ledger(LedgerError::BudgetExceeded {
            remaining_millionths,
            ..
        })) => assert_eq!(remaining_millionths, 400_000),
        other => panic!("expected a budget refusal, got {other:?}"),
    }
    assert_eq!(ledger.entries("ds").unwrap().len(), 1);
    assert_eq!(ledger.spent_millionths("ds").unwrap(), 600_000);

    // Exactly the rest of the budget is still allowed, and then nothing.
    release_dp(
        &table,
        &DpParams::new(eps(0.4)),
        &mut ledger,
        &request("ds", "r3"),
    )
    .unwrap();
    assert_eq!(ledger.remaining_epsilon("ds").unwrap(), Some(0.0));
    assert!(
        release_dp(
            &table,
            &DpParams::new(eps(0.000001)),
            &mut ledger,
            &request("ds", "r4")
        )
        .is_err()
    );
}

#[test]
fn many_small_releases_use_the_budget_exactly() {
    let table = country_year_table(&cases("NG", "Other", "18-20", 2022, 5));
    let mut ledger = dp_ledger("ds", 1.0);
    for release in 0..10 {
        release_dp(
            &table,
            &DpParams::new(eps(0.1)),
            &mut ledger,
            &request("ds", &format!("r{release}")),
        )
        .unwrap();
    }
    assert_eq!(ledger.remaining_epsilon("ds").unwrap(), Some(0.0));
}

#[test]
fn the_ledger_refuses_unknown_datasets_repeated_ids_and_mixed_modes() {
    let table = country_year_table(&cases("NG", "Other", "18-20", 2022, 5));
    let dp = DpParams::new(eps(0.5));
    let threshold = ThresholdParams::default();

    let mut ledger = dp_ledger("dp", 5.0);
    ledger
        .register("k", DatasetPolicy::Threshold { min_k: 11 })
        .unwrap();
    assert!(matches!(
        ledger.register("k", DatasetPolicy::Threshold { min_k: 5 }),
        Err(LedgerError::AlreadyRegistered(_))
    ));

    assert!(matches!(
        release_dp(&table, &dp, &mut ledger, &request("nope", "r1")),
        Err(StatsError::Ledger(LedgerError::UnknownDataset(_)))
    ));
    release_dp(&table, &dp, &mut ledger, &request("dp", "r1")).unwrap();
    assert!(matches!(
        release_dp(&table, &dp, &mut ledger, &request("dp", "r1")),
        Err(StatsError::Ledger(LedgerError::DuplicateRelease { .. }))
    ));
    assert!(matches!(
        release_threshold(&table, &threshold, &mut ledger, &request("dp", "r2")),
        Err(StatsError::Ledger(LedgerError::ModeMismatch { .. }))
    ));
    assert!(matches!(
        release_dp(&table, &dp, &mut ledger, &request("k", "r1")),
        Err(StatsError::Ledger(LedgerError::ModeMismatch { .. }))
    ));
    let too_low = ThresholdParams {
        k: 5,
        ..ThresholdParams::default()
    };
    assert!(matches!(
        release_threshold(&table, &too_low, &mut ledger, &request("k", "r1")),
        Err(StatsError::Ledger(LedgerError::ThresholdTooLow {
            k: 5,
            min_k: 11,
            ..
        }))
    ));
    release_threshold(&table, &threshold, &mut ledger, &request("k", "r1")).unwrap();

    assert_eq!(ledger.entries("dp").unwrap().len(), 1);
    assert_eq!(
        ledger.entries("k").unwrap()[0].charge,
        Charge::Threshold { k: 11 }
    );
    assert_eq!(ledger.spent_millionths("k").unwrap(), 0);
}

#[test]
fn a_persisted_ledger_keeps_refusing_after_reload() {
    let table = country_year_table(&cases("PH", "Other", "9-17", 2021, 12));
    let mut ledger = dp_ledger("ds", 1.0);
    release_dp(
        &table,
        &DpParams::new(eps(0.7)),
        &mut ledger,
        &request("ds", "r1"),
    )
    .unwrap();

    let json = serde_json::to_string_pretty(&ledger).unwrap();
    assert!(json.contains("\"r1\""), "{json}");
    assert!(json.contains("0.7"), "{json}");
    let mut reloaded: BudgetLedger = serde_json::from_str(&json).unwrap();
    assert_eq!(reloaded, ledger);
    assert!(matches!(
        release_dp(
            &table,
            &DpParams::new(eps(0.5)),
            &mut reloaded,
            &request("ds", "r2")
        ),
        Err(StatsError::Ledger(LedgerError::BudgetExceeded { .. }))
    ));
}

// ------------------------------------------------------------- threshold

/// Country × year, 4 × 3 cells. NG/2022 has 4 cases (below 11), every other
/// NG and PH cell is large, KH and UA have nothing.
fn threshold_facts() -> Vec<CaseFacts> {
    let mut facts = Vec::new();
    facts.extend(cases("NG", "ForcedLabour", "18-20", 2021, 40));
    facts.extend(cases("NG", "SexualExploitation", "9-17", 2022, 4));
    facts.extend(cases("NG", "Other", "21-23", 2023, 25));
    facts.extend(cases("PH", "ForcedLabour", "18-20", 2021, 30));
    facts.extend(cases("PH", "ForcedLabour", "18-20", 2022, 20));
    facts.extend(cases("PH", "ForcedLabour", "18-20", 2023, 50));
    facts
}

#[test]
fn small_cells_are_suppressed_with_complements_in_row_and_column() {
    let table = country_year_table(&threshold_facts());
    let mut ledger = threshold_ledger("ds");
    let params = ThresholdParams {
        k: 11,
        suppress_zeros: false,
    };
    let release = release_threshold(&table, &params, &mut ledger, &request("ds", "r1")).unwrap();

    let shown: Vec<String> = release
        .cells
        .iter()
        .map(|cell| format!("{}={}", cell.key, cell.value))
        .collect();
    // NG/2022 (4) is primary. Its column [0, 4, 20, 0] takes 20 (PH/2022,
    // the smallest non-zero); PH's row [30, 20, 50] then takes 30
    // (PH/2021); the 2021 column [0, 40, 30, 0] then takes 40 (NG/2021),
    // which also gives NG's row [40, 4, 25] its second hidden cell: the
    // classic 2 × 2 rectangle, with every row and column at 0 or 2.
    assert_eq!(
        shown,
        [
            "KH / 2021=0",
            "KH / 2022=0",
            "KH / 2023=0",
            "NG / 2021=suppressed",
            "NG / 2022=suppressed",
            "NG / 2023=25",
            "PH / 2021=suppressed",
            "PH / 2022=suppressed",
            "PH / 2023=50",
            "UA / 2021=0",
            "UA / 2022=0",
            "UA / 2023=0",
        ]
    );
}

#[test]
fn suppression_leaves_no_line_with_a_single_hidden_cell() {
    // A bigger, skewed table: country × exploitation × age band.
    let mut facts = Vec::new();
    for (c, country) in COUNTRIES.iter().enumerate() {
        for (e, exploitation) in EXPLOITATION.iter().enumerate() {
            for (a, age_band) in AGE_BANDS.iter().enumerate() {
                let n = (c * 7 + e * 13 + a * 5) % 29;
                facts.extend(cases(country, exploitation, age_band, 2021, n));
            }
        }
    }
    let dims = [
        Dimension::Country,
        Dimension::Exploitation,
        Dimension::AgeBand,
    ];
    let table = ConfidentialCounts::tabulate(&facts, &domain(), &grouping(&dims)).unwrap();
    let mut ledger = threshold_ledger("ds");
    let release = release_threshold(
        &table,
        &ThresholdParams::default(),
        &mut ledger,
        &request("ds", "r1"),
    )
    .unwrap();

    let sizes = [COUNTRIES.len(), EXPLOITATION.len(), AGE_BANDS.len()];
    let value =
        |c: usize, e: usize, a: usize| release.cells[(c * sizes[1] + e) * sizes[2] + a].value;
    let mut lines: Vec<Vec<ReleasedValue>> = Vec::new();
    for e in 0..sizes[1] {
        for a in 0..sizes[2] {
            lines.push((0..sizes[0]).map(|c| value(c, e, a)).collect());
        }
    }
    for c in 0..sizes[0] {
        for a in 0..sizes[2] {
            lines.push((0..sizes[1]).map(|e| value(c, e, a)).collect());
        }
        for e in 0..sizes[1] {
            lines.push((0..sizes[2]).map(|a| value(c, e, a)).collect());
        }
    }
    for line in &lines {
        let hidden = line
            .iter()
            .filter(|v| **v == ReleasedValue::Suppressed)
            .count();
        assert_ne!(hidden, 1, "line {line:?}");
    }
    // Every small cell is hidden and every shown count is exact.
    for (cell, &true_count) in release.cells.iter().zip(table.counts()) {
        match cell.value {
            ReleasedValue::Count(count) => {
                assert_eq!(count, true_count);
                assert!(count >= 11);
            }
            ReleasedValue::Suppressed => {}
        }
        if true_count < 11 {
            assert_eq!(cell.value, ReleasedValue::Suppressed, "{}", cell.key);
        }
    }
}

#[test]
fn threshold_releases_are_deterministic() {
    let table = country_year_table(&threshold_facts());
    let mut ledger = threshold_ledger("ds");
    let params = ThresholdParams::default();
    let first = release_threshold(&table, &params, &mut ledger, &request("ds", "a")).unwrap();
    let second = release_threshold(&table, &params, &mut ledger, &request("ds", "b")).unwrap();
    assert_eq!(first.cells, second.cells);
    // With zeros suppressed (the default) the empty countries are hidden too.
    assert_eq!(first.cells[0].value, ReleasedValue::Suppressed);
    assert!(first.legend().contains("fewer than 11"));
}

#[test]
fn k_below_two_is_rejected_before_the_ledger() {
    let table = country_year_table(&threshold_facts());
    let mut ledger = threshold_ledger("ds");
    let params = ThresholdParams {
        k: 1,
        suppress_zeros: true,
    };
    assert!(matches!(
        release_threshold(&table, &params, &mut ledger, &request("ds", "r1")),
        Err(StatsError::InvalidK(1))
    ));
    assert!(ledger.entries("ds").unwrap().is_empty());
}

// -------------------------------------------------------------------- DP

/// Probabilities of the discrete Laplace distribution with this scale,
/// `P(x) ∝ exp(-|x| / scale)`, as (x, p) for |x| <= bound.
fn discrete_laplace_pmf(scale: f64, bound: i64) -> Vec<(i64, f64)> {
    let q = (-1.0 / scale).exp();
    let norm = (1.0 - q) / (1.0 + q);
    (-bound..=bound)
        .map(|x| (x, norm * q.powi(x.unsigned_abs() as i32)))
        .collect()
}

#[test]
fn dp_counts_are_noisy_but_unbiased_with_the_stated_variance() {
    // 12 cells of 1,000 cases each: far from zero, so clamping never acts
    // and the released value minus the truth is exactly the noise.
    let mut facts = Vec::new();
    for country in COUNTRIES {
        for year in 2021..=2023 {
            facts.extend(cases(country, "Other", "18-20", year, 1_000));
        }
    }
    let table = country_year_table(&facts);
    let epsilon = 1.0;
    let mut ledger = dp_ledger("ds", 1_000.0);

    let mut noise: Vec<f64> = Vec::new();
    let mut identical_releases = 0;
    for trial in 0..400 {
        let release = release_dp(
            &table,
            &DpParams::new(eps(epsilon)),
            &mut ledger,
            &request("ds", &format!("r{trial}")),
        )
        .unwrap();
        let ReleaseMode::DifferentialPrivacy(details) = &release.mode else {
            panic!("not a DP release");
        };
        assert_eq!(details.scale, 1.0 / epsilon);
        assert!(details.epsilon_verified <= epsilon);
        let values = released(&release);
        if values.iter().all(|v| *v == ReleasedValue::Count(1_000)) {
            identical_releases += 1;
        }
        noise.extend(values.iter().map(|v| v.count().unwrap() as f64 - 1_000.0));
    }
    // P(noise = 0) is about 0.46 at scale 1, so a 12-cell release equals the
    // truth with probability about 1e-4; 400 releases would see a few at
    // most.
    assert!(
        identical_releases < 10,
        "{identical_releases} exact releases"
    );

    // Moments of the noise from its distribution, not from constants.
    let pmf = discrete_laplace_pmf(1.0 / epsilon, 200);
    let variance: f64 = pmf.iter().map(|(x, p)| p * (*x as f64).powi(2)).sum();
    let fourth: f64 = pmf.iter().map(|(x, p)| p * (*x as f64).powi(4)).sum();

    let n = noise.len() as f64;
    let mean = noise.iter().sum::<f64>() / n;
    let sample_variance = noise.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // Six standard errors: a false alarm has probability about 2e-9.
    let mean_bound = 6.0 * (variance / n).sqrt();
    let variance_bound = 6.0 * ((fourth - variance * variance) / n).sqrt();
    assert!(
        mean.abs() < mean_bound,
        "mean noise {mean} beyond ±{mean_bound}"
    );
    assert!(
        (sample_variance - variance).abs() < variance_bound,
        "variance {sample_variance}, expected {variance} ± {variance_bound}"
    );
}

#[test]
fn more_records_per_person_means_proportionally_more_noise() {
    let table = country_year_table(&cases("UA", "Other", "21-23", 2023, 15));
    let mut ledger = dp_ledger("ds", 10.0);
    let params = DpParams::new(eps(0.5)).with_max_records_per_person(3);
    let release = release_dp(&table, &params, &mut ledger, &request("ds", "r1")).unwrap();
    let ReleaseMode::DifferentialPrivacy(details) = &release.mode else {
        panic!("not a DP release");
    };
    assert_eq!(details.scale, 6.0);
    assert_eq!(details.max_records_per_person, 3);
    assert!(details.accuracy_95 > details.scale);
    assert!(release.legend().contains("epsilon = 0.5"));

    let zero = DpParams::new(eps(0.5)).with_max_records_per_person(0);
    assert!(matches!(
        release_dp(&table, &zero, &mut ledger, &request("ds", "r2")),
        Err(StatsError::InvalidMaxRecordsPerPerson)
    ));
    assert_eq!(ledger.entries("ds").unwrap().len(), 1);
}

// --------------------------------------------------------------- domains

#[test]
fn every_domain_cell_is_released_whatever_the_data() {
    let table = country_year_table(&cases("NG", "Other", "18-20", 2022, 3));
    let mut ledger = dp_ledger("ds", 1.0);
    let release = release_dp(
        &table,
        &DpParams::new(eps(1.0)),
        &mut ledger,
        &request("ds", "r"),
    )
    .unwrap();
    assert_eq!(release.cells.len(), COUNTRIES.len() * 3);
    let keys: Vec<String> = release
        .cells
        .iter()
        .map(|cell| cell.key.to_string())
        .collect();
    assert_eq!(keys.first().map(String::as_str), Some("KH / 2021"));
    assert_eq!(keys.last().map(String::as_str), Some("UA / 2023"));

    let empty = country_year_table(&[]);
    assert_eq!(empty.cell_count(), COUNTRIES.len() * 3);
    assert_eq!(empty.record_count(), 0);
}

#[test]
fn values_outside_the_domain_are_errors_not_new_cells() {
    let by_country = grouping(&[Dimension::Country]);
    let outside = [
        (cases("FR", "Other", "18-20", 2022, 1), Dimension::Country),
        (
            cases("NG", "Begging", "18-20", 2022, 1),
            Dimension::Exploitation,
        ),
        (cases("NG", "Other", "60+", 2022, 1), Dimension::AgeBand),
        (cases("NG", "Other", "18-20", 2020, 1), Dimension::Year),
    ];
    for (facts, expected) in outside {
        let mut all = cases("PH", "Other", "9-17", 2021, 2);
        all.extend(facts);
        match ConfidentialCounts::tabulate(&all, &domain(), &by_country) {
            Err(StatsError::OutsideDomain {
                record, dimension, ..
            }) => {
                assert_eq!(record, 2);
                assert_eq!(dimension, expected);
            }
            other => panic!("expected an out-of-domain error, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------- holder report

#[test]
fn the_holder_report_measures_the_real_error() {
    let facts = threshold_facts();
    let table = country_year_table(&facts);

    let mut k_ledger = threshold_ledger("k");
    let release = release_threshold(
        &table,
        &ThresholdParams {
            k: 11,
            suppress_zeros: false,
        },
        &mut k_ledger,
        &request("k", "r1"),
    )
    .unwrap();
    let report = HolderErrorReport::compare(&table, &release, 50).unwrap();
    assert_eq!(report.summary.cells, 12);
    assert_eq!(report.summary.suppressed_cells, 4);
    assert_eq!(report.summary.suppressed_cases, 40 + 4 + 30 + 20);
    // Only PH/2023 (50) is both released and large.
    assert_eq!(report.summary.large_cells, 1);
    assert_eq!(report.summary.share_large_within_10_percent, Some(1.0));
    assert_eq!(report.summary.max_absolute_error, Some(0));

    let mut dp_ledger = dp_ledger("dp", 1.0);
    let release = release_dp(
        &table,
        &DpParams::new(eps(1.0)),
        &mut dp_ledger,
        &request("dp", "r1"),
    )
    .unwrap();
    let report = HolderErrorReport::compare(&table, &release, 25).unwrap();
    let errors: Vec<u64> = release
        .cells
        .iter()
        .zip(table.counts())
        .map(|(cell, &truth)| cell.value.count().unwrap().abs_diff(truth))
        .collect();
    let mean = errors.iter().sum::<u64>() as f64 / errors.len() as f64;
    assert_eq!(report.summary.mean_absolute_error, Some(mean));
    assert_eq!(
        report.summary.max_absolute_error,
        errors.iter().copied().max()
    );
    // Cells with at least 25 true cases: 40, 25, 30, 50.
    assert_eq!(report.summary.large_cells, 4);
    assert_eq!(report.summary.suppressed_cells, 0);

    // A report against the wrong table is refused.
    let other =
        ConfidentialCounts::tabulate(&facts, &domain(), &grouping(&[Dimension::Year])).unwrap();
    assert!(matches!(
        HolderErrorReport::compare(&other, &release, 25),
        Err(StatsError::TableMismatch(_))
    ));
}

#[test]
fn releases_serialise_without_true_counts_of_suppressed_cells() {
    let table = country_year_table(&threshold_facts());
    let mut ledger = threshold_ledger("ds");
    let release = release_threshold(
        &table,
        &ThresholdParams::default(),
        &mut ledger,
        &request("ds", "r1"),
    )
    .unwrap();
    let json = serde_json::to_string(&release).unwrap();
    // NG/2022 holds 4 cases: the number must not appear as a value.
    assert!(!json.contains(":4}") && !json.contains(":4,"), "{json}");
    let back: Release = serde_json::from_str(&json).unwrap();
    assert_eq!(back, release);
}
