//! CSV with a header row. Column names are matched case-insensitively, with
//! the aliases of [`crate::record_from_fields`].

use crate::{
    Location, MAX_RECORD_BYTES, RecordError, RecordResult, SourceError, TEXT_FIELDS, TITLE_FIELDS,
    record_from_fields,
};
use csv::{ByteRecord, Reader, ReaderBuilder};
use std::io::BufRead;

pub(crate) struct CsvRecords<R: BufRead> {
    reader: Reader<R>,
    headers: Vec<String>,
    source: String,
    record: ByteRecord,
    done: bool,
}

impl<R: BufRead> CsvRecords<R> {
    pub(crate) fn new(reader: R, source: &str) -> Result<Self, SourceError> {
        let mut reader = ReaderBuilder::new().flexible(false).from_reader(reader);
        let invalid = |reason: String| SourceError::Invalid {
            source_name: source.to_owned(),
            line: 1,
            reason,
        };
        let headers: Vec<String> = reader
            .byte_headers()
            .map_err(|e| invalid(format!("cannot read the CSV header: {e}")))?
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect();
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(invalid(
                "the CSV file is empty: a header row is required".into(),
            ));
        }
        if !headers
            .iter()
            .any(|h| TEXT_FIELDS.contains(&h.as_str()) || TITLE_FIELDS.contains(&h.as_str()))
        {
            return Err(invalid(format!(
                "the CSV header has no text column: expected one of `body`, `text`, `title`, found {}",
                headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(CsvRecords {
            reader,
            headers,
            source: source.to_owned(),
            record: ByteRecord::new(),
            done: false,
        })
    }
}

impl<R: BufRead> Iterator for CsvRecords<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        if self.done {
            return None;
        }
        let source = self.source.clone();
        let at = |line: u64| Location {
            source: source.clone(),
            line,
        };
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                if self.record.as_slice().len() > MAX_RECORD_BYTES {
                    return Some(Err(RecordError {
                        location: at(line),
                        reason: format!("record longer than {MAX_RECORD_BYTES} bytes"),
                    }));
                }
                let mut fields: Vec<(&str, &str)> = Vec::with_capacity(self.headers.len());
                for (index, (name, value)) in
                    self.headers.iter().zip(self.record.iter()).enumerate()
                {
                    match std::str::from_utf8(value) {
                        Ok(v) => fields.push((name.as_str(), v)),
                        Err(e) => {
                            return Some(Err(RecordError {
                                location: at(line),
                                reason: format!(
                                    "column {} (`{name}`) is not valid UTF-8 at byte {}",
                                    index + 1,
                                    e.valid_up_to()
                                ),
                            }));
                        }
                    }
                }
                let record = record_from_fields(at(line), |n| {
                    fields.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
                });
                Some(record.map_err(|reason| RecordError {
                    location: at(line),
                    reason,
                }))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if let csv::ErrorKind::Io(_) = e.kind() {
                    self.done = true;
                }
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("expected {expected_len} fields as in the header, found {len}")
                    }
                    _ => e.to_string(),
                };
                Some(Err(RecordError {
                    location: at(line),
                    reason,
                }))
            }
        }
    }
}
