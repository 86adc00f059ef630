//! `ctip bench`: throughput of the hot paths on synthetic ads, printed.

use crate::ExitCode;
use crate::inputs::Strictness;
use crate::scan;
use anyhow::{Context, Result};
use clap::Subcommand;
use ctip_core::Ad;
use ctip_detect::{Detector, PriceBook};
use ctip_text::{ExtractOptions, Normalised, extract};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Normalisation and extraction alone, on ads held in memory.
    Extract {
        #[arg(long, default_value_t = 200_000)]
        ads: usize,
    },
    /// Extraction plus scoring, on ads held in memory.
    Analyse {
        #[arg(long, default_value_t = 200_000)]
        ads: usize,
    },
    /// The whole `ctip scan`, store writes included, on a synthetic file.
    Scan {
        #[arg(long, default_value_t = 1_000_000)]
        ads: usize,
        /// Where to put the corpus and the store (a temporary folder if absent).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn corpus(n: usize) -> Result<Vec<Ad>> {
    let mut ads = Vec::new();
    let mut truth = std::io::sink();
    ctip_synth::generate(
        &ctip_synth::SynthConfig {
            ads: n,
            seed: 7,
            ..Default::default()
        },
        &mut ads,
        &mut truth,
    )?;
    ads.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).context("synthetic ad"))
        .collect()
}

/// Peak resident memory of this process, from /proc (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn report(what: &str, ads: usize, bytes: usize, seconds: f64, threads: usize) {
    println!(
        "{what}: {ads} ads, {:.1} MB in {seconds:.2} s on {threads} thread(s): {:.0} ads/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        ads as f64 / seconds,
        bytes as f64 / 1e6 / seconds
    );
}

fn time_over_pools(what: &str, ads: &[Ad], work: impl Fn(&Ad) -> usize + Sync) -> Result<()> {
    let bytes: usize = ads
        .iter()
        .map(|a| a.body.len() + a.title.as_ref().map_or(0, String::len))
        .sum();
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let started = Instant::now();
        let found: usize = pool.install(|| ads.par_iter().map(&work).sum());
        let seconds = started.elapsed().as_secs_f64();
        report(what, ads.len(), bytes, seconds, threads);
        // Keep the work observable so it cannot be optimised away.
        println!("  ({found} identifiers or reasons)");
        if all == 1 {
            break;
        }
    }
    Ok(())
}

pub fn run(command: BenchCommand) -> Result<ExitCode> {
    match command {
        BenchCommand::Extract { ads } => {
            let ads = corpus(ads)?;
            let options = ExtractOptions::default();
            time_over_pools("extract", &ads, |ad| {
                let text = ad.text();
                extract(ad, &Normalised::new(&text), &options).len()
            })?;
        }
        BenchCommand::Analyse { ads } => {
            let ads = corpus(ads)?;
            let options = ExtractOptions::default();
            let detector = Detector::default();
            let prices = PriceBook::default();
            time_over_pools("extract+score", &ads, |ad| {
                let analysed = ctip_detect::analyse(ad, &detector, &options, &prices);
                analysed.result.identifiers.len() + analysed.result.reasons.len()
            })?;
        }
        BenchCommand::Scan { ads, dir } => {
            let temp;
            let dir = match dir {
                Some(d) => d,
                None => {
                    temp = tempfile_dir()?;
                    temp.clone()
                }
            };
            let (corpus_path, _) = crate::write_synth(&dir.join("corpus"), ads, 7)?;
            let db = dir.join("bench.sqlite");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            let started = Instant::now();
            let (summary, _) = scan::run(scan::ScanOptions {
                inputs: vec![corpus_path.clone()],
                format: None,
                db: db.clone(),
                out_dir: dir.join("out"),
                strictness: Strictness::Skip,
                extract: ExtractOptions::default(),
                detector: Detector::default(),
                quiet: true,
                networks: None,
            })?;
            let seconds = started.elapsed().as_secs_f64();
            let bytes = std::fs::metadata(&corpus_path)
                .map(|m| m.len())
                .unwrap_or(0) as usize;
            report(
                "scan (read + extract + score + JSONL + SQLite + report)",
                summary.ads_scanned as usize,
                bytes,
                seconds,
                rayon::current_num_threads(),
            );
            if let Some(mb) = peak_rss_mb() {
                println!("  peak resident memory: {mb:.0} MB");
            }
            let db_size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
            println!("  store: {} ({:.0} MB)", db.display(), db_size as f64 / 1e6);
        }
    }
    Ok(ExitCode::Ok)
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("ctip-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
