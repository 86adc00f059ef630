//! The private-statistics pages of `ctip stats`: the public release
//! ([`render_release`], `stats.html`) and the data holder's error report
//! ([`render_holder`], `holder.html`).
//!
//! Both take plain values, so this crate stays free of the statistics core
//! and its OpenDP dependency; the CLI converts a release into a
//! [`ReleasePage`]. The release page shows only what the release itself
//! publishes. The holder page shows the true counts and must never be
//! published; it says so at the top, in its title and in its footer.
//!
//! Every label comes from the caller (dataset names, category names) and is
//! escaped like any other untrusted text.

use crate::chart::bar_length;
use crate::escape::{Escaped, truncate};
use crate::number;
use crate::page::head;
use std::fmt::{self, Write};

/// The chart shows this many of the largest released cells.
pub const MAX_CHART_BARS: usize = 20;

/// A table with at most this many cells is listed in full, empty and
/// suppressed cells included.
pub const MAX_FULL_TABLE_CELLS: usize = 300;

/// Larger tables list at most this many rows (cells with a released count
/// above zero, in cell order) so the page stays small; the JSON release
/// always has every cell.
pub const MAX_TABLE_ROWS: usize = 2_000;

/// Chart labels longer than this are cut.
const LABEL_CHARS: usize = 48;

/// How the released values were protected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Protection {
    /// Discrete Laplace noise under differential privacy.
    DifferentialPrivacy {
        /// The ε declared and charged for this release.
        epsilon: f64,
        /// The discrete Laplace scale.
        scale: f64,
        /// OpenDP's 95% accuracy bound on one cell's noise.
        accuracy_95: f64,
        /// The bound that holds for every cell of the table at once with
        /// 95% confidence (OpenDP's bound at 5% divided by the number of
        /// cells). A count at or below it may be noise alone.
        table_accuracy_95: f64,
        /// The most cases one person is assumed to have.
        max_records_per_person: u32,
    },
    /// Exact counts with cells below `k` suppressed.
    Threshold { k: u64, suppress_zeros: bool },
}

/// The privacy budget of a differentially private dataset after a release.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetStatus {
    pub spent: f64,
    pub total: f64,
}

/// A released cell's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue {
    Count(u64),
    Suppressed,
}

impl CellValue {
    fn count(self) -> Option<u64> {
        match self {
            CellValue::Count(count) => Some(count),
            CellValue::Suppressed => None,
        }
    }
}

/// One released cell: the category of each grouped dimension, in the
/// order of [`ReleasePage::dimensions`], and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCell {
    pub labels: Vec<String>,
    pub value: CellValue,
}

/// A count about the cases that the public page may show, or why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicCount {
    Exact(u64),
    /// Below the release's threshold, so not shown exactly.
    FewerThan(u64),
    /// Not published at all (an exact count would weaken differential
    /// privacy).
    Withheld,
}

/// Which cases the table covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub counted: PublicCount,
    pub excluded: PublicCount,
    /// Each rule that leaves a case out (e.g. "no consent to statistics on
    /// the day of release"), with its count as far as it may be shown.
    pub excluded_by_reason: Vec<(String, PublicCount)>,
}

/// Everything the public release page shows; all of it is public.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasePage<'a> {
    /// When the release was made, as RFC 3339; shown as given.
    pub generated_at: &'a str,
    pub ctip_version: &'a str,
    pub dataset_id: &'a str,
    pub release_id: &'a str,
    /// Column names of the grouped dimensions, in key order; empty for a
    /// single total.
    pub dimensions: Vec<String>,
    pub protection: Protection,
    /// For differentially private datasets, the budget after this release.
    pub budget: Option<BudgetStatus>,
    /// Every cell of the release, in cell order.
    pub cells: Vec<ReleaseCell>,
    pub coverage: Coverage,
    /// What each dimension is read from: (dimension, explanation).
    pub definitions: Vec<(String, String)>,
    /// The machine-readable file with every cell, named on the page.
    pub json_file: &'a str,
}

/// The error measures of a release against the truth (see
/// `ctip_share::stats::ErrorSummary`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ErrorFigures {
    pub cells: usize,
    pub released_cells: usize,
    pub suppressed_cells: usize,
    pub suppressed_cases: u64,
    pub mean_absolute_error: Option<f64>,
    pub p95_absolute_error: Option<u64>,
    pub max_absolute_error: Option<u64>,
    pub large_cell_min_count: u64,
    pub large_cells: usize,
    pub mean_relative_error_large: Option<f64>,
    pub share_large_within_10_percent: Option<f64>,
}

