//! The published JSON Schema (draft 2020-12) for an HTCDS 2.0 case document,
//! generated from the same field table the importer validates with.
//!
//! What the schema cannot say, the importer adds: identifiers unique in their
//! scope, lookups that resolve inside the document, and consent not withdrawn
//! before it was given. Calendar validity of dates is the schema's
//! `format: date`, which validators only assert when told to.
//!
//! Custom annotations (ignored by validators, read by ctip and by people):
//! `x-ctip-sensitive` (the sensitivity category of a field the server
//! encrypts), `x-htcds-core` (the sheet's Core flag), `x-htcds-field-type`
//! (the sheet's field type), `x-htcds-value-labels` (picklist labels) and
//! `x-ctip-lookup` (what a lookup's identifier points at).

use serde_json::{Map, Value, json};

use crate::import::VISIBLE_TEXT_PATTERN;
use crate::standard::{FieldStatus, HTCDS_VERSION, standard_field};
use crate::table::{FieldKind, FieldSpec, LookupTarget, ObjectKind, Origin};
use crate::values::{CountryCode, EmailAddress, IsoDate, LanguageCode, PhoneNumber, RecordId};

/// The schema's `$id`. The path carries the HTCDS version (`2.0`) and ctip's
/// revision of the document layout (`ctip-1`); any change that makes an old
/// document invalid, or an old reader wrong, takes a new revision.
pub const SCHEMA_ID: &str = "https://ctip.example/schema/htcds/2.0/ctip-1.json";

/// ctip's revision of the document layout.
pub const SCHEMA_REVISION: &str = "ctip-1";

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema of one HTCDS case document.
pub fn htcds_json_schema() -> Value {
    let mut defs = Map::new();
    for kind in ObjectKind::ALL {
        if kind != ObjectKind::Case {
            defs.insert(kind.schema_name().to_owned(), object_schema(kind));
        }
    }
    defs.insert(
        "id".to_owned(),
        json!({
            "type": "string",
            "pattern": RecordId::PATTERN,
            "description": "An opaque identifier; never personal data."
        }),
    );
    defs.insert(
        "date".to_owned(),
        json!({
            "type": "string",
            "format": "date",
            "pattern": IsoDate::PATTERN,
            "description": "An ISO 8601 calendar date, YYYY-MM-DD."
        }),
    );
    defs.insert(
        "country_code".to_owned(),
        json!({
            "type": "string",
            "enum": CountryCode::all_codes().collect::<Vec<_>>(),
            "description": "An ISO 3166-1 alpha-2 or alpha-3 country code, upper case."
        }),
    );
    defs.insert(
        "language_code".to_owned(),
        json!({
            "type": "string",
            "enum": LanguageCode::all_codes().collect::<Vec<_>>(),
            "description": "An ISO 639-2 (or ISO 639-1) language code, lower case."
        }),
    );
    defs.insert(
        "phone".to_owned(),
        json!({
            "type": "string",
            "pattern": PhoneNumber::PATTERN,
            "description": "An E.164 telephone number, as the standard requires."
        }),
    );
    defs.insert(
        "email".to_owned(),
        // Shape only, stated as a pattern the importer applies identically;
        // `format: email` is left out because validators disagree on it.
        json!({
            "type": "string",
            "maxLength": EmailAddress::MAX_CHARS,
            "pattern": EmailAddress::PATTERN,
            "description": "An e-mail address, checked for shape only: local@domain.tld."
        }),
    );

    let mut schema = object_schema(ObjectKind::Case);
    if let Value::Object(root) = &mut schema {
        let mut head = Map::new();
        head.insert("$schema".to_owned(), json!(DRAFT_2020_12));
        head.insert("$id".to_owned(), json!(SCHEMA_ID));
        head.insert(
            "title".to_owned(),
            json!(format!(
                "HTCDS {HTCDS_VERSION} case document (ctip profile, revision {SCHEMA_REVISION})"
            )),
        );
        head.insert(
            "description".to_owned(),
            json!(
                "One counter-trafficking case in the Human Trafficking Case Data Standard (HTCDS) \
                 v2.0. Keys of HTCDS entities are the standard's field names including their \
                 prefix; ctip's extensions carry the prefix `ctip:`; the document frame (id, \
                 victim, perpetrators, ...) is ctip's, as HTCDS defines no JSON layout. Unknown \
                 keys are refused. No official JSON Schema exists for HTCDS 2.0; this one is \
                 published by ctip."
            ),
        );
        head.insert(
            "$comment".to_owned(),
            json!(
                "Field names, labels, descriptions and picklist values: Human Trafficking Case \
                 Data Standard (HTCDS) v2.0 by IOM, CC BY 4.0 \
                 (https://github.com/UNMigration/HTCDS). IOM does not endorse ctip."
            ),
        );
        head.append(root);
        head.insert("$defs".to_owned(), Value::Object(defs));
        *root = head;
    }
    schema
}

