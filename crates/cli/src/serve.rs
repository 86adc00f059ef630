//! `ctip serve`: the tip line and staff pages, and setting them up.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use ctip_server::{Member, ServerConfig, add_staff, add_tenant, init_organisation, setup};
use ctip_store::Store;
use ctip_store::tipline::TipDb;
use ctip_tipline::{ReceiptKey, Role};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// The tip line's database: `sqlite://PATH` (default: beside the store)
    /// or `postgres://USER@HOST/DB`.
    #[arg(long, env = "CTIP_DATABASE", global = true)]
    database: Option<String>,
    /// The analysis store written by `ctip scan`, for cross-checking tips
    /// against scanned ads and networks.
    #[arg(
        long,
        env = "CTIP_DB",
        default_value = "ctip-data/ctip.sqlite",
        global = true
    )]
    store: PathBuf,
    /// The server's secret for hashing receipt codes (created if missing).
    /// Keep it apart from database backups.
    #[arg(long, env = "CTIP_RECEIPT_KEY", global = true)]
    receipt_key: Option<PathBuf>,
    /// The key that signs the audit ledger's checkpoints (created if
    /// missing; default: beside the receipt key).
    #[arg(long, env = "CTIP_LEDGER_KEY", global = true)]
    pub(crate) ledger_key: Option<PathBuf>,
    #[command(subcommand)]
    action: Option<ServeAction>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Where "Quick exit" sends visitors.
    #[arg(long, default_value = "https://www.bbc.com/weather")]
    exit_url: String,
    /// Reports accepted per client per hour (0: unlimited, for load tests).
    #[arg(long, default_value_t = 20)]
    tips_per_hour: u32,
    /// Mark the staff cookie Secure (when served over HTTPS).
    #[arg(long)]
    secure_cookies: bool,
}

#[derive(Subcommand)]
pub enum ServeAction {
    /// Create the organisation's key pair and its first administrator.
    /// The password is read from CTIP_PASSWORD or the first line of stdin.
    Init {
        #[arg(long)]
        org: String,
        #[arg(long)]
        admin: String,
    },
    /// Add a staff member. The administrator's password (CTIP_ADMIN_PASSWORD
    /// or stdin line 1) unwraps the organisation key; the new password comes
    /// from CTIP_PASSWORD or stdin line 2.
    AddStaff {
        /// The administrator authorising it.
        #[arg(long)]
        by: String,
        #[arg(long)]
        name: String,
        /// hotline, analyst, admin, caseworker, supervisor, provider or
        /// auditor.
        #[arg(long)]
        role: String,
        /// Teams (comma-separated) of a caseworker or supervisor.
        #[arg(long, value_delimiter = ',')]
        teams: Vec<String>,
        /// For a provider account: the directory id of its service.
        #[arg(long)]
        provider: Option<String>,
    },
    /// Cases: retention sweep and tenant retention settings.
    Cases {
        #[command(subcommand)]
        action: crate::cases::CasesAction,
    },
    /// Add another organisation as an isolated tenant, with its own keys and
    /// first administrator (password from CTIP_PASSWORD or stdin).
    AddTenant {
        #[arg(long)]
        org: String,
        #[arg(long)]
        admin: String,
    },
    /// Signed HTCDS case bundles with another organisation: identity,
    /// export, import, list.
    Exchange {
        #[command(subcommand)]
        action: crate::exchange::ExchangeAction,
    },
    /// Private set intersection with partner organisations: this
    /// organisation's exchange identity and its registered partners.
    Psi {
        #[command(subcommand)]
        action: crate::psi::PsiAction,
    },
    /// The service directory (Open Referral HSDS 3.0).
    Directory {
        #[command(subcommand)]
        action: DirectoryAction,
    },
    /// Check that every receipt in FILE (one code per line) finds its report
    /// and that the report opens with the organisation's key. The
    /// administrator's password (CTIP_ADMIN_PASSWORD or stdin) unwraps the
    /// key. Exits 0 only if every receipt is present and decryptable.
    CheckReceipts {
        /// The administrator whose password unwraps the organisation key.
        #[arg(long)]
        by: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum DirectoryAction {
    /// Validate an HSDS 3.0 JSON file and merge it into the directory.
    Import { file: PathBuf },
    /// Load the fictional demo directory.
    ImportDemo,
    /// Print the directory as HSDS 3.0 JSON.
    Export {
        /// Leave out confidential locations' whereabouts.
        #[arg(long)]
        public: bool,
    },
}

/// Where a site's database and keys are.
pub(crate) struct Site<'a> {
    pub database: Option<&'a str>,
    pub store: &'a Path,
    pub receipt_key: Option<&'a Path>,
    pub ledger_key: Option<&'a Path>,
}

impl ServeArgs {
    fn site(&self) -> Site<'_> {
        Site {
            database: self.database.as_deref(),
            store: &self.store,
            receipt_key: self.receipt_key.as_deref(),
            ledger_key: self.ledger_key.as_deref(),
        }
    }
}

