//! `ctip serve` over real HTTP on loopback: the tip line from submission to
//! reply, staff triage, and proof that neither the log nor the database
//! keeps the reporter's address, user agent or words in the clear.
//!
//! Runs on SQLite always, and on PostgreSQL too when `CTIP_TEST_POSTGRES_URL`
//! is set (`.ci/postgres` starts one on loopback and sets it).

mod support;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use support::{
    PASSWORD, Reply, Server, Site, UA, agent, ctip, fresh_postgres_database, get, post_form, reply,
};

const WORDS: &str =
    "Three young women kept in a flat above the bakery, passports taken by the boss";

/// `add-staff` of a hotline worker "bob", authorised by "alice".
fn add_bob(site: &Site, admin_password: &str, password: &str) -> std::process::Output {
    site.run(
        &[
            "add-staff",
            "--by",
            "alice",
            "--name",
            "bob",
            "--role",
            "hotline",
        ],
        &[
            ("CTIP_ADMIN_PASSWORD", admin_password),
            ("CTIP_PASSWORD", password),
        ],
    )
}

/// A multipart body as a browser sends it: text fields, then files.
fn post_multipart(url: &str, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Reply {
    let boundary = "----ctiptestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (filename, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    reply(
        agent()
            .post(url)
            .header("User-Agent", UA)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body[..])
            .unwrap(),
    )
}

fn receipt_in(html: &str) -> String {
    let start =
        html.find("id=\"receipt\">").expect("the receipt is shown") + "id=\"receipt\">".len();
    html[start..start + 24].to_owned()
}

/// A JPEG whose EXIF block holds GPS coordinates.
fn jpeg_with_gps() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0GPSLatitude 40.4168 N GPSLongitude 3.7038 W";
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&[
        0xFF, 0xDB, 0x00, 0x43, 0x00, 8, 6, 6, 7, 6, 5, 8, 7, 7, 7, 9, 9, 8, 10, 12, 20, 13, 12,
        11, 11, 12, 25, 18, 19, 15, 20, 29, 26, 31, 30, 29, 26, 28, 28, 32, 36, 46, 39, 32, 34, 44,
        35, 28, 28, 40, 55, 41, 44, 48, 49, 52, 52, 52, 31, 39, 57, 61, 56, 50, 60, 46, 51, 52, 50,
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4,
        0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0xFF, 0xC4,
        0x00, 0x14, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xDA, 0x00,
        0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x2A, 0x9F, 0xFF, 0xD9,
    ]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Signs the administrator in: (cookie, CSRF token).
fn sign_in(server: &Server, site: &Site) -> (String, String) {
    let alice = support::sign_in(server, site, "alice");
    (alice.cookie, alice.csrf)
}

