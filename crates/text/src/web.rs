//! URLs and domain names.

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind};
use regex::Regex;
use std::sync::OnceLock;

/// Top-level domains accepted for a bare `name.tld` without a scheme, so that
/// "hi.there" or "5.30" are not read as domains.
const BARE_TLDS: &str = "com|net|org|info|biz|io|co|me|us|uk|ca|mx|es|de|fr|it|nl|au|nz|ie|eu|ru|xyz|online|site|club|app|dev|tv|cc|ly|gl|to|example";

fn url_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?-u:\b)(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]]+"#)
            .expect("valid URL pattern")
    })
}

fn bare_domain_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(
            r"(?:^|[^a-z0-9@._\-/])((?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{BARE_TLDS}))(?-u:\b)(/[^\s<>]*)?"
        ))
        .expect("valid domain pattern")
    })
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host);
    host.strip_prefix("www.").unwrap_or(host)
}

fn tld_hint() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(r"\.(?:{BARE_TLDS})(?-u:\b)")).expect("valid TLD pattern")
    })
}

pub fn extract_web(text: &Normalised<'_>, out: &mut Vec<Identifier>) {
    let folded = text.as_str();
    // Most ads name no site: a cheap literal search rules them out.
    if !(folded.contains("://") || folded.contains("www.") || tld_hint().is_match(folded)) {
        return;
    }
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for m in url_pattern().find_iter(folded) {
        let trimmed = m
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
        let (start, end) = (m.start(), m.start() + trimmed.len());
        let span = text.original_span(start, end);
        // The URL keeps its original case: paths are case-sensitive.
        let original = text.original_text(start, end);
        out.push(Identifier::new(IdentifierKind::Url, original, span));
        let host = host_of(trimmed);
        if host.contains('.') {
            let host_start = start + trimmed.find(host).unwrap_or(0);
            let span = text.original_span(host_start, host_start + host.len());
            out.push(Identifier::new(IdentifierKind::Domain, host, span));
        }
        taken.push((start, end));
    }
    for caps in bare_domain_pattern().captures_iter(folded) {
        let Some(domain) = caps.get(1) else { continue };
        if taken
            .iter()
            .any(|&(s, e)| domain.start() < e && s < domain.end())
        {
            continue;
        }
        // Labels that are all digits are prices or times ("5.30"), not hosts.
        if domain
            .as_str()
            .split('.')
            .any(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let host = domain
            .as_str()
            .strip_prefix("www.")
            .unwrap_or(domain.as_str());
        let host_start = domain.end() - host.len();
        let span = text.original_span(host_start, domain.end());
        out.push(Identifier::new(IdentifierKind::Domain, host, span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(text: &str) -> Vec<(String, String)> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_web(&n, &mut out);
        out.into_iter()
            .map(|i| (i.kind.to_string(), i.value))
            .collect()
    }

    #[test]
    fn urls_keep_case_and_yield_their_domain() {
        assert_eq!(
            web("see https://www.Example.com/Ads/42."),
            vec![
                ("url".into(), "https://www.Example.com/Ads/42".into()),
                ("domain".into(), "example.com".into())
            ]
        );
    }

    #[test]
    fn bare_domains_need_a_known_tld() {
        assert_eq!(
            web("my site Shaunastylesgfe.com"),
            vec![("domain".into(), "shaunastylesgfe.com".into())]
        );
        assert!(web("hi.there at 5.30, rosie@example.com").is_empty());
    }
}
