//! Importing an HSDS document: never panics, and an import either succeeds
//! whole or leaves the directory as it was.
#![no_main]

use ctip_directory::{Directory, ExportScope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|json: &str| {
    let mut directory = Directory::new();
    let before = directory.export_hsds(ExportScope::Internal);
    if directory.import_hsds_str(json).is_err() {
        assert_eq!(directory.export_hsds(ExportScope::Internal), before);
    }
});
