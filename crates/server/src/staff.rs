//! Staff pages: sign-in, the inbox, a report with its analysis and
//! cross-check, replies, status, identifier search and the audit log.
//!
//! Every page needs a live session; every action on a report is audited
//! with who, what and which record, never with content.

use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ctip_core::{Ad, Identifier, IdentifierKind};
use ctip_detect::{PriceBook, analyse};
use ctip_store::tipline::TipRow;
use ctip_text::{ExtractOptions, Normalised, extract};
use ctip_tipline::{PasswordHash, Role, TipContents, TotpSecret, WrappedKey, day_of};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

use crate::layout::{multiline, plain_staff_page, staff_page};
use crate::session::{COOKIE, Session, SignedIn};
use crate::setup::HOST_TENANT;
use crate::{Shared, now};

/// A valid Argon2id hash of a random password, checked when the name is
/// unknown so that a wrong name takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2L+0BsS0s6AVTpZgJ1lWwM2dpOQYPAOE3ycAOfMqDbQ";

const STATUSES: [&str; 4] = ["new", "triaged", "linked", "closed"];

pub(crate) fn html_page(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The signed-in staff member, or a redirect to the sign-in page.
fn session(state: &Shared, headers: &HeaderMap) -> Result<Session, Box<Response>> {
    cookie_token(headers)
        .and_then(|token| state.sessions.get(&token, now()))
        .ok_or_else(|| Box::new(Redirect::to("/staff/login").into_response()))
}

fn check_csrf(session: &Session, sent: &str) -> Result<(), Box<Response>> {
    if bool::from(session.csrf.as_bytes().ct_eq(sent.as_bytes())) {
        Ok(())
    } else {
        Err(Box::new(
            (
                StatusCode::FORBIDDEN,
                "the form expired; go back, reload and try again",
            )
                .into_response(),
        ))
    }
}

/// Tips are sealed to the host tenant's key, and the analysis store is the
/// host's: staff of other tenants hold neither.
pub(crate) fn reads_tips(s: &Session) -> bool {
    s.role.reads_tips() && s.tenant_id == HOST_TENANT
}

pub(crate) fn searches_intelligence(s: &Session) -> bool {
    s.role.searches_intelligence() && s.tenant_id == HOST_TENANT
}

/// Auditors and administrators read their own tenant's log.
pub(crate) fn reads_audit(s: &Session) -> bool {
    s.role.reads_audit()
}

/// The signed-in staff member if their role passes `allowed`: otherwise a
/// redirect to sign in, or a refusal.
pub(crate) fn signed_in(
    state: &Shared,
    headers: &HeaderMap,
    allowed: fn(&Session) -> bool,
) -> Result<Session, Box<Response>> {
    let s = session(state, headers)?;
    if allowed(&s) {
        Ok(s)
    } else {
        Err(Box::new(forbidden(&s)))
    }
}

/// As [`signed_in`], for a form post, whose CSRF token must match first.
pub(crate) fn signed_in_form(
    state: &Shared,
    headers: &HeaderMap,
    csrf: &str,
    allowed: fn(&Session) -> bool,
) -> Result<Session, Box<Response>> {
    let s = session(state, headers)?;
    check_csrf(&s, csrf)?;
    if allowed(&s) {
        Ok(s)
    } else {
        Err(Box::new(forbidden(&s)))
    }
}

pub(crate) fn forbidden(session: &Session) -> Response {
    html_page(
        StatusCode::FORBIDDEN,
        staff_page(
            session,
            "Not allowed",
            html! { h1 { "Your role cannot open this page." } },
        ),
    )
}

pub(crate) fn failure(session: &Session) -> Response {
    html_page(
        StatusCode::SERVICE_UNAVAILABLE,
        staff_page(
            session,
            "Error",
            html! { h1 { "The database could not be reached. Try again." } },
        ),
    )
}

pub(crate) async fn audit(
    state: &Shared,
    session: &Session,
    action: &str,
    record: &str,
    detail: &str,
) -> bool {
    record_action(
        state,
        session.tenant_id,
        &format!("staff:{}", session.name),
        action,
        record,
        detail,
    )
    .await
}

/// Appends to the audit table and to the ledger. Refusing the action when
/// either fails keeps the rule "no access without a record".
pub(crate) async fn record_action(
    state: &Shared,
    tenant_id: i64,
    actor: &str,
    action: &str,
    record: &str,
    detail: &str,
) -> bool {
    append_audit(
        &state.db,
        state.ledger.as_ref(),
        tenant_id,
        actor,
        action,
        record,
        detail,
    )
    .await
}

/// [`record_action`] without a running server (the retention sweep, the
/// command line).
pub async fn append_audit(
    db: &ctip_store::tipline::TipDb,
    ledger: Option<&ctip_store::ledger::LedgerStore>,
    tenant_id: i64,
    actor: &str,
    action: &str,
    record: &str,
    detail: &str,
) -> bool {
    let at = now();
    if db
        .audit(tenant_id, at, actor, action, record, detail)
        .await
        .is_err()
    {
        return false;
    }
    let Some(ledger) = ledger else {
        return true;
    };
    let Some(entry) = ledger_entry(tenant_id, at, actor, action, record, detail) else {
        tracing::error!(target: "ctip::audit", "an audit entry did not fit the ledger's format");
        return false;
    };
    match ledger.append(entry).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(target: "ctip::audit", "ledger append failed: {e}");
            false
        }
    }
}

