//! `ctip scan`: read ads, analyse them in parallel, keep their order, write
//! JSONL, the store and the HTML report.
//!
//! The main thread reads a batch, rayon analyses it on every core, then the
//! main thread folds the batch into the summary and the price book (in input
//! order, so results never depend on thread timing) and hands it to a writer
//! thread that owns the store. Channels are bounded, so memory stays flat
//! whatever the input size.

use crate::inputs::{ReadCounts, Strictness, for_each_batch};
use anyhow::{Context, Result, anyhow};
use ctip_core::{Ad, AdResult, IdentifierKind};
use ctip_detect::{Analysed, analyse};
use ctip_detect::{Detector, PriceBook};
use ctip_input::Format;
use ctip_store::{PreparedAd, ScanCounts, Store};
use ctip_text::ExtractOptions;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

/// Ads analysed together; big enough to keep both cores busy, small enough
/// that a crash loses little.
pub const BATCH_SIZE: usize = 2048;
/// Ads kept for the report's ranked list.
const TOP_ADS: usize = 50;
const PRICE_BOOK_KEY: &str = "price_book";

pub struct ScanOptions {
    pub inputs: Vec<PathBuf>,
    pub format: Option<Format>,
    pub db: PathBuf,
    pub out_dir: PathBuf,
    pub strictness: Strictness,
    pub extract: ExtractOptions,
    pub detector: Detector,
    pub quiet: bool,
    /// Build template clusters and networks after the scan (incrementally)
    /// and put the riskiest in the report.
    pub networks: Option<crate::networks::LinkArgs>,
}

/// What a scan found, as written to `summary.json`.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub ads_read: u64,
    pub ads_scanned: u64,
    pub malformed_skipped: u64,
    pub elapsed_secs: f64,
    pub ads_per_sec: f64,
    pub identifiers: BTreeMap<IdentifierKind, u64>,
    pub obfuscated_identifiers: BTreeMap<IdentifierKind, u64>,
    pub indicators: BTreeMap<String, u64>,
    pub score_histogram: [u64; 10],
    pub ads_scoring_at_least_half: u64,
    pub lexicon_version: String,
    pub scored_by: String,
    pub store: String,
    pub results: String,
    pub report: String,
    /// What `--networks` built, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networks: Option<String>,
}

/// A candidate for the report's ranked list; the heap keeps the lowest on top.
struct Ranked {
    score: f32,
    order: u64,
    ad: Ad,
    result: AdResult,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: a min-heap on score, earlier ads winning ties.
        other
            .score
            .total_cmp(&self.score)
            .then(self.order.cmp(&other.order))
    }
}

/// One ad after the parallel stage.
struct Scanned {
    prepared: PreparedAd,
    result: AdResult,
    line: Vec<u8>,
    price_key: Option<(String, String, f64)>,
}

enum ToWriter {
    Batch(Vec<PreparedAd>),
    /// The scan's counts and the price book to save, as JSON.
    Finish(ScanCounts, String),
}

