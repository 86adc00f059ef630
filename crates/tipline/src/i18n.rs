//! Translations. Each language is one TOML file in `locales/`, found at build
//! time: adding a language is adding a file. English is the reference; a test
//! checks that every other file has exactly its keys and placeholders.

use std::collections::HashMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// A language the tip line speaks.
#[derive(Debug)]
pub struct Locale {
    /// BCP 47 tag, the file's name: `en`, `es`, `ar`…
    pub code: &'static str,
    /// The language's own name for itself.
    pub name: String,
    /// `rtl` for right-to-left scripts.
    pub right_to_left: bool,
    messages: HashMap<String, String>,
}

/// Every language, English first.
pub struct Catalog {
    locales: Vec<Locale>,
}

impl Catalog {
    /// The compiled-in catalogue. Locale files are checked by unit tests, so a
    /// malformed one is a build defect, not bad input.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let mut locales: Vec<Locale> = LOCALE_FILES
                .iter()
                .map(|(code, text)| {
                    parse(code, text).unwrap_or_else(|e| panic!("locales/{code}.toml: {e}"))
                })
                .collect();
            locales.sort_by_key(|l| (l.code != "en", l.code));
            Catalog { locales }
        })
    }

    pub fn locales(&self) -> &[Locale] {
        &self.locales
    }

    /// The locale for `code`, or English.
    pub fn locale(&self, code: &str) -> &Locale {
        self.locales
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(code))
            .unwrap_or(&self.locales[0])
    }

    /// Chooses from an `Accept-Language` header: the first listed language we
    /// have, by quality order as the browser sent it.
    pub fn negotiate(&self, accept_language: &str) -> &Locale {
        let mut wanted: Vec<(f32, &str)> = accept_language
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, tag) in wanted {
            let primary = tag.split('-').next().unwrap_or(tag);
            if let Some(l) = self
                .locales
                .iter()
                .find(|l| l.code.eq_ignore_ascii_case(primary))
            {
                return l;
            }
        }
        &self.locales[0]
    }
}

impl Locale {
    /// The message for `key`; the key itself if missing, so a gap shows up in
    /// review instead of as an empty page.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn dir(&self) -> &'static str {
        if self.right_to_left { "rtl" } else { "ltr" }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

fn parse(code: &'static str, text: &str) -> Result<Locale, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut messages = HashMap::new();
    let mut name = None;
    let mut right_to_left = false;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("_name", toml::Value::String(s)) => name = Some(s),
            ("_direction", toml::Value::String(s)) => right_to_left = s == "rtl",
            (_, toml::Value::String(s)) => {
                messages.insert(key, s);
            }
            (k, _) => return Err(format!("{k}: every message is a string")),
        }
    }
    Ok(Locale {
        code,
        name: name.ok_or("missing _name")?,
        right_to_left,
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.insert(rest[start..start + len + 1].to_owned());
            rest = &rest[start + len + 1..];
        }
        out
    }

    #[test]
    fn every_locale_has_exactly_the_english_keys_and_placeholders() {
        let catalog = Catalog::get();
        let en = catalog.locale("en");
        assert_eq!(en.code, "en");
        let reference: BTreeSet<_> = en.keys().collect();
        assert!(catalog.locales().len() >= 5);
        for locale in catalog.locales() {
            let keys: BTreeSet<_> = locale.keys().collect();
            let missing: Vec<_> = reference.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&reference).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code);
            assert!(
                extra.is_empty(),
                "{} has unknown keys {extra:?}",
                locale.code
            );
            for key in &reference {
                assert_eq!(
                    placeholders(en.t(key)),
                    placeholders(locale.t(key)),
                    "{}: placeholders of {key}",
                    locale.code
                );
            }
        }
    }

    #[test]
    fn arabic_is_right_to_left_and_negotiation_follows_quality() {
        let catalog = Catalog::get();
        assert!(catalog.locale("ar").right_to_left);
        assert!(!catalog.locale("es").right_to_left);
        assert_eq!(catalog.negotiate("de-DE, fr;q=0.8, es;q=0.9").code, "es");
        assert_eq!(catalog.negotiate("pt-BR").code, "pt");
        assert_eq!(catalog.negotiate("zz, *;q=0.1").code, "en");
        assert_eq!(catalog.locale("xx").code, "en");
    }

    #[test]
    fn fill_replaces_placeholders() {
        let en = Catalog::get().locale("en");
        assert!(
            en.fill("danger_banner", &[("number", "112")])
                .contains("112")
        );
    }
}
