//! Private set intersection between two real `ctip serve` processes on
//! loopback, run through the supervisors' web forms, with a recording proxy
//! between the servers that keeps every byte they exchange.
//!
//! Checks: the intersection equals the plaintext one and both sides show
//! it; cardinality-only mode shows only a count; no identifier crosses the
//! wire, lands in a database or a log in any form we can think of; replayed,
//! tampered, unsigned and foreign-key requests are refused and change
//! nothing; both ledgers verify and hold the sessions; the caps hold.

mod support;

use ctip_server::psi::{ExchangeIdentity, MESSAGES_PATH};
use ctip_share::psi::{ItemHasher, PsiItem, SessionId};
use ctip_tipline::TotpSecret;
use std::collections::HashMap;
use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use support::{PASSWORD, ctip, unix_now};

const SUPERVISOR_PASSWORD: &str = "supervisor passphrase, long enough";

// ---------------------------------------------------------------------------
// A small deterministic generator (the seed is printed, so a failure can be
// replayed with CTIP_TEST_SEED).

struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("CTIP_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("psi_http seed: CTIP_TEST_SEED={seed}");
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'a' + self.below(26) as u8))
            .collect()
    }
}

/// One identifier: its canonical item, and how each side types it.
#[derive(Clone)]
struct Ident {
    item: PsiItem,
    typed_a: String,
    typed_b: String,
}

fn random_ident(rng: &mut Rng) -> Ident {
    match rng.below(5) {
        0 | 1 => {
            let digits = format!("7{}", rng.digits(9));
            let item = PsiItem::phone(&format!("+44{digits}")).unwrap();
            Ident {
                item,
                typed_a: format!("phone:+44 {} {}", &digits[..4], &digits[4..]),
                typed_b: format!("phone:0044-{}-{}", &digits[..4], &digits[4..]),
            }
        }
        2 => {
            let user = format!("{}.{}", rng.letters(6), rng.digits(4));
            let item = PsiItem::email(&format!("{user}@example.org")).unwrap();
            Ident {
                item,
                typed_a: format!("email:{user}@example.org"),
                typed_b: format!("email: {}@EXAMPLE.org", user.to_uppercase()),
            }
        }
        3 => {
            let name = format!("{}_{}", rng.letters(7), rng.digits(3));
            let item = PsiItem::handle("telegram", &name).unwrap();
            Ident {
                item,
                typed_a: format!("handle:telegram:@{name}"),
                typed_b: format!("handle:Telegram:{}", name.to_uppercase()),
            }
        }
        _ => {
            let number = format!("{}{}", rng.letters(2).to_uppercase(), rng.digits(7));
            let item = PsiItem::document(&number).unwrap();
            Ident {
                item,
                typed_a: format!("document:{number}"),
                typed_b: format!("document:{} {}", number[..4].to_lowercase(), &number[4..]),
            }
        }
    }
}

/// Two sets of the given sizes sharing `shared` identifiers.
fn sets(rng: &mut Rng, a: usize, b: usize, shared: usize) -> (Vec<Ident>, Vec<Ident>, Vec<Ident>) {
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    while all.len() < a + b - shared {
        let ident = random_ident(rng);
        if seen.insert(ident.item.clone()) {
            all.push(ident);
        }
    }
    let common = all[..shared].to_vec();
    let only_a = all[shared..a].to_vec();
    let only_b = all[a..].to_vec();
    let mut set_a: Vec<Ident> = common.iter().chain(&only_a).cloned().collect();
    let mut set_b: Vec<Ident> = common.iter().chain(&only_b).cloned().collect();
    // Order says nothing.
    for set in [&mut set_a, &mut set_b] {
        for i in (1..set.len()).rev() {
            set.swap(i, rng.below(i as u64 + 1) as usize);
        }
    }
    (set_a, set_b, common)
}