fn ledger_entry(
    tenant_id: i64,
    at: i64,
    actor: &str,
    action: &str,
    record: &str,
    detail: &str,
) -> Option<ctip_store::ledger::NewEntry> {
    use ctip_ledger::{Action, Actor, Detail, RecordRef, Tenant};
    let record = match record.split_once(':') {
        Some((kind, id)) => RecordRef::new(kind, id),
        None => RecordRef::new(record, "all"),
    }
    .ok()?;
    let entry = ctip_store::ledger::NewEntry::new(
        at,
        Actor::new(actor).ok()?,
        Action::from_name(action).ok()?,
        record,
        Tenant::new(format!("org-{tenant_id}")).ok()?,
    );
    Some(if detail.is_empty() {
        entry
    } else {
        entry.with_detail(Detail::new(detail).ok()?)
    })
}

fn login_page(error: Option<&str>) -> Markup {
    plain_staff_page(
        "Staff sign-in",
        html! {
            h1 { "Staff sign-in" }
            @if let Some(e) = error { p.errors role="alert" { (e) } }
            form method="post" action="/staff/login" {
                label for="name" { "Name" }
                input type="text" id="name" name="name" autocomplete="username" autocapitalize="none";
                label for="password" { "Password" span.hint { "It also unlocks the organisation's key for this session." } }
                input type="password" id="password" name="password" autocomplete="current-password";
                label for="code" { "Authenticator code" }
                input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code";
                p { button type="submit" { "Sign in" } }
            }
        },
    )
}

