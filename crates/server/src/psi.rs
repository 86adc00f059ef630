//! Private set intersection with partner organisations (issue 6 §1): the
//! transport, the approvals and the records around `ctip_share::psi`.
//!
//! ```text
//! A's supervisor                A (initiator)                 B (responder)            B's supervisor
//!  picks peer, mode, items ──▶ Initiator::start ── step 1 ──▶ pending, policy checked
//!                                                                    └──── shown: peer, mode, set size
//!                                                 ◀── step 2 ── Responder::handle_request ◀── approves with B's items
//!                               handle_reply, result ─ step 3 ─▶ handle_outcome, result
//! ```
//!
//! Every server-to-server request is signed with the sender tenant's Ed25519
//! exchange identity (derived from its secret, so available only while one of
//! its staff is signed in) over the method, path, SHA-256 of the body,
//! timestamp, a random nonce and both identity keys. The receiver accepts a
//! request only from a peer its tenant registered, within five minutes of its
//! clock, with a nonce it has not seen; the PSI core then checks the
//! session, step and transcript chain. Messages are only ever pushed to the
//! URL the receiving tenant registered for the peer, never to one taken
//! from a request.
//!
//! Nothing here writes an identifier anywhere but the supervisor's page:
//! items arrive in a form, live in memory while the session runs, and what a
//! result reveals is stored sealed to the tenant's key. Audit and ledger
//! entries name the session, the step, the mode and counts.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ctip_share::psi::{
    Initiator, PsiError, PsiItem, PsiMessage, PsiMode, PsiOutcome, PsiResult, Responder,
    SESSION_ID_LEN, SessionId, SessionPolicy, Step,
};
use ctip_store::psi::{PeerRow, SessionRow, SessionUpdate};
use ctip_store::tipline::TipDb;
use ctip_tipline::{
    KeyPurpose, OrgPublicKey, OrgSecretKey, PasswordHash, Role, WrappedKey, day_of,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::layout::staff_page;
use crate::session::Session;
use crate::setup::HOST_TENANT;
use crate::staff::{record_action, signed_in, signed_in_form};
use crate::{Shared, now};

/// Where peers post protocol messages.
pub const MESSAGES_PATH: &str = "/api/psi/messages";
/// Where a responder tells the initiator that its supervisor declined.
pub const DECLINES_PATH: &str = "/api/psi/declines";

/// Request headers of the signed transport.
pub const HEADER_SENDER: &str = "ctip-psi-sender";
pub const HEADER_RECIPIENT: &str = "ctip-psi-recipient";
pub const HEADER_TIMESTAMP: &str = "ctip-psi-timestamp";
pub const HEADER_NONCE: &str = "ctip-psi-nonce";
pub const HEADER_SIGNATURE: &str = "ctip-psi-signature";

/// How far a request's timestamp may be from our clock, in seconds.
pub const MAX_CLOCK_SKEW: i64 = 300;

/// Largest per-peer set-size cap an operator may configure. A step-2
/// message carries two lists of this many 32-byte points, which the
/// receiver holds in memory.
pub const MAX_CONFIGURABLE_SET_SIZE: usize = 2_000_000;

/// Largest form a supervisor may post: room for the largest configurable
/// set typed one identifier per line.
const MAX_FORM_BYTES: usize = 64 << 20;

/// Domain separation for request signatures.
const SIGNATURE_CONTEXT: &str = "ctip-psi-request/v1";
const NONCE_LEN: usize = 16;
/// A session waiting longer than this (for the peer, or for our own
/// supervisor's approval) is dropped from memory, taking its secret scalar
/// and the identity key it held with it.
const RUNNING_TTL: i64 = 3 * 86_400;
/// How long one push to a peer may take, computing included: the peer
/// answers a step-2 message only after computing its result.
const PUSH_TIMEOUT: Duration = Duration::from_secs(900);
/// Refusals audited per hour: beyond it refusals are still answered but
/// not each written down, so unauthenticated traffic cannot grow the ledger
/// without bound.
const AUDITED_REFUSALS_PER_HOUR: u32 = 600;

// ---------------------------------------------------------------------------
// Identity and request signatures

/// A tenant's Ed25519 identity towards other organisations. Zeroised on drop
/// (ed25519-dalek's `zeroize` feature); never printed.
#[derive(Clone)]
pub struct ExchangeIdentity {
    key: SigningKey,
}

impl fmt::Debug for ExchangeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExchangeIdentity({})", self.public_hex())
    }
}

/// The five authentication headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub sender: String,
    pub recipient: String,
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
}

