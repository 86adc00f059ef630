//! Load generator for the tip line: many concurrent reporters submitting the
//! questionnaire over real HTTP, each keeping the receipt it was shown.
//!
//! ```text
//! cargo run --release -p ctip-server --example tip_load -- \
//!     --url http://127.0.0.1:PORT --concurrency 100 --duration 30 --receipts receipts.txt
//! ```
//!
//! Each reporter is a thread with its own keep-alive connection (as one
//! browser would have) that loops: build a varied report, POST it as
//! `multipart/form-data` to `/report`, read the receipt code out of the
//! receipt page, append it to the receipts file, record the latency.
//!
//! The receipts file is the durability test's ground truth: a line is
//! written, with one unbuffered `write` per line, only after the whole
//! receipt page arrived, so every line is a report the server acknowledged.
//! If the server dies, reporters count the connection errors and keep
//! trying until the run ends, so the same run spans a crash and a restart.
//!
//! `--write-wrk-script FILE` writes a Lua script for `wrk` that posts one
//! fixed report built the same way, for a peer measurement.

use clap::Parser;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Drive the tip line with concurrent reporters")]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, required_unless_present = "write_wrk_script")]
    url: Option<String>,
    /// Reporters submitting at once.
    #[arg(long, default_value_t = 100)]
    concurrency: usize,
    /// Seconds to keep submitting.
    #[arg(long, default_value_t = 30.0)]
    duration: f64,
    /// Seconds at the start left out of the steady-state figures.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Append every receipt code received here, one per line.
    #[arg(long)]
    receipts: Option<PathBuf>,
    /// Share of reports that answer "yes" to immediate danger.
    #[arg(long, default_value_t = 0.2)]
    danger_share: f64,
    /// Print completed and failed submissions every second (stderr).
    #[arg(long)]
    progress: bool,
    /// Seed for the report texts (default: random).
    #[arg(long)]
    seed: Option<u64>,
    /// Write a wrk Lua script posting one fixed report, then exit.
    #[arg(long)]
    write_wrk_script: Option<PathBuf>,
}

/// What became of one submission.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// 200 with a receipt code on the page.
    Receipt,
    /// 200 but no receipt code could be read from the page.
    NoReceipt,
    /// Any other HTTP status.
    Status(u16),
    /// No HTTP answer: refused, reset, timed out.
    Transport(String),
}

impl Outcome {
    fn label(&self) -> String {
        match self {
            Outcome::Receipt => "receipt".into(),
            Outcome::NoReceipt => "200 without a receipt".into(),
            Outcome::Status(s) => format!("HTTP {s}"),
            Outcome::Transport(kind) => format!("transport: {kind}"),
        }
    }
}

struct Sample {
    /// When the request was sent, from the start of the run.
    started: Duration,
    latency: Duration,
    outcome: Outcome,
}

/// Builds varied, plausible reports. The texts are invented; the phone
/// numbers use ranges set aside for fiction or examples where one exists.
struct ReportMaker {
    rng: fastrand::Rng,
    danger_share: f64,
}

const PLACES: &[(&str, &str, &str, usize, &str)] = &[
    // country, city, phone prefix, digits after it, language of the page
    ("GB", "Leeds", "+44 7700 900", 3, "en"),
    ("GB", "Birmingham", "+44 7700 900", 3, "en"),
    ("US", "Houston", "+1 713 555 01", 2, "en"),
    ("US", "Newark", "+1 973 555 01", 2, "es"),
    ("ES", "Murcia", "+34 612 34", 4, "es"),
    ("MX", "Tijuana", "+52 664 555 0", 3, "es"),
    ("FR", "Lyon", "+33 6 12 34 ", 4, "fr"),
    ("BE", "Antwerpen", "+32 470 12 ", 4, "fr"),
    ("PT", "Porto", "+351 912 345 ", 3, "pt"),
    ("BR", "Recife", "+55 81 98765 ", 4, "pt"),
    ("AE", "Dubai", "+971 50 123 ", 4, "ar"),
    ("PH", "Cebu", "+63 917 555 ", 4, "en"),
    ("TH", "Pattaya", "+66 81 234 ", 4, "en"),
    ("DE", "Frankfurt", "+49 1512 3456 ", 4, "en"),
    // Reporters who leave the country and city blank.
    ("", "", "+44 7700 900", 3, "en"),
];