/// Runs a scan. Returns the summary and the read counts (the caller turns
/// malformed records into the exit code).
pub fn run(options: ScanOptions) -> Result<(Summary, ReadCounts)> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out_dir).with_context(|| {
        format!(
            "cannot create the output folder {}",
            options.out_dir.display()
        )
    })?;
    let results_path = options.out_dir.join("results.jsonl");
    let report_path = options.out_dir.join("report.html");
    let summary_path = options.out_dir.join("summary.json");
    let mut results_out = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&results_path)
            .with_context(|| format!("cannot create {}", results_path.display()))?,
    );

    let lexicon_version = options.detector.lexicon().version().to_owned();
    let (writer, mut prices) = Writer::start(&options.db, &lexicon_version)?;

    let progress = crate::inputs::progress_bar(options.quiet);
    let mut summary = Summary {
        lexicon_version: lexicon_version.clone(),
        scored_by: if options.detector.model().is_some() {
            "trained model".into()
        } else {
            "lexicon default weights".into()
        },
        store: options.db.display().to_string(),
        results: results_path.display().to_string(),
        report: report_path.display().to_string(),
        ..Summary::default()
    };
    let mut top: BinaryHeap<Ranked> = BinaryHeap::with_capacity(TOP_ADS + 1);
    let mut order = 0u64;

    let read = for_each_batch(
        &options.inputs,
        options.format,
        BATCH_SIZE,
        options.strictness,
        &progress,
        |batch| {
            // Everything per ad that needs no shared state runs in parallel:
            // analysis, the JSONL line, and the stored form.
            let analysed: Vec<Scanned> = batch
                .into_par_iter()
                .map(|record| {
                    let Analysed { result, price_key } =
                        analyse(&record.ad, &options.detector, &options.extract, &prices);
                    let mut line = serde_json::to_vec(&result)?;
                    line.push(b'\n');
                    let prepared = PreparedAd::new(record.ad, &result);
                    Ok(Scanned {
                        prepared,
                        result,
                        line,
                        price_key,
                    })
                })
                .collect::<Result<_>>()?;
            let mut to_store = Vec::with_capacity(analysed.len());
            for Scanned {
                prepared,
                result,
                line,
                price_key,
            } in analysed
            {
                if let Some((city, currency, hourly)) = price_key {
                    prices.observe(&city, &currency, hourly);
                }
                tally(&mut summary, &result);
                results_out
                    .write_all(&line)
                    .context("cannot write results")?;
                order += 1;
                if top.len() < TOP_ADS || top.peek().is_some_and(|low| result.score > low.score) {
                    top.push(Ranked {
                        score: result.score,
                        order,
                        ad: prepared.ad().clone(),
                        result,
                    });
                    if top.len() > TOP_ADS {
                        top.pop();
                    }
                }
                to_store.push(prepared);
            }
            progress.set_message(format!("{} ads", summary.ads_scanned));
            writer.send(ToWriter::Batch(to_store))
        },
    );
    progress.finish_and_clear();
    // Whatever the reading ended with, store what was accepted.
    results_out.flush().context("cannot write results")?;
    let counts = match &read {
        Ok(c) => *c,
        Err(_) => ReadCounts {
            records: summary.ads_scanned,
            malformed: 1,
        },
    };
    summary.ads_read = counts.records + counts.malformed;
    summary.malformed_skipped = counts.malformed;
    writer.finish(
        ScanCounts {
            ads_read: summary.ads_read,
            ads_scanned: summary.ads_scanned,
            malformed: counts.malformed,
        },
        &prices,
    )?;
    let counts = read?;

    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.ads_per_sec = summary.ads_scanned as f64 / summary.elapsed_secs.max(1e-9);

    let networks = match &options.networks {
        Some(link) => {
            let (report, views) =
                crate::networks::build_for_report(&options.db, link, options.quiet)?;
            summary.networks = Some(report.headline());
            views
        }
        None => Vec::new(),
    };
    let mut ranked: Vec<Ranked> = top.into_vec();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.order.cmp(&b.order)));
    let html = render_report(&summary, &ranked, &options.detector, networks);
    std::fs::write(&report_path, html)
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    let json = serde_json::to_string_pretty(&summary)?;
    std::fs::write(&summary_path, json + "\n")
        .with_context(|| format!("cannot write {}", summary_path.display()))?;
    Ok((summary, counts))
}

fn tally(summary: &mut Summary, result: &AdResult) {
    summary.ads_scanned += 1;
    for id in &result.identifiers {
        *summary.identifiers.entry(id.kind).or_default() += 1;
        if id.obfuscated {
            *summary.obfuscated_identifiers.entry(id.kind).or_default() += 1;
        }
    }
    for indicator in &result.indicators {
        if let Some(count) = summary.indicators.get_mut(indicator) {
            *count += 1;
        } else {
            summary.indicators.insert(indicator.clone(), 1);
        }
    }
    let decile = ((result.score * 10.0) as usize).min(9);
    summary.score_histogram[decile] += 1;
    if result.score >= 0.5 {
        summary.ads_scoring_at_least_half += 1;
    }
}

fn render_report(
    summary: &Summary,
    ranked: &[Ranked],
    detector: &Detector,
    networks: Vec<ctip_report::NetworkView>,
) -> String {
    let lexicon = detector.lexicon();
    let describe = |id: &str| -> (String, String) {
        lexicon
            .indicators()
            .iter()
            .find(|i| i.id == id)
            .map(|i| {
                (
                    i.description.clone(),
                    format!("{:?}", i.exploitation).to_lowercase(),
                )
            })
            .or_else(|| {
                lexicon
                    .signals()
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| (s.description.clone(), "structural".to_owned()))
            })
            .unwrap_or_else(|| (String::new(), String::new()))
    };
    let mut indicator_counts: Vec<ctip_report::IndicatorCount> = summary
        .indicators
        .iter()
        .map(|(id, &count)| {
            let (description, exploitation) = describe(id);
            ctip_report::IndicatorCount {
                id: id.clone(),
                description,
                exploitation,
                count,
            }
        })
        .collect();
    indicator_counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    let generated_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let input = ctip_report::ReportInput {
        title: "ctip scan report",
        generated_at: &generated_at,
        ctip_version: env!("CARGO_PKG_VERSION"),
        lexicon_version: &summary.lexicon_version,
        totals: ctip_report::Totals {
            ads_read: summary.ads_read,
            ads_scanned: summary.ads_scanned,
            malformed_skipped: summary.malformed_skipped,
            identifiers_found: summary.identifiers.values().sum(),
            elapsed_secs: summary.elapsed_secs,
            ads_per_sec: summary.ads_per_sec,
        },
        identifier_counts: summary.identifiers.iter().map(|(k, v)| (*k, *v)).collect(),
        obfuscated_counts: summary
            .obfuscated_identifiers
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect(),
        indicator_counts,
        score_histogram: summary.score_histogram,
        top_ads: ranked
            .iter()
            .map(|r| ctip_report::RankedAd {
                ad: &r.ad,
                result: &r.result,
            })
            .collect(),
        notes: vec![format!("Scored by {}.", summary.scored_by)],
        networks,
    };
    ctip_report::render(&input)
}

