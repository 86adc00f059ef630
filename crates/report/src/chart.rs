//! Inline SVG charts, drawn by hand.
//!
//! Each chart is an `<svg role="img">` named by its own `<title>` and
//! `<desc>`; the page puts a data table beside every chart for readers who
//! cannot see it. Every bar is a `<rect class="bar">` inside a `<g>` whose
//! `<title>` gives its exact value as a tooltip. Charts scale with their
//! container through `viewBox`; sizes below are in viewBox units.
//!
//! No `xmlns` attribute: inside HTML the parser places `<svg>` in the SVG
//! namespace by itself, and the page stays free of any URL.

use crate::IndicatorCount;
use crate::escape::{Escaped, truncate};
use crate::number;
use std::fmt::{self, Write};

/// The indicator chart shows this many of the most frequent indicators.
pub(crate) const MAX_INDICATOR_BARS: usize = 20;

/// Length of a bar for `count` when the longest bar, for `max`, is `full`
/// long. Counts above zero get at least one unit so they stay visible.
pub(crate) fn bar_length(count: u64, max: u64, full: f64) -> f64 {
    if max == 0 || count == 0 {
        0.0
    } else {
        (count as f64 / max as f64 * full).max(1.0)
    }
}

/// Horizontal bars, one per indicator, with the id above the bar and the
/// count after it. `counts` should already be ordered and cut to size.
pub(crate) fn indicator_bars(
    out: &mut String,
    chart: &str,
    counts: &[&IndicatorCount],
) -> fmt::Result {
    const WIDTH: f64 = 400.0;
    const ROW: f64 = 34.0;
    const BAR: f64 = 12.0;
    const ROOM_FOR_COUNT: f64 = 80.0;

    let max = counts.iter().map(|c| c.count).max().unwrap_or(0);
    let height = ROW * counts.len() as f64 + 4.0;
    writeln!(
        out,
        r#"<svg class="chart" id="{chart}" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart}-title {chart}-desc">"#
    )?;
    writeln!(
        out,
        r#"<title id="{chart}-title">Most frequent indicators (top {})</title>"#,
        counts.len()
    )?;
    writeln!(
        out,
        r#"<desc id="{chart}-desc">Horizontal bar chart: one bar per indicator, its length proportional to the number of ads the indicator fired in. The table below gives the same numbers.</desc>"#
    )?;
    for (row, c) in counts.iter().enumerate() {
        let top = ROW * row as f64;
        let length = bar_length(c.count, max, WIDTH - ROOM_FOR_COUNT);
        let label_y = top + 13.0;
        let bar_y = top + 18.0;
        let count_x = length + 6.0;
        let count_y = top + 28.5;
        let count = number::grouped(c.count);
        write!(out, "<g><title>{}</title>", Escaped(&indicator_tooltip(c)))?;
        write!(
            out,
            r#"<text class="label" x="0" y="{label_y}">{}</text>"#,
            Escaped(&c.id)
        )?;
        write!(
            out,
            r#"<rect class="bar" x="0" y="{bar_y}" width="{length:.1}" height="{BAR}" rx="2"/>"#
        )?;
        writeln!(
            out,
            r#"<text class="count" x="{count_x:.1}" y="{count_y}">{count}</text></g>"#
        )?;
    }
    writeln!(out, "</svg>")
}

/// `sex.youth.fresh (sexual): 8,204 ads. Words stressing youth.`
fn indicator_tooltip(c: &IndicatorCount) -> String {
    let mut tooltip = c.id.clone();
    if !c.exploitation.is_empty() {
        tooltip += &format!(" ({})", c.exploitation);
    }
    tooltip += &format!(": {} ads", number::grouped(c.count));
    if !c.description.is_empty() {
        tooltip += &format!(". {}", c.description);
    }
    tooltip
}

