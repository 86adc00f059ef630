//! Cryptocurrency wallet addresses, accepted only when their checksum holds:
//! Base58Check for legacy Bitcoin, bech32/bech32m for SegWit, EIP-55 for
//! mixed-case Ethereum addresses.

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind, Span};
use regex::Regex;
use sha3::{Digest, Keccak256};
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?-u:\b)(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71}|0x[0-9a-fA-F]{40})(?-u:\b)",
        )
        .expect("valid wallet pattern")
    })
}

/// Wallets are case-sensitive, so they are read from the original text.
pub fn extract_wallets(text: &Normalised<'_>, out: &mut Vec<Identifier>) {
    let original = text.original();
    if !(original.contains("0x")
        || original.contains("bc1")
        || original.bytes().any(|b| b == b'1' || b == b'3'))
    {
        return;
    }
    for m in pattern().find_iter(original) {
        let address = m.as_str();
        let (chain, value) = if let Some(hex) = address.strip_prefix("0x") {
            if !eip55_valid(hex) {
                continue;
            }
            ("eth", format!("0x{}", hex.to_ascii_lowercase()))
        } else if address.starts_with("bc1") {
            if bech32::segwit::decode(address).is_err() {
                continue;
            }
            ("btc", address.to_owned())
        } else {
            match bs58::decode(address).with_check(None).into_vec() {
                Ok(payload) if payload.len() == 21 && matches!(payload[0], 0x00 | 0x05) => {}
                _ => continue,
            }
            ("btc", address.to_owned())
        };
        let mut id = Identifier::new(IdentifierKind::Wallet, value, Span::new(m.start(), m.end()));
        id.qualifier = Some(chain.to_owned());
        out.push(id);
    }
}

/// All-lower or all-upper hex carries no checksum and is accepted as is;
/// mixed case must match the EIP-55 capitalisation.
pub fn eip55_valid(hex: &str) -> bool {
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    let hash = Keccak256::digest(hex.to_ascii_lowercase().as_bytes());
    hex.bytes().enumerate().all(|(i, c)| {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        !c.is_ascii_alphabetic() || (nibble >= 8) == c.is_ascii_uppercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wallets(text: &str) -> Vec<(String, String)> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_wallets(&n, &mut out);
        out.into_iter()
            .map(|i| (i.qualifier.unwrap_or_default(), i.value))
            .collect()
    }

    #[test]
    fn valid_wallets_are_found() {
        // Test vectors from BIP-173 and EIP-55, and the genesis-block address.
        assert_eq!(
            wallets("btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa ok"),
            vec![("btc".into(), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".into())]
        );
        assert_eq!(
            wallets("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
            vec![(
                "btc".into(),
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".into()
            )]
        );
        assert_eq!(
            wallets("eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            vec![(
                "eth".into(),
                "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed".into()
            )]
        );
    }

    #[test]
    fn broken_checksums_are_rejected() {
        assert!(wallets("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb").is_empty());
        assert!(wallets("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5").is_empty());
        assert!(wallets("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_empty());
    }
}
