//! Receipt codes: the reporter's only way back to their report.
//!
//! A code is 100 random bits written as 20 Crockford base-32 characters in
//! five groups (`7KQF-2M9X-…`), easy to copy by hand and to read aloud. The
//! server never stores it. It stores an HMAC of it under a server key (to find
//! the report) and an X25519 public key derived from it (so staff replies can
//! be sealed to whoever holds the code).

use crate::keys::ReporterKeys;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Crockford's base-32 alphabet: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code; 20 × 5 bits = 100 bits of entropy.
pub const CODE_CHARS: usize = 20;
const GROUP: usize = 4;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReceiptError {
    #[error("a receipt code has {CODE_CHARS} letters and digits; this one has {0}")]
    Length(usize),
    #[error("a receipt code cannot contain {0:?}")]
    Character(char),
}

/// A receipt code, held only while a request is served.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct ReceiptCode([u8; CODE_CHARS]);

impl ReceiptCode {
    /// A fresh code from the operating system's random generator.
    pub fn generate() -> ReceiptCode {
        let mut random = [0u8; CODE_CHARS];
        getrandom_fill(&mut random);
        let mut code = [0u8; CODE_CHARS];
        for (slot, byte) in code.iter_mut().zip(random.iter()) {
            *slot = ALPHABET[usize::from(byte & 31)];
        }
        random.zeroize();
        ReceiptCode(code)
    }

    /// Reads a code as a person typed it: any case, with or without dashes
    /// or spaces, with the usual confusions (O for 0, I or L for 1) forgiven.
    pub fn parse(typed: &str) -> Result<ReceiptCode, ReceiptError> {
        let mut code = [0u8; CODE_CHARS];
        let mut n = 0usize;
        for c in typed.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(ReceiptError::Character(c));
            }
            if n < CODE_CHARS {
                code[n] = c as u8;
            }
            n += 1;
        }
        if n != CODE_CHARS {
            return Err(ReceiptError::Length(n));
        }
        Ok(ReceiptCode(code))
    }

    /// The code in groups of four, as shown to the reporter.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP);
        for (i, chunk) in self.0.chunks(GROUP).enumerate() {
            if i > 0 {
                out.push('-');
            }
            out.extend(chunk.iter().map(|&b| b as char));
        }
        out
    }

    fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The reporter's key pair, derived from the code alone, so the code is
    /// the only thing a reporter needs to read replies sealed to them.
    pub fn reporter_keys(&self) -> ReporterKeys {
        let hk = Hkdf::<Sha256>::new(Some(b"ctip receipt reporter key v1"), self.bytes());
        let mut seed = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
        hk.expand(b"x25519", &mut seed)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let keys = ReporterKeys::from_seed(seed);
        seed.zeroize();
        keys
    }
}

/// Codes are never printed by accident: debug output hides them.
impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptCode(…)")
    }
}

/// The server's secret for hashing receipt codes. Kept apart from the
/// database, it means a copy of the database alone cannot even test a guess.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ReceiptKey([u8; 32]);

impl ReceiptKey {
    pub fn generate() -> ReceiptKey {
        let mut key = [0u8; 32];
        getrandom_fill(&mut key);
        ReceiptKey(key)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> ReceiptKey {
        ReceiptKey(bytes)
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The lookup key stored in place of the code.
    pub fn lookup_hash(&self, code: &ReceiptCode) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(b"ctip receipt lookup v1\0");
        mac.update(code.bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptKey(…)")
    }
}

pub(crate) fn getrandom_fill(buf: &mut [u8]) {
    use crypto_box::aead::rand_core::RngCore;
    crypto_box::aead::OsRng.fill_bytes(buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_display_and_sloppy_typing() {
        let code = ReceiptCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), CODE_CHARS + 4);
        assert_eq!(ReceiptCode::parse(&shown).unwrap(), code);
        let sloppy = shown.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(ReceiptCode::parse(&sloppy).unwrap(), code);
    }

    #[test]
    fn rejects_wrong_length_and_letters() {
        assert_eq!(ReceiptCode::parse("ABCD"), Err(ReceiptError::Length(4)));
        assert_eq!(
            ReceiptCode::parse("ABCD-EFGH-JKMN-PQRS-TVWU"),
            Err(ReceiptError::Character('U'))
        );
        assert!(ReceiptCode::parse("ÄBCD-EFGH-JKMN-PQRS-TVWX").is_err());
    }

    #[test]
    fn codes_differ_and_hashes_depend_on_the_key() {
        let a = ReceiptCode::generate();
        let b = ReceiptCode::generate();
        assert_ne!(a, b);
        let k1 = ReceiptKey::generate();
        let k2 = ReceiptKey::generate();
        assert_ne!(k1.lookup_hash(&a), k1.lookup_hash(&b));
        assert_ne!(k1.lookup_hash(&a), k2.lookup_hash(&a));
        assert_eq!(k1.lookup_hash(&a), k1.lookup_hash(&a.clone()));
    }

    #[test]
    fn debug_hides_the_code() {
        let code = ReceiptCode::generate();
        assert!(!format!("{code:?}").contains(&code.display()[..4]));
    }
}
