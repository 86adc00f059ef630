//! Reading HSDS 3.0 JSON into ctip's model, with every problem collected.
//!
//! Accepted shapes (see the crate documentation): one full organization, one full service, a
//! paginated list (`{"contents": [...]}`) or a plain array of either. Each item is validated
//! against the HSDS schema of its kind, then converted while the domain rules are checked.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::error::{
    DirectoryError, DomainRule, Problem, ProblemSource, pointer_index, pointer_push,
};
use crate::geo::Point;
use crate::model::{
    Address, ConfidentialSite, Eligibility, Gender, Language, Location, LocationKind, Organization,
    Phone, Service, ServiceStatus, ServiceType, Site,
};
use crate::schema::{self, HsdsObject};

/// Name of ctip's taxonomy, in `taxonomy_term.taxonomy`.
pub const CTIP_TAXONOMY: &str = "ctip";
/// Prefix of the taxonomy term codes that classify a service, followed by a [`ServiceType`] code.
pub const SERVICE_TYPE_CODE_PREFIX: &str = "ctip:service-type:";
/// Prefix of the taxonomy term codes that restrict a service to a gender, followed by a [`Gender`] code.
pub const GENDER_CODE_PREFIX: &str = "ctip:eligible-gender:";
/// Taxonomy term code that marks a location as confidential.
pub const CONFIDENTIAL_LOCATION_CODE: &str = "ctip:confidential-location";

/// Members only an organization has (one-to-one and nested).
const ORGANIZATION_ONLY_KEYS: &[&str] = &[
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "uri",
    "parent_organization_id",
    "locations",
    "programs",
    "organization_identifiers",
    "services",
];

/// Members only a service has.
const SERVICE_ONLY_KEYS: &[&str] = &[
    "organization_id",
    "program_id",
    "url",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "fees",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "licenses",
    "alert",
    "last_modified",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "organization",
    "cost_options",
    "program",
    "required_documents",
];

/// Members both have.
const COMMON_KEYS: &[&str] = &[
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "funding",
    "contacts",
    "phones",
    "attributes",
    "metadata",
];

/// Members that belong to other HSDS objects (taxonomy, taxonomy term, location, service at
/// location, the API root), used to refuse those documents instead of misreading them.
const OTHER_OBJECT_KEYS: &[&str] = &[
    "version",
    "code",
    "parent_id",
    "taxonomy",
    "taxonomy_detail",
    "taxonomy_id",
    "term_uri",
    "location_type",
    "latitude",
    "longitude",
    "addresses",
    "transportation",
    "external_identifier",
    "external_identifier_type",
    "accessibility",
    "service",
    "service_id",
    "location_id",
    "location",
    "openapi_url",
    "profile",
    "language",
];

/// What one top-level item of a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Organization,
    Service,
}

/// Decides whether an object is an organization or a service from its members (HSDS documents
/// carry no type tag). Errors for objects that look like another HSDS object.
pub(crate) fn classify(
    object: &Map<String, Value>,
    pointer: &str,
) -> Result<ItemKind, DirectoryError> {
    let count = |keys: &[&str]| object.keys().filter(|k| keys.contains(&k.as_str())).count();
    let organization_keys = count(ORGANIZATION_ONLY_KEYS);
    let service_keys = count(SERVICE_ONLY_KEYS);
    let common_keys = count(COMMON_KEYS);
    let other: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|k| OTHER_OBJECT_KEYS.contains(k))
        .collect();
    let where_ = if pointer.is_empty() {
        "the document root"
    } else {
        pointer
    };
    if (organization_keys + service_keys + common_keys) == 0
        || (!other.is_empty() && other.len() >= organization_keys + service_keys)
    {
        let detail = if other.is_empty() {
            "it has none of the members of an HSDS organization or service".to_owned()
        } else {
            format!(
                "it has members of another HSDS object ({}); only organizations and services are imported",
                other.join(", ")
            )
        };
        return Err(DirectoryError::UnsupportedShape(format!(
            "{where_}: {detail}"
        )));
    }
    if service_keys > organization_keys
        || (service_keys == organization_keys && object.contains_key("status"))
    {
        Ok(ItemKind::Service)
    } else {
        Ok(ItemKind::Organization)
    }
}