pub async fn login_form() -> Response {
    html_page(StatusCode::OK, login_page(None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

pub async fn login(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let refused = |status| html_page(status, login_page(Some("Name, password or code is wrong.")));
    if !state
        .login_limiter
        .allow(peer.ip().to_string().as_bytes(), now())
    {
        return html_page(
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some("Too many attempts. Wait 15 minutes.")),
        );
    }
    let row = match state.db.staff_by_name(f.name.trim()).await {
        Ok(row) => row,
        Err(_) => {
            return html_page(
                StatusCode::SERVICE_UNAVAILABLE,
                login_page(Some("The database could not be reached.")),
            );
        }
    };
    let hash = row
        .as_ref()
        .map(|r| r.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_owned());
    let password_ok = PasswordHash::from_stored(hash)
        .verify(&f.password)
        .unwrap_or(false);
    let Some(row) = row.filter(|r| password_ok && !r.disabled) else {
        return refused(StatusCode::UNAUTHORIZED);
    };
    let code_ok = TotpSecret::from_base32(&row.totp_secret)
        .and_then(|s| s.check(&f.code, now() as u64))
        .unwrap_or(false);
    if !code_ok {
        let actor = format!("staff:{}", row.name);
        record_action(
            &state,
            row.tenant_id,
            &actor,
            "login-refused",
            &actor,
            "second-factor",
        )
        .await;
        return refused(StatusCode::UNAUTHORIZED);
    }
    let Ok(role) = Role::parse(&row.role) else {
        return refused(StatusCode::UNAUTHORIZED);
    };
    let org_key =
        match WrappedKey::from_json(&row.wrapped_key).and_then(|w| w.unwrap_with(&f.password)) {
            Ok(key) => key,
            Err(_) => return refused(StatusCode::UNAUTHORIZED),
        };
    let Ok(Some(tenant)) = state.db.tenant(row.tenant_id).await else {
        return refused(StatusCode::UNAUTHORIZED);
    };
    // Only failed attempts count towards the limit.
    state
        .login_limiter
        .forgive(peer.ip().to_string().as_bytes(), now());
    let token = state.sessions.start(
        SignedIn {
            name: row.name.clone(),
            org_name: tenant.name,
            role,
            org_key,
            tenant_id: row.tenant_id,
            teams: row
                .teams
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            provider_id: row.provider_id.clone(),
        },
        now(),
    );
    let actor = format!("staff:{}", row.name);
    if !record_action(&state, row.tenant_id, &actor, "login", &actor, "").await {
        return html_page(
            StatusCode::SERVICE_UNAVAILABLE,
            login_page(Some("The audit record could not be written.")),
        );
    }
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{COOKIE}={token}; Path=/staff; HttpOnly; SameSite=Strict{secure}");
    let mut response = Redirect::to("/staff").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let s = match session(&state, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if let Err(r) = check_csrf(&s, &f.csrf) {
        return *r;
    }
    if let Some(token) = cookie_token(&headers) {
        state.sessions.end(&token);
    }
    audit(&state, &s, "logout", &format!("staff:{}", s.name), "").await;
    let mut response = Redirect::to("/staff/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ctip_staff=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

fn open_tip(session: &Session, tip: &TipRow) -> Option<TipContents> {
    let plain = session.org_key.open(&tip.sealed).ok()?;
    serde_json::from_slice(&plain).ok()
}

fn urgency_tag(urgency: i64) -> Markup {
    html! {
        @match urgency {
            0 => span.tag.urgent { "immediate danger" },
            1 => span.tag { "danger unsure" },
            _ => span.tag { "no immediate danger" },
        }
    }
}

fn preview(text: &str) -> String {
    let first: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect();
    if first.len() < text.len() {
        format!("{first}…")
    } else {
        first
    }
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    status: Option<String>,
}

pub async fn inbox(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<InboxQuery>,
) -> Response {
    let s = match session(&state, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if !reads_tips(&s) {
        let home = if crate::cases::works_cases(&s) {
            "/staff/cases"
        } else if searches_intelligence(&s) {
            "/staff/search"
        } else if reads_audit(&s) {
            "/staff/audit"
        } else {
            return forbidden(&s);
        };
        return Redirect::to(home).into_response();
    }
    let status = q.status.as_deref().filter(|st| STATUSES.contains(st));
    let Ok(tips) = state.db.inbox(status, 200).await else {
        return failure(&s);
    };
    if !audit(&state, &s, "read", "tips:inbox", status.unwrap_or("open")).await {
        return failure(&s);
    }
    let body = html! {
        h1 { "Inbox" }
        p {
            "Show: " a href="/staff" { "open" } " · "
            @for st in STATUSES { a href={ "/staff?status=" (st) } { (st) } " · " }
        }
        @if tips.is_empty() { p { "No reports." } }
        @else {
            table {
                thead { tr { th { "Report" } th { "Danger" } th { "Received" } th { "Status" } th { "Begins" } } }
                tbody {
                    @for tip in &tips {
                        tr {
                            td { a href={ "/staff/tips/" (tip.id) } { "T-" (tip.id) } }
                            td { (urgency_tag(tip.urgency)) }
                            td { (tip.received_day) }
                            td { (tip.status) }
                            td { @if let Some(c) = open_tip(&s, tip) { (preview(&c.what_happened)) } @else { em { "cannot be opened" } } }
                        }
                    }
                }
            }
        }
    };
    html_page(StatusCode::OK, staff_page(&s, "Inbox", body))
}

/// What the analysts already know of one identifier.
struct CrossCheck {
    identifier: Identifier,
    ads: usize,
    networks: Vec<(i64, i64, Vec<String>)>,
}

async fn cross_check(state: &Shared, identifiers: &[Identifier]) -> Vec<CrossCheck> {
    let Some(store) = &state.store else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for identifier in identifiers.iter().filter(|i| i.kind.is_linking()) {
        let value = identifier.value.as_str();
        let ads = store
            .ads_with_identifier(identifier.kind, value)
            .await
            .map(|a| a.len())
            .unwrap_or(0);
        let mut networks = Vec::new();
        for id in store
            .networks_with_identifier(identifier.kind, value)
            .await
            .unwrap_or_default()
            .into_iter()
            .take(5)
        {
            if let Ok(Some(row)) = store.network(id).await {
                networks.push((row.id, row.ads, cities_of(&row.summary)));
            }
        }
        out.push(CrossCheck {
            identifier: identifier.clone(),
            ads,
            networks,
        });
    }
    out
}

/// City names from a stored network summary, most ads first.
fn cities_of(summary: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(summary).unwrap_or_default();
    value["cities"]
        .as_array()
        .map(|cities| {
            cities
                .iter()
                .filter_map(|c| c.get(0).and_then(|n| n.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn tip_as_ad(id: i64, contents: &TipContents) -> Ad {
    Ad {
        id: format!("tip-{id}"),
        body: contents.analysable_text(),
        city: Some(contents.city.clone()).filter(|c| !c.is_empty()),
        country: Some(contents.country.clone()).filter(|c| !c.is_empty()),
        ..Ad::default()
    }
}

fn extract_options(contents: &TipContents) -> ExtractOptions {
    ExtractOptions {
        default_region: if contents.country.is_empty() {
            "US".into()
        } else {
            contents.country.clone()
        },
    }
}

pub async fn tip(State(state): State<Shared>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let s = match signed_in(&state, &headers, reads_tips) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let tip = match state.db.tip(id).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return html_page(
                StatusCode::NOT_FOUND,
                staff_page(&s, "Not found", html! { h1 { "No such report." } }),
            );
        }
        Err(_) => return failure(&s),
    };
    if !audit(&state, &s, "read", &format!("tip:{id}"), "").await {
        return failure(&s);
    }
    let Some(contents) = open_tip(&s, &tip) else {
        return html_page(
            StatusCode::OK,
            staff_page(
                &s,
                "Sealed",
                html! { h1 { "This report cannot be opened with your key." } },
            ),
        );
    };
    let ad = tip_as_ad(id, &contents);
    let analysed = analyse(
        &ad,
        &state.detector,
        &extract_options(&contents),
        &PriceBook::default(),
    );
    let checks = cross_check(&state, &analysed.result.identifiers).await;
    let messages = state.db.messages(id).await.unwrap_or_default();
    let attachments = state.db.attachments(id).await.unwrap_or_default();
    let field = |label: &str, value: &str| {
        html! {
            @if !value.is_empty() { tr { th { (label) } td { (multiline(value)) } } }
        }
    };
    let body = html! {
        h1 { "Report T-" (tip.id) " " (urgency_tag(tip.urgency)) }
        p.meta { "Received " (tip.received_day) " · status " strong { (tip.status) }
            @if let Some(c) = &tip.case_ref { " · case " (c) } " · updated " (tip.updated_day)
            " · language " (contents.language) }
        table {
            (field("What happened", &contents.what_happened))
            (field("Where", format!("{} {}", contents.city, contents.country).trim()))
            (field("When", &contents.when))
            (field("People", &contents.people))
            (field("Phones", &contents.phones))
            (field("Accounts", &contents.handles))
            (field("Vehicles", &contents.vehicles))
            (field("Addresses", &contents.addresses))
            (field("Contact", &contents.contact))
        }
        h2 { "Indicators (score " (format!("{:.2}", analysed.result.score)) ")" }
        @if analysed.result.reasons.is_empty() { p { "No indicator fired." } }
        ul {
            @for r in &analysed.result.reasons {
                li { strong { (r.indicator) } " (" (format!("{:+.2}", r.weight)) "): “" (r.evidence) "”" }
            }
        }
        h2 { "Identifiers and what we already know" }
        @if analysed.result.identifiers.is_empty() { p { "No identifiers found." } }
        table {
            thead { tr { th { "Kind" } th { "Value" } th { "Cross-check" } } }
            tbody {
                @for i in &analysed.result.identifiers {
                    tr {
                        td { (i.kind.as_str()) }
                        td.ltr { (i.value) }
                        td {
                            @if let Some(c) = checks.iter().find(|c| c.identifier == *i) {
                                @if c.networks.is_empty() && c.ads == 0 { "not seen in scanned ads" }
                                @else {
                                    (c.ads) " scanned ads"
                                    @for (nid, ads, cities) in &c.networks {
                                        br;
                                        "appears in network " a href={ "/staff/networks/" (nid) } { "N-" (nid) }
                                        ": " (ads) " ads, " (cities.len()) " cities"
                                        @if !cities.is_empty() { " (" (cities.iter().take(5).cloned().collect::<Vec<_>>().join(", ")) ")" }
                                    }
                                }
                            } @else { span.meta { "not a linking identifier" } }
                        }
                    }
                }
            }
        }
        @if !attachments.is_empty() {
            h2 { "Attachments" }
            ul { @for a in &attachments { li { a href={ "/staff/attachments/" (a.id) } { "attachment " (a.id) } " (" (a.media_type) ")" } } }
        }
        h2 { "Messages" }
        @if messages.is_empty() { p { "None yet." } }
        @for m in &messages {
            div.message {
                span.meta { (m.author) " · " (m.day) } "\n"
                (s.org_key.open(&m.sealed_org).map(|t| String::from_utf8_lossy(&t).into_owned()).unwrap_or_else(|_| "(cannot be opened)".into()))
            }
        }
        h2 { "Status" }
        form method="post" action={ "/staff/tips/" (tip.id) "/status" } {
            input type="hidden" name="csrf" value=(s.csrf);
            label for="status" { "Status" }
            select id="status" name="status" {
                @for st in STATUSES { option value=(st) selected[st == tip.status] { (st) } }
            }
            label for="case_ref" { "Case reference (when linked to a case)" }
            input type="text" id="case_ref" name="case_ref" value=(tip.case_ref.clone().unwrap_or_default());
            p { button type="submit" { "Save status" } }
        }
        h2 { "Reply to the reporter" }
        form method="post" action={ "/staff/tips/" (tip.id) "/reply" } {
            input type="hidden" name="csrf" value=(s.csrf);
            label for="reply" { "Reply" span.hint { "The reporter reads this with their receipt code. Never ask for details that could identify them unless they offered." } }
            textarea id="reply" name="text" {}
            p { button type="submit" { "Send reply" } }
        }
    };
    html_page(
        StatusCode::OK,
        staff_page(&s, &format!("T-{}", tip.id), body),
    )
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    case_ref: String,
}

pub async fn set_status(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, reads_tips) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    if !STATUSES.contains(&f.status.as_str()) || f.case_ref.chars().count() > 100 {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown status or case reference too long",
        )
            .into_response();
    }
    let case_ref = Some(f.case_ref.trim()).filter(|c| !c.is_empty());
    match state
        .db
        .set_status(id, &f.status, case_ref, &day_of(now()))
        .await
    {
        Ok(true) => {}
        Ok(false) => return (StatusCode::NOT_FOUND, "no such report").into_response(),
        Err(_) => return failure(&s),
    }
    audit(
        &state,
        &s,
        "update",
        &format!("tip:{id}"),
        &format!("status={}", f.status),
    )
    .await;
    Redirect::to(&format!("/staff/tips/{id}")).into_response()
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// A reply is sealed twice: to the reporter's receipt key, so they can read
/// it, and to the organisation, so colleagues can.
pub async fn reply(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, reads_tips) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let text = f.text.trim();
    if text.is_empty() || text.chars().count() > ctip_tipline::form::MAX_TEXT_CHARS {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reply needs text, at most 20000 characters",
        )
            .into_response();
    }
    let tip = match state.db.tip(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such report").into_response(),
        Err(_) => return failure(&s),
    };
    let Ok(reporter) = ctip_tipline::OrgPublicKey::from_bytes(&tip.reporter_key) else {
        return failure(&s);
    };
    let sealed_reporter = reporter.seal(text.as_bytes());
    let sealed_org = state.org_public.seal(text.as_bytes());
    let author = format!("staff:{}", s.name);
    if state
        .db
        .add_message(
            id,
            &author,
            &day_of(now()),
            &sealed_org,
            Some(&sealed_reporter),
        )
        .await
        .is_err()
    {
        return failure(&s);
    }
    audit(&state, &s, "update", &format!("tip:{id}"), "reply").await;
    Redirect::to(&format!("/staff/tips/{id}")).into_response()
}

pub async fn attachment(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let s = match signed_in(&state, &headers, reads_tips) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let row = match state.db.attachment(id).await {
        Ok(Some(row)) => row,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such attachment").into_response(),
        Err(_) => return failure(&s),
    };
    if !audit(
        &state,
        &s,
        "read",
        &format!("attachment:{id}"),
        &format!("tip:{}", row.tip_id),
    )
    .await
    {
        return failure(&s);
    }
    let Ok(bytes) = s.org_key.open(&row.sealed) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "the attachment cannot be opened with your key",
        )
            .into_response();
    };
    let media_type = match row.media_type.as_str() {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        "image/webp" => "image/webp",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, "attachment"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Reads an identifier as typed, through the same extractors as the ads, so
/// `(213) 555-0147` finds `+12135550147`. Falls back to a handle or e-mail
/// taken literally.
fn identifiers_in_query(q: &str) -> Vec<Identifier> {
    let ad = Ad {
        id: "query".into(),
        body: q.to_owned(),
        ..Ad::default()
    };
    let found: Vec<Identifier> = extract(&ad, &Normalised::new(q), &ExtractOptions::default())
        .into_iter()
        .filter(|i| i.kind.is_linking())
        .collect();
    if !found.is_empty() {
        return found;
    }
    let literal = q.trim().trim_start_matches('@').to_lowercase();
    if literal.is_empty() {
        return Vec::new();
    }
    let kind = if literal.contains('@') {
        IdentifierKind::Email
    } else {
        IdentifierKind::Handle
    };
    vec![Identifier::new(kind, literal, ctip_core::Span::new(0, 0))]
}

pub async fn search(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Response {
    let s = match signed_in(&state, &headers, searches_intelligence) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let query = q.q.unwrap_or_default();
    let wanted = identifiers_in_query(&query);
    let mut results = Vec::new();
    let mut found: Vec<CrossCheck> = Vec::new();
    if !wanted.is_empty() {
        // The search itself is audited by kind only: the value searched for
        // is itself sensitive.
        let kinds: Vec<&str> = wanted.iter().map(|i| i.kind.as_str()).collect();
        if !audit(
            &state,
            &s,
            "search",
            "identifiers:query",
            &format!("kinds={}", kinds.join("+")),
        )
        .await
        {
            return failure(&s);
        }
        let checks = cross_check(&state, &wanted).await;
        // Reports are sealed, so finding an identifier in them means opening
        // each one in this session's memory.
        let tips = if reads_tips(&s) {
            state.db.all_tips().await.unwrap_or_default()
        } else {
            Vec::new()
        };
        // Each report is opened and read once, whatever the number of
        // identifiers searched for.
        let keys_in_tips: Vec<(i64, HashSet<String>)> = tips
            .iter()
            .filter_map(|t| {
                let contents = open_tip(&s, t)?;
                let ad = tip_as_ad(t.id, &contents);
                let text = ad.text();
                let keys = extract(&ad, &Normalised::new(&text), &extract_options(&contents))
                    .iter()
                    .map(Identifier::link_key)
                    .collect();
                Some((t.id, keys))
            })
            .collect();
        for wanted_id in &wanted {
            let key = wanted_id.link_key();
            let in_tips: Vec<i64> = keys_in_tips
                .iter()
                .filter(|(_, keys)| keys.contains(&key))
                .map(|(id, _)| *id)
                .collect();
            results.push((wanted_id.clone(), key, in_tips));
        }
        found = checks;
    }
    let body = html! {
        h1 { "Search identifiers" }
        form method="get" action="/staff/search" {
            label for="q" { "Phone, e-mail, handle or wallet" span.hint { "Obfuscated forms work too: “five five five, oh one oh oh…”." } }
            input type="search" id="q" name="q" value=(query);
            p { button type="submit" { "Search" } }
        }
        @if !query.is_empty() && wanted.is_empty() { p { "No identifier recognised." } }
        @for (identifier, key, in_tips) in &results {
            h2.ltr { (identifier.kind.as_str()) " " (identifier.value) }
            @match found.iter().find(|c| c.identifier.link_key() == *key) {
                Some(c) => {
                    p { (c.ads) " scanned ads." }
                    @if !c.networks.is_empty() {
                        ul { @for (nid, ads, cities) in &c.networks {
                            li { a href={ "/staff/networks/" (nid) } { "N-" (nid) } ": " (ads) " ads, cities: " (cities.join(", ")) }
                        } }
                    }
                },
                None => p { "No scanned ads are available on this server." },
            }
            @if reads_tips(&s) {
                p { (in_tips.len()) " reports mention it"
                    @for t in in_tips { " · " a href={ "/staff/tips/" (t) } { "T-" (t) } } }
            }
        }
    };
    html_page(StatusCode::OK, staff_page(&s, "Search", body))
}

pub async fn audit_log(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let s = match signed_in(&state, &headers, reads_audit) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Ok(entries) = state.db.audit_entries(s.tenant_id, 500).await else {
        return failure(&s);
    };
    audit(&state, &s, "read", "audit:log", "").await;
    let body = html! {
        h1 { "Audit log" }
        p.meta { "Newest first; the last 500 entries." }
        div.scroll tabindex="0" role="region" aria-label="Audit entries" { table {
            thead { tr { th { "#" } th { "When (UTC)" } th { "Who" } th { "Action" } th { "Record" } th { "Detail" } } }
            tbody { @for e in &entries {
                tr { td { (e.id) } td { (day_of(e.at)) } td { (e.actor) } td { (e.action) } td { (e.record) } td { (e.detail) } }
            } }
        } }
    };
    html_page(StatusCode::OK, staff_page(&s, "Audit log", body))
}

/// An RFC 9162 inclusion proof for ledger entry `seq` against the latest
/// signed checkpoint, for auditors to check with any verifier.
pub async fn ledger_proof(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(seq): Path<u64>,
) -> Response {
    let s = match signed_in(&state, &headers, reads_audit) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(ledger) = &state.ledger else {
        return (StatusCode::NOT_FOUND, "this server keeps no ledger").into_response();
    };
    // Record the request first, then sign a checkpoint that covers it.
    if !audit(&state, &s, "read", &format!("ledger:{seq}"), "proof").await {
        return failure(&s);
    }
    let Ok(checkpoint) = ledger.checkpoint().await else {
        return failure(&s);
    };
    let Ok(Some(latest)) = ledger.latest_checkpoint().await else {
        return failure(&s);
    };
    if seq >= latest.size {
        return (
            StatusCode::NOT_FOUND,
            "no such entry under the latest checkpoint",
        )
            .into_response();
    }
    // One log serves every tenant; each reads proofs of its own entries only.
    let own_tenant = format!("org-{}", s.tenant_id);
    match ledger.entry(seq).await {
        Ok(Some(entry)) if entry.tenant.as_str() == own_tenant => {}
        Ok(_) => {
            return (
                StatusCode::NOT_FOUND,
                "no such entry under the latest checkpoint",
            )
                .into_response();
        }
        Err(_) => return failure(&s),
    }
    let (Ok(proof), Some(leaf)) = (
        ledger.inclusion_proof(seq, latest.size).await,
        ledger.leaf_hash(seq).await,
    ) else {
        return failure(&s);
    };
    let hex = |h: &ctip_ledger::Hash| data_encoding::HEXLOWER.encode(&h.0);
    let body = serde_json::json!({
        "index": seq,
        "tree_size": latest.size,
        "leaf_hash": hex(&leaf),
        "root": hex(&latest.root),
        "proof": proof.iter().map(hex).collect::<Vec<_>>(),
        "checkpoint": checkpoint.to_string(),
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A network live from the analysis store: the report's picture, timeline,
/// circuit, identifiers and templates.
pub async fn network(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let s = match signed_in(&state, &headers, searches_intelligence) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(store) = &state.store else {
        return html_page(
            StatusCode::NOT_FOUND,
            staff_page(
                &s,
                "No analysis store",
                html! { h1 { "This server has no scanned ads." } },
            ),
        );
    };
    let row = match store.network(id).await {
        Ok(Some(row)) => row,
        Ok(None) => {
            return html_page(
                StatusCode::NOT_FOUND,
                staff_page(&s, "Not found", html! { h1 { "No such network." } }),
            );
        }
        Err(_) => return failure(&s),
    };
    if !audit(&state, &s, "read", &format!("network:{id}"), "").await {
        return failure(&s);
    }
    let detail = match crate::network_view::network_detail(store, &row).await {
        Ok(detail) => detail,
        Err(e) => {
            tracing::error!(target: "ctip::http", "network N-{id} cannot be shown: {e}");
            return failure(&s);
        }
    };
    let fragment = ctip_report::render_network(&crate::network_view::view(&detail));
    let body = html! {
        link rel="stylesheet" href="/staff/report.css";
        h1 { "Network " (detail.id) }
        p.meta { (detail.ads.len()) " ads. Search an identifier to find the reports that mention it." }
        div.report { (maud::PreEscaped(fragment)) }
    };
    html_page(StatusCode::OK, staff_page(&s, &detail.id, body))
}

pub async fn report_stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        ctip_report::STYLESHEET,
    )
        .into_response()
}
