//! Invariants of folding and extraction over arbitrary input.

use ctip_text::{Normalised, extract_in_region};
use proptest::prelude::*;

fn ad_like() -> impl Strategy<Value = String> {
    // Mix arbitrary Unicode with the characters extractors care about, so
    // the generator reaches the interesting paths often.
    let pieces = prop_oneof![
        any::<String>(),
        "[0-9 ()\\-.+@\\[\\]*]{1,20}",
        "(one|two|three|oh|o|l|twenty|thousand|[0-9]){1,12}",
        "[a-zA-Z0-9._]{1,12}( at |@|\\[at\\])[a-z]{2,8}( dot |\\.)(com|net)",
        "(ig|snap|kik|twitter|telegram)[: @]{0,3}[a-z0-9_.]{0,12}",
        "[$€£]?[0-9]{2,4} ?(roses|hh|hr|qv|/hr|euros)?",
        "(age:? ?|I'm )?[0-9]{2} ?(yo|y/o|years old)?",
        "\\PC{0,8}",
    ];
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn folding_is_idempotent(s in ad_like()) {
        let once = Normalised::new(&s).as_str().to_owned();
        let twice = Normalised::new(&once).as_str().to_owned();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn every_span_is_a_valid_slice_of_the_original(s in ad_like()) {
        let n = Normalised::new(&s);
        for region in ["US", "GB", "MX"] {
            for id in extract_in_region(&n, region) {
                prop_assert!(id.span.start <= id.span.end);
                prop_assert!(s.get(id.span.range()).is_some(), "span {:?} of {:?} in {:?}", id.span, id.kind, s);
            }
        }
    }

    #[test]
    fn folded_ranges_map_inside_the_original(s in any::<String>(), a in 0usize..64, b in 0usize..64) {
        let n = Normalised::new(&s);
        let (start, end) = (a.min(b), a.max(b));
        let span = n.original_span(start, end);
        prop_assert!(span.end as usize <= s.len());
        prop_assert!(span.start <= span.end);
    }
}
