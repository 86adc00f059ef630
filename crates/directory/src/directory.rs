//! The in-memory directory: organizations with their services and locations, kept consistent
//! through atomic imports, plus the search index derived from them.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::error::{DirectoryError, DomainRule, Problem, ValidationReport, pointer_push};
use crate::hsds_export::{ExportScope, export_organizations};
use crate::hsds_import::{
    OrganizationRef, confidential_contact_problem, domain, merge_location, read_document,
};
use crate::model::{Location, Organization, Service, Site};
use crate::search::{OrganizationIndex, index_organization};
use crate::text::fold;

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Organizations that were not in the directory before.
    pub organizations_added: usize,
    /// Organizations that were, and were updated.
    pub organizations_updated: usize,
    /// Services added or replaced.
    pub services_upserted: usize,
}

/// A service directory. Imports are all-or-nothing: a document with any problem changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub(crate) organizations: Vec<Organization>,
    organization_positions: HashMap<String, usize>,
    service_owners: HashMap<String, usize>,
    /// The search index of each organization, parallel to `organizations`.
    pub(crate) index: Vec<OrganizationIndex>,
}

impl Directory {
    /// An empty directory.
    pub fn new() -> Directory {
        Directory::default()
    }

    /// A directory holding the organizations and services of one HSDS document.
    pub fn from_hsds_str(json: &str) -> Result<Directory, DirectoryError> {
        let mut directory = Directory::new();
        directory.import_hsds_str(json)?;
        Ok(directory)
    }

    /// Imports an HSDS document given as JSON text (see [`Directory::import_hsds`]).
    pub fn import_hsds_str(&mut self, json: &str) -> Result<ImportSummary, DirectoryError> {
        let document: Value = serde_json::from_str(json)?;
        self.import_hsds(&document)
    }

    /// Imports an HSDS 3.0 document: a full organization, a full service, a page
    /// (`{"contents": [...]}`) or a plain array of those.
    ///
    /// Organizations are upserted by id (their own fields replaced, locations and services added
    /// or replaced by id, nothing deleted). A service item joins its nested `organization`, or
    /// the organization its `organization_id` names in the document or the directory. Every
    /// schema and domain problem is reported in [`DirectoryError::Invalid`]; then nothing changes.
    pub fn import_hsds(&mut self, document: &Value) -> Result<ImportSummary, DirectoryError> {
        let batch = read_document(document)?;
        let batch_pointers = batch.pointers.clone();
        let mut problems = batch.problems;
        let mut summary = ImportSummary::default();
        let mut staging = Staging::default();
        // Locations written by this document: a later copy in the same document merges into the
        // first, while the first copy replaces what the directory had.
        let mut written_locations = HashSet::new();

        for item in batch.organizations {
            summary.services_upserted += item.organization.services.len();
            written_locations.extend(item.organization.locations.iter().map(|l| l.id.clone()));
            match staging.get_mut(self, &item.organization.id) {
                Some(existing) => {
                    summary.organizations_updated += 1;
                    merge_organization(existing, item.organization);
                }
                None => {
                    summary.organizations_added += 1;
                    staging.insert(item.organization);
                }
            }
        }

        for item in batch.services {
            let organization_id = match &item.organization {
                OrganizationRef::Nested(nested) => {
                    match staging.get_mut(self, &nested.id) {
                        // The nested copy is a snapshot; the directory's own fields win, but
                        // its locations may be the ones the service points at.
                        Some(existing) => {
                            for location in nested.locations.iter().cloned() {
                                place_location(
                                    &mut written_locations,
                                    &mut existing.locations,
                                    location,
                                );
                            }
                        }
                        None => {
                            summary.organizations_added += 1;
                            written_locations.extend(nested.locations.iter().map(|l| l.id.clone()));
                            staging.insert((**nested).clone());
                        }
                    }
                    nested.id.clone()
                }
                OrganizationRef::Id(id) => {
                    if staging.get_mut(self, id).is_none() {
                        problems.push(domain(
                            pointer_push(&item.pointer, "organization_id"),
                            DomainRule::MissingOrganization,
                            "no organization with this id in the document or the directory",
                        ));
                        continue;
                    }
                    id.clone()
                }
                OrganizationRef::Missing => {
                    problems.push(domain(
                        pointer_push(&item.pointer, "organization"),
                        DomainRule::MissingOrganization,
                        "a service needs its organization (nested organization or organization_id)",
                    ));
                    continue;
                }
            };
            let Some(organization) = staging.get_mut(self, &organization_id) else {
                continue;
            };
            for location in item.nested_locations {
                place_location(
                    &mut written_locations,
                    &mut organization.locations,
                    location,
                );
            }
            for (location_id, reference_pointer) in &item.location_refs {
                if organization.location(location_id).is_none() {
                    problems.push(domain(
                        reference_pointer.clone(),
                        DomainRule::UnknownLocation,
                        "no location with this id in the service's organization",
                    ));
                }
            }
            problems.extend(confidential_contact_problem(
                organization,
                &item.service,
                &item.pointer,
            ));
            upsert_service(&mut organization.services, item.service);
            summary.services_upserted += 1;
        }

        for organization in &staging.organizations {
            problems.extend(confidential_text_problems(organization, &batch_pointers));
        }

        if !problems.is_empty() {
            return Err(DirectoryError::Invalid {
                report: ValidationReport { problems },
            });
        }
        self.commit(staging.organizations);
        Ok(summary)
    }

