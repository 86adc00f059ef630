//! Scoring extracted identifiers against the planted truth. Pure: no I/O.
//!
//! Each ad is scored on its own, as multisets of `(kind, qualifier, value)`
//! where the qualifier counts only for handles (the platform) and wallets
//! (the chain): a phone's qualifier is the region it was read in, which is
//! not part of what was planted. Values are compared exactly, so extractors
//! must report canonical values (see [`crate::truth::PlantedIdentifier`]).
//! URLs and domains are never scored.

use crate::truth::{TruthRecord, obfuscation};
use ctip_core::{Identifier, IdentifierKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kinds the truth plants and [`ExtractionEval`] scores.
pub const SCORED_KINDS: [IdentifierKind; 6] = [
    IdentifierKind::Phone,
    IdentifierKind::Email,
    IdentifierKind::Handle,
    IdentifierKind::Age,
    IdentifierKind::Price,
    IdentifierKind::Wallet,
];

/// Whether `kind` is scored (URLs and domains are not).
pub fn is_scored(kind: IdentifierKind) -> bool {
    SCORED_KINDS.contains(&kind)
}

/// Counts for one kind, summed over ads (micro-average).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindScore {
    pub true_pos: u64,
    pub false_pos: u64,
    pub false_neg: u64,
}

impl KindScore {
    /// Share of extracted identifiers that were planted; 1 when nothing was
    /// extracted, since nothing false was claimed.
    pub fn precision(&self) -> f64 {
        ratio_or_one(self.true_pos, self.true_pos + self.false_pos)
    }

    /// Share of planted identifiers that were extracted; 1 when nothing was
    /// planted, since nothing was missed.
    pub fn recall(&self) -> f64 {
        ratio_or_one(self.true_pos, self.true_pos + self.false_neg)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn absorb(&mut self, other: KindScore) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
    }
}

fn ratio_or_one(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Extraction quality over a corpus: per kind, and for phones on the ads
/// whose planted phones were all disguised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractionEval {
    /// Ads added so far.
    pub ads: u64,
    /// One entry per [`SCORED_KINDS`] once an ad has been added.
    pub per_kind: BTreeMap<IdentifierKind, KindScore>,
    /// Phones, counted only on ads that have planted phones and where every
    /// one of them is obfuscated; extra phones found there count as false
    /// positives.
    pub obfuscated_phones: KindScore,
    /// Ads that entered `obfuscated_phones`.
    pub obfuscated_phone_ads: u64,
}

type Key<'a> = (IdentifierKind, Option<&'a str>, &'a str);

fn key<'a>(kind: IdentifierKind, qualifier: Option<&'a str>, value: &'a str) -> Key<'a> {
    let qualifier = match kind {
        IdentifierKind::Handle | IdentifierKind::Wallet => qualifier,
        _ => None,
    };
    (kind, qualifier, value)
}

/// Multiset comparison of one kind's keys: both sides sorted, walked once.
fn score_multiset(mut want: Vec<Key<'_>>, mut got: Vec<Key<'_>>) -> KindScore {
    want.sort_unstable();
    got.sort_unstable();
    let (mut w, mut g) = (0, 0);
    let mut true_pos = 0;
    while w < want.len() && g < got.len() {
        match want[w].cmp(&got[g]) {
            std::cmp::Ordering::Equal => {
                true_pos += 1;
                w += 1;
                g += 1;
            }
            std::cmp::Ordering::Less => w += 1,
            std::cmp::Ordering::Greater => g += 1,
        }
    }
    KindScore {
        true_pos,
        false_pos: got.len() as u64 - true_pos,
        false_neg: want.len() as u64 - true_pos,
    }
}