impl Site<'_> {
    pub fn database_url(&self) -> String {
        match self.database {
            Some(url) => url.to_owned(),
            None => format!(
                "sqlite://{}",
                self.store.with_extension("tipline.sqlite").display()
            ),
        }
    }

    pub fn receipt_key_path(&self) -> Result<PathBuf> {
        if let Some(path) = self.receipt_key {
            return Ok(path.to_owned());
        }
        if self.database.is_some_and(|u| !u.starts_with("sqlite://")) {
            bail!("with a PostgreSQL database, say where the keys live: --receipt-key FILE");
        }
        Ok(self.store.with_extension("receipt-key"))
    }

    /// The ledger's signing key file: `--ledger-key`, else beside the
    /// receipt key.
    pub fn ledger_key_path(&self) -> Result<PathBuf> {
        match self.ledger_key {
            Some(path) => Ok(path.to_owned()),
            None => Ok(self.receipt_key_path()?.with_extension("ledger-key")),
        }
    }

    /// Opens the tip line's database, creating a SQLite file's folder.
    pub async fn open_database(&self) -> Result<TipDb> {
        let url = self.database_url();
        if let Some(path) = url.strip_prefix("sqlite://")
            && let Some(parent) = Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // The part after '@' names the server without the credentials.
        TipDb::connect(&url).await.with_context(|| {
            format!(
                "cannot open the tip line database ({})",
                url.split('@').next_back().unwrap_or("")
            )
        })
    }
}

/// Reads a secret file, creating it (readable by its owner only) with
/// `generate` if it does not exist.
fn secret_file(path: &Path, generate: impl FnOnce() -> Vec<u8>) -> Result<Vec<u8>> {
    if path.exists() {
        return std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let bytes = generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    Ok(bytes)
}

/// Reads the receipt key, creating it if absent.
fn load_receipt_key(path: &Path) -> Result<ReceiptKey> {
    let bytes = secret_file(path, || ReceiptKey::generate().to_bytes().to_vec())?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        anyhow::anyhow!(
            "{}: a receipt key is 32 bytes, this file has {}",
            path.display(),
            bytes.len()
        )
    })?;
    Ok(ReceiptKey::from_bytes(key))
}

