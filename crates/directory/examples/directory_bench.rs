//! Throughput of HSDS import (schema + domain validation + conversion) and of search, over a
//! synthetic directory. Run with:
//!
//! ```text
//! cargo run --release -p ctip-directory --example directory_bench [organizations] [services_per_org]
//! ```
//!
//! Defaults: 1,000 organizations x 10 services = 10,000 services, each organization one HSDS
//! document (a full organization with nested locations and services).

use std::time::Instant;

use ctip_directory::{Directory, Gender, Point, Query, ServiceType};
use serde_json::{Value, json};

/// A small deterministic generator (SplitMix64) so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn uuid(rng: &mut Rng) -> String {
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

const CITIES: [(&str, &str, &str, f64, f64); 7] = [
    ("London", "England", "GB", 51.51, -0.13),
    ("Madrid", "Comunidad de Madrid", "ES", 40.42, -3.70),
    ("Paris", "Ile-de-France", "FR", 48.86, 2.35),
    ("Lisbon", "Lisboa", "PT", 38.72, -9.14),
    ("Mexico City", "Ciudad de Mexico", "MX", 19.43, -99.13),
    ("Manila", "Metro Manila", "PH", 14.60, 120.98),
    ("Houston", "Texas", "US", 29.76, -95.37),
];
const LANGUAGES: [&str; 8] = ["en", "es", "fr", "pt", "ar", "ro", "tl", "vi"];
const WORDS: [&str; 8] = [
    "support",
    "advice",
    "emergency",
    "families",
    "workers",
    "youth",
    "women",
    "migrants",
];

fn attribute(rng: &mut Rng, code: &str) -> Value {
    json!({
        "id": uuid(rng),
        "taxonomy_term": { "id": uuid(rng), "code": code, "name": code, "description": "synthetic", "taxonomy": "ctip" }
    })
}

