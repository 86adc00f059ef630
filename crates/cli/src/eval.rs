//! `ctip eval`: extraction quality against ground truth, synthetic or real.

use crate::ExitCode;
use crate::inputs::{Strictness, for_each_batch, progress_bar};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ctip_core::{Identifier, IdentifierKind};
use ctip_synth::eval::{ExtractionEval, KindScore};
use ctip_synth::truth::TruthRecord;
use ctip_text::{ExtractOptions, Normalised, extract, extract_in_region};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum EvalCommand {
    /// Score extraction on a corpus from `ctip synth` (ads.jsonl + truth.jsonl).
    Synth {
        /// The folder `ctip synth --out` wrote.
        dir: PathBuf,
        /// Also write the figures as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Score handles, prices and e-mails on the hand-labelled ETK ads
    /// (social_media.jl, groundtruth_price.jl, email.jl).
    Etk {
        /// The folder holding the .jl files.
        dir: PathBuf,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Train the ad-type classifier (massage, escort, job) on dig-ads'
    /// training.csv and score it on testing.csv.
    DigAds {
        /// The folder holding training.csv and testing.csv.
        dir: PathBuf,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Score template clusters and networks on a corpus from `ctip synth`
    /// (ARI, pairwise precision and recall), timed, and optionally another
    /// tool's template clusters on the same corpus.
    Networks {
        /// ads.jsonl from `ctip synth`.
        #[arg(long)]
        input: PathBuf,
        /// truth.jsonl from `ctip synth`.
        #[arg(long)]
        truth: PathBuf,
        /// Another tool's clusters: one `{"id", "template"}` JSON per line.
        #[arg(long)]
        predicted: Option<PathBuf>,
        #[command(flatten)]
        link: crate::networks::LinkArgs,
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write ctip's clusters here, one `{"id", "template", "network"}`
        /// JSON per line (the same form `--predicted` reads).
        #[arg(long)]
        labels: Option<PathBuf>,
    },
}

pub fn run(command: EvalCommand) -> Result<ExitCode> {
    match command {
        EvalCommand::Synth { dir, json } => synth(&dir, json.as_deref()),
        EvalCommand::Etk { dir, json } => etk(&dir, json.as_deref()),
        EvalCommand::DigAds { dir, json } => dig_ads(&dir, json.as_deref()),
        EvalCommand::Networks {
            input,
            truth,
            predicted,
            link,
            json,
            labels,
        } => crate::eval_networks::run(crate::eval_networks::NetworkEvalArgs {
            input,
            truth,
            predicted,
            json,
            labels,
            settings: link.settings(Vec::new()),
        }),
    }
}

#[derive(Serialize)]
struct Row {
    kind: String,
    true_pos: u64,
    false_pos: u64,
    false_neg: u64,
    precision: f64,
    recall: f64,
    f1: f64,
}

fn row(kind: &str, s: &KindScore) -> Row {
    Row {
        kind: kind.to_owned(),
        true_pos: s.true_pos,
        false_pos: s.false_pos,
        false_neg: s.false_neg,
        precision: s.precision(),
        recall: s.recall(),
        f1: s.f1(),
    }
}

fn print_rows(title: &str, rows: &[Row]) {
    println!("{title}");
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>9} {:>7} {:>6}",
        "kind", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    for r in rows {
        println!(
            "{:<22} {:>8} {:>8} {:>8} {:>9.4} {:>7.4} {:>6.4}",
            r.kind, r.true_pos, r.false_pos, r.false_neg, r.precision, r.recall, r.f1
        );
    }
}

fn write_json(path: Option<&Path>, rows: &[Row]) -> Result<()> {
    if let Some(path) = path {
        std::fs::write(path, serde_json::to_string_pretty(rows)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn synth(dir: &Path, json: Option<&Path>) -> Result<ExitCode> {
    let ads = dir.join("ads.jsonl");
    let truth_path = dir.join("truth.jsonl");
    let truth_file = std::fs::File::open(&truth_path)
        .with_context(|| format!("cannot open {}", truth_path.display()))?;
    let mut truth_lines = std::io::BufReader::new(truth_file).lines().enumerate();
    let mut eval = ExtractionEval::default();
    let options = ExtractOptions::default();
    let progress = progress_bar(false);
    let started = std::time::Instant::now();
    let mut ads_seen = 0u64;
    let counts = for_each_batch(&[ads], None, 4096, Strictness::Stop, &progress, |batch| {
        let extracted: Vec<Vec<Identifier>> = batch
            .par_iter()
            .map(|record| {
                let text = record.ad.text();
                extract(&record.ad, &Normalised::new(&text), &options)
            })
            .collect();
        for (record, identifiers) in batch.iter().zip(extracted) {
            let Some((index, line)) = truth_lines.next() else {
                bail!(
                    "{} ends before the ads do (at ad {})",
                    truth_path.display(),
                    record.ad.id
                );
            };
            let line = line
                .with_context(|| format!("{}:{}: cannot read", truth_path.display(), index + 1))?;
            let truth: TruthRecord = serde_json::from_str(&line).with_context(|| {
                format!("{}:{}: not a truth record", truth_path.display(), index + 1)
            })?;
            if truth.id != record.ad.id {
                bail!(
                    "{}:{}: truth for `{}` but the ad is `{}`",
                    truth_path.display(),
                    index + 1,
                    truth.id,
                    record.ad.id
                );
            }
            eval.add(&truth, &identifiers);
            ads_seen += 1;
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let mut rows: Vec<Row> = eval
        .per_kind
        .iter()
        .map(|(kind, score)| row(kind.as_str(), score))
        .collect();
    rows.push(row("phone (obfuscated ads)", &eval.obfuscated_phones));
    print_rows(
        &format!(
            "extraction on {} synthetic ads ({:.1} s)",
            counts.records, elapsed
        ),
        &rows,
    );
    write_json(json, &rows)?;
    Ok(ExitCode::Ok)
}

/// Multiset precision and recall of `got` against `want`.
fn score_multiset<T: Ord + Clone>(score: &mut KindScore, want: &[T], got: &[T]) {
    let mut remaining: BTreeMap<T, u64> = BTreeMap::new();
    for w in want {
        *remaining.entry(w.clone()).or_default() += 1;
    }
    for g in got {
        match remaining.get_mut(g) {
            Some(n) if *n > 0 => {
                *n -= 1;
                score.true_pos += 1;
            }
            _ => score.false_pos += 1,
        }
    }
    score.false_neg += remaining.values().sum::<u64>();
}

fn jl_lines(path: &Path) -> Result<Vec<(usize, serde_json::Value)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            Ok((
                i + 1,
                serde_json::from_str(l)
                    .with_context(|| format!("{}:{}: invalid JSON", path.display(), i + 1))?,
            ))
        })
        .collect()
}

fn text_of(path: &Path, line: usize, value: &serde_json::Value) -> Result<String> {
    value["text"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{}:{line}: no `text` field", path.display()))
}

fn found(text: &str, kind: IdentifierKind) -> Vec<Identifier> {
    extract_in_region(&Normalised::new(text), "US")
        .into_iter()
        .filter(|i| i.kind == kind)
        .collect()
}

const ETK_PLATFORMS: &[&str] = &["twitter", "snapchat", "wechat", "instagram"];

fn etk(dir: &Path, json: Option<&Path>) -> Result<ExitCode> {
    let mut rows = Vec::new();

    let social = dir.join("social_media.jl");
    let mut handles = KindScore::default();
    let mut handles_any_platform = KindScore::default();
    for (line, value) in jl_lines(&social)? {
        let text = text_of(&social, line, &value)?;
        let mut want: Vec<(String, String)> = Vec::new();
        if let Some(map) = value["correct"].as_object() {
            for (platform, list) in map {
                for h in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|h| h.as_str())
                {
                    want.push((platform.to_ascii_lowercase(), h.to_ascii_lowercase()));
                }
            }
        }
        want.sort();
        want.dedup();
        // ETK annotates these four platforms only; handles on others (Kik,
        // Telegram) are left out rather than counted as errors.
        let mut got: Vec<(String, String)> = found(&text, IdentifierKind::Handle)
            .into_iter()
            .map(|h| (h.qualifier.unwrap_or_default(), h.value))
            .filter(|(platform, _)| ETK_PLATFORMS.contains(&platform.as_str()))
            .collect();
        got.sort();
        got.dedup();
        score_multiset(&mut handles, &want, &got);
        let mut want_names: Vec<String> = want.into_iter().map(|(_, h)| h).collect();
        let mut got_names: Vec<String> = got.into_iter().map(|(_, h)| h).collect();
        want_names.dedup();
        got_names.sort();
        got_names.dedup();
        score_multiset(&mut handles_any_platform, &want_names, &got_names);
    }
    rows.push(row("handle (with platform)", &handles));
    rows.push(row("handle (name only)", &handles_any_platform));

    let prices_path = dir.join("groundtruth_price.jl");
    let mut amounts = KindScore::default();
    let mut with_duration = KindScore::default();
    for (line, value) in jl_lines(&prices_path)? {
        let text = text_of(&prices_path, line, &value)?;
        let mut want_amount = Vec::new();
        let mut want_timed = Vec::new();
        for p in value["annotated_price"].as_array().into_iter().flatten() {
            let amount = p["value"].as_f64().unwrap_or(f64::NAN);
            let minutes: Option<u32> = p["metadata"]["time_unit"]
                .as_str()
                .and_then(|m| m.parse().ok());
            want_amount.push(amount as i64);
            want_timed.push((amount as i64, minutes));
        }
        let got: Vec<_> = found(&text, IdentifierKind::Price)
            .into_iter()
            .filter_map(|p| p.price)
            .collect();
        let got_amount: Vec<i64> = got.iter().map(|p| p.amount as i64).collect();
        let got_timed: Vec<(i64, Option<u32>)> =
            got.iter().map(|p| (p.amount as i64, p.minutes)).collect();
        score_multiset(&mut amounts, &want_amount, &got_amount);
        score_multiset(&mut with_duration, &want_timed, &got_timed);
    }
    rows.push(row("price (amount)", &amounts));
    rows.push(row("price (amount+minutes)", &with_duration));

    let emails_path = dir.join("email.jl");
    if emails_path.exists() {
        let mut emails = KindScore::default();
        for (line, value) in jl_lines(&emails_path)? {
            let text = text_of(&emails_path, line, &value)?;
            let want: Vec<String> = value["correct"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str())
                .map(str::to_ascii_lowercase)
                .collect();
            let got: Vec<String> = found(&text, IdentifierKind::Email)
                .into_iter()
                .map(|e| e.value)
                .collect();
            score_multiset(&mut emails, &want, &got);
        }
        rows.push(row("email", &emails));
    }
    print_rows(
        &format!(
            "extraction on the ETK hand-labelled ads in {}",
            dir.display()
        ),
        &rows,
    );
    write_json(json, &rows)?;
    Ok(ExitCode::Ok)
}

/// dig-ads labels: 2 massage parlour, 3 escort, 4 job ad.
const AD_TYPES: [(&str, &str); 3] = [("2", "massage"), ("3", "escort"), ("4", "job")];

/// Reads a labelled CSV into (features, class index); rows whose label is
/// not an ad type, or that are malformed, are counted and skipped.
fn labelled_ad_types(path: &Path) -> Result<(Vec<(ctip_detect::Features, usize)>, u64)> {
    let detector = ctip_detect::Detector::default();
    let options = ExtractOptions::default();
    let mut examples = Vec::new();
    let mut skipped = 0;
    let progress = progress_bar(true);
    let counts = for_each_batch(
        &[path.to_path_buf()],
        None,
        4096,
        Strictness::Skip,
        &progress,
        |batch| {
            for record in batch {
                match record
                    .label
                    .as_deref()
                    .and_then(|l| AD_TYPES.iter().position(|(code, _)| *code == l.trim()))
                {
                    Some(class) => examples.push((
                        ctip_detect::featurise(&record.ad, &detector, &options),
                        class,
                    )),
                    None => skipped += 1,
                }
            }
            Ok(())
        },
    )?;
    Ok((examples, skipped + counts.malformed))
}

fn dig_ads(dir: &Path, json: Option<&Path>) -> Result<ExitCode> {
    let (train, train_skipped) = labelled_ad_types(&dir.join("training.csv"))?;
    let (test, test_skipped) = labelled_ad_types(&dir.join("testing.csv"))?;
    let params = ctip_detect::TrainParams::default();
    // One model per type against the rest; the most probable type wins.
    let models: Vec<ctip_detect::Model> = (0..AD_TYPES.len())
        .map(|class| {
            let examples: Vec<(ctip_detect::Features, bool)> = train
                .iter()
                .map(|(f, c)| (f.clone(), *c == class))
                .collect();
            ctip_detect::Model::train(&examples, &params)
        })
        .collect();
    let mut scores = [KindScore::default(); 3];
    let mut correct = 0u64;
    for (features, truth) in &test {
        let predicted = models
            .iter()
            .map(|m| m.predict(features))
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(class, _)| class);
        if predicted == *truth {
            correct += 1;
            scores[*truth].true_pos += 1;
        } else {
            scores[predicted].false_pos += 1;
            scores[*truth].false_neg += 1;
        }
    }
    let rows: Vec<Row> = AD_TYPES
        .iter()
        .zip(&scores)
        .map(|((_, name), s)| row(name, s))
        .collect();
    print_rows(
        &format!(
            "ad type on dig-ads: trained on {} ads ({train_skipped} skipped), tested on {} ({test_skipped} skipped); accuracy {:.4}",
            train.len(),
            test.len(),
            correct as f64 / test.len().max(1) as f64
        ),
        &rows,
    );
    write_json(json, &rows)?;
    Ok(ExitCode::Ok)
}