fn tip_line_flow(database: Option<String>) {
    let site = Site::new(database.clone());
    let server = site.start(&[]);

    // Public pages: strict headers, no cookies, every language.
    for lang in ["en", "es", "fr", "pt", "ar"] {
        let home = get(&server.url(&format!("/?lang={lang}")), None);
        assert_eq!(home.status, 200);
        assert!(
            home.header("content-security-policy")
                .unwrap()
                .contains("default-src 'none'")
        );
        assert_eq!(home.header("cache-control"), Some("no-store"));
        assert_eq!(home.header("referrer-policy"), Some("no-referrer"));
        assert!(
            home.header("set-cookie").is_none(),
            "public pages set no cookie"
        );
        assert!(home.body.contains(&format!("lang=\"{lang}\"")));
        assert!(
            home.body.contains("href=\"/exit\""),
            "quick exit on every page"
        );
        assert!(!home.body.contains("<script"), "no scripts");
    }
    assert!(
        get(&server.url("/?lang=ar"), None)
            .body
            .contains("dir=\"rtl\"")
    );
    let exit = get(&server.url("/exit"), None);
    assert_eq!(exit.status, 303);
    assert!(exit.header("location").unwrap().starts_with("https://"));
    assert!(exit.header("clear-site-data").is_some());

    // Danger first: the questionnaire shows the country's emergency numbers.
    let details = post_form(
        &server.url("/report/details"),
        &[("lang", "es"), ("danger", "yes"), ("country", "ES")],
        None,
    );
    assert_eq!(details.status, 200);
    assert!(
        details.body.contains("role=\"alert\"")
            && details.body.contains("112")
            && details.body.contains("900 10 50 90")
    );
    let calm = post_form(
        &server.url("/report/details"),
        &[("lang", "en"), ("danger", "no"), ("country", "ES")],
        None,
    );
    assert!(!calm.body.contains("emergency-title"));

    // A report without its one required answer is refused with the field named.
    let missing = post_multipart(
        &server.url("/report"),
        &[("lang", "en"), ("danger", "no"), ("what_happened", "  ")],
        &[],
    );
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("href=\"#what_happened\""));
    let not_image = post_multipart(
        &server.url("/report"),
        &[("lang", "en"), ("what_happened", "x")],
        &[("a.pdf", b"%PDF-1.7 ...")],
    );
    assert_eq!(not_image.status, 422);

    // A calm report first, then an urgent one with a photo.
    let calm = post_multipart(
        &server.url("/report"),
        &[
            ("lang", "en"),
            ("danger", "no"),
            ("what_happened", "Workers at a farm are not paid"),
        ],
        &[],
    );
    assert_eq!(calm.status, 200, "{}", calm.body);
    let urgent = post_multipart(
        &server.url("/report"),
        &[
            ("lang", "en"),
            ("danger", "yes"),
            ("country", "ES"),
            ("city", "Madrid"),
            ("what_happened", WORDS),
            ("phones", "call +1 (213) 555-0147"),
        ],
        &[("flat.jpg", &jpeg_with_gps())],
    );
    assert_eq!(urgent.status, 200, "{}", urgent.body);
    let code = receipt_in(&urgent.body);

    // The receipt must be confirmed; a wrong copy shows it again.
    let wrong = post_form(
        &server.url("/report/confirm"),
        &[("lang", "en"), ("code", &code), ("typed", "AAAA-BBBB")],
        None,
    );
    assert_eq!(wrong.status, 422);
    assert_eq!(receipt_in(&wrong.body), code);
    let right = post_form(
        &server.url("/report/confirm"),
        &[
            ("lang", "en"),
            ("code", &code),
            ("typed", &code.to_lowercase()),
        ],
        None,
    );
    assert_eq!(right.status, 200);
    assert!(
        !right.body.contains(&code),
        "the code is not shown again once confirmed"
    );

    // The reporter follows up: status only, nothing else.
    let status = post_form(
        &server.url("/followup"),
        &[("lang", "en"), ("code", &code)],
        None,
    );
    assert_eq!(status.status, 200);
    assert!(status.body.contains("Received, waiting to be read"));
    assert!(
        !status.body.contains("passports"),
        "the reporter's page does not echo the report"
    );
    let unknown = post_form(
        &server.url("/followup"),
        &[("lang", "en"), ("code", "0000-0000-0000-0000-0000")],
        None,
    );
    assert_eq!(unknown.status, 404);
    let added = post_form(
        &server.url("/followup/add"),
        &[
            ("lang", "en"),
            ("code", &code),
            ("text", "The van is white"),
        ],
        None,
    );
    assert!(added.body.contains("was added"));

    // Staff: no session, no access.
    let anonymous = get(&server.url("/staff"), None);
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), Some("/staff/login"));
    let bad_code = post_form(
        &server.url("/staff/login"),
        &[
            ("name", "alice"),
            ("password", PASSWORD),
            ("code", "000000"),
        ],
        None,
    );
    assert_eq!(bad_code.status, 401);
    let bad_password = post_form(
        &server.url("/staff/login"),
        &[
            ("name", "alice"),
            ("password", "wrong wrong wrong"),
            ("code", "000000"),
        ],
        None,
    );
    assert_eq!(bad_password.status, 401);

    let (cookie, csrf) = sign_in(&server, &site);
    let inbox = get(&server.url("/staff"), Some(&cookie));
    let urgent_at = inbox
        .body
        .find("immediate danger")
        .expect("urgent report listed");
    let calm_at = inbox
        .body
        .find("no immediate danger")
        .expect("calm report listed");
    assert!(urgent_at < calm_at, "immediate danger first");
    assert!(
        inbox.body.contains("Three young women"),
        "staff read the sealed report"
    );

    let tip = get(&server.url("/staff/tips/2"), Some(&cookie));
    assert_eq!(tip.status, 200);
    assert!(tip.body.contains(WORDS));
    assert!(
        tip.body.contains("+12135550147"),
        "phone extracted in E.164"
    );
    assert!(
        tip.body.contains("The van is white"),
        "the reporter's addition"
    );
    assert!(tip.body.contains("Indicators"));
    let attachment_at = tip
        .body
        .find("/staff/attachments/")
        .expect("attachment linked");
    let attachment_id: String = tip.body[attachment_at + 19..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let mut image = Vec::new();
    agent()
        .get(&server.url(&format!("/staff/attachments/{attachment_id}")))
        .header("Cookie", &cookie)
        .call()
        .unwrap()
        .body_mut()
        .as_reader()
        .read_to_end(&mut image)
        .unwrap();
    assert!(
        image.starts_with(&[0xFF, 0xD8]) && !contains(&image, b"GPSLatitude"),
        "EXIF stripped"
    );

    // Forged forms are refused; real ones work.
    let forged = post_form(
        &server.url("/staff/tips/2/reply"),
        &[("csrf", "forged"), ("text", "hi")],
        Some(&cookie),
    );
    assert_eq!(forged.status, 403);
    let sent = post_form(
        &server.url("/staff/tips/2/reply"),
        &[
            ("csrf", &csrf),
            ("text", "We are looking into it. Stay safe."),
        ],
        Some(&cookie),
    );
    assert_eq!(sent.status, 303);
    let triaged = post_form(
        &server.url("/staff/tips/2/status"),
        &[("csrf", &csrf), ("status", "triaged"), ("case_ref", "")],
        Some(&cookie),
    );
    assert_eq!(triaged.status, 303);
    let bad_status = post_form(
        &server.url("/staff/tips/2/status"),
        &[("csrf", &csrf), ("status", "deleted"), ("case_ref", "")],
        Some(&cookie),
    );
    assert_eq!(bad_status.status, 422);

    let status = post_form(
        &server.url("/followup"),
        &[("lang", "en"), ("code", &code)],
        None,
    );
    assert!(
        status.body.contains("We are looking into it. Stay safe."),
        "the reporter reads the reply"
    );
    assert!(status.body.contains("Read by our staff"));

    let search = get(&server.url("/staff/search?q=213.555.0147"), Some(&cookie));
    assert!(
        search.body.contains("+12135550147") && search.body.contains("T-2"),
        "search finds the tip"
    );

    let audit = get(&server.url("/staff/audit"), Some(&cookie));
    for action in [
        "login",
        "read</td><td>tip:2",
        "update</td><td>tip:2",
        "search",
    ] {
        assert!(audit.body.contains(action), "audit has {action}");
    }

    // Help: the directory never shows a confidential shelter's address.
    let help = get(&server.url("/help?lang=en&place=Madrid&kind=shelter"), None);
    assert_eq!(help.status, 200);
    assert!(help.body.contains("Address withheld"), "{}", help.body);

    // Every staff access went to the ledger too; the API proves inclusion.
    let proof = get(&server.url("/staff/ledger/proof/0"), Some(&cookie));
    assert_eq!(proof.status, 200, "{}", proof.body);
    assert!(proof.body.contains("\"tree_size\"") && proof.body.contains("ctip-audit-ledger"));

    let log = server.stop();
    let verify = ctip()
        .args(site.ledger_args())
        .args(["verify"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("ledger verified"));
    assert!(
        log.contains("/staff"),
        "the log records staff requests: {log}"
    );
    for secret in [
        "127.0.0.1",
        UA,
        "reporter-device",
        "passports",
        "555-0147",
        "5550147",
        &code,
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}:\n{log}");
    }
    let secrets = [
        "127.0.0.1",
        UA,
        "reporter-device",
        "passports taken",
        "bakery",
        "The van is white",
        "Stay safe",
        "GPSLatitude",
        code.as_str(),
    ];
    if let Some(url) = &database {
        // PostgreSQL keeps its files elsewhere: read back every text and
        // blob column of the tip line's tables instead.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dump = runtime.block_on(async {
            let db = ctip_store::tipline::TipDb::connect(url).await.unwrap();
            db.dump_for_inspection().await.unwrap()
        });
        assert!(contains(&dump, b"alice"), "the dump reads the tables");
        for secret in secrets {
            assert!(
                !contains(&dump, secret.as_bytes()),
                "PostgreSQL holds {secret:?}"
            );
        }
    } else {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(site.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().contains("tipline.sqlite") {
                files.push(path);
            }
        }
        assert!(!files.is_empty());
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            for secret in [
                "127.0.0.1",
                UA,
                "reporter-device",
                "passports taken",
                "bakery",
                "The van is white",
                "Stay safe",
                "GPSLatitude",
                &code,
            ] {
                assert!(
                    !contains(&bytes, secret.as_bytes()),
                    "{} contains {secret:?}",
                    display(&path)
                );
            }
        }
    }
}

