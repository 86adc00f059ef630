//! Social-media handles: a platform named next to an account name
//! (`IG: @sweet_rosie`, `snap rosiexo22`, `t.me/rosie_t`), and profile URLs.

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind};
use regex::Regex;
use std::sync::OnceLock;

/// Spellings of each platform as ads write them, folded.
const PLATFORMS: &[(&str, &[&str])] = &[
    ("twitter", &["twitter", "twtr", "tweet me"]),
    ("instagram", &["instagram", "insta", "ig", "instgram"]),
    ("snapchat", &["snapchat", "snap", "sc", "👻"]),
    ("telegram", &["telegram", "tg", "telegrm"]),
    ("whatsapp", &["whatsapp", "whats app", "whatsap", "wapp"]),
    ("kik", &["kik", "kik me"]),
    ("onlyfans", &["onlyfans", "only fans"]),
    ("fansly", &["fansly"]),
    ("wechat", &["wechat", "we chat", "weixin", "wx"]),
    ("line", &["line id"]),
    ("skype", &["skype"]),
    ("tiktok", &["tiktok", "tik tok"]),
    ("facebook", &["facebook", "fb"]),
];

/// Profile URL prefixes, folded, and their platform.
const PROFILE_URLS: &[(&str, &str)] = &[
    ("twitter.com/", "twitter"),
    ("x.com/", "twitter"),
    ("instagram.com/", "instagram"),
    ("snapchat.com/add/", "snapchat"),
    ("t.me/", "telegram"),
    ("telegram.me/", "telegram"),
    ("kik.me/", "kik"),
    ("onlyfans.com/", "onlyfans"),
    ("fansly.com/", "fansly"),
    ("tiktok.com/@", "tiktok"),
    ("facebook.com/", "facebook"),
];

/// Words that follow a platform name but are not the account.
const NOT_HANDLES: &[&str] = &[
    "me",
    "at",
    "is",
    "or",
    "and",
    "the",
    "my",
    "for",
    "only",
    "on",
    "too",
    "also",
    "name",
    "id",
    "user",
    "username",
    "handle",
    "add",
    "follow",
    "dm",
    "pm",
    "msg",
    "message",
    "text",
    "call",
    "available",
    "just",
    "to",
    "with",
    "please",
    "pls",
    "link",
    "in",
    "bio",
    "it",
    "com",
    "www",
    "http",
    "https",
    "account",
    "page",
    "no",
    "yes",
    "ok",
    "a",
    "an",
    "i",
    "im",
    "via",
    "by",
    "same",
    "below",
    "above",
    "here",
    "now",
];

fn platform_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Word spellings need word boundaries; emoji spellings cannot have them.
        let mut names: Vec<String> = PLATFORMS
            .iter()
            .flat_map(|(_, spellings)| spellings.iter())
            .map(|s| {
                let escaped = regex::escape(s).replace(' ', r"\s?");
                if s.is_ascii() { format!(r"(?-u:\b){escaped}(?-u:\b)") } else { escaped }
            })
            .collect();
        // Longest first so `snapchat` wins over `snap`.
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alternatives = names.join("|");
        Regex::new(&format!(
            r"({alternatives})(?:\s*(?:[:=\-–>|~]|(?-u:\b)(?:me|at|is|id|name|user(?:name)?|handle)(?-u:\b))?\s*)+@?\s*([a-z0-9_][a-z0-9_.]{{1,29}})"
        ))
        .expect("valid platform pattern")
    })
}

fn profile_url_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let prefixes: Vec<String> = PROFILE_URLS.iter().map(|(p, _)| regex::escape(p)).collect();
        Regex::new(&format!(
            r"(?:^|[^a-z0-9.])(?:www\.)?({})([a-z0-9_][a-z0-9_.]{{1,29}})",
            prefixes.join("|")
        ))
        .expect("valid profile URL pattern")
    })
}

fn bare_at_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:^|[^a-z0-9_.@])@([a-z0-9_][a-z0-9_.]{1,29})")
            .expect("valid @handle pattern")
    })
}

fn platform_of(spelling: &str) -> &'static str {
    let compact: String = spelling.chars().filter(|c| !c.is_whitespace()).collect();
    PLATFORMS
        .iter()
        .find(|(_, spellings)| spellings.iter().any(|s| s.replace(' ', "") == compact))
        .map_or("unknown", |(p, _)| p)
}

fn clean(handle: &str) -> &str {
    handle.trim_end_matches(['.', '_'])
}