impl SignedHeaders {
    /// (name, value) pairs to put on the request.
    pub fn pairs(&self) -> [(&'static str, String); 5] {
        [
            (HEADER_SENDER, self.sender.clone()),
            (HEADER_RECIPIENT, self.recipient.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

impl ExchangeIdentity {
    /// The identity of the tenant whose secret this is.
    pub fn of_org(secret: &OrgSecretKey) -> Self {
        Self::from_seed(*secret.derive(KeyPurpose::ExchangeIdentity).expose())
    }

    /// An identity from a raw 32-byte seed (tools and tests).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// Hex of the public key, as peers register it.
    pub fn public_hex(&self) -> String {
        hex(self.key.verifying_key().as_bytes())
    }

    /// Signs a request to the tenant with identity `recipient_hex`.
    pub fn sign_request(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        recipient_hex: &str,
        timestamp: i64,
        nonce_hex: &str,
    ) -> SignedHeaders {
        let sender = self.public_hex();
        let bytes = signed_bytes(
            method,
            path,
            &body_digest(body),
            timestamp,
            nonce_hex,
            &sender,
            recipient_hex,
        );
        SignedHeaders {
            signature: hex(&self.key.sign(&bytes).to_bytes()),
            sender,
            recipient: recipient_hex.to_owned(),
            timestamp,
            nonce: nonce_hex.to_owned(),
        }
    }

    /// Signs a request now, with a fresh random nonce.
    pub fn sign_now(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        recipient_hex: &str,
    ) -> SignedHeaders {
        let mut nonce = [0u8; NONCE_LEN];
        // The OS generator failing is not something a server can work around.
        getrandom::fill(&mut nonce).expect("the operating system's random generator works");
        self.sign_request(method, path, body, recipient_hex, now(), &hex(&nonce))
    }
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = data_encoding::HEXLOWER.decode(text.as_bytes()).ok()?;
    bytes.try_into().ok()
}

fn body_digest(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

/// What a request signature covers. Every field has a fixed alphabet
/// without newlines (the method and path come from the HTTP request line),
/// so the newline-joined form is unambiguous.
fn signed_bytes(
    method: &str,
    path: &str,
    body_digest: &str,
    timestamp: i64,
    nonce: &str,
    sender: &str,
    recipient: &str,
) -> Vec<u8> {
    format!(
        "{SIGNATURE_CONTEXT}\n{method}\n{path}\n{body_digest}\n{timestamp}\n{nonce}\n{sender}\n{recipient}\n"
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------
// Setup from the command line

#[derive(Debug, thiserror::Error)]
pub enum PsiSetupError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("{0:?} is not an active administrator or supervisor with that password")]
    NotAuthorised(String),
    #[error("the organisation key could not be unwrapped: {0}")]
    Key(#[from] ctip_tipline::KeyError),
    #[error("the password could not be checked: {0}")]
    Password(#[from] ctip_tipline::StaffError),
    #[error(
        "peer name {0:?}: use 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    BadPeerName(String),
    #[error(
        "peer URL must be http://HOST[:PORT] with no path, query or credentials (this build has no TLS client: reach peers over a private network or a TLS tunnel)"
    )]
    BadUrl,
    #[error("peer key must be 64 hex digits of a valid Ed25519 public key")]
    BadKey,
    #[error("--max-set-size must be between 1 and {MAX_CONFIGURABLE_SET_SIZE}")]
    BadSetSize,
    #[error("no tenant {0}")]
    NoTenant(i64),
}

/// Derives the exchange identity of `by`'s tenant with `by`'s password,
/// records its public key so that peers' requests find the tenant, and
/// returns it (hex). Only administrators and supervisors may.
pub async fn register_identity(
    db: &TipDb,
    by: &str,
    password: &str,
) -> Result<String, PsiSetupError> {
    let row = db
        .staff_by_name(by)
        .await?
        .filter(|r| {
            !r.disabled && (r.role == Role::Admin.as_str() || r.role == Role::Supervisor.as_str())
        })
        .ok_or_else(|| PsiSetupError::NotAuthorised(by.to_owned()))?;
    if !PasswordHash::from_stored(row.password_hash.clone()).verify(password)? {
        return Err(PsiSetupError::NotAuthorised(by.to_owned()));
    }
    let secret = WrappedKey::from_json(&row.wrapped_key)?.unwrap_with(password)?;
    let identity = ExchangeIdentity::of_org(&secret).public_hex();
    db.set_psi_identity(row.tenant_id, &identity).await?;
    Ok(identity)
}

/// A peer to register with a tenant.
pub struct PeerSpec<'a> {
    pub tenant_id: i64,
    pub name: &'a str,
    pub url: &'a str,
    pub key_hex: &'a str,
    pub max_set_size: usize,
    pub max_sessions_per_day: u32,
    pub allow_intersection: bool,
}

fn valid_peer_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// `http://host[:port]`, trailing slash dropped.
fn normalise_url(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let authority = url.strip_prefix("http://")?;
    let ok = !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    ok.then(|| url.to_owned())
}

/// Registers (or updates) a peer of a tenant.
pub async fn add_peer(db: &TipDb, spec: &PeerSpec<'_>, now: i64) -> Result<(), PsiSetupError> {
    if !valid_peer_name(spec.name) {
        return Err(PsiSetupError::BadPeerName(spec.name.to_owned()));
    }
    let base_url = normalise_url(spec.url).ok_or(PsiSetupError::BadUrl)?;
    let key_hex = spec.key_hex.trim().to_ascii_lowercase();
    let key: [u8; 32] = unhex(&key_hex).ok_or(PsiSetupError::BadKey)?;
    VerifyingKey::from_bytes(&key).map_err(|_| PsiSetupError::BadKey)?;
    if !(1..=MAX_CONFIGURABLE_SET_SIZE).contains(&spec.max_set_size) {
        return Err(PsiSetupError::BadSetSize);
    }
    if db.tenant(spec.tenant_id).await?.is_none() {
        return Err(PsiSetupError::NoTenant(spec.tenant_id));
    }
    db.put_psi_peer(&PeerRow {
        tenant_id: spec.tenant_id,
        name: spec.name.to_owned(),
        base_url,
        public_key: key_hex,
        max_set_size: spec.max_set_size as i64,
        max_sessions_per_day: i64::from(spec.max_sessions_per_day),
        allow_intersection: spec.allow_intersection,
        created_at: now,
    })
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Sessions: names on the page and in the database

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionState {
    /// Initiator: step 1 sent, waiting for the peer's approval and reply.
    AwaitingPeer,
    /// Responder: a request arrived, waiting for our supervisor.
    AwaitingApproval,
    /// Responder: step 2 sent, waiting for the initiator's outcome.
    AwaitingOutcome,
    Done,
    Declined,
    /// Refused by policy, here or at the peer.
    Refused,
    Failed,
}

impl SessionState {
    const RUNNING: [&'static str; 3] = ["awaiting-peer", "awaiting-approval", "awaiting-outcome"];

    fn as_str(self) -> &'static str {
        match self {
            SessionState::AwaitingPeer => "awaiting-peer",
            SessionState::AwaitingApproval => "awaiting-approval",
            SessionState::AwaitingOutcome => "awaiting-outcome",
            SessionState::Done => "done",
            SessionState::Declined => "declined",
            SessionState::Refused => "refused",
            SessionState::Failed => "failed",
        }
    }
}

fn mode_name(mode: PsiMode) -> &'static str {
    match mode {
        PsiMode::Intersection => "intersection",
        PsiMode::CardinalityOnly => "cardinality",
    }
}

fn parse_mode(text: &str) -> Option<PsiMode> {
    match text {
        "intersection" => Some(PsiMode::Intersection),
        "cardinality" => Some(PsiMode::CardinalityOnly),
        _ => None,
    }
}

fn policy_of(peer: &PeerRow) -> SessionPolicy {
    SessionPolicy {
        max_sessions_per_day: u32::try_from(peer.max_sessions_per_day).unwrap_or(0),
        max_set_size: usize::try_from(peer.max_set_size)
            .unwrap_or(1)
            .clamp(1, MAX_CONFIGURABLE_SET_SIZE),
        allow_intersection: peer.allow_intersection,
    }
}

/// Why a session cannot start, from our policy for the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicyRefusal {
    IntersectionNotAllowed,
    SetTooLarge { size: usize, max: usize },
    DailyLimit { limit: u32 },
}

impl PolicyRefusal {
    fn code(self) -> &'static str {
        match self {
            PolicyRefusal::IntersectionNotAllowed => "intersection-not-allowed",
            PolicyRefusal::SetTooLarge { .. } => "set-too-large",
            PolicyRefusal::DailyLimit { .. } => "daily-limit",
        }
    }

    fn explain(self) -> String {
        match self {
            PolicyRefusal::IntersectionNotAllowed => {
                "Only cardinality-only sessions are allowed with this partner.".into()
            }
            PolicyRefusal::SetTooLarge { size, max } => format!(
                "The set has {size} distinct identifiers; the cap for this partner is {max}."
            ),
            PolicyRefusal::DailyLimit { limit } => format!(
                "This partner's {limit} sessions for today are used up. Try again tomorrow (UTC)."
            ),
        }
    }
}

fn check_mode_and_size(
    policy: &SessionPolicy,
    mode: PsiMode,
    size: usize,
) -> Result<(), PolicyRefusal> {
    if mode == PsiMode::Intersection && !policy.allow_intersection {
        return Err(PolicyRefusal::IntersectionNotAllowed);
    }
    if size > policy.max_set_size {
        return Err(PolicyRefusal::SetTooLarge {
            size,
            max: policy.max_set_size,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Running sessions, in memory only

enum Live {
    /// Our initiator, with the identity key our supervisor's session lent it
    /// to sign the final message.
    Initiator {
        machine: Box<Initiator>,
        identity: Box<ExchangeIdentity>,
    },
    /// A peer's step-1 message waiting for our supervisor.
    Pending { request: Box<PsiMessage> },
    /// Our responder, waiting for the outcome.
    Responder { machine: Box<Responder> },
    /// Taken out by a request that is working on it.
    Busy,
}

struct Entry {
    live: Live,
    since: i64,
}

/// The sessions this server is running. Everything secret in a session (its
/// scalar, the identity key lent to an initiator) lives here and nowhere
/// else, and goes when the session ends, expires, or the server stops.
pub struct Runtime {
    live: Mutex<HashMap<(i64, SessionId), Entry>>,
    /// Serialises "count today's sessions with the peer, then insert one",
    /// so two requests at once cannot both take the last slot.
    admission: tokio::sync::Mutex<()>,
    refusals: ctip_tipline::RateLimiter,
}

impl Default for Runtime {
    fn default() -> Self {
        Self {
            live: Mutex::new(HashMap::new()),
            admission: tokio::sync::Mutex::new(()),
            refusals: ctip_tipline::RateLimiter::new(AUDITED_REFUSALS_PER_HOUR, 3600),
        }
    }
}

impl Runtime {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, SessionId), Entry>> {
        match self.live.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn put(&self, tenant: i64, id: SessionId, live: Live) {
        let at = now();
        let mut map = self.lock();
        map.retain(|_, e| at - e.since < RUNNING_TTL);
        map.insert((tenant, id), Entry { live, since: at });
    }

    fn remove(&self, tenant: i64, id: SessionId) {
        self.lock().remove(&(tenant, id));
    }

    fn is_running(&self, tenant: i64, id: SessionId) -> bool {
        let at = now();
        self.lock()
            .get(&(tenant, id))
            .is_some_and(|e| at - e.since < RUNNING_TTL)
    }

    /// Takes the session's live state out, leaving `Busy`, if `want`
    /// accepts it. Anything else is left untouched.
    fn take(&self, tenant: i64, id: SessionId, want: fn(&Live) -> bool) -> Option<Live> {
        let at = now();
        let mut map = self.lock();
        let entry = map.get_mut(&(tenant, id))?;
        if at - entry.since >= RUNNING_TTL || !want(&entry.live) {
            return None;
        }
        Some(std::mem::replace(&mut entry.live, Live::Busy))
    }
}

// ---------------------------------------------------------------------------
// Routes

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/staff/exchange/psi",
            get(list)
                .post(start)
                .layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/staff/exchange/psi/{id}", get(show))
        .route(
            "/staff/exchange/psi/{id}/approve",
            post(approve).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/staff/exchange/psi/{id}/decline", post(decline))
        .route(MESSAGES_PATH, post(receive_message))
        .route(DECLINES_PATH, post(receive_decline))
}

/// Runs a handler to completion even if the client goes away: hyper drops a
/// handler whose connection closes, and a session dropped half-way (its
/// machine taken out of memory, its row not yet moved on) would be stuck.
async fn detached(work: impl Future<Output = Response> + Send + 'static) -> Response {
    tokio::spawn(work)
        .await
        .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response())
}

async fn start(state: State<Shared>, headers: HeaderMap, form: Form<StartForm>) -> Response {
    detached(start_work(state, headers, form)).await
}

async fn approve(
    state: State<Shared>,
    headers: HeaderMap,
    id: Path<String>,
    form: Form<ApproveForm>,
) -> Response {
    detached(approve_work(state, headers, id, form)).await
}

async fn decline(
    state: State<Shared>,
    headers: HeaderMap,
    id: Path<String>,
    form: Form<CsrfForm>,
) -> Response {
    detached(decline_work(state, headers, id, form)).await
}

async fn receive_message(
    state: State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    detached(receive_message_work(state, method, uri, headers, body)).await
}

async fn receive_decline(
    state: State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    detached(receive_decline_work(state, method, uri, headers, body)).await
}

/// Supervisors approve exchanges with other organisations.
pub(crate) fn approves_exchanges(s: &Session) -> bool {
    s.role == Role::Supervisor
}

fn page(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

fn message_page(s: &Session, status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        staff_page(
            s,
            title,
            html! {
                h1 { (title) }
                p.errors role="alert" { (text) }
                p { a href="/staff/exchange/psi" { "Back to exchanges" } }
            },
        ),
    )
}

fn unavailable(s: &Session) -> Response {
    message_page(
        s,
        StatusCode::SERVICE_UNAVAILABLE,
        "Error",
        "The database or the audit record could not be written. Try again.",
    )
}

fn staff_actor(s: &Session) -> String {
    format!("staff:{}", s.name)
}

async fn audit(
    state: &Shared,
    tenant: i64,
    actor: &str,
    action: &str,
    id: SessionId,
    detail: &str,
) -> bool {
    record_action(state, tenant, actor, action, &format!("psi:{id}"), detail).await
}

fn parse_session_id(text: &str) -> Option<SessionId> {
    unhex::<SESSION_ID_LEN>(text).map(SessionId::from_bytes)
}

// ---------------------------------------------------------------------------
// Items pasted by a supervisor

/// One problem with a pasted line. Names the line and the rule broken,
/// never the value.
struct LineError {
    line: usize,
    reason: String,
}

/// Reads `kind:value` lines (`handle:PLATFORM:NAME` for handles); blank
/// lines are skipped. Every value goes through `PsiItem`'s normalisation.
fn parse_items(text: &str) -> Result<Vec<PsiItem>, Vec<LineError>> {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = match line.split_once(':') {
            Some((kind, value)) => match kind.trim().to_ascii_lowercase().as_str() {
                "phone" => PsiItem::phone(value).map_err(|e| e.to_string()),
                "email" => PsiItem::email(value).map_err(|e| e.to_string()),
                "wallet" => PsiItem::wallet(value).map_err(|e| e.to_string()),
                "document" => PsiItem::document(value).map_err(|e| e.to_string()),
                "handle" => match value.split_once(':') {
                    Some((platform, name)) => {
                        PsiItem::handle(platform, name).map_err(|e| e.to_string())
                    }
                    None => Err("a handle is written handle:PLATFORM:NAME".to_owned()),
                },
                _ => Err(
                    "unknown kind; use phone:, email:, handle:PLATFORM:, wallet: or document:"
                        .to_owned(),
                ),
            },
            None => Err("write each identifier as kind:value".to_owned()),
        };
        match parsed {
            Ok(item) => items.push(item),
            Err(reason) if errors.len() < 20 => errors.push(LineError {
                line: index + 1,
                reason,
            }),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        items.sort_unstable();
        items.dedup();
        Ok(items)
    } else {
        Err(errors)
    }
}

fn line_errors_page(s: &Session, errors: &[LineError]) -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        staff_page(
            s,
            "Identifiers not accepted",
            html! {
                h1 { "Some lines are not identifiers" }
                div.errors role="alert" {
                    p { "Nothing was sent. Correct these lines and submit again:" }
                    ul { @for e in errors { li { "line " (e.line) ": " (e.reason) } } }
                }
                p { a href="/staff/exchange/psi" { "Back to exchanges" } }
            },
        ),
    )
}

// ---------------------------------------------------------------------------
// Pushing to a peer

/// Why a push to a peer did not succeed.
#[derive(Debug)]
enum PushError {
    /// No answer (connection, timeout).
    Unreachable,
    /// The peer answered with a refusal: HTTP status and its reason code.
    Refused { status: u16, code: String },
}

impl PushError {
    fn note(&self) -> String {
        match self {
            PushError::Unreachable => "peer-unreachable".into(),
            PushError::Refused { code, .. } => format!("peer-refused:{code}"),
        }
    }

    fn detail(&self) -> String {
        match self {
            PushError::Unreachable => "reason=peer-unreachable".into(),
            PushError::Refused { status, code } => {
                format!("reason=peer-refused status={status} code={code}")
            }
        }
    }
}

/// Signs `body` and posts it to the peer's registered URL, on a blocking
/// thread. Success is any 2xx.
async fn push(
    peer: &PeerRow,
    identity: &ExchangeIdentity,
    path: &'static str,
    body: Vec<u8>,
) -> Result<(), PushError> {
    let headers = identity.sign_now("POST", path, &body, &peer.public_key);
    let url = format!("{}{path}", peer.base_url);
    let outcome = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(PUSH_TIMEOUT))
            .build()
            .into();
        let mut request = agent
            .post(&url)
            .header("content-type", "application/octet-stream");
        for (name, value) in headers.pairs() {
            request = request.header(name, value);
        }
        let mut response = request
            .send(&body[..])
            .map_err(|_| PushError::Unreachable)?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(256)
            .read_to_string()
            .unwrap_or_default();
        // The peer's words never reach our pages or records: only a code
        // from the protocol's own vocabulary.
        let code = text.trim();
        let code = if !code.is_empty()
            && code.len() <= 40
            && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            code.to_owned()
        } else {
            "unknown".to_owned()
        };
        Err(PushError::Refused { status, code })
    })
    .await;
    outcome.unwrap_or(Err(PushError::Unreachable))
}

