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

fn parse_object(line: &[u8], location: Location) -> Result<Record, String> {
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
