//! The sections of the page, in reading order.
//!
//! Every section writes into one `String`. Text we wrote ourselves goes in as
//! is; every value from the input goes through [`Escaped`].

use crate::chart::{self, MAX_INDICATOR_BARS};
use crate::escape::Escaped;
use crate::highlight::{self, Highlight, Layer};
use crate::network_section;
use crate::number;
use crate::{IndicatorCount, RankedAd, ReportInput, Totals};
use ctip_core::{Ad, Identifier, IdentifierKind, Reason};
use std::collections::BTreeMap;
use std::fmt::{self, Write};

const DEFAULT_TITLE: &str = "ctip scan report";

pub(crate) const STYLE: &str = include_str!("report.css");

/// Only inline styles and `data:` images may load; nothing else, ever.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

pub(crate) fn write(out: &mut String, input: &ReportInput) -> fmt::Result {
    let title = if input.title.trim().is_empty() {
        DEFAULT_TITLE
    } else {
        input.title
    };
    head(out, title, input.ctip_version)?;
    writeln!(out, "<body>")?;
    header(out, title, input)?;
    writeln!(out, "<main>")?;
    how_to_read(out, input)?;
    indicators(out, &input.indicator_counts)?;
    scores(out, &input.score_histogram)?;
    identifiers(out, &input.identifier_counts, &input.obfuscated_counts)?;
    network_section::write(out, &input.networks)?;
    top_ads(out, &input.top_ads)?;
    writeln!(out, "</main>")?;
    footer(out, input)?;
    writeln!(out, "</body>\n</html>")
}