fn typed_a(set: &[Ident]) -> String {
    set.iter()
        .map(|i| i.typed_a.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn typed_b(set: &[Ident]) -> String {
    set.iter()
        .map(|i| i.typed_b.clone())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn shown(set: &[Ident]) -> BTreeSet<String> {
    set.iter().map(|i| i.item.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Sites and servers

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Org {
    dir: tempfile::TempDir,
    /// A PostgreSQL URL, or none for SQLite beside the store.
    database: Option<String>,
    supervisor_totp: TotpSecret,
    identity: String,
}

impl Org {
    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "serve".to_owned(),
            "--store".to_owned(),
            self.dir.path().join("ctip.sqlite").display().to_string(),
            "--receipt-key".to_owned(),
            self.dir.path().join("receipt.key").display().to_string(),
        ];
        if let Some(url) = &self.database {
            args.push("--database".into());
            args.push(url.clone());
        }
        args
    }

    fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}",
                self.dir.path().join("ctip.tipline.sqlite").display()
            ),
        }
    }

    fn run(&self, extra: &[&str], env: &[(&str, &str)]) -> String {
        let out = ctip()
            .args(self.args())
            .args(extra)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ctip {extra:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A fresh organisation with an administrator and a supervisor, and its
    /// exchange identity recorded.
    fn new(name: &str, database: Option<String>) -> Org {
        let dir = tempfile::tempdir().unwrap();
        let mut org = Org {
            dir,
            database,
            supervisor_totp: TotpSecret::generate(),
            identity: String::new(),
        };
        org.run(
            &["init", "--org", name, "--admin", "alice"],
            &[("CTIP_PASSWORD", PASSWORD)],
        );
        let out = org.run(
            &[
                "add-staff",
                "--by",
                "alice",
                "--name",
                "sam",
                "--role",
                "supervisor",
                "--teams",
                "intel",
            ],
            &[
                ("CTIP_ADMIN_PASSWORD", PASSWORD),
                ("CTIP_PASSWORD", SUPERVISOR_PASSWORD),
            ],
        );
        let secret = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("secret: "))
            .expect("add-staff prints the second-factor secret");
        org.supervisor_totp = TotpSecret::from_base32(secret).unwrap();
        let out = org.run(
            &["psi", "identity", "--by", "sam"],
            &[("CTIP_PASSWORD", SUPERVISOR_PASSWORD)],
        );
        org.identity = out.trim().to_owned();
        assert_eq!(org.identity.len(), 64, "{out}");
        // Asking again gives the same identity: it is derived, not drawn.
        let again = org.run(
            &["psi", "identity", "--by", "alice"],
            &[("CTIP_PASSWORD", PASSWORD)],
        );
        assert_eq!(again.trim(), org.identity);
        org
    }

    fn add_peer(&self, name: &str, url: &str, key: &str, max_set_size: usize, per_day: u32) {
        let out = self.run(
            &[
                "psi",
                "add-peer",
                "--name",
                name,
                "--url",
                url,
                "--key",
                key,
                "--max-set-size",
                &max_set_size.to_string(),
                "--sessions-per-day",
                &per_day.to_string(),
            ],
            &[],
        );
        assert!(out.contains("registered"), "{out}");
    }

    fn start(&self) -> Server {
        let stderr = self.dir.path().join("server.log");
        let mut child = ctip()
            .args(self.args())
            .args(["--listen", "127.0.0.1:0"])
            .env("CTIP_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("ctip serve: listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; log: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            })
            .to_owned();
        Server { child, base }
    }

    /// Runs one query on the site's database; every value as text.
    fn sql_rows(&self, sql: &str) -> Vec<Vec<String>> {
        let url = self.database_url();
        let sql = sql.to_owned();
        block_on(async move {
            use sqlx::{Connection, Row};
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            rows.iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.try_get::<String, _>(i)
                                .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                                .or_else(|_| {
                                    r.try_get::<Vec<u8>, _>(i)
                                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                                })
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect()
        })
    }

    fn ledger_entries(&self) -> Vec<ctip_ledger::Entry> {
        let url = self.database_url();
        block_on(async move {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let rows: Vec<(Vec<u8>,)> =
                sqlx::query_as("SELECT encoded FROM ledger_entries ORDER BY seq")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            rows.iter()
                .map(|(bytes,)| ctip_ledger::Entry::decode(bytes).unwrap())
                .collect()
        })
    }

    /// Every byte the site keeps: its folder (SQLite files with their WAL,
    /// logs, keys) and, on PostgreSQL, every column of the tables a PSI
    /// session writes to.
    fn stored_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                out.extend(std::fs::read(&path).unwrap());
            }
        }
        if self.database.is_some() {
            for table in [
                "psi_sessions",
                "psi_peers",
                "psi_nonces",
                "psi_identities",
                "audit",
                "ledger_entries",
                "tipline_meta",
            ] {
                for row in self.sql_rows(&format!("SELECT * FROM {table}")) {
                    for value in row {
                        out.extend(value.into_bytes());
                        out.push(0);
                    }
                }
            }
        }
        out
    }
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

// ---------------------------------------------------------------------------
// HTTP as a browser does it

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

#[derive(Debug)]
struct Reply {
    status: u16,
    location: Option<String>,
    set_cookie: Option<String>,
    body: String,
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location");
    let set_cookie = header("set-cookie");
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap_or_default();
    Reply {
        status: response.status().as_u16(),
        location,
        set_cookie,
        body,
    }
}

struct Supervisor<'a> {
    server: &'a Server,
    cookie: String,
    csrf: String,
}

