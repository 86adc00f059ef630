//! Conformance with the HTCDS 2.0 field sheet.
//!
//! Reads `field-standards-2.0.tsv` at test time, with its own small parser
//! (not the crate's), and proves that every field of the sheet maps to a path
//! of the model with a matching kind, that every picklist value imports and
//! exports back, that the table holds no HTCDS name the sheet lacks, and that
//! the JSON Schema states every field and value.
//!
//! The sheet is read from `../shared/data/htcds` (the project's copy of the
//! upstream repository) when present, and always from the copy vendored in
//! `data/`, which must then be identical.

mod common;

use std::path::{Path, PathBuf};

use common::{Choices, generate_document};
use ctip_cases::standard::FIELD_SHEET_TSV;
use ctip_cases::table::{
    FIELDS, FieldKind, FieldSpec, LONG_TEXT_MAX_CHARS, LookupTarget, ObjectKind, Origin,
    TEXT_MAX_CHARS, field_paths, htcds_field,
};
use ctip_cases::{export_case, htcds_json_schema, import_case};
use serde_json::{Value, json};

/// Country fields whose sheet type is plain `Text` but which the ctip
/// profile restricts to ISO 3166 codes, so that countries compare across
/// records (documented in the crate's README text).
const PROFILE_COUNTRY_CODES: &[&str] = &["hte_Country"];

struct SheetRow {
    line: usize,
    status: String,
    core: bool,
    name: String,
    label: String,
    field_type: String,
    value_names: Vec<String>,
    value_labels_cell: String,
    notes: String,
}

fn shared_sheet_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/htcds/field-standards-2.0.tsv")
}

fn vendored_sheet_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/field-standards-2.0.tsv")
}

fn parse_sheet(text: &str) -> Vec<SheetRow> {
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        let raw = |i: usize| cells.get(i).copied().unwrap_or("");
        let cell = |i: usize| raw(i).trim().to_owned();
        let status = cell(1);
        if !cell(0).is_empty() || !matches!(status.as_str(), "DRAFT" | "DEPRECATED" | "N/A") {
            continue;
        }
        let name = if cell(6).is_empty() {
            format!("{}{}", cell(3), cell(4))
        } else {
            cell(6)
        };
        rows.push(SheetRow {
            line: index + 1,
            status,
            core: cell(2) == "Core",
            name,
            label: cell(5),
            field_type: cell(7),
            // Split before trimming: a cell may end with the separator.
            value_names: raw(9)
                .split(" / ")
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .collect(),
            value_labels_cell: cell(10),
            notes: cell(12),
        });
    }
    rows
}

fn read_sheets() -> Vec<(String, String)> {
    let mut sheets = Vec::new();
    let vendored = std::fs::read_to_string(vendored_sheet_path()).expect("data/ holds the sheet");
    assert_eq!(
        vendored, FIELD_SHEET_TSV,
        "the embedded sheet is the vendored file"
    );
    match std::fs::read_to_string(shared_sheet_path()) {
        Ok(shared) => {
            assert_eq!(
                shared, vendored,
                "data/field-standards-2.0.tsv must be an exact copy of ../shared/data/htcds"
            );
            sheets.push(("../shared/data/htcds".to_owned(), shared));
        }
        Err(error) => println!(
            "skipping the shared HTCDS sheet ({}: {error}); checking the vendored copy only",
            shared_sheet_path().display()
        ),
    }
    sheets.push(("data/ (vendored)".to_owned(), vendored));
    sheets
}

fn mentions(row: &SheetRow, needle: &str) -> bool {
    row.value_names.iter().any(|value| value.contains(needle))
        || row.value_labels_cell.contains(needle)
        || row.notes.contains(needle)
}

fn is_code_list(row: &SheetRow) -> bool {
    mentions(row, "ISO 3166") || mentions(row, "ISO 639")
}

