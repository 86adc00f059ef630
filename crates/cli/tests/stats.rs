//! `ctip stats` as a user runs it: the real binary on HTCDS bundles written
//! by `ctip_cases::export_bundle`, with a budget ledger on disk.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ctip_cases::picklist::{CaseStatus, ExploitationType, HistoricEventType};
use ctip_cases::{
    Case, Consent, CountryCode, HistoricTraffickingEvent, IsoDate, Picklist, PurposeConsent,
    RecordId,
};
use serde_json::Value;

/// How a generated case stands on consent to statistics.
#[derive(Clone, Copy, PartialEq)]
enum Consented {
    Yes,
    NeverAsked,
    Withdrawn,
    /// `con_Consent` false: declined the management of their data.
    Declined,
}

/// One kind of case to generate, `count` times.
#[derive(Clone, Copy)]
struct Kind {
    country: &'static str,
    exploitation: ExploitationType,
    age: Option<u32>,
    year: u16,
    consent: Consented,
    count: usize,
}

fn kind(country: &'static str, exploitation: ExploitationType, count: usize) -> Kind {
    Kind {
        country,
        exploitation,
        age: Some(24),
        year: 2023,
        consent: Consented::Yes,
        count,
    }
}

fn id(text: &str) -> RecordId {
    RecordId::parse(text).expect("valid id")
}

fn date(year: u16, month: u8, day: u8) -> IsoDate {
    IsoDate::from_ymd(year, month, day).expect("valid date")
}

fn cases(kinds: &[Kind]) -> Vec<Case> {
    let mut cases = Vec::new();
    for kind in kinds {
        for _ in 0..kind.count {
            let n = cases.len() + 1;
            let mut case = Case::new(
                id(&format!("case-{n}")),
                CaseStatus::Active,
                id(&format!("victim-{n}")),
            );
            case.victim.context.exploitation_types = vec![kind.exploitation];
            case.victim.context.age_when_trafficked = kind.age;
            case.historic_events.push(HistoricTraffickingEvent {
                event_type: Some(HistoricEventType::Exploitation),
                country: Some(CountryCode::parse(kind.country).expect("ISO code")),
                date: Some(date(kind.year, 6, 1)),
                ..HistoricTraffickingEvent::default()
            });
            let statistics = PurposeConsent {
                given_on: date(2020, 1, 1),
                recorded_by: id("worker-1"),
                withdrawn_on: (kind.consent == Consented::Withdrawn).then(|| date(2021, 1, 1)),
            };
            case.consent = Some(Consent {
                consent: (kind.consent == Consented::Declined).then_some(false),
                statistics_and_research: (kind.consent != Consented::NeverAsked)
                    .then_some(statistics),
                ..Consent::default()
            });
            cases.push(case);
        }
    }
    cases
}

fn write_bundle(dir: &Path, name: &str, kinds: &[Kind]) -> PathBuf {
    let path = dir.join(name);
    let bundle = ctip_cases::export_bundle(&cases(kinds));
    std::fs::write(&path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    path
}

fn ctip(args: &[&str], extra: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
        .arg("stats")
        .args(args)
        .args(extra)
        .output()
        .expect("ctip runs")
}

/// `ctip stats --cases FILE --budget B --out O <args>`.
fn stats(cases: &Path, budget: &Path, out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
        .arg("stats")
        .arg("--cases")
        .arg(cases)
        .arg("--budget")
        .arg(budget)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("ctip runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(output.status.success(), "ctip failed: {}", stderr(output));
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file exists")).expect("JSON")
}

/// The released cells of a stats.json as (label, value) with the value
/// `None` for a suppressed cell. The label joins the key's parts.
fn released_cells(stats: &Value) -> Vec<(String, Option<u64>)> {
    stats["release"]["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|cell| {
            let key = cell["key"].as_object().expect("key");
            let label = ["country", "exploitation", "age_band", "year"]
                .iter()
                .filter_map(|part| key.get(*part))
                .map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let value = match &cell["value"] {
                Value::String(mark) if mark == "suppressed" => None,
                other => Some(other["count"].as_u64().expect("a count or suppressed")),
            };
            (label, value)
        })
        .collect()
}

fn value_of(cells: &[(String, Option<u64>)], label: &str) -> Option<u64> {
    cells
        .iter()
        .find(|(cell, _)| cell == label)
        .unwrap_or_else(|| panic!("no cell {label}"))
        .1
}

/// Every number in a JSON document.
fn numbers(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Number(n) => out.push(n.as_f64().unwrap()),
        Value::Array(items) => items.iter().for_each(|item| numbers(item, out)),
        Value::Object(map) => map.values().for_each(|item| numbers(item, out)),
        _ => {}
    }
}

