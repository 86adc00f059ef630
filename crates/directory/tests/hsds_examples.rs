//! The official HSDS 3.0 examples and schemas in the shared data folder.

mod common;

use std::fs;

use ctip_directory::{
    Directory, DirectoryError, DomainRule, HsdsObject, ProblemSource,
    SERVICE_WITH_DEFINITIONS_JSON, validate,
};
use serde_json::Value;

/// What each example file is expected to do. A new example file makes the test fail until it is
/// classified here.
enum Expect {
    /// Imports as is: (organizations, services).
    Imports(usize, usize),
    /// Passes the schema but breaks a domain rule at these pointers; imports once fixed.
    DomainProblems(&'static [&'static str]),
    /// Not an organization or service document.
    Unsupported,
}

fn expectation(name: &str) -> Option<Expect> {
    Some(match name {
        "organization_list.json" => Expect::Imports(1, 0),
        "service_list.json" => Expect::Imports(1, 1),
        // The official examples use latitude 100 / longitude 101 as placeholders; latitude 100
        // is impossible, and the same location appears twice (organization and service).
        "organization_full.json" => Expect::DomainProblems(&[
            "/locations/0/latitude",
            "/services/0/service_at_locations/0/location/latitude",
        ]),
        "service_full.json" => Expect::DomainProblems(&[
            "/organization/locations/0/latitude",
            "/service_at_locations/0/location/latitude",
        ]),
        "base.json"
        | "location.json"
        | "service_at_location_full.json"
        | "service_at_location_list.json"
        | "tabular.json"
        | "taxonomy.json"
        | "taxonomy_list.json"
        | "taxonomy_term.json"
        | "taxonomy_term_list.json" => Expect::Unsupported,
        _ => return None,
    })
}

/// Puts every `latitude` / `longitude` in range, as a data steward fixing the file would.
fn fix_coordinates(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, member) in object.iter_mut() {
                match key.as_str() {
                    "latitude" => *member = Value::from(51.5),
                    "longitude" => *member = Value::from(-0.12),
                    _ => fix_coordinates(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_coordinates),
        _ => {}
    }
}

#[test]
fn every_example_imports_or_is_refused_for_a_documented_reason() {
    let Some(hsds) = common::shared_hsds() else {
        return;
    };
    let mut seen = 0;
    let mut entries: Vec<_> = fs::read_dir(hsds.join("examples"))
        .expect("examples folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = fs::read_to_string(&path).expect("readable example");
        let expect = expectation(&name)
            .unwrap_or_else(|| panic!("new HSDS example {name}: classify it in this test"));
        seen += 1;
        match expect {
            Expect::Imports(organizations, services) => {
                let directory = Directory::from_hsds_str(&text)
                    .unwrap_or_else(|e| panic!("{name} should import: {e}"));
                assert_eq!(directory.organizations().len(), organizations, "{name}");
                assert_eq!(directory.service_count(), services, "{name}");
            }
            Expect::DomainProblems(pointers) => {
                let error = Directory::from_hsds_str(&text).expect_err(&name);
                let DirectoryError::Invalid { report } = error else {
                    panic!("{name}: expected a validation report, got {error}");
                };
                assert!(!report.has_schema_problems(), "{name}: {report}");
                let mut found: Vec<&str> =
                    report.problems.iter().map(|p| p.pointer.as_str()).collect();
                found.sort();
                assert_eq!(found, pointers, "{name}: {report}");
                assert!(
                    report
                        .problems
                        .iter()
                        .all(|p| p.source == ProblemSource::Domain(DomainRule::LatitudeRange))
                );

                let mut fixed: Value = serde_json::from_str(&text).expect("json");
                fix_coordinates(&mut fixed);
                let mut directory = Directory::new();
                directory
                    .import_hsds(&fixed)
                    .unwrap_or_else(|e| panic!("{name} fixed should import: {e}"));
                assert_eq!(directory.organizations().len(), 1, "{name}");
                assert_eq!(directory.service_count(), 1, "{name}");
                let organization = &directory.organizations()[0];
                assert_eq!(
                    organization.locations.len(),
                    1,
                    "{name}: one location, deduplicated"
                );
                assert_eq!(
                    organization.services[0].location_ids,
                    [organization.locations[0].id.clone()]
                );
                assert_eq!(organization.services[0].languages[0].code, "ur");
                assert_eq!(organization.services[0].eligibility.minimum_age, Some(12.0));
            }
            Expect::Unsupported => {
                let error = Directory::from_hsds_str(&text).expect_err(&name);
                assert!(
                    matches!(error, DirectoryError::UnsupportedShape(_)),
                    "{name}: {error}"
                );
            }
        }
    }
    assert!(seen >= 13, "only {seen} examples found");
}

#[test]
fn vendored_schema_matches_shared_copy() {
    let Some(hsds) = common::shared_hsds() else {
        return;
    };
    let shared = fs::read(hsds.join("schema/compiled/service_with_definitions.json"))
        .expect("shared compiled schema");
    assert!(
        shared == SERVICE_WITH_DEFINITIONS_JSON.as_bytes(),
        "crates/directory/schema/service_with_definitions.json differs from the shared copy"
    );
    let vendored_licence = include_str!("../schema/LICENSE");
    let shared_licence = fs::read_to_string(hsds.join("LICENSE")).expect("shared licence");
    assert_eq!(vendored_licence, shared_licence);
}

/// The list schemas are not embedded because list items are validated with the full schemas;
/// this holds only while every one-to-one member is declared identically in both.
#[test]
fn list_schemas_are_subsets_of_the_full_schema() {
    let Some(hsds) = common::shared_hsds() else {
        return;
    };
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &fs::read_to_string(hsds.join("schema/compiled").join(name)).expect("schema"),
        )
        .expect("json")
    };
    let full: Value = serde_json::from_str(SERVICE_WITH_DEFINITIONS_JSON).expect("json");
    let full_organization = &full["definitions"]["organization"];
    for (list, full_object) in [
        (read("organization_list.json"), full_organization),
        (read("service_list.json"), &full),
    ] {
        assert_eq!(list["required"], full_object["required"]);
        let properties = list["properties"].as_object().expect("properties");
        for (name, declared) in properties {
            let full_declared = &full_object["properties"][name];
            if let Some(nested) = declared.get("properties") {
                // service_list inlines the flat organization / program where the full schema refers
                // to the full definition: the inlined members must match that definition's.
                let reference = full_declared["$ref"].as_str().expect("a $ref");
                let definition =
                    &full["definitions"][reference.trim_start_matches("#/definitions/")];
                for (member, rule) in nested.as_object().expect("object") {
                    assert_eq!(rule, &definition["properties"][member], "{name}.{member}");
                }
            } else {
                assert_eq!(declared, full_declared, "{name}");
            }
        }
    }
}

#[test]
fn schemas_check_formats() {
    // Formats are asserted (they are annotations only by default in draft 2020-12).
    let mut organization = common::organization(false);
    organization["id"] = Value::from("not-a-uuid");
    organization["email"] = Value::from("no at sign");
    let problems = validate(HsdsObject::Organization, &organization, "").expect("schemas compile");
    let mut pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/email", "/id"], "{problems:?}");
    assert!(problems.iter().all(|p| p.source
        == ProblemSource::Schema {
            keyword: "format".to_owned()
        }));
}
