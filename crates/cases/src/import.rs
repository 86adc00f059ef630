//! Import: validate a case document against the field table, report every
//! problem at once, and only then build the typed [`Case`].
//!
//! Import is all or nothing: either every value of the document is valid and
//! the whole case comes back, or nothing does and the caller gets the full
//! list of errors, each with the JSON pointer of the offending value.
//!
//! Errors never quote a value from a sensitive field or from an unknown key
//! (which may hold anything): [`Found::Withheld`] stands in for it, so an
//! error list can be logged or shown to someone other than the document's
//! author.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::model::Case;
use crate::table::{FieldKind, FieldSpec, LookupTarget, ObjectKind};
use crate::values::{
    CountryCode, EmailAddress, IsoDate, LanguageCode, Latitude, Longitude, PhoneNumber, RecordId,
    ValueError,
};

/// What was found where an error is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The offending value, as compact JSON (cut to 80 characters).
    Value(String),
    /// The value is not repeated because it may be personal data.
    Withheld,
    /// There is no value (a missing field, unreadable JSON).
    Nothing,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(json) => write!(f, "found {json}"),
            Self::Withheld => f.write_str("value withheld: the field may hold personal data"),
            Self::Nothing => f.write_str("nothing found"),
        }
    }
}

/// What is wrong at a location.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportErrorKind {
    /// The text is not JSON (or repeats a key in one object).
    #[error("not valid JSON at line {line}, column {column}: {reason}")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser saw.
        reason: String,
    },
    /// The value has the wrong JSON type.
    #[error("expected {expected}")]
    WrongType {
        /// What was expected.
        expected: &'static str,
    },
    /// The key is not a field of this object.
    #[error("unknown field{}; expected one of {allowed:?}", suggestion.map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    UnknownField {
        /// Every key the object accepts.
        allowed: Vec<&'static str>,
        /// A known key that differs only in case or prefix.
        suggestion: Option<&'static str>,
    },
    /// A required field is absent.
    #[error("missing required field {field:?}")]
    MissingField {
        /// The missing key.
        field: &'static str,
    },
    /// A value that is not in the picklist.
    #[error("not a value of this picklist; expected one of {allowed:?}")]
    NotInPicklist {
        /// Every value the picklist accepts.
        allowed: &'static [&'static str],
    },
    /// A multiselect value or list entry that repeats an earlier one.
    #[error("repeats the item at index {first_index}")]
    DuplicateItem {
        /// Index of the first occurrence.
        first_index: usize,
    },
    /// Not a calendar date.
    #[error("expected an ISO 8601 calendar date YYYY-MM-DD that exists")]
    InvalidDate,
    /// A string of the wrong form.
    #[error("expected {expected}")]
    InvalidFormat {
        /// What the form should be.
        expected: &'static str,
    },
    /// A number outside its range (or not whole where it must be).
    #[error("expected {} number from {min} to {max}", if *whole { "a whole" } else { "a" })]
    OutOfRange {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
        /// Whether only whole numbers are allowed.
        whole: bool,
    },
    /// Text longer than the field allows.
    #[error("text of {found_chars} characters; at most {max_chars} allowed")]
    TooLong {
        /// The limit.
        max_chars: usize,
        /// The text's length.
        found_chars: usize,
    },
    /// Empty or blank text: omit the field instead.
    #[error("empty text; omit the field when it has no value")]
    EmptyText,
    /// A string that must be exactly one value.
    #[error("expected exactly {expected:?}")]
    WrongConstant {
        /// The only accepted value.
        expected: &'static str,
    },
    /// An identifier used twice where it must be unique.
    #[error("identifier already used at {first_pointer}")]
    DuplicateId {
        /// Where it was first used.
        first_pointer: String,
    },
    /// A lookup to a record that is not in the document.
    #[error("no {} with this id in the document", match target {
        LookupTarget::Organisation => "organisation (in /organisations)",
        LookupTarget::Person => "person (victim, perpetrator or entry of /persons)",
        LookupTarget::User => "user",
    })]
    DanglingReference {
        /// The kind of record looked up.
        target: LookupTarget,
    },
    /// A consent withdrawal dated before the consent was given.
    #[error("withdrawn before consent was given on {given_on}")]
    WithdrawnBeforeGiven {
        /// The day consent was given.
        given_on: IsoDate,
    },
    /// The document passed validation but the model refused it: a defect in
    /// ctip, never in the document.
    #[error(
        "internal error, please report: the validated document does not fit the model: {reason}"
    )]
    ModelMismatch {
        /// serde's message.
        reason: String,
    },
}