impl ExtractionEval {
    /// Scores one ad: what `truth` planted against what was `extracted`.
    pub fn add(&mut self, truth: &TruthRecord, extracted: &[Identifier]) {
        self.ads += 1;
        for kind in SCORED_KINDS {
            let want: Vec<Key<'_>> = truth
                .planted
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| key(p.kind, p.qualifier.as_deref(), &p.value))
                .collect();
            let got: Vec<Key<'_>> = extracted
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| key(i.kind, i.qualifier.as_deref(), &i.value))
                .collect();
            let all_phones_disguised = kind == IdentifierKind::Phone
                && !want.is_empty()
                && truth
                    .planted
                    .iter()
                    .filter(|p| p.kind == IdentifierKind::Phone)
                    .all(|p| p.obfuscation != obfuscation::PLAIN);
            let score = score_multiset(want, got);
            if all_phones_disguised {
                self.obfuscated_phones.absorb(score);
                self.obfuscated_phone_ads += 1;
            }
            self.per_kind.entry(kind).or_default().absorb(score);
        }
    }

    /// The score of one kind (zeros before any ad was added).
    pub fn kind(&self, kind: IdentifierKind) -> KindScore {
        self.per_kind.get(&kind).copied().unwrap_or_default()
    }

    /// All scored kinds together.
    pub fn overall(&self) -> KindScore {
        let mut total = KindScore::default();
        for score in self.per_kind.values() {
            total.absorb(*score);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::{Category, PlantedIdentifier};
    use ctip_core::Span;

    use IdentifierKind::{Age, Email, Handle, Phone, Price, Url, Wallet};

    /// `(kind, qualifier, value, obfuscation)`.
    type Planted = (
        IdentifierKind,
        Option<&'static str>,
        &'static str,
        &'static str,
    );
    /// `(kind, qualifier, value)`.
    type Found = (IdentifierKind, Option<&'static str>, &'static str);

    fn truth(planted: &[Planted]) -> TruthRecord {
        TruthRecord {
            id: "ad-0000001".into(),
            network: None,
            template: None,
            category: Category::Escort,
            trafficking: false,
            planted: planted
                .iter()
                .map(|&(kind, qualifier, value, obfuscation)| PlantedIdentifier {
                    kind,
                    value: value.into(),
                    qualifier: qualifier.map(Into::into),
                    surface: value.into(),
                    obfuscation: obfuscation.into(),
                })
                .collect(),
        }
    }

    fn found(items: &[Found]) -> Vec<Identifier> {
        items
            .iter()
            .map(|&(kind, qualifier, value)| {
                let mut id = Identifier::new(kind, value, Span::new(0, 1));
                id.qualifier = qualifier.map(Into::into);
                id
            })
            .collect()
    }

    struct Case {
        name: &'static str,
        planted: &'static [Planted],
        found: &'static [Found],
        kind: IdentifierKind,
        /// `(true_pos, false_pos, false_neg)` of `kind`.
        expect: (u64, u64, u64),
    }

    const CASES: &[Case] = &[
        Case {
            name: "exact match",
            planted: &[(Phone, None, "+12135550147", "plain")],
            found: &[(Phone, Some("US"), "+12135550147")],
            kind: Phone,
            expect: (1, 0, 0),
        },
        Case {
            name: "missed phone is a false negative",
            planted: &[(Phone, None, "+12135550147", "keycap")],
            found: &[],
            kind: Phone,
            expect: (0, 0, 1),
        },
        Case {
            name: "wrong phone is a false positive and a false negative",
            planted: &[(Phone, None, "+12135550147", "plain")],
            found: &[(Phone, None, "+13125550188")],
            kind: Phone,
            expect: (0, 1, 1),
        },
        Case {
            name: "a repeated phone must be found each time",
            planted: &[
                (Phone, None, "+12135550147", "plain"),
                (Phone, None, "+12135550147", "fullwidth"),
            ],
            found: &[(Phone, None, "+12135550147")],
            kind: Phone,
            expect: (1, 0, 1),
        },
        Case {
            name: "found twice but planted once",
            planted: &[(Email, None, "rosie22@example.com", "plain")],
            found: &[
                (Email, None, "rosie22@example.com"),
                (Email, None, "rosie22@example.com"),
            ],
            kind: Email,
            expect: (1, 1, 0),
        },
        Case {
            name: "handle platform must agree",
            planted: &[(Handle, Some("instagram"), "sweet_rosie", "plain")],
            found: &[(Handle, Some("snapchat"), "sweet_rosie")],
            kind: Handle,
            expect: (0, 1, 1),
        },
        Case {
            name: "wallet chain must agree",
            planted: &[(Wallet, Some("eth"), "0xabc", "plain")],
            found: &[(Wallet, Some("eth"), "0xabc")],
            kind: Wallet,
            expect: (1, 0, 0),
        },
        Case {
            name: "age qualifier is ignored",
            planted: &[(Age, None, "19", "plain")],
            found: &[(Age, Some("anything"), "19")],
            kind: Age,
            expect: (1, 0, 0),
        },
        Case {
            name: "price duration is part of the value",
            planted: &[(Price, None, "200 USD/60min", "plain")],
            found: &[(Price, None, "200 USD")],
            kind: Price,
            expect: (0, 1, 1),
        },
        Case {
            name: "urls are never scored",
            planted: &[],
            found: &[(Url, None, "https://classihub.example/a")],
            kind: Phone,
            expect: (0, 0, 0),
        },
    ];

    #[test]
    fn each_kind_is_scored_as_a_multiset() {
        for case in CASES {
            let mut eval = ExtractionEval::default();
            eval.add(&truth(case.planted), &found(case.found));
            let s = eval.kind(case.kind);
            assert_eq!(
                (s.true_pos, s.false_pos, s.false_neg),
                case.expect,
                "{}",
                case.name
            );
            assert!(!eval.per_kind.contains_key(&Url), "{}", case.name);
            assert_eq!(eval.per_kind.len(), SCORED_KINDS.len(), "{}", case.name);
        }
    }

    #[test]
    fn obfuscated_phones_count_only_ads_whose_phones_are_all_disguised() {
        let mut eval = ExtractionEval::default();
        // Disguised only: counted, with the extra phone as a false positive.
        eval.add(
            &truth(&[(Phone, None, "+12135550147", "keycap")]),
            &found(&[(Phone, None, "+12135550147"), (Phone, None, "+12135550199")]),
        );
        // One plain phone among them: left out.
        eval.add(
            &truth(&[
                (Phone, None, "+13125550188", "plain"),
                (Phone, None, "+13125550101", "circled"),
            ]),
            &found(&[]),
        );
        // No phone planted: left out even if one is found.
        eval.add(&truth(&[]), &found(&[(Phone, None, "+14155550100")]));
        let o = eval.obfuscated_phones;
        assert_eq!((o.true_pos, o.false_pos, o.false_neg), (1, 1, 0));
        assert_eq!(eval.obfuscated_phone_ads, 1);
        let all = eval.kind(Phone);
        assert_eq!((all.true_pos, all.false_pos, all.false_neg), (1, 2, 2));
        assert_eq!(eval.ads, 3);
    }

    #[test]
    fn rates_follow_their_definitions() {
        let s = KindScore {
            true_pos: 3,
            false_pos: 1,
            false_neg: 1,
        };
        assert!((s.precision() - 0.75).abs() < 1e-12);
        assert!((s.recall() - 0.75).abs() < 1e-12);
        assert!((s.f1() - 0.75).abs() < 1e-12);
        let empty = KindScore::default();
        assert_eq!((empty.precision(), empty.recall()), (1.0, 1.0));
        let missed = KindScore {
            true_pos: 0,
            false_pos: 0,
            false_neg: 4,
        };
        assert_eq!(missed.f1(), 0.0);
    }
}
