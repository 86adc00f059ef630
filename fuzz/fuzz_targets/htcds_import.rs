//! Importing an HTCDS case: never panics; an accepted case exports to a
//! document that imports back to the same case.
#![no_main]

use ctip_cases::{export_case, import_case};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|json: &str| {
    if let Ok(case) = import_case(json) {
        let exported = export_case(&case).to_string();
        assert_eq!(import_case(&exported).ok(), Some(case));
    }
});
