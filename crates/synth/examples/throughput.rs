//! How fast the corpus is made: generates to a byte-counting sink and prints
//! ads per second and peak memory.
//!
//! `cargo run --release -p ctip-synth --example throughput -- 1000000 [seed]`

use std::io::{self, Write};
use std::time::Instant;

/// Counts bytes and drops them, so the figure is generation, not disk.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Peak resident memory of this process in MB, from /proc (Linux only).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let ads: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2026);
    let (mut ads_out, mut truth_out) = (Counter::default(), Counter::default());
    let started = Instant::now();
    let stats = ctip_synth::generate(
        &ctip_synth::SynthConfig::new(ads, seed),
        &mut ads_out,
        &mut truth_out,
    )?;
    let seconds = started.elapsed().as_secs_f64();
    println!("{stats:?}");
    println!(
        "{ads} ads in {seconds:.2} s: {:.0} ads/s; ads {:.1} MB, truth {:.1} MB; peak RSS {}",
        ads as f64 / seconds,
        ads_out.0 as f64 / 1e6,
        truth_out.0 as f64 / 1e6,
        peak_rss_mb().map_or("unknown".to_owned(), |mb| format!("{mb:.1} MB")),
    );
    Ok(())
}