/// One problem in an imported document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {kind} ({found})", if pointer.is_empty() { "(document)" } else { pointer.as_str() })]
pub struct ImportError {
    /// RFC 6901 JSON pointer of the offending value (`""` is the whole
    /// document); for a missing field, where it should be.
    pub pointer: String,
    /// What is wrong.
    pub kind: ImportErrorKind,
    /// What was found there.
    pub found: Found,
}

/// Imports one HTCDS case document.
///
/// # Errors
/// Every problem found, in document order, if the document is not a valid
/// case: nothing is imported then.
pub fn import_case(json: &str) -> Result<Case, Vec<ImportError>> {
    import_case_value(&parse_strict_json(json)?)
}

/// Imports one already-parsed HTCDS case document.
///
/// # Errors
/// As [`import_case`].
pub fn import_case_value(document: &Value) -> Result<Case, Vec<ImportError>> {
    let errors = validate_document(document, "");
    if !errors.is_empty() {
        return Err(errors);
    }
    build_case(document, "")
}

/// Imports a bundle: a JSON array of case documents. All or nothing for the
/// whole bundle; pointers start with the case's index (`/3/victim/id`).
///
/// # Errors
/// Every problem in every case, and case ids used twice in the bundle.
pub fn import_bundle(json: &str) -> Result<Vec<Case>, Vec<ImportError>> {
    let bundle = parse_strict_json(json)?;
    let Value::Array(documents) = &bundle else {
        return Err(vec![ImportError {
            pointer: String::new(),
            kind: ImportErrorKind::WrongType {
                expected: "an array of case documents",
            },
            found: found_value(&bundle),
        }]);
    };
    let mut errors = Vec::new();
    let mut case_ids: HashMap<&str, String> = HashMap::new();
    for (index, document) in documents.iter().enumerate() {
        let prefix = format!("/{index}");
        errors.extend(validate_document(document, &prefix));
        if let Some(Value::String(id)) = document.get("id") {
            let pointer = format!("{prefix}/id");
            if let Some(first_pointer) = case_ids.get(id.as_str()) {
                errors.push(ImportError {
                    pointer,
                    kind: ImportErrorKind::DuplicateId {
                        first_pointer: first_pointer.clone(),
                    },
                    found: Found::Value(render(&Value::String(id.clone()))),
                });
            } else {
                case_ids.insert(id, pointer);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    documents
        .iter()
        .enumerate()
        .map(|(index, document)| build_case(document, &format!("/{index}")))
        .collect()
}

/// Checks a document without building the case; an empty list means valid.
/// The server uses this to check a [`Case`] it built itself, through
/// [`crate::export_case`].
pub fn validate_document(document: &Value, pointer_prefix: &str) -> Vec<ImportError> {
    let mut validator = Validator::default();
    validator.object(document, pointer_prefix, ObjectKind::Case);
    validator.resolve_lookups();
    validator.errors
}

fn build_case(document: &Value, pointer: &str) -> Result<Case, Vec<ImportError>> {
    serde_json::from_value(document.clone()).map_err(|error| {
        vec![ImportError {
            pointer: pointer.to_owned(),
            kind: ImportErrorKind::ModelMismatch {
                reason: error.to_string(),
            },
            found: Found::Nothing,
        }]
    })
}

/// Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`,
/// `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

fn render(value: &Value) -> String {
    const LIMIT: usize = 80;
    let json = value.to_string();
    if json.chars().count() <= LIMIT {
        json
    } else {
        let cut: String = json.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

fn found_value(value: &Value) -> Found {
    Found::Value(render(value))
}

/// One walk over a document: the errors so far, the identifiers seen (for
/// uniqueness), and the lookups to resolve once every identifier is known.
#[derive(Default)]
struct Validator {
    errors: Vec<ImportError>,
    /// Identifiers by namespace: `organisation`, `person`, or the pointer of
    /// the list that holds the record.
    ids: HashMap<(String, String), String>,
    lookups: Vec<(LookupTarget, String, String)>,
}

impl Validator {
    fn error(&mut self, pointer: String, kind: ImportErrorKind, found: Found) {
        self.errors.push(ImportError {
            pointer,
            kind,
            found,
        });
    }

    fn object(&mut self, value: &Value, pointer: &str, kind: ObjectKind) {
        let Value::Object(map) = value else {
            self.error(
                pointer.to_owned(),
                ImportErrorKind::WrongType {
                    expected: "an object",
                },
                found_value(value),
            );
            return;
        };
        for (key, field_value) in map {
            let field_pointer = child(pointer, key);
            match kind.field(key) {
                Some(spec) => self.field(field_value, &field_pointer, spec),
                None => self.error(
                    field_pointer,
                    ImportErrorKind::UnknownField {
                        allowed: kind.fields().map(|spec| spec.key).collect(),
                        suggestion: suggest(kind, key),
                    },
                    Found::Withheld,
                ),
            }
        }
        for spec in kind.fields().filter(|spec| spec.required) {
            if !map.contains_key(spec.key) {
                self.error(
                    child(pointer, spec.key),
                    ImportErrorKind::MissingField { field: spec.key },
                    Found::Nothing,
                );
            }
        }
        self.record_id(map, pointer, kind);
        if kind == ObjectKind::ConsentPurpose {
            self.check_consent_dates(map, pointer);
        }
    }

    fn record_id(&mut self, map: &Map<String, Value>, pointer: &str, kind: ObjectKind) {
        let Some(Value::String(id)) = map.get("id") else {
            return;
        };
        if RecordId::parse(id).is_err() {
            return;
        }
        let namespace = match kind {
            ObjectKind::Organisation => "organisation".to_owned(),
            ObjectKind::Person | ObjectKind::Victim | ObjectKind::Perpetrator => {
                "person".to_owned()
            }
            // Other records: unique within their list.
            _ => pointer
                .rsplit_once('/')
                .map_or_else(String::new, |(list, _)| list.to_owned()),
        };
        let id_pointer = child(pointer, "id");
        match self.ids.get(&(namespace.clone(), id.clone())) {
            Some(first_pointer) => {
                let first_pointer = first_pointer.clone();
                self.error(
                    id_pointer,
                    ImportErrorKind::DuplicateId { first_pointer },
                    Found::Value(render(&Value::String(id.clone()))),
                );
            }
            None => {
                self.ids.insert((namespace, id.clone()), id_pointer);
            }
        }
    }

    fn check_consent_dates(&mut self, map: &Map<String, Value>, pointer: &str) {
        let date = |key: &str| match map.get(key) {
            Some(Value::String(text)) => IsoDate::parse(text).ok(),
            _ => None,
        };
        if let (Some(given_on), Some(withdrawn_on)) = (date("given_on"), date("withdrawn_on"))
            && withdrawn_on < given_on
        {
            self.error(
                child(pointer, "withdrawn_on"),
                ImportErrorKind::WithdrawnBeforeGiven { given_on },
                Found::Value(render(&Value::String(withdrawn_on.to_string()))),
            );
        }
    }

    fn field(&mut self, value: &Value, pointer: &str, spec: &'static FieldSpec) {
        if !spec.multi {
            self.single(value, pointer, spec);
            return;
        }
        let Value::Array(items) = value else {
            let found = self.found(value, spec);
            self.error(
                pointer.to_owned(),
                ImportErrorKind::WrongType {
                    expected: "an array",
                },
                found,
            );
            return;
        };
        for (index, item) in items.iter().enumerate() {
            let item_pointer = format!("{pointer}/{index}");
            self.single(item, &item_pointer, spec);
            // Records in lists are told apart by their ids; repeated picklist
            // values and codes are mistakes (JSON Schema's uniqueItems).
            if spec.object_kind().is_none()
                && let Some(first_index) = items[..index].iter().position(|earlier| earlier == item)
            {
                let found = self.found(item, spec);
                self.error(
                    item_pointer,
                    ImportErrorKind::DuplicateItem { first_index },
                    found,
                );
            }
        }
    }

    fn found(&self, value: &Value, spec: &FieldSpec) -> Found {
        if spec.sensitivity.is_some() {
            Found::Withheld
        } else {
            found_value(value)
        }
    }

    fn single(&mut self, value: &Value, pointer: &str, spec: &'static FieldSpec) {
        if let FieldKind::Object(kind) = spec.kind {
            self.object(value, pointer, kind);
            return;
        }
        if let Err(kind) = self.check_scalar(value, pointer, spec) {
            let found = self.found(value, spec);
            self.error(pointer.to_owned(), kind, found);
        }
    }

    fn check_scalar(
        &mut self,
        value: &Value,
        pointer: &str,
        spec: &FieldSpec,
    ) -> Result<(), ImportErrorKind> {
        match spec.kind {
            FieldKind::Checkbox => match value {
                Value::Bool(_) => Ok(()),
                _ => Err(ImportErrorKind::WrongType {
                    expected: "true or false",
                }),
            },
            FieldKind::Integer { min, max } => {
                let Value::Number(number) = value else {
                    return Err(ImportErrorKind::WrongType {
                        expected: "a whole number",
                    });
                };
                // JSON Schema's `integer` also accepts 3.0, so the importer does.
                let in_range = number.as_f64().is_some_and(|n| {
                    n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(&n)
                });
                if in_range {
                    Ok(())
                } else {
                    Err(ImportErrorKind::OutOfRange {
                        min: f64::from(min),
                        max: f64::from(max),
                        whole: true,
                    })
                }
            }
            FieldKind::Latitude | FieldKind::Longitude => {
                let Some(degrees) = value.as_f64() else {
                    return Err(ImportErrorKind::WrongType {
                        expected: "a number (decimal degrees)",
                    });
                };
                let checked = if spec.kind == FieldKind::Latitude {
                    Latitude::new(degrees).map(drop)
                } else {
                    Longitude::new(degrees).map(drop)
                };
                checked.map_err(from_value_error)
            }
            FieldKind::Object(_) => Ok(()),
            _ => {
                let Value::String(text) = value else {
                    return Err(ImportErrorKind::WrongType {
                        expected: "a string",
                    });
                };
                self.check_string(text, pointer, spec.kind)
            }
        }
    }

    fn check_string(
        &mut self,
        text: &str,
        pointer: &str,
        kind: FieldKind,
    ) -> Result<(), ImportErrorKind> {
        match kind {
            FieldKind::Text { max_chars } => {
                if !has_visible_text(text) {
                    return Err(ImportErrorKind::EmptyText);
                }
                let found_chars = text.chars().count();
                if found_chars > max_chars {
                    Err(ImportErrorKind::TooLong {
                        max_chars,
                        found_chars,
                    })
                } else {
                    Ok(())
                }
            }
            FieldKind::Id => RecordId::parse(text).map(drop).map_err(from_value_error),
            FieldKind::Date => IsoDate::parse(text).map(drop).map_err(from_value_error),
            FieldKind::Country => CountryCode::parse(text).map(drop).map_err(from_value_error),
            FieldKind::Language => LanguageCode::parse(text)
                .map(drop)
                .map_err(from_value_error),
            FieldKind::Phone => PhoneNumber::parse(text).map(drop).map_err(from_value_error),
            FieldKind::Email => EmailAddress::parse(text)
                .map(drop)
                .map_err(from_value_error),
            FieldKind::Picklist(allowed) => {
                if allowed.contains(&text) {
                    Ok(())
                } else {
                    Err(ImportErrorKind::NotInPicklist { allowed })
                }
            }
            FieldKind::Lookup(target) => {
                RecordId::parse(text).map_err(from_value_error)?;
                if target != LookupTarget::User {
                    self.lookups
                        .push((target, text.to_owned(), pointer.to_owned()));
                }
                Ok(())
            }
            FieldKind::Constant(expected) => {
                if text == expected {
                    Ok(())
                } else {
                    Err(ImportErrorKind::WrongConstant { expected })
                }
            }
            FieldKind::Checkbox
            | FieldKind::Integer { .. }
            | FieldKind::Latitude
            | FieldKind::Longitude
            | FieldKind::Object(_) => Ok(()),
        }
    }

    fn resolve_lookups(&mut self) {
        let lookups = std::mem::take(&mut self.lookups);
        for (target, id, pointer) in lookups {
            let namespace = match target {
                LookupTarget::Organisation => "organisation",
                LookupTarget::Person => "person",
                LookupTarget::User => continue,
            };
            if !self.ids.contains_key(&(namespace.to_owned(), id.clone())) {
                self.error(
                    pointer,
                    ImportErrorKind::DanglingReference { target },
                    Found::Value(render(&Value::String(id))),
                );
            }
        }
    }
}

/// Whether text has a character other than space, tab, CR or LF; the schema
/// states the same rule as the pattern [`VISIBLE_TEXT_PATTERN`].
pub(crate) fn has_visible_text(text: &str) -> bool {
    text.chars().any(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// The schema's pattern for non-blank text.
pub(crate) const VISIBLE_TEXT_PATTERN: &str = "[^ \\t\\r\\n]";

fn from_value_error(error: ValueError) -> ImportErrorKind {
    match error {
        ValueError::InvalidDate => ImportErrorKind::InvalidDate,
        ValueError::InvalidFormat { expected } => ImportErrorKind::InvalidFormat { expected },
        ValueError::OutOfRange { min, max } => ImportErrorKind::OutOfRange {
            min,
            max,
            whole: false,
        },
    }
}

/// A known key that differs from `key` only in letter case, or by the
/// missing HTCDS prefix (`FirstName` for `prs_FirstName`).
fn suggest(kind: ObjectKind, key: &str) -> Option<&'static str> {
    kind.fields().map(|spec| spec.key).find(|known| {
        known.eq_ignore_ascii_case(key)
            || known
                .split_once('_')
                .is_some_and(|(_, bare)| bare.eq_ignore_ascii_case(key))
    })
}

/// Parses JSON into a [`Value`], refusing an object that repeats a key
/// (`serde_json` would silently keep the last one, losing data).
///
/// # Errors
/// One [`ImportErrorKind::InvalidJson`] error with the line and column.
pub fn parse_strict_json(json: &str) -> Result<Value, Vec<ImportError>> {
    serde_json::from_str::<StrictValue>(json)
        .map(|strict| strict.0)
        .map_err(|error| {
            vec![ImportError {
                pointer: String::new(),
                kind: ImportErrorKind::InvalidJson {
                    line: error.line(),
                    column: error.column(),
                    reason: error.to_string(),
                },
                found: Found::Nothing,
            }]
        })
}

struct StrictValue(Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // serde_json never produces a non-finite number from JSON text.
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key {key:?} in one object"
                )));
            }
            let StrictValue(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}
