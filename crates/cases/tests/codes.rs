//! The embedded ISO code lists match Debian's iso-codes data, when installed.

use std::collections::BTreeSet;
use std::path::Path;

use ctip_cases::{CountryCode, LanguageCode};
use serde_json::Value;

fn read(path: &str) -> Option<Value> {
    let text = std::fs::read_to_string(Path::new(path)).ok()?;
    serde_json::from_str(&text).ok()
}

fn codes(document: &Value, list: &str, keys: &[&str]) -> BTreeSet<String> {
    document[list]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|entry| keys.iter().filter_map(|key| entry[*key].as_str()))
        .filter(|code| code.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn country_and_language_codes_match_iso_codes() {
    let countries = read("/usr/share/iso-codes/json/iso_3166-1.json");
    let languages = read("/usr/share/iso-codes/json/iso_639-2.json");
    let (Some(countries), Some(languages)) = (countries, languages) else {
        println!("skipping: Debian's iso-codes JSON files are not installed");
        return;
    };
    let expected = codes(&countries, "3166-1", &["alpha_2", "alpha_3"]);
    let embedded: BTreeSet<String> = CountryCode::all_codes().map(str::to_owned).collect();
    assert_eq!(embedded, expected);
    let expected = codes(
        &languages,
        "639-2",
        &["alpha_2", "alpha_3", "bibliographic"],
    );
    let embedded: BTreeSet<String> = LanguageCode::all_codes().map(str::to_owned).collect();
    assert_eq!(embedded, expected);
}
