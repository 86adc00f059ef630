//! Writing the directory back to HSDS 3.0 JSON: a paginated organization list (one page) whose
//! items are full organizations with nested locations and services.

use serde_json::{Map, Value, json};

use crate::hsds_import::{
    CONFIDENTIAL_LOCATION_CODE, CTIP_TAXONOMY, GENDER_CODE_PREFIX, SERVICE_TYPE_CODE_PREFIX,
};
use crate::ids::derived_uuid;
use crate::model::{Address, Language, Location, Organization, Phone, Service, Site};

/// Who the export is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportScope {
    /// Everything, including the addresses and coordinates of confidential locations (marked
    /// with the `ctip:confidential-location` attribute). For ctip's own storage and for trusted
    /// partners; it round-trips exactly through import.
    Internal,
    /// Safe to publish: confidential locations keep their id, type, phones and marking, but lose
    /// name, description, addresses and coordinates.
    Public,
}

/// Builds the HSDS page for these organizations.
pub(crate) fn export_organizations(organizations: &[Organization], scope: ExportScope) -> Value {
    let contents: Vec<Value> = organizations
        .iter()
        .map(|o| organization(o, scope))
        .collect();
    let count = contents.len();
    json!({
        "total_items": count,
        "total_pages": 1,
        "page_number": 1,
        "size": count,
        "first_page": true,
        "last_page": true,
        "empty": count == 0,
        "contents": contents,
    })
}

/// Inserts `key` only when there is a value: HSDS optional members are omitted, not null.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value.into());
    }
}

fn phones(phones: &[Phone]) -> Value {
    Value::Array(
        phones
            .iter()
            .map(|phone| {
                let mut object = Map::new();
                object.insert("id".into(), phone.id.clone().into());
                object.insert("number".into(), phone.number.clone().into());
                put(&mut object, "extension", phone.extension);
                put(&mut object, "type", phone.kind.clone());
                put(&mut object, "description", phone.description.clone());
                Value::Object(object)
            })
            .collect(),
    )
}

fn address(address: &Address) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), address.id.clone().into());
    put(&mut object, "attention", address.attention.clone());
    object.insert("address_1".into(), address.address_1.clone().into());
    put(&mut object, "address_2", address.address_2.clone());
    object.insert("city".into(), address.city.clone().into());
    put(&mut object, "region", address.region.clone());
    object.insert(
        "state_province".into(),
        address.state_province.clone().into(),
    );
    object.insert("postal_code".into(), address.postal_code.clone().into());
    object.insert("country".into(), address.country.clone().into());
    object.insert("address_type".into(), address.address_type.clone().into());
    Value::Object(object)
}

/// An HSDS attribute linking an entity to one of ctip's taxonomy terms.
fn ctip_attribute(
    link_id: &str,
    link_entity: &str,
    link_type: &str,
    code: &str,
    name: &str,
) -> Value {
    let term_id = derived_uuid("ctip-taxonomy-term", &[code]);
    json!({
        "id": derived_uuid("ctip-attribute", &[link_entity, link_id, code]),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": link_entity,
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": name,
            "description": format!("ctip taxonomy term {code}"),
            "taxonomy": CTIP_TAXONOMY,
        }
    })
}

fn location(location: &Location, scope: ExportScope) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), location.id.clone().into());
    object.insert("location_type".into(), location.kind.hsds().into());
    let (addresses, point, show_text) = match (&location.site, scope) {
        (Site::Disclosed { addresses, point }, _) => (addresses.as_slice(), *point, true),
        (Site::Confidential(site), ExportScope::Internal) => {
            let (addresses, point) = site.disclose_for_casework();
            (addresses, point, true)
        }
        (Site::Confidential(_), ExportScope::Public) => (&[][..], None, false),
    };
    if show_text {
        put(&mut object, "name", location.name.clone());
        put(&mut object, "description", location.description.clone());
    }
    if let Some(point) = point {
        object.insert("latitude".into(), point.lat().into());
        object.insert("longitude".into(), point.lon().into());
    }
    if !addresses.is_empty() {
        object.insert(
            "addresses".into(),
            Value::Array(addresses.iter().map(address).collect()),
        );
    }
    if !location.phones.is_empty() {
        object.insert("phones".into(), phones(&location.phones));
    }
    if location.is_confidential() {
        object.insert(
            "attributes".into(),
            json!([ctip_attribute(
                &location.id,
                "location",
                "ctip_confidentiality",
                CONFIDENTIAL_LOCATION_CODE,
                "Confidential location"
            )]),
        );
    }
    Value::Object(object)
}

