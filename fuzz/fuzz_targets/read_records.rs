//! Every record reader over arbitrary bytes: never panics, and every error
//! names a line inside the input.
#![no_main]

use ctip_input::{Format, read_records};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for format in [Format::Jsonl, Format::Csv, Format::Text] {
        if let Ok(records) = read_records(Cursor::new(data), format, "fuzz") {
            for record in records {
                let line = match &record {
                    Ok(r) => r.location.line,
                    Err(e) => e.location.line,
                };
                assert!(line <= lines, "line {line} beyond the input's {lines} lines");
            }
        }
    }
});
