//! A synthetic corpus of classified ads with ground truth, for tests,
//! benchmarks and demos.
//!
//! [`generate`] writes one [`ctip_core::Ad`] per line to one writer and the
//! matching [`truth::TruthRecord`] per line to another, in the same order. The
//! truth says which ads belong to which organised network (the positives) and
//! lists every identifier planted in each ad with the exact text it was
//! written as, so extraction can be scored with [`eval`].
//!
//! What the corpus looks like:
//! - Networks post near-duplicate ads from 1 to 3 templates with light
//!   paraphrase, share a small pool of phones (sometimes an e-mail, a handle or
//!   a wallet), move along a circuit of cities over time and use trafficking
//!   indicator language (youth, movement, third-party control, restrictions,
//!   deceptive recruitment), in English and Spanish.
//! - Benign ads (about 60%) are licensed massage spas, ordinary job offers and
//!   personals. Hard cases are built in: benign businesses repost with the same
//!   phone, site-wide boilerplate footers repeat across unrelated ads, a few
//!   "booking hub" phones are shared by several unrelated networks, benign ads
//!   sometimes obfuscate their phone or say "new in town", and long reference
//!   numbers that are not phones appear in benign ads.
//! - Phones are half plain and half disguised (spelled digits, full-width,
//!   keycaps, circled digits, look-alike letters, ...); see
//!   [`truth::obfuscation`] for every form's name.
//!
//! What it never does:
//! - It never contains a real person's data. Phones come only from the
//!   fictitious NANP range `NPA-555-0100..0199` (ads outside North America
//!   write it with `+1`), e-mails only use reserved domains (`example.com`,
//!   `example.net`, `example.org`, `mail.example`), handles and wallets are
//!   random, and names are first names only.
//! - It never holds the corpus in memory: networks and templates are defined up
//!   front (their number is bounded by the fictitious phone ranges, not by the
//!   corpus size) and ads are generated and written one at a time.
//! - It never plants URLs or domains in the truth: ads carry links, but those
//!   kinds are not scored.
//! - It reads no clock and no global state: the same [`SynthConfig`] gives the
//!   same bytes.

mod corpus;
pub mod eval;
mod geo;
mod idents;
mod phone;
mod phrases;
mod random;
mod template;
pub mod truth;
mod wallet;

use serde::{Deserialize, Serialize};
use std::io::{self, BufWriter, Write};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// Number of ads in the corpus.
    pub ads: usize,
    /// Seed of every random choice: the same config gives the same corpus.
    pub seed: u64,
    /// Share of ads posted by networks, in `[0, 1]`; the rest are benign.
    pub network_share: f64,
}

impl SynthConfig {
    pub fn new(ads: usize, seed: u64) -> Self {
        SynthConfig {
            ads,
            seed,
            ..SynthConfig::default()
        }
    }
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            ads: 10_000,
            seed: 2026,
            network_share: 0.4,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthStats {
    pub ads: usize,
    pub network_ads: usize,
    pub benign_ads: usize,
    pub networks: usize,
    pub templates: usize,
}

/// Streams the corpus: one JSON [`ctip_core::Ad`] per line to `ads_out` and
/// one JSON [`truth::TruthRecord`] per line, same order, to `truth_out`.
///
/// Memory stays flat whatever `config.ads` is: the networks and their
/// templates are defined up front and each ad is written as soon as it is
/// made. Both writers are buffered here, so plain files are fine; they are
/// flushed before returning. The first write error stops generation.
pub fn generate(
    config: &SynthConfig,
    ads_out: &mut impl Write,
    truth_out: &mut impl Write,
) -> io::Result<SynthStats> {
    let mut ads_out = BufWriter::with_capacity(1 << 16, ads_out);
    let mut truth_out = BufWriter::with_capacity(1 << 16, truth_out);
    let stats = corpus::Corpus::new(config).write_all(&mut ads_out, &mut truth_out)?;
    ads_out.flush()?;
    truth_out.flush()?;
    Ok(stats)
}
