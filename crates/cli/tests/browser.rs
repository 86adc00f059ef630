//! The tip line in a real browser: starts `ctip serve` on loopback and runs
//! the headless-Chromium suite in `tests/browser/` (Node's test runner driving
//! Debian's `/usr/bin/chromium` with JavaScript disabled, plus axe-core).
//!
//! Needs what `.ci/browser-setup` installs. Without it this test fails and
//! says so, unless `CTIP_SKIP_BROWSER=1` is set, when it only prints a notice.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";
const CHROMIUM: &str = "/usr/bin/chromium";

fn ctip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
}

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

/// `ctip serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn store_args(dir: &Path) -> Vec<String> {
    vec![
        "serve".to_owned(),
        "--store".to_owned(),
        dir.join("ctip.sqlite").display().to_string(),
        "--receipt-key".to_owned(),
        dir.join("receipt.key").display().to_string(),
    ]
}

/// A fresh organisation with the demo directory, serving on a free port.
fn start_server(dir: &Path, exit_url: &str) -> Server {
    let out = ctip()
        .args(store_args(dir))
        .args(["init", "--org", "Test NGO", "--admin", "alice"])
        .env("CTIP_PASSWORD", PASSWORD)
        .output()
        .expect("ctip runs");
    assert!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ctip()
        .args(store_args(dir))
        .args(["directory", "import-demo"])
        .output()
        .expect("ctip runs");
    assert!(
        out.status.success(),
        "import-demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = dir.join("server.log");
    let mut child = ctip()
        .args(store_args(dir))
        .args(["--listen", "127.0.0.1:0", "--tips-per-hour", "0"])
        .args(["--exit-url", exit_url])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).expect("server log file"))
        .spawn()
        .expect("ctip serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("ctip serve prints its address");
    let Some(base) = line.trim().strip_prefix("ctip serve: listening on ") else {
        let _ = child.kill();
        panic!(
            "unexpected first line {line:?}; log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    };
    Server {
        base: base.to_owned(),
        child,
        log,
    }
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
fn tip_line_in_headless_chromium() {
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
    let dir = tempfile::tempdir().expect("temp dir");
    let exit_url = start_neutral_site();
    let server = start_server(dir.path(), &exit_url);
    let screenshots = std::env::temp_dir().join(format!(
        "ctip-browser-shots-{}",
        dir.path()
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
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "the browser suite failed ({}); server log:\n{}",
        out.status,
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );
}