impl<'a> Supervisor<'a> {
    fn sign_in(server: &'a Server, org: &Org) -> Supervisor<'a> {
        let code = org.supervisor_totp.code_at(unix_now()).unwrap();
        let r = reply(
            agent()
                .post(format!("{}/staff/login", server.base))
                .send_form([
                    ("name", "sam"),
                    ("password", SUPERVISOR_PASSWORD),
                    ("code", &code),
                ])
                .unwrap(),
        );
        assert_eq!(r.status, 303, "{}", r.body);
        let cookie = r.set_cookie.unwrap().split(';').next().unwrap().to_owned();
        let mut me = Supervisor {
            server,
            cookie,
            csrf: String::new(),
        };
        let page = me.get("/staff/exchange/psi");
        assert_eq!(page.status, 200, "{}", page.body);
        let at = page.body.find("name=\"csrf\" value=\"").expect("a form") + 19;
        me.csrf = page.body[at..].split('"').next().unwrap().to_owned();
        me
    }

    fn get(&self, path: &str) -> Reply {
        reply(
            agent()
                .get(format!("{}{path}", self.server.base))
                .header("Cookie", &self.cookie)
                .call()
                .unwrap(),
        )
    }

    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        reply(
            agent()
                .post(format!("{}{path}", self.server.base))
                .header("Cookie", &self.cookie)
                .send_form(form)
                .unwrap(),
        )
    }

    /// Starts a session; returns its id (hex).
    fn start(&self, peer: &str, mode: &str, items: &str) -> Result<String, Reply> {
        let r = self.post(
            "/staff/exchange/psi",
            &[("peer", peer), ("mode", mode), ("items", items)],
        );
        match (r.status, &r.location) {
            (303, Some(location)) => Ok(location
                .strip_prefix("/staff/exchange/psi/")
                .expect("redirect to the session")
                .to_owned()),
            _ => Err(r),
        }
    }

    fn session(&self, id: &str) -> SessionPage {
        let r = self.get(&format!("/staff/exchange/psi/{id}"));
        assert_eq!(r.status, 200, "{}", r.body);
        SessionPage::parse(r.body)
    }
}

struct SessionPage {
    body: String,
    state: String,
    count: Option<usize>,
    shared: Option<BTreeSet<String>>,
}

fn inner_of(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let open_end = html[start..].find('>')? + start + 1;
    let close = html[open_end..].find("</")? + open_end;
    Some(html[open_end..close].to_owned())
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl SessionPage {
    fn parse(body: String) -> SessionPage {
        let state = inner_of(&body, "state").expect("the state is shown");
        let count = inner_of(&body, "result-count").map(|c| c.trim().parse().unwrap());
        let shared = body.find("id=\"shared\"").map(|start| {
            let end = body[start..].find("</ul>").unwrap() + start;
            body[start..end]
                .split("<li class=\"ltr\">")
                .skip(1)
                .map(|li| unescape(li.split("</li>").next().unwrap()))
                .collect()
        });
        SessionPage {
            body,
            state,
            count,
            shared,
        }
    }
}

// ---------------------------------------------------------------------------
// The recording proxy between the servers

#[derive(Clone, Debug)]
struct Exchange {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    status: u16,
    response: Vec<u8>,
    /// When the whole request had arrived.
    received: Instant,
}

struct Proxy {
    base: String,
    log: Arc<Mutex<Vec<Exchange>>>,
}

fn read_head(stream: &mut impl Read) -> Option<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some((String::from_utf8(head.clone()).ok()?, head))
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse().unwrap())
        .unwrap_or(0)
}

/// Forwards one request at a time to `target`, keeping a copy of each
/// request and response. Each connection carries one request: the proxy
/// asks the server to close after answering.
fn proxy(target: String) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let shared = log.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let log = shared.clone();
            let target = target.clone();
            std::thread::spawn(move || {
                let Some((head, _)) = read_head(&mut client) else {
                    return;
                };
                let mut body = vec![0u8; content_length(&head)];
                client.read_exact(&mut body).unwrap();
                let received = Instant::now();
                let mut lines = head.split("\r\n");
                let request_line = lines.next().unwrap().to_owned();
                let mut parts = request_line.split(' ');
                let method = parts.next().unwrap().to_owned();
                let path = parts.next().unwrap().to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                    .collect();
                assert!(
                    !headers
                        .iter()
                        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")),
                    "the proxy expects sized bodies"
                );
                let mut forwarded = format!("{request_line}\r\n");
                for (name, value) in &headers {
                    if name != "connection" {
                        forwarded.push_str(&format!("{name}: {value}\r\n"));
                    }
                }
                forwarded.push_str("connection: close\r\n\r\n");
                let mut upstream =
                    TcpStream::connect(target.trim_start_matches("http://")).unwrap();
                upstream.write_all(forwarded.as_bytes()).unwrap();
                upstream.write_all(&body).unwrap();
                let mut response = Vec::new();
                upstream.read_to_end(&mut response).unwrap();
                let text = String::from_utf8_lossy(&response);
                let status = text
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let split = response
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map(|p| p + 4)
                    .unwrap_or(response.len());
                log.lock().unwrap().push(Exchange {
                    method,
                    path,
                    headers,
                    body,
                    status,
                    response: response[split..].to_vec(),
                    received,
                });
                let _ = client.write_all(&response);
            });
        }
    });
    Proxy { base, log }
}