/// Edits one stored ledger entry behind the server's back, as someone with
/// the database file could: the append-only triggers go first.
fn tamper_with_ledger(site: &Site) {
    let path = site.dir.path().join("ctip.tipline.sqlite");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        sqlx::raw_sql(
            "DROP TRIGGER ledger_entries_no_update; \
             UPDATE ledger_entries SET encoded = CAST(REPLACE(CAST(encoded AS TEXT), 'read', 'load') AS BLOB) WHERE seq = 1",
        )
        .execute(&mut conn)
        .await
        .unwrap();
    });
}

#[test]
fn a_tampered_ledger_fails_verification() {
    let site = Site::new(None);
    let server = site.start(&[]);
    let (cookie, _) = sign_in(&server, &site);
    for _ in 0..3 {
        assert_eq!(get(&server.url("/staff"), Some(&cookie)).status, 200);
    }
    drop(server);
    let clean = ctip()
        .args(site.ledger_args())
        .args(["verify"])
        .output()
        .unwrap();
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    tamper_with_ledger(&site);
    let tampered = ctip()
        .args(site.ledger_args())
        .args(["verify"])
        .output()
        .unwrap();
    assert_eq!(
        tampered.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&tampered.stdout)
    );
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("does NOT verify"));
    // The server refuses to start on a tampered log.
    let mut restart = ctip()
        .args(site.args())
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = restart.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn tip_line_on_sqlite() {
    tip_line_flow(None);
}

