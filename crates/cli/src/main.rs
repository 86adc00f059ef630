//! `ctip`: the Counter-Trafficking Intelligence Platform on the command line.
//!
//! A thin shell: it parses arguments, calls the engine crates, and turns
//! outcomes into files, messages and exit codes (see [`ExitCode`]).

mod bench;
mod cases;
mod eval;
mod eval_networks;
mod exchange;
mod inputs;
mod ledger;
mod linking;
mod networks;
mod psi;
mod scan;
mod serve;
mod stats;
mod train;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use ctip_detect::{Detector, Model};
use ctip_input::Format;
use ctip_text::ExtractOptions;
use inputs::{StrictStop, Strictness};
use std::path::{Path, PathBuf};

/// glibc's allocator spent about a third of a scan's instructions on
/// malloc and free across threads (callgrind); mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Everything read was processed.
    Ok = 0,
    /// A fatal error: unreadable input, unusable store, bad model file.
    Error = 1,
    /// Bad command-line usage (clap's own code).
    Usage = 2,
    /// Finished, but some records were malformed and skipped.
    SkippedRecords = 3,
    /// `--strict`: stopped at the first malformed record.
    StrictStop = 4,
}

#[derive(Parser)]
#[command(name = "ctip", version, about = "Counter-Trafficking Intelligence Platform", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan ads: extract identifiers, score indicators, store, report.
    Scan(ScanArgs),
    /// Print the identifiers of each record as one JSON line.
    Extract(ExtractArgs),
    /// Write a synthetic corpus with ground truth (no real person's data).
    Synth(SynthArgs),
    /// Generate a demo corpus, scan it into the store and write the report.
    Demo(DemoArgs),
    /// Run the anonymous tip line and staff pages (and set them up).
    Serve(serve::ServeArgs),
    /// Verify the tamper-evident audit ledger.
    Ledger(ledger::LedgerArgs),
    /// Print a published JSON Schema (`htcds`: the HTCDS 2.0 case document).
    Schema {
        #[arg(value_parser = ["htcds"])]
        name: String,
    },
    /// Fit the scoring model on labelled ads and print cross-validated quality.
    Train(train::TrainArgs),
    /// Template clusters and networks of the stored ads: build, list, show,
    /// search, explain, export.
    Networks(NetworksArgs),
    /// Measure extraction quality against ground truth.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Measure throughput.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Release case counts from HTCDS case files with differential privacy
    /// or a k-threshold, under a privacy-budget ledger.
    Stats(stats::StatsArgs),
}

#[derive(Args, Clone)]
pub struct InputArgs {
    /// Files or folders to read; `-` reads standard input. Folders are read
    /// recursively.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Record format, when the file extension does not say (.jsonl, .csv,
    /// .txt) or for standard input.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Stop at the first malformed record instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Region for ads that state no country, city or country domain
    /// (ISO 3166-1 alpha-2).
    #[arg(long, default_value = "US", value_parser = parse_region)]
    pub region: String,
}

impl InputArgs {
    fn strictness(&self) -> Strictness {
        if self.strict {
            Strictness::Stop
        } else {
            Strictness::Skip
        }
    }

    fn extract_options(&self) -> ExtractOptions {
        ExtractOptions {
            default_region: self.region.clone(),
        }
    }
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The SQLite store. Created if missing.
    #[arg(long, env = "CTIP_DB", default_value = "ctip-data/ctip.sqlite")]
    db: PathBuf,
    /// Folder for results.jsonl, summary.json and report.html.
    #[arg(long, default_value = "ctip-out")]
    out: PathBuf,
    /// A model from `ctip train`; without it the lexicon's default weights score.
    #[arg(long)]
    model: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Also build template clusters and networks (incrementally) and show
    /// the riskiest networks in the report.
    #[arg(long)]
    networks: bool,
    #[command(flatten)]
    link: networks::LinkArgs,
}

#[derive(Args)]
struct NetworksArgs {
    /// The SQLite store written by `ctip scan`.
    #[arg(
        long,
        env = "CTIP_DB",
        default_value = "ctip-data/ctip.sqlite",
        global = true
    )]
    db: PathBuf,
    #[command(subcommand)]
    command: networks::NetworksCommand,
}

