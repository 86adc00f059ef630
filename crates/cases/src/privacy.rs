//! Sensitive fields and de-identification, both driven by the field table.
//!
//! The server encrypts every value at a [`SensitivePath`] with the
//! organisation's key; the analyst role only ever sees [`deidentify`]'s
//! output.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::export::export_case;
use crate::model::Case;
use crate::picklist::{AgeBand, Picklist};
use crate::table::{FieldKind, FieldSpec, LookupTarget, ObjectKind, Sensitivity, field_paths};
use crate::values::IsoDate;

/// A sensitive value present in a case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SensitivePath {
    /// JSON pointer of the value in the case's export.
    pub pointer: String,
    /// Why it is sensitive.
    pub sensitivity: Sensitivity,
}

/// Every sensitive field of the model, as JSON-pointer templates over a case
/// document (`*` stands for any array index), with its category.
pub fn sensitive_field_templates() -> Vec<(String, Sensitivity)> {
    field_paths()
        .into_iter()
        .filter_map(|(path, spec)| spec.sensitivity.map(|sensitivity| (path, sensitivity)))
        .collect()
}

impl Case {
    /// The JSON pointers (in [`export_case`]'s document) of every sensitive
    /// value this case holds, in document order.
    pub fn sensitive_paths(&self) -> Vec<SensitivePath> {
        let mut paths = Vec::new();
        visit_fields(
            &export_case(self),
            "",
            ObjectKind::Case,
            &mut |pointer, spec, _| {
                if let Some(sensitivity) = spec.sensitivity {
                    paths.push(SensitivePath {
                        pointer: pointer.to_owned(),
                        sensitivity,
                    });
                }
            },
        );
        paths
    }
}

/// Calls `visit` for every field present in a document, depth first, in
/// document order; unknown keys are skipped.
fn visit_fields(
    value: &Value,
    pointer: &str,
    kind: ObjectKind,
    visit: &mut dyn FnMut(&str, &'static FieldSpec, &Value),
) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, field_value) in map {
        let Some(spec) = kind.field(key) else {
            continue;
        };
        let field_pointer = format!("{pointer}/{}", crate::import::escape_pointer_token(key));
        visit(&field_pointer, spec, field_value);
        if let Some(child) = spec.object_kind() {
            match (spec.multi, field_value) {
                (true, Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        visit_fields(item, &format!("{field_pointer}/{index}"), child, visit);
                    }
                }
                (false, item) => visit_fields(item, &field_pointer, child, visit),
                (true, _) => {}
            }
        }
    }
}

/// The de-identified view of a case for analysts, as of `as_of` (the day the
/// view is made; the crate has no clock).
///
/// - Every sensitive field (see [`crate::table::Sensitivity`]) is dropped;
///   a record whose required field is sensitive (a case comment) is dropped
///   whole.
/// - Birth dates become `ctip:age_band` (age on `as_of`), and
///   `vic_AgeWhenTrafficked` becomes `ctip:age_band_when_trafficked`.
/// - People's identifiers (victim, perpetrators, `persons`) are replaced by
///   `person-1`, `person-2`, … in document order, and person lookups follow,
///   because identifiers from other systems can embed names or ID numbers.
/// - Everything else (picklists, countries, dates of events, organisations,
///   consent records, the case id) is kept.
pub fn deidentify(case: &Case, as_of: IsoDate) -> Case {
    let mut document = export_case(case);
    let mut person_ids = HashMap::new();
    strip_object(&mut document, ObjectKind::Case, as_of, &mut person_ids);
    rewrite_person_lookups(&mut document, ObjectKind::Case, &person_ids);
    // Only optional keys were removed (records with a sensitive required key
    // are removed whole), and ids were replaced by valid ids, so the document
    // still fits the model.
    serde_json::from_value(document).expect("a de-identified case document fits the model")
}

fn strip_object(
    value: &mut Value,
    kind: ObjectKind,
    as_of: IsoDate,
    person_ids: &mut HashMap<String, String>,
) {
    let Value::Object(map) = value else {
        return;
    };
    generalise_ages(map, kind, as_of);
    if matches!(
        kind,
        ObjectKind::Victim | ObjectKind::Perpetrator | ObjectKind::Person
    ) && let Some(Value::String(id)) = map.get_mut("id")
    {
        let pseudonym = format!("person-{}", person_ids.len() + 1);
        person_ids.insert(std::mem::replace(id, pseudonym.clone()), pseudonym);
    }
    map.retain(|key, _| {
        kind.field(key)
            .is_none_or(|spec| spec.sensitivity.is_none())
    });
    // The victim comes before the lists of other people in the pseudonyms.
    let mut keys: Vec<String> = map.keys().cloned().collect();
    keys.sort_by_key(|key| key != "victim");
    for key in keys {
        let Some(spec) = kind.field(&key) else {
            continue;
        };
        let Some(child) = spec.object_kind() else {
            continue;
        };
        let Some(field_value) = map.get_mut(&key) else {
            continue;
        };
        if let Value::Array(items) = field_value {
            items.retain(|item| keeps_required_fields(item, child));
            for item in items.iter_mut() {
                strip_object(item, child, as_of, person_ids);
            }
        } else {
            strip_object(field_value, child, as_of, person_ids);
        }
    }
}

/// Whether a record survives de-identification: it must not need a field
/// that de-identification drops.
fn keeps_required_fields(_item: &Value, kind: ObjectKind) -> bool {
    !kind
        .fields()
        .any(|spec| spec.required && spec.sensitivity.is_some())
}

fn generalise_ages(map: &mut Map<String, Value>, kind: ObjectKind, as_of: IsoDate) {
    let person_like = matches!(
        kind,
        ObjectKind::Victim | ObjectKind::Perpetrator | ObjectKind::Person
    );
    if person_like {
        let age = match map.get("prs_Birthdate") {
            Some(Value::String(text)) => IsoDate::parse(text)
                .ok()
                .and_then(|born| born.whole_years_until(as_of)),
            _ => None,
        };
        if let Some(years) = age {
            map.insert(
                "ctip:age_band".to_owned(),
                json!(AgeBand::for_age(years).as_str()),
            );
        }
    }
    if kind == ObjectKind::Victim
        && let Some(years) = map
            .remove("vic_AgeWhenTrafficked")
            .and_then(|age| age.as_f64())
    {
        // Ages are whole numbers 0–130 (validated), so this is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let years = years as u32;
        map.insert(
            "ctip:age_band_when_trafficked".to_owned(),
            json!(AgeBand::for_age(years).as_str()),
        );
    }
}

fn rewrite_person_lookups(
    value: &mut Value,
    kind: ObjectKind,
    person_ids: &HashMap<String, String>,
) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, field_value) in map.iter_mut() {
        let Some(spec) = kind.field(key) else {
            continue;
        };
        match (spec.kind, field_value) {
            (FieldKind::Lookup(LookupTarget::Person), Value::String(id)) => {
                if let Some(pseudonym) = person_ids.get(id.as_str()) {
                    id.clone_from(pseudonym);
                }
            }
            (FieldKind::Object(child), Value::Array(items)) => {
                for item in items {
                    rewrite_person_lookups(item, child, person_ids);
                }
            }
            (FieldKind::Object(child), item) => rewrite_person_lookups(item, child, person_ids),
            _ => {}
        }
    }
}
