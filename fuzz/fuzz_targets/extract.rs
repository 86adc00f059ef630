//! Every extractor over arbitrary text in several regions: never panics, and
//! every identifier's span is a valid slice of the original text.
#![no_main]

use ctip_text::{Normalised, extract_in_region};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let folded = Normalised::new(text);
    for region in ["US", "GB", "MX", "ZZ"] {
        for id in extract_in_region(&folded, region) {
            assert!(text.get(id.span.range()).is_some(), "span {:?} of {:?}", id.span, id.kind);
            assert!(!id.value.is_empty());
        }
    }
});
