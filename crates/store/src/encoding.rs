//! The compact form in which an ad's result is stored.
//!
//! A scan of a million ads writes a million results, so the stored form is
//! kept small: short keys, spans as pairs, the indicator list derived from
//! the reasons, and a reason's evidence left out whenever it is exactly the
//! ad text under its span (it is restored from the text on load, so a round
//! trip gives back the same `AdResult`).

use ctip_core::{
    Ad, AdResult, Identifier, IdentifierKind, Price, Reason, Span, TITLE_BODY_SEPARATOR,
};
use serde::{Deserialize, Serialize};

/// The stored form as read back. [`StoredResultRef`] writes the same JSON
/// from borrowed fields, so preparing an ad copies none of its strings.
#[derive(Deserialize)]
struct StoredResult {
    #[serde(rename = "i", default)]
    identifiers: Vec<StoredIdentifier>,
    #[serde(rename = "r", default)]
    reasons: Vec<StoredReason>,
}

#[derive(Deserialize)]
struct StoredIdentifier {
    #[serde(rename = "k")]
    kind: IdentifierKind,
    #[serde(rename = "v")]
    value: String,
    #[serde(rename = "s")]
    span: [u32; 2],
    #[serde(rename = "q", default)]
    qualifier: Option<String>,
    #[serde(rename = "p", default)]
    price: Option<Price>,
    #[serde(rename = "o", default)]
    obfuscated: bool,
}

#[derive(Deserialize)]
struct StoredReason {
    #[serde(rename = "k")]
    indicator: String,
    #[serde(rename = "w")]
    weight: f32,
    #[serde(rename = "s", default)]
    span: Option<[u32; 2]>,
    #[serde(rename = "e", default)]
    evidence: Option<String>,
}

#[derive(Serialize)]
struct StoredResultRef<'a> {
    #[serde(rename = "i")]
    identifiers: Vec<StoredIdentifierRef<'a>>,
    #[serde(rename = "r")]
    reasons: Vec<StoredReasonRef<'a>>,
}

#[derive(Serialize)]
struct StoredIdentifierRef<'a> {
    #[serde(rename = "k")]
    kind: IdentifierKind,
    #[serde(rename = "v")]
    value: &'a str,
    #[serde(rename = "s")]
    span: [u32; 2],
    #[serde(rename = "q", skip_serializing_if = "Option::is_none")]
    qualifier: Option<&'a str>,
    #[serde(rename = "p", skip_serializing_if = "Option::is_none")]
    price: Option<&'a Price>,
    #[serde(rename = "o", skip_serializing_if = "std::ops::Not::not")]
    obfuscated: bool,
}

#[derive(Serialize)]
struct StoredReasonRef<'a> {
    #[serde(rename = "k")]
    indicator: &'a str,
    #[serde(rename = "w")]
    weight: f32,
    #[serde(rename = "s", skip_serializing_if = "Option::is_none")]
    span: Option<[u32; 2]>,
    #[serde(rename = "e", skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

/// Whether `evidence` is exactly the ad's text (`Ad::text`: title,
/// separator, body) under `span`, compared piece by piece instead of
/// building the text. It agrees with `text.get(span) == Some(evidence)`:
/// equal bytes that form a whole `&str` start and end on character
/// boundaries, and an empty span is checked for one.
fn under_span(ad: &Ad, span: Span, evidence: &str) -> bool {
    let (start, end) = (span.start as usize, span.end as usize);
    if end < start || end - start != evidence.len() {
        return false;
    }
    let title = ad.title.as_deref().unwrap_or("");
    let pieces: [&str; 3] = match (title.is_empty(), ad.body.is_empty()) {
        (false, false) => [title, TITLE_BODY_SEPARATOR, &ad.body],
        (false, true) => [title, "", ""],
        (true, _) => [&ad.body, "", ""],
    };
    if start == end {
        let mut offset = 0;
        for piece in pieces {
            if start <= offset + piece.len() {
                return piece.is_char_boundary(start - offset);
            }
            offset += piece.len();
        }
        return false;
    }
    let mut offset = 0;
    let mut matched = 0;
    for piece in pieces {
        let (from, to) = (offset, offset + piece.len());
        offset = to;
        let (lo, hi) = (start.max(from), end.min(to));
        if lo >= hi {
            continue;
        }
        let wanted = &evidence.as_bytes()[lo - start..hi - start];
        if &piece.as_bytes()[lo - from..hi - from] != wanted {
            return false;
        }
        matched += hi - lo;
    }
    end <= offset && matched == evidence.len()
}

/// An ad ready to be written: everything costly (serialising, choosing the
/// linking identifiers) done, so it can be prepared on any thread and the
/// single writer only binds values.
#[derive(Debug, Clone)]
pub struct PreparedAd {
    pub(crate) ad: Ad,
    pub(crate) score: f32,
    /// The compact result, as JSON.
    pub(crate) result: String,
    /// `(kind, value)` of the identifiers that link ads, deduplicated.
    pub(crate) links: Vec<(IdentifierKind, String)>,
}