#[derive(Args)]
struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args)]
struct SynthArgs {
    /// Number of ads.
    #[arg(long, default_value_t = 10_000)]
    ads: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for ads.jsonl and truth.jsonl.
    #[arg(long, default_value = "ctip-synth")]
    out: PathBuf,
}

#[derive(Args)]
struct DemoArgs {
    /// Number of synthetic ads.
    #[arg(long, default_value_t = 20_000)]
    ads: usize,
    /// Folder for the corpus, the store and the report.
    #[arg(long, default_value = "ctip-demo")]
    dir: PathBuf,
    #[arg(long, short)]
    quiet: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_region(s: &str) -> Result<String, String> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!(
            "`{s}` is not a two-letter region code such as US, GB or MX"
        ))
    }
}

fn main() -> std::process::ExitCode {
    // Output piped into `head` and closed early should end ctip quietly, as
    // it does other command-line tools, not make `println!` panic.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal before any thread
    // starts has no memory-safety conditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Scan(args) => scan_command(args),
        Command::Extract(args) => extract_command(args),
        Command::Synth(args) => synth_command(&args).map(|()| ExitCode::Ok),
        Command::Demo(args) => demo_command(args),
        Command::Serve(args) => serve::run(args),
        Command::Ledger(args) => ledger::run(args),
        Command::Schema { .. } => schema_command(),
        Command::Train(args) => train::run(args),
        Command::Networks(args) => networks::run(&args.db, args.command),
        Command::Eval(command) => eval::run(command),
        Command::Bench(command) => bench::run(command),
        Command::Stats(args) => stats::run(args),
    };
    let code = match outcome {
        Ok(code) => code,
        Err(error) if error.is::<StrictStop>() => {
            eprintln!("error: {error:#}");
            ExitCode::StrictStop
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::Error
        }
    };
    std::process::ExitCode::from(code as u8)
}

fn load_detector(model: Option<&Path>) -> Result<Detector> {
    Ok(match model {
        None => Detector::default(),
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the model {}", path.display()))?;
            let model: Model = serde_json::from_str(&json)
                .with_context(|| format!("{}: not a ctip model", path.display()))?;
            Detector::with_model(model)
        }
    })
}

fn scan_command(args: ScanArgs) -> Result<ExitCode> {
    let detector = load_detector(args.model.as_deref())?;
    let (summary, counts) = scan::run(scan::ScanOptions {
        inputs: args.input.inputs.clone(),
        format: args.input.format,
        db: args.db,
        out_dir: args.out,
        strictness: args.input.strictness(),
        extract: args.input.extract_options(),
        detector,
        quiet: args.quiet,
        networks: args.networks.then(|| args.link.clone()),
    })?;
    print_summary(&summary);
    Ok(if counts.malformed > 0 {
        ExitCode::SkippedRecords
    } else {
        ExitCode::Ok
    })
}

fn print_summary(summary: &scan::Summary) {
    let identifiers: u64 = summary.identifiers.values().sum();
    eprintln!(
        "scanned {} ads ({} malformed skipped) in {:.1} s, {:.0} ads/s",
        summary.ads_scanned, summary.malformed_skipped, summary.elapsed_secs, summary.ads_per_sec
    );
    eprintln!(
        "found {identifiers} identifiers; {} ads score 0.5 or more",
        summary.ads_scoring_at_least_half
    );
    if let Some(networks) = &summary.networks {
        eprintln!("{networks}");
    }
    eprintln!(
        "results: {}\nreport:  {}\nstore:   {}",
        summary.results, summary.report, summary.store
    );
}

