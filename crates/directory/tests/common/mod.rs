//! Helpers shared by the integration tests: small valid HSDS documents built by hand.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{Value, json};

/// The shared HSDS folder (`/work/shared/data/hsds` beside the workspace), if present.
pub fn shared_hsds() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/hsds");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

pub const ORG_ID: &str = "0b5e1d0c-4f9e-4a7b-9a0e-1f2d3c4b5a60";
pub const SERVICE_ID: &str = "1c6f2e1d-5a0f-4b8c-8b1f-2a3e4d5c6b71";
pub const LOCATION_ID: &str = "2d7a3f2e-6b1a-4c9d-9c2a-3b4f5e6d7c82";
pub const SECRET_ADDRESS: &str = "99 Hidden Test Road";
pub const SECRET_POSTCODE: &str = "QX9 9ZZ";

pub fn term(code: &str) -> Value {
    json!({
        "id": "3e8b4a3f-7c2b-4dae-8d3b-4c5a6f7e8d93",
        "taxonomy_term": { "id": "4f9c5b4a-8d3c-4ebf-9e4c-5d6b7a8f9ea4", "code": code, "name": code, "description": "test term", "taxonomy": "ctip" }
    })
}

pub fn location(confidential: bool, lat: f64, lon: f64) -> Value {
    let mut location = json!({
        "id": LOCATION_ID,
        "location_type": "physical",
        "name": "Test site",
        "latitude": lat,
        "longitude": lon,
        "addresses": [{
            "id": "5a0d6c5b-9e4d-4fc0-8f5d-6e7c8b9a0fb5",
            "address_1": SECRET_ADDRESS,
            "city": "Testville",
            "state_province": "Test State",
            "postal_code": SECRET_POSTCODE,
            "country": "GB",
            "address_type": "physical"
        }],
        "phones": [{ "id": "6b1e7d6c-0f5e-40d1-9a6e-7f8d9c0b1ac6", "number": "+44 20 7946 0999" }]
    });
    if confidential {
        location["attributes"] = json!([term("ctip:confidential-location")]);
    }
    location
}

pub fn service() -> Value {
    json!({
        "id": SERVICE_ID,
        "name": "Test shelter",
        "description": "A test service.",
        "status": "active",
        "email": "test@example.org",
        "languages": [{ "id": "7c2f8e7d-1a6f-41e2-8b7f-8a9e0d1c2bd7", "code": "es", "name": "Spanish" }],
        "attributes": [term("ctip:service-type:shelter")],
        "service_at_locations": [{ "id": "8d3a9f8e-2b7a-42f3-9c8a-9b0f1e2d3ce8", "location_id": LOCATION_ID }]
    })
}

/// A valid organization with one service at one location.
pub fn organization(confidential: bool) -> Value {
    json!({
        "id": ORG_ID,
        "name": "Test organization",
        "description": "An organization for tests.",
        "locations": [location(confidential, 51.5, -0.1)],
        "services": [service()]
    })
}
