//! Reading every input the user named, in batches, with bad records
//! reported by location and counted.

use anyhow::{Context, Result};
use ctip_input::{Format, InputFile, Record, RecordError, discover, read_records};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

/// How a run treats malformed records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Report, count and skip.
    Skip,
    /// Stop at the first one.
    Stop,
}

/// Counts of what was read.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadCounts {
    pub records: u64,
    pub malformed: u64,
}

/// The first malformed record under [`Strictness::Stop`].
#[derive(Debug, thiserror::Error)]
#[error("stopped at a malformed record (--strict): {0}")]
pub struct StrictStop(pub RecordError);

/// Streams every record of every input in batches of `batch_size`, calling
/// `on_batch` for each. Malformed records are printed to stderr with their
/// location (never their content) and skipped, or end the run under
/// [`Strictness::Stop`] after the records before them were handed over.
pub fn for_each_batch(
    paths: &[PathBuf],
    format: Option<Format>,
    batch_size: usize,
    strictness: Strictness,
    progress: &ProgressBar,
    mut on_batch: impl FnMut(Vec<Record>) -> Result<()>,
) -> Result<ReadCounts> {
    let files = discover(paths, format)?;
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| f.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    if files.iter().all(|f| f.path.is_some()) {
        progress.set_length(total_bytes);
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {wide_bar} {percent}% {msg} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    }
    let mut counts = ReadCounts::default();
    let mut batch = Vec::with_capacity(batch_size);
    for file in &files {
        let reader = open(file, progress)?;
        let format = file
            .format
            .or_else(|| file.path.as_deref().map(Format::from_path));
        let (reader, format) = match format {
            Some(f) => (reader, f),
            None => {
                let mut reader = reader;
                let head = reader
                    .fill_buf()
                    .with_context(|| format!("{}: cannot read", file.name()))?;
                let sniffed = Format::sniff(head);
                (reader, sniffed)
            }
        };
        let records = read_records(reader, format, &file.name())?;
        for record in records {
            match record {
                Ok(item) => {
                    counts.records += 1;
                    batch.push(item);
                    if batch.len() == batch_size {
                        on_batch(std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(batch_size),
                        ))?;
                    }
                }
                Err(error) => {
                    counts.malformed += 1;
                    if strictness == Strictness::Stop {
                        on_batch(std::mem::take(&mut batch))?;
                        return Err(StrictStop(error).into());
                    }
                    progress.suspend(|| eprintln!("skipped {error}"));
                }
            }
        }
    }
    if !batch.is_empty() {
        on_batch(batch)?;
    }
    Ok(counts)
}

fn open(file: &InputFile, progress: &ProgressBar) -> Result<Box<dyn BufRead>> {
    Ok(match &file.path {
        None => Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
        Some(path) => {
            let handle =
                File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
            let counted: Box<dyn Read> = Box::new(progress.wrap_read(handle));
            Box::new(BufReader::with_capacity(1 << 16, counted))
        }
    })
}

/// A progress bar on a terminal, nothing otherwise.
pub fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bytes} read {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}