// ---------------------------------------------------------------------------
// Staff pages

async fn our_identity(state: &Shared, s: &Session) -> Option<ExchangeIdentity> {
    let identity = ExchangeIdentity::of_org(&s.org_key);
    let public = identity.public_hex();
    let recorded = state.db.psi_identity(s.tenant_id).await.ok()?;
    if recorded.as_deref() != Some(public.as_str()) {
        state.db.set_psi_identity(s.tenant_id, &public).await.ok()?;
    }
    Some(identity)
}

fn state_label(row: &SessionRow, running: bool) -> String {
    let running_state = SessionState::RUNNING.contains(&row.state.as_str());
    if running_state && !running {
        return "expired".into();
    }
    row.state.clone()
}

async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let s = match signed_in(&state, &headers, approves_exchanges) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(identity) = our_identity(&state, &s).await else {
        return unavailable(&s);
    };
    let (Ok(peers), Ok(sessions)) = (
        state.db.psi_peers(s.tenant_id).await,
        state.db.psi_sessions(s.tenant_id, 200).await,
    ) else {
        return unavailable(&s);
    };
    if !record_action(
        &state,
        s.tenant_id,
        &staff_actor(&s),
        "read",
        "psi:sessions",
        "",
    )
    .await
    {
        return unavailable(&s);
    }
    let body = html! {
        h1 { "Shared identifiers with partners (PSI)" }
        p.meta { "Find which phone numbers, e-mails, handles, wallets or document numbers you share with a partner organisation, without either side revealing the rest. Each session needs a supervisor's approval on both sides." }
        p.meta { "Our exchange identity: " code.ltr #identity { (identity.public_hex()) } }
        h2 { "Sessions" }
        @if sessions.is_empty() { p { "None yet." } }
        @else {
            table #sessions {
                thead { tr { th { "Session" } th { "Partner" } th { "Asked by" } th { "Mode" } th { "State" } th { "Our set" } th { "Their set" } th { "Shared" } th { "Day" } } }
                tbody {
                    @for row in &sessions {
                        @let running = parse_session_id(&row.session_id).is_some_and(|id| state.psi.is_running(s.tenant_id, id));
                        tr {
                            td { a.ltr href={ "/staff/exchange/psi/" (row.session_id) } { (row.session_id[..8.min(row.session_id.len())]) } }
                            td { (row.peer) }
                            td { @if row.role == "initiator" { "us" } @else { "them" } }
                            td { (row.mode) }
                            td { (state_label(row, running)) }
                            td { (row.own_set_size.map(|n| n.to_string()).unwrap_or_default()) }
                            td { (row.peer_set_size.map(|n| n.to_string()).unwrap_or_default()) }
                            td { (row.result_count.map(|n| n.to_string()).unwrap_or_default()) }
                            td { (row.created_day) }
                        }
                    }
                }
            }
        }
        h2 { "Start a session" }
        @if peers.is_empty() {
            p { "No partner is registered. An administrator adds one with " code { "ctip serve psi add-peer" } "." }
        } @else {
            form method="post" action="/staff/exchange/psi" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="peer" { "Partner" }
                select id="peer" name="peer" {
                    @for p in &peers {
                        option value=(p.name) { (p.name) " (up to " (p.max_set_size) " identifiers, " (p.max_sessions_per_day) " sessions a day" @if !p.allow_intersection { ", counts only" } ")" }
                    }
                }
                fieldset {
                    legend { "What both sides learn" }
                    label { input type="radio" name="mode" value="intersection" checked; " Which identifiers are shared (each side sees only its own shared identifiers)" }
                    label { input type="radio" name="mode" value="cardinality"; " Only how many are shared" }
                }
                label for="items" { "Our identifiers" span.hint { "One per line as kind:value, e.g. phone:+44 7700 900123, email:name@example.org, handle:telegram:@name, wallet:bc1…, document:AB123456. The partner learns how many you send, never the others." } }
                textarea id="items" name="items" rows="12" {}
                p { button type="submit" { "Approve and send" } }
            }
        }
    };
    page(StatusCode::OK, staff_page(&s, "Partner exchange", body))
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    peer: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    items: String,
}

