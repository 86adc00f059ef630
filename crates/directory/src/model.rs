//! ctip's own model of the service directory, converted from and to HSDS 3.0.
//!
//! The model keeps what the tip line and caseworkers need (who, what, where, for whom, how to
//! reach) and drops the rest of HSDS (schedules, funding, programmes, named staff contacts...).
//! Domain types deliberately do not implement `Serialize`: the only ways out are the HSDS export
//! (which knows about confidentiality) and the [`crate::PublicView`].

use std::fmt;

use crate::geo::Point;

/// The kinds of help ctip refers people to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceType {
    /// Emergency or long-term accommodation.
    Shelter,
    /// Lawyers, immigration and labour-rights advice.
    LegalAid,
    /// Health care.
    Medical,
    /// Psychological support.
    Counselling,
    /// Telephone help lines.
    Hotline,
    /// Anything else.
    Other,
}

impl ServiceType {
    /// Every service type, in display order.
    pub const ALL: [ServiceType; 6] = [
        ServiceType::Shelter,
        ServiceType::LegalAid,
        ServiceType::Medical,
        ServiceType::Counselling,
        ServiceType::Hotline,
        ServiceType::Other,
    ];

    /// The code used in ctip's taxonomy terms (`ctip:service-type:<code>`).
    pub fn code(self) -> &'static str {
        match self {
            ServiceType::Shelter => "shelter",
            ServiceType::LegalAid => "legal-aid",
            ServiceType::Medical => "medical",
            ServiceType::Counselling => "counselling",
            ServiceType::Hotline => "hotline",
            ServiceType::Other => "other",
        }
    }

    /// Human-readable English label.
    pub fn label(self) -> &'static str {
        match self {
            ServiceType::Shelter => "Shelter",
            ServiceType::LegalAid => "Legal aid",
            ServiceType::Medical => "Medical",
            ServiceType::Counselling => "Counselling",
            ServiceType::Hotline => "Hotline",
            ServiceType::Other => "Other",
        }
    }

    /// Parses a code as written by [`ServiceType::code`].
    pub fn from_code(code: &str) -> Option<ServiceType> {
        ServiceType::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Genders a service may be restricted to. HSDS 3.0 has no gender field, so ctip expresses it
/// with attributes carrying `ctip:eligible-gender:<code>` taxonomy terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gender {
    /// Women and girls.
    Female,
    /// Men and boys.
    Male,
    /// Non-binary people.
    NonBinary,
}

impl Gender {
    /// Every gender code ctip knows.
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::NonBinary];

    /// The code used in ctip's taxonomy terms.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::NonBinary => "non-binary",
        }
    }

    /// Parses a code as written by [`Gender::code`].
    pub fn from_code(code: &str) -> Option<Gender> {
        Gender::ALL.into_iter().find(|g| g.code() == code)
    }
}

/// HSDS service status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    /// Operating.
    Active,
    /// Not operating for now.
    Inactive,
    /// Closed for good.
    Defunct,
    /// Closed for a while.
    TemporarilyClosed,
}

impl ServiceStatus {
    /// The HSDS enum value.
    pub fn hsds(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::Defunct => "defunct",
            ServiceStatus::TemporarilyClosed => "temporarily closed",
        }
    }

    /// Parses the HSDS enum value.
    pub fn from_hsds(value: &str) -> Option<ServiceStatus> {
        [
            ServiceStatus::Active,
            ServiceStatus::Inactive,
            ServiceStatus::Defunct,
            ServiceStatus::TemporarilyClosed,
        ]
        .into_iter()
        .find(|s| s.hsds() == value)
    }
}

/// HSDS `location_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A place people can go to.
    Physical,
    /// A postal address only.
    Postal,
    /// Online or by phone.
    Virtual,
}

impl LocationKind {
    /// The HSDS enum value.
    pub fn hsds(self) -> &'static str {
        match self {
            LocationKind::Physical => "physical",
            LocationKind::Postal => "postal",
            LocationKind::Virtual => "virtual",
        }
    }

    /// Parses the HSDS enum value.
    pub fn from_hsds(value: &str) -> Option<LocationKind> {
        [
            LocationKind::Physical,
            LocationKind::Postal,
            LocationKind::Virtual,
        ]
        .into_iter()
        .find(|k| k.hsds() == value)
    }
}

/// A language a service is offered in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-1 or ISO 639-3 code, possibly with BCP 47 subtags (`pt-BR`); kept as written and
    /// compared case-insensitively.
    pub code: String,
    /// Name of the language, if given.
    pub name: Option<String>,
}

/// A telephone number.
#[derive(Debug, Clone, PartialEq)]
pub struct Phone {
    /// HSDS identifier (UUID).
    pub id: String,
    /// The number as written in the source.
    pub number: String,
    /// Extension.
    pub extension: Option<f64>,
    /// HSDS phone `type` (voice, text, fax...).
    pub kind: Option<String>,
    /// Free text (opening hours of the line...).
    pub description: Option<String>,
}

/// A postal or physical address (HSDS `address`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// HSDS identifier (UUID).
    pub id: String,
    /// Person or department to address mail to.
    pub attention: Option<String>,
    /// First line.
    pub address_1: String,
    /// Second line.
    pub address_2: Option<String>,
    /// City or town.
    pub city: String,
    /// Region (county, district...).
    pub region: Option<String>,
    /// State or province.
    pub state_province: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// HSDS `address_type`: physical, postal or virtual.
    pub address_type: String,
}

/// Who may use a service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Eligibility {
    /// HSDS `minimum_age`, in years.
    pub minimum_age: Option<f64>,
    /// HSDS `maximum_age`, in years.
    pub maximum_age: Option<f64>,
    /// Genders the service is restricted to; empty means anyone.
    pub genders: Vec<Gender>,
    /// HSDS `eligibility_description`.
    pub description: Option<String>,
}

