//! Verifying a signed case bundle from another organisation: never panics
//! on any bytes; and any JSON array signed as a bundle verifies back to
//! exactly the text that was signed.
#![no_main]

use ctip_share::bundle::{BundleHeader, IdentitySigner, sign, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let signer = IdentitySigner::from_seed(&[7; 32]);
    let trusted = [signer.public_key()];
    let _ = verify(data, &trusted);

    if let Ok(cases) = serde_json::from_slice::<serde_json::Value>(data)
        && cases.is_array()
    {
        let header = BundleHeader {
            sender_name: "Fuzz Org",
            created_day: "2025-01-31",
            recipient: None,
        };
        let bytes = sign(&signer, &header, &cases).expect("an array signs");
        let bundle = verify(&bytes, &trusted).expect("a fresh signature verifies");
        let signed_text = serde_json::to_string(&cases).expect("a JSON value serialises");
        assert_eq!(bundle.cases_json(), signed_text);
    }
});
