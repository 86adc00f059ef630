//! Conformance on the shared real-ad ground truth (`../shared/data`), run
//! whenever that folder is present beside the project. The project's other
//! tests never depend on it.
//!
//! The floors are regression guards set just under the figures measured
//! when this test was written (recorded in BENCHMARKS.md); a change that
//! lowers extraction quality on real ads fails here.

use std::path::PathBuf;
use std::process::Command;

fn shared_data(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    dir.is_dir().then_some(dir)
}

fn f1_of(rows: &serde_json::Value, kind: &str) -> f64 {
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["kind"] == kind))
        .and_then(|r| r["f1"].as_f64())
        .unwrap_or_else(|| panic!("no row for {kind} in {rows}"))
}

/// Runs `ctip eval <dataset>` on the shared folder of that name and checks
/// each kind's F1 against its floor; skips when the data is absent.
fn assert_floors(dataset: &str, floors: &[(&str, f64)]) {
    let Some(data) = shared_data(dataset) else {
        eprintln!("skipped: ../shared/data/{dataset} is not present");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("eval.json");
    let out = Command::new(env!("CARGO_BIN_EXE_ctip"))
        .args(["eval", dataset])
        .arg(&data)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("ctip runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{}", String::from_utf8_lossy(&out.stdout));
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("valid");
    for (kind, floor) in floors {
        let f1 = f1_of(&rows, kind);
        assert!(f1 >= *floor, "{kind}: F1 {f1:.3} fell below {floor}");
    }
}

// Measured on 2026-11-25 (BENCHMARKS.md): 0.939, 0.936, 0.968, 1.000.
#[test]
fn etk_handles_prices_and_emails_meet_their_floors() {
    assert_floors(
        "etk",
        &[
            ("handle (with platform)", 0.90),
            ("handle (name only)", 0.90),
            ("price (amount)", 0.93),
            ("email", 0.99),
        ],
    );
}

// Measured on 2026-11-25: escort 0.917, massage 0.732 (job 0.217, no floor).
#[test]
fn dig_ads_ad_type_classifier_meets_its_floors() {
    assert_floors("dig-ads", &[("escort", 0.88), ("massage", 0.68)]);
}
