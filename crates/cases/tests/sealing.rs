//! Field-level encryption: what is stored holds no sensitive value in the
//! clear, opens back to the same case with the right key only, and a sealed
//! value cannot be moved to another field or case.

mod common;

use common::{Choices, generate_document};
use ctip_cases::{FieldKey, SealError, import_case_value, open_case, seal_case};
use proptest::prelude::*;
use serde_json::Value;

fn key(byte: u8) -> FieldKey {
    FieldKey::from_bytes(&[byte; 32])
}

/// The sensitive values of a case, as the strings that would appear in the
/// stored JSON if they were not sealed. Values that also occur in a
/// non-sensitive field of the same document (the generator reuses sample
/// texts, e.g. for an organisation's city) are left out: they are not
/// secret there.
fn sensitive_texts(case: &ctip_cases::Case) -> Vec<String> {
    let document = ctip_cases::export_case(case);
    let mut public = document.clone();
    for path in case.sensitive_paths() {
        if let Some(slot) = public.pointer_mut(&path.pointer) {
            *slot = Value::Null;
        }
    }
    let public = public.to_string();
    case.sensitive_paths()
        .iter()
        .filter_map(|path| document.pointer(&path.pointer))
        .flat_map(|value| match value {
            Value::String(text) => vec![text.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            other => vec![other.to_string()],
        })
        // Short values ("F", "12") occur by chance in ids and dates.
        .filter(|text| text.len() >= 6 && !public.contains(text.as_str()))
        .collect()
}

#[test]
fn a_full_case_round_trips_and_hides_every_sensitive_value() {
    let case = import_case_value(&generate_document(&mut Choices::full())).unwrap();
    let sensitive = sensitive_texts(&case);
    assert!(
        sensitive.len() > 10,
        "the full document has sensitive values"
    );
    let stored = seal_case(&case, &key(7));
    let stored_document: Value = serde_json::from_str(&stored).unwrap();
    for path in case.sensitive_paths() {
        let sealed = stored_document
            .pointer(&path.pointer)
            .and_then(Value::as_str);
        assert!(
            sealed.is_some_and(|s| s.starts_with("ctip:sealed:v1:")),
            "{} is not sealed",
            path.pointer
        );
    }
    for text in &sensitive {
        assert!(
            !stored.contains(text.as_str()),
            "stored in the clear: {text}"
        );
    }
    assert_eq!(open_case(&stored, case.id.as_str(), &key(7)).unwrap(), case);
}

#[test]
fn the_wrong_key_or_another_case_id_does_not_open() {
    let case = import_case_value(&generate_document(&mut Choices::full())).unwrap();
    let stored = seal_case(&case, &key(7));
    assert!(matches!(
        open_case(&stored, case.id.as_str(), &key(8)),
        Err(SealError::Open { .. })
    ));
    assert!(matches!(
        open_case(&stored, "another-case", &key(7)),
        Err(SealError::Open { .. })
    ));
}

#[test]
fn a_sealed_value_moved_to_another_field_does_not_open() {
    let case = import_case_value(&generate_document(&mut Choices::full())).unwrap();
    let paths = case.sensitive_paths();
    let mut stored: Value = serde_json::from_str(&seal_case(&case, &key(7))).unwrap();
    let (a, b) = (&paths[0].pointer, &paths[1].pointer);
    let first = stored.pointer(a).unwrap().clone();
    let second = stored.pointer(b).unwrap().clone();
    *stored.pointer_mut(a).unwrap() = second;
    *stored.pointer_mut(b).unwrap() = first;
    let error = open_case(&stored.to_string(), case.id.as_str(), &key(7)).unwrap_err();
    assert!(matches!(error, SealError::Open { .. }), "{error}");
}

#[test]
fn a_flipped_bit_does_not_open_and_the_error_names_the_field_only() {
    let case = import_case_value(&generate_document(&mut Choices::full())).unwrap();
    let stored = seal_case(&case, &key(7));
    let position = stored.find("ctip:sealed:v1:").unwrap() + "ctip:sealed:v1:".len() + 40;
    let mut bytes = stored.into_bytes();
    bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
    let error = open_case(
        &String::from_utf8(bytes).unwrap(),
        case.id.as_str(),
        &key(7),
    )
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("sealed field /"), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_cases_round_trip(numbers in proptest::collection::vec(any::<u32>(), 1..64)) {
        let case = import_case_value(&generate_document(&mut Choices::random(numbers))).unwrap();
        let stored = seal_case(&case, &key(3));
        for text in sensitive_texts(&case) {
            prop_assert!(!stored.contains(text.as_str()));
        }
        prop_assert_eq!(open_case(&stored, case.id.as_str(), &key(3)).unwrap(), case);
    }
}
