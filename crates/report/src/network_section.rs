//! The Networks section: the ads ctip linked, one article per network.
//!
//! Each network gets the same parts in the same order, so an analyst can
//! compare them: what makes it risky, a picture of what links it, when its
//! ads ran, where it moved, and the evidence itself. Every part copes with
//! missing data by saying so, since a network may be linked by one template
//! and have no dates or places at all.

use crate::chart;
use crate::escape::Escaped;
use crate::graph;
use crate::network::{CircuitStop, GraphNodeKind, NetworkIdentifier, NetworkView, TemplateView};
use crate::number;
use crate::page::meter;
use std::fmt::{self, Write};

/// Names beyond this many are counted, not listed.
const MAX_NAMES: usize = 20;

/// Stops beyond this many are counted, not listed; the cities table still
/// has every city.
const MAX_STOPS: usize = 40;

/// Templates beyond this many are counted, not shown: their text is long,
/// and the first few (the caller's order, most ads first) carry the network.
const MAX_TEMPLATES: usize = 10;

/// One network on a page of its own (the live analyst page): the caution,
/// then the same article the report shows.
pub(crate) fn write_one(out: &mut String, network: &NetworkView) -> fmt::Result {
    writeln!(
        out,
        r#"<div class="caution"><p><strong>Links are leads, not findings.</strong> Ads are linked when they were written from the same template or share a phone, e-mail, handle or wallet. Identifiers shared by many unrelated ads (hubs) are shown, grey and dashed, but are not used to link ads. A network's risk is not a probability.</p></div>"#
    )?;
    article(out, 1, network)
}