fn object_schema(kind: ObjectKind) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for spec in kind.fields() {
        properties.insert(spec.key.to_owned(), field_schema(spec));
        if spec.required {
            required.push(spec.key);
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

fn field_schema(spec: &FieldSpec) -> Value {
    let value = value_schema(spec.kind);
    let mut schema = if spec.multi {
        let mut list = json!({ "type": "array", "items": value });
        if spec.object_kind().is_none() {
            list["uniqueItems"] = json!(true);
        }
        list
    } else {
        value
    };
    let Value::Object(map) = &mut schema else {
        return schema;
    };
    match spec.origin {
        Origin::Htcds => {
            if let Some(row) = standard_field(spec.key) {
                map.insert("title".to_owned(), json!(row.label));
                let description = [row.description, row.notes]
                    .iter()
                    .filter(|text| !text.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" — ");
                if !description.is_empty() {
                    map.insert("description".to_owned(), json!(description));
                }
                if row.status == FieldStatus::Deprecated {
                    map.insert("deprecated".to_owned(), json!(true));
                }
                map.insert("x-htcds-core".to_owned(), json!(row.core));
                if !row.field_type.is_empty() {
                    map.insert("x-htcds-field-type".to_owned(), json!(row.field_type));
                }
                if let FieldKind::Picklist(values) = spec.kind
                    && row.value_labels.len() == values.len()
                {
                    let labels: Map<String, Value> = values
                        .iter()
                        .zip(&row.value_labels)
                        .map(|(value, label)| ((*value).to_owned(), json!(label)))
                        .collect();
                    map.insert("x-htcds-value-labels".to_owned(), Value::Object(labels));
                }
            }
        }
        Origin::Ctip | Origin::Frame => {
            map.insert("description".to_owned(), json!(spec.note));
        }
    }
    if let Some(sensitivity) = spec.sensitivity {
        map.insert("x-ctip-sensitive".to_owned(), json!(sensitivity.as_str()));
    }
    if let FieldKind::Lookup(target) = spec.kind {
        let target = match target {
            LookupTarget::Organisation => "organisation",
            LookupTarget::Person => "person",
            LookupTarget::User => "user",
        };
        map.insert("x-ctip-lookup".to_owned(), json!(target));
    }
    schema
}

fn value_schema(kind: FieldKind) -> Value {
    let reference = |name: &str| json!({ "$ref": format!("#/$defs/{name}") });
    match kind {
        FieldKind::Text { max_chars } => json!({
            "type": "string",
            "minLength": 1,
            "maxLength": max_chars,
            "pattern": VISIBLE_TEXT_PATTERN
        }),
        FieldKind::Id | FieldKind::Lookup(_) => reference("id"),
        FieldKind::Date => reference("date"),
        FieldKind::Integer { min, max } => {
            json!({ "type": "integer", "minimum": min, "maximum": max })
        }
        FieldKind::Latitude => json!({ "type": "number", "minimum": -90, "maximum": 90 }),
        FieldKind::Longitude => json!({ "type": "number", "minimum": -180, "maximum": 180 }),
        FieldKind::Checkbox => json!({ "type": "boolean" }),
        FieldKind::Picklist(values) => json!({ "type": "string", "enum": values }),
        FieldKind::Country => reference("country_code"),
        FieldKind::Language => reference("language_code"),
        FieldKind::Phone => reference("phone"),
        FieldKind::Email => reference("email"),
        FieldKind::Constant(value) => json!({ "const": value }),
        FieldKind::Object(kind) => reference(kind.schema_name()),
    }
}