/// Today's sessions with the peer, checked and counted in one step.
async fn admit_and_insert(
    state: &Shared,
    policy: &SessionPolicy,
    row: &SessionRow,
) -> Result<bool, Option<PolicyRefusal>> {
    let _guard = state.psi.admission.lock().await;
    let used = state
        .db
        .psi_sessions_on_day(row.tenant_id, &row.peer, &row.created_day)
        .await
        .map_err(|_| None)?;
    if used >= i64::from(policy.max_sessions_per_day) {
        return Err(Some(PolicyRefusal::DailyLimit {
            limit: policy.max_sessions_per_day,
        }));
    }
    state.db.insert_psi_session(row).await.map_err(|_| None)
}

/// A's supervisor approves a session with their items: step 1 goes out.
async fn start_work(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<StartForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, approves_exchanges) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(mode) = parse_mode(&f.mode) else {
        return message_page(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a mode",
            "Choose what both sides learn.",
        );
    };
    let peer = match state.db.psi_peer(s.tenant_id, &f.peer).await {
        Ok(Some(peer)) => peer,
        Ok(None) => {
            return message_page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unknown partner",
                "Choose a registered partner.",
            );
        }
        Err(_) => return unavailable(&s),
    };
    let items = match parse_items(&f.items) {
        Ok(items) if items.is_empty() => {
            return message_page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "No identifiers",
                "Paste at least one identifier.",
            );
        }
        Ok(items) => items,
        Err(errors) => return line_errors_page(&s, &errors),
    };
    let policy = policy_of(&peer);
    if let Err(refusal) = check_mode_and_size(&policy, mode, items.len()) {
        return message_page(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not allowed",
            &refusal.explain(),
        );
    }
    let Some(identity) = our_identity(&state, &s).await else {
        return unavailable(&s);
    };
    let id = SessionId::random();
    let at = now();
    let row = SessionRow {
        tenant_id: s.tenant_id,
        session_id: id.to_string(),
        peer: peer.name.clone(),
        role: "initiator".into(),
        mode: mode_name(mode).into(),
        state: SessionState::AwaitingPeer.as_str().into(),
        created_day: day_of(at),
        created_at: at,
        updated_at: at,
        own_set_size: Some(items.len() as i64),
        peer_set_size: None,
        approved_by: Some(s.name.clone()),
        result_count: None,
        sealed_result: None,
        note: None,
    };
    let actor = staff_actor(&s);
    let size = items.len();
    let config = policy.config(mode);
    // Hashing to the group costs tens of microseconds per item: off the
    // async workers.
    let built = tokio::task::spawn_blocking(move || {
        let mut machine = Initiator::new(id, config, items)?;
        let first = machine.start()?;
        Ok::<_, PsiError>((machine, first))
    })
    .await;
    let (machine, first) = match built {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => {
            return message_page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not started",
                &e.to_string(),
            );
        }
        Err(_) => return unavailable(&s),
    };
    match admit_and_insert(&state, &policy, &row).await {
        Ok(true) => {}
        Ok(false) | Err(None) => return unavailable(&s),
        Err(Some(refusal)) => {
            return message_page(
                &s,
                StatusCode::TOO_MANY_REQUESTS,
                "Not allowed",
                &refusal.explain(),
            );
        }
    }
    let detail = format!("peer={} mode={} size={size}", peer.name, mode_name(mode));
    if !audit(&state, s.tenant_id, &actor, "psi.request", id, &detail).await
        || !audit(
            &state,
            s.tenant_id,
            &actor,
            "psi.approve",
            id,
            "side=initiator",
        )
        .await
        || !audit(&state, s.tenant_id, &actor, "psi.send", id, "step=1").await
    {
        fail_session(&state, s.tenant_id, id, "audit-failed").await;
        return unavailable(&s);
    }
    state.psi.put(
        s.tenant_id,
        id,
        Live::Initiator {
            machine: Box::new(machine),
            identity: Box::new(identity.clone()),
        },
    );
    if let Err(e) = push(&peer, &identity, MESSAGES_PATH, first.to_bytes()).await {
        state.psi.remove(s.tenant_id, id);
        let new_state = match e {
            PushError::Refused { .. } => SessionState::Refused,
            PushError::Unreachable => SessionState::Failed,
        };
        end_session(&state, s.tenant_id, id, new_state, &e.note()).await;
        audit(&state, s.tenant_id, &actor, "psi.failed", id, &e.detail()).await;
    }
    Redirect::to(&format!("/staff/exchange/psi/{id}")).into_response()
}

