//! Print a report built from made-up data, to look at the page by hand:
//!
//! ```sh
//! cargo run -p ctip-report --example sample_report > /tmp/report.html
//! ```

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Reason, Span};
use ctip_report::{
    CircuitStop, GraphNode, GraphNodeKind, IndicatorCount, NetworkGraph, NetworkIdentifier,
    NetworkView, RankedAd, ReportInput, TemplateView, Totals, render,
};

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).expect("needle in text");
    Span::new(start, start + needle.len())
}

fn main() {
    let ads = [
        Ad {
            id: "demo-0001".into(),
            title: Some("NEW in town 🌸 sweet & young".into()),
            body: "Fresh girl just arrived, only here 3 days. Call five five five 0100 or \
                   text sweetie@example.org. 150 roses hh. <script>alert(1)</script>"
                .into(),
            city: Some("Leeds".into()),
            country: Some("GB".into()),
            posted_at: Some("2026-10-01T21:14:00Z".into()),
            ..Ad::default()
        },
        Ad {
            id: "demo-0002".into(),
            body: "Workers wanted, travel and housing provided, pay the fee on arrival. \
                   Passport held for safekeeping."
                .into(),
            city: Some("Rotterdam".into()),
            ..Ad::default()
        },
    ];
    let texts: Vec<String> = ads.iter().map(|ad| ad.text().into_owned()).collect();

    let reason = |text: &str, indicator: &str, weight: f32, words: &str| Reason {
        indicator: indicator.into(),
        weight,
        span: Some(span_of(text, words)),
        evidence: words.into(),
    };
    let mut phone = Identifier::new(
        IdentifierKind::Phone,
        "+445550100",
        span_of(&texts[0], "five five five 0100"),
    );
    phone.obfuscated = true;
    phone.qualifier = Some("GB".into());
    let results = [
        AdResult {
            id: "demo-0001".into(),
            identifiers: vec![
                phone,
                Identifier::new(
                    IdentifierKind::Email,
                    "sweetie@example.org",
                    span_of(&texts[0], "sweetie@example.org"),
                ),
                Identifier::new(
                    IdentifierKind::Price,
                    "150 roses/30",
                    span_of(&texts[0], "150 roses hh"),
                ),
            ],
            indicators: vec!["sex.youth.fresh".into(), "any.movement.new_in_town".into()],
            score: 0.83,
            reasons: vec![
                reason(&texts[0], "sex.youth.fresh", 0.45, "Fresh girl"),
                reason(&texts[0], "sex.youth.fresh", 0.2, "young"),
                reason(&texts[0], "any.movement.new_in_town", 0.35, "NEW in town"),
                reason(
                    &texts[0],
                    "any.movement.short_stay",
                    0.3,
                    "only here 3 days",
                ),
                Reason {
                    indicator: "struct.coded_price".into(),
                    weight: 0.15,
                    span: None,
                    evidence: "price given in roses".into(),
                },
            ],
        },
        AdResult {
            id: "demo-0002".into(),
            identifiers: vec![],
            indicators: vec![
                "labour.recruitment_fee".into(),
                "labour.documents_held".into(),
            ],
            score: 0.61,
            reasons: vec![
                reason(
                    &texts[1],
                    "labour.recruitment_fee",
                    0.4,
                    "pay the fee on arrival",
                ),
                reason(&texts[1], "labour.documents_held", 0.5, "Passport held"),
            ],
        },
    ];

    let indicator = |id: &str, exploitation: &str, count: u64, description: &str| IndicatorCount {
        id: id.into(),
        description: description.into(),
        exploitation: exploitation.into(),
        count,
    };
    let input = ReportInput {
        title: "ctip scan report",
        generated_at: "2026-11-05T10:00:00Z",
        ctip_version: env!("CARGO_PKG_VERSION"),
        lexicon_version: "2026.11.1",
        totals: Totals {
            ads_read: 120_431,
            ads_scanned: 120_402,
            malformed_skipped: 29,
            identifiers_found: 98_112,
            elapsed_secs: 84.2,
            ads_per_sec: 1_430.0,
        },
        identifier_counts: vec![
            (IdentifierKind::Phone, 61_200),
            (IdentifierKind::Email, 8_410),
            (IdentifierKind::Handle, 14_020),
            (IdentifierKind::Age, 9_900),
            (IdentifierKind::Price, 4_500),
            (IdentifierKind::Wallet, 82),
        ],
        obfuscated_counts: vec![
            (IdentifierKind::Phone, 9_180),
            (IdentifierKind::Email, 1_900),
            (IdentifierKind::Handle, 300),
        ],
        indicator_counts: vec![
            indicator(
                "sex.youth.fresh",
                "sexual",
                8_204,
                "Words stressing youth or inexperience.",
            ),
            indicator(
                "any.movement.new_in_town",
                "any",
                6_120,
                "The person has just arrived.",
            ),
            indicator(
                "any.movement.short_stay",
                "any",
                4_010,
                "Only here for a few days.",
            ),
            indicator(
                "struct.coded_price",
                "sexual",
                2_300,
                "A price in code words.",
            ),
            indicator(
                "labour.recruitment_fee",
                "labour",
                640,
                "The worker pays to get the job.",
            ),
            indicator(
                "labour.documents_held",
                "labour",
                75,
                "Someone else keeps the worker's papers.",
            ),
            indicator("struct.age_minor", "sexual", 3, "A stated age under 18."),
        ],
        score_histogram: [
            81_200, 20_100, 9_050, 4_800, 2_600, 1_400, 700, 350, 150, 52,
        ],
        top_ads: ads
            .iter()
            .zip(&results)
            .map(|(ad, result)| RankedAd { ad, result })
            .collect(),
        notes: vec!["This sample uses made-up ads.".into()],
        networks: vec![sample_network(), busy_network()],
    };
    print!("{}", render(&input));
}

