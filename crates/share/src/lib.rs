//! Privacy-preserving exchange between partner organisations.
//!
//! This crate holds the protocol cores that let two ctip instances (say,
//! agency A and agency B in different countries) learn something about
//! their combined data without pooling it. Today that is [`psi`]: private
//! set intersection of normalised identifiers (phone numbers, e-mail
//! addresses, handles, wallets, document numbers); and [`stats`]:
//! differentially private or k-threshold case counts under a
//! privacy-budget ledger; and [`bundle`]: signed bundles of HTCDS cases
//! handed from one organisation to another.
//!
//! It never does I/O, reads a clock, logs, or authenticates peers: the
//! server moves the messages, signs and verifies them with the
//! organisation's key, asks people to approve sessions and results, and
//! keeps the session budget. Everything here works on plain values so it
//! can be tested and benchmarked in one process.
//!
//! # Brute force over small spaces
//!
//! PSI hides the items that are *not* shared, but each side chooses its own
//! set, and the protocol cannot check that the set is genuine. A malicious
//! partner can put every mobile number of a country in its set (a few
//! hundred million at most, and far fewer once the operator prefixes are
//! known) and learn exactly which of them we hold. Phone numbers, document
//! numbers with check digits and short handles are all small enough for
//! this. The cryptography cannot prevent it; these measures make it
//! expensive and visible:
//!
//! - **Caps on set size** ([`psi::PsiConfig::max_set_size`], default
//!   1,000,000): enumerating a country's numbers then takes many sessions.
//! - **Rate limits** ([`psi::SessionBudget`] with
//!   [`psi::SessionPolicy::max_sessions_per_day`]): those many sessions
//!   take many days, and show up in the audit ledger.
//! - **Human approval** of every session and of every result before it is
//!   acted on (the server's workflow).
//! - **Cardinality-only mode** ([`psi::PsiMode::CardinalityOnly`]): both
//!   sides learn only the number of shared items. An adversary can still
//!   test membership of chosen items with tiny sets, which the rate limit
//!   makes slow; prefer this mode for exploratory queries and reserve
//!   intersection mode for approved, specific cases.
//!
//! Every session also reveals each side's set size to the other.

pub mod bundle;
pub mod psi;
pub mod stats;