/// How a service item names its organization.
#[derive(Debug, Clone)]
pub(crate) enum OrganizationRef {
    /// A nested `organization` object.
    Nested(Box<Organization>),
    /// Only `organization_id`.
    Id(String),
    /// Nothing.
    Missing,
}

/// A service as read, with what is needed to attach it to an organization.
#[derive(Debug, Clone)]
pub(crate) struct ServiceItem {
    pub service: Service,
    pub pointer: String,
    pub organization: OrganizationRef,
    /// Full locations nested in `service_at_locations`.
    pub nested_locations: Vec<Location>,
    /// Location ids named by `service_at_locations`, with the pointer of each reference.
    pub location_refs: Vec<(String, String)>,
}

/// An organization as read, with its nested services' references checked.
#[derive(Debug, Clone)]
pub(crate) struct OrganizationItem {
    pub organization: Organization,
    pub pointer: String,
    /// Pointer of each nested service, by service id (for later domain problems).
    pub service_pointers: Vec<(String, String)>,
}

/// A whole document, read.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub organizations: Vec<OrganizationItem>,
    pub services: Vec<ServiceItem>,
    pub problems: Vec<Problem>,
    /// Pointer of each object read (organizations, services, locations, phones) by id; the
    /// first occurrence wins when HSDS repeats an object (e.g. a location under a service).
    pub pointers: HashMap<String, String>,
}

/// Reads and validates a whole document. Problems are collected in the batch; only shapes that
/// cannot be read at all are errors here.
pub(crate) fn read_document(document: &Value) -> Result<Batch, DirectoryError> {
    let mut batch = Batch::default();
    let items: Vec<(String, &Value)> = match document {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (pointer_index("", i), v))
            .collect(),
        Value::Object(object) if object.contains_key("contents") => {
            batch
                .problems
                .extend(schema::validate(HsdsObject::Page, document, "")?);
            match object.get("contents") {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (pointer_index("/contents", i), v))
                    .collect(),
                // The page schema has reported the wrong type already.
                _ => Vec::new(),
            }
        }
        Value::Object(_) => vec![(String::new(), document)],
        _ => {
            return Err(DirectoryError::UnsupportedShape(
                "the document root must be an object or an array".to_owned(),
            ));
        }
    };

    let mut reader = Reader::default();
    for (pointer, item) in items {
        let Some(object) = item.as_object() else {
            batch.problems.push(Problem {
                pointer,
                source: ProblemSource::Schema {
                    keyword: "type".to_owned(),
                },
                message: "value is not of type \"object\"".to_owned(),
            });
            continue;
        };
        match classify(object, &pointer)? {
            ItemKind::Organization => {
                batch
                    .problems
                    .extend(schema::validate(HsdsObject::Organization, item, &pointer)?);
                if let Some(organization) = reader.organization_item(object, &pointer) {
                    batch.organizations.push(organization);
                }
            }
            ItemKind::Service => {
                batch
                    .problems
                    .extend(schema::validate(HsdsObject::Service, item, &pointer)?);
                if let Some(service) = reader.service(object, &pointer) {
                    batch.services.push(service);
                }
            }
        }
    }
    check_unique_top_level_ids(&mut batch);
    batch.problems.append(&mut reader.problems);
    batch.pointers = reader.pointers;
    Ok(batch)
}

fn check_unique_top_level_ids(batch: &mut Batch) {
    let mut seen_organizations = HashSet::new();
    for item in &batch.organizations {
        if !seen_organizations.insert(item.organization.id.clone()) {
            batch.problems.push(domain(
                pointer_push(&item.pointer, "id"),
                DomainRule::DuplicateId,
                "another organization in this document has the same id",
            ));
        }
    }
    let mut seen_services = HashSet::new();
    let nested = batch
        .organizations
        .iter()
        .flat_map(|o| o.service_pointers.iter().cloned());
    let top = batch
        .services
        .iter()
        .map(|s| (s.service.id.clone(), s.pointer.clone()));
    for (id, pointer) in nested.chain(top).collect::<Vec<_>>() {
        if !seen_services.insert(id) {
            batch.problems.push(domain(
                pointer_push(&pointer, "id"),
                DomainRule::DuplicateId,
                "another service in this document has the same id",
            ));
        }
    }
}

pub(crate) fn domain(pointer: String, rule: DomainRule, message: impl Into<String>) -> Problem {
    Problem {
        pointer,
        source: ProblemSource::Domain(rule),
        message: message.into(),
    }
}

