//! Validated scalar values: dates, identifiers, phone numbers, e-mail
//! addresses, ISO country and language codes, coordinates.
//!
//! Each type can only be built through its parser, so a [`crate::Case`] built
//! in code holds the same kind of values as one that was imported. The rules
//! here are the ones the importer applies and the JSON Schema states (as a
//! `pattern`, a `format` or an `enum`); `tests/schema.rs` checks that the two
//! agree.

use std::fmt;

use crate::iso_codes::{ISO_639_1, ISO_639_2, ISO_3166_1_ALPHA_2, ISO_3166_1_ALPHA_3};

/// Why a scalar was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// Not a real calendar date in the form `YYYY-MM-DD`.
    #[error("expected an ISO 8601 calendar date YYYY-MM-DD that exists")]
    InvalidDate,
    /// The text does not have the required form.
    #[error("expected {expected}")]
    InvalidFormat {
        /// What the form should be.
        expected: &'static str,
    },
    /// A number outside its range.
    #[error("expected a number from {min} to {max}")]
    OutOfRange {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
}

/// An ISO 8601 calendar date (`YYYY-MM-DD`), the form of every HTCDS `Date`
/// field. Years 0000–9999, and the day must exist in that month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoDate {
    year: u16,
    month: u8,
    day: u8,
}

impl IsoDate {
    /// The pattern of the JSON Schema for dates (the calendar check is the
    /// schema's `format: date`).
    pub const PATTERN: &'static str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

    /// Builds a date from its parts, refusing days that do not exist.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Result<Self, ValueError> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 {
            return Err(ValueError::InvalidDate);
        }
        if day > days_in_month(year, month) {
            return Err(ValueError::InvalidDate);
        }
        Ok(Self { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(ValueError::InvalidDate);
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0u16, |acc, digit| acc * 10 + u16::from(digit - b'0'))
        };
        let month = u8::try_from(number(5..7)).map_err(|_| ValueError::InvalidDate)?;
        let day = u8::try_from(number(8..10)).map_err(|_| ValueError::InvalidDate)?;
        Self::from_ymd(number(0..4), month, day)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Whole years from `self` (a birth date) to `on`; `None` if `on` is
    /// before `self`.
    pub fn whole_years_until(self, on: IsoDate) -> Option<u32> {
        if on < self {
            return None;
        }
        let mut years = u32::from(on.year - self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        Some(years)
    }
}

fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Implements the string conversions and serde for a validated string type.
macro_rules! string_value {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.to_string()
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::parse(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text =
                    <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_value!(IsoDate);

/// A record identifier inside a case document: the case's own `id`, the `id`
/// of organisations and people, and every lookup (to an organisation, a person
/// or a user). Identifiers are opaque: 1–128 characters from `A–Z a–z 0–9 . _ :
/// -`, starting with a letter or digit. The narrow alphabet keeps spaces, and
/// so names, out of identifiers, which are never encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// The pattern of the JSON Schema for identifiers.
    pub const PATTERN: &'static str = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";
    const EXPECTED: &'static str = "an identifier of 1-128 characters from A-Z a-z 0-9 . _ : -, starting with a letter or digit";

    /// Validates an identifier.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let mut chars = text.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok =
            chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
        if first_ok && rest_ok && text.len() <= 128 {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: Self::EXPECTED,
            })
        }
    }

    /// The identifier's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(RecordId);

/// A telephone number in the form the standard requires (E.164 digits with an
/// optional `+`): `^\+?[1-9]\d{1,14}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// The standard's regular expression, with `\d` spelled `[0-9]` so that
    /// it means the same in every regular-expression dialect.
    pub const PATTERN: &'static str = "^\\+?[1-9][0-9]{1,14}$";

    /// Validates a phone number.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        let ok = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: "an E.164 phone number: optional +, then 2-15 digits not starting with 0",
            })
        }
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(PhoneNumber);

/// An e-mail address, checked for shape only (`local@domain.tld`, no spaces):
/// whether it is deliverable is not something a data standard can know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The pattern of the JSON Schema for e-mail addresses.
    pub const PATTERN: &'static str = "^[^@ \\t\\r\\n]+@[^@ \\t\\r\\n]+\\.[^@ \\t\\r\\n]+$";
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_CHARS: usize = 254;

    /// Validates an address's shape.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let invalid = || ValueError::InvalidFormat {
            expected: "an e-mail address local@domain.tld without spaces, at most 254 characters",
        };
        if text.chars().count() > Self::MAX_CHARS {
            return Err(invalid());
        }
        let forbidden = |c: char| matches!(c, '@' | ' ' | '\t' | '\r' | '\n');
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.chars().any(forbidden) || domain.chars().any(forbidden) {
            return Err(invalid());
        }
        // The domain needs a dot with at least one character on each side.
        let has_inner_dot = domain
            .char_indices()
            .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len());
        if has_inner_dot {
            Ok(Self(text.to_owned()))
        } else {
            Err(invalid())
        }
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(EmailAddress);

/// An ISO 3166-1 country code, alpha-2 (`GB`) or alpha-3 (`GBR`), upper case.
/// The standard names ISO 3166 and allows either length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(String);

impl CountryCode {
    /// Validates a country code against the ISO 3166-1 list.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        if ISO_3166_1_ALPHA_2.binary_search(&text).is_ok()
            || ISO_3166_1_ALPHA_3.binary_search(&text).is_ok()
        {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: "an ISO 3166-1 alpha-2 or alpha-3 country code in upper case, such as GB or GBR",
            })
        }
    }

    /// Every accepted code: alpha-2 then alpha-3.
    pub fn all_codes() -> impl Iterator<Item = &'static str> {
        ISO_3166_1_ALPHA_2
            .iter()
            .chain(ISO_3166_1_ALPHA_3.iter())
            .copied()
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(CountryCode);

