//! Print a report built from made-up data, to look at the page by hand:
//!
//! ```sh
//! cargo run -p ctip-report --example sample_report > /tmp/report.html
//! ```

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Reason, Span};
use ctip_report::{IndicatorCount, RankedAd, ReportInput, Totals, render};

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
    };
    print!("{}", render(&input));
}
