//! A generator of valid case documents driven by the field table, shared by
//! the integration tests. In "full" mode every field is present and every
//! multiselect holds every picklist value; in "random" mode a stream of
//! numbers (from proptest) chooses which fields appear and their values.

#![allow(dead_code)]

use ctip_cases::table::{FieldKind, FieldSpec, LookupTarget, ObjectKind};
use ctip_cases::{CountryCode, LanguageCode};
use serde_json::{Map, Value, json};

/// Where generation choices come from.
pub struct Choices {
    numbers: Vec<u32>,
    next: usize,
    full: bool,
    counters: std::collections::HashMap<&'static str, usize>,
}

impl Choices {
    /// Every optional field present, every picklist value used.
    pub fn full() -> Self {
        Self {
            numbers: vec![0],
            next: 0,
            full: true,
            counters: Default::default(),
        }
    }

    /// Choices read from `numbers`, cycling.
    pub fn random(numbers: Vec<u32>) -> Self {
        Self {
            numbers: if numbers.is_empty() { vec![0] } else { numbers },
            next: 0,
            full: false,
            counters: Default::default(),
        }
    }

    fn number(&mut self) -> u32 {
        let value = self.numbers[self.next % self.numbers.len()];
        self.next += 1;
        // Mix in the position so that a short stream still varies.
        value.wrapping_add((self.next as u32).wrapping_mul(2_654_435_761))
    }

    /// A number in `0..n`.
    pub fn pick(&mut self, n: usize) -> usize {
        (self.number() as usize) % n.max(1)
    }

    fn include(&mut self) -> bool {
        self.full || self.pick(2) == 0
    }

    fn next_id(&mut self, prefix: &'static str) -> String {
        let counter = self.counters.entry(prefix).or_insert(0);
        *counter += 1;
        format!("{prefix}-{counter}")
    }
}

fn id_prefix(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Case => "case",
        ObjectKind::Organisation => "org",
        ObjectKind::Person => "worker",
        ObjectKind::Victim => "victim",
        ObjectKind::Perpetrator => "perpetrator",
        ObjectKind::OutgoingReferral => "referral",
        ObjectKind::Comment => "comment",
        ObjectKind::HistoricEvent => "event",
        ObjectKind::SupportPlan => "plan",
        ObjectKind::IncomingReferral | ObjectKind::Consent | ObjectKind::ConsentPurpose => "record",
    }
}

/// A valid case document.
pub fn generate_document(choices: &mut Choices) -> Value {
    generate_object(choices, ObjectKind::Case)
}

fn generate_object(choices: &mut Choices, kind: ObjectKind) -> Value {
    let mut map = Map::new();
    for spec in kind.fields() {
        // Lookups point at organisation org-1 and person worker-1, so those
        // lists are always present; the document always names its schema so
        // that it equals its own re-export.
        let forced = spec.required
            || spec.key == "$schema"
            || spec.key == "organisations"
            || spec.key == "persons";
        if !forced && !choices.include() {
            continue;
        }
        if let Some(value) = generate_field(choices, spec, kind) {
            map.insert(spec.key.to_owned(), value);
        }
    }
    if kind == ObjectKind::ConsentPurpose {
        // Withdrawal can't precede consent.
        if let (Some(Value::String(given)), Some(Value::String(withdrawn))) = (
            map.get("given_on").cloned(),
            map.get("withdrawn_on").cloned(),
        ) && withdrawn < given
        {
            map.insert("given_on".to_owned(), json!(withdrawn));
            map.insert("withdrawn_on".to_owned(), json!(given));
        }
    }
    Value::Object(map)
}