/// A person looking for help, for eligibility filtering. Unknown facts do not filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Person {
    /// Age in years.
    pub age: Option<u32>,
    /// Gender.
    pub gender: Option<Gender>,
}

impl Eligibility {
    /// Whether the person meets the age and gender rules (facts not given are not held against them).
    pub fn admits(&self, person: &Person) -> bool {
        if let Some(age) = person.age {
            let age = f64::from(age);
            if self.minimum_age.is_some_and(|min| age < min)
                || self.maximum_age.is_some_and(|max| age > max)
            {
                return false;
            }
        }
        match person.gender {
            Some(gender) if !self.genders.is_empty() => self.genders.contains(&gender),
            _ => true,
        }
    }
}

/// Where a location is, and whether that may be shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Site {
    /// A location whose address and coordinates may be published.
    Disclosed {
        /// Its addresses (HSDS allows several, e.g. physical and postal).
        addresses: Vec<Address>,
        /// Its coordinates.
        point: Option<Point>,
    },
    /// A location that must stay secret (a shelter's address): see [`ConfidentialSite`].
    Confidential(ConfidentialSite),
}

/// The address and coordinates of a confidential location.
///
/// The fields are private and `Debug` is redacted, so that neither formatting nor field access
/// can leak them by accident. Only [`ConfidentialSite::area`] (city and country) and
/// [`ConfidentialSite::anchor`] (the centre of a ~11 km grid cell) feed public output; the exact
/// data is reachable only through [`ConfidentialSite::disclose_for_casework`], for the internal
/// HSDS export and for authorised caseworkers.
#[derive(Clone, PartialEq)]
pub struct ConfidentialSite {
    addresses: Vec<Address>,
    point: Option<Point>,
}

/// The coarse area of a confidential location that may be shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicArea {
    /// City or town.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}

impl ConfidentialSite {
    /// Wraps the secret address(es) and coordinates of a location.
    pub fn new(addresses: Vec<Address>, point: Option<Point>) -> ConfidentialSite {
        ConfidentialSite { addresses, point }
    }

    /// City and country of the first address: what a person needs to know the help is near.
    pub fn area(&self) -> PublicArea {
        let first = self.addresses.first();
        PublicArea {
            city: first.map(|a| a.city.clone()),
            country: first.map(|a| a.country.clone()),
        }
    }

    /// The centre of the grid cell the location lies in (see [`Point::grid_anchor`]).
    pub fn anchor(&self) -> Option<Point> {
        self.point.map(|p| p.grid_anchor())
    }

    /// The exact addresses and coordinates. Callers must only use this for the internal export or
    /// for a caseworker who is authorised to see them; never for public output.
    pub fn disclose_for_casework(&self) -> (&[Address], Option<Point>) {
        (&self.addresses, self.point)
    }
}

impl fmt::Debug for ConfidentialSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfidentialSite(<redacted>)")
    }
}

/// A place where services are delivered (HSDS `location`).
///
/// `Debug` hides the name and description of a confidential location, as they may give it away.
#[derive(Clone, PartialEq)]
pub struct Location {
    /// HSDS identifier (UUID).
    pub id: String,
    /// HSDS `location_type`.
    pub kind: LocationKind,
    /// Name. Not shown publicly for confidential locations (it may give the place away).
    pub name: Option<String>,
    /// Description. Not shown publicly for confidential locations.
    pub description: Option<String>,
    /// Phones of the location.
    pub phones: Vec<Phone>,
    /// Address and coordinates, disclosed or confidential.
    pub site: Site,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn redacted(confidential: bool, text: &Option<String>) -> Option<&str> {
            match text {
                Some(_) if confidential => Some("<redacted>"),
                text => text.as_deref(),
            }
        }
        let confidential = self.is_confidential();
        f.debug_struct("Location")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("name", &redacted(confidential, &self.name))
            .field("description", &redacted(confidential, &self.description))
            .field("phones", &self.phones)
            .field("site", &self.site)
            .finish()
    }
}

impl Location {
    /// Whether the location's whereabouts must stay secret.
    pub fn is_confidential(&self) -> bool {
        matches!(self.site, Site::Confidential(_))
    }
}

/// A service (HSDS `service`).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// HSDS identifier (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// Alternate name.
    pub alternate_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status; only active services are found by default.
    pub status: ServiceStatus,
    /// Web page.
    pub url: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// ctip's classification.
    pub service_type: ServiceType,
    /// Languages the service is offered in.
    pub languages: Vec<Language>,
    /// Who may use it.
    pub eligibility: Eligibility,
    /// Phones of the service.
    pub phones: Vec<Phone>,
    /// Identifiers of the organization's locations where it is delivered.
    pub location_ids: Vec<String>,
    /// HSDS `interpretation_services`.
    pub interpretation_services: Option<String>,
    /// HSDS `application_process`.
    pub application_process: Option<String>,
    /// HSDS `fees_description`.
    pub fees_description: Option<String>,
}

/// An organization with its locations and services (HSDS `organization`).
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// HSDS identifier (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// Alternate name.
    pub alternate_name: Option<String>,
    /// Description (required by HSDS).
    pub description: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Phones of the organization.
    pub phones: Vec<Phone>,
    /// Its locations; services refer to them by id.
    pub locations: Vec<Location>,
    /// Its services.
    pub services: Vec<Service>,
}

impl Organization {
    /// The location with this id.
    pub fn location(&self, id: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    /// The locations a service is delivered at, in the service's order.
    pub fn locations_of<'a>(&'a self, service: &'a Service) -> impl Iterator<Item = &'a Location> {
        service
            .location_ids
            .iter()
            .filter_map(move |id| self.location(id))
    }
}