/// An ISO 639 language code, lower case: ISO 639-2 three letters (`eng`, both
/// terminology and bibliographic forms) or the optional ISO 639-1 two letters
/// (`en`), as the standard allows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageCode(String);

impl LanguageCode {
    /// Validates a language code against the ISO 639-1 and 639-2 lists.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        if ISO_639_1.binary_search(&text).is_ok() || ISO_639_2.binary_search(&text).is_ok() {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: "an ISO 639-2 (or ISO 639-1) language code in lower case, such as eng or en",
            })
        }
    }

    /// Every accepted code: ISO 639-1 then ISO 639-2.
    pub fn all_codes() -> impl Iterator<Item = &'static str> {
        ISO_639_1.iter().chain(ISO_639_2.iter()).copied()
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(LanguageCode);

/// Implements a bounded, finite `f64` coordinate.
macro_rules! coordinate {
    ($(#[$meta:meta])* $name:ident, $limit:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
        pub struct $name(f64);

        impl $name {
            /// Smallest allowed value.
            pub const MIN: f64 = -$limit;
            /// Largest allowed value.
            pub const MAX: f64 = $limit;

            /// Validates a coordinate in decimal degrees.
            pub fn new(degrees: f64) -> Result<Self, ValueError> {
                if degrees.is_finite() && (Self::MIN..=Self::MAX).contains(&degrees) {
                    Ok(Self(degrees))
                } else {
                    Err(ValueError::OutOfRange { min: Self::MIN, max: Self::MAX })
                }
            }

            /// The value in decimal degrees.
            pub fn degrees(self) -> f64 {
                self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_f64(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let degrees = <f64 as serde::Deserialize>::deserialize(deserializer)?;
                Self::new(degrees).map_err(serde::de::Error::custom)
            }
        }
    };
}

coordinate!(
    /// A latitude in decimal degrees, −90 to 90.
    Latitude,
    90.0
);
coordinate!(
    /// A longitude in decimal degrees, −180 to 180.
    Longitude,
    180.0
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist_in_the_calendar() {
        assert!(IsoDate::parse("2024-02-29").is_ok());
        assert!(IsoDate::parse("2023-02-29").is_err());
        assert!(IsoDate::parse("1900-02-29").is_err());
        assert!(IsoDate::parse("2000-02-29").is_ok());
        assert!(IsoDate::parse("2024-04-31").is_err());
        assert!(IsoDate::parse("2024-13-01").is_err());
        assert!(IsoDate::parse("2024-00-10").is_err());
        assert!(IsoDate::parse("2024-1-10").is_err());
        assert!(IsoDate::parse("2024-01-10T00:00:00Z").is_err());
        assert!(IsoDate::parse("２０２４-01-10").is_err());
        assert_eq!(
            IsoDate::parse("0999-12-31").map(|d| d.to_string()),
            Ok("0999-12-31".to_owned())
        );
    }

    #[test]
    fn whole_years_count_birthdays_not_calendar_years() {
        let born = IsoDate::parse("2000-06-15").expect("valid date");
        let day_before = IsoDate::parse("2018-06-14").expect("valid date");
        let birthday = IsoDate::parse("2018-06-15").expect("valid date");
        assert_eq!(born.whole_years_until(day_before), Some(17));
        assert_eq!(born.whole_years_until(birthday), Some(18));
        assert_eq!(birthday.whole_years_until(born), None);
    }

    #[test]
    fn phone_numbers_follow_the_standard_expression() {
        for good in ["+447700900123", "12", "+123456789012345"] {
            assert!(PhoneNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "+0123",
            "1",
            "+1234567890123456",
            "07700 900123",
            "++12",
            "",
            "+",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_shape_is_checked() {
        assert!(EmailAddress::parse("a@b.org").is_ok());
        for bad in [
            "a@b",
            "@b.org",
            "a@.org",
            "a@org.",
            "a b@c.org",
            "a@b@c.org",
            "abc",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_come_from_the_iso_lists() {
        assert!(CountryCode::parse("GB").is_ok());
        assert!(CountryCode::parse("GBR").is_ok());
        assert!(CountryCode::parse("gb").is_err());
        assert!(CountryCode::parse("XX").is_err());
        assert!(LanguageCode::parse("en").is_ok());
        assert!(LanguageCode::parse("eng").is_ok());
        assert!(LanguageCode::parse("ger").is_ok(), "bibliographic form");
        assert!(LanguageCode::parse("deu").is_ok(), "terminology form");
        assert!(LanguageCode::parse("EN").is_err());
        assert!(LanguageCode::parse("xx").is_err());
    }

    #[test]
    fn identifiers_refuse_spaces_and_overlong_text() {
        assert!(RecordId::parse("case-2024:0001").is_ok());
        assert!(RecordId::parse("Jane Doe").is_err());
        assert!(RecordId::parse("-lead").is_err());
        assert!(RecordId::parse("").is_err());
        assert!(RecordId::parse(&"a".repeat(128)).is_ok());
        assert!(RecordId::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn coordinates_are_bounded_and_finite() {
        assert!(Latitude::new(90.0).is_ok());
        assert!(Latitude::new(90.5).is_err());
        assert!(Longitude::new(-180.0).is_ok());
        assert!(Longitude::new(f64::NAN).is_err());
    }
}