impl Proxy {
    fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
}

/// The first needle found anywhere in `haystack`, in one pass: needles
/// are indexed by their first `k` bytes, `k` the shortest needle's length.
fn find_any<'n>(haystack: &[u8], needles: &'n [Vec<u8>]) -> Option<&'n [u8]> {
    let k = needles.iter().map(Vec::len).min()?.min(8);
    assert!(k >= 6, "needles of at least six bytes");
    let mut by_prefix: HashMap<&[u8], Vec<&[u8]>> = HashMap::new();
    for needle in needles {
        by_prefix.entry(&needle[..k]).or_default().push(needle);
    }
    for start in 0..haystack.len().saturating_sub(k - 1) {
        if let Some(candidates) = by_prefix.get(&haystack[start..start + k]) {
            for needle in candidates {
                if haystack[start..].starts_with(needle) {
                    return Some(needle);
                }
            }
        }
    }
    None
}

/// Every form of an identifier we can think of that could leak it: as
/// typed by either side, canonical, its digits alone, its hash-to-group
/// input, and its unblinded group element in each session (what a naive
/// protocol would send).
fn leak_forms(ident: &Ident, sessions: &[SessionId]) -> Vec<Vec<u8>> {
    let value = ident.item.value();
    let mut forms = vec![
        value.as_bytes().to_vec(),
        ident.item.to_string().into_bytes(),
        ident.item.hash_input(),
    ];
    for typed in [&ident.typed_a, &ident.typed_b] {
        let after_kind = typed.split_once(':').map(|(_, v)| v).unwrap_or(typed);
        forms.push(after_kind.trim().as_bytes().to_vec());
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 7 {
        forms.push(digits.into_bytes());
    }
    for id in sessions {
        forms.push(
            ItemHasher::new(id)
                .hash(&ident.item)
                .compress()
                .to_bytes()
                .to_vec(),
        );
    }
    forms
}

fn session_id(hex: &str) -> SessionId {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    SessionId::from_bytes(bytes.try_into().unwrap())
}

fn send_raw(base: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> (u16, String) {
    let mut request = agent().post(format!("{base}{path}"));
    for (name, value) in headers {
        if name.starts_with("ctip-psi-") || name == "content-type" {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    let r = reply(request.send(body).unwrap());
    (r.status, r.body)
}

fn replace_header(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            if n == name {
                (n.clone(), value.to_owned())
            } else {
                (n.clone(), v.clone())
            }
        })
        .collect()
}

fn count(org: &Org, sql: &str) -> usize {
    org.sql_rows(sql)[0][0].parse().unwrap()
}

#[test]
fn psi_between_two_servers_on_sqlite() {
    psi_flow(None, None);
}

#[test]
fn psi_between_two_servers_on_postgres() {
    match std::env::var("CTIP_TEST_POSTGRES_URL") {
        Ok(url) => psi_flow(
            Some(support::fresh_postgres_database(&url)),
            Some(support::fresh_postgres_database(&url)),
        ),
        Err(_) => eprintln!("CTIP_TEST_POSTGRES_URL is not set; skipping the PostgreSQL run"),
    }
}

fn psi_flow(database_a: Option<String>, database_b: Option<String>) {
    let mut rng = Rng::new();
    let a = Org::new("Agency A", database_a);
    let b = Org::new("Agency B", database_b);
    assert_ne!(a.identity, b.identity);
    let server_a = a.start();
    let server_b = b.start();
    let to_b = proxy(server_b.base.clone());
    let to_a = proxy(server_a.base.clone());
    a.add_peer("agency-b", &to_b.base, &b.identity, 400, 20);
    b.add_peer("agency-a", &to_a.base, &a.identity, 400, 20);

    let sam_a = Supervisor::sign_in(&server_a, &a);
    let sam_b = Supervisor::sign_in(&server_b, &b);

    // (a) Intersection mode: 200 and 300 identifiers, 50 shared.
    let (set_a, set_b, common) = sets(&mut rng, 200, 300, 50);
    let id = sam_a
        .start("agency-b", "intersection", &typed_a(&set_a))
        .unwrap_or_else(|r| panic!("not started: {} {}", r.status, r.body));
    let waiting = sam_a.session(&id);
    assert_eq!(waiting.state, "awaiting-peer");
    // B's supervisor sees who asks, the mode and the size, never A's items.
    let pending = sam_b.session(&id);
    assert_eq!(pending.state, "awaiting-approval");
    assert_eq!(inner_of(&pending.body, "peer-size").as_deref(), Some("200"));
    assert!(pending.body.contains("agency-a"));
    for ident in &set_a {
        assert!(!pending.body.contains(ident.item.value()));
    }
    let list_b = sam_b.get("/staff/exchange/psi");
    assert!(list_b.body.contains(&id[..8]));
    let approved = sam_b.post(
        &format!("/staff/exchange/psi/{id}/approve"),
        &[("items", &typed_b(&set_b))],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    let expected = shown(&common);
    for (side, sam) in [("A", &sam_a), ("B", &sam_b)] {
        let page = sam.session(&id);
        assert_eq!(page.state, "done", "{side}: {}", page.body);
        assert_eq!(page.count, Some(50), "{side}");
        assert_eq!(page.shared.as_ref(), Some(&expected), "{side}");
    }
    for (org, own, peer) in [(&a, 200, 300), (&b, 300, 200)] {
        let rows = org.sql_rows(&format!(
            "SELECT state, result_count, own_set_size, peer_set_size, approved_by \
             FROM psi_sessions WHERE session_id = '{id}'"
        ));
        assert_eq!(
            rows,
            vec![vec![
                "done".to_owned(),
                "50".to_owned(),
                own.to_string(),
                peer.to_string(),
                "sam".to_owned()
            ]]
        );
    }

    // (b) Cardinality-only mode: only the count, on both sides.
    let (card_a, card_b, card_common) = sets(&mut rng, 120, 80, 30);
    let card_id = sam_a
        .start("agency-b", "cardinality", &typed_a(&card_a))
        .unwrap_or_else(|r| panic!("not started: {} {}", r.status, r.body));
    let approved = sam_b.post(
        &format!("/staff/exchange/psi/{card_id}/approve"),
        &[("items", &typed_b(&card_b))],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    for sam in [&sam_a, &sam_b] {
        let page = sam.session(&card_id);
        assert_eq!(page.state, "done", "{}", page.body);
        assert_eq!(page.count, Some(card_common.len()));
        assert!(page.shared.is_none(), "cardinality mode shows no values");
        for ident in card_a.iter().chain(&card_b) {
            assert!(!page.body.contains(ident.item.value()));
        }
    }
    let sealed = a.sql_rows(&format!(
        "SELECT COUNT(*) FROM psi_sessions WHERE session_id = '{card_id}' AND sealed_result IS NOT NULL"
    ));
    assert_eq!(sealed[0][0], "0", "a count-only session keeps no values");

    // A declined request ends on both sides.
    let (small_a, _, _) = sets(&mut rng, 5, 5, 1);
    let declined_id = sam_a
        .start("agency-b", "intersection", &typed_a(&small_a))
        .unwrap();
    let declined = sam_b.post(&format!("/staff/exchange/psi/{declined_id}/decline"), &[]);
    assert_eq!(declined.status, 303);
    assert_eq!(sam_b.session(&declined_id).state, "declined");
    assert_eq!(sam_a.session(&declined_id).state, "declined");

    // (c) Nothing identifying crossed the wire, or reached a disk.
    let wire_ab = to_b.exchanges();
    let wire_ba = to_a.exchanges();
    assert!(
        wire_ab
            .iter()
            .chain(&wire_ba)
            .all(|e| (200..300).contains(&e.status)),
        "every message of an honest session is accepted"
    );
    let steps: Vec<u8> = wire_ab
        .iter()
        .chain(&wire_ba)
        .filter(|e| e.path == MESSAGES_PATH && e.body.len() > 6)
        .map(|e| e.body[5])
        .collect();
    assert_eq!(
        steps.iter().filter(|&&s| s == 1).count(),
        3,
        "three requests"
    );
    assert_eq!(steps.iter().filter(|&&s| s == 2).count(), 2, "two replies");
    assert_eq!(steps.iter().filter(|&&s| s == 3).count(), 2, "two outcomes");
    let mut wire = Vec::new();
    for e in wire_ab.iter().chain(&wire_ba) {
        wire.extend_from_slice(e.method.as_bytes());
        wire.extend_from_slice(e.path.as_bytes());
        for (n, v) in &e.headers {
            wire.extend_from_slice(n.as_bytes());
            wire.extend_from_slice(v.as_bytes());
        }
        wire.extend_from_slice(&e.body);
        wire.extend_from_slice(&e.response);
    }
    let sessions = [
        session_id(&id),
        session_id(&card_id),
        session_id(&declined_id),
    ];
    let everyone: Vec<&Ident> = set_a
        .iter()
        .chain(&set_b)
        .chain(&card_a)
        .chain(&card_b)
        .chain(&small_a)
        .collect();
    let disk: Vec<u8> = [a.stored_bytes(), b.stored_bytes()].concat();
    let forms: Vec<Vec<u8>> = everyone
        .iter()
        .flat_map(|ident| leak_forms(ident, &sessions))
        .collect();
    assert!(
        find_any(&wire, &forms).is_none(),
        "an identifier crossed the wire in a recognisable form"
    );
    assert!(
        find_any(&disk, &forms).is_none(),
        "an identifier reached a database or log in a recognisable form"
    );
    // The check can fail: the same search finds a value planted in a copy.
    let mut planted = wire.clone();
    planted.extend_from_slice(set_b[7].item.value().as_bytes());
    assert!(find_any(&planted, &forms).is_some());
    // Bytes per identifier for the intersection session: what BENCHMARKS.md quotes.
    let session_bytes: usize = wire_ab
        .iter()
        .chain(&wire_ba)
        .filter(|e| {
            e.path == MESSAGES_PATH && e.body.get(7..23) == Some(&sessions[0].as_bytes()[..])
        })
        .map(|e| e.body.len())
        .sum();
    eprintln!(
        "intersection session of 200 x 300: {session_bytes} body bytes, {:.1} per identifier",
        session_bytes as f64 / 500.0
    );

    // (d) Replayed, tampered, unsigned and foreign requests are refused and
    // change nothing.
    let sessions_table = |sam: &Supervisor| {
        let page = sam.get("/staff/exchange/psi").body;
        let start = page.find("id=\"sessions\"").expect("a sessions table");
        let end = page[start..].find("</table>").unwrap() + start;
        page[start..end].to_owned()
    };
    let list_before = sessions_table(&sam_b);
    let sessions_before = count(&b, "SELECT COUNT(*) FROM psi_sessions");
    let refused_before = count(
        &b,
        "SELECT COUNT(*) FROM audit WHERE action = 'psi.refused'",
    );
    let request = wire_ab
        .iter()
        .find(|e| e.path == MESSAGES_PATH && e.body.get(5) == Some(&1))
        .unwrap()
        .clone();
    let (status, code) = send_raw(
        &server_b.base,
        &request.path,
        &request.headers,
        &request.body,
    );
    assert_eq!((status, code.as_str()), (409, "replayed"));
    let mut flipped = request.body.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let (status, code) = send_raw(&server_b.base, &request.path, &request.headers, &flipped);
    assert_eq!((status, code.as_str()), (401, "bad-signature"));
    let fresh_nonce = format!("{:016x}{:016x}", rng.next(), rng.next());
    let renonced = replace_header(&request.headers, "ctip-psi-nonce", &fresh_nonce);
    let (status, code) = send_raw(&server_b.base, &request.path, &renonced, &request.body);
    assert_eq!((status, code.as_str()), (401, "bad-signature"));
    let unsigned: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(n, _)| n != "ctip-psi-signature")
        .cloned()
        .collect();
    let (status, _) = send_raw(&server_b.base, &request.path, &unsigned, &request.body);
    assert_eq!(status, 400);
    // A key nobody registered, signing correctly.
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next().to_be_bytes());
    }
    let stranger = ExchangeIdentity::from_seed(seed);
    let signed = stranger.sign_now("POST", MESSAGES_PATH, &request.body, &b.identity);
    let headers: Vec<(String, String)> = signed
        .pairs()
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let (status, code) = send_raw(&server_b.base, MESSAGES_PATH, &headers, &request.body);
    assert_eq!((status, code.as_str()), (403, "unknown-peer"));
    // A registered partner cannot speak in another partner's session, nor
    // with an old timestamp.
    b.add_peer(
        "mallory",
        "http://127.0.0.1:9",
        &stranger.public_hex(),
        400,
        20,
    );
    let outcome = wire_ab
        .iter()
        .find(|e| e.path == MESSAGES_PATH && e.body.get(5) == Some(&3))
        .unwrap()
        .clone();
    let signed = stranger.sign_now("POST", MESSAGES_PATH, &outcome.body, &b.identity);
    let headers: Vec<(String, String)> = signed
        .pairs()
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let (status, code) = send_raw(&server_b.base, MESSAGES_PATH, &headers, &outcome.body);
    assert_eq!((status, code.as_str()), (404, "no-such-session"));
    let old = unix_now() as i64 - 3600;
    let signed = stranger.sign_request(
        "POST",
        MESSAGES_PATH,
        &request.body,
        &b.identity,
        old,
        &fresh_nonce,
    );
    let headers: Vec<(String, String)> = signed
        .pairs()
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let (status, code) = send_raw(&server_b.base, MESSAGES_PATH, &headers, &request.body);
    assert_eq!((status, code.as_str()), (401, "stale-timestamp"));
    // The reply, replayed to A.
    let reply_msg = wire_ba
        .iter()
        .find(|e| e.path == MESSAGES_PATH && e.body.get(5) == Some(&2))
        .unwrap()
        .clone();
    let (status, code) = send_raw(
        &server_a.base,
        &reply_msg.path,
        &reply_msg.headers,
        &reply_msg.body,
    );
    assert_eq!((status, code.as_str()), (409, "replayed"));

    assert_eq!(sessions_table(&sam_b), list_before);
    assert_eq!(
        count(&b, "SELECT COUNT(*) FROM psi_sessions"),
        sessions_before
    );
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit WHERE action = 'psi.refused'"
        ),
        refused_before + 7,
        "every refusal is audited"
    );
    for sam in [&sam_a, &sam_b] {
        let page = sam.session(&id);
        assert_eq!(page.count, Some(50));
        assert_eq!(page.shared.as_ref(), Some(&expected));
    }

    // (f) The caps: our own, the partner's, and the daily limit.
    let (big_a, _, _) = sets(&mut rng, 401, 1, 0);
    let sessions_a = count(&a, "SELECT COUNT(*) FROM psi_sessions");
    let refused = sam_a
        .start("agency-b", "intersection", &typed_a(&big_a))
        .unwrap_err();
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("the cap for this partner is 400"),
        "{}",
        refused.body
    );
    assert_eq!(count(&a, "SELECT COUNT(*) FROM psi_sessions"), sessions_a);
    b.add_peer("agency-a", &to_a.base, &a.identity, 100, 20);
    let (medium_a, _, _) = sets(&mut rng, 150, 1, 0);
    let over_b = sam_a
        .start("agency-b", "cardinality", &typed_a(&medium_a))
        .unwrap();
    let page = sam_a.session(&over_b);
    assert_eq!(page.state, "refused");
    assert!(
        page.body.contains("peer-refused:set-too-large"),
        "{}",
        page.body
    );
    let rows = b.sql_rows(&format!(
        "SELECT state, note, peer_set_size FROM psi_sessions WHERE session_id = '{over_b}'"
    ));
    assert_eq!(
        rows,
        vec![vec![
            "refused".to_owned(),
            "set-too-large".to_owned(),
            "150".to_owned()
        ]]
    );
    let today = count(
        &a,
        "SELECT COUNT(*) FROM psi_sessions WHERE peer = 'agency-b'",
    );
    a.add_peer("agency-b", &to_b.base, &b.identity, 400, today as u32);
    let limited = sam_a
        .start("agency-b", "cardinality", &typed_a(&small_a))
        .unwrap_err();
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains("sessions for today are used up"));

    // (e) Both ledgers verify and hold the session's story.
    drop(sam_a);
    drop(sam_b);
    drop(server_a);
    drop(server_b);
    for org in [&a, &b] {
        let mut args = org.args();
        args[0] = "ledger".to_owned();
        let verify = ctip().args(&args).arg("verify").output().unwrap();
        assert!(
            verify.status.success(),
            "{}",
            String::from_utf8_lossy(&verify.stderr)
        );
        assert!(String::from_utf8_lossy(&verify.stdout).contains("ledger verified"));
    }
    let actions = |org: &Org, session: &str| -> Vec<(String, String)> {
        org.ledger_entries()
            .into_iter()
            .filter(|e| e.record.kind() == "psi" && e.record.id() == session)
            .map(|e| {
                (
                    e.action.name().to_owned(),
                    e.detail.map(|d| d.as_str().to_owned()).unwrap_or_default(),
                )
            })
            .collect()
    };
    let has = |entries: &[(String, String)], action: &str, detail: &str| {
        entries
            .iter()
            .any(|(a, d)| a == action && d.contains(detail))
    };
    let story_a = actions(&a, &id);
    for (action, detail) in [
        ("psi.request", "size=200"),
        ("psi.approve", "side=initiator"),
        ("psi.send", "step=1"),
        ("psi.receive", "step=2"),
        ("psi.result", "count=50"),
        ("psi.send", "step=3"),
    ] {
        assert!(
            has(&story_a, action, detail),
            "A's ledger lacks {action} {detail}: {story_a:?}"
        );
    }
    let story_b = actions(&b, &id);
    for (action, detail) in [
        ("psi.receive", "step=1"),
        ("psi.request", "size=200"),
        ("psi.approve", "side=responder"),
        ("psi.send", "step=2"),
        ("psi.receive", "step=3"),
        ("psi.result", "count=50"),
    ] {
        assert!(
            has(&story_b, action, detail),
            "B's ledger lacks {action} {detail}: {story_b:?}"
        );
    }
    let refusals: Vec<String> = b
        .ledger_entries()
        .into_iter()
        .filter(|e| e.action.name() == "psi.refused")
        .filter_map(|e| e.detail.map(|d| d.as_str().to_owned()))
        .collect();
    for reason in [
        "replayed",
        "bad-signature",
        "unknown-peer",
        "no-such-session",
        "stale-timestamp",
        "set-too-large",
    ] {
        assert!(
            refusals
                .iter()
                .any(|d| d.contains(&format!("reason={reason}"))),
            "B's ledger lacks the {reason} refusal: {refusals:?}"
        );
    }
}

