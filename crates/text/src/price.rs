//! Advertised prices with currency and duration, including coded currencies
//! (`200 roses`, `150 hh`, `hh 120 / h 200`).

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind, Price, Span};
use regex::{Captures, Regex};
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let dur = r"(?:(?-u:\b)(?:hhr|hh|qv|fh|half\s*(?:an\s*)?hour|hour\s*and\s*(?:a\s*)?half|media\s*hora|hours?|hrs?|hora|h|overnight|night|noche)(?-u:\b)|\d{1,3}\s*(?:min|mins|minutes|minutos)(?-u:\b)|\d\s*(?:hours?|hrs?|h|horas?|nights?)(?-u:\b))";
        let cur = r"[$€£]";
        let cur_word = r"(?:[$€£]|(?-u:\b)(?:usd|dollars?|bucks|eur|euros?|gbp|mxn|pesos?|cad|roses?|donations?)(?-u:\b)|🌹)";
        let amount = r"(?:\d{1,3}(?:,\d{3})+|\d{2,5})(?:\.\d{1,2})?";
        // A bare number is never a price: each branch needs a currency or a
        // duration, so the engine does not stop at every number in the ad.
        let tail = format!(r"(?:\s*(?:/|per|a|for|x|por)?\s*(?P<dur2>{dur}))?");
        Regex::new(&format!(
            r"(?:(?P<dur1>{dur})\s*[:=\-–]?\s*(?P<pre1>{cur})?\s*(?P<amt1>{amount})\s*(?P<post1>{cur_word})?|(?P<pre2>{cur})\s*(?P<amt2>{amount})\s*(?P<post2>{cur_word})?{tail}|(?P<amt3>{amount})\s*(?:(?P<post3>{cur_word}){tail3}|(?:/|per|a|for|x|por)?\s*(?P<dur3>{dur})))",
            tail3 = tail.replace("dur2", "dur4"),
        ))
        .expect("valid price pattern")
    })
}

/// The currency a bare `$` or no symbol means in a region.
pub fn local_currency(region: &str) -> &'static str {
    match region {
        "CA" => "CAD",
        "MX" => "MXN",
        "GB" => "GBP",
        "AU" => "AUD",
        "NZ" => "NZD",
        "ES" | "FR" | "DE" | "IT" | "NL" | "BE" | "PT" | "IE" | "AT" | "FI" | "GR" => "EUR",
        "CO" => "COP",
        _ => "USD",
    }
}

fn currency_of(symbol: &str, region: &str) -> Option<&'static str> {
    let s = symbol.trim();
    Some(match s {
        "$" => match local_currency(region) {
            c @ ("CAD" | "MXN" | "AUD" | "NZD" | "COP") => c,
            _ => "USD",
        },
        "€" => "EUR",
        "£" => "GBP",
        "🌹" => "rose",
        _ if s.starts_with("dollar") || s == "usd" || s == "bucks" => {
            if local_currency(region) == "CAD" {
                "CAD"
            } else {
                "USD"
            }
        }
        _ if s.starts_with("euro") || s == "eur" => "EUR",
        "gbp" => "GBP",
        _ if s.starts_with("peso") || s == "mxn" => "MXN",
        "cad" => "CAD",
        _ if s.starts_with("rose") => "rose",
        _ if s.starts_with("donation") => "donation",
        _ => return None,
    })
}

fn minutes_of(duration: &str) -> Option<u32> {
    let d = duration.trim();
    let digits: String = d.chars().take_while(char::is_ascii_digit).collect();
    let unit = d[digits.len()..].trim();
    let count: u32 = if digits.is_empty() {
        1
    } else {
        digits.parse().ok()?
    };
    let per = match unit {
        "hh" | "hhr" => 30,
        "qv" => 15,
        u if u.starts_with("half") || u.starts_with("media") => 30,
        u if u.starts_with("hour") && u.ends_with("half") => 90,
        "fh" => 60,
        u if u.starts_with("night") || u == "overnight" || u == "noche" => 480,
        u if u.starts_with("min") => 1,
        u if u.starts_with('h') => 60,
        _ => return None,
    };
    Some(count * per)
}

fn group<'t>(caps: &Captures<'t>, names: &[&str]) -> Option<regex::Match<'t>> {
    names.iter().find_map(|n| caps.name(n))
}