/// Vertical bars for the number of ads in each score decile, with the
/// count above each bar and the decile edges along the bottom.
pub(crate) fn score_histogram(out: &mut String, chart: &str, deciles: &[u64; 10]) -> fmt::Result {
    const WIDTH: f64 = 400.0;
    const HEIGHT: f64 = 200.0;
    const SIDE: f64 = 14.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 36.0;
    const GAP: f64 = 6.0;

    let plot_height = HEIGHT - TOP - BOTTOM;
    let baseline = TOP + plot_height;
    let slot = (WIDTH - 2.0 * SIDE) / deciles.len() as f64;
    let max = deciles.iter().copied().max().unwrap_or(0);

    writeln!(
        out,
        r#"<svg class="chart" id="{chart}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart}-title {chart}-desc">"#
    )?;
    writeln!(
        out,
        r#"<title id="{chart}-title">Ads by score decile</title>"#
    )?;
    writeln!(
        out,
        r#"<desc id="{chart}-desc">Histogram: ten bars, one per tenth of the score range from 0 to 1, each as tall as the number of ads that scored in it. The table below gives the same numbers.</desc>"#
    )?;
    for (decile, &count) in deciles.iter().enumerate() {
        let height = bar_length(count, max, plot_height);
        let left = SIDE + slot * decile as f64;
        let centre = left + slot / 2.0;
        let (x, y, width) = (left + GAP / 2.0, baseline - height, slot - GAP);
        write!(
            out,
            "<g><title>Score {}: {} ads</title>",
            decile_range(decile),
            number::grouped(count)
        )?;
        write!(
            out,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}"/>"#
        )?;
        writeln!(
            out,
            r#"<text class="count" x="{centre:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
            y - 4.0,
            number::compact(count)
        )?;
    }
    writeln!(
        out,
        r#"<line class="axis" x1="{SIDE}" y1="{baseline}" x2="{}" y2="{baseline}"/>"#,
        WIDTH - SIDE
    )?;
    for edge in 0..=deciles.len() {
        writeln!(
            out,
            r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            SIDE + slot * edge as f64,
            baseline + 14.0,
            decile_edge(edge),
        )?;
    }
    writeln!(
        out,
        r#"<text class="axis-label" x="{}" y="{}" text-anchor="middle">score</text>"#,
        WIDTH / 2.0,
        HEIGHT - 4.0
    )?;
    writeln!(out, "</svg>")
}

/// A timeline shows at most this many bars; longer ones are drawn with
/// neighbouring periods added together.
pub(crate) const MAX_TIMELINE_BARS: usize = 120;

/// Above this many bars the counts no longer fit over them and the chart
/// gives its peak instead.
const MAX_COUNTED_BARS: usize = 24;

/// Timeline labels longer than this are cut, so the first and last fit
/// side by side under the chart.
const TICK_CHARS: usize = 24;

/// The periods of a timeline grouped `per_bar` at a time, each group labelled
/// with its first and last period.
pub(crate) fn timeline_bins(periods: &[(String, u64)]) -> (usize, Vec<(String, u64)>) {
    let per_bar = periods.len().div_ceil(MAX_TIMELINE_BARS).max(1);
    let bins = periods
        .chunks(per_bar)
        .map(|chunk| {
            let count = chunk
                .iter()
                .fold(0u64, |sum, (_, n)| sum.saturating_add(*n));
            let first = &chunk[0].0;
            let label = match chunk.last() {
                Some((last, _)) if chunk.len() > 1 => format!("{first} – {last}"),
                _ => first.clone(),
            };
            (label, count)
        })
        .collect();
    (per_bar, bins)
}

