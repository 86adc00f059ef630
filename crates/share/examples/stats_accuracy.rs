//! Measures the accuracy of private statistics on synthetic case facts.
//!
//! ```text
//! cargo run --release -p ctip-share --example stats_accuracy -- [CASES] [REPEATS] [SEED]
//! ```
//!
//! Draws CASES (default 20,000) synthetic cases over 30 countries,
//! 8 exploitation types, 6 age bands and 5 years, each dimension skewed
//! (Zipf-like weights, so a few countries and types dominate, as in real
//! data). It then releases counts by country × year, by exploitation type,
//! by country × exploitation type × year and by all four dimensions with
//! differential privacy at ε = 1 and ε = 4, REPEATS times (default 100)
//! each, and prints, over all cells of all repeats:
//! the mean absolute error, the 95th-percentile absolute error, and the
//! share of cells with relative error below 10 % among cells with at least
//! 50 true cases. Last, it prints the share of cells (and of cases) that
//! the k = 11 threshold mode suppresses for the same groupings.
//!
//! The domain is the synthetic universe (the 30 countries and so on), fixed
//! before the data are drawn, as the DP mode requires.

use std::process::ExitCode;
use std::time::Instant;

use ctip_share::stats::{
    BudgetLedger, CaseFacts, ConfidentialCounts, DatasetPolicy, Dimension, DpParams, Epsilon,
    Grouping, HolderErrorReport, ReleaseMode, ReleaseRequest, StatsDomain, ThresholdParams,
    release_dp, release_threshold,
};
use rand::SeedableRng;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;

const COUNTRIES: [&str; 30] = [
    "PH", "UA", "ID", "MD", "KH", "NG", "BY", "MM", "TH", "VN", "RO", "BG", "HT", "NP", "BD", "ET",
    "KE", "UG", "GH", "MX", "GT", "HN", "SV", "CO", "VE", "BR", "IN", "LK", "LA", "AL",
];
const EXPLOITATION: [&str; 8] = [
    "ForcedLabour",
    "SexualExploitation",
    "ForcedMarriage",
    "ChildLabour",
    "ForcedBegging",
    "Servitude",
    "OrganRemoval",
    "Other",
];
const AGE_BANDS: [&str; 6] = ["0-8", "9-17", "18-20", "21-23", "24-26", "27-29"];
const FIRST_YEAR: i32 = 2020;
const YEARS: usize = 5;
const LARGE_CELL: u64 = HolderErrorReport::DEFAULT_LARGE_CELL_MIN_COUNT;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("stats_accuracy: {message}");
            ExitCode::FAILURE
        }
    }
}

fn argument<T: std::str::FromStr>(position: usize, default: T) -> Result<T, String> {
    match std::env::args().nth(position) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("argument {position} ({text:?}) is not a number")),
    }
}

