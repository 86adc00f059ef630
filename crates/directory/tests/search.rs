//! Search filters on the demo directory, checked against facts read straight from its JSON, and
//! the confidentiality of search results.

mod common;

use std::collections::BTreeSet;

use ctip_directory::{
    DEMO_DIRECTORY_JSON, Directory, Distance, Gender, Point, PublicLocation, Query, ServiceType,
    Site,
};
use serde_json::{Value, json};

fn demo() -> Directory {
    Directory::from_hsds_str(DEMO_DIRECTORY_JSON).expect("demo directory imports")
}

fn raw_services() -> Vec<Value> {
    let document: Value = serde_json::from_str(DEMO_DIRECTORY_JSON).expect("json");
    document["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .flat_map(|o| o["services"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn raw_codes(service: &Value) -> Vec<String> {
    service["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["taxonomy_term"]["code"].as_str().map(str::to_owned))
        .collect()
}

fn ids(hits: &[ctip_directory::Hit]) -> BTreeSet<String> {
    hits.iter().map(|h| h.service.service_id.clone()).collect()
}

fn raw_ids(filter: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    raw_services()
        .iter()
        .filter(|s| filter(s))
        .map(|s| s["id"].as_str().expect("id").to_owned())
        .collect()
}

fn point(lat: f64, lon: f64) -> Point {
    Point::new(lat, lon).expect("valid point")
}

#[test]
fn no_filter_returns_every_active_service() {
    let directory = demo();
    let hits = directory.search(&Query::new());
    assert_eq!(ids(&hits), raw_ids(|s| s["status"] == "active"));
    assert_eq!(hits.len(), 31);
}

#[test]
fn language_filter() {
    let directory = demo();
    for code in ["ar", "es", "fr", "pt", "tl"] {
        let hits = directory.search(&Query::new().language(code));
        let expected = raw_ids(|s| {
            s["languages"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|l| l["code"] == code)
        });
        assert!(!expected.is_empty(), "{code}");
        assert_eq!(ids(&hits), expected, "{code}");
    }
    // Region subtags and case are ignored.
    assert_eq!(
        ids(&directory.search(&Query::new().language("PT-br"))),
        ids(&directory.search(&Query::new().language("pt")))
    );
    // Several languages: any of them.
    let either = ids(&directory.search(&Query::new().language("fr").language("pt")));
    let union: BTreeSet<String> = ids(&directory.search(&Query::new().language("fr")))
        .union(&ids(&directory.search(&Query::new().language("pt"))))
        .cloned()
        .collect();
    assert_eq!(either, union);
    assert!(directory.search(&Query::new().language("xx")).is_empty());
}

#[test]
fn service_type_filter() {
    let directory = demo();
    let hits = directory.search(
        &Query::new()
            .service_type(ServiceType::Shelter)
            .service_type(ServiceType::Hotline),
    );
    let expected = raw_ids(|s| {
        raw_codes(s)
            .iter()
            .any(|c| c == "ctip:service-type:shelter" || c == "ctip:service-type:hotline")
    });
    assert_eq!(ids(&hits), expected);
    assert!(hits.iter().all(|h| matches!(
        h.service.service_type,
        ServiceType::Shelter | ServiceType::Hotline
    )));
    for kind in ServiceType::ALL {
        assert!(
            !directory
                .search(&Query::new().service_type(kind))
                .is_empty(),
            "{kind}"
        );
    }
}

fn raw_admits(service: &Value, age: u32, gender: &str) -> bool {
    let age = f64::from(age);
    let min_ok = service["minimum_age"].as_f64().is_none_or(|m| age >= m);
    let max_ok = service["maximum_age"].as_f64().is_none_or(|m| age <= m);
    let genders: Vec<String> = raw_codes(service)
        .into_iter()
        .filter_map(|c| c.strip_prefix("ctip:eligible-gender:").map(str::to_owned))
        .collect();
    min_ok && max_ok && (genders.is_empty() || genders.iter().any(|g| g == gender))
}

#[test]
fn eligibility_filter() {
    let directory = demo();
    for (age, gender, code) in [
        (15, Gender::Female, "female"),
        (30, Gender::Male, "male"),
        (8, Gender::NonBinary, "non-binary"),
        (70, Gender::Female, "female"),
    ] {
        let hits = directory.search(&Query::new().eligible_for(Some(age), Some(gender)));
        let expected = raw_ids(|s| raw_admits(s, age, code));
        assert_eq!(ids(&hits), expected, "{age} {code}");
        assert!(
            expected.len() < 31,
            "the filter must exclude something for {age} {code}"
        );
    }
    // Unknown facts do not filter.
    assert_eq!(
        directory
            .search(&Query::new().eligible_for(None, None))
            .len(),
        31
    );
    // A man is not sent to a women-only shelter; a woman is not sent to a men-only one.
    let man = directory.search(
        &Query::new()
            .service_type(ServiceType::Shelter)
            .eligible_for(Some(30), Some(Gender::Male)),
    );
    assert!(
        man.iter()
            .all(|h| !h.service.eligibility.genders.contains(&Gender::Female)
                || h.service.eligibility.genders.contains(&Gender::Male))
    );
    assert!(
        man.iter()
            .any(|h| h.service.eligibility.genders == [Gender::Male])
    );
}

#[test]
fn free_text_filter_ignores_case_and_accents() {
    let directory = demo();
    let accented = ids(&directory.search(&Query::new().text("Jurídica")));
    let plain = ids(&directory.search(&Query::new().text("JURIDICA")));
    assert_eq!(accented, plain);
    let expected = raw_ids(|s| {
        ["name", "description"].iter().any(|field| {
            s[*field]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("jurídica")
        })
    });
    assert!(!expected.is_empty());
    assert_eq!(plain, expected);
    // Every word must match.
    assert!(
        directory
            .search(&Query::new().text("refugio zebra"))
            .is_empty()
    );
    // Name matches rank before description-only matches.
    let hits = directory.search(&Query::new().text("shelter"));
    let first_description_only = hits
        .iter()
        .position(|h| !h.service.name.to_lowercase().contains("shelter"));
    if let Some(cut) = first_description_only {
        assert!(
            hits[cut..]
                .iter()
                .all(|h| !h.service.name.to_lowercase().contains("shelter"))
        );
    }
}

#[test]
fn distance_filter_sorts_and_limits_by_radius() {
    let directory = demo();
    let london = directory.resolve_place("London").expect("London resolves");
    let hits = directory.search(&Query::new().near(london, Some(25.0)));
    let london_located = raw_ids(|s| {
        s["url"].as_str().unwrap_or_default().contains("/london/")
            && s.get("service_at_locations").is_some()
    });
    assert_eq!(ids(&hits), london_located);
    let exact: Vec<f64> = hits
        .iter()
        .filter_map(|h| match h.distance {
            Some(Distance::Exact { km }) => Some(km),
            _ => None,
        })
        .collect();
    assert!(exact.len() >= 3);
    assert!(exact.windows(2).all(|w| w[0] <= w[1]), "{exact:?}");

    // Exact distances agree with the coordinates of the disclosed location.
    for hit in &hits {
        if let (
            Some(Distance::Exact { km }),
            Some(PublicLocation::Disclosed { point: Some(p), .. }),
        ) = (hit.distance, hit.service.locations.first())
        {
            assert!((london.distance_km(p) - km).abs() <= 0.05 + 1e-9);
        }
    }

    // A tight radius around one disclosed location finds it first and alone.
    let clinic = hits
        .iter()
        .find(|h| h.service.service_type == ServiceType::Medical)
        .expect("the London clinic");
    let Some(PublicLocation::Disclosed {
        point: Some(clinic_point),
        ..
    }) = clinic.service.locations.first()
    else {
        panic!("the clinic is disclosed");
    };
    let tight = directory.search(&Query::new().near(*clinic_point, Some(0.5)));
    assert_eq!(tight.len(), 1);
    assert_eq!(tight[0].service.service_id, clinic.service.service_id);
    assert_eq!(tight[0].distance, Some(Distance::Exact { km: 0.0 }));

    // Without a radius everything comes back: located first, then those without coordinates.
    let all = directory.search(&Query::new().near(london, None));
    assert_eq!(all.len(), 31);
    let first_unlocated = all
        .iter()
        .position(|h| h.distance.is_none())
        .expect("hotlines");
    assert!(all[first_unlocated..].iter().all(|h| h.distance.is_none()));
    assert!(
        all[first_unlocated..]
            .iter()
            .all(|h| h.service.service_type == ServiceType::Hotline)
    );
    // Paris is the nearest other city to London in the demo.
    let first_foreign = all
        .iter()
        .find(|h| !london_located.contains(&h.service.service_id))
        .expect("other cities");
    assert!(first_foreign.service.organization_name.starts_with("Paris"));
}

#[test]
fn inactive_services_and_limit() {
    let mut document = common::organization(false);
    let mut closed = document["services"][0].clone();
    closed["id"] = json!("9e4b0a9f-3c8b-43a4-8d9b-0c1a2f3e4df9");
    closed["name"] = json!("Closed shelter");
    closed["status"] = json!("temporarily closed");
    document["services"]
        .as_array_mut()
        .expect("services")
        .push(closed);
    let directory = Directory::from_hsds_str(&document.to_string()).expect("imports");
    assert_eq!(directory.search(&Query::new()).len(), 1);
    assert_eq!(directory.search(&Query::new().include_inactive()).len(), 2);
    assert_eq!(
        directory
            .search(&Query::new().include_inactive().limit(1))
            .len(),
        1
    );
    assert_eq!(demo().search(&Query::new().limit(5)).len(), 5);
}

#[test]
fn places_resolve_from_the_directory_itself() {
    let directory = demo();
    for (place, lat, lon) in [
        ("London", 51.51, -0.13),
        ("madrid, es", 40.42, -3.70),
        ("Houston, Texas", 29.76, -95.37),
        ("Ciudad de Mexico", 19.43, -99.13),
        ("Île-de-France", 48.86, 2.35),
    ] {
        let resolved = directory
            .resolve_place(place)
            .unwrap_or_else(|| panic!("{place}"));
        assert!(
            resolved.distance_km(&point(lat, lon)) < 10.0,
            "{place}: {resolved:?}"
        );
    }
    assert!(directory.resolve_place("Atlantis").is_none());
    assert!(directory.resolve_place("London, ES").is_none());
    assert!(directory.resolve_place("  ").is_none());

    // A place known only through a confidential location does not resolve.
    let secret_only =
        Directory::from_hsds_str(&common::organization(true).to_string()).expect("imports");
    assert!(secret_only.resolve_place("Testville").is_none());
    let disclosed =
        Directory::from_hsds_str(&common::organization(false).to_string()).expect("imports");
    assert!(disclosed.resolve_place("Testville").is_some());
}

/// Every confidential address line, postal code and location name, as JSON string literals.
fn quoted_secrets(directory: &Directory) -> Vec<String> {
    let quoted = |text: &str| serde_json::to_string(text).expect("string");
    let mut secrets = Vec::new();
    for location in directory.organizations().iter().flat_map(|o| &o.locations) {
        if let Site::Confidential(site) = &location.site {
            for address in site.disclose_for_casework().0 {
                secrets.push(quoted(&address.address_1));
                secrets.push(quoted(&address.postal_code));
            }
            secrets.extend(location.name.as_deref().map(quoted));
        }
    }
    secrets
}

#[test]
fn public_views_never_contain_a_confidential_address() {
    let directory = demo();
    let secrets = quoted_secrets(&directory);
    assert!(secrets.len() >= 15);
    // Query from each confidential location's exact point, as an adversary would.
    let mut queries = vec![
        Query::new(),
        Query::new().service_type(ServiceType::Shelter),
    ];
    for location in directory.organizations().iter().flat_map(|o| &o.locations) {
        if let Site::Confidential(site) = &location.site
            && let Some(exact) = site.disclose_for_casework().1
        {
            queries.push(Query::new().near(exact, Some(50.0)));
        }
    }
    assert!(queries.len() >= 6);
    let mut confidential_seen = 0;
    for query in &queries {
        let hits = directory.search(query);
        let text = serde_json::to_string(&hits).expect("hits serialise");
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "search result contains {secret}"
            );
        }
        for hit in &hits {
            for location in &hit.service.locations {
                if let PublicLocation::Confidential { area, phones } = location {
                    confidential_seen += 1;
                    assert!(area.city.is_some() && !phones.is_empty());
                }
            }
            if hit
                .service
                .locations
                .iter()
                .any(|l| matches!(l, PublicLocation::Confidential { .. }))
                && let Some(distance) = hit.distance
            {
                assert!(matches!(distance, Distance::Band { .. }), "{distance:?}");
            }
        }
    }
    assert!(confidential_seen > 0);
    // Public views by id, and Debug output of the model, leak nothing either.
    for organization in directory.organizations() {
        let debug = format!("{organization:?}");
        for service in &organization.services {
            let view = directory.public_view(&service.id).expect("view");
            let text = serde_json::to_string(&view).expect("view serialises");
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "{secret}");
                assert!(!debug.contains(secret.as_str()), "{secret} in Debug");
            }
        }
    }
}

