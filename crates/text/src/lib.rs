//! Normalisation, de-obfuscation and identifier extraction for ad text.
//!
//! The entry points are [`Normalised::new`], which folds look-alike
//! characters while keeping a map back to the original bytes, and
//! [`extract`], which pulls every identifier out of an ad with its span.
//!
//! Architecture invariant: pure functions over strings. No I/O, no clock, no
//! global mutable state, and no panics on any input (fuzzed in `fuzz/`).

pub mod age;
pub mod email;
mod extract;
pub mod handle;
pub mod normalise;
pub mod phone;
pub mod places;
pub mod price;
pub mod wallet;
pub mod web;

pub use extract::{ExtractOptions, extract, extract_in_region, region_of};
pub use normalise::Normalised;
