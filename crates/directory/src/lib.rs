//! ctip's service directory on Open Referral HSDS 3.0.
//!
//! The tip line points victims and witnesses to help nearby, and caseworkers refer victims to
//! providers. This crate is pure (no database, no HTTP): it imports HSDS 3.0 JSON, validates it
//! against the embedded HSDS JSON Schemas and ctip's domain rules, searches it, and exports it.
//!
//! # HSDS shapes
//! [`Directory::import_hsds`] accepts a full organization (with nested `services`, `locations`,
//! `phones`...), a full service (joined to its nested `organization` or to a known
//! `organization_id`), a paginated list `{"contents": [...]}` of either (the HSDS API's list
//! shape) or a plain JSON array of either. HSDS documents have no type tag, so an item is taken
//! for a service or an organization by its members; objects that carry members of other HSDS
//! objects (taxonomies, locations, service-at-location...) are refused with
//! [`DirectoryError::UnsupportedShape`].
//!
//! # ctip conventions inside HSDS
//! HSDS 3.0 has no field for a service's kind, for gender eligibility or for confidentiality,
//! so ctip uses HSDS `attributes` linking to terms of its own taxonomy (`taxonomy_term.taxonomy`
//! = `"ctip"`), matched by `taxonomy_term.code`:
//! - `ctip:service-type:<shelter|legal-aid|medical|counselling|hotline|other>` on a service.
//!   Without it the type is inferred from other taxonomies' term names by keyword, else `other`.
//! - `ctip:eligible-gender:<female|male|non-binary>` on a service (one attribute per gender;
//!   none means anyone). Ages use HSDS `minimum_age` / `maximum_age`.
//! - `ctip:confidential-location` on a location: its address, coordinates, name and description
//!   are secret. The internal export keeps them (so the directory round-trips); the public
//!   export and every [`PublicView`] drop them and keep only city, country and phones.
//!
//! # Confidentiality by construction
//! A confidential location's address and point live in [`ConfidentialSite`], whose fields are
//! private and whose `Debug` is redacted; no domain type implements `Serialize`. The search index
//! only stores the centre of the ~11 km grid cell of a confidential location, and distances to it
//! are reported in 5 km bands from that centre, so repeated queries cannot trilaterate it.
//! [`PublicLocation::Confidential`] has no member able to hold an address.

mod directory;
mod error;
mod geo;
mod hsds_export;
mod hsds_import;
mod ids;
mod model;
mod schema;
mod search;
mod text;

pub use directory::{Directory, ImportSummary, validate_hsds};
pub use error::{DirectoryError, DomainRule, Problem, ProblemSource, ValidationReport};
pub use geo::{CONFIDENTIAL_GRID_DEGREES, Point};
pub use hsds_export::ExportScope;
pub use hsds_import::{
    CONFIDENTIAL_LOCATION_CODE, CTIP_TAXONOMY, GENDER_CODE_PREFIX, SERVICE_TYPE_CODE_PREFIX,
};
pub use model::{
    Address, ConfidentialSite, Eligibility, Gender, Language, Location, LocationKind, Organization,
    Person, Phone, PublicArea, Service, ServiceStatus, ServiceType, Site,
};
pub use schema::{HsdsObject, SERVICE_WITH_DEFINITIONS_JSON, ensure_schemas_compile, validate};
pub use search::{
    CONFIDENTIAL_DISTANCE_BAND_KM, Distance, Hit, Near, PublicAddress, PublicEligibility,
    PublicLanguage, PublicLocation, PublicPhone, PublicView, Query,
};

/// The fictional demo directory (HSDS 3.0 organization page), for demos and tests.
pub const DEMO_DIRECTORY_JSON: &str = include_str!("../data/demo-directory.json");
