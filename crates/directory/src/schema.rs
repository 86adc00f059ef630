//! The embedded HSDS 3.0 JSON Schemas and the validators built from them.
//!
//! Only `schema/service_with_definitions.json` is embedded: it is the self-contained compiled
//! schema of a full service and carries every other HSDS object under `#/definitions/`. The full
//! organization schema is derived from it at start-up (HSDS's own `compiled/organization.json`,
//! which the OpenAPI file references, is not in the published compiled set): the organization
//! definition plus a `services` array whose items are full services. See `schema/SOURCE`.

use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Value, json};

use crate::error::{DirectoryError, Problem, ProblemSource, pointer_push};

/// The vendored compiled HSDS 3.0 schema of a full service, with all definitions.
pub const SERVICE_WITH_DEFINITIONS_JSON: &str =
    include_str!("../schema/service_with_definitions.json");

/// Which HSDS object a validator checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HsdsObject {
    /// A full organization (HSDS `organization` definition plus nested full `services`).
    Organization,
    /// A full service (the root of `service_with_definitions.json`).
    Service,
    /// The envelope of a paginated list (`total_items`, `contents`...), without its items.
    Page,
}

struct Validators {
    organization: Validator,
    service: Validator,
    page: Validator,
}

static VALIDATORS: OnceLock<Result<Validators, (&'static str, String)>> = OnceLock::new();

fn build(name: &'static str, schema: &Value) -> Result<Validator, (&'static str, String)> {
    jsonschema::draft202012::options()
        // Formats are annotations only by default in 2020-12; HSDS relies on them (uuid, email,
        // uri, date), so they are asserted.
        .should_validate_formats(true)
        .build(schema)
        .map_err(|error| (name, error.to_string()))
}

/// The full-organization schema: `#/definitions/organization` with `services` items checked as
/// full services. Built from the embedded service schema so the definitions are shared.
fn organization_schema(service_schema: &Value) -> Result<Value, (&'static str, String)> {
    let definitions = service_schema
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or((
            "organization",
            "no definitions in service schema".to_owned(),
        ))?;
    if !definitions.contains_key("organization") {
        return Err(("organization", "no organization definition".to_owned()));
    }
    let mut all_definitions = definitions.clone();
    let mut service_root = service_schema.clone();
    if let Some(root) = service_root.as_object_mut() {
        root.remove("definitions");
    }
    all_definitions.insert("ctip_full_service".to_owned(), service_root);
    Ok(json!({
        "definitions": all_definitions,
        "allOf": [{ "$ref": "#/definitions/organization" }],
        "properties": {
            "services": {
                "type": "array",
                "items": { "$ref": "#/definitions/ctip_full_service" }
            }
        }
    }))
}

/// The `Page` component of the HSDS 3.0 OpenAPI file (`schema/openapi.json`,
/// `components/schemas/Page`), plus `contents` as an array; items are validated separately so
/// that each one gets the right object schema.
fn page_schema() -> Value {
    json!({
        "type": "object",
        "required": ["contents"],
        "properties": {
            "total_items": { "type": "integer" },
            "total_pages": { "type": "integer" },
            "page_number": { "type": "integer" },
            "size": { "type": "integer" },
            "first_page": { "type": "boolean" },
            "last_page": { "type": "boolean" },
            "empty": { "type": "boolean" },
            "contents": { "type": "array" }
        }
    })
}

fn validators() -> Result<&'static Validators, DirectoryError> {
    let built = VALIDATORS.get_or_init(|| {
        let service_schema: Value = serde_json::from_str(SERVICE_WITH_DEFINITIONS_JSON)
            .map_err(|error| ("service_with_definitions.json", error.to_string()))?;
        let organization = build("organization", &organization_schema(&service_schema)?)?;
        let service = build("service_with_definitions.json", &service_schema)?;
        let page = build("page", &page_schema())?;
        Ok(Validators {
            organization,
            service,
            page,
        })
    });
    built
        .as_ref()
        .map_err(|(name, reason)| DirectoryError::Schema {
            name,
            reason: reason.clone(),
        })
}

/// Compiles the embedded schemas now (they are otherwise compiled on first use), so that a
/// server can fail at start-up rather than on its first import.
pub fn ensure_schemas_compile() -> Result<(), DirectoryError> {
    validators().map(|_| ())
}

/// Validates `instance` as the given HSDS object and returns every violation, with pointers
/// prefixed by `pointer_prefix` (the instance's own pointer inside a larger document).
pub fn validate(
    object: HsdsObject,
    instance: &Value,
    pointer_prefix: &str,
) -> Result<Vec<Problem>, DirectoryError> {
    let validators = validators()?;
    let validator = match object {
        HsdsObject::Organization => &validators.organization,
        HsdsObject::Service => &validators.service,
        HsdsObject::Page => &validators.page,
    };
    let mut problems = Vec::new();
    for error in validator.iter_errors(instance) {
        let mut pointer = format!("{pointer_prefix}{}", error.instance_path().as_str());
        let message = match error.kind() {
            // Point at the missing member itself, which is what a person editing the file needs.
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned);
                pointer = pointer_push(&pointer, &name);
                "required property is missing".to_owned()
            }
            _ => error.masked().to_string(),
        };
        problems.push(Problem {
            pointer,
            source: ProblemSource::Schema {
                keyword: error.kind().keyword().to_owned(),
            },
            message,
        });
    }
    Ok(problems)
}
