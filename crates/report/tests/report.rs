//! The report as a user gets it: render a scan and read the HTML back.

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Reason, Span};
use ctip_report::{IndicatorCount, RankedAd, ReportInput, Totals, render};
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
}