fn is_plausible(handle: &str) -> bool {
    handle.len() >= 2
        && !NOT_HANDLES.contains(&handle)
        && handle.bytes().any(|b| b.is_ascii_alphabetic())
        // A run of digits after "whatsapp" is a phone, found by the phone extractor.
        && !handle.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

pub fn extract_handles(text: &Normalised<'_>, out: &mut Vec<Identifier>) {
    let folded = text.as_str();
    let first = out.len();
    let push = |platform: &str, start: usize, handle: &str, out: &mut Vec<Identifier>| {
        let handle = clean(handle);
        if !is_plausible(handle) {
            return;
        }
        let span = text.original_span(start, start + handle.len());
        if out[first..]
            .iter()
            .any(|h: &Identifier| h.span.overlaps(span))
        {
            return;
        }
        let mut id = Identifier::new(IdentifierKind::Handle, handle, span);
        id.qualifier = Some(platform.to_owned());
        id.obfuscated = text.is_disguised(start, start + handle.len());
        out.push(id);
    };
    if folded.contains('/') {
        for caps in profile_url_pattern().captures_iter(folded) {
            if let (Some(prefix), Some(handle)) = (caps.get(1), caps.get(2)) {
                let platform = PROFILE_URLS
                    .iter()
                    .find(|(p, _)| *p == prefix.as_str())
                    .map_or("unknown", |(_, pl)| pl);
                push(platform, handle.start(), handle.as_str(), out);
            }
        }
    }
    let mut from = 0;
    while let Some(caps) = platform_pattern().captures_at(folded, from) {
        let (Some(name), Some(handle)) = (caps.get(1), caps.get(2)) else {
            break;
        };
        from = handle.end();
        // `Twitter Snapchat: rosie` names two platforms; look again from the
        // second one rather than taking it as an account.
        if is_platform_spelling(handle.as_str()) {
            from = handle.start();
            continue;
        }
        // `handle@domain` is an e-mail, not an account.
        if folded[handle.end()..].starts_with('@') {
            continue;
        }
        // With only a space between platform and word ("snapchat fun"), the
        // word must look like an account: digits, `_`, `.`, or inner capitals.
        let spaced_only = folded[name.end()..handle.start()]
            .chars()
            .all(char::is_whitespace);
        if spaced_only && !looks_like_account(text.original_text(handle.start(), handle.end())) {
            continue;
        }
        push(
            platform_of(name.as_str()),
            handle.start(),
            handle.as_str(),
            out,
        );
    }
    if folded.contains('@') {
        for caps in bare_at_pattern().captures_iter(folded) {
            if let Some(handle) = caps.get(1) {
                let after = &folded[handle.end()..];
                if after.starts_with('.')
                    && after[1..].starts_with(|c: char| c.is_ascii_alphabetic())
                {
                    continue;
                }
                let platform = nearest_platform(&folded[..handle.start()]);
                push(platform, handle.start(), handle.as_str(), out);
            }
        }
    }
}

fn is_platform_spelling(word: &str) -> bool {
    PLATFORMS
        .iter()
        .any(|(_, spellings)| spellings.contains(&word))
}

fn looks_like_account(original: &str) -> bool {
    original
        .bytes()
        .any(|b| b.is_ascii_digit() || b == b'_' || b == b'.')
        || original.bytes().skip(1).any(|b| b.is_ascii_uppercase())
}

/// The platform named closest before a bare `@handle`, within a short window.
fn nearest_platform(before: &str) -> &'static str {
    let mut from = before.len().saturating_sub(48);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let window = &before[from..];
    let mut best: Option<(usize, &'static str)> = None;
    for (platform, spellings) in PLATFORMS {
        for spelling in *spellings {
            if spelling.len() < 3 {
                continue;
            }
            if let Some(at) = window.rfind(spelling)
                && best.is_none_or(|(b, _)| at > b)
            {
                best = Some((at, platform));
            }
        }
    }
    best.map_or("unknown", |(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handles(text: &str) -> Vec<(String, String)> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_handles(&n, &mut out);
        out.into_iter()
            .map(|i| (i.qualifier.unwrap_or_default(), i.value))
            .collect()
    }

    fn one(platform: &str, handle: &str) -> Vec<(String, String)> {
        vec![(platform.to_owned(), handle.to_owned())]
    }

    #[test]
    fn handles_are_found_with_their_platform() {
        let cases: &[(&str, &str, &str)] = &[
            ("IG: @sweet_rosie", "instagram", "sweet_rosie"),
            ("insta sweet_rosie", "instagram", "sweet_rosie"),
            ("snap: rosiexo22", "snapchat", "rosiexo22"),
            ("SC rosiexo22", "snapchat", "rosiexo22"),
            ("telegram @rosie_t", "telegram", "rosie_t"),
            ("find me t.me/rosie_t now", "telegram", "rosie_t"),
            ("kik: rosie.kik.", "kik", "rosie.kik"),
            ("onlyfans.com/rosiexo", "onlyfans", "rosiexo"),
            (
                "Follow me on Twitter @ DiamondSquirt.",
                "twitter",
                "diamondsquirt",
            ),
            (
                "follow me on twitter @shaunastylesgfe hello",
                "twitter",
                "shaunastylesgfe",
            ),
            ("wechat: rosie8899", "wechat", "rosie8899"),
            ("👻 rosie_snaps", "snapchat", "rosie_snaps"),
        ];
        for (text, platform, handle) in cases {
            assert_eq!(handles(text), one(platform, handle), "input: {text}");
        }
    }

    #[test]
    fn emails_and_phones_are_not_handles() {
        assert!(handles("write rosie@example.com").is_empty());
        assert!(handles("whatsapp 2135550147").is_empty());
        assert!(handles("snap me").is_empty());
        assert!(handles("looking for snapchat fun, wechat us").is_empty());
        assert_eq!(
            handles("Visit TWITTER   Snapchat : keiss_h"),
            one("snapchat", "keiss_h")
        );
        assert_eq!(handles("add me on wechat GVA16R"), one("wechat", "gva16r"));
    }
}