const OPENINGS: &[&str] = &[
    "I work in a shop next to a nail bar where the same four young women arrive together every morning.",
    "My cousin answered an online advert for cleaning work abroad and now she cannot leave the house she was taken to.",
    "There is a flat above the car wash on the main road where men come and go all night.",
    "A friend of my daughter, 16, says an older man promised her modelling work and now she is told to meet his friends.",
    "I drive a taxi and I keep picking up the same girls from a hotel and taking them to different addresses.",
    "On the farm where I pick fruit, the foreman keeps our passports and takes most of our wages for 'rent'.",
    "Neighbours have noticed a house where the windows are covered and nobody who lives there goes out alone.",
    "I answered an advert for restaurant work; the man who met us at the airport took our phones.",
];

const DETAILS: &[&str] = &[
    "The boss keeps their passports in a safe in the back office.",
    "They are driven to work at 6 in the morning in a white van and brought back after midnight.",
    "A man who calls himself 'Tony' collects money from them every Friday.",
    "They do not speak the language and look frightened when customers talk to them.",
    "One of them told me she owes 8,000 euros for the journey and that the debt keeps growing.",
    "The same photos appear in escort ads with different names every week.",
    "They sleep in the back room, six to a room, on mattresses on the floor.",
    "I saw bruises on the arm of the youngest one.",
    "They are never allowed to talk to anyone without the manager standing next to them.",
    "The adverts always ask for 'young girls, new in town' and give a phone number for WhatsApp only.",
    "When I asked if she was OK she looked at the door and said she could not talk.",
    "Men arrive in groups late at night and stay for less than an hour.",
];

const WHEN: &[&str] = &[
    "Every day for the last two months",
    "Last night around 11pm",
    "Since March",
    "This morning",
    "Most weekends",
    "",
];

const PEOPLE: &[&str] = &[
    "Four women, maybe 18 to 25; a man in his 40s with a shaved head",
    "Two girls who look younger than 18, and a woman who gives orders",
    "A tall man with a scar on his chin who drives a grey car",
    "About ten workers, most from the same country; the foreman 'Marco'",
    "",
];

const VEHICLES: &[&str] = &[
    "White Ford Transit van",
    "Grey Toyota Corolla, partial plate KX17",
    "Black BMW with tinted windows",
    "",
];

const HANDLES: &[&str] = &["@sweet_", "@newgirls", "@vip.models", "@jobs_abroad_", ""];

const STREETS: &[&str] = &[
    "Station Road",
    "Calle Mayor",
    "Rue de la République",
    "Avenida da Liberdade",
    "Industrial estate, unit",
    "Market Street",
];