fn languages(service_id: &str, languages: &[Language]) -> Value {
    Value::Array(
        languages
            .iter()
            .map(|language| {
                let mut object = Map::new();
                object.insert(
                    "id".into(),
                    derived_uuid("ctip-language", &[service_id, &language.code]).into(),
                );
                object.insert("service_id".into(), service_id.into());
                put(&mut object, "name", language.name.clone());
                object.insert("code".into(), language.code.clone().into());
                Value::Object(object)
            })
            .collect(),
    )
}

fn service(organization: &Organization, service: &Service, scope: ExportScope) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), service.id.clone().into());
    object.insert("organization_id".into(), organization.id.clone().into());
    object.insert("name".into(), service.name.clone().into());
    put(
        &mut object,
        "alternate_name",
        service.alternate_name.clone(),
    );
    put(&mut object, "description", service.description.clone());
    put(&mut object, "url", service.url.clone());
    put(&mut object, "email", service.email.clone());
    object.insert("status".into(), service.status.hsds().into());
    put(
        &mut object,
        "interpretation_services",
        service.interpretation_services.clone(),
    );
    put(
        &mut object,
        "application_process",
        service.application_process.clone(),
    );
    put(
        &mut object,
        "fees_description",
        service.fees_description.clone(),
    );
    put(
        &mut object,
        "eligibility_description",
        service.eligibility.description.clone(),
    );
    put(&mut object, "minimum_age", service.eligibility.minimum_age);
    put(&mut object, "maximum_age", service.eligibility.maximum_age);
    if !service.phones.is_empty() {
        object.insert("phones".into(), phones(&service.phones));
    }
    if !service.languages.is_empty() {
        object.insert(
            "languages".into(),
            languages(&service.id, &service.languages),
        );
    }
    let links: Vec<Value> = organization
        .locations_of(service)
        .map(|l| {
            json!({
                "id": derived_uuid("ctip-service-at-location", &[&service.id, &l.id]),
                "service_id": service.id,
                "location_id": l.id,
                "location": location(l, scope),
            })
        })
        .collect();
    if !links.is_empty() {
        object.insert("service_at_locations".into(), Value::Array(links));
    }
    let mut attributes = vec![ctip_attribute(
        &service.id,
        "service",
        "ctip_service_type",
        &format!("{SERVICE_TYPE_CODE_PREFIX}{}", service.service_type.code()),
        service.service_type.label(),
    )];
    for gender in &service.eligibility.genders {
        attributes.push(ctip_attribute(
            &service.id,
            "service",
            "eligibility",
            &format!("{GENDER_CODE_PREFIX}{}", gender.code()),
            &format!("Eligible gender: {}", gender.code()),
        ));
    }
    object.insert("attributes".into(), Value::Array(attributes));
    Value::Object(object)
}

fn organization(organization: &Organization, scope: ExportScope) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), organization.id.clone().into());
    object.insert("name".into(), organization.name.clone().into());
    put(
        &mut object,
        "alternate_name",
        organization.alternate_name.clone(),
    );
    object.insert(
        "description".into(),
        organization.description.clone().into(),
    );
    put(&mut object, "email", organization.email.clone());
    put(&mut object, "website", organization.website.clone());
    if !organization.phones.is_empty() {
        object.insert("phones".into(), phones(&organization.phones));
    }
    if !organization.locations.is_empty() {
        object.insert(
            "locations".into(),
            Value::Array(
                organization
                    .locations
                    .iter()
                    .map(|l| location(l, scope))
                    .collect(),
            ),
        );
    }
    if !organization.services.is_empty() {
        object.insert(
            "services".into(),
            Value::Array(
                organization
                    .services
                    .iter()
                    .map(|s| service(organization, s, scope))
                    .collect(),
            ),
        );
    }
    Value::Object(object)
}
