//! Errors of the directory crate.
//!
//! An import never stops at the first problem: every schema violation and every domain rule
//! violation is collected as a [`Problem`] that names the JSON pointer (RFC 6901) of the bad
//! value, so a data steward can fix a whole file in one pass.

use std::fmt;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The input is not JSON at all.
    #[error("the document is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),

    /// The JSON is well formed but is none of the HSDS 3.0 shapes this crate imports.
    #[error("unsupported document shape: {0}")]
    UnsupportedShape(String),

    /// The document breaks the HSDS 3.0 schema and/or ctip's domain rules.
    #[error("{report}")]
    Invalid {
        /// All problems found, in document order within each check.
        report: ValidationReport,
    },

    /// One of the embedded HSDS schemas does not compile. This is a build defect, not bad input.
    #[error("embedded HSDS schema {name} does not compile: {reason}")]
    Schema {
        /// Which embedded schema.
        name: &'static str,
        /// The validator's explanation.
        reason: String,
    },

    /// A value handed to a constructor is out of its domain (e.g. a latitude of 91).
    #[error("{0}")]
    OutOfRange(String),
}

/// Where a problem was detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemSource {
    /// The HSDS 3.0 JSON Schema; carries the failing keyword (`type`, `required`, `enum`...).
    Schema {
        /// The JSON Schema keyword that failed.
        keyword: String,
    },
    /// A ctip rule that the schema cannot express.
    Domain(DomainRule),
}

/// The domain rules checked on top of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainRule {
    /// Latitude must lie in [-90, 90].
    LatitudeRange,
    /// Longitude must lie in [-180, 180].
    LongitudeRange,
    /// Latitude and longitude come as a pair or not at all.
    CoordinatePair,
    /// Ages must be finite, within 0..=150, and minimum <= maximum.
    AgeRange,
    /// A `ctip:service-type:*` term whose suffix is not a known service type, or two different ones.
    ServiceType,
    /// A `ctip:eligible-gender:*` term whose suffix is not a known gender.
    Gender,
    /// A language entry needs an ISO 639-1/639-3 code (optionally with BCP 47 subtags).
    LanguageCode,
    /// Identifiers must be unique among objects of one kind.
    DuplicateId,
    /// A service must belong to an organization (nested `organization` or a known `organization_id`).
    MissingOrganization,
    /// A service at location refers to a location that is not in the document.
    UnknownLocation,
    /// A confidential location must be reachable: the service or the location needs a phone or e-mail.
    ConfidentialWithoutContact,
    /// Public free text must not contain the address line or postal code of a confidential location.
    ConfidentialAddressInText,
}

impl DomainRule {
    /// A short stable name, usable in logs and API responses.
    pub fn name(self) -> &'static str {
        match self {
            DomainRule::LatitudeRange => "latitude-range",
            DomainRule::LongitudeRange => "longitude-range",
            DomainRule::CoordinatePair => "coordinate-pair",
            DomainRule::AgeRange => "age-range",
            DomainRule::ServiceType => "service-type",
            DomainRule::Gender => "gender",
            DomainRule::LanguageCode => "language-code",
            DomainRule::DuplicateId => "duplicate-id",
            DomainRule::MissingOrganization => "missing-organization",
            DomainRule::UnknownLocation => "unknown-location",
            DomainRule::ConfidentialWithoutContact => "confidential-without-contact",
            DomainRule::ConfidentialAddressInText => "confidential-address-in-text",
        }
    }
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer (RFC 6901) of the offending value, from the document root. For a missing
    /// required property it points at where the property should be (e.g. `/services/0/name`).
    pub pointer: String,
    /// Which check found it.
    pub source: ProblemSource,
    /// What is wrong, in words. Instance values are masked so that logs do not copy data.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document root)"
        } else {
            &self.pointer
        };
        match &self.source {
            ProblemSource::Schema { keyword } => {
                write!(f, "{pointer}: {} [schema: {keyword}]", self.message)
            }
            ProblemSource::Domain(rule) => {
                write!(f, "{pointer}: {} [rule: {}]", self.message, rule.name())
            }
        }
    }
}

/// All problems found in one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationReport {
    /// The problems, schema problems first, then domain problems.
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems found at exactly this pointer.
    pub fn at<'a>(&'a self, pointer: &'a str) -> impl Iterator<Item = &'a Problem> + 'a {
        self.problems.iter().filter(move |p| p.pointer == pointer)
    }

    /// True if any problem was found by the JSON Schema.
    pub fn has_schema_problems(&self) -> bool {
        self.problems
            .iter()
            .any(|p| matches!(p.source, ProblemSource::Schema { .. }))
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in the HSDS document", self.problems.len())?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub(crate) fn pointer_push(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for ch in token.chars() {
        match ch {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            other => out.push(other),
        }
    }
    out
}

/// Appends an array index to a JSON pointer.
pub(crate) fn pointer_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}
