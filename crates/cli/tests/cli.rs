//! The `ctip` binary as a user runs it: real files, real store, real exit codes.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn ctip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("ctip runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

const JSONL: &str = r#"{"id": "ad-1", "title": "New in town", "body": "Young fresh girls, call 2ONE3-5FIVE5-0ONE4SEVEN 🌹 200 roses", "city": "Los Angeles"}
{"id": "ad-2", "body": "Licensed therapeutic massage. Book at (312) 555-0188. $80/hr", "city": "Chicago"}
"#;

async fn count_ads(db: &Path) -> u64 {
    let store = ctip_store::Store::open_sqlite(db)
        .await
        .expect("store opens");
    let n = store.count_ads().await.expect("count");
    store.close().await;
    n
}

#[tokio::test]
async fn scan_reads_a_folder_of_formats_into_results_store_and_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "in/a.jsonl", JSONL);
    write(
        dir.path(),
        "in/b.csv",
        "id,text,city\ncsv-1,\"Job abroad, high salary, no experience needed. Visa and flight paid. WhatsApp +1 415 555 0123\",Madrid\n",
    );
    write(
        dir.path(),
        "in/nested/c.txt",
        "plain ad text, call two one three five five five zero one four seven\n",
    );
    let out = ctip(
        &[
            "scan",
            "in",
            "--db",
            "data/ctip.sqlite",
            "--out",
            "out",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let results = std::fs::read_to_string(dir.path().join("out/results.jsonl")).expect("results");
    let lines: Vec<serde_json::Value> = results
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "ad-1");
    let phones: Vec<&str> = lines[0]["identifiers"]
        .as_array()
        .expect("identifiers")
        .iter()
        .filter(|i| i["kind"] == "phone")
        .map(|i| i["value"].as_str().expect("value"))
        .collect();
    assert_eq!(phones, ["+12135550147"]);
    let risky = lines[0]["score"].as_f64().expect("score");
    let benign = lines[1]["score"].as_f64().expect("score");
    assert!(
        risky > benign,
        "the indicator-laden ad ranks above the licensed massage ad: {risky} vs {benign}"
    );
    assert!(!lines[0]["reasons"].as_array().expect("reasons").is_empty());

    let report = std::fs::read_to_string(dir.path().join("out/report.html")).expect("report");
    assert!(report.contains("<svg"), "report has a chart");
    assert!(!report.contains("<script"), "report runs no script");
    assert!(report.contains("ad-1"));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["ads_scanned"], 4);
    assert_eq!(count_ads(&dir.path().join("data/ctip.sqlite")).await, 4);
}

#[tokio::test]
async fn scanning_the_same_ads_again_updates_them_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.jsonl", JSONL);
    for _ in 0..2 {
        let out = ctip(
            &["scan", "a.jsonl", "--db", "s.sqlite", "--out", "out", "-q"],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(count_ads(&dir.path().join("s.sqlite")).await, 2);
    write(
        dir.path(),
        "a.jsonl",
        &JSONL.replace("Licensed therapeutic massage", "Edited"),
    );
    let out = ctip(
        &["scan", "a.jsonl", "--db", "s.sqlite", "--out", "out", "-q"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let store = ctip_store::Store::open_sqlite(&dir.path().join("s.sqlite"))
        .await
        .expect("store");
    assert_eq!(store.count_ads().await.expect("count"), 2);
    assert!(
        store
            .ad("ad-2")
            .await
            .expect("read")
            .expect("present")
            .ad
            .body
            .starts_with("Edited")
    );
}

#[tokio::test]
async fn malformed_records_are_located_skipped_and_signalled_by_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = format!(
        "{}{{broken\n{{\"id\": \"only-id\"}}\n{{\"id\": \"ad-3\", \"body\": \"after\"}}\n",
        JSONL
    );
    write(dir.path(), "bad.jsonl", &bad);
    let out = ctip(
        &[
            "scan",
            "bad.jsonl",
            "--db",
            "s.sqlite",
            "--out",
            "out",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "skipped records give exit code 3"
    );
    let err = stderr(&out);
    assert!(err.contains("bad.jsonl:3: invalid JSON"), "{err}");
    assert!(err.contains("bad.jsonl:4: record has no text"), "{err}");
    assert!(!err.contains("Young fresh"), "errors never echo ad content");
    assert_eq!(count_ads(&dir.path().join("s.sqlite")).await, 3);

    let strict = ctip(
        &[
            "scan",
            "bad.jsonl",
            "--strict",
            "--db",
            "strict.sqlite",
            "--out",
            "out2",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(
        strict.status.code(),
        Some(4),
        "--strict stops with exit code 4"
    );
    assert!(stderr(&strict).contains("bad.jsonl:3"));
    assert_eq!(
        count_ads(&dir.path().join("strict.sqlite")).await,
        2,
        "records before the bad one are kept"
    );
}

#[test]
fn extract_reads_stdin_and_prints_one_line_per_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctip"))
        .args(["extract", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(JSONL.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["id"], "ad-2");
    let first = &lines[1]["identifiers"][0];
    assert_eq!(first["kind"], "phone");
    assert_eq!(first["value"], "+13125550188");
    assert!(first["span"]["start"].is_u64() && first["span"]["end"].is_u64());
}

#[test]
fn a_missing_input_is_named_with_exit_code_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ctip(
        &[
            "scan",
            "nope.jsonl",
            "--db",
            "s.sqlite",
            "--out",
            "out",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.jsonl"), "{}", stderr(&out));
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ctip(&["scan", "x", "--region", "USA"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("two-letter region code"));
}

#[test]
fn synth_then_train_then_scan_with_the_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ctip(
        &["synth", "--ads", "3000", "--seed", "3", "--out", "corpus"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for file in ["ads.jsonl", "truth.jsonl", "labelled.jsonl"] {
        assert!(
            dir.path().join("corpus").join(file).is_file(),
            "{file} written"
        );
    }
    let trained = ctip(
        &[
            "train",
            "--labels",
            "corpus/labelled.jsonl",
            "--out",
            "model.json",
        ],
        dir.path(),
    );
    assert_eq!(trained.status.code(), Some(0), "{}", stderr(&trained));
    let report = String::from_utf8_lossy(&trained.stdout).into_owned();
    let f1: f64 = report
        .lines()
        .find(|l| l.trim_start().starts_with("all"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no pooled F1 in:\n{report}"));
    assert!(
        f1 > 0.8,
        "network ads are learnable from their language: F1 {f1}\n{report}"
    );
    let scanned = ctip(
        &[
            "scan",
            "corpus/ads.jsonl",
            "--model",
            "model.json",
            "--db",
            "s.sqlite",
            "--out",
            "out",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(scanned.status.code(), Some(0), "{}", stderr(&scanned));
    let summary = std::fs::read_to_string(dir.path().join("out/summary.json")).expect("summary");
    assert!(summary.contains("trained model"));
}

#[test]
fn a_corrupt_model_file_is_refused_with_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.jsonl", JSONL);
    write(dir.path(), "model.json", "{\"not\": \"a model\"}");
    let out = ctip(
        &[
            "scan",
            "a.jsonl",
            "--model",
            "model.json",
            "--db",
            "s.sqlite",
            "--out",
            "out",
            "-q",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("model.json: not a ctip model"),
        "{}",
        stderr(&out)
    );
}
