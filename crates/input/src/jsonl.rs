//! JSON Lines: one JSON object per line.

use crate::line::{BoundedLines, Line};
use crate::{Location, MAX_RECORD_BYTES, Record, RecordError, RecordResult, record_from_fields};
use serde_json::{Map, Value};
use std::io::BufRead;

pub(crate) struct JsonlReader<R> {
    lines: BoundedLines<R>,
    source: String,
}

impl<R: BufRead> JsonlReader<R> {
    pub(crate) fn new(reader: R, source: &str) -> Self {
        JsonlReader {
            lines: BoundedLines::new(reader, MAX_RECORD_BYTES),
            source: source.to_owned(),
        }
    }

    fn error(&self, reason: impl Into<String>) -> RecordError {
        RecordError {
            location: Location {
                source: self.source.clone(),
                line: self.lines.line_number,
            },
            reason: reason.into(),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let line = match self.lines.next_line()? {
                Ok(Line::Ok(bytes)) => bytes,
                Ok(Line::TooLong) => {
                    return Some(Err(
                        self.error(format!("record longer than {MAX_RECORD_BYTES} bytes"))
                    ));
                }
                Err(e) => return Some(Err(self.error(format!("read failed: {e}")))),
            };
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let location = Location {
                source: self.source.clone(),
                line: self.lines.line_number,
            };
            return Some(parse_object(&line, location).map_err(|r| self.error(r)));
        }
    }
}

/// Parses one JSON object into a record. The fast path reads string fields
/// straight from the line without building a JSON tree; anything it does not
/// accept (invalid JSON, a number or array where text belongs) goes to the
/// general path, which accepts numeric ids and explains every error.
fn parse_object(line: &[u8], location: Location) -> Result<Record, String> {
    match serde_json::from_slice::<fast::Fields<'_>>(line) {
        Ok(fields) => record_from_fields(location, |name| fields.get(name)),
        Err(_) => parse_object_generally(line, location),
    }
}

fn parse_object_generally(line: &[u8], location: Location) -> Result<Record, String> {
    let value: Value = serde_json::from_slice(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err(format!("expected a JSON object, found {}", kind_of(&value)));
    };
    let mut fields = Map::new();
    for (key, value) in map {
        fields.insert(key.to_ascii_lowercase(), value);
    }
    // Numbers are accepted for ids; other non-string values are a mistake
    // worth reporting rather than silently dropping.
    let mut rendered: Vec<(String, String)> = Vec::new();
    for (key, value) in &fields {
        match value {
            Value::String(_) | Value::Null => {}
            Value::Bool(b) if key == "label" => rendered.push((key.clone(), b.to_string())),
            Value::Number(n) if matches!(key.as_str(), "id" | "ad_id" | "_id" | "label") => {
                rendered.push((key.clone(), n.to_string()));
            }
            other if is_known_field(key) => {
                return Err(format!(
                    "field `{key}` must be a string, found {}",
                    kind_of(other)
                ));
            }
            _ => {}
        }
    }
    record_from_fields(location, |name| {
        fields.get(name).and_then(Value::as_str).or_else(|| {
            rendered
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        })
    })
}

fn is_known_field(key: &str) -> bool {
    crate::TEXT_FIELDS.contains(&key)
        || crate::TITLE_FIELDS.contains(&key)
        || [
            "id",
            "url",
            "posted_at",
            "city",
            "region",
            "country",
            "name",
        ]
        .contains(&key)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

mod fast {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::borrow::Cow;
    use std::fmt;

    /// The known string fields of one record, keys lower-cased, values
    /// borrowed from the line where they have no escapes.
    pub(super) struct Fields<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

    impl<'a> Fields<'a> {
        /// The last value given for `name`, as a JSON object keeps the last
        /// of duplicate keys.
        pub(super) fn get(&self, name: &str) -> Option<&str> {
            self.0
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_ref())
        }
    }

    struct Text<'a>(Cow<'a, str>);

    impl<'de> serde::Deserialize<'de> for Text<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct TextVisitor;
            impl<'de> Visitor<'de> for TextVisitor {
                type Value = Text<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Owned(v.to_owned())))
                }
                fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                    Ok(Text(Cow::Owned(v)))
                }
            }
            d.deserialize_str(TextVisitor)
        }
    }

    impl<'de> serde::Deserialize<'de> for Fields<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct FieldsVisitor;
            impl<'de> Visitor<'de> for FieldsVisitor {
                type Value = Fields<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                    let mut fields = Vec::with_capacity(10);
                    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                        let key = if key.bytes().any(|b| b.is_ascii_uppercase()) {
                            Cow::Owned(key.to_ascii_lowercase())
                        } else {
                            key
                        };
                        if crate::is_record_field(&key) {
                            if let Some(Text(value)) = map.next_value::<Option<Text<'de>>>()? {
                                fields.push((key, value));
                            }
                        } else {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    Ok(Fields(fields))
                }
            }
            d.deserialize_map(FieldsVisitor)
        }
    }
}