fn organization(rng: &mut Rng, index: usize, services: usize) -> Value {
    let (city, state, country, lat, lon) = CITIES[index % CITIES.len()];
    let org_id = uuid(rng);
    let mut locations = Vec::new();
    let mut service_list = Vec::new();
    for s in 0..services {
        let location_id = uuid(rng);
        let confidential = rng.below(8) == 0;
        let mut location = json!({
            "id": location_id,
            "location_type": "physical",
            "name": format!("Site {index}-{s} (synthetic)"),
            "latitude": lat + (rng.unit() - 0.5) * 0.4,
            "longitude": lon + (rng.unit() - 0.5) * 0.4,
            "addresses": [{
                "id": uuid(rng),
                "address_1": format!("{} Synthetic Road {index}-{s}", 1 + rng.below(300)),
                "city": city, "state_province": state,
                "postal_code": format!("S{index}-{s}"), "country": country, "address_type": "physical"
            }],
            "phones": [{ "id": uuid(rng), "number": format!("+44 20 7946 0{:03}", rng.below(1000)) }]
        });
        if confidential {
            location["attributes"] = json!([attribute(rng, "ctip:confidential-location")]);
        }
        locations.push(location);
        let kind = ServiceType::ALL[rng.below(6) as usize];
        let mut attributes = vec![attribute(
            rng,
            &format!("ctip:service-type:{}", kind.code()),
        )];
        if rng.below(5) == 0 {
            attributes.push(attribute(rng, "ctip:eligible-gender:female"));
        }
        let languages: Vec<Value> = (0..1 + rng.below(3))
            .map(|_| json!({ "id": uuid(rng), "code": LANGUAGES[rng.below(8) as usize] }))
            .collect();
        let mut service = json!({
            "id": uuid(rng),
            "name": format!("{} {} service {index}-{s}", kind.label(), WORDS[rng.below(8) as usize]),
            "description": format!("Synthetic {} and {} for benchmarks.", WORDS[rng.below(8) as usize], WORDS[rng.below(8) as usize]),
            "status": "active",
            "email": "bench@example.org",
            "languages": languages,
            "attributes": attributes,
            "service_at_locations": [{ "id": uuid(rng), "location_id": location_id }]
        });
        if rng.below(4) == 0 {
            service["minimum_age"] = json!(18);
        }
        service_list.push(service);
    }
    json!({
        "id": org_id,
        "name": format!("Synthetic organization {index}"),
        "description": "Synthetic organization for benchmarks.",
        "locations": locations,
        "services": service_list
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let organizations: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let per_org: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);

    let mut rng = Rng(0x5eed);
    let documents: Vec<String> = (0..organizations)
        .map(|i| organization(&mut rng, i, per_org).to_string())
        .collect();
    let bytes: usize = documents.iter().map(String::len).sum();
    ctip_directory::ensure_schemas_compile()?;

    let started = Instant::now();
    let mut directory = Directory::new();
    for document in &documents {
        directory.import_hsds_str(document)?;
    }
    let import_seconds = started.elapsed().as_secs_f64();
    println!(
        "import+validate: {} documents ({} services, {:.1} MB) in {:.3} s = {:.0} documents/s, {:.0} services/s",
        documents.len(),
        directory.service_count(),
        bytes as f64 / 1e6,
        import_seconds,
        documents.len() as f64 / import_seconds,
        directory.service_count() as f64 / import_seconds
    );

    let kinds = [
        "near, 10 km radius",
        "near, 25 km radius + language",
        "shelter + eligibility, sorted by distance, no radius",
        "free text (one word)",
        "free text (two words) + language + 50 km radius",
    ];
    let mut queries: Vec<Vec<Query>> = vec![Vec::new(); kinds.len()];
    for i in 0..2000 {
        let (_, _, _, lat, lon) = CITIES[i % CITIES.len()];
        let here = Point::new(
            lat + (rng.unit() - 0.5) * 0.2,
            lon + (rng.unit() - 0.5) * 0.2,
        )?;
        let kind = i % kinds.len();
        let query = match kind {
            0 => Query::new().near(here, Some(10.0)).limit(20),
            1 => Query::new()
                .near(here, Some(25.0))
                .language(LANGUAGES[i % LANGUAGES.len()])
                .limit(20),
            2 => Query::new()
                .service_type(ServiceType::Shelter)
                .eligible_for(Some(25), Some(Gender::Female))
                .near(here, None)
                .limit(20),
            3 => Query::new().text(WORDS[i % WORDS.len()]).limit(20),
            _ => Query::new()
                .text("legal advice")
                .language("es")
                .near(here, Some(50.0))
                .limit(20),
        };
        queries[kind].push(query);
    }
    let mut total_queries = 0;
    let mut total_seconds = 0.0;
    for (kind, batch) in kinds.iter().zip(&queries) {
        let started = Instant::now();
        let mut hits = 0;
        for query in batch {
            hits += directory.search(query).len();
        }
        let seconds = started.elapsed().as_secs_f64();
        total_queries += batch.len();
        total_seconds += seconds;
        println!(
            "search [{kind}]: {} queries in {:.3} s = {:.0} queries/s ({} hits)",
            batch.len(),
            seconds,
            batch.len() as f64 / seconds,
            hits
        );
    }
    println!(
        "search (all kinds): {} queries over {} services = {:.0} queries/s",
        total_queries,
        directory.service_count(),
        total_queries as f64 / total_seconds
    );

    let started = Instant::now();
    let place_count = 200;
    for i in 0..place_count {
        let _ = directory.resolve_place(CITIES[i % CITIES.len()].0);
    }
    let place_seconds = started.elapsed().as_secs_f64();
    println!(
        "resolve_place: {:.0} lookups/s",
        place_count as f64 / place_seconds
    );

    let started = Instant::now();
    let export = directory.export_hsds(ctip_directory::ExportScope::Internal);
    let text = export.to_string();
    let export_seconds = started.elapsed().as_secs_f64();
    println!(
        "export: {} services, {:.1} MB in {:.3} s",
        directory.service_count(),
        text.len() as f64 / 1e6,
        export_seconds
    );
    Ok(())
}
