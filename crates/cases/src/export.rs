//! Export: a [`Case`] as an HTCDS case document.

use serde_json::{Map, Value, json};

use crate::import::{ImportError, validate_document};
use crate::model::Case;
use crate::schema::SCHEMA_ID;
use crate::standard::HTCDS_VERSION;

/// The case as an HTCDS case document that validates against
/// [`crate::htcds_json_schema`] and imports back to an equal [`Case`]
/// (provided the case's free text is not blank or overlong and its lookups
/// resolve: check with [`validate_case`]).
pub fn export_case(case: &Case) -> Value {
    let mut document = Map::new();
    document.insert("$schema".to_owned(), json!(SCHEMA_ID));
    document.insert("htcds_version".to_owned(), json!(HTCDS_VERSION));
    // The model holds only strings, booleans, whole numbers, finite
    // coordinates and string-keyed structs, all of which JSON represents.
    let body = serde_json::to_value(case).expect("a Case always has a JSON representation");
    if let Value::Object(mut fields) = body {
        document.append(&mut fields);
    }
    Value::Object(document)
}

/// Several cases as a bundle (a JSON array of case documents), the form
/// [`crate::import_bundle`] reads.
pub fn export_bundle(cases: &[Case]) -> Value {
    Value::Array(cases.iter().map(export_case).collect())
}

/// Checks a case built in code by the rules import applies (text lengths,
/// blank text, unique ids, lookups that resolve, consent dates).
///
/// # Errors
/// Every rule the case breaks, with the JSON pointer of its export.
pub fn validate_case(case: &Case) -> Result<(), Vec<ImportError>> {
    let errors = validate_document(&export_case(case), "");
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