/// Whether the table's kind for a field is a faithful reading of the sheet's
/// type (and notes).
fn kind_matches(row: &SheetRow, spec: &FieldSpec) -> bool {
    let country = mentions(row, "ISO 3166") || PROFILE_COUNTRY_CODES.contains(&row.name.as_str());
    let coordinate = if row.name.ends_with("Latitude") {
        FieldKind::Latitude
    } else {
        FieldKind::Longitude
    };
    let multi = row.field_type.starts_with("Multiselect");
    if spec.multi != multi {
        return false;
    }
    match (row.field_type.as_str(), spec.kind) {
        ("Text", FieldKind::Country) | ("Picklist or Text", FieldKind::Country) => country,
        ("Text", FieldKind::Phone) => row.notes.contains("E.164"),
        ("Text", FieldKind::Email) => row.name.ends_with("Email"),
        ("Text", FieldKind::Text { max_chars })
        | ("Picklist or Text", FieldKind::Text { max_chars }) => {
            !country && max_chars == TEXT_MAX_CHARS
        }
        ("Long Text", FieldKind::Text { max_chars }) => max_chars == LONG_TEXT_MAX_CHARS,
        ("Date", FieldKind::Date) => true,
        ("Checkbox", FieldKind::Checkbox) => true,
        ("Number", FieldKind::Integer { .. }) => !row.name.contains("itude"),
        ("Number" | "Geolocation", kind @ (FieldKind::Latitude | FieldKind::Longitude)) => {
            kind == coordinate
        }
        ("Picklist" | "Multiselect Picklist", FieldKind::Country) => mentions(row, "ISO 3166"),
        ("Picklist" | "Multiselect Picklist", FieldKind::Language) => mentions(row, "ISO 639"),
        ("Picklist" | "Multiselect Picklist", FieldKind::Picklist(_)) => !is_code_list(row),
        ("Lookup [to organisation]", FieldKind::Lookup(LookupTarget::Organisation)) => true,
        ("Lookup [to person]", FieldKind::Lookup(LookupTarget::Person)) => true,
        ("Lookup [to user]", FieldKind::Lookup(LookupTarget::User)) => true,
        // per_Organisation has no type in the sheet; its name says what it
        // points at.
        ("", FieldKind::Lookup(LookupTarget::Organisation)) => row.name == "per_Organisation",
        _ => false,
    }
}

/// The schema of a property, by the object kind that holds it.
fn property_schema<'a>(schema: &'a Value, kind: ObjectKind, key: &str) -> Option<&'a Value> {
    let object = if kind == ObjectKind::Case {
        schema
    } else {
        schema.get("$defs")?.get(kind.schema_name())?
    };
    object.get("properties")?.get(key)
}

fn object_kinds_holding(spec: &FieldSpec) -> Vec<ObjectKind> {
    ObjectKind::ALL
        .into_iter()
        .filter(|kind| kind.field(spec.key).is_some_and(|held| held == spec))
        .collect()
}

/// A valid document with `value` at the first place where `spec` occurs.
fn document_with(spec: &FieldSpec, value: &str) -> (Value, String) {
    let mut document = generate_document(&mut Choices::full());
    let (template, _) = field_paths()
        .into_iter()
        .find(|(_, candidate)| *candidate == spec)
        .expect("every table field has a path");
    let pointer = template.replace("/*", "/0");
    let slot = document
        .pointer_mut(&pointer)
        .expect("the full document holds every field");
    *slot = if spec.multi {
        json!([value])
    } else {
        json!(value)
    };
    (document, pointer)
}

#[test]
fn every_field_of_the_sheet_maps_to_the_model_with_a_matching_kind() {
    for (source, text) in read_sheets() {
        let rows = parse_sheet(&text);
        let fields: Vec<&SheetRow> = rows.iter().filter(|row| row.status != "N/A").collect();
        let examples = rows.len() - fields.len();
        println!(
            "{source}: {} fields; {examples} example questions (status N/A) are not fields and are skipped",
            fields.len()
        );
        assert_eq!(
            fields.len(),
            84,
            "{source}: the sheet's field count changed"
        );
        let paths = field_paths();
        for row in fields {
            let spec = htcds_field(&row.name).unwrap_or_else(|| {
                panic!(
                    "{source} line {}: {} is not in the field table",
                    row.line, row.name
                )
            });
            assert!(
                paths.iter().any(|(_, held)| *held == spec),
                "{}: no model path",
                row.name
            );
            assert!(
                kind_matches(row, spec),
                "{source} line {}: {} is `{}` in the sheet but {:?} (multi: {}) in the table",
                row.line,
                row.name,
                row.field_type,
                spec.kind,
                spec.multi
            );
        }
    }
}

