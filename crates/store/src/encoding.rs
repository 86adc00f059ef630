//! The compact form in which an ad's result is stored.
//!
//! A scan of a million ads writes a million results, so the stored form is
//! kept small: short keys, spans as pairs, the indicator list derived from
//! the reasons, and a reason's evidence left out whenever it is exactly the
//! ad text under its span (it is restored from the text on load, so a round
//! trip gives back the same `AdResult`).

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Price, Reason, Span};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct StoredResult {
    #[serde(rename = "i", default)]
    identifiers: Vec<StoredIdentifier>,
    #[serde(rename = "r", default)]
    reasons: Vec<StoredReason>,
}

#[derive(Serialize, Deserialize)]
struct StoredIdentifier {
    #[serde(rename = "k")]
    kind: IdentifierKind,
    #[serde(rename = "v")]
    value: String,
    #[serde(rename = "s")]
    span: [u32; 2],
    #[serde(rename = "q", default, skip_serializing_if = "Option::is_none")]
    qualifier: Option<String>,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    price: Option<Price>,
    #[serde(rename = "o", default, skip_serializing_if = "std::ops::Not::not")]
    obfuscated: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredReason {
    #[serde(rename = "k")]
    indicator: String,
    #[serde(rename = "w")]
    weight: f32,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    span: Option<[u32; 2]>,
    #[serde(rename = "e", default, skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
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
        let text = ad.text();
        let stored = StoredResult {
            identifiers: result
                .identifiers
                .iter()
                .map(|i| StoredIdentifier {
                    kind: i.kind,
                    value: i.value.clone(),
                    span: [i.span.start, i.span.end],
                    qualifier: i.qualifier.clone(),
                    price: i.price.clone(),
                    obfuscated: i.obfuscated,
                })
                .collect(),
            reasons: result
                .reasons
                .iter()
                .map(|r| {
                    let derivable = r
                        .span
                        .is_some_and(|s| text.get(s.range()) == Some(r.evidence.as_str()));
                    StoredReason {
                        indicator: r.indicator.clone(),
                        weight: r.weight,
                        span: r.span.map(|s| [s.start, s.end]),
                        evidence: (!derivable).then(|| r.evidence.clone()),
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
        drop(text);
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
}