impl ReportMaker {
    fn new(seed: u64, danger_share: f64) -> ReportMaker {
        ReportMaker {
            rng: fastrand::Rng::with_seed(seed),
            danger_share,
        }
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.rng.u8(0..10)))
            .collect()
    }

    /// One report as (field, value) pairs, in the questionnaire's order.
    fn report(&mut self) -> Vec<(&'static str, String)> {
        let (country, city, phone_prefix, phone_digits, lang) =
            PLACES[self.rng.usize(..PLACES.len())];
        let phone = format!("{phone_prefix}{}", self.digits(phone_digits));
        let mut details: Vec<&str> = DETAILS.to_vec();
        self.rng.shuffle(&mut details);
        let n_details = self.rng.usize(2..=5);
        let mut what = String::from(self.pick(OPENINGS));
        for d in &details[..n_details] {
            what.push(' ');
            what.push_str(d);
        }
        if self.rng.bool() {
            what.push_str(&format!(" The number in the adverts is {phone}."));
        }
        let danger = if self.rng.f64() < self.danger_share {
            "yes"
        } else if self.rng.bool() {
            "no"
        } else {
            "unsure"
        };
        let handle = self.pick(HANDLES);
        let handles = if handle.is_empty() {
            String::new()
        } else {
            format!("{handle}{}", self.digits(3))
        };
        let address = if self.rng.bool() {
            format!("{} {}", self.pick(STREETS), self.rng.u32(1..200))
        } else {
            String::new()
        };
        vec![
            ("lang", lang.to_owned()),
            ("danger", danger.to_owned()),
            ("country", country.to_owned()),
            ("city", city.to_owned()),
            ("what_happened", what),
            ("when", self.pick(WHEN).to_owned()),
            ("people", self.pick(PEOPLE).to_owned()),
            ("phones", phone),
            ("handles", handles),
            ("vehicles", self.pick(VEHICLES).to_owned()),
            ("addresses", address),
            ("contact", String::new()),
        ]
    }

    /// A boundary as browsers make them: a fixed prefix and random letters.
    fn boundary(&mut self) -> String {
        let tail: String = (0..16).map(|_| self.rng.alphanumeric()).collect();
        format!("----ctipLoadFormBoundary{tail}")
    }
}

/// The body a browser sends for the questionnaire: every text field, then
/// the file input left empty (a part with an empty file name).
fn multipart_body(boundary: &str, fields: &[(&str, String)]) -> Vec<u8> {
    let mut body = Vec::with_capacity(4096);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    body
}

/// The receipt code on the receipt page (`<p class="receipt" id="receipt">`).
fn receipt_code(page: &str) -> Option<&str> {
    const MARK: &str = "id=\"receipt\">";
    let start = page.find(MARK)? + MARK.len();
    let end = start + page[start..].find('<')?;
    let code = page[start..end].trim();
    // 20 characters in five groups of four.
    let well_formed = code.len() == 24
        && code
            .split('-')
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_alphanumeric()));
    well_formed.then_some(code)
}

/// Shared between reporters while the run lasts.
struct Run {
    url: String,
    start: Instant,
    deadline: Instant,
    receipts: Option<Mutex<File>>,
    completed: AtomicU64,
    failed: AtomicU64,
    stop: AtomicBool,
}

fn reporter(run: &Run, seed: u64, danger_share: f64) -> Vec<Sample> {
    let mut maker = ReportMaker::new(seed, danger_share);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut samples = Vec::with_capacity(1024);
    while Instant::now() < run.deadline && !run.stop.load(Ordering::Relaxed) {
        let fields = maker.report();
        let boundary = maker.boundary();
        let body = multipart_body(&boundary, &fields);
        let sent = Instant::now();
        let result = agent
            .post(&run.url)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body[..]);
        let outcome = match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                match response.body_mut().read_to_string() {
                    Ok(page) if status == 200 => match receipt_code(&page) {
                        Some(code) => {
                            if let Some(file) = &run.receipts {
                                record_receipt(file, code);
                            }
                            Outcome::Receipt
                        }
                        None => Outcome::NoReceipt,
                    },
                    Ok(_) => Outcome::Status(status),
                    Err(e) => Outcome::Transport(transport_kind(&e)),
                }
            }
            Err(e) => Outcome::Transport(transport_kind(&e)),
        };
        let latency = sent.elapsed();
        let failed = outcome != Outcome::Receipt;
        let backoff = matches!(outcome, Outcome::Transport(_));
        samples.push(Sample {
            started: sent.duration_since(run.start),
            latency,
            outcome,
        });
        if failed {
            run.failed.fetch_add(1, Ordering::Relaxed);
        } else {
            run.completed.fetch_add(1, Ordering::Relaxed);
        }
        if backoff {
            // The server is down or restarting: do not spin on refused
            // connections, but come back fast enough to see it return.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    samples
}

