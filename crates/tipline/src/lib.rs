//! The anonymous tip line's domain, without I/O.
//!
//! A tip is sealed to the organisation's public key the moment it is
//! accepted, so the server that stores it cannot read it back: only staff who
//! unlock the organisation's secret key with their passphrase can. The
//! reporter keeps a receipt code; the server keeps only a keyed hash of it and
//! a public key derived from it, so that staff replies can be sealed to the
//! reporter as well.
//!
//! Architecture invariants: nothing here logs, reads the clock or touches the
//! network; time comes in as an argument. Randomness comes from the operating
//! system's generator through audited crates.

pub mod attachment;
pub mod day;
pub mod emergency;
pub mod form;
pub mod i18n;
pub mod keys;
pub mod limiter;
pub mod receipt;
pub mod staff;

pub use attachment::{AttachmentError, CleanAttachment, MAX_ATTACHMENT_BYTES, clean_attachment};
pub use day::day_of;
pub use emergency::{Country, EmergencyService, emergency_numbers};
pub use form::{FieldError, TipContents, TipForm, Urgency};
pub use i18n::{Catalog, Locale};
pub use keys::{KeyError, KeyPurpose, OrgKeys, OrgPublicKey, OrgSecretKey, SubKey, WrappedKey};
pub use limiter::RateLimiter;
pub use receipt::{ReceiptCode, ReceiptError, ReceiptKey};
pub use staff::{PasswordHash, Role, StaffError, TotpSecret};