pub(crate) fn head(out: &mut String, title: &str, ctip_version: &str) -> fmt::Result {
    writeln!(out, "<!doctype html>")?;
    writeln!(out, r#"<html lang="en">"#)?;
    writeln!(out, "<head>")?;
    writeln!(out, r#"<meta charset="utf-8">"#)?;
    writeln!(
        out,
        r#"<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">"#
    )?;
    writeln!(
        out,
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
    )?;
    writeln!(out, r#"<meta name="referrer" content="no-referrer">"#)?;
    writeln!(
        out,
        r#"<meta name="generator" content="ctip {}">"#,
        Escaped(ctip_version)
    )?;
    writeln!(out, "<title>{}</title>", Escaped(title))?;
    writeln!(out, "<style>\n{STYLE}</style>")?;
    writeln!(out, "</head>")
}

fn header(out: &mut String, title: &str, input: &ReportInput) -> fmt::Result {
    writeln!(out, "<header>")?;
    writeln!(out, "<h1>{}</h1>", Escaped(title))?;
    writeln!(
        out,
        r#"<p class="meta">Generated <time datetime="{at}">{at}</time> by ctip {version}, lexicon {lexicon}.</p>"#,
        at = Escaped(input.generated_at),
        version = Escaped(input.ctip_version),
        lexicon = Escaped(input.lexicon_version),
    )?;
    totals(out, &input.totals)?;
    writeln!(out, "</header>")
}

fn totals(out: &mut String, totals: &Totals) -> fmt::Result {
    let figures = [
        ("Ads read", number::grouped(totals.ads_read)),
        ("Ads scanned", number::grouped(totals.ads_scanned)),
        (
            "Malformed, skipped",
            number::grouped(totals.malformed_skipped),
        ),
        (
            "Identifiers found",
            number::grouped(totals.identifiers_found),
        ),
        ("Elapsed", number::duration(totals.elapsed_secs)),
        ("Ads per second", number::rate(totals.ads_per_sec)),
    ];
    writeln!(out, r#"<dl class="totals">"#)?;
    for (label, value) in figures {
        writeln!(out, "<div><dt>{label}</dt><dd>{value}</dd></div>")?;
    }
    writeln!(out, "</dl>")
}

fn how_to_read(out: &mut String, input: &ReportInput) -> fmt::Result {
    writeln!(
        out,
        r#"<section class="note" aria-labelledby="how-to-read">"#
    )?;
    writeln!(out, r#"<h2 id="how-to-read">How to read this report</h2>"#)?;
    writeln!(
        out,
        "<p><strong>Scores are leads for a human to check, not findings.</strong> \
         Nothing in this report shows that anyone is being trafficked or exploited.</p>"
    )?;
    writeln!(
        out,
        "<p>An ad's score, from 0 to 1, combines the weights of the indicators listed \
         under it, as defined by lexicon <code>{}</code>. A higher score means that more \
         and stronger indicators matched the wording of the ad. It is not a probability. \
         The same words can appear in ads that involve no coercion at all, and ads written \
         to avoid known words score low, so read the evidence before acting on any score.</p>",
        Escaped(input.lexicon_version)
    )?;
    writeln!(
        out,
        r#"<p>In each ad's text, <mark class="ind" title="indicator">indicator matches</mark>, <mark class="idf" title="identifier">identifiers</mark> and <mark class="ind idf" title="indicator; identifier">text that is both</mark> are highlighted; each highlight's tooltip names what it marks, and the lists above the text give the same.</p>"#
    )?;
    if !input.notes.is_empty() {
        writeln!(out, "<ul>")?;
        for note in &input.notes {
            writeln!(out, "<li>{}</li>", Escaped(note))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")
}

fn indicators(out: &mut String, counts: &[IndicatorCount]) -> fmt::Result {
    writeln!(out, r#"<section aria-labelledby="indicators">"#)?;
    writeln!(out, r#"<h2 id="indicators">Indicators</h2>"#)?;
    if counts.is_empty() {
        writeln!(out, "<p>No indicator fired in this scan.</p>")?;
        return writeln!(out, "</section>");
    }

    let mut sorted: Vec<&IndicatorCount> = counts.iter().collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    let charted = &sorted[..sorted.len().min(MAX_INDICATOR_BARS)];

    writeln!(out, "<figure>")?;
    chart::indicator_bars(out, "indicator-chart", charted)?;
    if charted.len() == sorted.len() {
        writeln!(
            out,
            "<figcaption>All {} indicators that fired, by the number of ads each fired in.</figcaption>",
            sorted.len()
        )?;
    } else {
        writeln!(
            out,
            "<figcaption>The {} most frequent of {} indicators that fired, by the number of ads each fired in.</figcaption>",
            charted.len(),
            sorted.len()
        )?;
    }
    writeln!(out, "</figure>")?;

    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(
        out,
        "<caption>Every indicator that fired, most frequent first</caption>"
    )?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">Indicator</th><th scope="col">Exploitation</th><th scope="col" class="num">Ads</th><th scope="col">Description</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for c in &sorted {
        writeln!(
            out,
            r#"<tr><th scope="row"><code>{}</code></th><td>{}</td><td class="num">{}</td><td class="prose">{}</td></tr>"#,
            Escaped(&c.id),
            Escaped(&c.exploitation),
            number::grouped(c.count),
            Escaped(&c.description),
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "</section>")
}

fn scores(out: &mut String, deciles: &[u64; 10]) -> fmt::Result {
    let total: u64 = deciles.iter().sum();
    writeln!(out, r#"<section aria-labelledby="scores">"#)?;
    writeln!(out, r#"<h2 id="scores">Scores</h2>"#)?;
    writeln!(out, "<figure>")?;
    chart::score_histogram(out, "score-chart", deciles)?;
    writeln!(
        out,
        "<figcaption>{} scored ads by tenth of the score range.</figcaption>",
        number::grouped(total)
    )?;
    writeln!(out, "</figure>")?;

    writeln!(out, r#"<div class="scroll"><table class="compact">"#)?;
    writeln!(out, "<caption>Ads by score decile</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">Score</th><th scope="col" class="num">Ads</th><th scope="col" class="num">Share</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (decile, &count) in deciles.iter().enumerate() {
        writeln!(
            out,
            r#"<tr><th scope="row" class="mono">{}</th><td class="num">{}</td><td class="num">{}</td></tr>"#,
            chart::decile_range(decile),
            number::grouped(count),
            number::percent(count, total),
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;
    writeln!(out, "</section>")
}

fn identifiers(
    out: &mut String,
    found: &[(IdentifierKind, u64)],
    obfuscated: &[(IdentifierKind, u64)],
) -> fmt::Result {
    // (found, de-obfuscated) per kind, in the kinds' own order.
    let mut by_kind: BTreeMap<IdentifierKind, (u64, u64)> = BTreeMap::new();
    for &(kind, n) in found {
        by_kind.entry(kind).or_default().0 += n;
    }
    for &(kind, n) in obfuscated {
        by_kind.entry(kind).or_default().1 += n;
    }

    writeln!(out, r#"<section aria-labelledby="identifiers">"#)?;
    writeln!(out, r#"<h2 id="identifiers">Identifiers</h2>"#)?;
    if by_kind.is_empty() {
        writeln!(out, "<p>No identifiers found.</p>")?;
        return writeln!(out, "</section>");
    }
    writeln!(
        out,
        "<p>An identifier is <em>de-obfuscated</em> when the ad hid it (digits spelled out, \
         look-alike letters, “at” and “dot” written as words) and ctip recovered it.</p>"
    )?;
    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(out, "<caption>Identifiers by kind</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">Kind</th><th scope="col" class="num">Found</th><th scope="col" class="num">De-obfuscated</th><th scope="col" class="num">Share</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (kind, &(n, hidden)) in &by_kind {
        identifier_row(out, "td", kind.as_str(), n, hidden)?;
    }
    writeln!(out, "</tbody>")?;
    let (n, hidden) = by_kind.values().fold((0u64, 0u64), |(a, b), &(n, h)| {
        (a.saturating_add(n), b.saturating_add(h))
    });
    writeln!(out, "<tfoot>")?;
    identifier_row(out, "th", "All kinds", n, hidden)?;
    writeln!(out, "</tfoot></table></div>")?;
    writeln!(out, "</section>")
}

fn identifier_row(out: &mut String, cell: &str, label: &str, n: u64, hidden: u64) -> fmt::Result {
    writeln!(
        out,
        r#"<tr><th scope="row">{label}</th><{cell} class="num">{}</{cell}><{cell} class="num">{}</{cell}><{cell} class="num">{}</{cell}></tr>"#,
        number::grouped(n),
        number::grouped(hidden),
        number::percent(hidden, n),
    )
}

fn top_ads(out: &mut String, ads: &[RankedAd]) -> fmt::Result {
    writeln!(out, r#"<section aria-labelledby="top-ads">"#)?;
    writeln!(out, r#"<h2 id="top-ads">Top-ranked ads</h2>"#)?;
    if ads.is_empty() {
        writeln!(out, "<p>No ads to show.</p>")?;
        return writeln!(out, "</section>");
    }
    writeln!(
        out,
        "<p>The {} highest-scoring ads, highest first, each with the reasons for its score, \
         the identifiers found in it and its original text.</p>",
        ads.len()
    )?;

    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(out, "<caption>Ranking</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Ad</th><th scope="col" class="num">Score</th><th scope="col" class="num">Indicators</th><th scope="col" class="num">Identifiers</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (i, ranked) in ads.iter().enumerate() {
        let rank = i + 1;
        writeln!(
            out,
            r##"<tr><td class="num">{rank}</td><th scope="row"><a href="#ad-{rank}" class="mono">{}</a></th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"##,
            Escaped(ad_id(ranked)),
            number::decimal(f64::from(ranked.result.score), 2),
            ranked.result.indicators.len(),
            ranked.result.identifiers.len(),
        )?;
    }
    writeln!(out, "</tbody></table></div>")?;

    for (i, ranked) in ads.iter().enumerate() {
        ad_article(out, i + 1, ranked)?;
    }
    writeln!(out, "</section>")
}

/// The ad's own id, or the result's when the ad has none.
fn ad_id<'a>(ranked: &RankedAd<'a>) -> &'a str {
    match ranked.ad.id.as_str() {
        "" if ranked.result.id.is_empty() => "(no id)",
        "" => &ranked.result.id,
        id => id,
    }
}

/// One top ad in full: heading and score, where and when, reasons,
/// identifiers, and the original text with the evidence highlighted.
fn ad_article(out: &mut String, rank: usize, ranked: &RankedAd) -> fmt::Result {
    writeln!(
        out,
        r#"<article class="ad" id="ad-{rank}" aria-labelledby="ad-{rank}-title">"#
    )?;
    writeln!(
        out,
        r#"<h3 id="ad-{rank}-title"><span class="rank">#{rank}</span> <span class="mono">{}</span></h3>"#,
        Escaped(ad_id(ranked))
    )?;
    score_line(out, ranked.result.score)?;
    ad_details(out, ranked.ad)?;
    ad_reasons(out, &ranked.result.reasons)?;
    ad_identifiers(out, &ranked.result.identifiers)?;
    ad_text(out, ranked)?;
    writeln!(out, "</article>")
}

/// The score as a number and as a small bar.
fn score_line(out: &mut String, score: f32) -> fmt::Result {
    let score = f64::from(score);
    meter(out, "Score", &number::decimal(score, 2), score)
}

/// `label`, the value as `shown`, and `fraction` as a small bar, clamped to
/// `[0, 1]` (empty when not finite).
pub(crate) fn meter(out: &mut String, label: &str, shown: &str, fraction: f64) -> fmt::Result {
    let filled = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0) * 100.0
    } else {
        0.0
    };
    writeln!(
        out,
        r#"<p class="score">{label} <strong>{shown}</strong><svg class="scorebar" viewBox="0 0 100 8" aria-hidden="true"><rect class="track" width="100" height="8"/><rect class="fill" width="{filled:.1}" height="8"/></svg></p>"#
    )
}

/// Where and when the ad was posted, leaving out what the source lacks. The
/// source URL is shown as text, never as a link.
fn ad_details(out: &mut String, ad: &Ad) -> fmt::Result {
    let details = [
        ("Posted", &ad.posted_at),
        ("City", &ad.city),
        ("Region", &ad.region),
        ("Country", &ad.country),
        ("Source", &ad.url),
    ];
    let present: Vec<(&str, &str)> = details
        .iter()
        .filter_map(|(label, value)| Some((*label, value.as_deref()?)))
        .filter(|(_, value)| !value.trim().is_empty())
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    writeln!(out, r#"<dl class="admeta">"#)?;
    for (label, value) in present {
        writeln!(
            out,
            "<div><dt>{label}</dt><dd>{}</dd></div>",
            Escaped(value)
        )?;
    }
    writeln!(out, "</dl>")
}

fn ad_reasons(out: &mut String, reasons: &[Reason]) -> fmt::Result {
    writeln!(out, "<h4>Reasons</h4>")?;
    if reasons.is_empty() {
        return writeln!(out, r#"<p class="muted">None.</p>"#);
    }
    writeln!(out, "<ul>")?;
    for reason in reasons {
        writeln!(
            out,
            r#"<li><code>{}</code> <span class="weight">{}</span> {}</li>"#,
            Escaped(&reason.indicator),
            signed(f64::from(reason.weight)),
            Escaped(&reason.evidence),
        )?;
    }
    writeln!(out, "</ul>")
}

fn ad_identifiers(out: &mut String, identifiers: &[Identifier]) -> fmt::Result {
    writeln!(out, "<h4>Identifiers</h4>")?;
    if identifiers.is_empty() {
        return writeln!(out, r#"<p class="muted">None.</p>"#);
    }
    writeln!(out, "<ul>")?;
    for identifier in identifiers {
        write!(
            out,
            r#"<li><span class="kind">{}</span> <code>{}</code>"#,
            identifier.kind,
            Escaped(&identifier.value)
        )?;
        if let Some(qualifier) = identifier.qualifier.as_deref().filter(|q| !q.is_empty()) {
            write!(
                out,
                r#" <span class="muted">({})</span>"#,
                Escaped(qualifier)
            )?;
        }
        if identifier.obfuscated {
            write!(out, r#" <span class="badge">de-obfuscated</span>"#)?;
        }
        writeln!(out, "</li>")?;
    }
    writeln!(out, "</ul>")
}

/// The ad's original text with its evidence highlighted, and a word on any
/// highlight that could not be placed.
fn ad_text(out: &mut String, ranked: &RankedAd) -> fmt::Result {
    writeln!(out, "<h4>Original text</h4>")?;
    let text = ranked.ad.text();
    if text.is_empty() {
        return writeln!(out, r#"<p class="muted">This ad has no text.</p>"#);
    }
    let highlights = highlights(ranked);
    let marked = highlight::mark_up(&text, &highlights);
    // No whitespace around the text: the block keeps it as written.
    writeln!(
        out,
        r#"<blockquote class="adtext">{}</blockquote>"#,
        marked.html
    )?;
    if marked.skipped > 0 {
        writeln!(
            out,
            r#"<p class="muted small">{} of {} highlights could not be placed on this text (the span fell outside it or inside a character) and appear only in the lists above.</p>"#,
            marked.skipped,
            highlights.len()
        )?;
    }
    Ok(())
}

/// Every reason with a span and every identifier, as highlights on the ad text.
fn highlights(ranked: &RankedAd) -> Vec<Highlight> {
    let reasons = ranked.result.reasons.iter().filter_map(|reason| {
        Some(Highlight {
            span: reason.span?,
            layer: Layer::Indicator,
            label: reason.indicator.clone(),
        })
    });
    let identifiers = ranked
        .result
        .identifiers
        .iter()
        .map(|identifier| Highlight {
            span: identifier.span,
            layer: Layer::Identifier,
            label: format!("{}: {}", identifier.kind, identifier.value),
        });
    reasons.chain(identifiers).collect()
}

fn footer(out: &mut String, input: &ReportInput) -> fmt::Result {
    writeln!(
        out,
        "<footer><p>Made by ctip {} with lexicon {}. This file is self-contained: \
         it loads nothing from the network and contains no script.</p></footer>",
        Escaped(input.ctip_version),
        Escaped(input.lexicon_version),
    )
}

/// A weight with its sign: `+0.40`, `-0.10`.
fn signed(x: f64) -> String {
    if x.is_finite() {
        format!("{x:+.2}")
    } else {
        number::decimal(x, 2)
    }
}
