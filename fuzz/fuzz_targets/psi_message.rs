//! Decoding a PSI message from a partner: never panics; an accepted message
//! re-encodes to the same bytes.
#![no_main]

use ctip_share::psi::PsiMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = PsiMessage::from_bytes(data) {
        assert_eq!(message.to_bytes(), data);
    }
});
