//! Staff credentials: Argon2id password hashes and TOTP second factors.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use std::fmt;
use totp_rs::{Algorithm, TOTP};

use crate::receipt::getrandom_fill;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StaffError {
    #[error("a password needs at least {0} characters")]
    WeakPassword(usize),
    #[error("stored password hash is malformed")]
    MalformedHash,
    #[error("stored second-factor secret is malformed")]
    MalformedSecret,
    #[error("unknown role {0:?}")]
    UnknownRole(String),
}

/// Shortest accepted password: NIST SP 800-63B's minimum for memorised
/// secrets chosen by the user is 8; staff handle the most sensitive data
/// there is, so we ask for more.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A staff account's role. One role per account, so that every audit entry
/// names the capacity in which something was done. The tip-line roles
/// (hotline, analyst, admin) come first; the case-management roles follow
/// issue 5 and are mapped to `ctip_cases::Role` by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and triages tips, replies to reporters.
    Hotline,
    /// Searches identifiers across ads, networks and tips; sees cases only
    /// de-identified.
    Analyst,
    /// Reads tips, manages staff and settings; never sees case contents.
    Admin,
    /// Works their own cases with victims.
    Caseworker,
    /// Oversees the cases of their teams; approves exchanges with other
    /// organisations.
    Supervisor,
    /// A service provider's account: only the cases referred to it.
    Provider,
    /// Reads the audit log and ledger proofs, nothing else.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Hotline,
        Role::Analyst,
        Role::Admin,
        Role::Caseworker,
        Role::Supervisor,
        Role::Provider,
        Role::Auditor,
    ];

    pub fn parse(text: &str) -> Result<Role, StaffError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| StaffError::UnknownRole(text.to_owned()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hotline => "hotline",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
            Role::Caseworker => "caseworker",
            Role::Supervisor => "supervisor",
            Role::Provider => "provider",
            Role::Auditor => "auditor",
        }
    }

    pub fn reads_tips(self) -> bool {
        matches!(self, Role::Hotline | Role::Admin)
    }

    pub fn searches_intelligence(self) -> bool {
        matches!(self, Role::Analyst | Role::Admin | Role::Hotline)
    }

    pub fn reads_audit(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

/// An Argon2id hash in PHC string format.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn create(password: &str) -> Result<PasswordHash, StaffError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(StaffError::WeakPassword(MIN_PASSWORD_CHARS));
        }
        let mut salt = [0u8; 16];
        getrandom_fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|_| StaffError::MalformedHash)?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|_| StaffError::MalformedHash)?;
        Ok(PasswordHash(hash.to_string()))
    }

    pub fn from_stored(text: String) -> PasswordHash {
        PasswordHash(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time check of `password` against this hash.
    pub fn verify(&self, password: &str) -> Result<bool, StaffError> {
        let parsed = argon2::PasswordHash::new(&self.0).map_err(|_| StaffError::MalformedHash)?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// A TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s), as authenticator apps
/// expect.
#[derive(Clone)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        let mut secret = vec![0u8; 20];
        getrandom_fill(&mut secret);
        TotpSecret(secret)
    }

    pub fn from_base32(text: &str) -> Result<TotpSecret, StaffError> {
        data_encoding::BASE32_NOPAD
            .decode(text.trim_end_matches('=').as_bytes())
            .map(TotpSecret)
            .map_err(|_| StaffError::MalformedSecret)
    }

    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    fn totp(&self) -> Result<TOTP, StaffError> {
        TOTP::new(Algorithm::SHA1, 6, 1, 30, self.0.clone())
            .map_err(|_| StaffError::MalformedSecret)
    }

    /// The code for Unix time `now`.
    pub fn code_at(&self, now: u64) -> Result<String, StaffError> {
        Ok(self.totp()?.generate(now))
    }

    /// Accepts the code of the current step or one step either side (clock
    /// drift), compared in constant time.
    pub fn check(&self, code: &str, now: u64) -> Result<bool, StaffError> {
        Ok(self.totp()?.check(code.trim(), now))
    }

    /// The `otpauth://` URI to enrol an authenticator app.
    pub fn provisioning_uri(&self, issuer: &str, account: &str) -> String {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
            enc(issuer),
            enc(account),
            self.to_base32(),
            enc(issuer)
        )
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_weak_ones_are_refused() {
        assert_eq!(
            PasswordHash::create("short"),
            Err(StaffError::WeakPassword(12))
        );
        let hash = PasswordHash::create("a long enough passphrase").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hash.verify("a long enough passphrase").unwrap());
        assert!(!hash.verify("a long enough passphrasE").unwrap());
        assert!(
            PasswordHash::from_stored("junk".into())
                .verify("x")
                .is_err()
        );
    }

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s gives
        // 94287082 with 8 digits; the 6-digit code is its last six digits.
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        assert_eq!(secret.code_at(59).unwrap(), "287082");
        assert!(secret.check("287082", 59).unwrap());
        assert!(
            secret.check("287082", 59 + 30).unwrap(),
            "one step of drift"
        );
        assert!(!secret.check("287082", 59 + 120).unwrap());
        let back = TotpSecret::from_base32(&secret.to_base32()).unwrap();
        assert_eq!(back.code_at(59).unwrap(), "287082");
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Hotline, Role::Analyst, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
    }
}