/// The store-writer thread and its channel.
struct Writer {
    sender: mpsc::SyncSender<ToWriter>,
    handle: std::thread::JoinHandle<Result<()>>,
}

impl Writer {
    /// Opens the store on its own thread and returns the saved price book.
    fn start(db: &Path, lexicon_version: &str) -> Result<(Writer, PriceBook)> {
        if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let (sender, receiver) = mpsc::sync_channel::<ToWriter>(4);
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<PriceBook>>(1);
        let db = db.to_path_buf();
        let lexicon_version = lexicon_version.to_owned();
        let handle = std::thread::Builder::new()
            .name("ctip-store-writer".into())
            .spawn(move || -> Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let opened = async {
                        let store = Store::open_sqlite(&db)
                            .await
                            .with_context(|| format!("cannot open the store {}", db.display()))?;
                        let book = match store.meta(PRICE_BOOK_KEY).await? {
                            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
                            None => PriceBook::default(),
                        };
                        let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                            .to_string();
                        let scan = store.begin_scan(&now, &lexicon_version).await?;
                        // Batches go through the store's synchronous writer:
                        // this thread does nothing else while one is written.
                        let bulk = store
                            .bulk_writer(scan)
                            .with_context(|| format!("cannot open the store {}", db.display()))?;
                        anyhow::Ok((store, book, bulk))
                    }
                    .await;
                    let (store, mut bulk) = match opened {
                        Ok((store, book, bulk)) => {
                            let _ = ready_tx.send(Ok(book));
                            (store, bulk)
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(anyhow!("{e:#}")));
                            return Err(e);
                        }
                    };
                    let scan = bulk.scan_id();
                    let mut busy = std::time::Duration::ZERO;
                    let mut finish = None;
                    while let Ok(message) = receiver.recv() {
                        match message {
                            ToWriter::Batch(batch) => {
                                let started = std::time::Instant::now();
                                bulk.write_batch(&batch)
                                    .context("cannot write to the store")?;
                                busy += started.elapsed();
                            }
                            ToWriter::Finish(counts, price_book) => {
                                finish = Some((counts, price_book));
                                break;
                            }
                        }
                    }
                    let profile = std::env::var_os("CTIP_PROFILE").is_some();
                    if profile {
                        eprintln!("store writer busy for {:.1} s", busy.as_secs_f64());
                    }
                    if let Some((counts, price_book)) = finish {
                        let started = std::time::Instant::now();
                        bulk.finish().context("cannot write to the store")?;
                        if profile {
                            eprintln!(
                                "identifiers merged in {:.1} s",
                                started.elapsed().as_secs_f64()
                            );
                        }
                        let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
                            .to_string();
                        store.set_meta(PRICE_BOOK_KEY, &price_book).await?;
                        store.finish_scan(scan, &now, counts).await?;
                    } else {
                        // The scan failed before finishing: what was written
                        // stays, its identifiers merged when the store next opens.
                        drop(bulk);
                    }
                    store.close().await;
                    Ok(())
                })
            })?;
        let book = ready_rx
            .recv()
            .map_err(|_| anyhow!("the store writer stopped before opening the store"))??;
        Ok((Writer { sender, handle }, book))
    }

    fn send(&self, message: ToWriter) -> Result<()> {
        self.sender
            .send(message)
            .map_err(|_| anyhow!("the store writer stopped; see the error below"))
    }

    /// Saves the price book, records the scan's counts, waits for every
    /// batch to be committed, and surfaces any store error.
    fn finish(self, counts: ScanCounts, prices: &PriceBook) -> Result<()> {
        let book = serde_json::to_string(prices)?;
        let sent = self.send(ToWriter::Finish(counts, book));
        drop(self.sender);
        let written = self
            .handle
            .join()
            .map_err(|_| anyhow!("the store writer panicked"))?;
        written?;
        sent
    }
}
