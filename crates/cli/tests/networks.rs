//! `ctip networks` as a user runs it, on a real store: an incremental build
//! gives the same partition as a full one, and every command answers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

fn ctip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("ctip runs")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "ctip failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Each ad's template founder and network founder, by ad id.
async fn partition(db: &Path) -> BTreeMap<String, (String, String)> {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("opens");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.id, t.id, n.id FROM ad_links l JOIN ads a ON a.rowid = l.ad_rowid \
         JOIN ads t ON t.rowid = l.template JOIN ads n ON n.rowid = l.network",
    )
    .fetch_all(&pool)
    .await
    .expect("reads links");
    pool.close().await;
    rows.into_iter().map(|(a, t, n)| (a, (t, n))).collect()
}

fn groups(labels: &BTreeMap<String, (String, String)>, network: bool) -> BTreeSet<Vec<String>> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (ad, (t, n)) in labels {
        by.entry(if network { n } else { t })
            .or_default()
            .push(ad.clone());
    }
    by.into_values().collect()
}

#[tokio::test]
async fn an_incremental_build_equals_a_full_build_and_every_command_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    ok(ctip(
        &["synth", "--ads", "3000", "--seed", "5", "--out", "corpus"],
        d,
    ));
    let ads = std::fs::read_to_string(d.join("corpus/ads.jsonl")).expect("ads");
    let lines: Vec<&str> = ads.lines().collect();
    std::fs::write(d.join("first.jsonl"), lines[..1800].join("\n") + "\n").expect("write");
    std::fs::write(d.join("second.jsonl"), lines[1800..].join("\n") + "\n").expect("write");

    // A: two scans, each followed by a build; the second build joins.
    for part in ["first.jsonl", "second.jsonl"] {
        ok(ctip(
            &["scan", part, "--db", "a.sqlite", "--out", "out-a", "-q"],
            d,
        ));
        let built = ok(ctip(&["networks", "--db", "a.sqlite", "build", "-q"], d));
        let expected = if part == "first.jsonl" {
            "full build"
        } else {
            "incremental build: 3000 ads (1200 read with text)"
        };
        assert!(built.contains(expected), "{built}");
    }
    // B: both scans, then one full build.
    for part in ["first.jsonl", "second.jsonl"] {
        ok(ctip(
            &["scan", part, "--db", "b.sqlite", "--out", "out-b", "-q"],
            d,
        ));
    }
    ok(ctip(
        &["networks", "--db", "b.sqlite", "build", "--full", "-q"],
        d,
    ));

    let a = partition(&d.join("a.sqlite")).await;
    let b = partition(&d.join("b.sqlite")).await;
    assert_eq!(a.len(), 3000);
    assert_eq!(
        groups(&a, false),
        groups(&b, false),
        "same template clusters"
    );
    assert_eq!(groups(&a, true), groups(&b, true), "same networks");
    assert_eq!(a, b, "same names too");
    let networks_of_two_or_more = groups(&a, true).iter().filter(|g| g.len() >= 2).count();
    assert!(networks_of_two_or_more > 10, "{networks_of_two_or_more}");

    // list, show, search and explain agree with each other.
    let listed: serde_json::Value = serde_json::from_str(
        &ok(ctip(
            &[
                "networks", "--db", "a.sqlite", "list", "--json", "--limit", "3",
            ],
            d,
        ))
        .lines()
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n"),
    )
    .expect("list is JSON");
    let first = listed[0]["id"].as_str().expect("an id").to_string();
    let shown: serde_json::Value = serde_json::from_str(&String::from_utf8_lossy(
        &ctip(
            &["networks", "--db", "a.sqlite", "show", &first, "--json"],
            d,
        )
        .stdout,
    ))
    .expect("show is JSON");
    let members: Vec<&str> = shown["ads"]
        .as_array()
        .expect("ads")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        members.len() as u64,
        shown["summary"]["ads"].as_u64().unwrap()
    );
    let identifier = &shown["summary"]["identifiers"][0];
    let key = format!(
        "{}:{}",
        identifier["kind"].as_str().unwrap(),
        identifier["value"].as_str().unwrap()
    );
    let found = ok(ctip(&["networks", "--db", "a.sqlite", "search", &key], d));
    assert!(found.contains(&first), "{found}");
    let why = ok(ctip(
        &[
            "networks",
            "--db",
            "a.sqlite",
            "explain",
            members[0],
            members[members.len() - 1],
        ],
        d,
    ));
    assert!(why.contains(&format!("both in {first}")), "{why}");
    assert!(
        why.contains("share template") || why.contains("both show"),
        "{why}"
    );

    // An analyst's override is applied at the next build and shown.
    ok(ctip(
        &["networks", "--db", "a.sqlite", "hub", &key, "--suppress"],
        d,
    ));
    ok(ctip(&["networks", "--db", "a.sqlite", "build", "-q"], d));
    let hubs = ok(ctip(&["networks", "--db", "a.sqlite", "hubs"], d));
    assert!(
        hubs.contains(identifier["value"].as_str().unwrap()) && hubs.contains("(analyst)"),
        "{hubs}"
    );

    // The export holds every network of two or more ads.
    ok(ctip(
        &[
            "networks",
            "--db",
            "a.sqlite",
            "export",
            "--out",
            "networks.json",
        ],
        d,
    ));
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("networks.json")).unwrap()).unwrap();
    assert_eq!(export["format"], "ctip-networks/1");
    assert!(export["networks"].as_array().unwrap().len() > 10);
}

#[test]
fn bad_requests_are_named_with_exit_code_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let out = ctip(&["networks", "--db", "missing.sqlite", "list"], d);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at missing.sqlite"));

    ok(ctip(&["demo", "--ads", "500", "--dir", "demo", "-q"], d));
    for (args, message) in [
        (vec!["show", "N-99999999"], "no network N-99999999"),
        (vec!["show", "banana"], "not a network id"),
        (vec!["search", "age:19"], "do not link ads"),
        (
            vec!["explain", "nope-1", "nope-2"],
            "both ads must be scanned and linked",
        ),
    ] {
        let mut full = vec!["networks", "--db", "demo/ctip.sqlite"];
        full.extend(args);
        let out = ctip(&full, d);
        assert_eq!(out.status.code(), Some(1), "{full:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{full:?}: {err}");
    }
    let report = std::fs::read_to_string(d.join("demo/report.html")).expect("report");
    assert!(
        report.contains("Networks"),
        "the demo report has the networks section"
    );
}