/// Vertical bars, one per period in order, with the first and last period
/// named under the axis. `bins` come from [`timeline_bins`]; their labels
/// are untrusted and escaped here.
pub(crate) fn timeline(out: &mut String, chart: &str, bins: &[(String, u64)]) -> fmt::Result {
    const WIDTH: f64 = 400.0;
    const HEIGHT: f64 = 150.0;
    const SIDE: f64 = 8.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 24.0;

    let plot_height = HEIGHT - TOP - BOTTOM;
    let baseline = TOP + plot_height;
    let slot = (WIDTH - 2.0 * SIDE) / bins.len().max(1) as f64;
    let gap = (slot * 0.2).min(4.0);
    let max = bins.iter().map(|(_, n)| *n).max().unwrap_or(0);

    writeln!(
        out,
        r#"<svg class="chart" id="{chart}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart}-title {chart}-desc">"#
    )?;
    writeln!(out, r#"<title id="{chart}-title">Ads over time</title>"#)?;
    writeln!(
        out,
        r#"<desc id="{chart}-desc">Bar chart: one bar per period, oldest first, each as tall as the number of ads posted in it. The table under the chart gives the same numbers.</desc>"#
    )?;
    let counted = bins.len() <= MAX_COUNTED_BARS;
    for (i, (label, count)) in bins.iter().enumerate() {
        let height = bar_length(*count, max, plot_height);
        let left = SIDE + slot * i as f64;
        let (x, y, width) = (left + gap / 2.0, baseline - height, slot - gap);
        write!(
            out,
            "<g><title>{}: {} ads</title>",
            Escaped(label),
            number::grouped(*count)
        )?;
        write!(
            out,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}"/>"#
        )?;
        if counted {
            write!(
                out,
                r#"<text class="count" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                left + slot / 2.0,
                y - 4.0,
                number::compact(*count)
            )?;
        }
        writeln!(out, "</g>")?;
    }
    if !counted {
        writeln!(
            out,
            r#"<text class="tick" x="{SIDE}" y="12">peak {} ads</text>"#,
            number::grouped(max)
        )?;
    }
    writeln!(
        out,
        r#"<line class="axis" x1="{SIDE}" y1="{baseline}" x2="{}" y2="{baseline}"/>"#,
        WIDTH - SIDE
    )?;
    let tick_y = baseline + 15.0;
    if let Some((first, _)) = bins.first() {
        writeln!(
            out,
            r#"<text class="tick" x="{SIDE}" y="{tick_y}">{}</text>"#,
            Escaped(&truncate(first, TICK_CHARS))
        )?;
    }
    if let Some((last, _)) = bins.last().filter(|_| bins.len() > 1) {
        writeln!(
            out,
            r#"<text class="tick" x="{}" y="{tick_y}" text-anchor="end">{}</text>"#,
            WIDTH - SIDE,
            Escaped(&truncate(last, TICK_CHARS))
        )?;
    }
    writeln!(out, "</svg>")
}

/// `0.3` for edge 3 of the ten deciles.
fn decile_edge(edge: usize) -> String {
    format!("{:.1}", edge as f64 / 10.0)
}

/// The scores a decile holds: `[0.3, 0.4)`, with the last one closed at 1.0.
pub(crate) fn decile_range(decile: usize) -> String {
    let close = if decile == 9 { ']' } else { ')' };
    format!(
        "[{}, {}{close}",
        decile_edge(decile),
        decile_edge(decile + 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_small_counts_stay_visible() {
        assert_eq!(bar_length(10, 10, 300.0), 300.0);
        assert_eq!(bar_length(5, 10, 300.0), 150.0);
        assert_eq!(bar_length(1, 1_000_000, 300.0), 1.0);
        assert_eq!(bar_length(0, 10, 300.0), 0.0);
        assert_eq!(bar_length(0, 0, 300.0), 0.0);
    }

    #[test]
    fn decile_ranges_are_half_open_except_the_last() {
        assert_eq!(decile_range(0), "[0.0, 0.1)");
        assert_eq!(decile_range(9), "[0.9, 1.0]");
    }

    #[test]
    fn long_timelines_are_grouped_into_at_most_the_bar_limit() {
        let days: Vec<(String, u64)> = (0..365).map(|d| (format!("d{d}"), 1)).collect();
        let (per_bar, bins) = timeline_bins(&days);
        assert_eq!(per_bar, 4);
        assert_eq!(bins.len(), 92);
        assert_eq!(bins[0], ("d0 – d3".to_owned(), 4));
        assert_eq!(bins[91], ("d364".to_owned(), 1));
        assert_eq!(bins.iter().map(|(_, n)| n).sum::<u64>(), 365);

        let weeks: Vec<(String, u64)> = (0..3).map(|w| (format!("w{w}"), w)).collect();
        assert_eq!(timeline_bins(&weeks), (1, weeks.clone()));
        assert_eq!(timeline_bins(&[]), (1, vec![]));
    }
}