    fn commit(&mut self, staged: Vec<Organization>) {
        let mut to_reindex = HashSet::new();
        for organization in staged {
            // A service that moved to another organization leaves its old one.
            for service in &organization.services {
                if let Some(&owner) = self.service_owners.get(&service.id)
                    && self.organizations[owner].id != organization.id
                {
                    self.organizations[owner]
                        .services
                        .retain(|s| s.id != service.id);
                    to_reindex.insert(owner);
                }
            }
            let position = match self.organization_positions.get(&organization.id) {
                Some(&position) => {
                    self.organizations[position] = organization;
                    position
                }
                None => {
                    let position = self.organizations.len();
                    self.organization_positions
                        .insert(organization.id.clone(), position);
                    self.organizations.push(organization);
                    self.index.push(OrganizationIndex::default());
                    position
                }
            };
            to_reindex.insert(position);
        }
        for position in to_reindex {
            for service in &self.organizations[position].services {
                self.service_owners.insert(service.id.clone(), position);
            }
            self.index[position] = index_organization(position, &self.organizations[position]);
        }
    }

    /// Removes an organization with all its services and locations. Returns it if it was there.
    pub fn remove_organization(&mut self, id: &str) -> Option<Organization> {
        let position = *self.organization_positions.get(id)?;
        let removed = self.organizations.remove(position);
        self.index.remove(position);
        self.rebuild_lookups();
        Some(removed)
    }

    /// Removes one service. Returns it if it was there.
    pub fn remove_service(&mut self, id: &str) -> Option<Service> {
        let owner = self.service_owners.remove(id)?;
        let services = &mut self.organizations[owner].services;
        let position = services.iter().position(|s| s.id == id)?;
        let removed = services.remove(position);
        self.index[owner] = index_organization(owner, &self.organizations[owner]);
        Some(removed)
    }

    fn rebuild_lookups(&mut self) {
        self.organization_positions.clear();
        self.service_owners.clear();
        for (position, organization) in self.organizations.iter().enumerate() {
            self.organization_positions
                .insert(organization.id.clone(), position);
            for service in &organization.services {
                self.service_owners.insert(service.id.clone(), position);
            }
            self.index[position] = index_organization(position, organization);
        }
    }

    /// All organizations, in import order.
    pub fn organizations(&self) -> &[Organization] {
        &self.organizations
    }

    /// The organization with this id.
    pub fn organization(&self, id: &str) -> Option<&Organization> {
        self.organization_positions
            .get(id)
            .map(|&p| &self.organizations[p])
    }

    /// The service with this id, with its organization.
    pub fn service(&self, id: &str) -> Option<(&Organization, &Service)> {
        let organization = &self.organizations[*self.service_owners.get(id)?];
        let service = organization.services.iter().find(|s| s.id == id)?;
        Some((organization, service))
    }

    /// Number of services.
    pub fn service_count(&self) -> usize {
        self.service_owners.len()
    }

    /// The directory as an HSDS 3.0 organization page (full organizations with nested locations
    /// and services). Choose [`ExportScope::Public`] for anything that leaves ctip's trust zone.
    pub fn export_hsds(&self, scope: ExportScope) -> Value {
        export_organizations(&self.organizations, scope)
    }
}

/// Checks an HSDS document without keeping it: the same checks as an import into an empty
/// directory. An empty report means the document would import.
pub fn validate_hsds(document: &Value) -> Result<ValidationReport, DirectoryError> {
    match Directory::new().import_hsds(document) {
        Ok(_) => Ok(ValidationReport::default()),
        Err(DirectoryError::Invalid { report }) => Ok(report),
        Err(other) => Err(other),
    }
}

/// Organizations touched by one import, copied from the directory on first touch.
#[derive(Default)]
struct Staging {
    organizations: Vec<Organization>,
    positions: HashMap<String, usize>,
}

impl Staging {
    fn get_mut(&mut self, directory: &Directory, id: &str) -> Option<&mut Organization> {
        if !self.positions.contains_key(id) {
            let existing = directory.organization(id)?.clone();
            self.insert(existing);
        }
        let position = *self.positions.get(id)?;
        self.organizations.get_mut(position)
    }

