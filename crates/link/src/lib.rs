//! Organised activity in ads: template clusters and networks.
//!
//! - [`document`]: an ad as word tokens with identifiers masked, and its
//!   MinHash sketch.
//! - [`templates`]: MinHash LSH clustering of sketches into template
//!   clusters, incrementally.
//! - [`refine`]: a cluster's template with slots and its description-length
//!   quality, as in InfoShield.
//! - [`network`]: ads joined by templates and shared identifiers, with hub
//!   suppression and the explanation of any link.
//! - [`summary`]: what an analyst sees of a network: cities, circuit,
//!   timeline, prices, names and risk.
//! - [`eval`]: adjusted Rand index and pairwise precision and recall.
//!
//! Architecture invariant: pure computation. No I/O, no clock, no logging;
//! the same input gives the same output whatever the thread count.

pub mod document;
pub mod eval;
pub mod network;
pub mod refine;
mod sets;
pub mod summary;
pub mod templates;

pub use document::{Document, Sketch};
pub use network::{HubOverride, Linking, NetworkParams, Postings, Verdict, link};
pub use templates::TemplateParams;