/// Every key in a JSON document.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| keys(item, out)),
        Value::Object(map) => {
            for (key, item) in map {
                out.push(key.clone());
                keys(item, out);
            }
        }
        _ => {}
    }
}

/// The numbers in the table cells of an HTML page (`<td class="num">N</td>`).
fn html_cell_numbers(html: &str) -> Vec<u64> {
    html.split(r#"<td class="num">"#)
        .skip(1)
        .filter_map(|rest| {
            let text = &rest[..rest.find("</td>")?];
            text.replace(',', "").parse().ok()
        })
        .collect()
}

use ExploitationType::{ChildLabour, ForcedLabour, ForcedMarriage, SexualExploitation};

#[test]
fn threshold_mode_suppresses_cells_below_eleven_and_never_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write_bundle(
        dir.path(),
        "cases.json",
        &[
            kind("NG", ForcedLabour, 30),
            kind("NG", SexualExploitation, 5),
            kind("TH", ChildLabour, 12),
            kind("TH", ForcedMarriage, 3),
        ],
    );
    let budget = dir.path().join("budget.json");

    // One dimension: a small table, listed in full on the page.
    let out = dir.path().join("by-type");
    let run = stats(
        &bundle,
        &budget,
        &out,
        &[
            "--mode",
            "threshold",
            "--dataset",
            "office",
            "--by",
            "exploitation",
        ],
    );
    assert_ok(&run);
    let json = read_json(&out.join("stats.json"));
    let cells = released_cells(&json);
    assert_eq!(
        cells.len(),
        ExploitationType::ALL.len() + 1,
        "every type plus Multiple"
    );
    assert_eq!(value_of(&cells, "ForcedLabour"), Some(30));
    assert_eq!(value_of(&cells, "ChildLabour"), Some(12));
    assert_eq!(value_of(&cells, "SexualExploitation"), None);
    assert_eq!(value_of(&cells, "ForcedMarriage"), None);
    for (label, value) in &cells {
        assert!(value.is_none_or(|n| n >= 11), "{label} shows {value:?}");
    }
    assert_eq!(json["coverage"]["counted"], 50);

    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(html.contains(
        r#"<th scope="row">SexualExploitation</th><td class="num muted">suppressed</td>"#
    ));
    assert!(html.contains(r#"<th scope="row">ForcedLabour</th><td class="num">30</td>"#));
    for n in html_cell_numbers(&html) {
        assert!(n >= 11, "the page shows a count of {n}");
    }
    assert!(!html.contains("<script"));

    // Two dimensions over every country: the small cells stay hidden there
    // too, and the same dataset takes a second threshold release.
    let out = dir.path().join("by-country");
    let run = stats(
        &bundle,
        &budget,
        &out,
        &["--mode", "threshold", "--dataset", "office"],
    );
    assert_ok(&run);
    let cells = released_cells(&read_json(&out.join("stats.json")));
    assert_eq!(cells.len(), 249 * (ExploitationType::ALL.len() + 1));
    assert_eq!(value_of(&cells, "NG/ForcedLabour"), Some(30));
    assert_eq!(value_of(&cells, "NG/SexualExploitation"), None);
    assert_eq!(value_of(&cells, "TH/ForcedMarriage"), None);
    assert!(cells.iter().all(|(_, value)| value.is_none_or(|n| n >= 11)));
    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(html_cell_numbers(&html).iter().all(|&n| n >= 11));
    let ledger = read_json(&budget);
    assert_eq!(
        ledger["datasets"]["office"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// A release's cells beside the true counts, from the public file and the
/// holder's.
fn dp_release(dir: &Path, bundle: &Path, budget: &Path, name: &str) -> (Value, Value) {
    let out = dir.join(name);
    let run = stats(
        bundle,
        budget,
        &out,
        &[
            "--mode",
            "dp",
            "--dataset",
            "office",
            "--by",
            "exploitation",
            "--epsilon",
            "0.5",
            "--total-epsilon",
            "1",
            "--holder-report",
        ],
    );
    assert_ok(&run);
    (
        read_json(&out.join("stats.json")),
        read_json(&out.join("holder.json")),
    )
}

#[test]
fn dp_counts_vary_between_runs_and_stay_within_the_accuracy_bound() {
    let dir = tempfile::tempdir().unwrap();
    let truth = [
        (ForcedLabour, 40u64),
        (SexualExploitation, 25),
        (ChildLabour, 15),
        (ForcedMarriage, 60),
    ];
    let kinds: Vec<Kind> = truth
        .iter()
        .map(|(exploitation, count)| kind("NG", *exploitation, *count as usize))
        .collect();
    let bundle = write_bundle(dir.path(), "cases.json", &kinds);
    let budget = dir.path().join("budget.json");

    let (first, _) = dp_release(dir.path(), &bundle, &budget, "one");
    let (second, _) = dp_release(dir.path(), &bundle, &budget, "two");
    let first_cells = released_cells(&first);
    let second_cells = released_cells(&second);
    // Each cell has about a one-in-eight chance of the same noise twice, so
    // twelve cells agreeing by chance is far below one in a million.
    assert_ne!(
        first_cells, second_cells,
        "two DP releases gave the same noise"
    );

    for release in [&first, &second] {
        let mode = &release["release"]["mode"];
        assert_eq!(mode["mode"], "differential_privacy");
        let accuracy = mode["accuracy_95"].as_f64().unwrap();
        assert!(accuracy > 0.0);
        // The noise has geometric tails: if one cell exceeds the 95% bound
        // with probability 0.05, it exceeds seven times the bound with
        // probability below 0.05^7 / 0.2 (about 4e-9).
        let tolerance = 7.0 * accuracy;
        let cells = released_cells(release);
        for (label, value) in &cells {
            let expected = truth
                .iter()
                .find(|(exploitation, _)| exploitation.to_string() == *label)
                .map_or(0, |(_, count)| *count);
            let released = value.expect("DP releases suppress nothing");
            assert!(
                (released as f64 - expected as f64).abs() <= tolerance,
                "{label}: released {released}, true {expected}, tolerance {tolerance}"
            );
        }
        let total: u64 = cells.iter().filter_map(|(_, value)| *value).sum();
        let true_total: u64 = truth.iter().map(|(_, count)| count).sum();
        let cells_tolerance = tolerance * cells.len() as f64;
        assert!(
            (total as f64 - true_total as f64).abs() <= cells_tolerance,
            "sum {total} against {true_total}"
        );
    }
    let ledger = read_json(&budget);
    assert_eq!(ledger["datasets"]["office"]["policy"]["total_epsilon"], 1.0);
    assert_eq!(
        ledger["datasets"]["office"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn an_exhausted_budget_refuses_the_release_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write_bundle(dir.path(), "cases.json", &[kind("NG", ForcedLabour, 20)]);
    let budget = dir.path().join("ledger").join("budget.json");
    let out = dir.path().join("out");
    let dp = |epsilon: &str, total: Option<&str>| {
        let mut args = vec!["--mode", "dp", "--dataset", "office", "--epsilon", epsilon];
        if let Some(total) = total {
            args.extend(["--total-epsilon", total]);
        }
        args.push("--holder-report");
        stats(&bundle, &budget, &out, &args)
    };

    // A new DP dataset needs a budget: refused, and no ledger folder appears.
    let run = dp("0.6", None);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("--total-epsilon"));
    assert!(!budget.parent().unwrap().exists());
    assert!(!out.exists());

    assert_ok(&dp("0.6", Some("1")));
    let snapshot = |path: &Path| std::fs::read(path).unwrap();
    let files = ["stats.json", "stats.html", "holder.json", "holder.html"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| snapshot(&out.join(f))).collect();
    let ledger_before = snapshot(&budget);

    let run = dp("0.6", None);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let message = stderr(&run);
    assert!(message.contains("privacy budget exceeded"), "{message}");
    assert!(message.contains("nothing written"), "{message}");
    let after: Vec<Vec<u8>> = files.iter().map(|f| snapshot(&out.join(f))).collect();
    assert!(before == after, "a refused release changed the output");
    assert_eq!(
        snapshot(&budget),
        ledger_before,
        "a refused release changed the ledger"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| !files.iter().any(|f| name == f))
        .collect();
    assert!(leftovers.is_empty(), "unexpected files {leftovers:?}");

    // What is left still fits, and a threshold release of a DP dataset is
    // refused: mixing them would void the guarantee.
    assert_ok(&dp("0.4", None));
    let run = stats(
        &bundle,
        &budget,
        &dir.path().join("threshold"),
        &["--mode", "threshold", "--dataset", "office"],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(!dir.path().join("threshold").exists());
}

#[test]
fn cases_without_statistics_consent_are_left_out_and_counted_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let consenting = kind("NG", ForcedLabour, 15);
    let bundle = write_bundle(
        dir.path(),
        "cases.json",
        &[
            consenting,
            Kind {
                consent: Consented::NeverAsked,
                count: 4,
                ..consenting
            },
            Kind {
                consent: Consented::Withdrawn,
                count: 2,
                ..consenting
            },
            Kind {
                consent: Consented::Declined,
                count: 1,
                ..consenting
            },
            Kind {
                age: None,
                count: 3,
                ..consenting
            },
            Kind {
                year: 1990,
                count: 2,
                ..consenting
            },
        ],
    );
    let out = dir.path().join("out");
    let run = stats(
        &bundle,
        &dir.path().join("budget.json"),
        &out,
        &[
            "--mode",
            "threshold",
            "--dataset",
            "office",
            "--by",
            "total",
            "--holder-report",
        ],
    );
    assert_ok(&run);
    let message = stderr(&run);
    assert!(
        message.contains("counted 15 cases; left out 12"),
        "{message}"
    );
    assert!(message.contains("7 no consent to statistics"), "{message}");

    let public = read_json(&out.join("stats.json"));
    assert_eq!(released_cells(&public), [("".to_owned(), Some(15))]);
    assert_eq!(public["coverage"]["counted"], 15);
    assert_eq!(public["coverage"]["excluded"], 12);
    // Below k, the reasons' counts are not given exactly in public.
    let reasons = public["coverage"]["excluded_by_reason"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .all(|reason| reason["count"]["fewer_than"] == 11)
    );

    let holder = read_json(&out.join("holder.json"));
    assert_eq!(holder["cases_counted"], 15);
    let excluded: Vec<(String, u64)> = holder["excluded_by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["reason"].as_str().unwrap().to_owned(),
                entry["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let count = |reason: &str| excluded.iter().find(|(r, _)| r == reason).unwrap().1;
    assert_eq!(count("no_statistics_consent"), 7);
    assert_eq!(count("no_age_when_trafficked"), 3);
    assert_eq!(count("year_outside_range"), 2);
    assert_eq!(count("no_country_of_exploitation"), 0);
}

#[test]
fn malformed_input_names_the_file_and_the_pointer_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_bundle(dir.path(), "good.json", &[kind("NG", ForcedLabour, 2)]);
    let mut bundle: Value = read_json(&good);
    bundle[1]["victim"]["vic_AgeWhenTrafficked"] = Value::from("twelve");
    let bad = dir.path().join("bad-bundle.json");
    std::fs::write(&bad, bundle.to_string()).unwrap();
    let budget = dir.path().join("budget.json");
    let out = dir.path().join("out");

    let run = ctip(
        &["--mode", "threshold", "--dataset", "office", "--cases"],
        &[
            &good,
            &bad,
            Path::new("--budget"),
            &budget,
            Path::new("--out"),
            &out,
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    let message = stderr(&run);
    assert!(message.contains("bad-bundle.json"), "{message}");
    assert!(
        message.contains("/1/victim/vic_AgeWhenTrafficked"),
        "{message}"
    );
    assert!(!out.exists() && !budget.exists());

    std::fs::write(&bad, "[{\"id\": ").unwrap();
    let run = stats(
        &bad,
        &budget,
        &out,
        &["--mode", "threshold", "--dataset", "office"],
    );
    assert_eq!(run.status.code(), Some(1));
    let message = stderr(&run);
    assert!(
        message.contains("bad-bundle.json") && message.contains("not valid JSON"),
        "{message}"
    );

    // The same case in two files would be counted twice.
    let run = ctip(
        &["--mode", "threshold", "--dataset", "office", "--cases"],
        &[
            &good,
            &good,
            Path::new("--budget"),
            &budget,
            Path::new("--out"),
            &out,
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("/0/id"), "{}", stderr(&run));
    assert!(!out.exists() && !budget.exists());
}

#[test]
fn dp_public_files_never_hold_the_true_counts() {
    let dir = tempfile::tempdir().unwrap();
    // 137 cases in all: a total no noisy cell comes near.
    let bundle = write_bundle(
        dir.path(),
        "cases.json",
        &[
            kind("NG", ForcedLabour, 41),
            kind("NG", SexualExploitation, 33),
            kind("TH", ChildLabour, 29),
            kind("GB", ForcedMarriage, 34),
        ],
    );
    let out = dir.path().join("public");
    let holder_dir = dir.path().join("private");
    let run = Command::new(env!("CARGO_BIN_EXE_ctip"))
        .arg("stats")
        .arg("--cases")
        .arg(&bundle)
        .arg("--budget")
        .arg(dir.path().join("budget.json"))
        .arg("--out")
        .arg(&out)
        .args(["--mode", "dp", "--dataset", "office", "--epsilon", "1"])
        .args(["--total-epsilon", "2", "--holder-report", "--holder-out"])
        .arg(&holder_dir)
        .output()
        .unwrap();
    assert_ok(&run);

    let public_files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(public_files.len(), 2, "{public_files:?}");

    let public = read_json(&out.join("stats.json"));
    let mut public_keys = Vec::new();
    keys(&public, &mut public_keys);
    for holder_only in ["true_count", "cases_counted", "absolute_error", "notice"] {
        assert!(
            !public_keys.iter().any(|k| k == holder_only),
            "stats.json has {holder_only}"
        );
    }
    assert_eq!(public["coverage"]["counted"], "withheld");
    assert_eq!(public["coverage"]["excluded"], "withheld");
    let mut public_numbers = Vec::new();
    numbers(&public, &mut public_numbers);
    assert!(
        !public_numbers.contains(&137.0),
        "stats.json holds the exact total"
    );

    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(!html.contains(">137<") && !html.contains("137 cases"));
    assert!(html.contains("noisy on purpose"));
    assert!(html.contains("not published"));
    assert!(!html.to_lowercase().contains("do not publish"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));

    let holder = read_json(&holder_dir.join("holder.json"));
    assert!(
        holder["notice"]
            .as_str()
            .unwrap()
            .contains("DO NOT PUBLISH")
    );
    assert_eq!(holder["cases_counted"], 137);
    let true_counts: Vec<(String, u64)> = holder["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["true_count"].as_u64().unwrap() > 0)
        .map(|cell| {
            (
                format!(
                    "{}/{}",
                    cell["key"]["country"].as_str().unwrap(),
                    cell["key"]["exploitation"].as_str().unwrap()
                ),
                cell["true_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        true_counts,
        [
            ("GB/ForcedMarriage".to_owned(), 34),
            ("NG/ForcedLabour".to_owned(), 41),
            ("NG/SexualExploitation".to_owned(), 33),
            ("TH/ChildLabour".to_owned(), 29),
        ]
    );
    let holder_html = std::fs::read_to_string(holder_dir.join("holder.html")).unwrap();
    assert!(holder_html.contains("For the data holder only. Do not publish."));
    assert!(holder_html.contains(r#"<td class="num">137</td>"#));
}

#[test]
fn concurrent_releases_cannot_both_spend_the_same_budget() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write_bundle(dir.path(), "cases.json", &[kind("NG", ForcedLabour, 20)]);
    let budget = dir.path().join("budget.json");
    // Register the dataset with room for one release of 0.6, not two.
    let first = stats(
        &bundle,
        &budget,
        &dir.path().join("first"),
        &[
            "--mode",
            "dp",
            "--dataset",
            "office",
            "--epsilon",
            "0.1",
            "--total-epsilon",
            "0.8",
        ],
    );
    assert_ok(&first);
    let children: Vec<_> = (0..4)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_ctip"))
                .arg("stats")
                .arg("--cases")
                .arg(&bundle)
                .arg("--budget")
                .arg(&budget)
                .arg("--out")
                .arg(dir.path().join(format!("out-{n}")))
                .args(["--mode", "dp", "--dataset", "office", "--epsilon", "0.6"])
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("ctip starts")
        })
        .collect();
    let succeeded = children
        .into_iter()
        .map(|mut child| child.wait().unwrap().success())
        .filter(|&ok| ok)
        .count();
    assert_eq!(succeeded, 1, "the budget allowed one more release");
    let ledger = read_json(&budget);
    assert_eq!(
        ledger["datasets"]["office"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let outputs = (0..4)
        .filter(|n| dir.path().join(format!("out-{n}")).exists())
        .count();
    assert_eq!(outputs, 1, "refused releases left output folders");
}
