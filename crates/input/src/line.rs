//! A line reader with a length limit that keeps memory bounded.

use std::io::{self, BufRead};

pub(crate) enum Line {
    Ok(Vec<u8>),
    /// The line exceeded the limit; its bytes were discarded.
    TooLong,
}

/// Reads lines of at most `limit` bytes. An over-long line is consumed to its
/// end without being stored.
pub(crate) struct BoundedLines<R> {
    reader: R,
    limit: usize,
    pub(crate) line_number: u64,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        BoundedLines {
            reader,
            limit,
            line_number: 0,
            done: false,
        }
    }

    pub(crate) fn next_line(&mut self) -> Option<io::Result<Line>> {
        if self.done {
            return None;
        }
        let mut buf = Vec::new();
        let mut too_long = false;
        let mut saw_any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if available.is_empty() {
                self.done = true;
                break;
            }
            saw_any = true;
            let (chunk, found_newline) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            if !too_long {
                if buf.len() + chunk.len() > self.limit {
                    too_long = true;
                    buf = Vec::new();
                } else {
                    buf.extend_from_slice(chunk);
                }
            }
            let used = chunk.len() + usize::from(found_newline);
            self.reader.consume(used);
            if found_newline {
                break;
            }
        }
        if !saw_any {
            return None;
        }
        self.line_number += 1;
        if too_long {
            return Some(Ok(Line::TooLong));
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Some(Ok(Line::Ok(buf)))
    }
}