fn extract_command(args: ExtractArgs) -> Result<ExitCode> {
    use std::io::Write;
    #[derive(serde::Serialize)]
    struct Line<'a> {
        id: &'a str,
        identifiers: &'a [ctip_core::Identifier],
    }
    let options = args.input.extract_options();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let progress = inputs::progress_bar(true);
    let counts = inputs::for_each_batch(
        &args.input.inputs,
        args.input.format,
        scan::BATCH_SIZE,
        args.input.strictness(),
        &progress,
        |batch| {
            use rayon::prelude::*;
            let lines: Vec<Vec<u8>> = batch
                .par_iter()
                .map(|record| {
                    let ad = &record.ad;
                    let text = ad.text();
                    let folded = ctip_text::Normalised::new(&text);
                    let identifiers = ctip_text::extract(ad, &folded, &options);
                    let mut line = serde_json::to_vec(&Line {
                        id: &ad.id,
                        identifiers: &identifiers,
                    })?;
                    line.push(b'\n');
                    Ok(line)
                })
                .collect::<Result<_>>()?;
            for line in lines {
                out.write_all(&line)?;
            }
            Ok(())
        },
    );
    out.flush()?;
    let counts = counts?;
    Ok(if counts.malformed > 0 {
        ExitCode::SkippedRecords
    } else {
        ExitCode::Ok
    })
}

fn synth_command(args: &SynthArgs) -> Result<()> {
    let (ads, truth) = write_synth(&args.out, args.ads, args.seed)?;
    eprintln!("wrote {} and {}", ads.display(), truth.display());
    Ok(())
}

/// Writes `ads.jsonl` and `truth.jsonl` into `dir`.
pub fn write_synth(dir: &Path, ads: usize, seed: u64) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ads_path = dir.join("ads.jsonl");
    let truth_path = dir.join("truth.jsonl");
    let create = |p: &Path| -> Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ))
    };
    let mut ads_out = create(&ads_path)?;
    let mut truth_out = create(&truth_path)?;
    let config = ctip_synth::SynthConfig {
        ads,
        seed,
        ..ctip_synth::SynthConfig::default()
    };
    let stats = ctip_synth::generate(&config, &mut ads_out, &mut truth_out)
        .context("cannot write the synthetic corpus")?;
    use std::io::Write;
    ads_out.flush()?;
    truth_out.flush()?;
    eprintln!(
        "{} ads: {} in {} networks from {} templates, {} benign",
        stats.ads, stats.network_ads, stats.networks, stats.templates, stats.benign_ads
    );
    write_labelled(&ads_path, &truth_path, &dir.join("labelled.jsonl"))?;
    Ok((ads_path, truth_path))
}

/// Joins ads and truth into training data for `ctip train`: each ad with a
/// `label` field saying whether it belongs to a trafficking network.
fn write_labelled(ads: &Path, truth: &Path, out: &Path) -> Result<()> {
    use std::io::{BufRead, Write};
    let open = |p: &Path| -> Result<std::io::BufReader<std::fs::File>> {
        Ok(std::io::BufReader::new(
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        ))
    };
    let mut writer = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    for (ad, truth) in open(ads)?.lines().zip(open(truth)?.lines()) {
        let mut ad: serde_json::Value = serde_json::from_str(&ad?)?;
        let truth: serde_json::Value = serde_json::from_str(&truth?)?;
        ad["label"] = truth["trafficking"].clone();
        serde_json::to_writer(&mut writer, &ad)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    Ok(())
}

fn demo_command(args: DemoArgs) -> Result<ExitCode> {
    let (ads, _) = write_synth(&args.dir, args.ads, 2026)?;
    let db = args.dir.join("ctip.sqlite");
    let (summary, counts) = scan::run(scan::ScanOptions {
        inputs: vec![ads],
        format: None,
        db,
        out_dir: args.dir.clone(),
        strictness: Strictness::Skip,
        extract: ExtractOptions::default(),
        detector: Detector::default(),
        quiet: args.quiet,
        networks: Some(networks::LinkArgs::default()),
    })?;
    print_summary(&summary);
    eprintln!(
        "open {} in a browser to read the report",
        args.dir.join("report.html").display()
    );
    Ok(if counts.malformed > 0 {
        ExitCode::SkippedRecords
    } else {
        ExitCode::Ok
    })
}

fn schema_command() -> Result<ExitCode> {
    println!(
        "{}",
        serde_json::to_string_pretty(&ctip_cases::htcds_json_schema())?
    );
    Ok(ExitCode::Ok)
}
