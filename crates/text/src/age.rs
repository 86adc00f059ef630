//! Stated ages: `19yo`, `19 y/o`, `age: 19`, `22 years old`, `nineteen`.

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind, Span};
use regex::Regex;
use std::sync::OnceLock;

const UNITS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const TEENS: &[(&str, u32)] = &[
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];
const TENS: &[(&str, u32)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
];
const SPANISH: &[(&str, u32)] = &[
    ("dieciseis", 16),
    ("diecisiete", 17),
    ("dieciocho", 18),
    ("diecinueve", 19),
    ("veinte", 20),
    ("veintiuno", 21),
    ("veintidos", 22),
    ("veintitres", 23),
    ("veinticuatro", 24),
    ("veinticinco", 25),
];

fn spelled_alternatives() -> String {
    let mut words: Vec<String> = TEENS.iter().map(|(w, _)| (*w).to_owned()).collect();
    for (tens, _) in TENS {
        words.push(format!(r"{tens}(?:[\s\-]?(?:{}))?", UNITS.join("|")));
    }
    words.extend(SPANISH.iter().map(|(w, _)| (*w).to_owned()));
    words.join("|")
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let number = format!(r"(\d{{2}}|{})", spelled_alternatives());
        let suffix = r"(?:\s*(?:yo|y/o|y\.o\.?|yrs?\.?\s*old|years?\s*old|years?\s*of\s*age|yr\s*old|anos|anitos)(?-u:\b))";
        let prefix = r"(?:(?-u:\b)(?:age|aged|edad|im|i'm|i am|tengo)\s*[:=\-]?\s*)";
        Regex::new(&format!(r"(?:{prefix}{number}(?-u:\b){suffix}?|(?-u:\b){number}{suffix})")).expect("valid age pattern")
    })
}

fn spelled_value(word: &str) -> Option<u32> {
    let word = word.trim();
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    if let Some((_, n)) = TEENS.iter().chain(SPANISH).find(|(w, _)| *w == word) {
        return Some(*n);
    }
    let (tens, rest) = TENS
        .iter()
        .find_map(|(w, n)| word.strip_prefix(w).map(|rest| (*n, rest)))?;
    let rest = rest.trim_start_matches([' ', '-']);
    if rest.is_empty() {
        return Some(tens);
    }
    UNITS
        .iter()
        .position(|u| *u == rest)
        .map(|i| tens + i as u32 + 1)
}

/// Ages already covered by a phone or price are part of those, not ages.
pub fn extract_ages(text: &Normalised<'_>, taken: &[Span], out: &mut Vec<Identifier>) {
    let folded = text.as_str();
    for caps in pattern().captures_iter(folded) {
        let Some(number) = caps.get(1).or_else(|| caps.get(2)) else {
            continue;
        };
        let Some(years) = spelled_value(number.as_str()) else {
            continue;
        };
        if !(10..=99).contains(&years) {
            continue;
        }
        let Some(whole) = caps.get(0) else { continue };
        let span = text.original_span(whole.start(), whole.end());
        if taken.iter().any(|t| t.overlaps(span)) {
            continue;
        }
        // "I'm 25 minutes away" and "age 30 min" are not ages.
        let after = folded[whole.end()..].trim_start();
        if caps.get(1).is_some()
            && ["min", "mile", "hr", "hour", "$", "%", "dollar", "rose"]
                .iter()
                .any(|u| after.starts_with(u))
        {
            continue;
        }
        let mut id = Identifier::new(IdentifierKind::Age, years.to_string(), span);
        id.obfuscated = !number.as_str().bytes().all(|b| b.is_ascii_digit())
            || text.is_disguised(number.start(), number.end());
        out.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ages(text: &str) -> Vec<String> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_ages(&n, &[], &mut out);
        out.into_iter().map(|i| i.value).collect()
    }

    #[test]
    fn stated_ages_are_found() {
        let cases: &[(&str, &str)] = &[
            ("sweet 19yo", "19"),
            ("19 y/o latina", "19"),
            ("Age: 19", "19"),
            ("22 years old", "22"),
            ("nineteen years old", "19"),
            ("age: twenty-two", "22"),
            ("Age: nineteen", "19"),
            ("I'm 21 and new", "21"),
            ("tengo 18 años", "18"),
            ("edad: diecinueve", "19"),
            ("17yo", "17"),
        ];
        for (text, want) in cases {
            assert_eq!(ages(text), vec![want.to_string()], "input: {text}");
        }
    }

    #[test]
    fn durations_and_prices_are_not_ages() {
        for text in [
            "I'm 25 minutes away",
            "open 24 hours",
            "$200 for 60",
            "room 12",
        ] {
            assert!(ages(text).is_empty(), "input: {text} gave {:?}", ages(text));
        }
    }
}
