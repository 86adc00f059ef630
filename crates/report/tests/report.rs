//! The report as a user gets it: render a scan and read the HTML back.

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Reason, Span};
use ctip_report::{
    CircuitStop, GraphNode, GraphNodeKind, IndicatorCount, NetworkGraph, NetworkIdentifier,
    NetworkView, RankedAd, ReportInput, TemplateView, Totals, render,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// A tiny reader for the HTML we write. Every `<` in untrusted text is escaped,
// so every literal `<` in the output opens a real tag.
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every tag in `html`, in order, except the doctype.
fn tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("a tag is never left open") + open;
        let inner = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if inner.starts_with('!') {
            continue;
        }
        tags.push(parse_tag(inner));
    }
    tags
}

fn parse_tag(inner: &str) -> Tag {
    let closing = inner.starts_with('/');
    let self_closing = inner.ends_with('/');
    let inner = inner.trim_start_matches('/').trim_end_matches('/');
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let attr = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            let quote = after.chars().next().expect("attribute value");
            assert!(quote == '"', "unquoted attribute {attr} in <{name}>");
            let end = after[1..].find('"').expect("closing quote") + 1;
            rest = &after[end + 1..];
            after[1..end].to_owned()
        } else {
            String::new()
        };
        attrs.push((attr, value));
        rest = rest.trim_start();
    }
    Tag {
        name,
        attrs,
        closing,
        self_closing,
    }
}

const VOID: [&str; 6] = ["meta", "link", "br", "hr", "img", "input"];