/// Finds prices. `taken` holds spans already claimed by phones and ages.
pub fn extract_prices(
    text: &Normalised<'_>,
    region: &str,
    taken: &[Span],
    out: &mut Vec<Identifier>,
) {
    let folded = text.as_str();
    let mut from = 0;
    while let Some(caps) = pattern().captures_at(folded, from) {
        let Some(whole) = caps.get(0) else { break };
        from = whole.end().max(whole.start() + 1);
        let Some(amount) = group(&caps, &["amt1", "amt2", "amt3"]) else {
            continue;
        };
        let symbol = group(&caps, &["pre1", "pre2", "post1", "post2", "post3"]);
        let mut duration = group(&caps, &["dur1", "dur3"]);
        let mut end = whole.end();
        if let Some(tail) = group(&caps, &["dur2", "dur4"]) {
            if starts_next_price(&folded[tail.end()..]) {
                // `350 roses 2h - 550 roses`: the `2h` heads the next price.
                end = symbol.map_or(amount.end(), |s| s.end()).max(amount.end());
                from = tail.start();
            } else {
                duration = Some(tail);
            }
        }
        if symbol.is_none() && duration.is_none() {
            continue;
        }
        let start = whole.start() + (whole.as_str().len() - whole.as_str().trim_start().len());
        let span = text.original_span(start, end);
        if taken.iter().any(|t| t.overlaps(span)) {
            continue;
        }
        let currency = match symbol {
            Some(s) => match currency_of(s.as_str(), region) {
                Some(c) => c,
                None => continue,
            },
            None => local_currency(region),
        };
        let Ok(value) = amount.as_str().replace(',', "").parse::<f64>() else {
            continue;
        };
        if !(10.0..=100_000.0).contains(&value) {
            continue;
        }
        let minutes = duration.and_then(|d| minutes_of(d.as_str()));
        let price = Price {
            amount: value,
            currency: currency.to_owned(),
            minutes,
        };
        let mut id = Identifier::new(IdentifierKind::Price, canonical(&price), span);
        id.obfuscated = matches!(currency, "rose" | "donation");
        id.price = Some(price);
        out.push(id);
    }
}

/// After a duration, `- 550` or `: $550` means the duration labels the
/// price that follows, not the one before.
fn starts_next_price(after: &str) -> bool {
    let rest = after.trim_start();
    let Some(rest) = rest.strip_prefix(['-', '–', ':', '=']) else {
        return false;
    };
    let rest = rest.trim_start().trim_start_matches(['$', '€', '£']);
    rest.starts_with(|c: char| c.is_ascii_digit())
}

/// `200 USD/60min`, `150 rose/30min`, `80 EUR`.
pub fn canonical(price: &Price) -> String {
    let amount = if price.amount.fract() == 0.0 {
        format!("{}", price.amount as i64)
    } else {
        format!("{:.2}", price.amount)
    };
    match price.minutes {
        Some(m) => format!("{amount} {}/{m}min", price.currency),
        None => format!("{amount} {}", price.currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prices(text: &str) -> Vec<String> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_prices(&n, "US", &[], &mut out);
        out.into_iter().map(|i| i.value).collect()
    }

    #[test]
    fn prices_are_found_with_currency_and_duration() {
        let cases: &[(&str, &[&str])] = &[
            ("$200/hr", &["200 USD/60min"]),
            ("only 200 roses", &["200 rose"]),
            ("150 hh", &["150 USD/30min"]),
            ("250 hr", &["250 USD/60min"]),
            ("€80", &["80 EUR"]),
            ("80 euros", &["80 EUR"]),
            ("$150 half hour", &["150 USD/30min"]),
            ("hh 120 / h 200", &["120 USD/30min", "200 USD/60min"]),
            ("150 hh/hr", &["150 USD/30min"]),
            (
                "30 min - 200 roses 1h - 300 roses",
                &["200 rose/30min", "300 rose/60min"],
            ),
            ("200🌹", &["200 rose"]),
            ("$1,500 overnight", &["1500 USD/480min"]),
            ("350 roses 2h - 550 roses", &["350 rose", "550 rose/120min"]),
            (
                "10 mins-50 roses 15 mins-70 roses",
                &["50 rose/10min", "70 rose/15min"],
            ),
            (
                "300 roses hour and half, 500 roses 1 night",
                &["300 rose/90min", "500 rose/480min"],
            ),
            ("100 roses for fh", &["100 rose/60min"]),
        ];
        for (text, want) in cases {
            assert_eq!(prices(text), *want, "input: {text}");
        }
    }

    #[test]
    fn bare_numbers_are_not_prices() {
        for text in [
            "open 24 7",
            "room 305",
            "call 2135550147",
            "5'4 159 pounds",
            "qv (15-25 mins)",
        ] {
            assert!(
                prices(text).is_empty(),
                "input: {text} gave {:?}",
                prices(text)
            );
        }
    }
}