/// The key that signs the audit ledger's checkpoints, created with the log.
pub(crate) fn load_ledger_key(path: &Path) -> Result<ctip_ledger::Signer> {
    let bytes = secret_file(path, || {
        let signer = ctip_ledger::Signer::generate(LEDGER_KEY_NAME)
            .expect("the operating system's random generator works");
        signer.to_key_string().as_bytes().to_vec()
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not a ledger key", path.display()))?;
    ctip_ledger::Signer::parse(text.trim())
        .map_err(|e| anyhow::anyhow!("{}: not a ledger key: {e}", path.display()))
}

/// The name in the ledger's signed checkpoints (C2SP signed-note key name).
pub(crate) const LEDGER_KEY_NAME: &str = "ctip-audit-ledger";

/// Secrets come from the environment (for scripts) or stdin, never from
/// arguments, which other users can read in the process list.
pub(crate) struct Secrets {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Secrets {
    pub(crate) fn new() -> Secrets {
        use std::io::BufRead;
        Secrets {
            lines: std::io::stdin().lock().lines(),
        }
    }

    pub(crate) fn get(&mut self, env: &str, what: &str) -> Result<String> {
        if let Ok(value) = std::env::var(env) {
            return Ok(value);
        }
        eprint!("{what}: ");
        match self.lines.next() {
            Some(line) => Ok(line
                .context("cannot read stdin")?
                .trim_end_matches('\r')
                .to_owned()),
            None => bail!("no {what}: set {env} or give it on stdin"),
        }
    }
}

/// One secret, from the environment variable `env` or the first line of
/// stdin.
pub(crate) fn secret(env: &str, what: &str) -> Result<String> {
    Secrets::new().get(env, what)
}

fn print_enrolment(e: &ctip_server::setup::Enrolment) {
    println!("staff member {:?} created.", e.name);
    println!("Enrol this second-factor secret in an authenticator app now; it is not shown again:");
    println!("  secret: {}", e.totp.to_base32());
    println!("  uri:    {}", e.provisioning_uri);
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: ServeArgs) -> Result<ExitCode> {
    let db = args.site().open_database().await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    match args.action {
        Some(ServeAction::Init { ref org, ref admin }) => {
            let password = Secrets::new().get("CTIP_PASSWORD", "password for the administrator")?;
            let enrolment = init_organisation(&db, org, admin, &password, now).await?;
            load_receipt_key(&args.site().receipt_key_path()?)?;
            load_ledger_key(&args.site().ledger_key_path()?)?;
            print_enrolment(&enrolment);
            Ok(ExitCode::Ok)
        }
        Some(ServeAction::AddStaff {
            ref by,
            ref name,
            ref role,
            ref teams,
            ref provider,
        }) => {
            let role = Role::parse(role)?;
            let mut secrets = Secrets::new();
            let by_password = secrets.get("CTIP_ADMIN_PASSWORD", "administrator's password")?;
            let password = secrets.get("CTIP_PASSWORD", "password for the new staff member")?;
            let member = Member {
                name,
                role,
                password: &password,
                teams,
                provider_id: provider.as_deref(),
            };
            let enrolment = add_staff(&db, by, &by_password, &member, now).await?;
            print_enrolment(&enrolment);
            Ok(ExitCode::Ok)
        }
        Some(ServeAction::Cases { ref action }) => {
            crate::cases::run(&db, &args.site(), action, now).await
        }
        Some(ServeAction::AddTenant { ref org, ref admin }) => {
            let password = Secrets::new().get("CTIP_PASSWORD", "password for the administrator")?;
            let (id, enrolment) = add_tenant(&db, org, admin, &password, now).await?;
            println!("organisation {org:?} added as tenant {id}.");
            print_enrolment(&enrolment);
            Ok(ExitCode::Ok)
        }
        Some(ServeAction::Exchange { ref action }) => {
            crate::exchange::run(&db, &args.site(), action, now).await
        }
        Some(ServeAction::Psi { ref action }) => crate::psi::run(&db, action, now).await,
        Some(ServeAction::Directory { ref action }) => directory(&db, action).await,
        Some(ServeAction::CheckReceipts { ref by, ref file }) => {
            check_receipts(&db, &args.site().receipt_key_path()?, by, file).await
        }
        None => {
            let receipt_key = load_receipt_key(&args.site().receipt_key_path()?)?;
            let store =
                if args.store.exists() {
                    Some(Store::open_sqlite(&args.store).await.with_context(|| {
                        format!("cannot open the store {}", args.store.display())
                    })?)
                } else {
                    eprintln!(
                        "note: no analysis store at {}; tips will not be cross-checked against ads",
                        args.store.display()
                    );
                    None
                };
            let config = ServerConfig {
                exit_url: args.exit_url.clone(),
                tips_per_hour: args.tips_per_hour,
                secure_cookies: args.secure_cookies,
            };
            init_logging();
            let ledger_key = load_ledger_key(&args.site().ledger_key_path()?)?;
            let router = ctip_server::app(db, store, receipt_key, Some(ledger_key), config).await?;
            let listener = tokio::net::TcpListener::bind(&args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            let address = listener.local_addr()?;
            // Tests and scripts read this line to find the port.
            println!("ctip serve: listening on http://{address}");
            ctip_server::serve(listener, router).await?;
            Ok(ExitCode::Ok)
        }
    }
}

/// `check-receipts`: the durability audit (see `ctip_server::check`).
async fn check_receipts(db: &TipDb, key_path: &Path, by: &str, file: &Path) -> Result<ExitCode> {
    // Never create a receipt key here: a fresh key would find no report and
    // report every receipt missing.
    if !key_path.exists() {
        bail!("no receipt key at {}", key_path.display());
    }
    let receipt_key = load_receipt_key(key_path)?;
    let codes =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let password = Secrets::new().get("CTIP_ADMIN_PASSWORD", "administrator's password")?;
    let org_key = ctip_server::check::unlock_org_key(db, by, &password).await?;
    let tally =
        ctip_server::check::check_receipts(db, &receipt_key, &org_key, codes.lines()).await?;
    for (label, count) in [
        ("receipts checked", tally.checked),
        ("present and decryptable", tally.sound),
        ("missing", tally.missing),
        ("undecryptable", tally.undecryptable),
        ("wrong reporter key", tally.wrong_reporter_key),
        ("lines that are not receipts", tally.malformed),
    ] {
        println!("{:<29}{count}", format!("{label}:"));
    }
    Ok(if tally.all_sound() {
        ExitCode::Ok
    } else {
        ExitCode::Error
    })
}

async fn directory(db: &TipDb, action: &DirectoryAction) -> Result<ExitCode> {
    match action {
        DirectoryAction::Import { file } => {
            let json = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let summary = setup::import_directory(db, &json)
                .await
                .with_context(|| format!("{}: not imported", file.display()))?;
            println!("imported {}: {summary:?}", file.display());
        }
        DirectoryAction::ImportDemo => {
            let summary = setup::import_directory(db, ctip_directory::DEMO_DIRECTORY_JSON).await?;
            println!("imported the demo directory: {summary:?}");
        }
        DirectoryAction::Export { public } => {
            let value = setup::export_directory(db, *public).await?;
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
    }
    Ok(ExitCode::Ok)
}

/// Request lines and errors to stderr. The server's own log lines carry no
/// personal data (see ctip-server's invariants); dependency logs are kept at
/// warnings so that nothing they might print about requests gets through.
fn init_logging() {
    let filter = std::env::var("CTIP_LOG").unwrap_or_else(|_| "warn,ctip=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        // No timestamps: the time of a request is the most useful thing a
        // log could give someone trying to match a report to a person.
        .without_time()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}