/// Every element that opens also closes, in order.
fn assert_well_formed(html: &str) {
    let mut open: Vec<String> = Vec::new();
    for tag in tags(html) {
        if tag.closing {
            let top = open.pop();
            assert_eq!(
                top.as_deref(),
                Some(tag.name.as_str()),
                "misnested </{}>",
                tag.name
            );
        } else if !tag.self_closing && !VOID.contains(&tag.name.as_str()) {
            open.push(tag.name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

/// The inline SVG with the given id, from `<svg` to `</svg>`.
fn svg<'h>(html: &'h str, id: &str) -> Option<&'h str> {
    let start = html.find(&format!(r#"<svg class="chart" id="{id}""#))?;
    let end = html[start..].find("</svg>")? + start;
    Some(&html[start..end])
}

/// The inline SVG picture of a network's graph, from `<svg` to `</svg>`.
fn graph_svg<'h>(html: &'h str, id: &str) -> Option<&'h str> {
    let start = html.find(&format!(r#"<svg class="chart graph" id="{id}""#))?;
    let end = html[start..].find("</svg>")? + start;
    Some(&html[start..end])
}

/// The part of the page from `start` to the next `</article>`.
fn article<'h>(html: &'h str, start: &str) -> &'h str {
    let from = html.find(start).expect("article");
    &html[from..from + html[from..].find("</article>").unwrap()]
}

fn graph_nodes(svg: &str) -> usize {
    svg.matches(r#"<g class="node "#).count()
}

fn bars(svg: &str) -> usize {
    svg.matches(r#"class="bar""#).count()
}

// ---------------------------------------------------------------------------
// Sample data.
// ---------------------------------------------------------------------------

fn ad(id: &str, title: Option<&str>, body: &str) -> Ad {
    Ad {
        id: id.into(),
        title: title.map(Into::into),
        body: body.into(),
        ..Ad::default()
    }
}

fn result(id: &str, score: f32, reasons: Vec<Reason>, identifiers: Vec<Identifier>) -> AdResult {
    let mut indicators: Vec<String> = reasons.iter().map(|r| r.indicator.clone()).collect();
    indicators.dedup();
    AdResult {
        id: id.into(),
        identifiers,
        indicators,
        score,
        reasons,
    }
}

fn reason(indicator: &str, start: u32, end: u32, evidence: &str) -> Reason {
    Reason {
        indicator: indicator.into(),
        weight: 0.4,
        span: Some(Span { start, end }),
        evidence: evidence.into(),
    }
}

fn identifier(kind: IdentifierKind, value: &str, start: u32, end: u32) -> Identifier {
    Identifier::new(kind, value, Span { start, end })
}

fn indicator(id: &str, count: u64) -> IndicatorCount {
    IndicatorCount {
        id: id.into(),
        description: format!("What {id} means."),
        exploitation: "sexual".into(),
        count,
    }
}

fn input<'a>(top_ads: Vec<RankedAd<'a>>) -> ReportInput<'a> {
    ReportInput {
        title: "ctip scan report",
        generated_at: "2026-11-05T10:00:00Z",
        ctip_version: "0.1.0",
        lexicon_version: "2026.11.1",
        totals: Totals {
            ads_read: 1_200,
            ads_scanned: 1_190,
            malformed_skipped: 10,
            identifiers_found: 2_345,
            elapsed_secs: 3.5,
            ads_per_sec: 340.0,
        },
        identifier_counts: vec![(IdentifierKind::Phone, 900), (IdentifierKind::Email, 40)],
        obfuscated_counts: vec![(IdentifierKind::Phone, 225)],
        indicator_counts: vec![
            indicator("sex.youth.fresh", 120),
            indicator("any.movement.new_in_town", 80),
        ],
        score_histogram: [500, 300, 150, 100, 60, 40, 20, 10, 6, 4],
        top_ads,
        notes: vec!["Scores are leads for a human to check, not findings.".into()],
        networks: vec![],
    }
}

fn graph_node(label: &str, kind: GraphNodeKind, weight: u64) -> GraphNode {
    GraphNode {
        label: label.into(),
        kind,
        weight,
    }
}

fn stop(city: &str, from: &str, to: &str, ads: u64) -> CircuitStop {
    CircuitStop {
        city: city.into(),
        from: from.into(),
        to: to.into(),
        ads,
    }
}

fn network() -> NetworkView {
    NetworkView {
        id: "N-1042".into(),
        ads: 57,
        risk: 0.78,
        risk_reasons: vec!["7 cities".into(), "4 names on one phone".into()],
        first_seen: Some("2025-03-02".into()),
        last_seen: Some("2025-03-30".into()),
        price_range: Some("80–300 USD/hour".into()),
        names: vec!["Lily".into(), "Amber".into()],
        cities: vec![("Houston".into(), 21), ("Dallas".into(), 17)],
        circuit: vec![
            stop("Houston", "2025-03-02", "2025-03-09", 12),
            stop("Dallas", "2025-03-10", "2025-03-18", 17),
            stop("Houston", "2025-03-30", "2025-03-30", 1),
        ],
        timeline: vec![
            ("2025-W09".into(), 4),
            ("2025-W10".into(), 11),
            ("2025-W11".into(), 15),
        ],
        identifiers: vec![
            NetworkIdentifier {
                kind: "phone".into(),
                value: "+17135550100".into(),
                ads: 33,
                hub: false,
            },
            NetworkIdentifier {
                kind: "email".into(),
                value: "bookings@example.org".into(),
                ads: 48,
                hub: true,
            },
        ],
        templates: vec![TemplateView {
            id: "T-17".into(),
            ads: 31,
            text: "NEW in ⟨city⟩, call ⟨phone⟩".into(),
            coverage: 0.86,
        }],
        graph: NetworkGraph {
            nodes: vec![
                graph_node("T-17", GraphNodeKind::Template, 31),
                graph_node("+17135550100", GraphNodeKind::Phone, 33),
                graph_node("bookings@example.org", GraphNodeKind::Hub, 48),
            ],
            edges: vec![(0, 1), (0, 2)],
        },
    }
}

// ---------------------------------------------------------------------------
// Behaviour.
// ---------------------------------------------------------------------------

#[test]
fn hostile_ad_text_stays_inert() {
    let body = r#"<script>alert(1)</script> "><img src=x onerror=alert(2)> 'single'"#;
    let mut hostile = ad(r#""><script>alert(3)</script>"#, Some("<b>new</b>"), body);
    hostile.city = Some(r#"<iframe src="https://evil.example">"#.into());
    hostile.url = Some("javascript:alert(4)".into());
    let text = hostile.text().into_owned();
    let text_len = text.len() as u32;
    let single = text.find("'single'").unwrap() as u32;
    let mut result = result(
        &hostile.id,
        0.9,
        vec![Reason {
            indicator: r#"x" onmouseover="alert(5)"#.into(),
            weight: 0.5,
            span: Some(Span {
                start: 0,
                end: text_len,
            }),
            evidence: "<svg onload=alert(6)>".into(),
        }],
        vec![identifier(
            IdentifierKind::Url,
            "<a href=//evil.example>",
            single,
            single + 8,
        )],
    );
    result.identifiers[0].qualifier = Some("</mark><script>".into());
    let mut report = input(vec![RankedAd {
        ad: &hostile,
        result: &result,
    }]);
    report
        .indicator_counts
        .push(indicator("<script>alert(7)</script>", 3));
    report.notes.push("<script>alert(8)</script>".into());

    let html = render(&report);

    assert_well_formed(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("&#39;single&#39;"));
    for tag in tags(&html) {
        assert!(
            !["script", "img", "iframe"].contains(&tag.name.as_str()),
            "hostile tag got through: {tag:?}"
        );
        if let Some(href) = tag.attr("href") {
            assert!(href.starts_with('#'), "link leaves the page: {tag:?}");
        }
        for (name, value) in &tag.attrs {
            assert!(
                !name.starts_with("on"),
                "event handler {name}={value:?} in <{}>",
                tag.name
            );
            assert!(
                !value.contains('<') && !value.contains('"'),
                "unescaped attribute {name}={value:?}"
            );
        }
    }
}

#[test]
fn the_page_loads_nothing_from_outside_and_runs_no_script() {
    let body = "see https://evil.example/pic.png and http://evil.example/x.js";
    let mut linked = ad("a1", None, body);
    linked.url = Some("https://ads.example/a1".into());
    let found = result(
        "a1",
        0.5,
        vec![],
        vec![identifier(
            IdentifierKind::Url,
            "https://evil.example/pic.png",
            4,
            32,
        )],
    );
    let html = render(&input(vec![RankedAd {
        ad: &linked,
        result: &found,
    }]));

    for tag in tags(&html) {
        assert!(
            ![
                "script", "img", "link", "iframe", "object", "embed", "base", "form", "audio",
                "video", "source"
            ]
            .contains(&tag.name.as_str()),
            "<{}> may load or run something",
            tag.name
        );
        assert!(tag.attr("src").is_none(), "src in {tag:?}");
        if let Some(href) = tag.attr("href") {
            assert!(href.starts_with('#'), "link leaves the page: {href}");
        }
        // Tooltips may quote the ad; no other attribute may hold a URL.
        for (name, value) in tag.attrs.iter().filter(|(name, _)| name != "title") {
            assert!(!value.contains("//"), "URL in {name} of {tag:?}");
        }
    }
    assert!(!html.contains("url("), "CSS must not fetch");
    assert!(!html.contains("@import"), "CSS must not fetch");

    // Without URLs in the ads, the page holds no URL at all.
    let plain = ad("a2", None, "no links here");
    let nothing = result("a2", 0.1, vec![], vec![]);
    let html = render(&input(vec![RankedAd {
        ad: &plain,
        result: &nothing,
    }]));
    assert!(!html.contains("http:") && !html.contains("https:"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
}

#[test]
fn the_page_declares_its_policy_language_and_viewport() {
    let html = render(&input(vec![]));
    assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(html.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">"#
    ));
    assert!(
        html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#)
    );
    assert!(html.contains("@media print"));
}

#[test]
fn the_honesty_note_says_scores_are_leads_and_names_the_lexicon() {
    let html = render(&input(vec![]));
    let note_start = html.find(r#"<section class="note""#).expect("note section");
    let note = &html[note_start..note_start + html[note_start..].find("</section>").unwrap()];
    assert!(note.contains("Scores are leads for a human to check, not findings."));
    assert!(note.contains("2026.11.1"));
    assert!(note.contains("It is not a probability."));
    // Notes are placed before the charts.
    assert!(note_start < html.find("<svg").unwrap());
}

#[test]
fn the_indicator_chart_has_one_bar_per_indicator_up_to_twenty() {
    let mut report = input(vec![]);
    report.indicator_counts = (1..=25)
        .map(|n| indicator(&format!("ind.number_{n:02}"), n))
        .collect();
    let html = render(&report);
    let chart = svg(&html, "indicator-chart").expect("indicator chart");
    assert_eq!(bars(chart), 20);
    assert!(chart.contains("<title"), "the chart names itself");
    assert!(chart.contains(r#"role="img""#) && chart.contains("aria-labelledby="));
    // The chart keeps the most frequent; the table keeps them all.
    assert!(chart.contains("ind.number_25") && chart.contains("ind.number_06"));
    assert!(!chart.contains("ind.number_05"));
    assert!(html.contains("<code>ind.number_01</code>"));

    report.indicator_counts.truncate(3);
    let html = render(&report);
    assert_eq!(bars(svg(&html, "indicator-chart").unwrap()), 3);
}

#[test]
fn the_score_histogram_has_ten_bars_and_a_data_table() {
    let html = render(&input(vec![]));
    let chart = svg(&html, "score-chart").expect("score chart");
    assert_eq!(bars(chart), 10);
    assert!(chart.contains("<title"));
    assert!(html.contains("<caption>Ads by score decile</caption>"));
    assert!(html.contains("[0.9, 1.0]"));
    assert!(html.contains(r#"<td class="num">500</td>"#));
}

#[test]
fn identifier_table_shows_the_de_obfuscated_share() {
    let html = render(&input(vec![]));
    assert!(html.contains(
        r#"<tr><th scope="row">phone</th><td class="num">900</td><td class="num">225</td><td class="num">25.0%</td></tr>"#
    ));
    assert!(html.contains(
        r#"<tr><th scope="row">email</th><td class="num">40</td><td class="num">0</td><td class="num">0.0%</td></tr>"#
    ));
    assert!(html.contains(r#"<th scope="row">All kinds</th><th class="num">940</th>"#));
}

#[test]
fn a_top_ad_shows_its_reasons_identifiers_and_highlighted_text() {
    let mut listing = ad("ad-42", Some("New in town"), "Fresh girl, call 555 0100");
    listing.city = Some("Leeds".into());
    listing.posted_at = Some("2026-10-01".into());
    let text = listing.text().into_owned();
    let fresh = text.find("Fresh").unwrap() as u32;
    let phone = text.find("555").unwrap() as u32;
    let mut phone_id = identifier(IdentifierKind::Phone, "+445550100", phone, phone + 8);
    phone_id.obfuscated = true;
    phone_id.qualifier = Some("GB".into());
    let found = result(
        "ad-42",
        0.82,
        vec![reason("sex.youth.fresh", fresh, fresh + 5, "fresh")],
        vec![phone_id],
    );
    let html = render(&input(vec![RankedAd {
        ad: &listing,
        result: &found,
    }]));

    assert_well_formed(&html);
    assert!(html.contains(r##"<a href="#ad-1" class="mono">ad-42</a>"##));
    assert!(html.contains("<strong>0.82</strong>"));
    assert!(html.contains(r#"<rect class="fill" width="82.0" height="8"/>"#));
    assert!(html.contains("<dt>City</dt><dd>Leeds</dd>"));
    assert!(html.contains("<dt>Posted</dt><dd>2026-10-01</dd>"));
    assert!(
        !html.contains("<dt>Country</dt>"),
        "absent fields are left out"
    );
    assert!(html.contains(
        r#"<li><code>sex.youth.fresh</code> <span class="weight">+0.40</span> fresh</li>"#
    ));
    assert!(html.contains(r#"<span class="kind">phone</span> <code>+445550100</code> <span class="muted">(GB)</span> <span class="badge">de-obfuscated</span>"#));
    assert!(html.contains(
        r#"<blockquote class="adtext">New in town
<mark class="ind" title="sex.youth.fresh">Fresh</mark> girl, call <mark class="idf" title="phone: +445550100">555 0100</mark></blockquote>"#
    ));
}

#[test]
fn overlapping_nested_out_of_range_and_split_character_spans_render_balanced() {
    let body = "Nueva 😀 chica joven, llamá 555-0100 ya";
    let listing = ad("odd", None, body);
    let emoji = body.find('😀').unwrap() as u32;
    let found = result(
        "odd",
        1.5, // out of range scores are clamped in the bar
        vec![
            reason("outer", 0, 20, "whole start"),
            reason("nested", 2, 4, "inside outer"),
            reason("overlap", 15, 30, "crosses outer's end"),
            reason("split.char", emoji + 1, emoji + 3, "inside the emoji"),
            reason("past.end", 30, 500, "runs off the end"),
            reason("backwards", 9, 3, "end before start"),
            reason("empty", 5, 5, "no width"),
        ],
        vec![
            identifier(IdentifierKind::Phone, "+15550100", 27, 40),
            identifier(IdentifierKind::Age, "19", u32::MAX - 1, u32::MAX),
        ],
    );
    let html = render(&input(vec![RankedAd {
        ad: &listing,
        result: &found,
    }]));

    assert_well_formed(&html);
    assert_eq!(
        html.matches("<mark").count(),
        html.matches("</mark>").count()
    );
    assert!(html.contains(r#"<rect class="fill" width="100.0" height="8"/>"#));
    assert!(
        html.contains("5 of 9 highlights could not be placed"),
        "skipped spans are reported"
    );
    // The text survives whole, highlights or not.
    let quote_start = html.find(r#"<blockquote class="adtext">"#).unwrap();
    let quote =
        &html[quote_start..quote_start + html[quote_start..].find("</blockquote>").unwrap()];
    let mut text = String::new();
    let mut rest = quote;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[rest[open..].find('>').unwrap() + open + 1..];
    }
    text.push_str(rest);
    assert_eq!(text, body);
}

#[test]
fn an_empty_report_renders() {
    let html = render(&ReportInput::default());
    assert_well_formed(&html);
    assert!(
        html.contains("<title>ctip scan report</title>"),
        "a blank title falls back"
    );
    assert!(html.contains("No ads to show."));
    assert!(html.contains("No indicator fired in this scan."));
    assert!(html.contains("No identifiers found."));
    assert!(svg(&html, "indicator-chart").is_none());
    assert_eq!(bars(svg(&html, "score-chart").unwrap()), 10);
    assert!(html.contains("Scores are leads for a human to check, not findings."));
}

#[test]
fn odd_numbers_print_as_dashes_not_nan() {
    let mut report = input(vec![]);
    report.totals.elapsed_secs = f64::NAN;
    report.totals.ads_per_sec = f64::INFINITY;
    let listing = ad("n", None, "text");
    let found = result("n", f32::NAN, vec![], vec![]);
    report.top_ads.push(RankedAd {
        ad: &listing,
        result: &found,
    });
    let html = render(&report);
    assert!(!html.contains("NaN") && !html.contains("inf"));
    assert!(html.contains("<dt>Elapsed</dt><dd>–</dd>"));
}

#[test]
fn without_networks_there_is_no_networks_section() {
    let html = render(&input(vec![]));
    assert!(!html.contains(r#"id="networks""#));
    assert!(!html.contains("<h2 id=\"networks\">Networks</h2>"));
    assert!(!html.contains(r#"class="network""#));
    assert!(!html.contains(r#"class="chart graph""#));
}

#[test]
fn a_network_shows_its_risk_picture_timeline_circuit_and_evidence() {
    let mut report = input(vec![]);
    report.networks = vec![network()];
    let html = render(&report);
    assert_well_formed(&html);

    let section = html
        .find(r#"<section aria-labelledby="networks">"#)
        .expect("networks section");
    assert!(html.contains(r#"<h2 id="networks">Networks</h2>"#));
    assert!(section < html.find(r#"<h2 id="top-ads">"#).unwrap());
    // The caveat comes first.
    let caution = html.find("Links are leads, not findings.").expect("caveat");
    assert!(caution > section && caution < html.find(r#"<article class="network""#).unwrap());
    assert!(html.contains("not used to link ads"));

    assert!(html.contains(r##"<a href="#net-1" class="mono">N-1042</a>"##));
    let net = article(&html, r#"<article class="network" id="net-1""#);
    assert!(net.contains(
        r#"<h3 id="net-1-title"><span class="rank">#1</span> <span class="mono">N-1042</span> <span class="muted">· 57 ads</span></h3>"#
    ));
    assert!(net.contains("Risk <strong>78%</strong>"));
    assert!(net.contains(r#"<rect class="fill" width="78.0" height="8"/>"#));
    assert!(net.contains("<li>4 names on one phone</li>"));
    assert!(net.contains("<dt>Prices</dt><dd>80–300 USD/hour</dd>"));
    assert!(net.contains("<dt>Names</dt><dd>Lily, Amber</dd>"));

    // The picture: one shape per node, hubs marked and in the legend.
    let graph = graph_svg(net, "net-1-graph").expect("graph picture");
    assert!(graph.contains(r#"viewBox="0 0 "#));
    assert!(graph.contains(r#"role="img""#) && graph.contains("<title"));
    assert_eq!(graph_nodes(graph), 3);
    assert_eq!(graph.matches(r#"class="shape""#).count(), 3);
    assert_eq!(graph.matches("<line class=\"edge").count(), 2);
    assert!(graph.contains(r#"<g class="node hub">"#));
    assert!(graph.contains(r#"<line class="edge hub""#));
    assert!(net.contains("hub (shown, not used to link)"));

    let timeline = svg(net, "net-1-timeline").expect("timeline");
    assert!(timeline.contains("viewBox="));
    assert_eq!(bars(timeline), 3);
    assert!(net.contains(r#"<th scope="row" class="mono">2025-W10</th><td class="num">11</td>"#));

    assert!(
        net.contains("(2025)"),
        "a circuit within one year names it once"
    );
    assert!(net.contains(
        r#"<span class="city">Houston</span> <span class="muted">(Mar 2–Mar 9, 12 ads)</span>"#
    ));
    assert!(net.contains(
        r#"<span class="arrow" aria-hidden="true">→</span> <span class="city">Dallas</span>"#
    ));
    assert!(net.contains(r#"<span class="muted">(Mar 30, 1 ad)</span>"#));
    assert!(net.contains(
        r#"<tr><th scope="row">Houston</th><td class="num">21</td><td class="num">36.8%</td></tr>"#
    ));

    assert!(net.contains(
        r#"<tr class="hub"><td>email</td><th scope="row"><code>bookings@example.org</code></th><td class="num">48</td><td><span class="badge hub">hub – not used to link</span></td></tr>"#
    ));
    assert!(net.contains(
        r#"<tr><td>phone</td><th scope="row"><code>+17135550100</code></th><td class="num">33</td><td></td></tr>"#
    ));
    assert!(net.contains("31 ads · coverage 86%"));
    assert!(net.contains(
        r#"<blockquote class="adtext">NEW in <span class="slot">⟨city⟩</span>, call <span class="slot">⟨phone⟩</span></blockquote>"#
    ));

    // Still nothing that loads or runs.
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(!html.contains("http:") && !html.contains("https:") && !html.contains("xmlns"));
    assert_eq!(html, render(&report), "the same networks, the same page");
}

#[test]
fn networks_are_numbered_in_the_order_given() {
    let mut report = input(vec![]);
    let mut second = network();
    second.id = "N-7".into();
    report.networks = vec![network(), second];
    let html = render(&report);
    assert_well_formed(&html);
    assert!(html.contains(r##"<a href="#net-2" class="mono">N-7</a>"##));
    assert!(graph_svg(&html, "net-1-graph").is_some());
    assert!(graph_svg(&html, "net-2-graph").is_some());
    assert!(html.find("N-1042").unwrap() < html.find("N-7").unwrap());
}

#[test]
fn hostile_network_strings_stay_inert() {
    const EVIL: &str = r#"<script>alert(1)</script>"><img src=x onerror='x'>"#;
    let evil = || EVIL.to_owned();
    let mut hostile = network();
    hostile.id = evil();
    hostile.risk_reasons = vec![evil()];
    hostile.first_seen = Some(evil());
    hostile.last_seen = Some(evil());
    hostile.price_range = Some(evil());
    hostile.names = vec![evil(), "Lily".into()];
    hostile.cities = vec![(evil(), 3)];
    hostile.circuit = vec![stop(EVIL, EVIL, "2025-03-02", 3), stop("x", "", EVIL, 1)];
    hostile.timeline = vec![(evil(), 3), ("w2".into(), 1)];
    hostile.identifiers[0].kind = evil();
    hostile.identifiers[0].value = evil();
    hostile.templates = vec![TemplateView {
        id: evil(),
        ads: 3,
        text: format!("{EVIL} ⟨{EVIL}⟩ ⟨phone⟩ {EVIL}"),
        coverage: 0.5,
    }];
    hostile.graph.nodes[0].label = evil();
    hostile.graph.nodes[1].label = "<script>".into();
    let mut report = input(vec![]);
    report.networks = vec![hostile];
    let html = render(&report);

    assert_well_formed(&html);
    let net = article(&html, r#"<article class="network" id="net-1""#);
    assert!(net.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=&#39;x&#39;&gt;"
    ));
    // Every place an untrusted string lands, and still escaped there.
    for place in [
        r#"<span class="mono">&lt;script&gt;"#,
        "<dt>Names</dt><dd>&lt;script&gt;",
        r#"<span class="city">&lt;script&gt;"#,
        r#"<th scope="row">&lt;script&gt;"#,
        r#"<code>&lt;script&gt;"#,
        r#"<span class="slot">⟨&lt;script&gt;"#,
        r#"<title>template: &lt;script&gt;"#,
        r#"<title>&lt;script&gt;alert(1)"#,
        r#"<li>&lt;script&gt;"#,
    ] {
        assert!(net.contains(place), "missing {place:?}");
    }
    for tag in tags(&html) {
        assert!(
            !["script", "img"].contains(&tag.name.as_str()),
            "hostile tag got through: {tag:?}"
        );
        for (name, value) in &tag.attrs {
            assert!(!name.starts_with("on"), "event handler {name} in {tag:?}");
            assert!(!value.contains('<') && !value.contains('"'));
        }
    }
    // Element ids come from the rank, never from the network's own id.
    assert!(html.contains(r#"<article class="network" id="net-1" aria-labelledby="net-1-title">"#));
}

#[test]
fn a_huge_graph_is_cut_to_its_heaviest_nodes_and_says_so() {
    let mut big = network();
    big.graph = NetworkGraph {
        nodes: (0..500u64)
            .map(|i| {
                let kind = match i % 10 {
                    0 => GraphNodeKind::Template,
                    1 => GraphNodeKind::Hub,
                    2 | 3 => GraphNodeKind::Email,
                    4 => GraphNodeKind::Wallet,
                    5 | 6 => GraphNodeKind::Handle,
                    _ => GraphNodeKind::Phone,
                };
                graph_node(&format!("node number {i} with a long name"), kind, i % 97)
            })
            .collect(),
        edges: (0..500)
            .flat_map(|i| [(i, (i * 7 + 3) % 500), (i, i / 10 * 10)])
            .collect(),
    };
    let mut report = input(vec![]);
    report.networks = vec![big];
    let html = render(&report);
    assert_well_formed(&html);

    let graph = graph_svg(&html, "net-1-graph").unwrap();
    assert_eq!(graph_nodes(graph), 60);
    assert!(html.contains("Only the 60 heaviest of 500 are drawn"));
    assert!(html.contains("440 more are not drawn"));
    // Long labels are cut, and only some nodes get one.
    assert!(graph.contains("node number 96 wi…"));
    let labels = graph.matches(r#"class="nlabel""#).count();
    assert!((1..=24).contains(&labels), "{labels} labels");
    assert!(html.contains(&format!("Only {labels} are labelled")));
}

#[test]
fn an_empty_network_and_odd_data_render() {
    let mut odd = network();
    odd.risk = f32::NAN;
    odd.graph.edges = vec![(0, 0), (0, 99), (usize::MAX, 1), (1, 0), (0, 1)];
    odd.timeline = (0..1000).map(|d| (format!("d{d}"), u64::MAX / 3)).collect();
    odd.circuit = (0..50)
        .map(|i| {
            stop(
                "",
                "",
                if i % 2 == 0 {
                    "2024-12-31"
                } else {
                    "2025-01-02"
                },
                0,
            )
        })
        .collect();
    let mut report = input(vec![]);
    report.networks = vec![NetworkView::default(), odd];
    let html = render(&report);
    assert_well_formed(&html);

    let empty = article(&html, r#"<article class="network" id="net-1""#);
    assert!(empty.contains(r#"<span class="mono">(no id)</span>"#));
    for missing in [
        "No links to draw.",
        "No dates.",
        "No places.",
        "No shared identifiers.",
        "No templates.",
    ] {
        assert!(empty.contains(missing), "missing {missing:?}");
    }
    assert!(!empty.contains("<svg class=\"chart"), "nothing to chart");

    let odd = article(&html, r#"<article class="network" id="net-2""#);
    assert!(odd.contains("Risk <strong>–</strong>"));
    assert_eq!(
        odd.matches("<line class=\"edge").count(),
        1,
        "one real link"
    );
    assert!(bars(svg(odd, "net-2-timeline").unwrap()) <= 120);
    assert!(odd.contains("Each bar adds up 9 periods."));
    assert!(
        odd.contains("Dec 31, 2024"),
        "dates keep their year across years"
    );
    assert!(odd.contains("and 10 more stops"));
    assert!(!html.contains("NaN") && !html.contains("inf"));
}

// ---------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z <>&\"'é😀\n]{0,40}", "\\PC{0,30}",]
}

fn spans() -> impl Strategy<Value = Vec<(u32, u32, bool)>> {
    prop::collection::vec((0u32..64, 0u32..64, any::<bool>()), 0..16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_and_spans_render_balanced_marks(
        title in proptest::option::of("[a-z<]{0,8}"),
        body in text(),
        spans in spans(),
    ) {
        let listing = ad("p", title.as_deref(), &body);
        let mut reasons = Vec::new();
        let mut identifiers = Vec::new();
        for (start, end, is_reason) in spans {
            if is_reason {
                reasons.push(reason("prop.indicator", start, end, "evidence"));
            } else {
                identifiers.push(identifier(IdentifierKind::Handle, "h", start, end));
            }
        }
        let found = result("p", 0.5, reasons, identifiers);
        let html = render(&input(vec![RankedAd { ad: &listing, result: &found }]));
        prop_assert_eq!(html.matches("<mark").count(), html.matches("</mark>").count());
        assert_well_formed(&html);
    }

    #[test]
    fn any_graph_draws_one_shape_per_kept_node(
        nodes in prop::collection::vec((text(), 0u8..6, 0u64..1_000), 1..90),
        edges in prop::collection::vec((0usize..100, 0usize..100), 0..200),
    ) {
        let kinds = [
            GraphNodeKind::Template,
            GraphNodeKind::Phone,
            GraphNodeKind::Email,
            GraphNodeKind::Handle,
            GraphNodeKind::Wallet,
            GraphNodeKind::Hub,
        ];
        let count = nodes.len();
        let mut net = network();
        net.graph = NetworkGraph {
            nodes: nodes
                .into_iter()
                .map(|(label, kind, weight)| graph_node(&label, kinds[usize::from(kind)], weight))
                .collect(),
            edges,
        };
        let mut report = input(vec![]);
        report.networks = vec![net];
        let html = render(&report);
        assert_well_formed(&html);
        let graph = graph_svg(&html, "net-1-graph").unwrap();
        prop_assert_eq!(graph_nodes(graph), count.min(60));
        prop_assert!(!graph.contains("NaN"));
    }
}
