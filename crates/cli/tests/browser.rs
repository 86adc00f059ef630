//! The tip line and the caseworker pages in a real browser: starts `ctip
//! serve` on loopback, with staff for the case pages, and runs the
//! headless-Chromium suites in `tests/browser/` (Node's test runner driving
//! Debian's `/usr/bin/chromium` with JavaScript disabled, plus axe-core).
//!
//! Needs what `.ci/browser-setup` installs. Without it this test fails and
//! says so, unless `CTIP_SKIP_BROWSER=1` is set, when it only prints a notice.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;

use support::{PASSWORD, Site};

const CHROMIUM: &str = "/usr/bin/chromium";

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

/// Why the browser suite cannot run here, if it cannot.
fn missing_setup() -> Option<String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push(format!("{CHROMIUM} is missing"));
    }
    for package in ["playwright-core", "axe-core"] {
        let dir = suite_dir().join("node_modules").join(package);
        if !dir.is_dir() {
            missing.push(format!("{} is missing", dir.display()));
        }
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => missing.push("node is not on PATH".to_owned()),
    }
    if missing.is_empty() {
        None
    } else {
        Some(missing.join("; "))
    }
}

/// The first service id (in sorted order) of the site's service directory.
fn first_directory_service(site: &Site) -> String {
    let out = site.run(&["directory", "export"], &[]);
    assert!(
        out.status.success(),
        "directory export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let document: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("directory export prints JSON");
    // An HSDS page: organisations under "contents", each with its services.
    let mut ids: Vec<String> = document["contents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|organization| organization["services"].as_array().into_iter().flatten())
        .filter_map(|service| service["id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.into_iter()
        .next()
        .expect("the demo directory has services")
}

/// The staff the case-page suite signs in as, by the part each plays: name,
/// role and `add-staff` options. The caseworker's team is [`CASE_TEAM`]; the
/// other caseworker's is not.
const CASE_STAFF: &[(&str, &str, &str, &[&str])] = &[
    ("caseworker", "cw1", "caseworker", &["--teams", CASE_TEAM]),
    (
        "other_caseworker",
        "cw2",
        "caseworker",
        &["--teams", "team-b"],
    ),
    ("analyst", "ana", "analyst", &[]),
    ("auditor", "aud", "auditor", &[]),
];
const CASE_TEAM: &str = "team-a";

/// Adds the case-page suite's staff (and a provider for `service`) and
/// returns what the suite needs to sign them in, as the JSON of
/// `CTIP_CASE_STAFF`: each part's name and base32 second-factor secret.
fn add_case_staff(site: &mut Site, service: &str) -> String {
    let mut staff = serde_json::Map::new();
    let provider: (&str, &str, &str, &[&str]) =
        ("provider", "prov", "provider", &["--provider", service]);
    for &(part, name, role, extra) in CASE_STAFF.iter().chain([&provider]) {
        site.add_staff("alice", name, role, extra);
        staff.insert(
            part.to_owned(),
            serde_json::json!({ "name": name, "totp": site.totp[name].to_base32() }),
        );
    }
    serde_json::Value::Object(staff).to_string()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Answers one request of the quick-exit target: a neutral page that shows
/// the `Referer` it was sent, so the browser suite can check it got none.
fn serve_neutral_page(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let referer = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("referer"))
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Weather</title></head>\
         <body><h1>Weather</h1><p>neutral page</p><p id=\"referer\">{}</p></body></html>",
        html_escape(&referer)
    );
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// Starts the neutral exit site on a free loopback port; it lives as long as
/// the test process.
fn start_neutral_site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("bound address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = serve_neutral_page(stream);
            });
        }
    });
    format!("http://{addr}/weather")
}

#[test]
fn tip_line_and_case_pages_in_headless_chromium() {
    if std::env::var("CTIP_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser tests skipped: CTIP_SKIP_BROWSER=1");
        return;
    }
    if let Some(why) = missing_setup() {
        panic!(
            "the browser tests cannot run: {why}. Run `.ci/browser-setup` first \
             (or set CTIP_SKIP_BROWSER=1 to skip them)"
        );
    }
    let mut site = Site::new(None);
    let service = first_directory_service(&site);
    let case_staff = add_case_staff(&mut site, &service);
    let exit_url = start_neutral_site();
    let server = site.start(&["--tips-per-hour", "0", "--exit-url", &exit_url]);
    let screenshots = std::env::temp_dir().join(format!(
        "ctip-browser-shots-{}",
        site.dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().trim_start_matches('.').to_owned())
            .unwrap_or_default()
    ));
    let out = Command::new("node")
        .args([
            "--test",
            "--test-reporter=spec",
            "--test-timeout=300000",
            "tests/browser/",
        ])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("CTIP_BASE_URL", &server.base)
        .env("CTIP_EXIT_URL", &exit_url)
        .env("CTIP_CHROMIUM", CHROMIUM)
        .env("CTIP_SCREENSHOT_DIR", &screenshots)
        .env("CTIP_STAFF_PASSWORD", PASSWORD)
        .env("CTIP_CASE_STAFF", &case_staff)
        .env("CTIP_CASE_TEAM", CASE_TEAM)
        .env("CTIP_PROVIDER_SERVICE", &service)
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    // The server logs at debug level: its last lines say what it last did.
    let log = std::fs::read_to_string(&server.stderr).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        out.status.success(),
        "the browser suite failed ({}); the server log's last lines:\n{}",
        out.status,
        lines[lines.len().saturating_sub(60)..].join("\n")
    );
}
