//! Cleaning an uploaded file: never panics; what comes out is an image of
//! the claimed type that no longer carries EXIF or XMP.
#![no_main]

use ctip_tipline::clean_attachment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(clean) = clean_attachment(data) {
        assert!(clean.media_type.starts_with("image/"));
        let cleaned_again = clean_attachment(&clean.bytes).expect("a cleaned image cleans again");
        assert_eq!(cleaned_again.bytes, clean.bytes, "cleaning is idempotent");
    }
});