async fn end_session(
    state: &Shared,
    tenant: i64,
    id: SessionId,
    to: SessionState,
    note: &str,
) -> bool {
    state
        .db
        .update_psi_session(
            tenant,
            &id.to_string(),
            &SessionUpdate {
                from: &SessionState::RUNNING,
                state: to.as_str(),
                at: now(),
                note: Some(note),
                ..SessionUpdate::default()
            },
        )
        .await
        .unwrap_or(false)
}

async fn fail_session(state: &Shared, tenant: i64, id: SessionId, note: &str) {
    state.psi.remove(tenant, id);
    end_session(state, tenant, id, SessionState::Failed, note).await;
}

/// A message the protocol core rejected. An honest peer never sends one,
/// and its signature says it sent this one: the session is over.
async fn protocol_failure(
    state: &Shared,
    tenant: i64,
    id: SessionId,
    actor: &str,
    step: u8,
) -> Refusal {
    fail_session(state, tenant, id, "protocol-error").await;
    audit(
        state,
        tenant,
        actor,
        "psi.failed",
        id,
        &format!("reason=protocol-error step={step}"),
    )
    .await;
    PROTOCOL_ERROR
}

/// Ends the live session and records its result (sealed) and its count in
/// the ledger. `false` if either could not be written.
async fn store_outcome(
    state: &Shared,
    tenant: i64,
    id: SessionId,
    from: SessionState,
    outcome: &PsiOutcome,
) -> bool {
    state.psi.remove(tenant, id);
    let count = outcome.result.count();
    record_result(
        state,
        tenant,
        id,
        from.as_str(),
        outcome.peer_set_size,
        &outcome.result,
    )
    .await
        && audit(
            state,
            tenant,
            "system:psi",
            "psi.result",
            id,
            &format!("count={count} peer_size={}", outcome.peer_set_size),
        )
        .await
}

/// The shared identifiers as stored: sealed to the tenant's public key.
async fn seal_result(state: &Shared, tenant: i64, result: &PsiResult) -> Option<Option<Vec<u8>>> {
    let PsiResult::Intersection(items) = result else {
        return Some(None);
    };
    let row = state.db.tenant(tenant).await.ok()??;
    let public = data_encoding::HEXLOWER
        .decode(row.public_key.as_bytes())
        .ok()?;
    let public = OrgPublicKey::from_bytes(&public).ok()?;
    let values: Vec<String> = items.iter().map(ToString::to_string).collect();
    let json = serde_json::to_vec(&values).ok()?;
    Some(Some(public.seal(&json)))
}

async fn record_result(
    state: &Shared,
    tenant: i64,
    id: SessionId,
    from: &'static str,
    peer_set_size: usize,
    result: &PsiResult,
) -> bool {
    let Some(sealed) = seal_result(state, tenant, result).await else {
        return false;
    };
    state
        .db
        .update_psi_session(
            tenant,
            &id.to_string(),
            &SessionUpdate {
                from: &[from],
                state: SessionState::Done.as_str(),
                at: now(),
                peer_set_size: Some(peer_set_size as i64),
                result_count: Some(result.count() as i64),
                sealed_result: sealed.as_deref(),
                ..SessionUpdate::default()
            },
        )
        .await
        .unwrap_or(false)
}

