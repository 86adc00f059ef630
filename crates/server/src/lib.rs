//! ctip's HTTP server: the anonymous tip line, staff triage and the analyst
//! pages, rendered on the server so that every page works without JavaScript.
//!
//! A thin shell: the tip line's rules live in `ctip-tipline`, detection in
//! `ctip-detect`, storage in `ctip-store`. This crate routes requests, renders
//! pages and enforces who may see what.
//!
//! Invariants kept here:
//! - no client address, user agent or query string reaches a log line or the
//!   database (the access log records method, route pattern, status and time);
//! - a receipt is shown only after its report is committed;
//! - every staff action on a report appends an audit entry, to the audit
//!   table and, when a ledger key is configured, to the tamper-evident ledger.

pub mod case_store;
mod cases;
pub mod check;
pub mod exchange;
mod help;
mod layout;
pub mod network_view;
pub mod psi;
mod public;
pub mod retention;
mod security;
mod session;
pub mod setup;
mod staff;
mod writer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use ctip_store::Store;
use ctip_store::tipline::TipDb;
use ctip_tipline::{Catalog, OrgPublicKey, RateLimiter, ReceiptKey};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub use setup::{Member, SetupError, add_staff, add_tenant, init_organisation};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("the tip line is not set up: run `ctip serve init` first")]
    NotInitialised,
    #[error("the organisation key in the database is malformed")]
    BadOrgKey,
    #[error("the stored service directory is invalid: {0}")]
    Directory(#[from] ctip_directory::DirectoryError),
    #[error("the audit ledger failed verification or cannot be opened: {0}")]
    Ledger(#[from] ctip_store::ledger::LedgerStoreError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// How the server runs.
pub struct ServerConfig {
    /// Where a quick exit sends the visitor: a neutral, busy site.
    pub exit_url: String,
    /// Reports accepted per client per hour (0: no limit, for load tests).
    pub tips_per_hour: u32,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            exit_url: "https://www.bbc.com/weather".into(),
            tips_per_hour: 20,
            secure_cookies: false,
        }
    }
}

pub(crate) struct AppState {
    pub db: TipDb,
    pub store: Option<Store>,
    pub org_public: OrgPublicKey,
    pub receipt_key: ReceiptKey,
    pub tip_limiter: RateLimiter,
    pub login_limiter: RateLimiter,
    pub sessions: session::Sessions,
    pub writer: writer::TipWriter,
    pub catalog: &'static Catalog,
    pub config: ServerConfig,
    pub detector: ctip_detect::Detector,
    pub directory: tokio::sync::RwLock<ctip_directory::Directory>,
    pub ledger: Option<ctip_store::ledger::LedgerStore>,
    pub psi: psi::Runtime,
}

pub(crate) type Shared = Arc<AppState>;

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Builds the application: every route, with security headers and the
/// address-free access log.
pub async fn app(
    db: TipDb,
    store: Option<Store>,
    receipt_key: ReceiptKey,
    ledger_signer: Option<ctip_ledger::Signer>,
    config: ServerConfig,
) -> Result<Router, ServerError> {
    let public_hex = db
        .meta(setup::ORG_PUBLIC_KEY)
        .await?
        .ok_or(ServerError::NotInitialised)?;
    let public_bytes = data_encoding::HEXLOWER
        .decode(public_hex.as_bytes())
        .map_err(|_| ServerError::BadOrgKey)?;
    let org_public = OrgPublicKey::from_bytes(&public_bytes).map_err(|_| ServerError::BadOrgKey)?;
    let org_name = db.meta(setup::ORG_NAME).await?.unwrap_or_default();
    // Databases set up before case management know the host organisation
    // only from `tipline_meta`.
    db.ensure_host_tenant(&org_name, &public_hex, now()).await?;
    let directory = setup::load_directory(&db).await?;
    let ledger = match ledger_signer {
        Some(signer) => Some(ctip_store::ledger::LedgerStore::open(&db, signer).await?),
        None => None,
    };
    let state = Arc::new(AppState {
        writer: writer::TipWriter::spawn(db.clone()),
        db,
        store,
        org_public,
        receipt_key,
        tip_limiter: RateLimiter::new(config.tips_per_hour, 3600),
        login_limiter: RateLimiter::new(10, 15 * 60),
        sessions: session::Sessions::default(),
        catalog: Catalog::get(),
        config,
        detector: ctip_detect::Detector::default(),
        directory: tokio::sync::RwLock::new(directory),
        ledger,
        psi: psi::Runtime::default(),
    });
    spawn_retention_sweep(state.clone());
    let router = Router::new()
        .route("/", get(public::home))
        .route("/site.css", get(layout::stylesheet))
        .route("/exit", get(public::quick_exit))
        .route("/report", get(public::start).post(public::submit))
        .route("/report/details", post(public::details))
        .route("/report/confirm", post(public::confirm))
        .route(
            "/followup",
            get(public::followup_form).post(public::followup),
        )
        .route("/followup/add", post(public::followup_add))
        .route("/help", get(help::find_help))
        .route("/staff/login", get(staff::login_form).post(staff::login))
        .route("/staff/logout", post(staff::logout))
        .route("/staff", get(staff::inbox))
        .route("/staff/tips/{id}", get(staff::tip))
        .route("/staff/tips/{id}/status", post(staff::set_status))
        .route("/staff/tips/{id}/reply", post(staff::reply))
        .route("/staff/attachments/{id}", get(staff::attachment))
        .route("/staff/search", get(staff::search))
        .route("/staff/audit", get(staff::audit_log))
        .route("/staff/ledger/proof/{seq}", get(staff::ledger_proof))
        .route("/staff/networks/{id}", get(staff::network))
        .route("/staff/report.css", get(staff::report_stylesheet))
        .route("/staff/cases", get(cases::list).post(cases::create))
        .route("/staff/cases/new", get(cases::new_form))
        .route("/staff/cases/import", post(cases::import))
        .route("/staff/cases/{id}", get(cases::view))
        .route("/staff/cases/{id}/consent", post(cases::consent))
        .route("/staff/cases/{id}/status", post(cases::status))
        .route("/staff/cases/{id}/comment", post(cases::comment))
        .route("/staff/cases/{id}/document", post(cases::document))
        .route("/staff/cases/{id}/refer", post(cases::refer))
        .route(
            "/staff/cases/{id}/referrals/{position}",
            post(cases::respond),
        )
        .route("/staff/cases/{id}/export", post(cases::export))
        .route("/staff/cases/{id}/hold", post(cases::hold))
        .route("/staff/cases/{id}/purge", post(cases::purge))
        .merge(psi::routes())
        .fallback(public::not_found)
        .layer(DefaultBodyLimit::max(public::MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(security::access_log))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state);
    Ok(router)
}

/// Runs the retention sweep when the server starts and every six hours, so
/// closed cases are purged on time even without a timer calling `ctip serve
/// cases purge`. Without a ledger nothing is purged: each purge must be
/// recorded.
fn spawn_retention_sweep(state: Shared) {
    if state.ledger.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(6 * 3600));
        loop {
            every.tick().await;
            let today = case_store::today(now());
            match retention::sweep(&state.db, state.ledger.as_ref(), today, false).await {
                Ok(report) if !report.purged.is_empty() || !report.problems.is_empty() => {
                    tracing::info!(
                        target: "ctip::retention",
                        "{} cases purged, {} kept for a problem",
                        report.purged.len(),
                        report.problems.len()
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(target: "ctip::retention", "sweep failed: {e}"),
            }
        }
    });
}

/// Serves `router` on `listener` until ctrl-c.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> Result<(), ServerError> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
