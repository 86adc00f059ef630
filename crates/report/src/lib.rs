//! The scan report: one self-contained HTML file for people to read.
//!
//! [`render`] turns the numbers of a scan and its top-ranked ads into a page
//! an analyst can open offline, read on a phone, print, or attach to a case:
//! totals, an honesty note on what a score means, inline SVG charts of
//! indicator frequencies and of scores, a table of identifiers, the networks
//! of linked ads with a picture of each, and each top ad with its reasons,
//! identifiers and original text, the evidence highlighted where it stands.
//!
//! Architecture invariant: this crate is a pure function from data to a
//! `String`. It never reads or writes files, never reads the clock (the
//! caller passes the generation time), and the page it produces never fetches
//! anything and never runs script: it has no JavaScript, no external fonts,
//! styles or images, no links that leave the page, and a Content Security
//! Policy that forbids them all anyway. Everything that comes from an ad is
//! untrusted and is escaped ([`escape_html`]) before it reaches the page.

mod chart;
mod escape;
mod graph;
mod highlight;
mod network;
mod network_section;
mod number;
mod page;
pub mod stats;

pub use escape::{Escaped, escape_html};
pub use network::{
    CircuitStop, GraphNode, GraphNodeKind, NetworkGraph, NetworkIdentifier, NetworkView,
    TemplateView,
};

use ctip_core::{Ad, AdResult, IdentifierKind};

/// The report's stylesheet, for pages that show report fragments and load
/// styles from a file (the server's Content-Security-Policy allows no
/// inline style).
pub const STYLESHEET: &str = page::STYLE;

/// One network as an HTML fragment (caution, picture, timeline, circuit,
/// identifiers, templates): the report's content for a live page.
pub fn render_network(network: &NetworkView) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = network_section::write_one(&mut out, network);
    out
}

/// Everything the report shows. Build it from a finished scan and pass it to
/// [`render`].
#[derive(Debug, Clone, Default)]
pub struct ReportInput<'a> {
    /// The page title, such as `"ctip scan report"`. A blank title falls back
    /// to that.
    pub title: &'a str,
    /// When the report was made, as RFC 3339; shown as given.
    pub generated_at: &'a str,
    pub ctip_version: &'a str,
    pub lexicon_version: &'a str,
    pub totals: Totals,
    /// How many identifiers of each kind were found. Kinds may come in any
    /// order and repeat (repeats are added up); the table lists them in
    /// [`IdentifierKind`] order.
    pub identifier_counts: Vec<(IdentifierKind, u64)>,
    /// How many of each kind had to be de-obfuscated, counted the same way.
    pub obfuscated_counts: Vec<(IdentifierKind, u64)>,
    /// How often each indicator fired, in any order: the report sorts them
    /// by count (then id), charts the top 20 and tables them all.
    pub indicator_counts: Vec<IndicatorCount>,
    /// Number of ads per score decile: `[0, 0.1)`, `[0.1, 0.2)`, …, `[0.9, 1.0]`.
    pub score_histogram: [u64; 10],
    /// The ads to show in full, highest score first; shown in the order given.
    pub top_ads: Vec<RankedAd<'a>>,
    /// The networks of linked ads to show, highest risk first (about ten);
    /// shown in the order given. When empty the page has no networks section.
    pub networks: Vec<NetworkView>,
    /// Caveats about this run, shown under the report's own note on what a
    /// score means (which already says that scores are leads, not findings).
    pub notes: Vec<String>,
}

/// The numbers of a scan run, shown at the top of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub ads_read: u64,
    pub ads_scanned: u64,
    pub malformed_skipped: u64,
    pub identifiers_found: u64,
    pub elapsed_secs: f64,
    pub ads_per_sec: f64,
}

/// How often one indicator fired in the scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorCount {
    /// Indicator id from the lexicon, such as `sex.youth.fresh`.
    pub id: String,
    /// One line on what the indicator means.
    pub description: String,
    /// The kind of exploitation it points to: `sexual`, `labour` or `any`.
    pub exploitation: String,
    /// Number of scanned ads in which the indicator fired.
    pub count: u64,
}

/// One ad shown in full, with what ctip learned about it.
#[derive(Debug, Clone, Copy)]
pub struct RankedAd<'a> {
    pub ad: &'a Ad,
    pub result: &'a AdResult,
}

/// Render the whole report as one HTML document.
///
/// Never panics on odd data: spans that overlap, nest, run past the text or
/// split a character are handled (invalid ones are skipped, and the ad says
/// how many), and numbers that are not finite print as a dash.
pub fn render(input: &ReportInput) -> String {
    let mut out = String::with_capacity(64 * 1024);
    page::write(&mut out, input).expect("writing to a String cannot fail");
    out
}