/// Typed access to one JSON object; wrong types read as absent because the schema reports them.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    pointer: &'a str,
}

impl<'a> Fields<'a> {
    fn string(&self, key: &str) -> Option<String> {
        self.object
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.object.get(key).and_then(Value::as_f64)
    }

    fn at(&self, key: &str) -> String {
        pointer_push(self.pointer, key)
    }

    /// The objects of an array member, with their pointers.
    fn objects(&self, key: &str) -> Vec<(String, &'a Map<String, Value>)> {
        let base = self.at(key);
        self.object
            .get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_object().map(|o| (pointer_index(&base, i), o)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The `taxonomy_term.code` of each attribute, with the pointer of the code.
fn attribute_codes(fields: &Fields<'_>) -> Vec<(String, String)> {
    fields
        .objects("attributes")
        .into_iter()
        .filter_map(|(pointer, attribute)| {
            let term = attribute.get("taxonomy_term")?.as_object()?;
            let code = term.get("code")?.as_str()?;
            Some((
                pointer_push(&pointer_push(&pointer, "taxonomy_term"), "code"),
                code.to_owned(),
            ))
        })
        .collect()
}

/// The `taxonomy_term.name` of each attribute that is not one of ctip's own terms.
fn foreign_term_names(fields: &Fields<'_>) -> Vec<String> {
    fields
        .objects("attributes")
        .into_iter()
        .filter_map(|(_, attribute)| {
            let term = attribute.get("taxonomy_term")?.as_object()?;
            let code = term.get("code").and_then(Value::as_str).unwrap_or_default();
            if code.starts_with("ctip:") {
                return None;
            }
            let name = term.get("name").and_then(Value::as_str).unwrap_or_default();
            Some(format!("{name} {code}"))
        })
        .collect()
}

/// Maps other taxonomies' term names to a service type by keyword, for data that does not carry
/// ctip's own `ctip:service-type:*` term. Checked in this order; first match wins.
const SERVICE_TYPE_KEYWORDS: &[(ServiceType, &[&str])] = &[
    (
        ServiceType::Hotline,
        &["hotline", "helpline", "help line", "crisis line"],
    ),
    (
        ServiceType::Shelter,
        &["shelter", "refuge", "safe house", "housing"],
    ),
    (
        ServiceType::LegalAid,
        &["legal", "lawyer", "attorney", "immigration advice"],
    ),
    (
        ServiceType::Medical,
        &["medical", "health care", "healthcare", "clinic", "hospital"],
    ),
    (
        ServiceType::Counselling,
        &["counsel", "mental health", "psycholog", "therapy"],
    ),
];

/// ISO 639 code with optional BCP 47 subtags: 2–3 letters, then 1–8 alphanumerics per subtag.
fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    pointers: HashMap<String, String>,
}

impl Reader {
    fn remember(&mut self, fields: &Fields<'_>) {
        if let Some(id) = fields.string("id") {
            self.pointers
                .entry(id)
                .or_insert_with(|| fields.pointer.to_owned());
        }
    }

    fn problem(&mut self, pointer: String, rule: DomainRule, message: impl Into<String>) {
        self.problems.push(domain(pointer, rule, message));
    }

    fn phones(&mut self, fields: &Fields<'_>) -> Vec<Phone> {
        fields
            .objects("phones")
            .into_iter()
            .filter_map(|(pointer, object)| {
                let phone = Fields {
                    object,
                    pointer: &pointer,
                };
                self.remember(&phone);
                Some(Phone {
                    id: phone.string("id")?,
                    number: phone.string("number")?,
                    extension: phone.number("extension"),
                    kind: phone.string("type"),
                    description: phone.string("description"),
                })
            })
            .collect()
    }

    fn addresses(&mut self, fields: &Fields<'_>) -> Vec<Address> {
        fields
            .objects("addresses")
            .into_iter()
            .filter_map(|(pointer, object)| {
                let address = Fields {
                    object,
                    pointer: &pointer,
                };
                Some(Address {
                    id: address.string("id")?,
                    attention: address.string("attention"),
                    address_1: address.string("address_1")?,
                    address_2: address.string("address_2"),
                    city: address.string("city")?,
                    region: address.string("region"),
                    state_province: address.string("state_province")?,
                    postal_code: address.string("postal_code")?,
                    country: address.string("country")?,
                    address_type: address.string("address_type")?,
                })
            })
            .collect()
    }

    fn location(&mut self, object: &Map<String, Value>, pointer: &str) -> Option<Location> {
        let fields = Fields { object, pointer };
        self.remember(&fields);
        let latitude = fields.number("latitude");
        let longitude = fields.number("longitude");
        let mut coordinates_ok = true;
        if let Some(lat) = latitude
            && !(-90.0..=90.0).contains(&lat)
        {
            self.problem(
                fields.at("latitude"),
                DomainRule::LatitudeRange,
                format!("latitude {lat} is outside [-90, 90]"),
            );
            coordinates_ok = false;
        }
        if let Some(lon) = longitude
            && !(-180.0..=180.0).contains(&lon)
        {
            self.problem(
                fields.at("longitude"),
                DomainRule::LongitudeRange,
                format!("longitude {lon} is outside [-180, 180]"),
            );
            coordinates_ok = false;
        }
        let point = match (latitude, longitude) {
            (Some(lat), Some(lon)) if coordinates_ok => Point::new(lat, lon).ok(),
            (Some(_), None) => {
                self.problem(
                    fields.at("longitude"),
                    DomainRule::CoordinatePair,
                    "latitude is given without longitude",
                );
                None
            }
            (None, Some(_)) => {
                self.problem(
                    fields.at("latitude"),
                    DomainRule::CoordinatePair,
                    "longitude is given without latitude",
                );
                None
            }
            _ => None,
        };
        let confidential = attribute_codes(&fields)
            .iter()
            .any(|(_, code)| code == CONFIDENTIAL_LOCATION_CODE);
        let addresses = self.addresses(&fields);
        let phones = self.phones(&fields);
        let site = if confidential {
            Site::Confidential(ConfidentialSite::new(addresses, point))
        } else {
            Site::Disclosed { addresses, point }
        };
        Some(Location {
            id: fields.string("id")?,
            kind: LocationKind::from_hsds(&fields.string("location_type")?)?,
            name: fields.string("name"),
            description: fields.string("description"),
            phones,
            site,
        })
    }

    fn service_type(&mut self, fields: &Fields<'_>) -> ServiceType {
        let mut explicit: Option<ServiceType> = None;
        for (pointer, code) in attribute_codes(fields) {
            let Some(suffix) = code.strip_prefix(SERVICE_TYPE_CODE_PREFIX) else {
                continue;
            };
            match ServiceType::from_code(suffix) {
                None => self.problem(
                    pointer,
                    DomainRule::ServiceType,
                    format!(
                        "unknown service type {suffix:?}; expected one of: {}",
                        ServiceType::ALL.map(ServiceType::code).join(", ")
                    ),
                ),
                Some(found) => match explicit {
                    Some(earlier) if earlier != found => self.problem(
                        pointer,
                        DomainRule::ServiceType,
                        format!("service is already typed {earlier}; a service has one type"),
                    ),
                    _ => explicit = Some(found),
                },
            }
        }
        if let Some(found) = explicit {
            return found;
        }
        let names = foreign_term_names(fields)
            .iter()
            .map(|n| crate::text::fold(n))
            .collect::<Vec<_>>();
        SERVICE_TYPE_KEYWORDS
            .iter()
            .find(|(_, keywords)| {
                names
                    .iter()
                    .any(|name| keywords.iter().any(|k| name.contains(k)))
            })
            .map_or(ServiceType::Other, |(kind, _)| *kind)
    }

    fn eligibility(&mut self, fields: &Fields<'_>) -> Eligibility {
        let mut age = |key: &str| {
            let value = fields.number(key)?;
            if !(0.0..=150.0).contains(&value) {
                self.problem(
                    fields.at(key),
                    DomainRule::AgeRange,
                    format!("{key} {value} is outside 0..=150"),
                );
                return None;
            }
            Some(value)
        };
        let minimum_age = age("minimum_age");
        let maximum_age = age("maximum_age");
        if let (Some(min), Some(max)) = (minimum_age, maximum_age)
            && min > max
        {
            self.problem(
                fields.at("maximum_age"),
                DomainRule::AgeRange,
                format!("maximum_age {max} is below minimum_age {min}"),
            );
        }
        let mut genders = Vec::new();
        for (pointer, code) in attribute_codes(fields) {
            let Some(suffix) = code.strip_prefix(GENDER_CODE_PREFIX) else {
                continue;
            };
            match Gender::from_code(suffix) {
                Some(gender) if !genders.contains(&gender) => genders.push(gender),
                Some(_) => {}
                None => self.problem(
                    pointer,
                    DomainRule::Gender,
                    format!(
                        "unknown gender {suffix:?}; expected one of: {}",
                        Gender::ALL.map(Gender::code).join(", ")
                    ),
                ),
            }
        }
        genders.sort();
        Eligibility {
            minimum_age,
            maximum_age,
            genders,
            description: fields.string("eligibility_description"),
        }
    }

    fn languages(&mut self, fields: &Fields<'_>) -> Vec<Language> {
        let mut languages = Vec::new();
        for (pointer, object) in fields.objects("languages") {
            let language = Fields {
                object,
                pointer: &pointer,
            };
            match language.string("code") {
                Some(code) if is_language_code(&code) => languages.push(Language {
                    code,
                    name: language.string("name"),
                }),
                Some(code) => self.problem(
                    language.at("code"),
                    DomainRule::LanguageCode,
                    format!("{code:?} is not an ISO 639-1/639-3 code"),
                ),
                None => self.problem(
                    language.at("code"),
                    DomainRule::LanguageCode,
                    "a language needs its ISO 639 code to be searchable",
                ),
            }
        }
        languages
    }

    fn service(&mut self, object: &Map<String, Value>, pointer: &str) -> Option<ServiceItem> {
        let fields = Fields { object, pointer };
        self.remember(&fields);
        let service_type = self.service_type(&fields);
        let eligibility = self.eligibility(&fields);
        let languages = self.languages(&fields);
        let phones = self.phones(&fields);
        let mut nested_locations = Vec::new();
        let mut location_refs = Vec::new();
        for (link_pointer, link) in fields.objects("service_at_locations") {
            let link_fields = Fields {
                object: link,
                pointer: &link_pointer,
            };
            let nested = link.get("location").and_then(Value::as_object);
            let location_id = match nested {
                Some(location) => {
                    let location_pointer = link_fields.at("location");
                    let read = self.location(location, &location_pointer);
                    let id = read.as_ref().map(|l| l.id.clone());
                    nested_locations.extend(read);
                    id
                }
                None => link_fields.string("location_id"),
            };
            match location_id {
                Some(id) => location_refs.push((id, link_fields.at("location_id"))),
                None => self.problem(
                    link_pointer.clone(),
                    DomainRule::UnknownLocation,
                    "service_at_location names no location (no location_id and no location)",
                ),
            }
        }
        let organization = match object.get("organization").and_then(Value::as_object) {
            Some(nested) => {
                let nested_pointer = fields.at("organization");
                match self.organization(nested, &nested_pointer) {
                    Some(organization) => OrganizationRef::Nested(Box::new(organization)),
                    None => OrganizationRef::Missing,
                }
            }
            None => fields
                .string("organization_id")
                .map_or(OrganizationRef::Missing, OrganizationRef::Id),
        };
        let service = Service {
            id: fields.string("id")?,
            name: fields.string("name")?,
            alternate_name: fields.string("alternate_name"),
            description: fields.string("description"),
            status: ServiceStatus::from_hsds(&fields.string("status")?)?,
            url: fields.string("url"),
            email: fields.string("email"),
            service_type,
            languages,
            eligibility,
            phones,
            location_ids: dedup_in_order(location_refs.iter().map(|(id, _)| id.clone())),
            interpretation_services: fields.string("interpretation_services"),
            application_process: fields.string("application_process"),
            fees_description: fields.string("fees_description"),
        };
        Some(ServiceItem {
            service,
            pointer: pointer.to_owned(),
            organization,
            nested_locations,
            location_refs,
        })
    }

    /// The organization's own members and locations; nested services are read by the caller.
    fn organization(&mut self, object: &Map<String, Value>, pointer: &str) -> Option<Organization> {
        let fields = Fields { object, pointer };
        self.remember(&fields);
        let phones = self.phones(&fields);
        let mut locations: Vec<Location> = Vec::new();
        for (location_pointer, location) in fields.objects("locations") {
            if let Some(read) = self.location(location, &location_pointer) {
                if locations.iter().any(|l| l.id == read.id) {
                    self.problem(
                        pointer_push(&location_pointer, "id"),
                        DomainRule::DuplicateId,
                        "another location of this organization has the same id",
                    );
                    continue;
                }
                locations.push(read);
            }
        }
        Some(Organization {
            id: fields.string("id")?,
            name: fields.string("name")?,
            alternate_name: fields.string("alternate_name"),
            // Missing or mistyped, it is a schema problem; read on to find the other problems.
            description: fields.string("description").unwrap_or_default(),
            email: fields.string("email"),
            website: fields.string("website"),
            phones,
            locations,
            services: Vec::new(),
        })
    }

    fn organization_item(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
    ) -> Option<OrganizationItem> {
        let fields = Fields { object, pointer };
        let mut services = Vec::new();
        for (service_pointer, service) in fields.objects("services") {
            services.extend(self.service(service, &service_pointer));
        }
        let mut organization = self.organization(object, pointer)?;
        let mut service_pointers = Vec::new();
        for item in services {
            for location in item.nested_locations {
                merge_location(&mut organization.locations, location);
            }
            for (id, reference_pointer) in &item.location_refs {
                if organization.location(id).is_none() {
                    self.problem(
                        reference_pointer.clone(),
                        DomainRule::UnknownLocation,
                        "no location with this id in the organization",
                    );
                }
            }
            service_pointers.push((item.service.id.clone(), item.pointer.clone()));
            organization.services.push(item.service);
        }
        for (id, service_pointer) in &service_pointers {
            if let Some(service) = organization.services.iter().find(|s| &s.id == id) {
                self.problems.extend(confidential_contact_problem(
                    &organization,
                    service,
                    service_pointer,
                ));
            }
        }
        Some(OrganizationItem {
            organization,
            pointer: pointer.to_owned(),
            service_pointers,
        })
    }
}

fn dedup_in_order(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.filter(|id| seen.insert(id.clone())).collect()
}

/// Adds a location, or merges it into the one with the same id: the first copy's data is kept,
/// but if any copy is marked confidential the merged location is confidential (fail safe).
pub(crate) fn merge_location(locations: &mut Vec<Location>, incoming: Location) {
    match locations.iter_mut().find(|l| l.id == incoming.id) {
        None => locations.push(incoming),
        Some(existing) => {
            if incoming.is_confidential()
                && let Site::Disclosed { addresses, point } = &existing.site
            {
                existing.site =
                    Site::Confidential(ConfidentialSite::new(addresses.clone(), *point));
            }
        }
    }
}

/// A service with a confidential location must be reachable without its address.
pub(crate) fn confidential_contact_problem(
    organization: &Organization,
    service: &Service,
    service_pointer: &str,
) -> Option<Problem> {
    let confidential: Vec<&Location> = organization
        .locations_of(service)
        .filter(|l| l.is_confidential())
        .collect();
    if confidential.is_empty() {
        return None;
    }
    let service_contact = !service.phones.is_empty() || service.email.is_some();
    let organization_contact = !organization.phones.is_empty() || organization.email.is_some();
    if service_contact || organization_contact || confidential.iter().all(|l| !l.phones.is_empty())
    {
        return None;
    }
    Some(domain(
        service_pointer.to_owned(),
        DomainRule::ConfidentialWithoutContact,
        "the service has a confidential location but no phone or e-mail to reach it by",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes() {
        for good in ["en", "ar", "fil", "pt-BR", "zh-Hant-TW"] {
            assert!(is_language_code(good), "{good}");
        }
        for bad in ["", "e", "english", "e1", "pt_BR", "pt-", "en-toolongsubtag"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn classification_by_members() {
        let object = |v: Value| v.as_object().cloned().expect("object");
        let org = object(serde_json::json!({"id": "x", "name": "n", "description": "d"}));
        assert_eq!(classify(&org, "").ok(), Some(ItemKind::Organization));
        let service = object(serde_json::json!({"id": "x", "name": "n", "status": "active"}));
        assert_eq!(classify(&service, "").ok(), Some(ItemKind::Service));
        let taxonomy = object(
            serde_json::json!({"id": "x", "name": "n", "description": "d", "uri": "http://example.org", "version": "1"}),
        );
        assert!(matches!(
            classify(&taxonomy, ""),
            Err(DirectoryError::UnsupportedShape(_))
        ));
        let tabular = object(serde_json::json!({"organizations.csv": []}));
        assert!(matches!(
            classify(&tabular, ""),
            Err(DirectoryError::UnsupportedShape(_))
        ));
    }
}
