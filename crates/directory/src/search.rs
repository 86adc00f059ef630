//! Searching the directory and the public view of a service.
//!
//! The index never holds the coordinates of a confidential location, only the centre of its
//! grid cell ([`Point::grid_anchor`]), so no search result can be more precise than that cell.

use serde::Serialize;

use crate::directory::Directory;
use crate::geo::Point;
use crate::model::{
    Address, Eligibility, Gender, Language, LocationKind, Organization, Person, Phone, PublicArea,
    Service, ServiceStatus, ServiceType, Site,
};
use crate::text::{fold, tokens};

/// Width of the distance bands reported for confidential locations, in kilometres.
pub const CONFIDENTIAL_DISTANCE_BAND_KM: f64 = 5.0;

/// A search. Every filter that is set must hold; unset filters do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Distance from a point; results are sorted nearest first.
    pub near: Option<Near>,
    /// Language codes (ISO 639, BCP 47 subtags ignored); a service must offer at least one.
    pub languages: Vec<String>,
    /// Service types; a service must be one of them.
    pub service_types: Vec<ServiceType>,
    /// The person looking for help: age and gender eligibility.
    pub person: Option<Person>,
    /// Free text; every word must appear in the service's or organization's name or description
    /// (case- and accent-insensitive).
    pub text: Option<String>,
    /// Also return services that are not active.
    pub include_inactive: bool,
    /// At most this many hits.
    pub limit: Option<usize>,
}

/// The distance filter of a [`Query`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// Where the person is.
    pub point: Point,
    /// Only services with a location within this many kilometres. Without a radius, services
    /// without coordinates (telephone lines, virtual services) come after the located ones.
    pub radius_km: Option<f64>,
}

impl Query {
    /// A query with no filter: every active service.
    pub fn new() -> Query {
        Query::default()
    }

    /// Sorts by distance from `point`, keeping only services within `radius_km` if given.
    pub fn near(mut self, point: Point, radius_km: Option<f64>) -> Query {
        self.near = Some(Near { point, radius_km });
        self
    }

    /// Adds an accepted language.
    pub fn language(mut self, code: &str) -> Query {
        self.languages.push(code.to_owned());
        self
    }

    /// Adds an accepted service type.
    pub fn service_type(mut self, service_type: ServiceType) -> Query {
        self.service_types.push(service_type);
        self
    }

    /// Keeps only services this person is eligible for.
    pub fn eligible_for(mut self, age: Option<u32>, gender: Option<Gender>) -> Query {
        self.person = Some(Person { age, gender });
        self
    }

    /// Free-text filter on names and descriptions.
    pub fn text(mut self, text: &str) -> Query {
        self.text = Some(text.to_owned());
        self
    }

    /// Includes inactive, defunct and temporarily closed services.
    pub fn include_inactive(mut self) -> Query {
        self.include_inactive = true;
        self
    }

    /// Caps the number of hits.
    pub fn limit(mut self, limit: usize) -> Query {
        self.limit = Some(limit);
        self
    }
}

/// How far a hit is from the query point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distance {
    /// To a disclosed location, rounded to 0.1 km.
    Exact {
        /// Kilometres.
        km: f64,
    },
    /// To a confidential location: a band of [`CONFIDENTIAL_DISTANCE_BAND_KM`], measured from
    /// the centre of its grid cell, never from the real place.
    Band {
        /// Lower bound, kilometres.
        from_km: u32,
        /// Upper bound, kilometres.
        to_km: u32,
    },
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Hit {
    /// What may be shown about the service.
    pub service: PublicView,
    /// Distance to its nearest location, when the query had a point and the service has one.
    pub distance: Option<Distance>,
}

/// A language, as shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PublicLanguage {
    /// ISO 639 code.
    pub code: String,
    /// Name, if known.
    pub name: Option<String>,
}

/// A phone, as shown publicly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PublicPhone {
    /// The number.
    pub number: String,
    /// Extension.
    pub extension: Option<f64>,
    /// HSDS phone type.
    pub kind: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// An address of a disclosed location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PublicAddress {
    /// First line.
    pub address_1: String,
    /// Second line.
    pub address_2: Option<String>,
    /// City.
    pub city: String,
    /// Region.
    pub region: Option<String>,
    /// State or province.
    pub state_province: String,
    /// Postal code.
    pub postal_code: String,
    /// Country code.
    pub country: String,
}

/// Eligibility, as shown publicly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PublicEligibility {
    /// Minimum age.
    pub minimum_age: Option<f64>,
    /// Maximum age.
    pub maximum_age: Option<f64>,
    /// Genders the service is restricted to (empty: anyone).
    pub genders: Vec<Gender>,
    /// Description.
    pub description: Option<String>,
}

