//! Plain text: every non-blank line is one ad's body.

use crate::line::{BoundedLines, Line};
use crate::{Location, MAX_RECORD_BYTES, Record, RecordError, RecordResult};
use ctip_core::Ad;
use std::io::BufRead;

pub(crate) struct TextReader<R> {
    lines: BoundedLines<R>,
    source: String,
}

impl<R: BufRead> TextReader<R> {
    pub(crate) fn new(reader: R, source: &str) -> Self {
        TextReader {
            lines: BoundedLines::new(reader, MAX_RECORD_BYTES),
            source: source.to_owned(),
        }
    }
}

impl<R: BufRead> Iterator for TextReader<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let next = self.lines.next_line()?;
            let location = Location {
                source: self.source.clone(),
                line: self.lines.line_number,
            };
            let bytes = match next {
                Ok(Line::Ok(bytes)) => bytes,
                Ok(Line::TooLong) => {
                    return Some(Err(RecordError {
                        location,
                        reason: format!("line longer than {MAX_RECORD_BYTES} bytes"),
                    }));
                }
                Err(e) => {
                    return Some(Err(RecordError {
                        location,
                        reason: format!("read failed: {e}"),
                    }));
                }
            };
            let body = match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    return Some(Err(RecordError {
                        location,
                        reason: format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
                    }));
                }
            };
            let body = body.trim();
            if body.is_empty() {
                continue;
            }
            let ad = Ad {
                id: Ad::content_id(None, body, None),
                body: body.to_owned(),
                ..Ad::default()
            };
            return Some(Ok(Record {
                location,
                ad,
                label: None,
            }));
        }
    }
}
