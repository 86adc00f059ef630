//! Domain types shared by every ctip crate.
//!
//! This crate is the vocabulary of the system: an [`Ad`] as read from outside,
//! the [`Identifier`]s pulled out of it, the [`Reason`]s an indicator fired and
//! the [`Assessment`] that ranks it. It holds plain data and tiny pure helpers.
//!
//! Architecture invariant: no I/O, no clock, no global state, no heavy
//! dependencies. Every other crate depends on this one, so it must stay cheap.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A half-open byte range `[start, end)` into an ad's original text
/// (see [`Ad::text`]). Spans always point at the text as the source wrote it,
/// never at a normalised copy, so evidence can be highlighted where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// One advertisement or post, as read from an input file.
///
/// Every field but the text is optional because scraped data rarely has them
/// all. `title` and `body` are kept apart as sources give them; the analysed
/// text is their concatenation, see [`Ad::text`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ad {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Separator placed between title and body in [`Ad::text`].
pub const TITLE_BODY_SEPARATOR: &str = "\n";

impl Ad {
    /// The text every extractor and indicator runs over: the title, a newline,
    /// then the body. All [`Span`]s index into this string.
    pub fn text(&self) -> Cow<'_, str> {
        match self.title.as_deref() {
            Some(title) if !title.is_empty() && !self.body.is_empty() => {
                Cow::Owned(format!("{title}{TITLE_BODY_SEPARATOR}{}", self.body))
            }
            Some(title) if !title.is_empty() => Cow::Borrowed(title),
            _ => Cow::Borrowed(&self.body),
        }
    }

    /// A stable id for records that arrive without one: a hash of the content,
    /// so re-scanning the same record updates it instead of duplicating it.
    pub fn content_id(title: Option<&str>, body: &str, url: Option<&str>) -> String {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in [title.unwrap_or(""), body, url.unwrap_or("")] {
            hasher.update(part.as_bytes());
            hasher.update(&[0xff]);
        }
        format!("h{:032x}", hasher.digest128())
    }
}

/// What kind of identifier an [`Identifier`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Phone,
    Email,
    Handle,
    Url,
    Domain,
    Age,
    Price,
    Wallet,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 8] = [
        IdentifierKind::Phone,
        IdentifierKind::Email,
        IdentifierKind::Handle,
        IdentifierKind::Url,
        IdentifierKind::Domain,
        IdentifierKind::Age,
        IdentifierKind::Price,
        IdentifierKind::Wallet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::Handle => "handle",
            IdentifierKind::Url => "url",
            IdentifierKind::Domain => "domain",
            IdentifierKind::Age => "age",
            IdentifierKind::Price => "price",
            IdentifierKind::Wallet => "wallet",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        IdentifierKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds that point at a person or an account and so can link ads into a
    /// network. Ages and prices describe an ad; they never link two ads.
    pub fn is_linking(self) -> bool {
        matches!(
            self,
            IdentifierKind::Phone
                | IdentifierKind::Email
                | IdentifierKind::Handle
                | IdentifierKind::Wallet
        )
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A price with its unit, as advertised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub amount: f64,
    /// ISO 4217 code where the currency is a real one (`USD`, `EUR`), or the
    /// code word used in its place (`roses`, `donation`).
    pub currency: String,
    /// Length of the service in minutes when stated (`hh` = 30, `hr` = 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

/// An identifier pulled out of an ad, with the span it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    /// Canonical value: E.164 for phones, lower case for e-mails, domains and
    /// handles, the address for wallets, the number of years for ages, and
    /// `amount currency[/minutes]` for prices.
    pub value: String,
    pub span: Span,
    /// Platform of a handle (`instagram`), chain of a wallet (`btc`), or region
    /// a phone was read in (`US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    /// True when the source text hid the identifier (spelled digits, look-alike
    /// letters, `at`/`dot` words) and ctip had to recover it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub obfuscated: bool,
}

impl Identifier {
    pub fn new(kind: IdentifierKind, value: impl Into<String>, span: Span) -> Self {
        Identifier {
            kind,
            value: value.into(),
            span,
            qualifier: None,
            price: None,
            obfuscated: false,
        }
    }

    /// The key under which two ads are joined: kind, qualifier and value.
    pub fn link_key(&self) -> String {
        match &self.qualifier {
            Some(q) if self.kind == IdentifierKind::Handle => {
                format!("{}:{}:{}", self.kind, q, self.value)
            }
            _ => format!("{}:{}", self.kind, self.value),
        }
    }
}

/// The kind of exploitation an indicator points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exploitation {
    Sexual,
    Labour,
    /// Signals that hold for both, such as movement or third-party control.
    Any,
}

/// Why an ad scored what it did: one fired indicator and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Indicator id from the lexicon (`sex.youth.fresh`) or a structural signal
    /// (`struct.multiple_phones`).
    pub indicator: String,
    pub weight: f32,
    /// Where in the original text it fired; absent for signals about the ad as
    /// a whole (many cities, a price below the local median).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The matched words or a short explanation of a structural signal.
    pub evidence: String,
}

/// The verdict on one ad: a score in `[0, 1]` and every reason behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// Everything ctip learned about one ad.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdResult {
    pub id: String,
    pub identifiers: Vec<Identifier>,
    /// Distinct indicator ids that fired, for quick filtering.
    pub indicators: Vec<String>,
    pub score: f32,
    pub reasons: Vec<Reason>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_text_joins_title_and_body_with_one_newline() {
        let ad = Ad {
            title: Some("Hi".into()),
            body: "there".into(),
            ..Ad::default()
        };
        assert_eq!(ad.text(), "Hi\nthere");
        let body_only = Ad {
            body: "there".into(),
            ..Ad::default()
        };
        assert_eq!(body_only.text(), "there");
    }

    #[test]
    fn content_id_is_stable_and_separates_fields() {
        let a = Ad::content_id(Some("ab"), "c", None);
        assert_eq!(a, Ad::content_id(Some("ab"), "c", None));
        assert_ne!(a, Ad::content_id(Some("a"), "bc", None));
    }

    #[test]
    fn handle_link_key_includes_platform() {
        let mut id = Identifier::new(IdentifierKind::Handle, "jane", Span::new(0, 4));
        id.qualifier = Some("instagram".into());
        assert_eq!(id.link_key(), "handle:instagram:jane");
    }
}