fn run() -> Result<(), String> {
    let case_count: usize = argument(1, 20_000)?;
    let repeats: usize = argument(2, 100)?;
    let seed: u64 = argument(3, 7)?;
    if repeats == 0 {
        return Err("REPEATS must be at least 1".into());
    }

    let domain = StatsDomain::new(
        COUNTRIES,
        EXPLOITATION,
        AGE_BANDS,
        FIRST_YEAR..=FIRST_YEAR + YEARS as i32 - 1,
    )
    .map_err(|e| e.to_string())?;
    let facts = synthetic_cases(case_count, seed)?;
    println!(
        "{case_count} synthetic cases, seed {seed}; {repeats} releases per row; \
         relative error over cells with >= {LARGE_CELL} true cases\n"
    );

    let groupings = [
        Grouping::new(&[Dimension::Country, Dimension::Year]).map_err(|e| e.to_string())?,
        Grouping::new(&[Dimension::Exploitation]).map_err(|e| e.to_string())?,
        Grouping::new(&[Dimension::Country, Dimension::Exploitation, Dimension::Year])
            .map_err(|e| e.to_string())?,
        Grouping::new(&Dimension::ALL).map_err(|e| e.to_string())?,
    ];

    println!(
        "{:<46} {:>4} {:>6} {:>7} {:>8} {:>8} {:>10} {:>12} {:>11}",
        "grouping",
        "eps",
        "cells",
        "large",
        "MAE",
        "p95 AE",
        "acc95(th)",
        "rel<10% big",
        "µs/release"
    );
    // Each repeat stands for one independent real release, so each gets a
    // dataset of its own with exactly its ε as the budget.
    let mut ledger = BudgetLedger::new();
    let mut release_number = 0u64;
    for grouping in &groupings {
        let table =
            ConfidentialCounts::tabulate(&facts, &domain, grouping).map_err(|e| e.to_string())?;
        for epsilon in [1.0, 4.0] {
            let params = DpParams::new(Epsilon::new(epsilon).map_err(|e| e.to_string())?);
            let mut absolute_errors: Vec<u64> = Vec::new();
            let mut large_cells = 0usize;
            let mut large_within_10_percent = 0usize;
            let mut accuracy_95 = 0.0;
            let started = Instant::now();
            for _ in 0..repeats {
                release_number += 1;
                let dataset_id = format!("synthetic-{release_number}");
                ledger
                    .register(
                        dataset_id.clone(),
                        DatasetPolicy::DifferentialPrivacy {
                            total_epsilon: params.epsilon,
                        },
                    )
                    .map_err(|e| e.to_string())?;
                let request = ReleaseRequest {
                    dataset_id,
                    release_id: "only".into(),
                    released_at_unix: 0,
                };
                let release = release_dp(&table, &params, &mut ledger, &request)
                    .map_err(|e| e.to_string())?;
                if let ReleaseMode::DifferentialPrivacy(details) = &release.mode {
                    accuracy_95 = details.accuracy_95;
                }
                let report = HolderErrorReport::compare(&table, &release, LARGE_CELL)
                    .map_err(|e| e.to_string())?;
                for cell in &report.cells {
                    if let Some(error) = cell.absolute_error {
                        absolute_errors.push(error);
                        if cell.true_count >= LARGE_CELL {
                            large_cells += 1;
                            if (error as f64) < 0.10 * cell.true_count as f64 {
                                large_within_10_percent += 1;
                            }
                        }
                    }
                }
            }
            // Includes the holder report, so it is an upper bound on the
            // release itself.
            let micros_per_release = started.elapsed().as_secs_f64() * 1e6 / repeats as f64;
            absolute_errors.sort_unstable();
            let mean = absolute_errors.iter().sum::<u64>() as f64 / absolute_errors.len() as f64;
            let p95 = nearest_rank(&absolute_errors, 0.95);
            let share = if large_cells == 0 {
                "n/a".to_owned()
            } else {
                format!(
                    "{:.1} %",
                    100.0 * large_within_10_percent as f64 / large_cells as f64
                )
            };
            println!(
                "{:<46} {:>4} {:>6} {:>7} {:>8.3} {:>8} {:>10.2} {:>12} {:>11.0}",
                grouping.to_string(),
                epsilon,
                table.cell_count(),
                large_cells / repeats,
                mean,
                p95,
                accuracy_95,
                share,
                micros_per_release
            );
        }
    }

    println!("\nk = 11 threshold mode (zeros suppressed too, complementary suppression on):");
    println!(
        "{:<46} {:>6} {:>10} {:>12} {:>12}",
        "grouping", "cells", "suppressed", "cell share", "case share"
    );
    let mut threshold_ledger = BudgetLedger::new();
    threshold_ledger
        .register("synthetic-k", DatasetPolicy::Threshold { min_k: 11 })
        .map_err(|e| e.to_string())?;
    for (number, grouping) in groupings.iter().enumerate() {
        let table =
            ConfidentialCounts::tabulate(&facts, &domain, grouping).map_err(|e| e.to_string())?;
        let request = ReleaseRequest {
            dataset_id: "synthetic-k".into(),
            release_id: format!("k-{number}"),
            released_at_unix: 0,
        };
        let release = release_threshold(
            &table,
            &ThresholdParams::default(),
            &mut threshold_ledger,
            &request,
        )
        .map_err(|e| e.to_string())?;
        let report =
            HolderErrorReport::compare(&table, &release, LARGE_CELL).map_err(|e| e.to_string())?;
        let summary = &report.summary;
        println!(
            "{:<46} {:>6} {:>10} {:>11.1} % {:>11.1} %",
            grouping.to_string(),
            summary.cells,
            summary.suppressed_cells,
            100.0 * summary.suppressed_cells as f64 / summary.cells as f64,
            100.0 * summary.suppressed_cases as f64 / table.record_count().max(1) as f64
        );
    }
    Ok(())
}

/// Zipf-like weights 1 / (rank + 1)^exponent.
fn skewed(len: usize, exponent: f64) -> Result<WeightedIndex<f64>, String> {
    WeightedIndex::new((0..len).map(|rank| 1.0 / ((rank + 1) as f64).powf(exponent)))
        .map_err(|e| e.to_string())
}

fn synthetic_cases(count: usize, seed: u64) -> Result<Vec<CaseFacts>, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let country = skewed(COUNTRIES.len(), 1.1)?;
    let exploitation = skewed(EXPLOITATION.len(), 1.3)?;
    let age_band = skewed(AGE_BANDS.len(), 0.6)?;
    // Later years have more recorded cases.
    let year = WeightedIndex::new([1.0, 1.3, 1.6, 2.0, 2.4]).map_err(|e| e.to_string())?;
    Ok((0..count)
        .map(|_| CaseFacts {
            country: COUNTRIES[country.sample(&mut rng)].to_owned(),
            exploitation: EXPLOITATION[exploitation.sample(&mut rng)].to_owned(),
            age_band: AGE_BANDS[age_band.sample(&mut rng)].to_owned(),
            year: FIRST_YEAR + year.sample(&mut rng) as i32,
        })
        .collect())
}

fn nearest_rank(sorted: &[u64], quantile: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