/// PSI over HTTP between two loopback servers at scale, through the same
/// forms and recording proxies. A benchmark, not a check: run it in release,
///
/// ```text
/// CTIP_PSI_BENCH_ITEMS=100000 cargo test --release -p ctip --test psi_http \
///     -- --ignored --nocapture psi_throughput
/// ```
#[test]
#[ignore = "a benchmark: run in release with --ignored"]
fn psi_throughput_over_http() {
    let n: usize = std::env::var("CTIP_PSI_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let shared = n / 10;
    let mut rng = Rng::new();
    let a = Org::new("Agency A", None);
    let b = Org::new("Agency B", None);
    let server_a = a.start();
    let server_b = b.start();
    let to_b = proxy(server_b.base.clone());
    let to_a = proxy(server_a.base.clone());
    a.add_peer("agency-b", &to_b.base, &b.identity, n, 20);
    b.add_peer("agency-a", &to_a.base, &a.identity, n, 20);
    let sam_a = Supervisor::sign_in(&server_a, &a);
    let sam_b = Supervisor::sign_in(&server_b, &b);
    for mode in ["intersection", "cardinality"] {
        let (set_a, set_b, common) = sets(&mut rng, n, n, shared);
        let (form_a, form_b) = (typed_a(&set_a), typed_b(&set_b));
        let seen_ab = to_b.exchanges().len();
        let seen_ba = to_a.exchanges().len();
        let started = Instant::now();
        let id = sam_a
            .start("agency-b", mode, &form_a)
            .unwrap_or_else(|r| panic!("not started: {} {}", r.status, r.body));
        let requested = Instant::now();
        let approved = sam_b.post(
            &format!("/staff/exchange/psi/{id}/approve"),
            &[("items", &form_b)],
        );
        let finished = Instant::now();
        assert_eq!(approved.status, 303, "{}", approved.body);
        for sam in [&sam_a, &sam_b] {
            let page = sam.session(&id);
            assert_eq!(page.state, "done");
            assert_eq!(page.count, Some(common.len()));
        }
        let ab = to_b.exchanges()[seen_ab..].to_vec();
        let ba = to_a.exchanges()[seen_ba..].to_vec();
        let step = |list: &[Exchange], number: u8| {
            list.iter()
                .find(|e| e.path == MESSAGES_PATH && e.body.get(5) == Some(&number))
                .cloned()
                .unwrap()
        };
        let (one, two, three) = (step(&ab, 1), step(&ba, 2), step(&ab, 3));
        // A: parse the form, hash and blind n items, send. B: parse its
        // form, re-blind n points, hash and blind n items. A: re-blind n
        // points, compare, record, send the outcome. B: record.
        let a_first = one.received - started;
        let b_compute = two.received - requested;
        let a_second = three.received - two.received;
        let b_last = finished - three.received;
        let bytes = one.body.len() + two.body.len() + three.body.len();
        let seconds = |d: std::time::Duration| d.as_secs_f64();
        eprintln!(
            "{mode} {n} x {n}: A step 1 {:.2} s, B approve+step 2 {:.2} s, A result+step 3 {:.2} s, B result {:.2} s; \
             end to end {:.2} s; A {:.0} items/s, B {:.0} items/s; {bytes} body bytes on the wire ({:.1} B per N, as in the in-process table)",
            seconds(a_first),
            seconds(b_compute),
            seconds(a_second),
            seconds(b_last),
            seconds(finished - started),
            n as f64 / seconds(a_first + a_second),
            n as f64 / seconds(b_compute),
            bytes as f64 / n as f64,
        );
    }
}
