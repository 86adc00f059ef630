//! Typed, normalised identifiers that take part in a PSI session.
//!
//! Both organisations must produce byte-identical encodings for the same real
//! identifier, otherwise the intersection silently misses it. Every
//! constructor therefore canonicalises its input and rejects anything it
//! cannot canonicalise with a typed [`ItemError`]; nothing is guessed.

use std::fmt;

/// Longest canonical value accepted, in bytes. RFC 5321 caps an e-mail path
/// at 254 octets; no other kind needs more.
pub const MAX_VALUE_LEN: usize = 254;

/// Longest platform name of a [`ItemKind::Handle`], in bytes.
pub const MAX_PLATFORM_LEN: usize = 32;

/// E.164 numbers have at most 15 digits (ITU-T E.164 §6.1).
const E164_MAX_DIGITS: usize = 15;
/// The shortest numbers in service (e.g. some Pacific island plans) have a
/// 3-digit country code and 4-digit subscriber numbers.
const E164_MIN_DIGITS: usize = 7;

/// What kind of identifier an item is. Part of the hashed encoding, so the
/// same string as a handle and as a wallet never collide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    /// A telephone number in E.164 form, e.g. `+447700900123`.
    Phone,
    /// An e-mail address, lower-cased.
    Email,
    /// An account name on a platform; the platform is part of the identity.
    Handle {
        /// Lower-case platform name, e.g. `telegram`.
        platform: String,
    },
    /// A cryptocurrency address.
    Wallet,
    /// An identity-document number (passport, national ID), upper-cased.
    Document,
}

impl ItemKind {
    /// The one-byte tag that starts the hash input for this kind. Stable
    /// across versions: changing it would break matching with partners.
    fn tag(&self) -> u8 {
        match self {
            ItemKind::Phone => 1,
            ItemKind::Email => 2,
            ItemKind::Handle { .. } => 3,
            ItemKind::Wallet => 4,
            ItemKind::Document => 5,
        }
    }

    /// A short name of the kind for messages and reports.
    pub fn name(&self) -> &'static str {
        match self {
            ItemKind::Phone => "phone",
            ItemKind::Email => "email",
            ItemKind::Handle { .. } => "handle",
            ItemKind::Wallet => "wallet",
            ItemKind::Document => "document",
        }
    }
}

/// Why an identifier could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    /// Nothing was left after trimming.
    #[error("{kind} is empty")]
    Empty {
        /// Kind name.
        kind: &'static str,
    },
    /// The canonical value is longer than the kind allows.
    #[error("{kind} is {len} bytes long; at most {max} are allowed")]
    TooLong {
        /// Kind name.
        kind: &'static str,
        /// Length of the canonical value.
        len: usize,
        /// Allowed maximum.
        max: usize,
    },
    /// A character that cannot occur in this kind of identifier.
    #[error("{kind} contains the invalid character {character:?} at byte {position}")]
    InvalidCharacter {
        /// Kind name.
        kind: &'static str,
        /// The offending character.
        character: char,
        /// Byte offset in the trimmed input.
        position: usize,
    },
    /// A phone number that does not start with `+` (or the `00` prefix).
    #[error("phone number must be in international form starting with '+'")]
    PhoneNotInternational,
    /// A phone number whose digit count is outside E.164 bounds.
    #[error("phone number has {digits} digits; E.164 allows {min} to {max}")]
    PhoneDigitCount {
        /// Digits found.
        digits: usize,
        /// Minimum accepted.
        min: usize,
        /// Maximum accepted.
        max: usize,
    },
    /// Country codes never start with 0.
    #[error("phone number country code cannot start with 0")]
    PhoneLeadingZero,
    /// An e-mail address without exactly one `@` and non-empty parts.
    #[error("e-mail address must be local@domain with one '@' and a dotted domain")]
    EmailShape,
    /// A handle platform name outside `[a-z0-9._-]`.
    #[error("platform name {platform:?} must be 1..={max} characters of [a-z0-9._-]")]
    InvalidPlatform {
        /// The platform as given (already lower-cased).
        platform: String,
        /// Maximum length.
        max: usize,
    },
}

/// One normalised identifier. Build it with the kind-specific constructors,
/// which canonicalise the input; the fields are private so an item can only
/// hold a canonical value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PsiItem {
    kind: ItemKind,
    value: String,
}