async fn show(State(state): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let s = match signed_in(&state, &headers, approves_exchanges) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let not_found = || message_page(&s, StatusCode::NOT_FOUND, "Not found", "No such session.");
    let Some(sid) = parse_session_id(&id) else {
        return not_found();
    };
    let row = match state.db.psi_session(s.tenant_id, &sid.to_string()).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(),
        Err(_) => return unavailable(&s),
    };
    let running = state.psi.is_running(s.tenant_id, sid);
    let reveals = row.sealed_result.is_some();
    let detail = if reveals { "result" } else { "" };
    if !audit(&state, s.tenant_id, &staff_actor(&s), "read", sid, detail).await {
        return unavailable(&s);
    }
    let shared: Option<Vec<String>> = row
        .sealed_result
        .as_ref()
        .and_then(|sealed| s.org_key.open(sealed).ok())
        .and_then(|json| serde_json::from_slice(&json).ok());
    let label = state_label(&row, running);
    let awaiting_us = row.role == "responder" && label == SessionState::AwaitingApproval.as_str();
    let body = html! {
        h1 { "Session with " (row.peer) }
        table {
            tr { th { "Session" } td.ltr { (row.session_id) } }
            tr { th { "Asked by" } td { @if row.role == "initiator" { "us" } @else { (row.peer) } } }
            tr { th { "Mode" } td #mode { @if row.mode == "intersection" { "which identifiers are shared" } @else { "only how many are shared" } } }
            tr { th { "State" } td { strong #state { (label) } @if let Some(note) = &row.note { " (" (note) ")" } } }
            tr { th { "Our set" } td #own-size { (row.own_set_size.map(|n| n.to_string()).unwrap_or_else(|| "not yet given".into())) } }
            tr { th { "Their set" } td #peer-size { (row.peer_set_size.map(|n| n.to_string()).unwrap_or_default()) } }
            @if let Some(by) = &row.approved_by { tr { th { "Approved here by" } td { (by) } } }
            @if let Some(count) = row.result_count { tr { th { "Shared" } td #result-count { (count) } } }
        }
        @if let Some(values) = &shared {
            h2 { "Our identifiers the partner also holds" }
            p.meta { "Treat these as leads to check, not findings: the partner chose its own set." }
            ul #shared { @for v in values { li.ltr { (v) } } }
        } @else if reveals {
            p.errors { "The result cannot be opened with your key." }
        }
        @if awaiting_us {
            h2 { "Approve or decline" }
            p { (row.peer) " asks to compare " (row.peer_set_size.unwrap_or(0)) " identifiers with ours"
                @if row.mode == "intersection" { ". Both sides would learn which of their own identifiers are shared." }
                @else { ". Both sides would learn only how many are shared." } }
            p.meta { "A partner could try to find out whether we hold particular identifiers by sending a large or targeted set. Approve only requests you expect, of a plausible size." }
            form method="post" action={ "/staff/exchange/psi/" (row.session_id) "/approve" } {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="items" { "Our identifiers" span.hint { "One per line as kind:value (phone:, email:, handle:PLATFORM:, wallet:, document:)." } }
                textarea id="items" name="items" rows="12" {}
                p { button type="submit" { "Approve and answer" } }
            }
            form method="post" action={ "/staff/exchange/psi/" (row.session_id) "/decline" } {
                input type="hidden" name="csrf" value=(s.csrf);
                p { button type="submit" { "Decline" } }
            }
        }
        p { a href="/staff/exchange/psi" { "All sessions" } }
    };
    page(StatusCode::OK, staff_page(&s, "PSI session", body))
}

#[derive(Deserialize)]
struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    items: String,
}

/// B's supervisor approves with B's items: step 2 goes back to A.
async fn approve_work(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ApproveForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, approves_exchanges) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(sid) = parse_session_id(&id) else {
        return message_page(&s, StatusCode::NOT_FOUND, "Not found", "No such session.");
    };
    let row = match state.db.psi_session(s.tenant_id, &sid.to_string()).await {
        Ok(Some(row))
            if row.role == "responder" && row.state == SessionState::AwaitingApproval.as_str() =>
        {
            row
        }
        Ok(_) => {
            return message_page(
                &s,
                StatusCode::CONFLICT,
                "Not waiting",
                "This session is not waiting for approval.",
            );
        }
        Err(_) => return unavailable(&s),
    };
    let (peer, mode) = match (
        state.db.psi_peer(s.tenant_id, &row.peer).await,
        parse_mode(&row.mode),
    ) {
        (Ok(Some(peer)), Some(mode)) => (peer, mode),
        (Ok(_), _) => {
            return message_page(
                &s,
                StatusCode::CONFLICT,
                "Partner removed",
                "The partner is no longer registered.",
            );
        }
        (Err(_), _) => return unavailable(&s),
    };
    let items = match parse_items(&f.items) {
        Ok(items) if items.is_empty() => {
            return message_page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "No identifiers",
                "Paste at least one identifier.",
            );
        }
        Ok(items) => items,
        Err(errors) => return line_errors_page(&s, &errors),
    };
    let policy = policy_of(&peer);
    if let Err(refusal) = check_mode_and_size(&policy, mode, items.len()) {
        return message_page(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not allowed",
            &refusal.explain(),
        );
    }
    let Some(identity) = our_identity(&state, &s).await else {
        return unavailable(&s);
    };
    let Some(Live::Pending { request }) = state
        .psi
        .take(s.tenant_id, sid, |l| matches!(l, Live::Pending { .. }))
    else {
        return message_page(
            &s,
            StatusCode::GONE,
            "No longer running",
            "This request is no longer held by this server (it was restarted, or the request expired). Ask the partner to send it again.",
        );
    };
    let actor = staff_actor(&s);
    let size = items.len();
    let config = policy.config(mode);
    let built = tokio::task::spawn_blocking(move || {
        let mut machine = Responder::new(sid, config, items)?;
        let reply = machine.handle_request(&request)?;
        Ok::<_, PsiError>((machine, reply))
    })
    .await;
    let (machine, reply) = match built {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => {
            fail_session(&state, s.tenant_id, sid, "protocol-error").await;
            audit(
                &state,
                s.tenant_id,
                &actor,
                "psi.failed",
                sid,
                "reason=protocol-error step=1",
            )
            .await;
            return message_page(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Session failed",
                &format!("The partner's request is not valid: {e}"),
            );
        }
        Err(_) => {
            fail_session(&state, s.tenant_id, sid, "internal-error").await;
            return unavailable(&s);
        }
    };
    let moved = state
        .db
        .update_psi_session(
            s.tenant_id,
            &sid.to_string(),
            &SessionUpdate {
                from: &[SessionState::AwaitingApproval.as_str()],
                state: SessionState::AwaitingOutcome.as_str(),
                at: now(),
                own_set_size: Some(size as i64),
                approved_by: Some(&s.name),
                ..SessionUpdate::default()
            },
        )
        .await
        .unwrap_or(false);
    if !moved
        || !audit(
            &state,
            s.tenant_id,
            &actor,
            "psi.approve",
            sid,
            &format!("side=responder size={size}"),
        )
        .await
        || !audit(&state, s.tenant_id, &actor, "psi.send", sid, "step=2").await
    {
        fail_session(&state, s.tenant_id, sid, "audit-failed").await;
        return unavailable(&s);
    }
    // In place before the reply leaves: the initiator answers it with the
    // outcome before it answers our request.
    state.psi.put(
        s.tenant_id,
        sid,
        Live::Responder {
            machine: Box::new(machine),
        },
    );
    if let Err(e) = push(&peer, &identity, MESSAGES_PATH, reply.to_bytes()).await {
        state.psi.remove(s.tenant_id, sid);
        end_session(&state, s.tenant_id, sid, SessionState::Failed, &e.note()).await;
        audit(&state, s.tenant_id, &actor, "psi.failed", sid, &e.detail()).await;
    }
    Redirect::to(&format!("/staff/exchange/psi/{sid}")).into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// B's supervisor declines: the request is dropped and A is told.
async fn decline_work(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, approves_exchanges) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(sid) = parse_session_id(&id) else {
        return message_page(&s, StatusCode::NOT_FOUND, "Not found", "No such session.");
    };
    let row = match state.db.psi_session(s.tenant_id, &sid.to_string()).await {
        Ok(Some(row)) if row.role == "responder" => row,
        Ok(_) => return message_page(&s, StatusCode::NOT_FOUND, "Not found", "No such session."),
        Err(_) => return unavailable(&s),
    };
    let declined = state
        .db
        .update_psi_session(
            s.tenant_id,
            &row.session_id,
            &SessionUpdate {
                from: &[SessionState::AwaitingApproval.as_str()],
                state: SessionState::Declined.as_str(),
                at: now(),
                approved_by: Some(&s.name),
                ..SessionUpdate::default()
            },
        )
        .await;
    match declined {
        Ok(true) => {}
        Ok(false) => {
            return message_page(
                &s,
                StatusCode::CONFLICT,
                "Not waiting",
                "This session is not waiting for approval.",
            );
        }
        Err(_) => return unavailable(&s),
    }
    state.psi.remove(s.tenant_id, sid);
    let actor = staff_actor(&s);
    audit(&state, s.tenant_id, &actor, "psi.decline", sid, "").await;
    if let (Ok(Some(peer)), Some(identity)) = (
        state.db.psi_peer(s.tenant_id, &row.peer).await,
        our_identity(&state, &s).await,
    ) {
        let told = push(&peer, &identity, DECLINES_PATH, sid.as_bytes().to_vec()).await;
        let detail = match &told {
            Ok(()) => "decline".to_owned(),
            Err(e) => format!("decline {}", e.detail()),
        };
        audit(&state, s.tenant_id, &actor, "psi.send", sid, &detail).await;
    }
    Redirect::to(&format!("/staff/exchange/psi/{sid}")).into_response()
}

// ---------------------------------------------------------------------------
// The server-to-server API

/// Why a peer's request is refused: an HTTP status and a code from a fixed
/// vocabulary (the response body, and the audit detail).
#[derive(Debug, Clone, Copy)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
}

const fn refusal(status: StatusCode, code: &'static str) -> Refusal {
    Refusal { status, code }
}

const MALFORMED_HEADERS: Refusal = refusal(StatusCode::BAD_REQUEST, "malformed-headers");
const UNKNOWN_RECIPIENT: Refusal = refusal(StatusCode::NOT_FOUND, "unknown-recipient");
const UNKNOWN_PEER: Refusal = refusal(StatusCode::FORBIDDEN, "unknown-peer");
const STALE: Refusal = refusal(StatusCode::UNAUTHORIZED, "stale-timestamp");
const BAD_SIGNATURE: Refusal = refusal(StatusCode::UNAUTHORIZED, "bad-signature");
const TOO_LARGE: Refusal = refusal(StatusCode::PAYLOAD_TOO_LARGE, "too-large");
const REPLAYED: Refusal = refusal(StatusCode::CONFLICT, "replayed");
const UNDECODABLE: Refusal = refusal(StatusCode::BAD_REQUEST, "undecodable");
const SESSION_EXISTS: Refusal = refusal(StatusCode::CONFLICT, "session-exists");
const NO_SUCH_SESSION: Refusal = refusal(StatusCode::NOT_FOUND, "no-such-session");
const WRONG_STATE: Refusal = refusal(StatusCode::CONFLICT, "wrong-state");
const NOT_RUNNING: Refusal = refusal(StatusCode::GONE, "not-running");
const PROTOCOL_ERROR: Refusal = refusal(StatusCode::UNPROCESSABLE_ENTITY, "protocol-error");
const UNAVAILABLE: Refusal = refusal(StatusCode::SERVICE_UNAVAILABLE, "unavailable");

fn policy_refusal(p: PolicyRefusal) -> Refusal {
    match p {
        PolicyRefusal::IntersectionNotAllowed => refusal(StatusCode::FORBIDDEN, p.code()),
        PolicyRefusal::SetTooLarge { .. } => refusal(StatusCode::PAYLOAD_TOO_LARGE, p.code()),
        PolicyRefusal::DailyLimit { .. } => refusal(StatusCode::TOO_MANY_REQUESTS, p.code()),
    }
}

/// Who a request comes from, once its signature and nonce checked out.
struct Authenticated {
    tenant: i64,
    peer: PeerRow,
    body: axum::body::Bytes,
}

/// What is known of a refused request's origin, for the record.
struct Origin {
    tenant: i64,
    actor: String,
    record: String,
}

impl Default for Origin {
    fn default() -> Self {
        Origin {
            tenant: HOST_TENANT,
            actor: "peer:unknown".into(),
            record: "psi:requests".into(),
        }
    }
}

/// Answers a refusal, after writing it down (within the hourly allowance).
async fn refuse(state: &Shared, origin: &Origin, refusal: Refusal) -> Response {
    if state.psi.refusals.allow(b"psi-refusals", now()) {
        record_action(
            state,
            origin.tenant,
            &origin.actor,
            "psi.refused",
            &origin.record,
            &format!("reason={} status={}", refusal.code, refusal.status.as_u16()),
        )
        .await;
    }
    (refusal.status, refusal.code).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Checks a request's signature, sender, freshness and nonce, reading the
/// body only once the headers name a registered peer at a fresh time.
async fn authenticate(
    state: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: axum::body::Body,
    origin: &mut Origin,
) -> Result<Authenticated, Refusal> {
    let sender = header(headers, HEADER_SENDER).and_then(unhex::<32>);
    let recipient = header(headers, HEADER_RECIPIENT).and_then(unhex::<32>);
    let timestamp = header(headers, HEADER_TIMESTAMP).and_then(|t| t.parse::<i64>().ok());
    let nonce = header(headers, HEADER_NONCE).and_then(unhex::<NONCE_LEN>);
    let signature = header(headers, HEADER_SIGNATURE).and_then(unhex::<64>);
    let (Some(sender), Some(recipient), Some(timestamp), Some(nonce), Some(signature)) =
        (sender, recipient, timestamp, nonce, signature)
    else {
        return Err(MALFORMED_HEADERS);
    };
    let (sender_hex, recipient_hex, nonce_hex) = (hex(&sender), hex(&recipient), hex(&nonce));
    let tenant = match state.db.tenant_for_psi_identity(&recipient_hex).await {
        Ok(Some(tenant)) => tenant,
        Ok(None) => return Err(UNKNOWN_RECIPIENT),
        Err(_) => return Err(UNAVAILABLE),
    };
    origin.tenant = tenant;
    let peer = match state.db.psi_peer_by_key(tenant, &sender_hex).await {
        Ok(Some(peer)) => peer,
        Ok(None) => return Err(UNKNOWN_PEER),
        Err(_) => return Err(UNAVAILABLE),
    };
    origin.actor = format!("peer:{}", peer.name);
    let at = now();
    if (at - timestamp).abs() > MAX_CLOCK_SKEW {
        return Err(STALE);
    }
    let Ok(verifying) = VerifyingKey::from_bytes(&sender) else {
        return Err(UNKNOWN_PEER);
    };
    // The largest honest message is step 2: two lists of the capped size.
    let cap = policy_of(&peer).max_set_size;
    let limit = 1024 + 2 * cap * ctip_share::psi::POINT_LEN;
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return Err(TOO_LARGE);
    };
    let bytes = signed_bytes(
        method.as_str(),
        uri.path(),
        &body_digest(&body),
        timestamp,
        &nonce_hex,
        &sender_hex,
        &recipient_hex,
    );
    if verifying
        .verify_strict(&bytes, &Signature::from_bytes(&signature))
        .is_err()
    {
        return Err(BAD_SIGNATURE);
    }
    // Only a correctly signed request spends a nonce, so nobody else can
    // burn a peer's nonces.
    match state
        .db
        .remember_psi_nonce(&sender_hex, &nonce_hex, at, at - 2 * MAX_CLOCK_SKEW)
        .await
    {
        Ok(true) => {}
        Ok(false) => return Err(REPLAYED),
        Err(_) => return Err(UNAVAILABLE),
    }
    Ok(Authenticated { tenant, peer, body })
}

async fn receive_message_work(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let mut origin = Origin::default();
    let request = match authenticate(&state, &method, &uri, &headers, body, &mut origin).await {
        Ok(request) => request,
        Err(refusal) => return refuse(&state, &origin, refusal).await,
    };
    let message = match PsiMessage::from_bytes(&request.body) {
        Ok(message) => message,
        Err(_) => return refuse(&state, &origin, UNDECODABLE).await,
    };
    let id = message.session_id();
    origin.record = format!("psi:{id}");
    let handled = match message.step() {
        Step::InitiatorBlinded => accept_request(&state, &request, message).await,
        Step::ResponderBlinded => accept_reply(&state, &request, message).await,
        Step::Outcome => accept_outcome(&state, &request, message).await,
    };
    match handled {
        Ok(status) => (status, "accepted").into_response(),
        Err(refusal) => refuse(&state, &origin, refusal).await,
    }
}

/// Step 1 from a peer: a request that waits for our supervisor.
async fn accept_request(
    state: &Shared,
    request: &Authenticated,
    message: PsiMessage,
) -> Result<StatusCode, Refusal> {
    let id = message.session_id();
    let peer = &request.peer;
    let mode = message.mode();
    let ctip_share::psi::MessageBody::InitiatorBlinded { blinded } = message.body() else {
        return Err(PROTOCOL_ERROR);
    };
    let size = blinded.len();
    match state.db.psi_session(request.tenant, &id.to_string()).await {
        Ok(None) => {}
        Ok(Some(_)) => return Err(SESSION_EXISTS),
        Err(_) => return Err(UNAVAILABLE),
    }
    let policy = policy_of(peer);
    let at = now();
    let mut row = SessionRow {
        tenant_id: request.tenant,
        session_id: id.to_string(),
        peer: peer.name.clone(),
        role: "responder".into(),
        mode: mode_name(mode).into(),
        state: SessionState::AwaitingApproval.as_str().into(),
        created_day: day_of(at),
        created_at: at,
        updated_at: at,
        own_set_size: None,
        peer_set_size: Some(size as i64),
        approved_by: None,
        result_count: None,
        sealed_result: None,
        note: None,
    };
    // A request our policy refuses is still recorded as a session (and
    // counts against the day), so that probing shows on the page.
    let refused = check_mode_and_size(&policy, mode, size).err();
    if let Some(refusal) = refused {
        row.state = SessionState::Refused.as_str().into();
        row.note = Some(refusal.code().into());
    }
    let actor = format!("peer:{}", peer.name);
    match admit_and_insert(state, &policy, &row).await {
        Ok(true) => {}
        Ok(false) => return Err(SESSION_EXISTS),
        Err(Some(refusal)) => return Err(policy_refusal(refusal)),
        Err(None) => return Err(UNAVAILABLE),
    }
    let detail = format!("step=1 mode={} size={size}", mode_name(mode));
    if !audit(state, request.tenant, &actor, "psi.receive", id, &detail).await {
        end_session(
            state,
            request.tenant,
            id,
            SessionState::Failed,
            "audit-failed",
        )
        .await;
        return Err(UNAVAILABLE);
    }
    if let Some(refusal) = refused {
        return Err(policy_refusal(refusal));
    }
    if !audit(
        state,
        request.tenant,
        &actor,
        "psi.request",
        id,
        &format!("peer={} mode={} size={size}", peer.name, mode_name(mode)),
    )
    .await
    {
        end_session(
            state,
            request.tenant,
            id,
            SessionState::Failed,
            "audit-failed",
        )
        .await;
        return Err(UNAVAILABLE);
    }
    state.psi.put(
        request.tenant,
        id,
        Live::Pending {
            request: Box::new(message),
        },
    );
    Ok(StatusCode::ACCEPTED)
}

/// The session a peer's message is about: it must be ours with that very
/// peer, in the role and state the step needs.
async fn session_for(
    state: &Shared,
    request: &Authenticated,
    id: SessionId,
    role: &str,
    expected: SessionState,
) -> Result<SessionRow, Refusal> {
    match state.db.psi_session(request.tenant, &id.to_string()).await {
        // Another peer's session looks exactly like no session.
        Ok(Some(row)) if row.peer == request.peer.name && row.role == role => {
            if row.state == expected.as_str() {
                Ok(row)
            } else {
                Err(WRONG_STATE)
            }
        }
        Ok(_) => Err(NO_SUCH_SESSION),
        Err(_) => Err(UNAVAILABLE),
    }
}

/// Step 2 at the initiator: compute the result, record it, send step 3.
async fn accept_reply(
    state: &Shared,
    request: &Authenticated,
    message: PsiMessage,
) -> Result<StatusCode, Refusal> {
    let id = message.session_id();
    let tenant = request.tenant;
    session_for(state, request, id, "initiator", SessionState::AwaitingPeer).await?;
    let Some(Live::Initiator { machine, identity }) = state
        .psi
        .take(tenant, id, |l| matches!(l, Live::Initiator { .. }))
    else {
        return Err(NOT_RUNNING);
    };
    let actor = format!("peer:{}", request.peer.name);
    if !audit(state, tenant, &actor, "psi.receive", id, "step=2").await {
        state
            .psi
            .put(tenant, id, Live::Initiator { machine, identity });
        return Err(UNAVAILABLE);
    }
    let computed = tokio::task::spawn_blocking(move || {
        let mut machine = machine;
        machine.handle_reply(&message)
    })
    .await;
    let (outcome_message, outcome) = match computed {
        Ok(Ok(pair)) => pair,
        Ok(Err(_)) | Err(_) => return Err(protocol_failure(state, tenant, id, &actor, 2).await),
    };
    if !store_outcome(state, tenant, id, SessionState::AwaitingPeer, &outcome).await
        || !audit(state, tenant, "system:psi", "psi.send", id, "step=3").await
    {
        fail_session(state, tenant, id, "record-failed").await;
        return Err(UNAVAILABLE);
    }
    if let Err(e) = push(
        &request.peer,
        &identity,
        MESSAGES_PATH,
        outcome_message.to_bytes(),
    )
    .await
    {
        let note = e.note();
        let _ = state
            .db
            .update_psi_session(
                tenant,
                &id.to_string(),
                &SessionUpdate {
                    from: &[SessionState::Done.as_str()],
                    state: SessionState::Done.as_str(),
                    at: now(),
                    note: Some(&format!("outcome-undelivered:{note}")),
                    ..SessionUpdate::default()
                },
            )
            .await;
        audit(
            state,
            tenant,
            "system:psi",
            "psi.failed",
            id,
            &format!("step=3 {}", e.detail()),
        )
        .await;
    }
    Ok(StatusCode::OK)
}

/// Step 3 at the responder: what the initiator found.
async fn accept_outcome(
    state: &Shared,
    request: &Authenticated,
    message: PsiMessage,
) -> Result<StatusCode, Refusal> {
    let id = message.session_id();
    let tenant = request.tenant;
    session_for(
        state,
        request,
        id,
        "responder",
        SessionState::AwaitingOutcome,
    )
    .await?;
    let Some(Live::Responder { mut machine }) = state
        .psi
        .take(tenant, id, |l| matches!(l, Live::Responder { .. }))
    else {
        return Err(NOT_RUNNING);
    };
    let actor = format!("peer:{}", request.peer.name);
    if !audit(state, tenant, &actor, "psi.receive", id, "step=3").await {
        state.psi.put(tenant, id, Live::Responder { machine });
        return Err(UNAVAILABLE);
    }
    let outcome = match machine.handle_outcome(&message) {
        Ok(outcome) => outcome,
        Err(_) => return Err(protocol_failure(state, tenant, id, &actor, 3).await),
    };
    if !store_outcome(state, tenant, id, SessionState::AwaitingOutcome, &outcome).await {
        fail_session(state, tenant, id, "record-failed").await;
        return Err(UNAVAILABLE);
    }
    Ok(StatusCode::OK)
}

/// The responder's supervisor declined our request.
async fn receive_decline_work(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let mut origin = Origin::default();
    let request = match authenticate(&state, &method, &uri, &headers, body, &mut origin).await {
        Ok(request) => request,
        Err(refusal) => return refuse(&state, &origin, refusal).await,
    };
    let Ok(bytes) = <[u8; SESSION_ID_LEN]>::try_from(&request.body[..]) else {
        return refuse(&state, &origin, UNDECODABLE).await;
    };
    let id = SessionId::from_bytes(bytes);
    origin.record = format!("psi:{id}");
    if let Err(refusal) = session_for(
        &state,
        &request,
        id,
        "initiator",
        SessionState::AwaitingPeer,
    )
    .await
    {
        return refuse(&state, &origin, refusal).await;
    }
    state.psi.remove(request.tenant, id);
    if !end_session(
        &state,
        request.tenant,
        id,
        SessionState::Declined,
        "declined-by-peer",
    )
    .await
    {
        return refuse(&state, &origin, WRONG_STATE).await;
    }
    audit(
        &state,
        request.tenant,
        &origin.actor,
        "psi.declined",
        id,
        "",
    )
    .await;
    (StatusCode::OK, "accepted").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_field() {
        let identity = ExchangeIdentity::from_seed([7; 32]);
        let recipient = ExchangeIdentity::from_seed([9; 32]).public_hex();
        let signed =
            identity.sign_request("POST", MESSAGES_PATH, b"body", &recipient, 1000, "00ff");
        let verifying = VerifyingKey::from_bytes(&unhex::<32>(&signed.sender).unwrap()).unwrap();
        let signature = Signature::from_bytes(&unhex::<64>(&signed.signature).unwrap());
        let check =
            |method: &str, path: &str, body: &[u8], ts: i64, nonce: &str, recipient: &str| {
                let bytes = signed_bytes(
                    method,
                    path,
                    &body_digest(body),
                    ts,
                    nonce,
                    &signed.sender,
                    recipient,
                );
                verifying.verify_strict(&bytes, &signature).is_ok()
            };
        assert!(check(
            "POST",
            MESSAGES_PATH,
            b"body",
            1000,
            "00ff",
            &recipient
        ));
        assert!(!check(
            "GET",
            MESSAGES_PATH,
            b"body",
            1000,
            "00ff",
            &recipient
        ));
        assert!(!check(
            "POST",
            DECLINES_PATH,
            b"body",
            1000,
            "00ff",
            &recipient
        ));
        assert!(!check(
            "POST",
            MESSAGES_PATH,
            b"bodz",
            1000,
            "00ff",
            &recipient
        ));
        assert!(!check(
            "POST",
            MESSAGES_PATH,
            b"body",
            1001,
            "00ff",
            &recipient
        ));
        assert!(!check(
            "POST",
            MESSAGES_PATH,
            b"body",
            1000,
            "00fe",
            &recipient
        ));
        assert!(!check(
            "POST",
            MESSAGES_PATH,
            b"body",
            1000,
            "00ff",
            &identity.public_hex()
        ));
    }

    #[test]
    fn pasted_lines_are_normalised_and_errors_name_lines_not_values() {
        let items = parse_items(
            "phone: 0044 7700 900123\n\nphone:+447700900123\nemail: Jane@Example.ORG\nhandle:Telegram:@Some_User\n",
        )
        .unwrap_or_else(|_| panic!("valid lines"));
        let shown: Vec<String> = items.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "phone:+447700900123",
                "email:jane@example.org",
                "handle:telegram:some_user"
            ]
        );
        let Err(errors) = parse_items("phone:07700900123\nsecretvalue\nfax:12345") else {
            panic!("invalid lines are refused");
        };
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
        assert!(
            errors
                .iter()
                .all(|e| !e.reason.contains("secretvalue") && !e.reason.contains("07700900123"))
        );
    }

    #[test]
    fn peer_urls_are_plain_http_roots() {
        assert_eq!(
            normalise_url("http://127.0.0.1:8080/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalise_url("http://psi.example.org").as_deref(),
            Some("http://psi.example.org")
        );
        for bad in [
            "https://x.org",
            "http://",
            "http://a/b",
            "http://u:p@x",
            "ftp://x",
            "http://x?y",
        ] {
            assert_eq!(normalise_url(bad), None, "{bad}");
        }
    }
}
