//! `ctip serve exchange` between two organisations, each on its own SQLite
//! site, the way two partner agencies would run it: identity keys swapped
//! out of band, a signed bundle carried from one to the other. Only
//! consented cases leave; replays, tampering, untrusted keys, misaddressed
//! bundles, invalid cases and conflicting ids are refused whole; the
//! receiver's ledger verifies and its database keeps no sensitive value in
//! the clear.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ctip_cases::{Case, IsoDate};
use ctip_share::bundle::{BundleHeader, IdentitySigner};
use ctip_store::tipline::TipDb;
use serde_json::{Value, json};
use support::{PASSWORD, Site};

/// Values that must never be stored in the clear at the receiver.
const FIRST_NAME: &str = "Mirela-Sentinel";
const IDENTITY_NUMBER: &str = "RO-ID-77441-SENTINEL";
const REFERRAL_DETAILS: &str = "Shelter-bed-note-Sentinel";

fn unix_now() -> i64 {
    support::unix_now() as i64
}

fn today() -> IsoDate {
    ctip_server::case_store::today(unix_now())
}

/// A site named `org` with administrator `admin` and supervisor `sup` in
/// `teams` (comma-separated).
fn organisation(org: &str, admin: &str, sup: &str, teams: &str) -> Site {
    let mut site = Site {
        dir: tempfile::tempdir().unwrap(),
        database: None,
        totp: HashMap::new(),
    };
    let out = site.run(
        &["init", "--org", org, "--admin", admin],
        &[("CTIP_PASSWORD", PASSWORD)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    site.add_staff(admin, sup, "supervisor", &["--teams", teams]);
    site
}

fn database_url(site: &Site) -> String {
    format!(
        "sqlite://{}",
        site.dir.path().join("ctip.tipline.sqlite").display()
    )
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// A case document: victim with sensitive fields, and consent to sharing
/// as given (`given`, `withdrawn`), or none.
fn document(id: &str, sharing: Option<(&str, Option<&str>)>) -> Value {
    let mut consent = json!({
        "ctip:referral_to_services": { "given_on": "2020-01-01", "recorded_by": "cw1" }
    });
    if let Some((given, withdrawn)) = sharing {
        let mut record = json!({ "given_on": given, "recorded_by": "cw1" });
        if let Some(withdrawn) = withdrawn {
            record["withdrawn_on"] = json!(withdrawn);
        }
        consent["ctip:sharing_with_law_enforcement"] = record;
    }
    json!({
        "htcds_version": "2.0",
        "id": id,
        "cas_Status": "Active",
        "cas_CaseOwner": "cw1",
        "victim": {
            "id": format!("victim-{id}"),
            "prs_FirstName": FIRST_NAME,
            "prs_IdentityNumber": IDENTITY_NUMBER,
            "prs_Birthdate": "2003-05-17",
            "vic_TypeOfExploitation": ["SexualExploitation"]
        },
        "consent": consent
    })
}

fn consented(id: &str) -> Value {
    document(id, Some(("2020-01-01", None)))
}

/// Stores cases as `staff`'s tenant would, in `team`, through the server's
/// own case storage.
fn put_cases(site: &Site, staff: &str, team: &str, documents: &[Value]) {
    block_on(async {
        let db = TipDb::connect(&database_url(site)).await.unwrap();
        let row = db.staff_by_name(staff).await.unwrap().unwrap();
        let secret = ctip_tipline::WrappedKey::from_json(&row.wrapped_key)
            .unwrap()
            .unwrap_with(PASSWORD)
            .unwrap();
        let key = ctip_server::case_store::field_key(&secret);
        for document in documents {
            let case = ctip_cases::import_case_value(document).expect("a valid test case");
            let stored = ctip_server::case_store::insert(
                &db,
                &case,
                row.tenant_id,
                Some(team),
                &key,
                today(),
            )
            .await
            .unwrap();
            assert!(stored, "{} stored", case.id.as_str());
        }
        db.close().await;
    });
}

/// Every case of `staff`'s tenant, opened with their key: (row, case).
fn stored_cases(site: &Site, staff: &str) -> Vec<(ctip_store::cases::StoredCase, Case)> {
    block_on(async {
        let db = TipDb::connect(&database_url(site)).await.unwrap();
        let row = db.staff_by_name(staff).await.unwrap().unwrap();
        let secret = ctip_tipline::WrappedKey::from_json(&row.wrapped_key)
            .unwrap()
            .unwrap_with(PASSWORD)
            .unwrap();
        let key = ctip_server::case_store::field_key(&secret);
        let mut cases = Vec::new();
        for stored in db.all_cases(row.tenant_id).await.unwrap() {
            let case = ctip_server::case_store::open(&stored, &key).unwrap();
            cases.push((stored, case));
        }
        db.close().await;
        cases
    })
}

fn case_ids(site: &Site, staff: &str) -> Vec<String> {
    stored_cases(site, staff)
        .into_iter()
        .map(|(row, _)| row.case_id)
        .collect()
}

/// Every ledger entry as `action record detail`, read through a ledger
/// store (which re-verifies the log as it opens).
fn ledger_lines(site: &Site) -> Vec<String> {
    let key = std::fs::read_to_string(site.dir.path().join("receipt.ledger-key")).unwrap();
    let signer = ctip_ledger::Signer::parse(key.trim()).unwrap();
    block_on(async {
        let db = TipDb::connect(&database_url(site)).await.unwrap();
        let ledger = ctip_store::ledger::LedgerStore::open(&db, signer)
            .await
            .unwrap();
        let mut lines = Vec::new();
        for seq in 0..ledger.size().await {
            let entry = ledger.entry(seq).await.unwrap().unwrap();
            lines.push(format!(
                "{} {} {} {}",
                entry.actor,
                entry.action,
                entry.record,
                entry.detail.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
        db.close().await;
        lines
    })
}

fn exchange(site: &Site, args: &[&str]) -> std::process::Output {
    let mut all = vec!["exchange"];
    all.extend_from_slice(args);
    site.run(&all, &[("CTIP_PASSWORD", PASSWORD)])
}

fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn failed(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a refusal; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn identity(site: &Site, staff: &str) -> String {
    let key = succeeded(&exchange(site, &["identity", "--as", staff]))
        .trim()
        .to_owned();
    assert_eq!(key.len(), 64, "{key}");
    key
}

fn import(site: &Site, staff: &str, bundle: &Path, trust: &str) -> std::process::Output {
    exchange(
        site,
        &[
            "import",
            "--as",
            staff,
            "--trust",
            trust,
            bundle.to_str().unwrap(),
        ],
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The raw database files: the tables, and whatever the WAL still holds.
fn raw_database(site: &Site) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["ctip.tipline.sqlite", "ctip.tipline.sqlite-wal"] {
        if let Ok(content) = std::fs::read(site.dir.path().join(name)) {
            bytes.extend(content);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn consented_cases_travel_signed_and_everything_else_is_refused() {
    let a = organisation("Org A", "admin-a", "sup-a", "t1");
    let b = organisation("Org B", "admin-b", "sup-b", "intake,t9");
    let mut with_referral = consented("case-5");
    with_referral["organisations"] = json!([{ "id": "prov-1", "org_Name": "Shelter" }]);
    with_referral["outgoing_referrals"] = json!([{
        "cas_ReferredOrganisation": "prov-1",
        "cas_OutgoingReferralDetails": REFERRAL_DETAILS,
        "ctip:status": "sent"
    }]);
    put_cases(
        &a,
        "sup-a",
        "t1",
        &[
            consented("case-1"),
            document("case-2", Some(("2020-01-01", Some("2021-06-01")))),
            document("case-3", None),
            document("case-4", Some(("2999-01-01", None))),
            with_referral,
        ],
    );
    put_cases(&a, "sup-a", "t2", &[consented("case-6")]);

    let key_a = identity(&a, "sup-a");
    assert_eq!(identity(&a, "admin-a"), key_a, "one key per organisation");
    let key_b = identity(&b, "sup-b");
    assert_ne!(key_a, key_b);

    // Only a supervisor exports: the administrator never sees cases.
    let out_dir = tempfile::tempdir().unwrap();
    let refused = failed(&exchange(
        &a,
        &[
            "export",
            "--as",
            "admin-a",
            "--out",
            out_dir.path().join("no.json").to_str().unwrap(),
        ],
    ));
    assert!(refused.contains("not an active supervisor"), "{refused}");
    assert!(!out_dir.path().join("no.json").exists());

    let bundle_path = out_dir.path().join("to-b.json");
    let printed = succeeded(&exchange(
        &a,
        &[
            "export",
            "--as",
            "sup-a",
            "--recipient",
            "Org B",
            "--out",
            bundle_path.to_str().unwrap(),
        ],
    ));
    assert!(
        printed.contains("exported 2 case(s)") && printed.contains("case-1, case-5"),
        "{printed}"
    );
    assert!(
        printed.contains("left out: 3 without consent to sharing")
            && printed.contains("1 outside your teams"),
        "{printed}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&bundle_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the bundle is readable by its owner only");
    }
    let bundle = std::fs::read(&bundle_path).unwrap();
    let envelope: Value = serde_json::from_slice(&bundle).unwrap();
    let sent_ids: Vec<&str> = envelope["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["id"].as_str().unwrap())
        .collect();
    assert_eq!(sent_ids, ["case-1", "case-5"]);
    assert_eq!(envelope["sender"]["public_key"], json!(key_a));
    let a_ledger = ledger_lines(&a);
    for record in ["case:case-1", "case:case-5"] {
        assert!(
            a_ledger
                .iter()
                .any(|l| l.starts_with(&format!("staff:sup-a export {record}"))),
            "{a_ledger:?}"
        );
    }
    assert!(
        !a_ledger
            .iter()
            .any(|l| l.contains("case-2") || l.contains("case-6")),
        "cases left out are not exported: {a_ledger:?}"
    );

    // A key B does not trust, and tampered copies, import nothing.
    let untrusted = failed(&import(&b, "sup-b", &bundle_path, &key_b));
    assert!(untrusted.contains("not one of the trusted"), "{untrusted}");
    assert!(
        untrusted.contains(&key_a),
        "names the signing key: {untrusted}"
    );
    let text = String::from_utf8(bundle.clone()).unwrap();
    let name_flipped = text.replacen(FIRST_NAME, "Mirela-Sentinal", 1);
    let sender_changed = text.replacen("\"name\":\"Org A\"", "\"name\":\"Org Z\"", 1);
    for (label, tampered) in [("payload", name_flipped), ("sender", sender_changed)] {
        assert_ne!(tampered, text, "{label} was changed");
        let path = write(
            out_dir.path(),
            &format!("tampered-{label}.json"),
            tampered.as_bytes(),
        );
        let refused = failed(&import(&b, "sup-b", &path, &key_a));
        assert!(
            refused.contains("signature does not verify"),
            "{label}: {refused}"
        );
        assert!(!refused.contains(FIRST_NAME), "{refused}");
    }
    let misaddressed_path = out_dir.path().join("to-c.json");
    succeeded(&exchange(
        &a,
        &[
            "export",
            "--as",
            "sup-a",
            "--recipient",
            "Org C",
            "--out",
            misaddressed_path.to_str().unwrap(),
        ],
    ));
    let misaddressed = failed(&import(&b, "sup-b", &misaddressed_path, &key_a));
    assert!(
        misaddressed.contains("addressed to \"Org C\""),
        "{misaddressed}"
    );
    assert!(case_ids(&b, "sup-b").is_empty(), "refusals import nothing");

    // Trusted through a file, the bundle imports; the same bundle again is
    // a replay.
    let trust_file = write(
        out_dir.path(),
        "partners.txt",
        format!("# partners\n{key_b} ourselves\n\n{key_a} Org A  # since 2025\n").as_bytes(),
    );
    let imported = succeeded(&exchange(
        &b,
        &[
            "import",
            "--as",
            "sup-b",
            "--trust-file",
            trust_file.to_str().unwrap(),
            bundle_path.to_str().unwrap(),
        ],
    ));
    assert!(
        imported.contains("imported 2 case(s) from \"Org A\"")
            && imported.contains("case-1, case-5")
            && imported.contains("already held: 0"),
        "{imported}"
    );
    let replay = failed(&import(&b, "sup-b", &bundle_path, &key_a));
    assert!(replay.contains("already received"), "{replay}");
    let listed = succeeded(&exchange(&b, &["list", "--as", "admin-b"]));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(
        listed.contains("\"Org A\"") && listed.contains(&key_a) && listed.contains("imported 2"),
        "{listed}"
    );

    // B keeps its own copy: owned by the importing supervisor in their first
    // team, the sender's referral statuses dropped, the rest as sent.
    let received = stored_cases(&b, "sup-b");
    assert_eq!(received.len(), 2);
    for (row, case) in &received {
        assert_eq!(row.owner.as_deref(), Some("sup-b"));
        assert_eq!(row.team_id.as_deref(), Some("intake"));
        assert_eq!(case.victim.person.first_name.as_deref(), Some(FIRST_NAME));
    }
    let case_5 = &received
        .iter()
        .find(|(row, _)| row.case_id == "case-5")
        .unwrap()
        .1;
    assert_eq!(case_5.outgoing_referrals.len(), 1);
    assert_eq!(case_5.outgoing_referrals[0].status, None);
    assert_eq!(
        case_5.outgoing_referrals[0].details.as_deref(),
        Some(REFERRAL_DETAILS)
    );

    // B's ledger verifies and records the import; its database holds none
    // of the sensitive values in the clear.
    let out = support::ctip()
        .args(b.ledger_args())
        .arg("verify")
        .output()
        .unwrap();
    let verified = succeeded(&out);
    assert!(verified.contains("ledger verified"), "{verified}");
    let b_ledger = ledger_lines(&b);
    for record in ["case:case-1", "case:case-5"] {
        assert!(
            b_ledger
                .iter()
                .any(|l| l.starts_with(&format!("staff:sup-b import {record}"))),
            "{b_ledger:?}"
        );
    }
    let bundle_entry = b_ledger
        .iter()
        .find(|l| l.starts_with("staff:sup-b import bundle:"))
        .expect("one entry for the bundle");
    assert!(
        bundle_entry.contains(&format!("sender_key={key_a}")),
        "{bundle_entry}"
    );
    assert_eq!(
        b_ledger.iter().filter(|l| l.contains(" import ")).count(),
        3,
        "refused imports leave no import entry: {b_ledger:?}"
    );
    let dump = b.dump();
    let raw = raw_database(&b);
    for secret in [FIRST_NAME, IDENTITY_NUMBER, REFERRAL_DETAILS, "2003-05-17"] {
        assert!(!contains(&dump, secret), "{secret} in a table of B");
        assert!(!contains(&raw, secret), "{secret} in B's database file");
    }
}

/// Signs `cases` as a partner whose key is derived from `seed`.
fn partner_bundle(seed: u8, recipient: &str, cases: Value) -> (Vec<u8>, String) {
    let signer = IdentitySigner::from_seed(&[seed; 32]);
    let day = today().to_string();
    let bytes = ctip_share::bundle::sign(
        &signer,
        &BundleHeader {
            sender_name: "Partner Agency",
            created_day: &day,
            recipient: Some(recipient),
        },
        &cases,
    )
    .unwrap();
    (bytes, signer.public_key().to_hex())
}

#[test]
fn invalid_or_unconsented_cases_refuse_the_whole_bundle() {
    let b = organisation("Org B", "admin-b", "sup-b", "intake");
    let dir = tempfile::tempdir().unwrap();
    let mut invalid = consented("case-8");
    invalid["cas_Status"] = json!("Sleeping");
    invalid["victim"]["prs_Birthdate"] = json!("2003-02-30");
    let (bytes, key) = partner_bundle(7, "Org B", json!([consented("case-7"), invalid]));
    let path = write(dir.path(), "invalid.json", &bytes);
    let refused = failed(&import(&b, "sup-b", &path, &key));
    assert!(refused.contains("/cases/1/cas_Status"), "{refused}");
    assert!(
        refused.contains("/cases/1/victim/prs_Birthdate"),
        "{refused}"
    );
    assert!(
        !refused.contains("2003-02-30") && !refused.contains(FIRST_NAME),
        "errors name pointers, never values: {refused}"
    );

    let (bytes, key) = partner_bundle(
        7,
        "Org B",
        json!([consented("case-7"), document("case-9", None)]),
    );
    let path = write(dir.path(), "unconsented.json", &bytes);
    let refused = failed(&import(&b, "sup-b", &path, &key));
    assert!(refused.contains("/cases/1/consent"), "{refused}");
    assert!(case_ids(&b, "sup-b").is_empty(), "nothing imported");
    assert!(
        !ledger_lines(&b).iter().any(|l| l.contains(" import ")),
        "no import recorded"
    );
}

#[test]
fn cases_already_held_are_reported_and_conflicting_ids_refuse_the_bundle() {
    let b = organisation("Org B", "admin-b", "sup-b", "intake");
    let dir = tempfile::tempdir().unwrap();
    // B holds case-1 already (say, from an earlier exchange by post), under
    // its own owner.
    let mut held = consented("case-1");
    held["cas_CaseOwner"] = json!("someone-at-b");
    put_cases(&b, "sup-b", "intake", &[held]);

    let (bytes, key) = partner_bundle(
        3,
        "Org B",
        json!([consented("case-1"), consented("case-2")]),
    );
    let path = write(dir.path(), "first.json", &bytes);
    let imported = succeeded(&import(&b, "sup-b", &path, &key));
    assert!(
        imported.contains("imported 1 case(s)") && imported.contains("case-2"),
        "{imported}"
    );
    assert!(
        imported.contains("already held: 1 case(s): case-1"),
        "{imported}"
    );

    // A later bundle changes case-2: its id is taken by a different case
    // now, so the whole bundle (with the new case-3) is refused.
    let mut changed = consented("case-2");
    changed["cas_Status"] = json!("Closed");
    let (bytes, key) = partner_bundle(3, "Org B", json!([consented("case-3"), changed]));
    let path = write(dir.path(), "second.json", &bytes);
    let refused = failed(&import(&b, "sup-b", &path, &key));
    assert!(
        refused.contains("case id(s) case-2 are already used here by different cases"),
        "{refused}"
    );
    let mut ids = case_ids(&b, "sup-b");
    ids.sort();
    assert_eq!(ids, ["case-1", "case-2"], "case-3 was not imported");
    let stored_2 = stored_cases(&b, "sup-b")
        .into_iter()
        .find(|(row, _)| row.case_id == "case-2")
        .unwrap();
    assert_eq!(stored_2.0.status, "Active", "the held case is unchanged");

    // Comparing opened stored cases, so the reads are on the ledger.
    let lines = ledger_lines(&b);
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("staff:sup-b read case:case-2"))
            .count()
            == 1
            && lines
                .iter()
                .any(|l| l.starts_with("staff:sup-b read case:case-1")),
        "{lines:?}"
    );
    let out = support::ctip()
        .args(b.ledger_args())
        .arg("verify")
        .output()
        .unwrap();
    succeeded(&out);
}