/// One cell beside its true count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderCell {
    pub labels: Vec<String>,
    pub true_count: u64,
    pub released: CellValue,
    pub absolute_error: Option<u64>,
}

/// Everything the holder's page shows. It holds true counts: never publish
/// the page.
#[derive(Debug, Clone, PartialEq)]
pub struct HolderPage<'a> {
    pub generated_at: &'a str,
    pub ctip_version: &'a str,
    pub dataset_id: &'a str,
    pub release_id: &'a str,
    pub dimensions: Vec<String>,
    pub protection: Protection,
    pub budget: Option<BudgetStatus>,
    pub cases_counted: u64,
    /// Each exclusion rule with its exact count.
    pub excluded_by_reason: Vec<(String, u64)>,
    pub errors: ErrorFigures,
    /// The cells to list: the caller passes those with a true or released
    /// count above zero, or suppressed.
    pub cells: Vec<HolderCell>,
    /// The public release's files, named on the page.
    pub public_files: &'a str,
}

/// The public release as one self-contained HTML page.
pub fn render_release(page: &ReleasePage) -> String {
    let mut out = String::with_capacity(32 * 1024);
    write_release(&mut out, page).expect("writing to a String cannot fail");
    out
}

/// The data holder's error report as one self-contained HTML page.
pub fn render_holder(page: &HolderPage) -> String {
    let mut out = String::with_capacity(32 * 1024);
    write_holder(&mut out, page).expect("writing to a String cannot fail");
    out
}

fn grouping_text(dimensions: &[String]) -> String {
    if dimensions.is_empty() {
        "the total".to_owned()
    } else {
        dimensions.join(" × ")
    }
}

fn public_count(count: PublicCount) -> String {
    match count {
        PublicCount::Exact(n) => number::grouped(n),
        PublicCount::FewerThan(k) => format!("fewer than {}", number::grouped(k)),
        PublicCount::Withheld => "not published".to_owned(),
    }
}

fn cell_label(labels: &[String]) -> String {
    if labels.is_empty() {
        "All cases".to_owned()
    } else {
        labels.join(" / ")
    }
}

/// The interval that holds the true count with 95% confidence: the noise is
/// within `accuracy` with that probability, and a true count is never
/// negative.
fn likely_range(released: u64, accuracy: f64) -> String {
    let accuracy = if accuracy.is_finite() && accuracy >= 0.0 {
        accuracy.floor() as u64
    } else {
        return "–".to_owned();
    };
    format!(
        "{}–{}",
        number::grouped(released.saturating_sub(accuracy)),
        number::grouped(released.saturating_add(accuracy))
    )
}

fn write_release(out: &mut String, page: &ReleasePage) -> fmt::Result {
    let title = format!("Case statistics: {}", page.dataset_id);
    head(out, &title, page.ctip_version)?;
    writeln!(out, "<body>")?;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>{}</h1>", Escaped(&title))?;
    writeln!(
        out,
        r#"<p class="meta">Release <code>{}</code>: cases counted by {}. Generated <time datetime="{at}">{at}</time> by ctip {}.</p>"#,
        Escaped(page.release_id),
        Escaped(&grouping_text(&page.dimensions)),
        Escaped(page.ctip_version),
        at = Escaped(page.generated_at),
    )?;
    release_figures(out, page)?;
    writeln!(out, "</header>")?;
    writeln!(out, "<main>")?;
    how_to_read(out, page)?;
    release_chart(out, page)?;
    release_table(out, page)?;
    writeln!(out, "</main>")?;
    writeln!(
        out,
        "<footer><p>Made by ctip {}. {} has the same release for machines, every cell included. \
         This file is self-contained: it loads nothing from the network and contains no script.</p></footer>",
        Escaped(page.ctip_version),
        Escaped(page.json_file),
    )?;
    writeln!(out, "</body>\n</html>")
}