/// A location, as shown publicly.
///
/// The `Confidential` variant has no member that could hold an address, a name, a description
/// or coordinates: it is built from [`crate::ConfidentialSite::area`] only.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "visibility", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PublicLocation {
    /// A location whose whereabouts may be published.
    Disclosed {
        /// HSDS id.
        location_id: String,
        /// HSDS location type.
        kind: LocationKind,
        /// Name.
        name: Option<String>,
        /// Description.
        description: Option<String>,
        /// Addresses.
        addresses: Vec<PublicAddress>,
        /// Coordinates.
        point: Option<Point>,
        /// Phones of the location.
        phones: Vec<PublicPhone>,
    },
    /// A location that must stay secret: only its city and country, and how to call it.
    Confidential {
        /// City and country.
        area: PublicArea,
        /// Phones of the location.
        phones: Vec<PublicPhone>,
    },
}

/// What may be shown publicly about a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PublicView {
    /// HSDS service id.
    pub service_id: String,
    /// HSDS organization id.
    pub organization_id: String,
    /// Organization name.
    pub organization_name: String,
    /// Service name.
    pub name: String,
    /// Alternate name.
    pub alternate_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// ctip service type.
    pub service_type: ServiceType,
    /// Status.
    pub status: ServiceStatus,
    /// Languages.
    pub languages: Vec<PublicLanguage>,
    /// Eligibility.
    pub eligibility: PublicEligibility,
    /// Web page.
    pub url: Option<String>,
    /// Service e-mail.
    pub email: Option<String>,
    /// Service phones.
    pub phones: Vec<PublicPhone>,
    /// Organization e-mail, as a fallback contact.
    pub organization_email: Option<String>,
    /// Organization phones, as a fallback contact.
    pub organization_phones: Vec<PublicPhone>,
    /// How to apply.
    pub application_process: Option<String>,
    /// Interpretation on offer.
    pub interpretation_services: Option<String>,
    /// Fees.
    pub fees_description: Option<String>,
    /// Where it is delivered.
    pub locations: Vec<PublicLocation>,
}

fn public_phones(phones: &[Phone]) -> Vec<PublicPhone> {
    phones
        .iter()
        .map(|p| PublicPhone {
            number: p.number.clone(),
            extension: p.extension,
            kind: p.kind.clone(),
            description: p.description.clone(),
        })
        .collect()
}

fn public_address(address: &Address) -> PublicAddress {
    PublicAddress {
        address_1: address.address_1.clone(),
        address_2: address.address_2.clone(),
        city: address.city.clone(),
        region: address.region.clone(),
        state_province: address.state_province.clone(),
        postal_code: address.postal_code.clone(),
        country: address.country.clone(),
    }
}

fn public_languages(languages: &[Language]) -> Vec<PublicLanguage> {
    languages
        .iter()
        .map(|l| PublicLanguage {
            code: l.code.clone(),
            name: l.name.clone(),
        })
        .collect()
}

fn public_eligibility(eligibility: &Eligibility) -> PublicEligibility {
    PublicEligibility {
        minimum_age: eligibility.minimum_age,
        maximum_age: eligibility.maximum_age,
        genders: eligibility.genders.clone(),
        description: eligibility.description.clone(),
    }
}

impl PublicView {
    /// The public view of a service of an organization.
    pub fn of(organization: &Organization, service: &Service) -> PublicView {
        let locations = organization
            .locations_of(service)
            .map(|location| match &location.site {
                Site::Disclosed { addresses, point } => PublicLocation::Disclosed {
                    location_id: location.id.clone(),
                    kind: location.kind,
                    name: location.name.clone(),
                    description: location.description.clone(),
                    addresses: addresses.iter().map(public_address).collect(),
                    point: *point,
                    phones: public_phones(&location.phones),
                },
                Site::Confidential(site) => PublicLocation::Confidential {
                    area: site.area(),
                    phones: public_phones(&location.phones),
                },
            })
            .collect();
        PublicView {
            service_id: service.id.clone(),
            organization_id: organization.id.clone(),
            organization_name: organization.name.clone(),
            name: service.name.clone(),
            alternate_name: service.alternate_name.clone(),
            description: service.description.clone(),
            service_type: service.service_type,
            status: service.status,
            languages: public_languages(&service.languages),
            eligibility: public_eligibility(&service.eligibility),
            url: service.url.clone(),
            email: service.email.clone(),
            phones: public_phones(&service.phones),
            organization_email: organization.email.clone(),
            organization_phones: public_phones(&organization.phones),
            application_process: service.application_process.clone(),
            interpretation_services: service.interpretation_services.clone(),
            fees_description: service.fees_description.clone(),
            locations,
        }
    }
}