/// A made-up network: three templates, a few phones and handles, one
/// booking-service hub, moving between four cities.
fn sample_network() -> NetworkView {
    let node = |label: &str, kind, weight| GraphNode {
        label: label.into(),
        kind,
        weight,
    };
    let stop = |city: &str, from: &str, to: &str, ads| CircuitStop {
        city: city.into(),
        from: from.into(),
        to: to.into(),
        ads,
    };
    let identifier = |kind: &str, value: &str, ads, hub| NetworkIdentifier {
        kind: kind.into(),
        value: value.into(),
        ads,
        hub,
    };
    NetworkView {
        id: "N-1042".into(),
        ads: 57,
        risk: 0.78,
        risk_reasons: vec![
            "4 cities in 5 weeks".into(),
            "4 names on one phone".into(),
            "youth indicators in 31 ads".into(),
        ],
        first_seen: Some("2025-03-02".into()),
        last_seen: Some("2025-04-06".into()),
        price_range: Some("80–300 USD/hour".into()),
        names: vec!["Lily".into(), "Amber".into(), "Kim".into(), "Jade".into()],
        cities: vec![
            ("Houston".into(), 21),
            ("Dallas".into(), 17),
            ("Austin".into(), 12),
            ("San Antonio".into(), 7),
        ],
        circuit: vec![
            stop("Houston", "2025-03-02", "2025-03-09", 12),
            stop("Dallas", "2025-03-10", "2025-03-18", 17),
            stop("Austin", "2025-03-19", "2025-03-25", 12),
            stop("San Antonio", "2025-03-26", "2025-03-30", 7),
            stop("Houston", "2025-03-31", "2025-04-06", 9),
        ],
        timeline: vec![
            ("2025-W09".into(), 4),
            ("2025-W10".into(), 11),
            ("2025-W11".into(), 15),
            ("2025-W12".into(), 9),
            ("2025-W13".into(), 10),
            ("2025-W14".into(), 8),
        ],
        identifiers: vec![
            identifier("phone", "+17135550100", 33, false),
            identifier("phone", "+12145550123", 14, false),
            identifier("handle", "@sweet.lily", 20, false),
            identifier("email", "bookings@example.org", 48, true),
        ],
        templates: vec![
            TemplateView {
                id: "T-17".into(),
                ads: 31,
                text: "NEW in ⟨city⟩ 🌸 sweet ⟨name⟩, only here ⟨…⟩ days. Call ⟨phone⟩.".into(),
                coverage: 0.86,
            },
            TemplateView {
                id: "T-18".into(),
                ads: 19,
                text: "⟨name⟩ visiting ⟨city⟩ this week, text ⟨phone⟩ or ⟨handle⟩".into(),
                coverage: 0.74,
            },
            TemplateView {
                id: "T-23".into(),
                ads: 7,
                text: "Book through ⟨email⟩. ⟨price⟩ hh".into(),
                coverage: 0.61,
            },
        ],
        graph: NetworkGraph {
            nodes: vec![
                node("T-17", GraphNodeKind::Template, 31),
                node("T-18", GraphNodeKind::Template, 19),
                node("T-23", GraphNodeKind::Template, 7),
                node("+17135550100", GraphNodeKind::Phone, 33),
                node("+12145550123", GraphNodeKind::Phone, 14),
                node("@sweet.lily", GraphNodeKind::Handle, 20),
                node("bookings@example.org", GraphNodeKind::Hub, 48),
                node(
                    "0x52908400098527886E0F7030069857D2E4169EE7",
                    GraphNodeKind::Wallet,
                    3,
                ),
            ],
            edges: vec![
                (0, 3),
                (0, 4),
                (1, 3),
                (1, 5),
                (2, 6),
                (0, 6),
                (2, 7),
                (3, 5),
            ],
        },
    }
}

/// A made-up network too big to draw whole: eight templates and 120
/// identifiers, each identifier in one or two templates' ads, and a year of
/// daily counts.
fn busy_network() -> NetworkView {
    let kinds = [
        GraphNodeKind::Phone,
        GraphNodeKind::Handle,
        GraphNodeKind::Email,
        GraphNodeKind::Phone,
        GraphNodeKind::Wallet,
    ];
    let mut nodes: Vec<GraphNode> = (0..8)
        .map(|t| GraphNode {
            label: format!("T-{}", 200 + t),
            kind: GraphNodeKind::Template,
            weight: 90 - 9 * t,
        })
        .collect();
    let mut edges = Vec::new();
    for i in 0..120u64 {
        let kind = if i % 23 == 0 {
            GraphNodeKind::Hub
        } else {
            kinds[i as usize % kinds.len()]
        };
        nodes.push(GraphNode {
            label: format!("+1555{:07}", i * 7919 % 10_000_000),
            kind,
            weight: 1 + (i * 37) % 29,
        });
        let at = nodes.len() - 1;
        edges.push(((i % 8) as usize, at));
        if i % 3 == 0 {
            edges.push((((i + 1) % 8) as usize, at));
        }
    }
    NetworkView {
        id: "N-2210".into(),
        ads: 640,
        risk: 0.55,
        risk_reasons: vec!["12 cities".into()],
        timeline: (1..=365)
            .map(|d| (format!("day {d}"), (d * 13 % 7) as u64))
            .collect(),
        graph: NetworkGraph { nodes, edges },
        ..NetworkView::default()
    }
}
