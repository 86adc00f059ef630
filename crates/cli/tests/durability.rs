//! Crash durability of the tip line: reporters submit without pause, the
//! server is killed with SIGKILL in the middle, restarted on the same
//! database and port, and afterwards every receipt a reporter was shown must
//! lead to a report that opens with the organisation's key
//! (`ctip serve check-receipts`).
//!
//! The full-size version, under 100 concurrent reporters in release builds,
//! is bench/tipline/durability.sh.

use ctip_tipline::ReceiptCode;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";
const REPORTERS: usize = 6;

fn ctip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
}

struct Site {
    dir: tempfile::TempDir,
}

/// A running server, killed (SIGKILL) when dropped so a failing test leaves
/// no process behind.
struct Server(Child);

impl Server {
    fn kill9(&mut self) {
        // `Child::kill` sends SIGKILL on Unix: no graceful shutdown, requests
        // in flight are cut off.
        self.0.kill().expect("kill -9 the server");
        self.0.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Site {
    fn args(&self) -> Vec<String> {
        vec![
            "serve".into(),
            "--store".into(),
            self.dir.path().join("ctip.sqlite").display().to_string(),
            "--receipt-key".into(),
            self.dir.path().join("receipt.key").display().to_string(),
        ]
    }

    fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        let out = ctip()
            .args(site.args())
            .args(["init", "--org", "Test NGO", "--admin", "alice"])
            .env("CTIP_PASSWORD", PASSWORD)
            .output()
            .expect("run ctip");
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        site
    }

    /// Starts the server on `listen` and returns it with its base URL.
    fn start(&self, listen: &str) -> (Server, String) {
        let log = self.dir.path().join("server.log");
        let mut child = ctip()
            .args(self.args())
            .args(["--listen", listen, "--tips-per-hour", "0"])
            .stdout(Stdio::piped())
            .stderr(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&log)
                    .expect("log file"),
            )
            .spawn()
            .expect("start ctip serve");
        let stdout = child.stdout.take().expect("stdout");
        let server = Server(child);
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let Some(base) = line.trim().strip_prefix("ctip serve: listening on ") else {
            panic!(
                "unexpected first line {line:?}; log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        (server, base.to_owned())
    }

    fn check_receipts(&self, file: &Path) -> Output {
        ctip()
            .args(self.args())
            .args(["check-receipts", "--by", "alice"])
            .arg(file)
            .env("CTIP_ADMIN_PASSWORD", PASSWORD)
            .output()
            .expect("run check-receipts")
    }
}

/// What reporters share: where to post, what they were given, when to stop.
struct Reporters {
    url: String,
    receipts: Mutex<Vec<String>>,
    failures: AtomicU64,
    stop: AtomicBool,
}

fn multipart(boundary: &str, n: u64) -> Vec<u8> {
    let fields = [
        ("lang", "en".to_owned()),
        (
            "danger",
            if n.is_multiple_of(5) { "yes" } else { "unsure" }.to_owned(),
        ),
        ("country", "GB".to_owned()),
        (
            "what_happened",
            format!(
                "Report {n}: four women driven to the car wash at 6am, passports kept by the boss."
            ),
        ),
        ("phones", format!("+44 7700 900{:03}", n % 1000)),
    ];
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn receipt_on(page: &str) -> Option<String> {
    let start = page.find("id=\"receipt\">")? + "id=\"receipt\">".len();
    let end = start + page[start..].find('<')?;
    Some(page[start..end].trim().to_owned())
}

fn report_until_stopped(shared: &Reporters, reporter: u64) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let boundary = format!("----durability{reporter}");
    let mut n = reporter * 1_000_000;
    while !shared.stop.load(Ordering::Relaxed) {
        n += 1;
        let sent = agent
            .post(&shared.url)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&multipart(&boundary, n)[..]);
        let receipt = sent.ok().and_then(|mut response| {
            let ok = response.status() == 200;
            let page = response.body_mut().read_to_string().ok()?;
            if ok { receipt_on(&page) } else { None }
        });
        match receipt {
            Some(code) => shared.receipts.lock().expect("receipts lock").push(code),
            None => {
                shared.failures.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Waits until reporters hold at least `count` receipts; the bound only
/// keeps a broken server from hanging the test.
fn wait_for_receipts(shared: &Reporters, count: usize) {
    let give_up = Instant::now() + Duration::from_secs(120);
    loop {
        let have = shared.receipts.lock().expect("receipts lock").len();
        if have >= count {
            return;
        }
        assert!(
            Instant::now() < give_up,
            "only {have} of {count} receipts; failures: {}",
            shared.failures.load(Ordering::Relaxed)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn line_value(stdout: &str, label: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
}

#[test]
fn every_receipt_survives_a_sigkill_under_load() {
    let site = Site::new();
    let (mut server, base) = site.start("127.0.0.1:0");
    let listen = base
        .strip_prefix("http://")
        .expect("an http URL")
        .to_owned();
    let shared = Arc::new(Reporters {
        url: format!("{base}/report"),
        receipts: Mutex::new(Vec::new()),
        failures: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    let reporters: Vec<_> = (0..REPORTERS as u64)
        .map(|i| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || report_until_stopped(&shared, i))
        })
        .collect();

    wait_for_receipts(&shared, 40);
    server.kill9();
    let before_restart = shared.receipts.lock().expect("receipts lock").len();
    // Reporters keep hammering the dead port for a moment.
    std::thread::sleep(Duration::from_millis(200));
    let (restarted, _) = site.start(&listen);
    wait_for_receipts(&shared, before_restart + 40);
    shared.stop.store(true, Ordering::Relaxed);
    for r in reporters {
        r.join().expect("reporter thread");
    }
    drop(restarted);

    let receipts = shared.receipts.lock().expect("receipts lock").clone();
    assert!(
        shared.failures.load(Ordering::Relaxed) > 0,
        "the server was killed while reporters were submitting, so some submissions must fail"
    );
    let file: PathBuf = site.dir.path().join("receipts.txt");
    std::fs::write(&file, receipts.join("\n") + "\n").expect("write receipts");
    let out = site.check_receipts(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check-receipts failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        line_value(&stdout, "present and decryptable:"),
        Some(receipts.len() as u64),
        "{stdout}"
    );
    assert_eq!(line_value(&stdout, "missing:"), Some(0), "{stdout}");

    // The same check must notice a receipt the server never issued.
    let mut with_stranger = receipts;
    with_stranger.push(ReceiptCode::generate().display());
    std::fs::write(&file, with_stranger.join("\n")).expect("write receipts");
    let out = site.check_receipts(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert_eq!(line_value(&stdout, "missing:"), Some(1), "{stdout}");
}