/// A point a service can be found at, as the index knows it.
#[derive(Debug, Clone, Copy)]
struct IndexedPoint {
    /// The real point of a disclosed location, the grid anchor of a confidential one.
    point: Point,
    confidential: bool,
}

/// The search index of one organization.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrganizationIndex {
    services: Vec<IndexEntry>,
    /// Disclosed locations with coordinates, for [`Directory::resolve_place`].
    places: Vec<PlaceEntry>,
}

/// A disclosed location with coordinates: for each of its addresses, the folded place names
/// (city, region, state or province, country).
#[derive(Debug, Clone)]
struct PlaceEntry {
    addresses: Vec<Vec<String>>,
    point: Point,
}

/// The search index entry of one service.
#[derive(Debug, Clone)]
pub(crate) struct IndexEntry {
    organization: usize,
    service: usize,
    /// Folded service name, alternate name and organization name.
    names: String,
    /// Folded descriptions.
    descriptions: String,
    /// Lower-cased primary language subtags.
    languages: Vec<String>,
    points: Vec<IndexedPoint>,
}

fn primary_language(code: &str) -> String {
    code.split('-').next().unwrap_or(code).to_ascii_lowercase()
}

/// Builds the index of one organization (at `position` in the directory).
pub(crate) fn index_organization(
    position: usize,
    organization: &Organization,
) -> OrganizationIndex {
    let mut places = Vec::new();
    for location in &organization.locations {
        // Confidential locations are never used to resolve places.
        if let Site::Disclosed {
            addresses,
            point: Some(point),
        } = &location.site
        {
            let addresses = addresses
                .iter()
                .map(|address| {
                    [
                        Some(address.city.as_str()),
                        address.region.as_deref(),
                        Some(address.state_province.as_str()),
                        Some(address.country.as_str()),
                    ]
                    .into_iter()
                    .flatten()
                    .map(fold)
                    .collect()
                })
                .collect();
            places.push(PlaceEntry {
                addresses,
                point: *point,
            });
        }
    }
    let services = organization
        .services
        .iter()
        .enumerate()
        .map(|(service_position, service)| {
            let mut names = fold(&service.name);
            for extra in [service.alternate_name.as_deref(), Some(&organization.name)]
                .into_iter()
                .flatten()
            {
                names.push('\n');
                names.push_str(&fold(extra));
            }
            let mut descriptions = String::new();
            for text in [
                service.description.as_deref(),
                Some(organization.description.as_str()),
            ]
            .into_iter()
            .flatten()
            {
                descriptions.push_str(&fold(text));
                descriptions.push('\n');
            }
            let points = organization
                .locations_of(service)
                .filter_map(|location| match &location.site {
                    Site::Disclosed { point, .. } => point.map(|point| IndexedPoint {
                        point,
                        confidential: false,
                    }),
                    Site::Confidential(site) => site.anchor().map(|point| IndexedPoint {
                        point,
                        confidential: true,
                    }),
                })
                .collect();
            IndexEntry {
                organization: position,
                service: service_position,
                names,
                descriptions,
                languages: service
                    .languages
                    .iter()
                    .map(|l| primary_language(&l.code))
                    .collect(),
                points,
            }
        })
        .collect();
    OrganizationIndex { services, places }
}

/// A service that passed the filters.
struct Match<'a> {
    entry: &'a IndexEntry,
    /// Distance to the nearest indexed point, and whether that point is a confidential anchor.
    nearest: Option<(f64, bool)>,
    /// How many query words are in the names (ranking without a point).
    name_words: usize,
}

fn public_distance(km: f64, confidential: bool) -> Distance {
    if confidential {
        let band = (km / CONFIDENTIAL_DISTANCE_BAND_KM).floor();
        // Distances on Earth are below 20,040 km, so the casts cannot overflow.
        let from_km = (band * CONFIDENTIAL_DISTANCE_BAND_KM) as u32;
        Distance::Band {
            from_km,
            to_km: from_km + CONFIDENTIAL_DISTANCE_BAND_KM as u32,
        }
    } else {
        Distance::Exact {
            km: (km * 10.0).round() / 10.0,
        }
    }
}

