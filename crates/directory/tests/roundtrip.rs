//! Export → validate → import gives the same directory; the public export keeps secrets secret.

mod common;

use ctip_directory::{
    DEMO_DIRECTORY_JSON, Directory, ExportScope, HsdsObject, Site, validate, validate_hsds,
};
use serde_json::Value;

fn demo() -> Directory {
    Directory::from_hsds_str(DEMO_DIRECTORY_JSON).expect("demo directory imports")
}

/// Every confidential address line, postal code and location name in a directory, as JSON
/// string literals (quoted, so that a short postal code cannot match inside an identifier).
fn secrets(directory: &Directory) -> Vec<String> {
    let quoted = |text: &str| serde_json::to_string(text).expect("string serialises");
    let mut secrets = Vec::new();
    for location in directory.organizations().iter().flat_map(|o| &o.locations) {
        if let Site::Confidential(site) = &location.site {
            for address in site.disclose_for_casework().0 {
                secrets.push(quoted(&address.address_1));
                secrets.push(quoted(&address.postal_code));
            }
            if let Some(name) = &location.name {
                secrets.push(quoted(name));
            }
        }
    }
    secrets
}

/// Every location object in an export that carries the confidential marking.
fn confidential_location_objects(export: &Value) -> Vec<&Value> {
    fn walk<'a>(value: &'a Value, found: &mut Vec<&'a Value>) {
        match value {
            Value::Object(object) => {
                let marked = object
                    .get("attributes")
                    .and_then(Value::as_array)
                    .is_some_and(|a| {
                        a.iter().any(|attribute| {
                            attribute["taxonomy_term"]["code"] == "ctip:confidential-location"
                        })
                    });
                if marked && object.contains_key("location_type") {
                    found.push(value);
                }
                object.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(export, &mut found);
    found
}

fn schema_check_items(export: &Value) {
    assert!(
        validate(HsdsObject::Page, export, "")
            .expect("schemas")
            .is_empty()
    );
    for (i, item) in export["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .enumerate()
    {
        let problems =
            validate(HsdsObject::Organization, item, &format!("/contents/{i}")).expect("schemas");
        assert!(problems.is_empty(), "{problems:?}");
        for (j, service) in item["services"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let problems = validate(
                HsdsObject::Service,
                service,
                &format!("/contents/{i}/services/{j}"),
            )
            .expect("schemas");
            assert!(problems.is_empty(), "{problems:?}");
        }
    }
}

#[test]
fn internal_export_validates_and_round_trips() {
    let original = demo();
    assert_eq!(original.service_count(), 31);
    let export = original.export_hsds(ExportScope::Internal);
    schema_check_items(&export);
    assert!(validate_hsds(&export).expect("schemas").is_empty());

    let text = serde_json::to_string(&export).expect("serialises");
    let reimported = Directory::from_hsds_str(&text).expect("export imports");
    assert_eq!(reimported.organizations(), original.organizations());
    // And the export of the re-import is the same document (derived ids are deterministic).
    assert_eq!(reimported.export_hsds(ExportScope::Internal), export);
}

#[test]
fn an_official_example_round_trips_through_the_model() {
    let Some(hsds) = common::shared_hsds() else {
        return;
    };
    let text = std::fs::read_to_string(hsds.join("examples/service_list.json")).expect("example");
    let original = Directory::from_hsds_str(&text).expect("imports");
    let export = original.export_hsds(ExportScope::Internal);
    schema_check_items(&export);
    let reimported = Directory::from_hsds_str(&export.to_string()).expect("re-imports");
    assert_eq!(reimported.organizations(), original.organizations());
}

#[test]
fn confidentiality_survives_the_round_trip() {
    let original = demo();
    let confidential_before: Vec<String> = original
        .organizations()
        .iter()
        .flat_map(|o| &o.locations)
        .filter(|l| l.is_confidential())
        .map(|l| l.id.clone())
        .collect();
    assert!(
        confidential_before.len() >= 4,
        "demo has confidential shelters"
    );
    let reimported =
        Directory::from_hsds_str(&original.export_hsds(ExportScope::Internal).to_string())
            .expect("re-imports");
    let confidential_after: Vec<String> = reimported
        .organizations()
        .iter()
        .flat_map(|o| &o.locations)
        .filter(|l| l.is_confidential())
        .map(|l| l.id.clone())
        .collect();
    assert_eq!(confidential_before, confidential_after);
}

#[test]
fn public_export_validates_and_leaks_nothing() {
    let original = demo();
    let secrets = secrets(&original);
    assert!(secrets.len() >= 16, "{secrets:?}");
    let internal = original.export_hsds(ExportScope::Internal).to_string();
    assert!(
        secrets.iter().all(|s| internal.contains(s.as_str())),
        "the check can see secrets"
    );

    let public = original.export_hsds(ExportScope::Public);
    schema_check_items(&public);
    let text = public.to_string();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "public export contains {secret}"
        );
    }
    let marked = confidential_location_objects(&public);
    // Each confidential location appears under the organization and under its service.
    assert!(marked.len() >= 8, "{}", marked.len());
    for location in marked {
        for hidden in ["latitude", "longitude", "addresses", "name", "description"] {
            assert!(location.get(hidden).is_none(), "{hidden} in {location}");
        }
    }
    let internal_marked =
        confidential_location_objects(&original.export_hsds(ExportScope::Internal)).len();
    assert_eq!(
        internal_marked,
        confidential_location_objects(&public).len()
    );
    // It still imports, with the confidential locations marked and empty.
    let reimported = Directory::from_hsds_str(&text).expect("public export imports");
    let mut confidential = 0;
    for location in reimported.organizations().iter().flat_map(|o| &o.locations) {
        if let Site::Confidential(site) = &location.site {
            confidential += 1;
            let (addresses, point) = site.disclose_for_casework();
            assert!(addresses.is_empty() && point.is_none());
        }
    }
    assert!(confidential >= 4);
}

#[test]
fn the_demo_directory_is_fictional_and_varied() {
    let directory = demo();
    let organizations = directory.organizations();
    assert!(organizations.iter().all(|o| o.name.contains("(demo)")));
    let services: Vec<_> = organizations.iter().flat_map(|o| &o.services).collect();
    assert!(services.iter().all(|s| s.name.contains("(demo)")));
    for kind in ctip_directory::ServiceType::ALL {
        assert!(
            services.iter().any(|s| s.service_type == kind),
            "{kind} missing"
        );
    }
    for code in ["es", "fr", "pt", "ar"] {
        assert!(
            services
                .iter()
                .any(|s| s.languages.iter().any(|l| l.code == code)),
            "{code}"
        );
    }
    let mut countries: Vec<&str> = organizations
        .iter()
        .flat_map(|o| &o.locations)
        .filter_map(|l| match &l.site {
            Site::Disclosed { addresses, .. } => addresses.first().map(|a| a.country.as_str()),
            Site::Confidential(_) => None,
        })
        .collect();
    countries.sort();
    countries.dedup();
    assert!(countries.len() >= 6, "{countries:?}");
    // Phones: UK drama range 020 7946 0xxx, US 555-01xx, elsewhere all-zero subscriber numbers.
    let phones = organizations.iter().flat_map(|o| {
        o.phones
            .iter()
            .chain(o.services.iter().flat_map(|s| &s.phones))
            .chain(o.locations.iter().flat_map(|l| &l.phones))
    });
    for phone in phones {
        let n = &phone.number;
        assert!(
            n.starts_with("+44 20 7946 0")
                || n.starts_with("+1 713 555 01")
                || n.contains(" 000 000 ")
                || n.contains(" 0000 0")
                || n.starts_with("+33 0 00 00 0"),
            "not obviously fictional: {n}"
        );
    }
}
