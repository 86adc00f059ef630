//! E-mail addresses, plain and written out (`name at gmail dot com`).

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind};
use regex::Regex;
use std::sync::OnceLock;

/// Top-level domains accepted after a spelled-out `dot`: a sentence such as
/// "see you at noon. com" must not become an address.
const SPELLED_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "info", "biz", "io", "co", "me", "us", "uk", "ca", "mx",
    "es", "de", "fr", "it", "au", "ru", "example", "mail", "email", "app", "xyz", "online",
];

fn plain() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}")
            .expect("valid e-mail pattern")
    })
}

fn spelled() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let at = r"(?:\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+|\s*@\s*)";
        let dot = r"(?:\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+|\.)";
        Regex::new(&format!(
            r"(?-u:\b)([a-z0-9][a-z0-9._%+\-]{{0,63}}){at}([a-z0-9][a-z0-9\-]{{0,62}}(?:{dot}[a-z0-9][a-z0-9\-]{{0,62}})*){dot}([a-z]{{2,24}})(?-u:\b)"
        ))
        .expect("valid spelled e-mail pattern")
    })
}

const STOPWORDS: &[&str] = &[
    "me",
    "us",
    "you",
    "him",
    "her",
    "them",
    "call",
    "text",
    "email",
    "or",
    "and",
    "is",
    "the",
    "am",
    "i",
    "im",
    "be",
    "are",
    "was",
    "here",
    "there",
    "available",
    "located",
    "stay",
    "staying",
    "work",
    "working",
    "now",
    "only",
    "just",
    "also",
    "meet",
    "find",
    "see",
    "reach",
    "contact",
    "visit",
    "home",
    "look",
    "looking",
];

pub fn extract_emails(text: &Normalised<'_>, out: &mut Vec<Identifier>) {
    let folded = text.as_str();
    let first = out.len();
    if folded.contains('@') {
        for m in plain().find_iter(folded) {
            let value = m.as_str().trim_end_matches('.');
            let span = text.original_span(m.start(), m.start() + value.len());
            let mut id = Identifier::new(IdentifierKind::Email, value, span);
            id.obfuscated = text.is_disguised(m.start(), m.start() + value.len());
            out.push(id);
        }
    }
    if !(folded.contains(" at ")
        || folded.contains("at]")
        || folded.contains("at)")
        || folded.contains("at}")
        || folded.contains(" @ ")
        || folded.contains(" dot ")
        || folded.contains("dot]")
        || folded.contains("dot)"))
    {
        return;
    }
    for caps in spelled().captures_iter(folded) {
        let (Some(whole), Some(local), Some(domain), Some(tld)) =
            (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        if out[first..].iter().any(|e| {
            let s = text.original_span(whole.start(), whole.end());
            e.span.overlaps(s)
        }) {
            continue;
        }
        if !SPELLED_TLDS.contains(&tld.as_str()) || STOPWORDS.contains(&local.as_str()) {
            continue;
        }
        let labels: Vec<&str> = domain
            .as_str()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|l| !l.is_empty() && *l != "dot" && *l != "at")
            .collect();
        if labels.is_empty() || STOPWORDS.contains(&labels[0]) {
            continue;
        }
        let value = format!("{}@{}.{}", local.as_str(), labels.join("."), tld.as_str());
        let mut id = Identifier::new(
            IdentifierKind::Email,
            value,
            text.original_span(whole.start(), whole.end()),
        );
        id.obfuscated = true;
        out.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<String> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_emails(&n, &mut out);
        out.into_iter().map(|i| i.value).collect()
    }

    #[test]
    fn plain_and_spelled_emails_are_found() {
        let cases: &[(&str, &[&str])] = &[
            ("mail Rosie22@Example.com.", &["rosie22@example.com"]),
            ("rosie22 at example dot com", &["rosie22@example.com"]),
            ("rosie22 [at] example [dot] com", &["rosie22@example.com"]),
            (
                "rosie22(at)example(dot)co(dot)uk",
                &["rosie22@example.co.uk"],
            ),
            (
                "rosie.b at mail.example dot org",
                &["rosie.b@mail.example.org"],
            ),
            ("ｒｏｓｉｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", &["rosie@example.com"]),
        ];
        for (text, want) in cases {
            assert_eq!(emails(text), *want, "input: {text}");
        }
    }

    #[test]
    fn sentences_with_at_are_not_emails() {
        for text in [
            "meet me at noon. see you at the park dot",
            "call me at 5 dot com",
            "i am at home.com",
        ] {
            assert!(
                emails(text).is_empty(),
                "input: {text} gave {:?}",
                emails(text)
            );
        }
    }
}