impl PreparedAd {
    pub fn new(ad: Ad, result: &AdResult) -> PreparedAd {
        let stored = StoredResultRef {
            identifiers: result
                .identifiers
                .iter()
                .map(|i| StoredIdentifierRef {
                    kind: i.kind,
                    value: &i.value,
                    span: [i.span.start, i.span.end],
                    qualifier: i.qualifier.as_deref(),
                    price: i.price.as_ref(),
                    obfuscated: i.obfuscated,
                })
                .collect(),
            reasons: result
                .reasons
                .iter()
                .map(|r| {
                    let derivable = r.span.is_some_and(|s| under_span(&ad, s, &r.evidence));
                    StoredReasonRef {
                        indicator: &r.indicator,
                        weight: r.weight,
                        span: r.span.map(|s| [s.start, s.end]),
                        evidence: (!derivable).then_some(r.evidence.as_str()),
                    }
                })
                .collect(),
        };
        let mut links: Vec<(IdentifierKind, String)> = result
            .identifiers
            .iter()
            .filter(|i| i.kind.is_linking() || i.kind == IdentifierKind::Domain)
            .map(|i| (i.kind, i.value.clone()))
            .collect();
        links.sort_unstable();
        links.dedup();
        // Serialising plain data into a String cannot fail.
        let result_json = serde_json::to_string(&stored).unwrap_or_default();
        PreparedAd {
            score: result.score,
            result: result_json,
            links,
            ad,
        }
    }

    pub fn id(&self) -> &str {
        &self.ad.id
    }

    pub fn ad(&self) -> &Ad {
        &self.ad
    }
}

/// Only the identifiers of a stored result: all that linking needs, without
/// the ad's text.
pub(crate) fn decode_identifiers(json: &str) -> Result<Vec<Identifier>, serde_json::Error> {
    let stored: StoredResult = serde_json::from_str(json)?;
    Ok(stored.identifiers.into_iter().map(identifier).collect())
}

fn identifier(i: StoredIdentifier) -> Identifier {
    Identifier {
        kind: i.kind,
        value: i.value,
        span: Span {
            start: i.span[0],
            end: i.span[1],
        },
        qualifier: i.qualifier,
        price: i.price,
        obfuscated: i.obfuscated,
    }
}

/// Rebuilds an ad's result from its stored form and the ad's text.
pub(crate) fn decode(ad: &Ad, score: f32, json: &str) -> Result<AdResult, serde_json::Error> {
    let stored: StoredResult = serde_json::from_str(json)?;
    let text = ad.text();
    let reasons: Vec<Reason> = stored
        .reasons
        .into_iter()
        .map(|r| {
            let span = r.span.map(|[start, end]| Span { start, end });
            let evidence = r
                .evidence
                .or_else(|| span.and_then(|s| text.get(s.range())).map(str::to_owned))
                .unwrap_or_default();
            Reason {
                indicator: r.indicator,
                weight: r.weight,
                span,
                evidence,
            }
        })
        .collect();
    let mut indicators: Vec<String> = Vec::new();
    for reason in &reasons {
        if !indicators.contains(&reason.indicator) {
            indicators.push(reason.indicator.clone());
        }
    }
    Ok(AdResult {
        id: ad.id.clone(),
        identifiers: stored.identifiers.into_iter().map(identifier).collect(),
        indicators,
        score,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_survives_the_compact_form_exactly() {
        let ad = Ad {
            id: "a".into(),
            title: Some("New in town".into()),
            body: "call 2135550147 🌹".into(),
            ..Ad::default()
        };
        let mut phone = Identifier::new(IdentifierKind::Phone, "+12135550147", Span::new(17, 27));
        phone.obfuscated = true;
        let result = AdResult {
            id: "a".into(),
            identifiers: vec![phone],
            indicators: vec![
                "sex.movement.new_in_town".into(),
                "struct.many_cities".into(),
            ],
            score: 0.75,
            reasons: vec![
                Reason {
                    indicator: "sex.movement.new_in_town".into(),
                    weight: 0.4,
                    span: Some(Span::new(0, 11)),
                    evidence: "New in town".into(),
                },
                Reason {
                    indicator: "struct.many_cities".into(),
                    weight: 0.2,
                    span: None,
                    evidence: "3 cities".into(),
                },
            ],
        };
        let prepared = PreparedAd::new(ad.clone(), &result);
        assert!(
            !prepared.result.contains("New in town"),
            "derivable evidence is not stored twice"
        );
        assert_eq!(
            decode(&ad, 0.75, &prepared.result).expect("decodes"),
            result
        );
        assert_eq!(
            prepared.links,
            vec![(IdentifierKind::Phone, "+12135550147".to_owned())]
        );
    }

    #[test]
    fn evidence_under_a_span_is_recognised_without_building_the_text() {
        let ads = [
            (Some("Né 🌹"), "call me 🌹 now"),
            (Some("title only"), ""),
            (None, "body only é"),
            (Some(""), "empty title"),
            (None, ""),
        ];
        for (title, body) in ads {
            let ad = Ad {
                id: "a".into(),
                title: title.map(str::to_owned),
                body: body.into(),
                ..Ad::default()
            };
            let text = ad.text();
            let len = text.len();
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    let span = Span::new(start, end);
                    // Every real slice of the text, and strings that differ.
                    let candidates = [
                        text.get(span.range()).map(str::to_owned),
                        Some("x".repeat(span.len())),
                    ];
                    for evidence in candidates.into_iter().flatten() {
                        assert_eq!(
                            under_span(&ad, span, &evidence),
                            text.get(span.range()) == Some(evidence.as_str()),
                            "{title:?} {body:?} {start}..{end} {evidence:?}"
                        );
                    }
                }
            }
        }
    }
}
