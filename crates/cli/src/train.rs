//! `ctip train`: fit the logistic-regression scorer on the user's labelled
//! ads and report cross-validated precision, recall and F1.

use crate::ExitCode;
use crate::inputs::{Strictness, for_each_batch, progress_bar};
use anyhow::{Context, Result, bail};
use clap::Args;
use ctip_detect::{Detector, Features, TrainParams, cross_validate};
use ctip_input::Format;
use ctip_text::ExtractOptions;
use rayon::prelude::*;
use std::path::PathBuf;

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled ads (JSONL or CSV) with a `label` field: 1/0, true/false,
    /// yes/no or positive/negative.
    #[arg(long)]
    labels: Vec<PathBuf>,
    #[arg(long, value_parser = |s: &str| s.parse::<Format>())]
    format: Option<Format>,
    /// Where to write the model.
    #[arg(long, default_value = "ctip-model.json")]
    out: PathBuf,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    #[arg(long, default_value_t = 0x5eed)]
    seed: u64,
    #[arg(long)]
    strict: bool,
    #[arg(long, default_value = "US")]
    region: String,
}

fn parse_label(label: &str) -> Option<bool> {
    match label.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "positive" | "pos" | "trafficking" => Some(true),
        "0" | "false" | "no" | "negative" | "neg" | "benign" => Some(false),
        _ => None,
    }
}

pub fn run(args: TrainArgs) -> Result<ExitCode> {
    if args.labels.is_empty() {
        bail!("--labels FILE is required");
    }
    let detector = Detector::default();
    let options = ExtractOptions {
        default_region: args.region.clone(),
    };
    let mut examples: Vec<(Features, bool)> = Vec::new();
    let mut unlabelled = 0u64;
    let progress = progress_bar(false);
    let strictness = if args.strict {
        Strictness::Stop
    } else {
        Strictness::Skip
    };
    let counts = for_each_batch(
        &args.labels,
        args.format,
        4096,
        strictness,
        &progress,
        |batch| {
            let featurised: Vec<Result<(Features, bool), String>> = batch
            .par_iter()
            .map(|record| {
                let label = record.label.as_deref().and_then(parse_label).ok_or_else(|| {
                    format!("skipped {}: missing or unreadable `label` (expected 1/0, true/false, yes/no)", record.location)
                })?;
                Ok((ctip_detect::featurise(&record.ad, &detector, &options), label))
            })
            .collect();
            for item in featurised {
                match item {
                    Ok(example) => examples.push(example),
                    Err(message) => {
                        unlabelled += 1;
                        if args.strict {
                            bail!("{message}");
                        }
                        progress.suspend(|| eprintln!("{message}"));
                    }
                }
            }
            Ok(())
        },
    )?;
    progress.finish_and_clear();
    let positives = examples.iter().filter(|(_, l)| *l).count();
    if positives == 0 || positives == examples.len() {
        bail!(
            "training needs both positive and negative labels; found {positives} positive of {}",
            examples.len()
        );
    }
    let params = TrainParams {
        epochs: args.epochs,
        seed: args.seed,
        ..TrainParams::default()
    };
    let report = cross_validate(&examples, args.folds, &params);
    println!(
        "examples: {} ({} positive, {} negative)",
        examples.len(),
        positives,
        examples.len() - positives
    );
    println!("{}-fold cross-validation at threshold 0.5:", report.k);
    println!("fold  precision  recall  f1");
    for (i, fold) in report.folds.iter().enumerate() {
        println!(
            "{:>4}  {:>9.3}  {:>6.3}  {:.3}",
            i + 1,
            fold.precision,
            fold.recall,
            fold.f1
        );
    }
    println!(
        " all  {:>9.3}  {:>6.3}  {:.3}",
        report.precision, report.recall, report.f1
    );
    let model = ctip_detect::Model::train(&examples, &params);
    let json = serde_json::to_string(&model)?;
    std::fs::write(&args.out, json)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "model: {} (use with `ctip scan --model`)",
        args.out.display()
    );
    Ok(if counts.malformed + unlabelled > 0 {
        ExitCode::SkippedRecords
    } else {
        ExitCode::Ok
    })
}