impl PsiItem {
    /// A phone number. Accepts `+` or `00` followed by digits, with spaces,
    /// dots, hyphens, slashes and parentheses as separators; yields E.164
    /// (`+` and digits). National forms without a country code are rejected:
    /// guessing the country would create false matches across partners.
    pub fn phone(input: &str) -> Result<Self, ItemError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ItemError::Empty { kind: "phone" });
        }
        let rest = if let Some(rest) = trimmed.strip_prefix('+') {
            rest
        } else if let Some(rest) = trimmed.strip_prefix("00") {
            rest
        } else {
            return Err(ItemError::PhoneNotInternational);
        };
        let offset = trimmed.len() - rest.len();
        let mut canonical = String::with_capacity(E164_MAX_DIGITS + 1);
        canonical.push('+');
        for (position, character) in rest.char_indices() {
            match character {
                '0'..='9' => canonical.push(character),
                ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}' => {}
                _ => {
                    return Err(ItemError::InvalidCharacter {
                        kind: "phone",
                        character,
                        position: offset + position,
                    });
                }
            }
        }
        let digits = canonical.len() - 1;
        if !(E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&digits) {
            return Err(ItemError::PhoneDigitCount {
                digits,
                min: E164_MIN_DIGITS,
                max: E164_MAX_DIGITS,
            });
        }
        if canonical.as_bytes()[1] == b'0' {
            return Err(ItemError::PhoneLeadingZero);
        }
        Ok(Self {
            kind: ItemKind::Phone,
            value: canonical,
        })
    }

    /// An e-mail address, lower-cased as a whole. Lower-casing the local part
    /// is not RFC-exact but is what every large provider does, and a partner
    /// that kept the case would otherwise miss matches.
    pub fn email(input: &str) -> Result<Self, ItemError> {
        let canonical = input.trim().to_lowercase();
        if canonical.is_empty() {
            return Err(ItemError::Empty { kind: "email" });
        }
        reject_space_and_control("email", &canonical)?;
        check_length("email", &canonical, MAX_VALUE_LEN)?;
        let (local, domain) = canonical.split_once('@').ok_or(ItemError::EmailShape)?;
        let domain_is_dotted =
            domain.split('.').all(|label| !label.is_empty()) && domain.contains('.');
        if local.is_empty() || domain.contains('@') || !domain_is_dotted {
            return Err(ItemError::EmailShape);
        }
        Ok(Self {
            kind: ItemKind::Email,
            value: canonical,
        })
    }

    /// An account name on a platform. Both are lower-cased; a leading `@` on
    /// the name is dropped because platforms show it but do not store it.
    /// The canonical value is `platform:name`.
    pub fn handle(platform: &str, name: &str) -> Result<Self, ItemError> {
        let platform = platform.trim().to_lowercase();
        let platform_ok = !platform.is_empty()
            && platform.len() <= MAX_PLATFORM_LEN
            && platform.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if !platform_ok {
            return Err(ItemError::InvalidPlatform {
                platform,
                max: MAX_PLATFORM_LEN,
            });
        }
        let name = name.trim();
        let name = name.strip_prefix('@').unwrap_or(name).to_lowercase();
        if name.is_empty() {
            return Err(ItemError::Empty { kind: "handle" });
        }
        reject_space_and_control("handle", &name)?;
        let canonical = format!("{platform}:{name}");
        check_length("handle", &canonical, MAX_VALUE_LEN)?;
        Ok(Self {
            kind: ItemKind::Handle { platform },
            value: canonical,
        })
    }

    /// A cryptocurrency address, kept as given except where the address
    /// format itself defines case as insignificant: `0x` + 40 hex digits
    /// (EVM; the mixed case of EIP-55 is only a checksum) and all-upper-case
    /// bech32 (BIP-173 allows it) are lower-cased. Base58 addresses are
    /// case-sensitive and kept as is.
    pub fn wallet(input: &str) -> Result<Self, ItemError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ItemError::Empty { kind: "wallet" });
        }
        check_length("wallet", trimmed, MAX_VALUE_LEN)?;
        for (position, character) in trimmed.char_indices() {
            if !character.is_ascii_alphanumeric() {
                return Err(ItemError::InvalidCharacter {
                    kind: "wallet",
                    character,
                    position,
                });
            }
        }
        let is_evm = trimmed.len() == 42
            && (trimmed.starts_with("0x") || trimmed.starts_with("0X"))
            && trimmed[2..].bytes().all(|b| b.is_ascii_hexdigit());
        let is_upper_bech32 = ["BC1", "TB1", "LTC1"]
            .iter()
            .any(|p| trimmed.starts_with(p))
            && !trimmed.bytes().any(|b| b.is_ascii_lowercase());
        let canonical = if is_evm || is_upper_bech32 {
            trimmed.to_ascii_lowercase()
        } else {
            trimmed.to_owned()
        };
        Ok(Self {
            kind: ItemKind::Wallet,
            value: canonical,
        })
    }

    /// An identity-document number: whitespace removed, upper-cased. Only
    /// ASCII letters, digits, `-` and `/` are accepted, which covers the
    /// machine-readable zone alphabet plus common printed separators.
    pub fn document(input: &str) -> Result<Self, ItemError> {
        let mut canonical = String::with_capacity(input.len());
        for (position, character) in input.char_indices() {
            if character.is_whitespace() {
                continue;
            }
            if character.is_ascii_alphanumeric() || matches!(character, '-' | '/') {
                canonical.push(character.to_ascii_uppercase());
            } else {
                return Err(ItemError::InvalidCharacter {
                    kind: "document",
                    character,
                    position,
                });
            }
        }
        if canonical.is_empty() {
            return Err(ItemError::Empty { kind: "document" });
        }
        check_length("document", &canonical, MAX_VALUE_LEN)?;
        Ok(Self {
            kind: ItemKind::Document,
            value: canonical,
        })
    }

    /// The kind of identifier.
    pub fn kind(&self) -> &ItemKind {
        &self.kind
    }

    /// The canonical value (for a handle, `platform:name`).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The exact bytes that are hashed to a group element: the kind tag,
    /// then the canonical value prefixed by its length as a big-endian u32.
    /// The length prefix keeps the encoding injective even if a future kind
    /// appends fields.
    pub fn hash_input(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 4 + self.value.len());
        self.write_hash_input(&mut out);
        out
    }

    pub(crate) fn write_hash_input(&self, out: &mut Vec<u8>) {
        out.push(self.kind.tag());
        // Values are capped at MAX_VALUE_LEN bytes, so the length fits in u32.
        out.extend_from_slice(&(self.value.len() as u32).to_be_bytes());
        out.extend_from_slice(self.value.as_bytes());
    }
}

