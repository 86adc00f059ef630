//! Broken documents: every problem is reported with its JSON pointer, and nothing is imported.

mod common;

use common::{LOCATION_ID, ORG_ID, SECRET_ADDRESS, organization, service, term};
use ctip_directory::{
    Directory, DirectoryError, DomainRule, ProblemSource, ValidationReport, validate_hsds,
};
use serde_json::{Value, json};

fn report(document: &Value) -> ValidationReport {
    match Directory::new().import_hsds(document) {
        Err(DirectoryError::Invalid { report }) => report,
        Ok(_) => panic!("document was accepted"),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

fn schema_keyword_at(report: &ValidationReport, pointer: &str) -> Vec<String> {
    report
        .at(pointer)
        .filter_map(|p| match &p.source {
            ProblemSource::Schema { keyword } => Some(keyword.clone()),
            ProblemSource::Domain(_) => None,
        })
        .collect()
}

fn rules_at(report: &ValidationReport, pointer: &str) -> Vec<DomainRule> {
    report
        .at(pointer)
        .filter_map(|p| match p.source {
            ProblemSource::Domain(rule) => Some(rule),
            ProblemSource::Schema { .. } => None,
        })
        .collect()
}

#[test]
fn the_valid_fixture_imports() {
    assert!(
        validate_hsds(&organization(true))
            .expect("schemas")
            .is_empty()
    );
}

#[test]
fn wrong_type_missing_field_and_bad_latitude_are_all_reported() {
    let mut document = organization(false);
    document["services"][0]["name"] = json!(42);
    document["services"][0]
        .as_object_mut()
        .expect("object")
        .remove("status");
    document["locations"][0]["latitude"] = json!(123.4);
    let report = report(&document);

    assert_eq!(
        schema_keyword_at(&report, "/services/0/name"),
        ["type"],
        "{report}"
    );
    assert_eq!(
        schema_keyword_at(&report, "/services/0/status"),
        ["required"],
        "{report}"
    );
    assert_eq!(
        rules_at(&report, "/locations/0/latitude"),
        [DomainRule::LatitudeRange],
        "{report}"
    );
    let rendered = report.to_string();
    assert!(rendered.contains("/services/0/name"), "{rendered}");
    assert!(
        rendered.contains("required property is missing"),
        "{rendered}"
    );
    // Instance values are masked in messages.
    assert!(!rendered.contains("42 is not"), "{rendered}");
}

#[test]
fn errors_in_a_page_carry_the_contents_prefix() {
    let mut broken = organization(false);
    broken["description"] = json!(["not", "a", "string"]);
    let page = json!({ "total_items": "two", "contents": [organization(false), broken] });
    // The second item repeats ids of the first; that is reported too.
    let report = report(&page);
    assert_eq!(
        schema_keyword_at(&report, "/total_items"),
        ["type"],
        "{report}"
    );
    assert_eq!(
        schema_keyword_at(&report, "/contents/1/description"),
        ["type"],
        "{report}"
    );
    assert_eq!(
        rules_at(&report, "/contents/1/id"),
        [DomainRule::DuplicateId],
        "{report}"
    );
    assert_eq!(
        rules_at(&report, "/contents/1/services/0/id"),
        [DomainRule::DuplicateId],
        "{report}"
    );
}

#[test]
fn plain_arrays_are_pointed_into_by_index() {
    let mut second = service();
    second["id"] = json!("9e4b0a9f-3c8b-43a4-8d9b-0c1a2f3e4df9");
    second["organization_id"] = json!(ORG_ID);
    second["minimum_age"] = json!("ten");
    let mut organization_without_services = organization(false);
    organization_without_services
        .as_object_mut()
        .expect("object")
        .remove("services");
    let report = report(&json!([organization_without_services, second]));
    assert_eq!(
        schema_keyword_at(&report, "/1/minimum_age"),
        ["type"],
        "{report}"
    );
}

#[test]
fn domain_rules_the_schema_cannot_express() {
    let mut document = organization(false);
    let service = &mut document["services"][0];
    service["attributes"] = json!([
        term("ctip:service-type:spa"),
        term("ctip:eligible-gender:robot")
    ]);
    service["minimum_age"] = json!(30);
    service["maximum_age"] = json!(20);
    service["languages"] =
        json!([{ "id": "7c2f8e7d-1a6f-41e2-8b7f-8a9e0d1c2bd7", "code": "Spanish" }]);
    document["locations"][0]["longitude"] = json!(-200.0);
    let report = report(&document);
    assert!(!report.has_schema_problems(), "{report}");
    let expected = [
        (
            "/services/0/attributes/0/taxonomy_term/code",
            DomainRule::ServiceType,
        ),
        (
            "/services/0/attributes/1/taxonomy_term/code",
            DomainRule::Gender,
        ),
        ("/services/0/maximum_age", DomainRule::AgeRange),
        ("/services/0/languages/0/code", DomainRule::LanguageCode),
        ("/locations/0/longitude", DomainRule::LongitudeRange),
    ];
    for (pointer, rule) in expected {
        assert_eq!(rules_at(&report, pointer), [rule], "{pointer}: {report}");
    }
    assert_eq!(report.problems.len(), expected.len(), "{report}");
}

#[test]
fn half_a_coordinate_pair_is_refused() {
    let mut document = organization(false);
    document["locations"][0]
        .as_object_mut()
        .expect("object")
        .remove("longitude");
    let report = report(&document);
    assert_eq!(
        rules_at(&report, "/locations/0/longitude"),
        [DomainRule::CoordinatePair],
        "{report}"
    );
}

#[test]
fn references_must_resolve() {
    // A service with only an organization_id that nobody knows.
    let mut orphan = service();
    orphan["organization_id"] = json!("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    orphan["service_at_locations"] = json!([]);
    let report_orphan = report(&orphan);
    assert_eq!(
        rules_at(&report_orphan, "/organization_id"),
        [DomainRule::MissingOrganization],
        "{report_orphan}"
    );

    // A service naming a location its organization does not have.
    let mut document = organization(false);
    document["services"][0]["service_at_locations"][0]["location_id"] =
        json!("bbbbbbbb-cccc-4ddd-8eee-ffffffffffff");
    let report = report(&document);
    assert_eq!(
        rules_at(&report, "/services/0/service_at_locations/0/location_id"),
        [DomainRule::UnknownLocation],
        "{report}"
    );
}

#[test]
fn a_service_may_join_an_organization_already_in_the_directory() {
    let mut directory = Directory::new();
    let mut organization_only = organization(false);
    organization_only
        .as_object_mut()
        .expect("object")
        .remove("services");
    directory
        .import_hsds(&organization_only)
        .expect("organization");
    let mut joining = service();
    joining["organization_id"] = json!(ORG_ID);
    directory.import_hsds(&joining).expect("service joins");
    let (owner, joined) = directory.service(common::SERVICE_ID).expect("service");
    assert_eq!(owner.id, ORG_ID);
    assert_eq!(joined.location_ids, [LOCATION_ID]);
}

#[test]
fn confidential_locations_need_a_contact_and_must_not_leak_in_text() {
    let mut unreachable = organization(true);
    unreachable["services"][0]
        .as_object_mut()
        .expect("object")
        .remove("email");
    unreachable["locations"][0]
        .as_object_mut()
        .expect("object")
        .remove("phones");
    let report_unreachable = report(&unreachable);
    assert_eq!(
        rules_at(&report_unreachable, "/services/0"),
        [DomainRule::ConfidentialWithoutContact],
        "{report_unreachable}"
    );

    let mut leaky = organization(true);
    leaky["services"][0]["description"] = json!(format!("Come to {SECRET_ADDRESS}, ring twice."));
    let report_leaky = report(&leaky);
    assert_eq!(
        rules_at(&report_leaky, "/services/0/description"),
        [DomainRule::ConfidentialAddressInText],
        "{report_leaky}"
    );
    // The same text is fine when the location is not confidential.
    leaky["locations"][0]
        .as_object_mut()
        .expect("object")
        .remove("attributes");
    assert!(validate_hsds(&leaky).expect("schemas").is_empty());
}

#[test]
fn failed_imports_change_nothing() {
    let mut directory = Directory::new();
    let mut broken = organization(false);
    broken["locations"][0]["latitude"] = json!(-95);
    assert!(directory.import_hsds(&broken).is_err());
    assert_eq!(directory.organizations().len(), 0);
    assert_eq!(directory.service_count(), 0);
}

#[test]
fn shapes_that_are_not_hsds_organizations_or_services() {
    assert!(matches!(
        Directory::from_hsds_str("{ not json"),
        Err(DirectoryError::Json(_))
    ));
    assert!(matches!(
        Directory::from_hsds_str("42"),
        Err(DirectoryError::UnsupportedShape(_))
    ));
    let taxonomy_term =
        json!({ "id": "x", "code": "c", "name": "n", "description": "d", "parent_id": "p" });
    assert!(matches!(
        Directory::new().import_hsds(&taxonomy_term),
        Err(DirectoryError::UnsupportedShape(_))
    ));
}

#[test]
fn a_later_document_updates_a_location_and_can_mark_it_confidential() {
    let mut directory = Directory::new();
    directory
        .import_hsds(&organization(false))
        .expect("first version");
    assert!(!directory.organizations()[0].locations[0].is_confidential());
    // A service document carrying the same location, now marked confidential and moved.
    let mut update = service();
    let mut nested_organization = organization(true);
    let nested = nested_organization.as_object_mut().expect("object");
    nested.remove("services");
    // Only the service-at-location copy carries the location in this document.
    nested.remove("locations");
    let mut moved = common::location(true, 51.6, -0.2);
    moved["name"] = json!("Moved site");
    update["organization"] = nested_organization;
    update["service_at_locations"] =
        json!([{ "id": "8d3a9f8e-2b7a-42f3-9c8a-9b0f1e2d3ce8", "location": moved }]);
    directory.import_hsds(&update).expect("update");
    let location = &directory.organizations()[0].locations[0];
    assert!(location.is_confidential());
    assert_eq!(location.name.as_deref(), Some("Moved site"));
    assert_eq!(directory.organizations()[0].locations.len(), 1);
    assert_eq!(directory.service_count(), 1);
}