    fn insert(&mut self, organization: Organization) {
        self.positions
            .insert(organization.id.clone(), self.organizations.len());
        self.organizations.push(organization);
    }
}

fn upsert_service(services: &mut Vec<Service>, incoming: Service) {
    match services.iter_mut().find(|s| s.id == incoming.id) {
        Some(existing) => *existing = incoming,
        None => services.push(incoming),
    }
}

/// Puts a location read from the document: the first copy in the document replaces the
/// directory's, later copies merge into it (see [`merge_location`]).
fn place_location(
    written: &mut HashSet<String>,
    locations: &mut Vec<Location>,
    incoming: Location,
) {
    if written.insert(incoming.id.clone()) {
        upsert_location(locations, incoming);
    } else {
        merge_location(locations, incoming);
    }
}

fn upsert_location(locations: &mut Vec<Location>, incoming: Location) {
    match locations.iter_mut().find(|l| l.id == incoming.id) {
        Some(existing) => *existing = incoming,
        None => locations.push(incoming),
    }
}

/// Replaces an organization's own fields and upserts its locations and services.
fn merge_organization(existing: &mut Organization, incoming: Organization) {
    existing.name = incoming.name;
    existing.alternate_name = incoming.alternate_name;
    existing.description = incoming.description;
    existing.email = incoming.email;
    existing.website = incoming.website;
    existing.phones = incoming.phones;
    for location in incoming.locations {
        upsert_location(&mut existing.locations, location);
    }
    for service in incoming.services {
        upsert_service(&mut existing.services, service);
    }
}

/// A confidential address must not be given away by public free text (a shelter's description
/// saying "at 12 Calle Mayor"). Checks the first address line and the postal code of every
/// confidential location against every text field that the public view shows. `pointers` maps
/// the ids of objects read from the document to their pointers; objects already in the directory
/// are named by id instead.
fn confidential_text_problems(
    organization: &Organization,
    pointers: &HashMap<String, String>,
) -> Vec<Problem> {
    let mut secrets = Vec::new();
    for location in &organization.locations {
        if let Site::Confidential(site) = &location.site {
            for address in site.disclose_for_casework().0 {
                secrets.push(fold(address.address_1.trim()));
                let postal = fold(address.postal_code.trim());
                // Very short codes would match innocent text by chance.
                if postal.chars().filter(char::is_ascii_alphanumeric).count() >= 4 {
                    secrets.push(postal);
                }
            }
        }
    }
    secrets.retain(|s| !s.is_empty());
    if secrets.is_empty() {
        return Vec::new();
    }
    let leaks = |text: &str| {
        let folded = fold(text);
        secrets.iter().any(|s| folded.contains(s.as_str()))
    };
    let pointer_of = |id: &str, kind: &str| {
        pointers
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("({kind} {id} in the directory)"))
    };
    let mut problems = Vec::new();
    let mut flag = |base: &str, field: &str| {
        problems.push(domain(
            pointer_push(base, field),
            DomainRule::ConfidentialAddressInText,
            "public text contains the address line or postal code of a confidential location",
        ));
    };
    let organization_pointer = pointer_of(&organization.id, "organization");
    for (field, text) in [
        ("name", Some(&organization.name)),
        ("alternate_name", organization.alternate_name.as_ref()),
        ("description", Some(&organization.description)),
    ] {
        if text.is_some_and(|t| leaks(t)) {
            flag(&organization_pointer, field);
        }
    }
    for location in &organization.locations {
        let location_pointer = pointer_of(&location.id, "location");
        for phone in &location.phones {
            if phone.description.as_deref().is_some_and(leaks) {
                flag(&pointer_of(&phone.id, "phone"), "description");
            }
        }
        if let Site::Disclosed { .. } = &location.site {
            for (field, text) in [
                ("name", &location.name),
                ("description", &location.description),
            ] {
                if text.as_deref().is_some_and(leaks) {
                    flag(&location_pointer, field);
                }
            }
        }
    }
    for service in &organization.services {
        let service_pointer = pointer_of(&service.id, "service");
        for (field, text) in [
            ("name", Some(&service.name)),
            ("alternate_name", service.alternate_name.as_ref()),
            ("description", service.description.as_ref()),
            (
                "eligibility_description",
                service.eligibility.description.as_ref(),
            ),
            ("application_process", service.application_process.as_ref()),
            (
                "interpretation_services",
                service.interpretation_services.as_ref(),
            ),
            ("fees_description", service.fees_description.as_ref()),
        ] {
            if text.is_some_and(|t| leaks(t)) {
                flag(&service_pointer, field);
            }
        }
        for phone in &service.phones {
            if phone.description.as_deref().is_some_and(leaks) {
                flag(&pointer_of(&phone.id, "phone"), "description");
            }
        }
    }
    problems
}