impl Directory {
    /// Runs a query. With a point, hits are sorted nearest first (services without coordinates
    /// last); otherwise by how many query words are in the name, then by name.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        let wanted_languages: Vec<String> = query
            .languages
            .iter()
            .map(|c| primary_language(c))
            .collect();
        let folded_text = query.text.as_deref().map(fold).unwrap_or_default();
        let words: Vec<&str> = tokens(&folded_text).collect();

        let mut matches: Vec<Match<'_>> = Vec::new();
        for entry in self.index.iter().flat_map(|i| &i.services) {
            let organization = &self.organizations[entry.organization];
            let service = &organization.services[entry.service];
            if !query.include_inactive && service.status != ServiceStatus::Active {
                continue;
            }
            if !query.service_types.is_empty()
                && !query.service_types.contains(&service.service_type)
            {
                continue;
            }
            if !wanted_languages.is_empty()
                && !entry.languages.iter().any(|l| wanted_languages.contains(l))
            {
                continue;
            }
            if let Some(person) = &query.person
                && !service.eligibility.admits(person)
            {
                continue;
            }
            let mut name_words = 0;
            let mut all_words = true;
            for word in &words {
                if entry.names.contains(word) {
                    name_words += 1;
                } else if !entry.descriptions.contains(word) {
                    all_words = false;
                    break;
                }
            }
            if !all_words {
                continue;
            }
            let nearest = query.near.as_ref().and_then(|near| {
                entry
                    .points
                    .iter()
                    // Cheap reject before the trigonometry: a degree of latitude is at least
                    // 110.5 km everywhere, so a larger latitude gap alone exceeds the radius.
                    .filter(|p| {
                        near.radius_km.is_none_or(|radius| {
                            (p.point.lat() - near.point.lat()).abs() * 110.5 <= radius
                        })
                    })
                    .map(|p| (near.point.distance_km(&p.point), p.confidential))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
            });
            if let Some(Near {
                radius_km: Some(radius),
                ..
            }) = &query.near
                && !nearest.is_some_and(|(km, _)| km <= *radius)
            {
                continue;
            }
            matches.push(Match {
                entry,
                nearest,
                name_words,
            });
        }

        let service_of =
            |entry: &IndexEntry| &self.organizations[entry.organization].services[entry.service];
        let by_distance = query.near.is_some();
        let distance = |m: &Match<'_>| m.nearest.map_or(f64::INFINITY, |(km, _)| km);
        let order = |a: &Match<'_>, b: &Match<'_>| {
            let primary = if by_distance {
                distance(a).total_cmp(&distance(b))
            } else {
                b.name_words.cmp(&a.name_words)
            };
            let (service_a, service_b) = (service_of(a.entry), service_of(b.entry));
            primary
                .then_with(|| service_a.name.cmp(&service_b.name))
                .then_with(|| service_a.id.cmp(&service_b.id))
        };
        let limit = query.limit.unwrap_or(usize::MAX);
        if limit < matches.len() {
            // Only the first `limit` need ordering: partition around the cut, then sort the head.
            if limit == 0 {
                return Vec::new();
            }
            matches.select_nth_unstable_by(limit - 1, order);
            matches.truncate(limit);
        }
        matches.sort_unstable_by(order);
        matches
            .into_iter()
            .map(|Match { entry, nearest, .. }| {
                let organization = &self.organizations[entry.organization];
                let service = &organization.services[entry.service];
                Hit {
                    service: PublicView::of(organization, service),
                    distance: nearest.map(|(km, confidential)| public_distance(km, confidential)),
                }
            })
            .collect()
    }

    /// The public view of one service.
    pub fn public_view(&self, service_id: &str) -> Option<PublicView> {
        self.service(service_id)
            .map(|(organization, service)| PublicView::of(organization, service))
    }

    /// Resolves a place name to a point from the directory's own data: the centroid of the
    /// disclosed locations whose address matches. `"Madrid"` matches a city, region, state or
    /// province, or country code; `"Paris, FR"` needs every comma-separated part to match one of
    /// them. Confidential locations are never used, so the result cannot reveal one. There is no
    /// gazetteer: a place with no disclosed location in the directory resolves to `None`.
    pub fn resolve_place(&self, place: &str) -> Option<Point> {
        let parts: Vec<String> = place
            .split(',')
            .map(|p| fold(p.trim()))
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return None;
        }
        // One point per location, even if several of its addresses match.
        let points: Vec<Point> = self
            .index
            .iter()
            .flat_map(|i| &i.places)
            .filter(|place| {
                place
                    .addresses
                    .iter()
                    .any(|names: &Vec<String>| parts.iter().all(|part| names.contains(part)))
            })
            .map(|place| place.point)
            .collect();
        Point::centroid(&points)
    }
}