impl fmt::Display for PsiItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.value)
    }
}

fn reject_space_and_control(kind: &'static str, value: &str) -> Result<(), ItemError> {
    match value
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || c.is_control())
    {
        Some((position, character)) => Err(ItemError::InvalidCharacter {
            kind,
            character,
            position,
        }),
        None => Ok(()),
    }
}

fn check_length(kind: &'static str, value: &str, max: usize) -> Result<(), ItemError> {
    if value.len() > max {
        return Err(ItemError::TooLong {
            kind,
            len: value.len(),
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Constructor = fn(&str) -> Result<PsiItem, ItemError>;

    proptest! {
        #[test]
        fn normalisation_is_idempotent(text in "\\PC{0,40}") {
            let constructors: [Constructor; 4] =
                [PsiItem::phone, PsiItem::email, PsiItem::wallet, PsiItem::document];
            for make in constructors {
                if let Ok(item) = make(&text) {
                    prop_assert_eq!(make(item.value()), Ok(item.clone()));
                }
            }
            if let Ok(item) = PsiItem::handle("telegram", &text) {
                let name = item.value().trim_start_matches("telegram:");
                prop_assert_eq!(PsiItem::handle("telegram", name), Ok(item.clone()));
            }
        }

        #[test]
        fn phone_formatting_does_not_change_the_number(digits in "[1-9][0-9]{6,14}", split in 1usize..6) {
            let spaced: String = digits
                .chars()
                .enumerate()
                .flat_map(|(i, c)| if i > 0 && i % split == 0 { vec![' ', c] } else { vec![c] })
                .collect();
            let plain = PsiItem::phone(&format!("+{digits}"));
            prop_assert_eq!(PsiItem::phone(&format!("00{spaced}")), plain.clone());
            prop_assert_eq!(plain.map(|i| i.value().to_owned()), Ok(format!("+{digits}")));
        }
    }

    #[test]
    fn phone_separators_and_double_zero_prefix_give_e164() {
        let cases = [
            ("+44 7700 900123", "+447700900123"),
            ("0044 (7700) 900-123", "+447700900123"),
            ("  +1.415.555.0100 ", "+14155550100"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PsiItem::phone(input).map(|i| i.value().to_owned()),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn phone_without_country_code_is_rejected() {
        assert_eq!(
            PsiItem::phone("07700 900123"),
            Err(ItemError::PhoneNotInternational)
        );
        assert_eq!(
            PsiItem::phone("+0 7700900123"),
            Err(ItemError::PhoneLeadingZero)
        );
        assert!(matches!(
            PsiItem::phone("+12345"),
            Err(ItemError::PhoneDigitCount { digits: 5, .. })
        ));
        assert!(matches!(
            PsiItem::phone("+1234567890123456"),
            Err(ItemError::PhoneDigitCount { digits: 16, .. })
        ));
        assert!(matches!(
            PsiItem::phone("+44 7700 9OO123"),
            Err(ItemError::InvalidCharacter { character: 'O', .. })
        ));
        assert_eq!(
            PsiItem::phone("   "),
            Err(ItemError::Empty { kind: "phone" })
        );
    }

    #[test]
    fn email_is_lower_cased_and_shape_checked() {
        assert_eq!(
            PsiItem::email(" Jane.Doe@Example.ORG ").map(|i| i.value().to_owned()),
            Ok("jane.doe@example.org".into())
        );
        for bad in [
            "jane",
            "@example.org",
            "jane@",
            "jane@example",
            "a@b@c.org",
            "jane@example..org",
        ] {
            assert_eq!(PsiItem::email(bad), Err(ItemError::EmailShape), "{bad}");
        }
        assert!(matches!(
            PsiItem::email("ja ne@example.org"),
            Err(ItemError::InvalidCharacter { character: ' ', .. })
        ));
    }

    #[test]
    fn handle_is_platform_colon_lower_case_name() {
        let item = PsiItem::handle("Telegram", "@Some_User").expect("valid handle");
        assert_eq!(item.value(), "telegram:some_user");
        assert_eq!(
            item.kind(),
            &ItemKind::Handle {
                platform: "telegram".into()
            }
        );
        assert!(matches!(
            PsiItem::handle("tele gram", "x"),
            Err(ItemError::InvalidPlatform { .. })
        ));
        assert!(matches!(
            PsiItem::handle("a:b", "x"),
            Err(ItemError::InvalidPlatform { .. })
        ));
        assert_eq!(
            PsiItem::handle("telegram", "@"),
            Err(ItemError::Empty { kind: "handle" })
        );
    }

    #[test]
    fn wallet_keeps_case_except_where_the_format_ignores_it() {
        let base58 = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
        assert_eq!(
            PsiItem::wallet(base58).map(|i| i.value().to_owned()),
            Ok(base58.to_owned())
        );
        let evm = "0x52908400098527886E0F7030069857D2E4169EE7";
        assert_eq!(
            PsiItem::wallet(evm).map(|i| i.value().to_owned()),
            Ok("0x52908400098527886e0f7030069857d2e4169ee7".to_owned())
        );
        assert_eq!(
            PsiItem::wallet("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ")
                .map(|i| i.value().to_owned()),
            Ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq".to_owned())
        );
        assert!(matches!(
            PsiItem::wallet("bc1 q"),
            Err(ItemError::InvalidCharacter { .. })
        ));
    }

    #[test]
    fn document_is_upper_case_without_spaces() {
        assert_eq!(
            PsiItem::document(" ab 123 456 c ").map(|i| i.value().to_owned()),
            Ok("AB123456C".into())
        );
        assert!(matches!(
            PsiItem::document("AB#1"),
            Err(ItemError::InvalidCharacter { character: '#', .. })
        ));
        assert_eq!(
            PsiItem::document("   "),
            Err(ItemError::Empty { kind: "document" })
        );
    }

    #[test]
    fn same_text_of_different_kinds_hashes_differently() {
        let wallet = PsiItem::wallet("ABC123").expect("valid");
        let document = PsiItem::document("ABC123").expect("valid");
        assert_ne!(wallet.hash_input(), document.hash_input());
        assert_eq!(wallet.hash_input()[1..5], 6u32.to_be_bytes());
    }

    #[test]
    fn over_long_values_are_rejected() {
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(matches!(
            PsiItem::email(&long),
            Err(ItemError::TooLong { .. })
        ));
    }
}
