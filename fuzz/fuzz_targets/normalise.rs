//! Folding arbitrary text: never panics, is idempotent, and maps every
//! folded range back inside the original on character boundaries.
#![no_main]

use ctip_text::Normalised;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let folded = Normalised::new(text);
    let again = Normalised::new(folded.as_str());
    assert_eq!(folded.as_str(), again.as_str(), "folding is idempotent");
    let len = folded.as_str().len();
    for start in (0..=len).step_by(7) {
        for end in (start..=len).step_by(5) {
            let span = folded.original_span(start, end);
            assert!(text.get(span.range()).is_some(), "span {span:?} splits a character");
        }
    }
});
