//! Reading a typed receipt code: never panics; an accepted code reads back
//! from its display form.
#![no_main]

use ctip_tipline::ReceiptCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|typed: &str| {
    if let Ok(code) = ReceiptCode::parse(typed) {
        assert!(ReceiptCode::parse(&code.display()).is_ok_and(|again| again == code));
    }
});