/// The section, or nothing when there are no networks.
pub(crate) fn write(out: &mut String, networks: &[NetworkView]) -> fmt::Result {
    if networks.is_empty() {
        return Ok(());
    }
    writeln!(out, r#"<section aria-labelledby="networks">"#)?;
    writeln!(out, r#"<h2 id="networks">Networks</h2>"#)?;
    // Linking is where a reader is most tempted to see an organisation, so
    // the caveat comes before any network.
    writeln!(
        out,
        r#"<div class="caution"><p><strong>Links are leads, not findings.</strong> Ads are linked when they were written from the same template or share a phone, e-mail, handle or wallet. A shared identifier can be a coincidence, a recycled number, or a booking or advertising service that posts for many unrelated people. Identifiers shared that widely are called <em>hubs</em>: they are shown, grey and dashed, but are not used to link ads. A network's risk, like an ad's score, is not a probability.</p></div>"#
    )?;
    writeln!(
        out,
        "<p>{} {}, highest risk first, each with what links its ads, when and where they ran, \
         and the identifiers and templates they share.</p>",
        number::grouped(networks.len() as u64),
        if networks.len() == 1 {
            "network"
        } else {
            "networks"
        }
    )?;
    overview(out, networks)?;
    for (i, network) in networks.iter().enumerate() {
        article(out, i + 1, network)?;
    }
    writeln!(out, "</section>")
}

fn overview(out: &mut String, networks: &[NetworkView]) -> fmt::Result {
    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(out, "<caption>Networks by risk</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Network</th><th scope="col" class="num">Ads</th><th scope="col" class="num">Risk</th><th scope="col" class="num">Cities</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (i, network) in networks.iter().enumerate() {
        let rank = i + 1;
        writeln!(
            out,
            r##"<tr><td class="num">{rank}</td><th scope="row"><a href="#net-{rank}" class="mono">{}</a></th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"##,
            Escaped(network_id(network)),
            number::grouped(network.ads),
            number::share(f64::from(network.risk)),
            number::grouped(network.cities.len() as u64),
            Escaped(network.first_seen.as_deref().unwrap_or("–")),
            Escaped(network.last_seen.as_deref().unwrap_or("–")),
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn network_id(network: &NetworkView) -> &str {
    match network.id.as_str() {
        "" => "(no id)",
        id => id,
    }
}

/// One network in full. Element ids use its rank: its own id is untrusted
/// and need not be unique.
fn article(out: &mut String, rank: usize, network: &NetworkView) -> fmt::Result {
    writeln!(
        out,
        r#"<article class="network" id="net-{rank}" aria-labelledby="net-{rank}-title">"#
    )?;
    writeln!(
        out,
        r#"<h3 id="net-{rank}-title"><span class="rank">#{rank}</span> <span class="mono">{}</span> <span class="muted">· {} ads</span></h3>"#,
        Escaped(network_id(network)),
        number::grouped(network.ads)
    )?;
    let risk = f64::from(network.risk);
    meter(out, "Risk", &number::share(risk), risk)?;
    if !network.risk_reasons.is_empty() {
        writeln!(out, r#"<ul class="chips" aria-label="Why">"#)?;
        for reason in &network.risk_reasons {
            writeln!(out, "<li>{}</li>", Escaped(reason))?;
        }
        writeln!(out, "</ul>")?;
    }
    details(out, network)?;
    links(out, rank, network)?;
    activity(out, rank, &network.timeline)?;
    movement(out, network)?;
    evidence(out, &network.identifiers, &network.templates)?;
    writeln!(out, "</article>")
}

/// Dates, prices and names, leaving out what the network lacks.
fn details(out: &mut String, network: &NetworkView) -> fmt::Result {
    fn given(value: &Option<String>) -> Option<&str> {
        value.as_deref().filter(|v| !v.trim().is_empty())
    }
    let mut present: Vec<(&str, String)> = Vec::new();
    for (label, value) in [
        ("First seen", &network.first_seen),
        ("Last seen", &network.last_seen),
        ("Prices", &network.price_range),
    ] {
        if let Some(value) = given(value) {
            present.push((label, Escaped(value).to_string()));
        }
    }
    if !network.names.is_empty() {
        let mut names = network
            .names
            .iter()
            .take(MAX_NAMES)
            .map(|name| Escaped(name).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if network.names.len() > MAX_NAMES {
            names += &format!(
                " and {} more",
                number::grouped((network.names.len() - MAX_NAMES) as u64)
            );
        }
        present.push(("Names", names));
    }
    if present.is_empty() {
        return Ok(());
    }
    writeln!(out, r#"<dl class="admeta">"#)?;
    for (label, html) in present {
        writeln!(out, "<div><dt>{label}</dt><dd>{html}</dd></div>")?;
    }
    writeln!(out, "</dl>")
}

/// The graph picture with its legend, and what it leaves out.
fn links(out: &mut String, rank: usize, network: &NetworkView) -> fmt::Result {
    writeln!(out, "<h4>Links</h4>")?;
    let graph = &network.graph;
    if graph.nodes.is_empty() {
        return writeln!(out, r#"<p class="muted">No links to draw.</p>"#);
    }
    writeln!(out, "<figure>")?;
    let drawn = graph::draw(out, &format!("net-{rank}-graph"), &network.id, graph)?;
    writeln!(out, r#"<ul class="legend">"#)?;
    for kind in GraphNodeKind::ALL {
        if graph.nodes.iter().any(|n| n.kind == kind) {
            write!(out, "<li>")?;
            graph::swatch(out, kind)?;
            let word = match kind {
                GraphNodeKind::Hub => "hub (shown, not used to link)",
                other => other.as_str(),
            };
            writeln!(out, "{word}</li>")?;
        }
    }
    writeln!(out, "</ul>")?;
    write!(
        out,
        "<figcaption>Templates (inner ring) and identifiers (outer ring), sized by ads; \
         a line joins two that occur in the same ads."
    )?;
    if drawn.nodes < drawn.total_nodes {
        write!(
            out,
            " Only the {} heaviest of {} are drawn, and {} of {} links; \
             {} more are not drawn but are listed below.",
            number::grouped(drawn.nodes as u64),
            number::grouped(drawn.total_nodes as u64),
            number::grouped(drawn.edges as u64),
            number::grouped(drawn.total_edges as u64),
            number::grouped((drawn.total_nodes - drawn.nodes) as u64),
        )?;
    }
    if drawn.labels < drawn.nodes {
        write!(
            out,
            " Only {} are labelled, heaviest first where a label fits; every node's tooltip names it.",
            drawn.labels
        )?;
    }
    writeln!(out, "</figcaption>")?;
    writeln!(out, "</figure>")
}

/// Ads per period as a bar chart, with the numbers in a table that opens on
/// demand: one row per week or day would bury the rest of the network.
fn activity(out: &mut String, rank: usize, timeline: &[(String, u64)]) -> fmt::Result {
    writeln!(out, "<h4>Activity</h4>")?;
    if timeline.is_empty() {
        return writeln!(out, r#"<p class="muted">No dates.</p>"#);
    }
    let (per_bar, bins) = chart::timeline_bins(timeline);
    writeln!(out, "<figure>")?;
    chart::timeline(out, &format!("net-{rank}-timeline"), &bins)?;
    let total = timeline
        .iter()
        .fold(0u64, |sum, (_, n)| sum.saturating_add(*n));
    write!(
        out,
        "<figcaption>{} ads over {} periods, oldest first.",
        number::grouped(total),
        number::grouped(timeline.len() as u64)
    )?;
    if per_bar > 1 {
        write!(out, " Each bar adds up {per_bar} periods.")?;
    }
    writeln!(out, "</figcaption>")?;
    writeln!(out, "</figure>")?;
    writeln!(out, "<details><summary>Ads per period as a table</summary>")?;
    writeln!(out, r#"<div class="scroll"><table class="compact">"#)?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">Period</th><th scope="col" class="num">Ads</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (period, ads) in timeline {
        writeln!(
            out,
            r#"<tr><th scope="row" class="mono">{}</th><td class="num">{}</td></tr>"#,
            Escaped(period),
            number::grouped(*ads)
        )?;
    }
    writeln!(out, "</tbody></table></div></details>")
}

/// The circuit as a strip of stops, and the cities as a table.
fn movement(out: &mut String, network: &NetworkView) -> fmt::Result {
    writeln!(out, "<h4>Movement</h4>")?;
    if network.circuit.is_empty() && network.cities.is_empty() {
        return writeln!(out, r#"<p class="muted">No places.</p>"#);
    }
    if !network.circuit.is_empty() {
        circuit(out, &network.circuit)?;
    }
    if network.cities.is_empty() {
        return Ok(());
    }
    writeln!(out, r#"<div class="scroll"><table class="compact">"#)?;
    writeln!(out, "<caption>Cities, most ads first</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">City</th><th scope="col" class="num">Ads</th><th scope="col" class="num">Share</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for (city, ads) in &network.cities {
        writeln!(
            out,
            r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td></tr>"#,
            Escaped(city),
            number::grouped(*ads),
            number::percent(*ads, network.ads),
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn circuit(out: &mut String, stops: &[CircuitStop]) -> fmt::Result {
    // Short dates when the whole circuit falls in one year, and that year
    // said once; otherwise each date carries its year.
    let mut years = stops
        .iter()
        .flat_map(|s| [&s.from, &s.to])
        .filter_map(|d| iso_date(d))
        .map(|(year, _, _)| year);
    let one_year = years
        .next()
        .filter(|&first| years.all(|year| year == first));
    match one_year {
        Some(year) => writeln!(out, "<p>Where its ads ran, in date order ({year}):</p>")?,
        None => writeln!(out, "<p>Where its ads ran, in date order:</p>")?,
    }
    writeln!(out, r#"<ol class="circuit">"#)?;
    for (i, stop) in stops.iter().take(MAX_STOPS).enumerate() {
        write!(out, "<li>")?;
        if i > 0 {
            write!(out, r#"<span class="arrow" aria-hidden="true">→</span> "#)?;
        }
        let city = match stop.city.trim() {
            "" => "(no city)",
            city => city,
        };
        write!(out, r#"<span class="city">{}</span>"#, Escaped(city))?;
        let mut about = Vec::new();
        let from = show_date(&stop.from, one_year.is_none());
        let to = show_date(&stop.to, one_year.is_none());
        match (from.is_empty(), to.is_empty()) {
            (true, true) => {}
            (false, true) => about.push(from),
            (true, false) => about.push(to),
            (false, false) if from == to => about.push(from),
            (false, false) => about.push(format!("{from}–{to}")),
        }
        about.push(format!(
            "{} {}",
            number::grouped(stop.ads),
            if stop.ads == 1 { "ad" } else { "ads" }
        ));
        writeln!(
            out,
            r#" <span class="muted">({})</span></li>"#,
            Escaped(&about.join(", "))
        )?;
    }
    if stops.len() > MAX_STOPS {
        writeln!(
            out,
            r#"<li><span class="arrow" aria-hidden="true">→</span> <span class="muted">and {} more stops</span></li>"#,
            number::grouped((stops.len() - MAX_STOPS) as u64)
        )?;
    }
    writeln!(out, "</ol>")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Year, month and day of a date that starts `YYYY-MM-DD`, as ISO 8601
/// dates and timestamps do.
fn iso_date(s: &str) -> Option<(u32, usize, u32)> {
    let s = s.trim();
    let bytes = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    if bytes.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month as usize, day))
}

/// `Mar 2`, or `Mar 2, 2025` with the year; anything that is not an ISO
/// date is kept as given. The result is plain text, still to be escaped.
fn show_date(s: &str, with_year: bool) -> String {
    match iso_date(s) {
        Some((year, month, day)) if with_year => format!("{} {day}, {year}", MONTHS[month - 1]),
        Some((_, month, day)) => format!("{} {day}", MONTHS[month - 1]),
        None => s.trim().to_owned(),
    }
}

fn evidence(
    out: &mut String,
    identifiers: &[NetworkIdentifier],
    templates: &[TemplateView],
) -> fmt::Result {
    writeln!(out, "<h4>Evidence</h4>")?;
    if identifiers.is_empty() {
        writeln!(out, r#"<p class="muted">No shared identifiers.</p>"#)?;
    } else {
        identifier_table(out, identifiers)?;
    }
    if templates.is_empty() {
        return writeln!(out, r#"<p class="muted">No templates.</p>"#);
    }
    for template in templates.iter().take(MAX_TEMPLATES) {
        writeln!(out, r#"<div class="tpl">"#)?;
        writeln!(
            out,
            r#"<p class="small">Template <span class="mono">{}</span> · {} ads · coverage {}</p>"#,
            Escaped(&template.id),
            number::grouped(template.ads),
            number::share(f64::from(template.coverage)),
        )?;
        // No whitespace around the text: the block keeps it as written.
        writeln!(
            out,
            r#"<blockquote class="adtext">{}</blockquote>"#,
            slotted(&template.text)
        )?;
        writeln!(out, "</div>")?;
    }
    if templates.len() > MAX_TEMPLATES {
        writeln!(
            out,
            r#"<p class="muted small">and {} more templates, not shown.</p>"#,
            number::grouped((templates.len() - MAX_TEMPLATES) as u64)
        )?;
    }
    Ok(())
}

fn identifier_table(out: &mut String, identifiers: &[NetworkIdentifier]) -> fmt::Result {
    writeln!(out, r#"<div class="scroll"><table>"#)?;
    writeln!(out, "<caption>Shared identifiers</caption>")?;
    writeln!(
        out,
        r#"<thead><tr><th scope="col">Kind</th><th scope="col">Value</th><th scope="col" class="num">Ads</th><th scope="col">Note</th></tr></thead>"#
    )?;
    writeln!(out, "<tbody>")?;
    for identifier in identifiers {
        let (row, note) = if identifier.hub {
            (
                r#"<tr class="hub">"#,
                r#"<span class="badge hub">hub – not used to link</span>"#,
            )
        } else {
            ("<tr>", "")
        };
        writeln!(
            out,
            r#"{row}<td>{}</td><th scope="row"><code>{}</code></th><td class="num">{}</td><td>{note}</td></tr>"#,
            Escaped(&identifier.kind),
            Escaped(&identifier.value),
            number::grouped(identifier.ads),
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

/// A template's text, escaped, with each slot such as `⟨phone⟩` wrapped so
/// it stands apart from the words the ads share. An opening bracket with no
/// closing one is plain text.
fn slotted(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('⟨') {
        let Some(length) = rest[open..].find('⟩') else {
            break;
        };
        let close = open + length + '⟩'.len_utf8();
        // Writing to a String cannot fail.
        let _ = write!(
            html,
            r#"{}<span class="slot">{}</span>"#,
            Escaped(&rest[..open]),
            Escaped(&rest[open..close])
        );
        rest = &rest[close..];
    }
    let _ = write!(html, "{}", Escaped(rest));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_wrapped_and_everything_escaped() {
        assert_eq!(
            slotted("Call ⟨phone⟩ <now> ⟨…⟩!"),
            r#"Call <span class="slot">⟨phone⟩</span> &lt;now&gt; <span class="slot">⟨…⟩</span>!"#
        );
        assert_eq!(slotted("⟨<b>⟩"), r#"<span class="slot">⟨&lt;b&gt;⟩</span>"#);
        assert_eq!(slotted("open ⟨ only"), "open ⟨ only");
        assert_eq!(slotted(""), "");
    }

    #[test]
    fn iso_dates_are_shown_short_and_the_rest_as_given() {
        assert_eq!(iso_date("2025-03-02"), Some((2025, 3, 2)));
        assert_eq!(iso_date("2025-03-02T10:00:00Z"), Some((2025, 3, 2)));
        assert_eq!(iso_date("2025-13-02"), None);
        assert_eq!(iso_date("2025-03-021"), None);
        assert_eq!(iso_date("2025-W10"), None);
        assert_eq!(iso_date("２０２５-03-02"), None);
        assert_eq!(show_date("2025-03-02", false), "Mar 2");
        assert_eq!(show_date("2024-12-30", true), "Dec 30, 2024");
        assert_eq!(show_date(" last week ", false), "last week");
        assert_eq!(show_date("", false), "");
    }
}