#[test]
fn moving_a_shelter_within_its_grid_cell_changes_no_search_result() {
    // Two directories whose only difference is where, inside one ~11 km cell, the shelter is.
    let at = |lat: f64, lon: f64| {
        let mut document = common::organization(true);
        document["locations"][0]["latitude"] = json!(lat);
        document["locations"][0]["longitude"] = json!(lon);
        Directory::from_hsds_str(&document.to_string()).expect("imports")
    };
    let first = at(51.52, -0.05);
    let second = at(51.58, -0.02);
    let mut bands = BTreeSet::new();
    for step in 0..60 {
        let f = f64::from(step);
        let query_point = point(51.3 + 0.01 * f, -0.4 + 0.012 * f);
        let query = Query::new().near(query_point, Some(40.0));
        let a = serde_json::to_string(&first.search(&query)).expect("json");
        let b = serde_json::to_string(&second.search(&query)).expect("json");
        assert_eq!(a, b, "query at {query_point:?}");
        if let Some(hit) = first.search(&query).first() {
            if let Some(Distance::Band { from_km, to_km }) = hit.distance {
                assert_eq!(to_km - from_km, 5);
                bands.insert(from_km);
            } else {
                panic!("confidential distance must be banded");
            }
        }
    }
    // The walk crosses several bands, so the test is not vacuous.
    assert!(bands.len() >= 3, "{bands:?}");
}
