//! Emergency numbers by country, from `data/emergency.toml` (kept as data so
//! a deploying organisation can check and replace it without touching code).

use serde::Deserialize;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/emergency.toml");

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct EmergencyService {
    /// A message key: `emergency`, `police`, `ambulance`, `trafficking_hotline`…
    pub service: String,
    pub number: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Country {
    pub code: String,
    pub name: String,
    pub numbers: Vec<EmergencyService>,
}

#[derive(Deserialize)]
struct Table {
    country: Vec<Country>,
}

fn table() -> &'static [Country] {
    static TABLE_CELL: OnceLock<Vec<Country>> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        // The table is compiled in and checked by a unit test, so a parse
        // failure here is a build defect, not bad input.
        let table: Table = toml::from_str(TABLE).expect("data/emergency.toml is valid");
        table.country
    })
}

impl Country {
    /// Every country the tip line knows, in file order.
    pub fn all() -> &'static [Country] {
        table()
    }

    /// The country with ISO 3166-1 alpha-2 `code`, any case.
    pub fn parse(code: &str) -> Option<&'static Country> {
        table().iter().find(|c| c.code.eq_ignore_ascii_case(code))
    }
}

/// The numbers to show for `country`; the international 112 when the country
/// is unknown (it reaches emergency services from most mobile networks).
pub fn emergency_numbers(country: Option<&str>) -> Vec<EmergencyService> {
    match country.and_then(Country::parse) {
        Some(c) => c.numbers.clone(),
        None => vec![EmergencyService {
            service: "emergency".into(),
            number: "112".into(),
            note: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_codes_are_unique_iso_alpha2() {
        let all = Country::all();
        assert!(all.len() >= 20);
        let mut codes: Vec<_> = all.iter().map(|c| c.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for c in all {
            assert!(c.code.len() == 2 && c.code.chars().all(|ch| ch.is_ascii_uppercase()));
            assert!(!c.numbers.is_empty(), "{} has no numbers", c.code);
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(emergency_numbers(Some("es"))[0].number, "112");
        assert_eq!(emergency_numbers(Some("US"))[0].number, "911");
        assert_eq!(emergency_numbers(Some("ZZ"))[0].number, "112");
        assert_eq!(emergency_numbers(None)[0].number, "112");
    }
}
