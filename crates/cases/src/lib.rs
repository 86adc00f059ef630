//! ctip's case model on the Human Trafficking Case Data Standard (HTCDS) 2.0.
//!
//! - [`Case`] and its parts are typed Rust values whose serde names are the
//!   standard's field names (`prs_FirstName`, `vic_TypeOfExploitation`, …) and
//!   whose picklists are enums holding the standard's exact value names.
//! - [`table::FIELDS`] describes every key of a case document once. The
//!   importer validates with it, [`htcds_json_schema`] is generated from it,
//!   and [`Case::sensitive_paths`] and [`deidentify`] read their sensitivity
//!   from it, so none of them can drift from the others.
//! - [`import_case`] and [`import_bundle`] are all or nothing: they return the
//!   whole case, or every error with its JSON pointer, the bad value (unless
//!   the field is sensitive) and what was expected.
//! - [`export_case`] writes a document that validates against the schema and
//!   imports back to an equal case.
//!
//! The HTCDS sheet is embedded ([`standard`]), and `tests/conformance.rs`
//! proves that every field and picklist value of the sheet is covered by the
//! model, the importer and the schema.
//!
//! ## Document layout (schema `https://ctip.example/schema/htcds/2.0/ctip-1.json`)
//!
//! HTCDS defines fields, not a JSON layout, so ctip defines the frame: the
//! case's `cas_` fields sit at the root with `id` and `htcds_version`; the
//! entities sit under `organisations`, `persons`, `victim`, `perpetrators`,
//! `incoming_referral`, `outgoing_referrals`, `comments`,
//! `historic_trafficking_events`, `support_plans` and `consent`. Keys inside
//! entities are HTCDS names including their prefix; ctip's additions carry
//! the `ctip:` prefix (per-purpose consent, referral status, comment author
//! and date, age bands). Unknown keys are refused rather than kept in an
//! extensions bag: a key nobody validates is a place for personal data to
//! escape field-level encryption.
//!
//! ## Victim-centred rules (issue 5, sections 2 and 3)
//!
//! Four pure, total modules the server calls on every request; times are
//! arguments, never read from a clock:
//! - [`access`]: [`decide`] says whether a [`Principal`] may perform an
//!   [`Operation`] on a [`Resource`], with which [`View`], and whether a
//!   refusal is 403 or 404 (cross-tenant attempts are always 404).
//! - [`consent_rules`]: per-purpose consent on a day, and the audited
//!   supervisor override ([`override_consent`]) with its [`AuditNote`].
//! - [`referral`]: sending a referral to a provider of the
//!   [`ServiceDirectory`] and its `sent → accepted | rejected`,
//!   `accepted → completed` state machine.
//! - [`retention`]: [`purge_due`] for closed cases, with legal hold.
//!
//! ## What this crate never does
//! No I/O, no clock, no database, no network, no logging. Errors never repeat
//! a sensitive value.

pub mod access;
pub mod consent_rules;
pub mod export;
pub mod import;
mod iso_codes;
pub mod model;
pub mod picklist;
pub mod privacy;
pub mod referral;
pub mod retention;
pub mod schema;
pub mod sealing;
pub mod standard;
pub mod table;
pub mod values;

pub use access::{
    CaseReferral, CaseResource, Decision, DenyReason, Operation, Principal, Resource, Role, View,
    decide, decide_case,
};
pub use consent_rules::{
    AuditNote, ConsentBasis, ConsentGrant, ConsentOverride, ConsentRefusal, OverrideReason,
    OverrideReasonCode, OverrideReasonError, OverrideRefusal, RefusalKind, consent_for,
    may_count_in_statistics, may_refer, may_share_with_law_enforcement, override_consent,
};
pub use export::{export_bundle, export_case, validate_case};
pub use import::{
    Found, ImportError, ImportErrorKind, import_bundle, import_case, import_case_value,
    validate_document,
};
pub use model::{
    Case, CaseComment, Consent, ConsentPurpose, HistoricTraffickingEvent, IncomingReferral,
    Organisation, OutgoingReferral, Perpetrator, PerpetratorContext, Person, PersonFields,
    PurposeConsent, SupportPlan, Victim, VictimContext,
};
pub use picklist::{NotInPicklist, Picklist};
pub use privacy::{SensitivePath, deidentify, sensitive_field_templates};
pub use referral::{ReferralError, ServiceDirectory, move_referral, send_referral};
pub use retention::{
    CaseMeta, PurgeDecision, RetentionError, RetentionPolicy, RetentionPolicyError, purge_due,
};
pub use schema::{SCHEMA_ID, SCHEMA_REVISION, htcds_json_schema};
pub use sealing::{FieldKey, SealError, open_case, seal_case};
pub use table::Sensitivity;
pub use values::{
    CountryCode, EmailAddress, IsoDate, LanguageCode, Latitude, Longitude, PhoneNumber, RecordId,
    ValueError,
};
