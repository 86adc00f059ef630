//! Parsing signed notes and ledger entries from untrusted bytes: never
//! panics; an accepted entry re-encodes to the same bytes.
#![no_main]

use ctip_ledger::{Entry, Note};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Note::parse_bytes(data);
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encode(), data, "entry encoding is canonical");
    }
});