fn generate_field(choices: &mut Choices, spec: &FieldSpec, parent: ObjectKind) -> Option<Value> {
    if let FieldKind::Object(child) = spec.kind {
        if !spec.multi {
            return Some(generate_object(choices, child));
        }
        let count = if choices.full { 2 } else { 1 + choices.pick(3) };
        return Some(Value::Array(
            (0..count)
                .map(|_| generate_object(choices, child))
                .collect(),
        ));
    }
    if spec.kind == FieldKind::Id {
        return Some(json!(choices.next_id(id_prefix(parent))));
    }
    if !spec.multi {
        return Some(generate_scalar(choices, spec.kind));
    }
    let items: Vec<Value> = match spec.kind {
        FieldKind::Picklist(values) => values
            .iter()
            .filter(|_| choices.include())
            .map(|value| json!(value))
            .collect(),
        FieldKind::Country => {
            if choices.full {
                vec![json!("GB"), json!("THA")]
            } else {
                let codes: Vec<&str> = CountryCode::all_codes().collect();
                let mut picked: Vec<Value> = Vec::new();
                for _ in 0..1 + choices.pick(3) {
                    let code = json!(codes[choices.pick(codes.len())]);
                    if !picked.contains(&code) {
                        picked.push(code);
                    }
                }
                picked
            }
        }
        other => vec![generate_scalar(choices, other)],
    };
    // An empty list means "absent" and is not exported; leave it out so that
    // the document equals its own re-export.
    (!items.is_empty()).then_some(Value::Array(items))
}

const SAMPLE_TEXTS: &[&str] = &[
    "Sample text",
    "Zoë Ağaoğlu-Ñúñez",
    "東京都 新宿区",
    "Line one\nLine two",
    "  padded  ",
    "\u{202e}reversed",
    "emoji 🙂 text",
];

fn generate_scalar(choices: &mut Choices, kind: FieldKind) -> Value {
    match kind {
        FieldKind::Text { max_chars } => {
            if !choices.full && choices.pick(8) == 0 {
                json!("x".repeat(max_chars))
            } else {
                json!(SAMPLE_TEXTS[choices.pick(SAMPLE_TEXTS.len())])
            }
        }
        FieldKind::Id => json!(format!("id-{}", choices.pick(1000))),
        FieldKind::Date => {
            if choices.full {
                json!("2024-02-29")
            } else {
                let year = 1950 + choices.pick(80);
                let month = 1 + choices.pick(12);
                let day = 1 + choices.pick(28);
                json!(format!("{year:04}-{month:02}-{day:02}"))
            }
        }
        FieldKind::Integer { min, max } => {
            let span = (max - min) as usize + 1;
            json!(min as usize + choices.pick(span))
        }
        FieldKind::Latitude => json!([51.5072, -90.0, 90.0, 0.0, -33.8688][choices.pick(5)]),
        FieldKind::Longitude => json!([-0.1276, -180.0, 180.0, 0.5, 151.2093][choices.pick(5)]),
        FieldKind::Checkbox => json!(choices.pick(2) == 0),
        FieldKind::Picklist(values) => json!(values[choices.pick(values.len())]),
        FieldKind::Country => {
            let codes: Vec<&str> = CountryCode::all_codes().collect();
            json!(codes[choices.pick(codes.len())])
        }
        FieldKind::Language => {
            let codes: Vec<&str> = LanguageCode::all_codes().collect();
            json!(codes[choices.pick(codes.len())])
        }
        FieldKind::Phone => {
            let digits = 1 + choices.pick(14);
            let mut number = String::from(if choices.pick(2) == 0 { "+" } else { "" });
            number.push(char::from(b'1' + choices.pick(9) as u8));
            for _ in 0..digits {
                number.push(char::from(b'0' + choices.pick(10) as u8));
            }
            json!(number)
        }
        FieldKind::Email => json!(format!("person{}@example.org", choices.pick(100))),
        FieldKind::Lookup(LookupTarget::Organisation) => json!("org-1"),
        FieldKind::Lookup(LookupTarget::Person) => json!("worker-1"),
        FieldKind::Lookup(LookupTarget::User) => json!(format!("user-{}", choices.pick(5))),
        FieldKind::Constant(value) => json!(value),
        FieldKind::Object(kind) => generate_object(choices, kind),
    }
}

/// The compiled schema, asserting formats (dates, e-mail).
pub fn schema_validator() -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&ctip_cases::htcds_json_schema())
        .expect("the generated schema compiles")
}

/// Every schema error for a document, as (instance pointer, message).
pub fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<(String, String)> {
    validator
        .iter_errors(document)
        .map(|error| (error.instance_path().to_string(), error.to_string()))
        .collect()
}