fn release_figures(out: &mut String, page: &ReleasePage) -> fmt::Result {
    let suppressed = page
        .cells
        .iter()
        .filter(|cell| cell.value == CellValue::Suppressed)
        .count() as u64;
    let mut figures: Vec<(&str, String)> = Vec::new();
    match page.protection {
        Protection::DifferentialPrivacy {
            epsilon,
            accuracy_95,
            ..
        } => {
            figures.push(("Protection", "differential privacy".to_owned()));
            figures.push(("Epsilon (this release)", epsilon_text(epsilon)));
            figures.push((
                "95% of counts within",
                format!("±{}", accuracy_floor(accuracy_95)),
            ));
        }
        Protection::Threshold { k, .. } => {
            figures.push(("Protection", "threshold".to_owned()));
            figures.push(("Smallest count shown (k)", number::grouped(k)));
            figures.push(("Suppressed cells", number::grouped(suppressed)));
        }
    }
    figures.push(("Cases counted", public_count(page.coverage.counted)));
    figures.push(("Cases left out", public_count(page.coverage.excluded)));
    figures.push(("Cells", number::grouped(page.cells.len() as u64)));
    writeln!(out, r#"<dl class="totals">"#)?;
    for (label, value) in figures {
        writeln!(
            out,
            "<div><dt>{label}</dt><dd>{}</dd></div>",
            Escaped(&value)
        )?;
    }
    writeln!(out, "</dl>")
}

/// An epsilon as given: `0.5`, `1`, `0.123457` (values are whole millionths,
/// so the shortest form is exact and never long).
fn epsilon_text(epsilon: f64) -> String {
    if epsilon.is_finite() {
        // Round to millionths first so a difference such as 3 - 1.1 prints
        // as 1.9, not 1.9000000000000001.
        format!("{}", (epsilon * 1e6).round() / 1e6)
    } else {
        number::decimal(epsilon, 0)
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn accuracy_floor(accuracy: f64) -> String {
    if accuracy.is_finite() && accuracy >= 0.0 {
        number::grouped(accuracy.floor() as u64)
    } else {
        number::decimal(accuracy, 0)
    }
}

fn how_to_read(out: &mut String, page: &ReleasePage) -> fmt::Result {
    writeln!(
        out,
        r#"<section class="note" aria-labelledby="how-to-read">"#
    )?;
    writeln!(
        out,
        r#"<h2 id="how-to-read">How to read these numbers</h2>"#
    )?;
    match page.protection {
        Protection::DifferentialPrivacy {
            epsilon,
            scale,
            accuracy_95,
            table_accuracy_95,
            max_records_per_person,
        } => {
            writeln!(
                out,
                "<p><strong>These counts are noisy on purpose.</strong> Random noise was added \
                 to every cell (the discrete Laplace mechanism of OpenDP, scale {}) so that the \
                 table reveals almost nothing about any one person: this is differential \
                 privacy with epsilon = {}, assuming at most {} case{} per person.</p>",
                number::decimal(scale, 2),
                epsilon_text(epsilon),
                max_records_per_person,
                if max_records_per_person == 1 { "" } else { "s" },
            )?;
            writeln!(
                out,
                "<p>With 95% confidence each count is within {} of the true count (OpenDP's \
                 accuracy bound); the table gives that range for each cell. Across all {} cells \
                 at once the bound is {}: in a table this size, noise alone can give an empty \
                 cell a count up to about that, so do not read a small count as evidence that \
                 a case exists. Noise that would make a count negative is shown as 0, so cells \
                 with few or no cases read a little high. Adding cells adds their noise too: a \
                 sum of many cells can be far from the true total.</p>",
                accuracy_floor(accuracy_95),
                number::grouped(page.cells.len() as u64),
                accuracy_floor(table_accuracy_95),
            )?;
            if let Some(budget) = page.budget {
                writeln!(
                    out,
                    "<p>Every release of this dataset spends part of its privacy budget: \
                     {} of {} is now spent.</p>",
                    epsilon_text(budget.spent),
                    epsilon_text(budget.total),
                )?;
            }
        }
        Protection::Threshold { k, suppress_zeros } => {
            writeln!(
                out,
                "<p><strong>Exact counts with small cells hidden.</strong> A cell with fewer \
                 than {k} cases{} is shown as <em>suppressed</em>, and so are some larger \
                 cells, chosen so that a small cell cannot be worked out by subtracting from a \
                 total. A suppressed cell may hold any number of cases. This is a threshold \
                 rule, not differential privacy.</p>",
                if suppress_zeros {
                    ""
                } else {
                    " (but more than none)"
                },
            )?;
        }
    }
    coverage(out, &page.coverage)?;
    if !page.definitions.is_empty() {
        writeln!(out, "<p>What each column is taken from:</p>")?;
        writeln!(out, "<ul>")?;
        for (dimension, definition) in &page.definitions {
            writeln!(
                out,
                "<li><strong>{}</strong>: {}</li>",
                Escaped(dimension),
                Escaped(definition)
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")
}

fn coverage(out: &mut String, coverage: &Coverage) -> fmt::Result {
    writeln!(
        out,
        "<p>Only cases whose person consented to statistics and research, on the day of \
         release, are counted, and only when every fact the table needs is recorded. \
         Cases counted: {}; cases left out: {}.</p>",
        Escaped(&public_count(coverage.counted)),
        Escaped(&public_count(coverage.excluded)),
    )?;
    if coverage.excluded_by_reason.is_empty() {
        return Ok(());
    }
    writeln!(out, "<ul>")?;
    for (reason, count) in &coverage.excluded_by_reason {
        match count {
            PublicCount::Withheld => writeln!(out, "<li>{}</li>", Escaped(reason))?,
            _ => writeln!(
                out,
                "<li>{}: {}</li>",
                Escaped(reason),
                Escaped(&public_count(*count))
            )?,
        }
    }
    writeln!(out, "</ul>")?;
    if coverage.counted == PublicCount::Withheld {
        writeln!(
            out,
            "<p>The exact numbers of cases counted and left out are not published: an exact \
             total would weaken the differential privacy of the table. The data holder has \
             them.</p>"
        )?;
    }
    Ok(())
}

fn release_chart(out: &mut String, page: &ReleasePage) -> fmt::Result {
    // Under DP, a count no larger than the table-wide bound may be noise
    // alone; a bar for it would suggest a case that may not exist.
    let (accuracy, floor) = match page.protection {
        Protection::DifferentialPrivacy {
            accuracy_95,
            table_accuracy_95,
            ..
        } => (
            Some(accuracy_95.max(0.0)),
            if table_accuracy_95.is_finite() {
                table_accuracy_95.max(0.0).floor() as u64
            } else {
                u64::MAX
            },
        ),
        Protection::Threshold { .. } => (None, 0),
    };
    let mut shown: Vec<(String, u64)> = page
        .cells
        .iter()
        .filter_map(|cell| Some((cell_label(&cell.labels), cell.value.count()?)))
        .filter(|(_, count)| *count > floor)
        .collect();
    // Largest first; equal counts keep cell order (stable sort).
    shown.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let eligible = shown.len();
    shown.truncate(MAX_CHART_BARS);

    writeln!(out, r#"<section aria-labelledby="chart">"#)?;
    writeln!(out, r#"<h2 id="chart">Largest cells</h2>"#)?;
    if shown.is_empty() {
        let why = match accuracy {
            Some(_) => format!(
                "No cell has a released count above {}, the most that noise alone may give \
                 in a table this size, so there is nothing to chart.",
                number::grouped(floor)
            ),
            None => {
                "No cell has a released count above zero, so there is nothing to chart.".to_owned()
            }
        };
        writeln!(out, "<p>{why}</p>")?;
        return writeln!(out, "</section>");
    }
    writeln!(out, "<figure>")?;
    bars(out, "cells-chart", &shown, accuracy)?;
    let caption = match accuracy {
        Some(_) => format!(
            "The {} largest of {} cells with a released count above {} (counts up to that may be \
             noise alone). Each bar is a noisy count; the thin line across its end spans the \
             range that holds the true count with 95% confidence.",
            shown.len(),
            number::grouped(eligible as u64),
            number::grouped(floor),
        ),
        None => format!(
            "The {} largest of {} cells with a released count above zero. Suppressed cells are \
             not charted.",
            shown.len(),
            number::grouped(eligible as u64),
        ),
    };
    writeln!(out, "<figcaption>{caption}</figcaption>")?;
    writeln!(out, "</figure>")?;
    writeln!(out, "</section>")
}

/// Horizontal bars, one per cell, label above the bar and count after it;
/// with `accuracy`, a whisker over the end of each bar.
fn bars(
    out: &mut String,
    chart: &str,
    cells: &[(String, u64)],
    accuracy: Option<f64>,
) -> fmt::Result {
    const WIDTH: f64 = 400.0;
    const ROW: f64 = 34.0;
    const BAR: f64 = 12.0;
    const ROOM_FOR_COUNT: f64 = 80.0;

    let plus = accuracy.unwrap_or(0.0).floor();
    let max_count = cells.iter().map(|(_, count)| *count).max().unwrap_or(0);
    // The scale leaves room for the whisker of the longest bar.
    let max = max_count.saturating_add(plus as u64);
    let full = WIDTH - ROOM_FOR_COUNT;
    let position = |value: f64| {
        if max == 0 {
            0.0
        } else {
            (value / max as f64 * full).clamp(0.0, full)
        }
    };
    let height = ROW * cells.len() as f64 + 4.0;
    writeln!(
        out,
        r#"<svg class="chart" id="{chart}" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart}-title {chart}-desc">"#
    )?;
    writeln!(
        out,
        r#"<title id="{chart}-title">Largest released cells (top {})</title>"#,
        cells.len()
    )?;
    writeln!(
        out,
        r#"<desc id="{chart}-desc">Horizontal bar chart: one bar per cell, its length proportional to the released count. The table below gives every released value.</desc>"#
    )?;
    for (row, (label, count)) in cells.iter().enumerate() {
        let top = ROW * row as f64;
        let length = bar_length(*count, max, full);
        let (label_y, bar_y, count_y) = (top + 13.0, top + 18.0, top + 28.5);
        let tooltip = match accuracy {
            Some(_) => format!(
                "{label}: {} (noisy; 95% range {})",
                number::grouped(*count),
                likely_range(*count, plus)
            ),
            None => format!("{label}: {}", number::grouped(*count)),
        };
        write!(out, "<g><title>{}</title>", Escaped(&tooltip))?;
        write!(
            out,
            r#"<text class="label" x="0" y="{label_y}">{}</text>"#,
            Escaped(&truncate(label, LABEL_CHARS))
        )?;
        write!(
            out,
            r#"<rect class="bar" x="0" y="{bar_y}" width="{length:.1}" height="{BAR}" rx="2"/>"#
        )?;
        let mut count_x = length + 6.0;
        if accuracy.is_some() && plus > 0.0 {
            let low = position((*count as f64 - plus).max(0.0));
            let high = position(*count as f64 + plus);
            let middle = bar_y + BAR / 2.0;
            write!(
                out,
                r#"<line class="axis" x1="{low:.1}" y1="{middle}" x2="{high:.1}" y2="{middle}"/><line class="axis" x1="{high:.1}" y1="{}" x2="{high:.1}" y2="{}"/>"#,
                bar_y + 2.0,
                bar_y + BAR - 2.0
            )?;
            count_x = high + 6.0;
        }
        writeln!(
            out,
            r#"<text class="count" x="{count_x:.1}" y="{count_y}">{}</text></g>"#,
            number::grouped(*count)
        )?;
    }
    writeln!(out, "</svg>")
}

fn release_table(out: &mut String, page: &ReleasePage) -> fmt::Result {
    let dp_accuracy = match page.protection {
        Protection::DifferentialPrivacy { accuracy_95, .. } => Some(accuracy_95),
        Protection::Threshold { .. } => None,
    };
    let full = page.cells.len() <= MAX_FULL_TABLE_CELLS;
    let listed: Vec<&ReleaseCell> = page
        .cells
        .iter()
        .filter(|cell| full || cell.value.count().is_some_and(|count| count > 0))
        .take(MAX_TABLE_ROWS)
        .collect();

    writeln!(out, r#"<section aria-labelledby="table">"#)?;
    writeln!(out, r#"<h2 id="table">The released table</h2>"#)?;
    if !full {
        let positive = page
            .cells
            .iter()
            .filter(|cell| cell.value.count().is_some_and(|count| count > 0))
            .count();
        let suppressed = page
            .cells
            .iter()
            .filter(|cell| cell.value == CellValue::Suppressed)
            .count();
        let zero = page.cells.len() - positive - suppressed;
        let which = if listed.len() < positive {
            format!(
                "the first {} of the {} cells",
                number::grouped(listed.len() as u64),
                number::grouped(positive as u64)
            )
        } else {
            "the cells".to_owned()
        };
        writeln!(
            out,
            "<p>The table has {} cells. Listed below are {which} with a released count above \
             zero; not listed are {} suppressed {} and {} {} released as 0. {} lists every cell.</p>",
            number::grouped(page.cells.len() as u64),
            number::grouped(suppressed as u64),
            plural(suppressed, "cell", "cells"),
            number::grouped(zero as u64),
            plural(zero, "cell", "cells"),
            Escaped(page.json_file),
        )?;
    }
    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(
        out,
        "<caption>Cases by {}</caption>",
        Escaped(&grouping_text(&page.dimensions))
    )?;
    write!(out, "<thead><tr>")?;
    if page.dimensions.is_empty() {
        write!(out, r#"<th scope="col">Cell</th>"#)?;
    }
    for dimension in &page.dimensions {
        write!(out, r#"<th scope="col">{}</th>"#, Escaped(dimension))?;
    }
    write!(out, r#"<th scope="col" class="num">Cases</th>"#)?;
    if dp_accuracy.is_some() {
        write!(out, r#"<th scope="col" class="num">95% range</th>"#)?;
    }
    writeln!(out, "</tr></thead>")?;
    writeln!(out, "<tbody>")?;
    for cell in listed {
        write!(out, "<tr>")?;
        if cell.labels.is_empty() {
            write!(out, r#"<th scope="row">All cases</th>"#)?;
        }
        for (position, label) in cell.labels.iter().enumerate() {
            if position == 0 {
                write!(out, r#"<th scope="row">{}</th>"#, Escaped(label))?;
            } else {
                write!(out, "<td>{}</td>", Escaped(label))?;
            }
        }
        match cell.value {
            CellValue::Count(count) => {
                write!(out, r#"<td class="num">{}</td>"#, number::grouped(count))?;
                if let Some(accuracy) = dp_accuracy {
                    write!(
                        out,
                        r#"<td class="num">{}</td>"#,
                        likely_range(count, accuracy)
                    )?;
                }
            }
            CellValue::Suppressed => {
                write!(out, r#"<td class="num muted">suppressed</td>"#)?;
                if dp_accuracy.is_some() {
                    write!(out, r#"<td class="num muted">–</td>"#)?;
                }
            }
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "</section>")
}

const HOLDER_WARNING: &str = "For the data holder only. Do not publish.";

fn write_holder(out: &mut String, page: &HolderPage) -> fmt::Result {
    let title = format!(
        "Error report for release {} (data holder only, do not publish)",
        page.release_id
    );
    head(out, &title, page.ctip_version)?;
    writeln!(out, "<body>")?;
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>{HOLDER_WARNING}</h1>")?;
    writeln!(
        out,
        r#"<section class="caution" aria-label="warning"><p><strong>This page shows the true counts behind release <code>{}</code> of dataset <code>{}</code>.</strong> Anyone who sees it beside the release can undo the protection: keep it with the case data, share it with no partner, and do not put it where the release is published.</p><p>The public release is {}.</p></section>"#,
        Escaped(page.release_id),
        Escaped(page.dataset_id),
        Escaped(page.public_files),
    )?;
    writeln!(
        out,
        r#"<p class="meta">Counts by {}. Generated <time datetime="{at}">{at}</time> by ctip {}.</p>"#,
        Escaped(&grouping_text(&page.dimensions)),
        Escaped(page.ctip_version),
        at = Escaped(page.generated_at),
    )?;
    writeln!(out, "</header>")?;
    writeln!(out, "<main>")?;
    holder_cases(out, page)?;
    holder_errors(out, page)?;
    holder_cells(out, page)?;
    writeln!(out, "</main>")?;
    writeln!(
        out,
        "<footer><p><strong>{HOLDER_WARNING}</strong> Made by ctip {}. This file is \
         self-contained: it loads nothing from the network and contains no script.</p></footer>",
        Escaped(page.ctip_version),
    )?;
    writeln!(out, "</body>\n</html>")
}

fn holder_cases(out: &mut String, page: &HolderPage) -> fmt::Result {
    let excluded: u64 = page
        .excluded_by_reason
        .iter()
        .fold(0, |sum, (_, n)| sum.saturating_add(*n));
    writeln!(out, r#"<section aria-labelledby="cases">"#)?;
    writeln!(out, r#"<h2 id="cases">Cases</h2>"#)?;
    let protection = match page.protection {
        Protection::DifferentialPrivacy {
            epsilon,
            scale,
            accuracy_95,
            table_accuracy_95,
            max_records_per_person,
        } => format!(
            "Differential privacy: epsilon {}, discrete Laplace scale {}, at most {} case(s) per person; \
             OpenDP's 95% accuracy bound is {} per cell and {} for all cells at once.",
            epsilon_text(epsilon),
            number::decimal(scale, 2),
            max_records_per_person,
            number::decimal(accuracy_95, 1),
            number::decimal(table_accuracy_95, 1),
        ),
        Protection::Threshold { k, suppress_zeros } => format!(
            "Threshold: cells below k = {k} suppressed{}, with complementary suppression.",
            if suppress_zeros { "" } else { " (zeros shown)" }
        ),
    };
    writeln!(out, "<p>{}</p>", Escaped(&protection))?;
    if let Some(budget) = page.budget {
        writeln!(
            out,
            "<p>Privacy budget of the dataset: {} of {} spent, {} left.</p>",
            epsilon_text(budget.spent),
            epsilon_text(budget.total),
            epsilon_text((budget.total - budget.spent).max(0.0)),
        )?;
    }
    writeln!(out, r#"<div class="scroll"><table class="compact">"#)?;
    writeln!(out, "<caption>Cases read</caption>")?;
    writeln!(
        out,
        r#"<tbody><tr><th scope="row">Counted</th><td class="num">{}</td></tr>"#,
        number::grouped(page.cases_counted)
    )?;
    for (reason, count) in &page.excluded_by_reason {
        writeln!(
            out,
            r#"<tr><th scope="row">Left out: {}</th><td class="num">{}</td></tr>"#,
            Escaped(reason),
            number::grouped(*count)
        )?;
    }
    writeln!(
        out,
        r#"</tbody><tfoot><tr><th scope="row">Left out in all</th><td class="num">{}</td></tr></tfoot></table></div>"#,
        number::grouped(excluded)
    )?;
    writeln!(out, "</section>")
}

fn holder_errors(out: &mut String, page: &HolderPage) -> fmt::Result {
    let e = &page.errors;
    let optional_count = |value: Option<u64>| value.map_or("–".to_owned(), number::grouped);
    let optional_decimal =
        |value: Option<f64>| value.map_or("–".to_owned(), |x| number::decimal(x, 2));
    let rows = [
        ("Cells", number::grouped(e.cells as u64)),
        ("Released cells", number::grouped(e.released_cells as u64)),
        (
            "Suppressed cells",
            number::grouped(e.suppressed_cells as u64),
        ),
        (
            "Cases in suppressed cells",
            number::grouped(e.suppressed_cases),
        ),
        (
            "Mean absolute error",
            optional_decimal(e.mean_absolute_error),
        ),
        (
            "95th percentile of absolute error",
            optional_count(e.p95_absolute_error),
        ),
        (
            "Largest absolute error",
            optional_count(e.max_absolute_error),
        ),
        (
            "Large cells (true count at least the threshold below)",
            format!(
                "{} (threshold {})",
                number::grouped(e.large_cells as u64),
                number::grouped(e.large_cell_min_count)
            ),
        ),
        (
            "Mean relative error of large cells",
            e.mean_relative_error_large
                .map_or("–".to_owned(), number::share),
        ),
        (
            "Large cells within 10% of the truth",
            e.share_large_within_10_percent
                .map_or("–".to_owned(), number::share),
        ),
    ];
    writeln!(out, r#"<section aria-labelledby="errors">"#)?;
    writeln!(out, r#"<h2 id="errors">Error against the true counts</h2>"#)?;
    writeln!(out, r#"<div class="scroll"><table class="compact">"#)?;
    writeln!(out, "<caption>Error summary</caption><tbody>")?;
    for (label, value) in rows {
        writeln!(
            out,
            r#"<tr><th scope="row">{label}</th><td class="num">{}</td></tr>"#,
            Escaped(&value)
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "</section>")
}

fn holder_cells(out: &mut String, page: &HolderPage) -> fmt::Result {
    writeln!(out, r#"<section aria-labelledby="cells">"#)?;
    writeln!(out, r#"<h2 id="cells">Cells, released beside true</h2>"#)?;
    let mut sorted: Vec<&HolderCell> = page.cells.iter().collect();
    // Cells with cases first; the stable sort keeps cell order among equals.
    sorted.sort_by_key(|cell| std::cmp::Reverse(cell.true_count));
    let listed = &sorted[..sorted.len().min(MAX_TABLE_ROWS)];
    writeln!(
        out,
        "<p>Cells with a true or released count above zero, or suppressed: {}{}. \
         Largest true counts first.</p>",
        number::grouped(page.cells.len() as u64),
        if listed.len() < page.cells.len() {
            format!(
                "; the first {} are listed",
                number::grouped(listed.len() as u64)
            )
        } else {
            String::new()
        }
    )?;
    writeln!(out, r#"<div class="scroll"><table>"#)?;
    write!(out, "<thead><tr>")?;
    if page.dimensions.is_empty() {
        write!(out, r#"<th scope="col">Cell</th>"#)?;
    }
    for dimension in &page.dimensions {
        write!(out, r#"<th scope="col">{}</th>"#, Escaped(dimension))?;
    }
    writeln!(
        out,
        r#"<th scope="col" class="num">True</th><th scope="col" class="num">Released</th><th scope="col" class="num">Absolute error</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for cell in listed.iter() {
        write!(out, "<tr>")?;
        if cell.labels.is_empty() {
            write!(out, r#"<th scope="row">All cases</th>"#)?;
        }
        for (position, label) in cell.labels.iter().enumerate() {
            if position == 0 {
                write!(out, r#"<th scope="row">{}</th>"#, Escaped(label))?;
            } else {
                write!(out, "<td>{}</td>", Escaped(label))?;
            }
        }
        let released = match cell.released {
            CellValue::Count(count) => number::grouped(count),
            CellValue::Suppressed => "suppressed".to_owned(),
        };
        writeln!(
            out,
            r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            number::grouped(cell.true_count),
            released,
            cell.absolute_error.map_or("–".to_owned(), number::grouped),
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "</section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(labels: &[&str], value: CellValue) -> ReleaseCell {
        ReleaseCell {
            labels: labels.iter().map(|s| (*s).to_owned()).collect(),
            value,
        }
    }

    fn page(protection: Protection, cells: Vec<ReleaseCell>) -> ReleasePage<'static> {
        ReleasePage {
            generated_at: "2026-01-02T03:04:05Z",
            ctip_version: "0.1.0",
            dataset_id: "office <a>",
            release_id: "release-1",
            dimensions: vec!["Country".to_owned(), "Exploitation type".to_owned()],
            protection,
            budget: None,
            cells,
            coverage: Coverage {
                counted: PublicCount::Withheld,
                excluded: PublicCount::Withheld,
                excluded_by_reason: vec![(
                    "no consent to statistics".to_owned(),
                    PublicCount::Withheld,
                )],
            },
            definitions: vec![],
            json_file: "stats.json",
        }
    }

    const DP: Protection = Protection::DifferentialPrivacy {
        epsilon: 1.0,
        scale: 1.0,
        accuracy_95: 3.4,
        table_accuracy_95: 5.2,
        max_records_per_person: 1,
    };

    #[test]
    fn dp_page_says_counts_are_noisy_and_gives_ranges() {
        let html = render_release(&page(
            DP,
            vec![
                cell(&["NG", "ForcedLabour"], CellValue::Count(40)),
                cell(&["NG", "Other"], CellValue::Count(2)),
            ],
        ));
        assert!(html.contains("noisy on purpose"));
        assert!(html.contains("within 3 of the true count"));
        assert!(html.contains("37–43"));
        assert!(html.contains("0–5"), "a range never goes below zero");
        assert_eq!(
            html.matches(r#"<rect class="bar""#).count(),
            1,
            "a count within the table-wide bound may be noise and is not charted"
        );
        assert!(html.contains("Across all 2 cells at once the bound is 5"));
        assert!(html.contains("not published"));
        assert!(html.contains("office &lt;a&gt;"), "labels are escaped");
        assert!(!html.contains("<script"));
        assert!(html.contains("Content-Security-Policy"));
    }

    #[test]
    fn threshold_page_shows_suppressed_cells_as_suppressed() {
        let html = render_release(&page(
            Protection::Threshold {
                k: 11,
                suppress_zeros: true,
            },
            vec![
                cell(&["NG", "ForcedLabour"], CellValue::Count(40)),
                cell(&["NG", "Other"], CellValue::Suppressed),
                cell(&["TH", "Other"], CellValue::Suppressed),
            ],
        ));
        assert_eq!(html.matches(">suppressed</td>").count(), 2);
        assert!(html.contains("fewer than 11 cases"));
        assert!(!html.contains("95% range"));
    }

    #[test]
    fn large_tables_list_only_positive_cells_and_say_so() {
        let mut cells: Vec<ReleaseCell> = (0..MAX_FULL_TABLE_CELLS + 10)
            .map(|i| cell(&[&format!("c{i}"), "x"], CellValue::Count(0)))
            .collect();
        cells[3].value = CellValue::Count(12);
        cells[4].value = CellValue::Suppressed;
        let html = render_release(&page(DP, cells));
        assert!(html.contains("1 suppressed cell and"));
        assert!(html.contains(">c3</th>"));
        assert!(!html.contains(">c5</th>"));
    }

    #[test]
    fn holder_page_is_marked_do_not_publish_everywhere() {
        let html = render_holder(&HolderPage {
            generated_at: "2026-01-02T03:04:05Z",
            ctip_version: "0.1.0",
            dataset_id: "d",
            release_id: "r",
            dimensions: vec!["Country".to_owned()],
            protection: DP,
            budget: Some(BudgetStatus {
                spent: 1.0,
                total: 3.0,
            }),
            cases_counted: 42,
            excluded_by_reason: vec![("no consent".to_owned(), 3)],
            errors: ErrorFigures::default(),
            cells: vec![HolderCell {
                labels: vec!["NG".to_owned()],
                true_count: 42,
                released: CellValue::Count(40),
                absolute_error: Some(2),
            }],
            public_files: "stats.json and stats.html",
        });
        assert!(
            html.matches("do not publish").count() + html.matches("Do not publish").count() >= 3
        );
        assert!(
            html.contains(
                r#"<td class="num">42</td><td class="num">40</td><td class="num">2</td>"#
            )
        );
    }
}