#[test]
fn tip_line_on_postgres() {
    match std::env::var("CTIP_TEST_POSTGRES_URL") {
        Ok(url) => tip_line_flow(Some(fresh_postgres_database(&url))),
        Err(_) => eprintln!("CTIP_TEST_POSTGRES_URL is not set; skipping the PostgreSQL run"),
    }
}

#[test]
fn reports_are_rate_limited_without_recording_anyone() {
    let site = Site::new(None);
    let server = site.start(&["--tips-per-hour", "2"]);
    let send = || {
        post_multipart(
            &server.url("/report"),
            &[("lang", "en"), ("what_happened", "test")],
            &[],
        )
        .status
    };
    assert_eq!(send(), 200);
    assert_eq!(send(), 200);
    assert_eq!(send(), 429);
}

#[test]
fn setup_errors_are_clear() {
    let site = Site::new(None);
    let again = ctip()
        .args(site.args())
        .args(["init", "--org", "X", "--admin", "bob"])
        .env("CTIP_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already set up"));
    let weak = add_bob(&site, PASSWORD, "short");
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12"));
    let intruder = add_bob(&site, "not the password", "a good long password");
    assert_eq!(intruder.status.code(), Some(1));
    let bad_hsds = site.dir.path().join("bad.json");
    std::fs::write(
        &bad_hsds,
        r#"{"contents": [{"id": "not-a-uuid", "name": 7}]}"#,
    )
    .unwrap();
    let rejected = ctip()
        .args(site.args())
        .args(["directory", "import"])
        .arg(&bad_hsds)
        .output()
        .unwrap();
    assert_eq!(rejected.status.code(), Some(1));
    let message = String::from_utf8_lossy(&rejected.stderr);
    assert!(
        message.contains("/contents/0") || message.contains("/0/"),
        "the error names the path: {message}"
    );
    let added = add_bob(&site, PASSWORD, "a good long password");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
}

#[test]
fn tips_are_cross_checked_against_scanned_networks() {
    let site = Site::new(None);
    let store = site.dir.path().join("ctip.sqlite");
    let corpus = site.dir.path().join("synth");
    let out = ctip()
        .args(["synth", "--ads", "3000", "--seed", "3", "--out"])
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = ctip()
        .arg("scan")
        .arg(corpus.join("ads.jsonl"))
        .arg("--db")
        .arg(&store)
        .arg("--out")
        .arg(site.dir.path().join("out"))
        .args(["--networks", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = ctip()
        .args(["networks", "--db"])
        .arg(&store)
        .args(["list", "--json", "--limit", "1"])
        .output()
        .unwrap();
    let networks: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let network = &networks[0];
    let id = network["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("N-")
        .to_owned();
    let phone = network["summary"]["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "phone")
        .and_then(|i| i["value"].as_str())
        .expect("the largest network has a phone")
        .to_owned();

    let server = site.start(&[]);
    let sent = post_multipart(
        &server.url("/report"),
        &[
            ("lang", "en"),
            (
                "what_happened",
                &format!("A girl is made to answer calls on {phone}"),
            ),
        ],
        &[],
    );
    assert_eq!(sent.status, 200);
    let (cookie, _) = sign_in(&server, &site);
    let tip = get(&server.url("/staff/tips/1"), Some(&cookie));
    assert!(
        tip.body.contains(&format!(
            "appears in network <a href=\"/staff/networks/{id}\">N-{id}</a>"
        )),
        "{}",
        tip.body
    );
    let page = get(&server.url(&format!("/staff/networks/{id}")), Some(&cookie));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("Network N-{id}")) && page.body.contains(&phone),
        "the network page shows its identifiers"
    );
    assert!(
        page.body.contains("<svg"),
        "the network page draws the graph"
    );
    assert_eq!(
        get(&server.url("/staff/networks/999999"), Some(&cookie)).status,
        404
    );
}