/// One `write` per receipt on an unbuffered file: a receipt is on disk (in
/// the page cache) as soon as it is received, whatever happens next.
fn record_receipt(file: &Mutex<File>, code: &str) {
    let line = format!("{code}\n");
    let mut file = match file.lock() {
        Ok(f) => f,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Err(e) = file.write_all(line.as_bytes()) {
        eprintln!("tip_load: cannot record a receipt: {e}");
    }
}

fn transport_kind(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("{:?}", io.kind()),
        ureq::Error::Timeout(_) => "timeout".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => {
            let text = other.to_string();
            text.chars().take(40).collect()
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Prints the figures for `samples`, taken over `window`.
fn summarise(title: &str, samples: &[&Sample], window: Duration) {
    let mut by_outcome: BTreeMap<String, u64> = BTreeMap::new();
    for s in samples {
        *by_outcome.entry(s.outcome.label()).or_default() += 1;
    }
    let mut latencies: Vec<Duration> = samples
        .iter()
        .filter(|s| s.outcome == Outcome::Receipt)
        .map(|s| s.latency)
        .collect();
    latencies.sort_unstable();
    let receipts = latencies.len();
    let secs = window.as_secs_f64().max(f64::EPSILON);
    println!("== {title} ({:.1} s)", window.as_secs_f64());
    println!("  requests:        {}", samples.len());
    println!("  with a receipt:  {receipts}");
    for (label, count) in &by_outcome {
        if label != "receipt" {
            println!("  error {label}: {count}");
        }
    }
    println!(
        "  throughput:      {:.1} submissions/s",
        receipts as f64 / secs
    );
    println!(
        "  latency (receipts): p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
}

/// A Lua string literal holding `bytes` exactly.
fn lua_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(char::from(b)),
            // Decimal escapes work in Lua 5.1 and LuaJIT alike; three
            // digits so a following digit is not read as part of it.
            other => out.push_str(&format!("\\{other:03}")),
        }
    }
    out.push('"');
    out
}

fn write_wrk_script(path: &PathBuf, seed: u64, danger_share: f64) -> std::io::Result<()> {
    let mut maker = ReportMaker::new(seed, danger_share);
    let fields = maker.report();
    let boundary = maker.boundary();
    let body = multipart_body(&boundary, &fields);
    let script = format!(
        r#"-- Generated by tip_load --write-wrk-script: posts one fixed tip-line report.
-- Every request still creates a new report (new receipt, new sealing).
wrk.method = "POST"
wrk.path = "/report"
wrk.headers["Content-Type"] = "multipart/form-data; boundary={boundary}"
wrk.body = {body}

local statuses = {{}}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("wrk: %d requests in %.1f s, %.1f requests/s\n",
    summary.requests, secs, summary.requests / secs))
  io.write(string.format("wrk: socket errors connect %d read %d write %d timeout %d; non-2xx/3xx %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  io.write(string.format("wrk: latency p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"#,
        body = lua_string(&body),
    );
    std::fs::write(path, script)
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    if let Some(path) = &args.write_wrk_script {
        return match write_wrk_script(path, seed, args.danger_share) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tip_load: cannot write {}: {e}", path.display());
                std::process::ExitCode::FAILURE
            }
        };
    }
    let Some(base) = args.url.as_deref() else {
        eprintln!("tip_load: --url is required");
        return std::process::ExitCode::FAILURE;
    };
    if args.concurrency == 0 || args.duration.is_nan() || args.duration <= 0.0 {
        eprintln!("tip_load: --concurrency and --duration must be positive");
        return std::process::ExitCode::FAILURE;
    }
    let receipts = match &args.receipts {
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(file) => Some(Mutex::new(file)),
            Err(e) => {
                eprintln!("tip_load: cannot open {}: {e}", path.display());
                return std::process::ExitCode::FAILURE;
            }
        },
        None => None,
    };
    let duration = Duration::from_secs_f64(args.duration);
    let start = Instant::now();
    let run = Arc::new(Run {
        url: format!("{}/report", base.trim_end_matches('/')),
        start,
        deadline: start + duration,
        receipts,
        completed: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    });
    println!(
        "tip_load: {} reporters for {:.0} s against {}",
        args.concurrency, args.duration, run.url
    );
    let progress = args.progress.then(|| {
        let run = Arc::clone(&run);
        std::thread::spawn(move || {
            let (mut last_ok, mut last_failed) = (0, 0);
            let mut second = 0u64;
            while !run.stop.load(Ordering::Relaxed) {
                second += 1;
                let due = run.start + Duration::from_secs(second);
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let ok = run.completed.load(Ordering::Relaxed);
                let failed = run.failed.load(Ordering::Relaxed);
                eprintln!(
                    "t={second:>3}s  receipts/s {:>5}  failures/s {:>5}  receipts total {ok}",
                    ok - last_ok,
                    failed - last_failed
                );
                (last_ok, last_failed) = (ok, failed);
            }
        })
    });
    let reporters: Vec<_> = (0..args.concurrency)
        .map(|i| {
            let run = Arc::clone(&run);
            let danger_share = args.danger_share;
            let reporter_seed = seed.wrapping_add(i as u64);
            std::thread::Builder::new()
                .name(format!("reporter-{i}"))
                .spawn(move || reporter(&run, reporter_seed, danger_share))
        })
        .collect();
    let mut samples = Vec::new();
    for handle in reporters {
        match handle {
            Ok(h) => match h.join() {
                Ok(s) => samples.extend(s),
                Err(_) => eprintln!("tip_load: a reporter thread panicked"),
            },
            Err(e) => eprintln!("tip_load: cannot start a reporter: {e}"),
        }
    }
    let elapsed = start.elapsed();
    run.stop.store(true, Ordering::Relaxed);
    if let Some(p) = progress {
        let _ = p.join();
    }

    let all: Vec<&Sample> = samples.iter().collect();
    summarise("whole run", &all, elapsed);
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    // With no warm-up the steady state is the whole run, already printed.
    if !warmup.is_zero() && warmup < duration {
        let steady: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.started >= warmup && s.started < duration)
            .collect();
        summarise(
            &format!("steady state (requests sent after {:.0} s)", args.warmup),
            &steady,
            duration - warmup,
        );
    }
    let acknowledged = samples
        .iter()
        .filter(|s| s.outcome == Outcome::Receipt)
        .count();
    if acknowledged == 0 {
        eprintln!("tip_load: no submission received a receipt");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_code_from_a_receipt_page() {
        let page = r#"<h1>Keep this code</h1><p class="receipt" id="receipt">7KQF-2M9X-AB12-CD34-EF56</p><form>"#;
        assert_eq!(receipt_code(page), Some("7KQF-2M9X-AB12-CD34-EF56"));
        assert_eq!(receipt_code("<p>no receipt here</p>"), None);
        assert_eq!(receipt_code(r#"<p id="receipt">short</p>"#), None);
    }

    #[test]
    fn lua_literal_escapes_what_lua_would_misread() {
        assert_eq!(lua_string(b"a\"b\\c\r\n"), r#""a\"b\\c\r\n""#);
        assert_eq!(lua_string("é1".as_bytes()), r#""\195\1691""#);
    }

    #[test]
    fn reports_vary_and_carry_a_phone() {
        let mut maker = ReportMaker::new(7, 0.5);
        let a = maker.report();
        let b = maker.report();
        assert_ne!(a, b);
        for report in [a, b] {
            let phone = report.iter().find(|(n, _)| *n == "phones").map(|(_, v)| v);
            assert!(phone.is_some_and(|p| p.starts_with('+')));
        }
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&values, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&values, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&values, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }
}
