//! Streaming readers for ads in JSONL, CSV and plain text.
//!
//! Readers yield one [`Ad`] at a time from any `BufRead`, so memory stays
//! flat whatever the input size. A bad record never stops the stream: it is
//! yielded as a [`RecordError`] naming the source, the line and the reason,
//! and the caller decides whether to skip it or stop (`--strict`).
//!
//! Architecture invariant: this crate reads bytes and builds domain values.
//! It never analyses text, never writes, and never panics on any input
//! (fuzzed in `fuzz/`).

mod csv_reader;
mod discover;
mod jsonl;
mod line;
mod text;

pub use discover::{Format, InputFile, discover};

use ctip_core::Ad;
use std::fmt;
use std::io::BufRead;

/// Longest record accepted. Longer lines are reported and skipped without
/// being held in memory.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Where a record came from: the source's name and a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub source: String,
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// A record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct RecordError {
    pub location: Location,
    pub reason: String,
}

/// A problem with a whole source (unreadable file, CSV without a text
/// column): nothing more can be read from it.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{source_name}: cannot read: {error}")]
    Io {
        source_name: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{source_name}:{line}: {reason}")]
    Invalid {
        source_name: String,
        line: u64,
        reason: String,
    },
}

/// One record read: the ad, where it came from, and its `label` field when
/// the source has one (labelled training data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub location: Location,
    pub ad: Ad,
    pub label: Option<String>,
}

/// One item of a record stream.
pub type RecordResult = Result<Record, RecordError>;

/// Reads records of `format` from `reader`, naming them after `source`.
/// Returns an error only when the source as a whole is unusable.
pub fn read_records<'r>(
    reader: impl BufRead + 'r,
    format: Format,
    source: &str,
) -> Result<Box<dyn Iterator<Item = RecordResult> + 'r>, SourceError> {
    Ok(match format {
        Format::Jsonl => Box::new(jsonl::JsonlReader::new(reader, source)),
        Format::Text => Box::new(text::TextReader::new(reader, source)),
        Format::Csv => Box::new(csv_reader::CsvRecords::new(reader, source)?),
    })
}

/// Field names accepted for each ad field, lower-case. The first listed is
/// the documented name.
pub(crate) const TEXT_FIELDS: &[&str] =
    &["body", "text", "description", "content", "extracted_text"];
pub(crate) const TITLE_FIELDS: &[&str] = &["title", "subject", "headline"];
const ID_FIELDS: &[&str] = &["id", "ad_id", "_id"];
const URL_FIELDS: &[&str] = &["url", "link"];
const POSTED_FIELDS: &[&str] = &["posted_at", "date", "posted", "timestamp", "created_at"];
const CITY_FIELDS: &[&str] = &["city", "location"];
const REGION_FIELDS: &[&str] = &["region", "state", "province"];
const COUNTRY_FIELDS: &[&str] = &["country", "country_code"];
const NAME_FIELDS: &[&str] = &["name", "poster_name"];

/// Every field name a record is read from, aliases and `label` included.
pub(crate) fn is_record_field(key: &str) -> bool {
    key == "label"
        || [
            TEXT_FIELDS,
            TITLE_FIELDS,
            ID_FIELDS,
            URL_FIELDS,
            POSTED_FIELDS,
            CITY_FIELDS,
            REGION_FIELDS,
            COUNTRY_FIELDS,
            NAME_FIELDS,
        ]
        .iter()
        .any(|names| names.contains(&key))
}

/// Builds a record from named string fields, applying aliases and the rule
/// that an ad needs some text.
pub(crate) fn record_from_fields<'a>(
    location: Location,
    mut get: impl FnMut(&str) -> Option<&'a str>,
) -> Result<Record, String> {
    let label = get("label").map(|l| l.trim().to_owned());
    let ad = ad_from_fields(get)?;
    Ok(Record {
        location,
        ad,
        label,
    })
}

fn ad_from_fields<'a>(mut get: impl FnMut(&str) -> Option<&'a str>) -> Result<Ad, String> {
    let mut pick = |names: &[&str]| -> Option<String> {
        names
            .iter()
            .find_map(|n| get(n))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let body = pick(TEXT_FIELDS);
    let title = pick(TITLE_FIELDS);
    if body.is_none() && title.is_none() {
        return Err(
            "record has no text: expected a non-empty `body`, `text` or `title` field".into(),
        );
    }
    let url = pick(URL_FIELDS);
    let body = body.unwrap_or_default();
    let id =
        pick(ID_FIELDS).unwrap_or_else(|| Ad::content_id(title.as_deref(), &body, url.as_deref()));
    Ok(Ad {
        id,
        title,
        body,
        url,
        posted_at: pick(POSTED_FIELDS),
        city: pick(CITY_FIELDS),
        region: pick(REGION_FIELDS),
        country: pick(COUNTRY_FIELDS),
        name: pick(NAME_FIELDS),
    })
}
