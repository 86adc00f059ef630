//! What the server tests share: a site (database, keys, staff with their
//! second factors), a `ctip serve` process on loopback, and an HTTP client
//! that keeps status, headers and body.

#![allow(dead_code)]

use ctip_tipline::TotpSecret;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

pub const PASSWORD: &str = "correct horse battery staple";

pub fn ctip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctip"))
}

pub fn unique() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A running `ctip serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub stderr: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// An organisation's installation: its database and keys in a temporary
/// folder (or a PostgreSQL database), and the second factors of the staff
/// created through the command line.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub database: Option<String>,
    pub totp: HashMap<String, TotpSecret>,
}

fn printed_secret(stdout: &[u8]) -> TotpSecret {
    let stdout = String::from_utf8_lossy(stdout);
    let secret = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret: "))
        .expect("the command prints the second-factor secret");
    TotpSecret::from_base32(secret).unwrap()
}

impl Site {
    /// `ctip serve` arguments naming this site's database and keys.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "serve".to_owned(),
            "--store".to_owned(),
            self.dir.path().join("ctip.sqlite").display().to_string(),
            "--receipt-key".to_owned(),
            self.dir.path().join("receipt.key").display().to_string(),
        ];
        if let Some(db) = &self.database {
            args.push("--database".into());
            args.push(db.clone());
        }
        args
    }

    pub fn ledger_args(&self) -> Vec<String> {
        let mut args = self.args();
        args[0] = "ledger".to_owned();
        args
    }

    /// Runs `ctip serve <args>` with these environment variables.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut command = ctip();
        command.args(self.args()).args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    }

    /// A fresh organisation "Test NGO" with administrator "alice" and the
    /// demo service directory.
    pub fn new(database: Option<String>) -> Site {
        let mut site = Site {
            dir: tempfile::tempdir().unwrap(),
            database,
            totp: HashMap::new(),
        };
        let out = site.run(
            &["init", "--org", "Test NGO", "--admin", "alice"],
            &[("CTIP_PASSWORD", PASSWORD)],
        );
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        site.totp
            .insert("alice".into(), printed_secret(&out.stdout));
        let out = site.run(&["directory", "import-demo"], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        site
    }

    /// Adds a staff member (password [`PASSWORD`]) through the command line,
    /// authorised by administrator `by`.
    pub fn add_staff(&mut self, by: &str, name: &str, role: &str, extra: &[&str]) {
        let mut args = vec!["add-staff", "--by", by, "--name", name, "--role", role];
        args.extend_from_slice(extra);
        let out = self.run(
            &args,
            &[
                ("CTIP_ADMIN_PASSWORD", PASSWORD),
                ("CTIP_PASSWORD", PASSWORD),
            ],
        );
        assert!(
            out.status.success(),
            "add-staff {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.totp.insert(name.into(), printed_secret(&out.stdout));
    }

    /// Adds another organisation as a tenant with administrator `admin`.
    pub fn add_tenant(&mut self, org: &str, admin: &str) {
        let out = self.run(
            &["add-tenant", "--org", org, "--admin", admin],
            &[("CTIP_PASSWORD", PASSWORD)],
        );
        assert!(
            out.status.success(),
            "add-tenant: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.totp.insert(admin.into(), printed_secret(&out.stdout));
    }

    pub fn start(&self, extra: &[&str]) -> Server {
        let stderr = self.dir.path().join(format!("server-{}.log", unique()));
        let mut child = ctip()
            .args(self.args())
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
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
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Server {
            child,
            base,
            stderr,
        }
    }

    /// The database's text and blobs, for proving what it does not hold.
    pub fn dump(&self) -> Vec<u8> {
        let url = self.database.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.dir.path().join("ctip.tipline.sqlite").display()
            )
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let db = ctip_store::tipline::TipDb::connect(&url).await.unwrap();
            let dump = db.dump_for_inspection().await.unwrap();
            db.close().await;
            dump
        })
    }
}

/// The user agent every test request sends: tests look for it in logs and
/// databases, where it must never appear.
pub const UA: &str = "Sentinel-Browser/7.3 (reporter-device-7f3a)";

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

pub fn get(url: &str, cookie: Option<&str>) -> Reply {
    let mut request = agent().get(url).header("User-Agent", UA);
    if let Some(c) = cookie {
        request = request.header("Cookie", c);
    }
    reply(request.call().unwrap())
}

pub fn post_form(url: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Reply {
    let mut request = agent().post(url).header("User-Agent", UA);
    if let Some(c) = cookie {
        request = request.header("Cookie", c);
    }
    reply(request.send_form(fields.iter().copied()).unwrap())
}

/// A signed-in staff member: their cookie and the CSRF token of their forms.
pub struct Staff {
    pub name: String,
    pub cookie: String,
    pub csrf: String,
}

impl Staff {
    pub fn get(&self, server: &Server, path: &str) -> Reply {
        get(&server.url(path), Some(&self.cookie))
    }

    /// Posts a form with this member's CSRF token added.
    pub fn post(&self, server: &Server, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        post_form(&server.url(path), &all, Some(&self.cookie))
    }
}

/// Signs `name` in with password and second factor.
pub fn sign_in(server: &Server, site: &Site, name: &str) -> Staff {
    let code = site.totp[name].code_at(unix_now()).unwrap();
    let r = post_form(
        &server.url("/staff/login"),
        &[("name", name), ("password", PASSWORD), ("code", &code)],
        None,
    );
    assert_eq!(r.status, 303, "sign-in of {name}: {}", r.body);
    let set_cookie = r.header("set-cookie").expect("a session cookie").to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    // Every staff page carries the sign-out form and its token.
    let mut page = get(&server.url("/staff"), Some(&cookie));
    if page.status == 303 {
        let home = page.header("location").unwrap().to_owned();
        page = get(&server.url(&home), Some(&cookie));
    }
    assert_eq!(page.status, 200, "{name}'s home page: {}", page.body);
    let at = page.body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page.body[at..].split('"').next().unwrap().to_owned();
    Staff {
        name: name.to_owned(),
        cookie,
        csrf,
    }
}

/// A database of its own on the PostgreSQL server at `url`, so runs never
/// see each other's organisation.
pub fn fresh_postgres_database(url: &str) -> String {
    use sqlx::Connection;
    let name = format!("ctip_test_{}", unique());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let base = url.rsplit_once('/').map(|(base, _)| base).unwrap_or(url);
    format!("{base}/{name}")
}
