//! Import never panics, whatever it is given, and refuses what it cannot
//! read instead of importing part of it.

mod common;

use common::{Choices, generate_document};
use ctip_cases::table::field_paths;
use ctip_cases::{import_bundle, import_case};
use proptest::prelude::*;
use serde_json::Value;

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,20}".prop_map(Value::String),
        Just(Value::String("2024-02-29".into())),
        Just(Value::String("ForcedLabour".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_:$]{0,12}",
                    Just("id".to_owned()),
                    Just("victim".to_owned())
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = import_case(&text);
        let _ = import_bundle(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let text = value.to_string();
        let _ = import_case(&text);
        let _ = import_bundle(&text);
    }

    #[test]
    fn any_value_in_any_field_is_imported_whole_or_refused_with_its_pointer(
        numbers in prop::collection::vec(any::<u32>(), 1..64),
        choice in any::<prop::sample::Index>(),
        replacement in arbitrary_json(),
    ) {
        let mut document = generate_document(&mut Choices::random(numbers));
        let paths: Vec<String> = field_paths()
            .into_iter()
            .map(|(template, _)| template.replace("/*", "/0"))
            .filter(|pointer| document.pointer(pointer).is_some())
            .collect();
        let pointer = choice.get(&paths).clone();
        if let Some(slot) = document.pointer_mut(&pointer) {
            *slot = replacement;
        }
        match import_case(&document.to_string()) {
            Ok(case) => {
                // Whatever imported is exactly what the document says.
                let exported = ctip_cases::export_case(&case);
                prop_assert_eq!(ctip_cases::import_case(&exported.to_string()).ok(), Some(case));
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(
                    errors.iter().any(|e| e.pointer.starts_with(&pointer) || e.pointer.is_empty()
                        || matches!(e.kind, ctip_cases::ImportErrorKind::DanglingReference { .. }
                            | ctip_cases::ImportErrorKind::DuplicateId { .. }
                            | ctip_cases::ImportErrorKind::WithdrawnBeforeGiven { .. })),
                    "no error at or under {}: {:?}", pointer, errors
                );
            }
        }
    }
}
