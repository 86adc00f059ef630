//! Deterministic identifiers for the HSDS objects that ctip derives on export (attributes,
//! languages, service-at-location links, taxonomy terms), so that exporting the same directory
//! twice gives the same document.

use sha2::{Digest, Sha256};

/// A name-based UUID: RFC 9562 version 8 (custom) built from the first 16 bytes of
/// SHA-256(namespace, 0, part, 0, part...). Version 5 would need SHA-1; v8 exists for this.
pub(crate) fn derived_uuid(namespace: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(namespace.as_bytes());
    for part in parts {
        hasher.update([0u8]);
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uuid_is_stable_well_formed_and_input_sensitive() {
        let a = derived_uuid("ns", &["x", "y"]);
        assert_eq!(a, derived_uuid("ns", &["x", "y"]));
        assert_ne!(a, derived_uuid("ns", &["xy"]));
        assert_ne!(a, derived_uuid("other", &["x", "y"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
