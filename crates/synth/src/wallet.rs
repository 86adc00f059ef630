//! Random but well-formed cryptocurrency addresses: they pass the checksums a
//! careful extractor verifies, and belong to nobody (random key hashes).

use fastrand::Rng;
use sha3::{Digest, Keccak256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chain {
    Btc,
    Eth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wallet {
    pub chain: Chain,
    /// As written in ads: base58check for BTC, EIP-55 mixed case for ETH.
    pub address: String,
}

impl Wallet {
    pub(crate) fn random(rng: &mut Rng, chain: Chain) -> Self {
        let address = match chain {
            Chain::Btc => btc_p2pkh(rng),
            Chain::Eth => eth(rng),
        };
        Wallet { chain, address }
    }

    /// The canonical value: BTC as written, ETH in lower case.
    pub(crate) fn value(&self) -> String {
        match self.chain {
            Chain::Btc => self.address.clone(),
            Chain::Eth => self.address.to_ascii_lowercase(),
        }
    }

    pub(crate) fn qualifier(&self) -> &'static str {
        match self.chain {
            Chain::Btc => "btc",
            Chain::Eth => "eth",
        }
    }
}

/// A P2PKH address: version byte 0x00, a random 20-byte key hash, and the
/// 4-byte double-SHA-256 checksum, in base58.
pub(crate) fn btc_p2pkh(rng: &mut Rng) -> String {
    let mut payload = [0u8; 21];
    rng.fill(&mut payload[1..]);
    bs58::encode(payload).with_check().into_string()
}

/// An Ethereum address from 20 random bytes, with its EIP-55 checksum case.
pub(crate) fn eth(rng: &mut Rng) -> String {
    let mut bytes = [0u8; 20];
    rng.fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    eip55(&hex)
}

/// EIP-55: a hex letter is upper case when the matching nibble of
/// keccak256(lower-case hex) is 8 or more. `hex_lower` has no `0x`.
pub(crate) fn eip55(hex_lower: &str) -> String {
    let hash = Keccak256::digest(hex_lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in hex_lower.chars().enumerate() {
        let byte = hash[i / 2];
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_matches_the_reference_vectors() {
        // From the EIP-55 specification.
        for expected in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert_eq!(eip55(&expected[2..].to_ascii_lowercase()), expected);
        }
    }

    #[test]
    fn btc_addresses_decode_with_their_checksum() {
        let mut rng = Rng::with_seed(9);
        for _ in 0..100 {
            let address = btc_p2pkh(&mut rng);
            assert!(address.starts_with('1'), "{address}");
            let decoded = bs58::decode(&address)
                .with_check(Some(0))
                .into_vec()
                .expect("valid base58check");
            assert_eq!(decoded.len(), 21);
        }
    }
}