#[test]
fn every_picklist_value_of_the_sheet_imports_and_exports_back() {
    for (source, text) in read_sheets() {
        let mut checked = 0;
        for row in parse_sheet(&text).iter().filter(|row| row.status != "N/A") {
            if row.value_names.is_empty() || is_code_list(row) {
                continue;
            }
            let spec = htcds_field(&row.name).expect("checked by the mapping test");
            let FieldKind::Picklist(values) = spec.kind else {
                panic!(
                    "{}: the sheet lists values but the table has {:?}",
                    row.name, spec.kind
                );
            };
            assert_eq!(
                values,
                row.value_names.as_slice(),
                "{source} line {}: {} must accept exactly the sheet's values, in order",
                row.line,
                row.name
            );
            for value in &row.value_names {
                let (document, pointer) = document_with(spec, value);
                let case = import_case(&document.to_string()).unwrap_or_else(|errors| {
                    panic!("{}: value {value:?} is refused: {errors:#?}", row.name)
                });
                let exported = export_case(&case);
                let back = exported.pointer(&pointer).expect("the value is exported");
                let expected = if spec.multi {
                    json!([value])
                } else {
                    json!(value)
                };
                assert_eq!(back, &expected, "{} at {pointer}", row.name);
                checked += 1;
            }
        }
        println!("{source}: {checked} picklist values import and export back");
        // 182 value names in 20 picklists (counted with awk on the sheet).
        assert_eq!(
            checked, 182,
            "{source}: the number of picklist values changed"
        );
    }
}

#[test]
fn code_list_fields_accept_codes_of_their_standard() {
    for (_, text) in read_sheets() {
        for row in parse_sheet(&text).iter().filter(|row| is_code_list(row)) {
            let spec = htcds_field(&row.name).expect("mapped");
            let sample = match spec.kind {
                FieldKind::Country => "THA",
                FieldKind::Language => "tha",
                other => panic!("{} names an ISO code list but is {other:?}", row.name),
            };
            let (document, _) = document_with(spec, sample);
            assert!(
                import_case(&document.to_string()).is_ok(),
                "{}: {sample} is refused",
                row.name
            );
        }
    }
}

#[test]
fn the_table_invents_no_htcds_field() {
    let text = std::fs::read_to_string(vendored_sheet_path()).expect("vendored sheet");
    let names: Vec<String> = parse_sheet(&text).into_iter().map(|row| row.name).collect();
    for spec in FIELDS.iter().filter(|spec| spec.origin == Origin::Htcds) {
        assert!(
            names.contains(&spec.key.to_owned()),
            "{} is not in the sheet",
            spec.key
        );
    }
    for spec in FIELDS.iter().filter(|spec| spec.origin == Origin::Ctip) {
        assert!(
            spec.key.starts_with("ctip:"),
            "{} lacks the ctip: prefix",
            spec.key
        );
    }
}

#[test]
fn the_schema_states_every_field_label_status_and_value_of_the_sheet() {
    let schema = htcds_json_schema();
    for (source, text) in read_sheets() {
        for row in parse_sheet(&text).iter().filter(|row| row.status != "N/A") {
            let spec = htcds_field(&row.name).expect("mapped");
            let kinds = object_kinds_holding(spec);
            assert!(!kinds.is_empty(), "{}: no object holds it", row.name);
            for kind in kinds {
                let property = property_schema(&schema, kind, &row.name).unwrap_or_else(|| {
                    panic!("{source}: the schema's {kind:?} lacks {}", row.name)
                });
                assert_eq!(property["title"], json!(row.label), "{} title", row.name);
                assert_eq!(
                    property["x-htcds-core"],
                    json!(row.core),
                    "{} core",
                    row.name
                );
                assert_eq!(
                    property.get("deprecated") == Some(&json!(true)),
                    row.status == "DEPRECATED",
                    "{} deprecation",
                    row.name
                );
                if row.value_names.is_empty() || is_code_list(row) {
                    continue;
                }
                let values = if spec.multi {
                    assert_eq!(property["uniqueItems"], json!(true), "{}", row.name);
                    &property["items"]["enum"]
                } else {
                    &property["enum"]
                };
                assert_eq!(values, &json!(row.value_names), "{} enum", row.name);
            }
        }
    }
}
