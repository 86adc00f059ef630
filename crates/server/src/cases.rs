//! The caseworker pages: HTCDS 2.0 cases with consent, referrals to
//! providers of the service directory, retention, and every access audited.
//!
//! Each handler follows one path: who is signed in ([`principal`]), which
//! case of *their* tenant ([`load`]), what `ctip_cases::decide_case` allows
//! and with which view, an audit entry written *before* anything is shown or
//! changed, and only then the page. A case id held by another tenant answers
//! 404 exactly like an unknown id, and the attempt is audited.
//!
//! Changes go through the HTCDS document: the handler edits the exported
//! JSON and re-imports it, so every change passes the same validation as an
//! import, and a refused change stores nothing.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ctip_cases::picklist::{
    CaseStatus, ExploitationType, Gender, ReferralReason, ReferralStatus, TraffickingStatus,
};
use ctip_cases::{
    Case, ConsentPurpose, Decision, IsoDate, Operation, OverrideReason, OverrideReasonCode,
    Picklist, Principal, RecordId, View, decide_case, deidentify, export_case, import_case_value,
};
use ctip_store::cases::{CaseScope, StoredCase};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::case_store::{self, field_key, principal, resource};
use crate::layout::staff_page;
use crate::session::Session;
use crate::staff::{audit, failure, forbidden, html_page, signed_in, signed_in_form};
use crate::{Shared, now};

/// Whether the account works with cases at all (the case list is its home).
pub(crate) fn works_cases(s: &Session) -> bool {
    use ctip_tipline::Role;
    matches!(
        s.role,
        Role::Caseworker | Role::Supervisor | Role::Analyst | Role::Provider
    )
}

fn creates_cases(s: &Session) -> bool {
    use ctip_tipline::Role;
    matches!(s.role, Role::Caseworker | Role::Supervisor)
}

fn not_found(s: &Session) -> Response {
    html_page(
        StatusCode::NOT_FOUND,
        staff_page(s, "Not found", html! { h1 { "No such case." } }),
    )
}

fn problem(s: &Session, status: StatusCode, title: &str, lines: &[String]) -> Response {
    html_page(
        status,
        staff_page(
            s,
            title,
            html! {
                h1 { (title) }
                // The alert role on a wrapper: on the list itself it would
                // take the list's semantics away.
                div.errors role="alert" { ul { @for line in lines { li { (line) } } } }
                p { a href="/staff/cases" { "Back to cases" } }
            },
        ),
    )
}

/// A case as loaded for one request: its row, its opened contents and the
/// view the request may show.
struct Loaded {
    row: StoredCase,
    case: Case,
    view: View,
    principal: Principal,
    resource: ctip_cases::CaseResource,
}

/// Finds case `id` in the session's tenant, decides `operation`, and writes
/// the audit entry (`action` on `case:<id>`) before returning it. Every
/// refusal is audited too; a cross-tenant attempt answers 404.
async fn load(
    state: &Shared,
    s: &Session,
    id: &str,
    operation: Operation,
    action: &str,
) -> Result<Loaded, Response> {
    let Some(principal) = principal(s) else {
        return Err(forbidden(s));
    };
    let Ok(case_id) = RecordId::parse(id) else {
        return Err(not_found(s));
    };
    let record = format!("case:{}", case_id.as_str());
    let row = match state.db.case(s.tenant_id, case_id.as_str()).await {
        Ok(Some(row)) => row,
        Ok(None) => {
            let elsewhere = state
                .db
                .case_held_elsewhere(s.tenant_id, case_id.as_str())
                .await
                .unwrap_or(false);
            let detail = if elsewhere {
                "cross-tenant"
            } else {
                "not-found"
            };
            if !audit(state, s, "denied", &record, detail).await {
                return Err(failure(s));
            }
            return Err(not_found(s));
        }
        Err(_) => return Err(failure(s)),
    };
    let Ok(referrals) = state.db.case_referrals(s.tenant_id, &row.case_id).await else {
        return Err(failure(s));
    };
    let Some(resource) = resource(&row, &referrals) else {
        return Err(failure(s));
    };
    let view = match decide_case(&principal, operation, &resource) {
        Decision::Allow { view } => view,
        decision @ Decision::Deny { reason, .. } => {
            let detail = format!("{}: {reason}", operation.as_str());
            if !audit(state, s, "denied", &record, &detail).await {
                return Err(failure(s));
            }
            return Err(match decision.refusal_status() {
                Some(403) => forbidden(s),
                _ => not_found(s),
            });
        }
    };
    if !audit(state, s, action, &record, "").await {
        return Err(failure(s));
    }
    let case = match case_store::open(&row, &field_key(&s.org_key)) {
        Ok(case) => case,
        Err(e) => {
            tracing::error!(target: "ctip::cases", "{e}");
            return Err(failure(s));
        }
    };
    Ok(Loaded {
        row,
        case,
        view,
        principal,
        resource,
    })
}

/// Re-imports an edited document and stores it over `loaded`.
async fn save(
    state: &Shared,
    s: &Session,
    loaded: &Loaded,
    document: &Value,
) -> Result<Response, Response> {
    let case = import_case_value(document).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        problem(s, StatusCode::UNPROCESSABLE_ENTITY, "Not saved", &lines)
    })?;
    let today = case_store::today(now());
    match case_store::update(&state.db, &case, &loaded.row, &field_key(&s.org_key), today).await {
        Ok(true) => Ok(Redirect::to(&format!("/staff/cases/{}", case.id.as_str())).into_response()),
        Ok(false) => Err(problem(
            s,
            StatusCode::CONFLICT,
            "Changed meanwhile",
            &["Someone changed this case while you were editing. Open it again.".into()],
        )),
        Err(e) => {
            tracing::error!(target: "ctip::cases", "{e}");
            Err(failure(s))
        }
    }
}

fn unwrap_response(result: Result<Response, Response>) -> Response {
    result.unwrap_or_else(|refusal| refusal)
}

// ---------------------------------------------------------------- list

pub async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let s = match signed_in(&state, &headers, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    use ctip_tipline::Role;
    let scope = match s.role {
        Role::Caseworker => CaseScope::Owner(&s.name),
        Role::Supervisor => CaseScope::Teams(&s.teams),
        Role::Analyst => CaseScope::All,
        Role::Provider => match s.provider_id.as_deref() {
            Some(provider) => CaseScope::ReferredTo(provider),
            None => return forbidden(&s),
        },
        _ => return forbidden(&s),
    };
    let Ok(cases) = state.db.list_cases(s.tenant_id, scope, 500).await else {
        return failure(&s);
    };
    if !audit(&state, &s, "read", "cases:list", s.role.as_str()).await {
        return failure(&s);
    }
    let body = html! {
        h1 { "Cases" }
        @if creates_cases(&s) {
            p { a href="/staff/cases/new" { "New case" } }
        }
        @if s.role == Role::Analyst {
            p.meta { "You see every case of your organisation de-identified: no names, contact details, identity numbers or free text." }
        }
        @if cases.is_empty() { p { "No cases." } } @else {
            div.scroll tabindex="0" role="region" aria-label="Cases" { table {
                thead { tr { th { "Case" } th { "Status" } th { "Owner" } th { "Team" } th { "Updated" } th { "Retention" } } }
                tbody {
                    @for c in &cases {
                        tr {
                            td { a href={ "/staff/cases/" (c.case_id) } { (c.case_id) } }
                            td { (c.status) }
                            td { (c.owner.as_deref().unwrap_or("")) }
                            td { (c.team_id.as_deref().unwrap_or("")) }
                            td { (c.updated_day) }
                            td { @if c.legal_hold { "legal hold" } @else if let Some(day) = &c.closed_on { "closed " (day) } }
                        }
                    }
                }
            } }
        }
    };
    html_page(StatusCode::OK, staff_page(&s, "Cases", body))
}

// ---------------------------------------------------------------- create

fn options<P: Picklist>(selected: Option<&str>) -> Markup {
    html! {
        @for value in P::VALUES {
            option value=(value) selected[Some(*value) == selected] { (value) }
        }
    }
}

fn new_case_form(s: &Session, errors: &[String]) -> Markup {
    staff_page(
        s,
        "New case",
        html! {
            h1 { "New case" }
            @if !errors.is_empty() {
                div.errors role="alert" { ul { @for e in errors { li { (e) } } } }
            }
            form method="post" action="/staff/cases" {
                input type="hidden" name="csrf" value=(s.csrf);
                fieldset {
                    legend { "The person" }
                    label for="first_name" { "First name" }
                    input type="text" id="first_name" name="first_name" autocomplete="off";
                    label for="second_name" { "Family name" }
                    input type="text" id="second_name" name="second_name" autocomplete="off";
                    label for="birthdate" { "Birth date" span.hint { "YYYY-MM-DD, if known" } }
                    input type="text" id="birthdate" name="birthdate" inputmode="numeric" autocomplete="off";
                    label for="gender" { "Gender" }
                    select id="gender" name="gender" { option value="" { "Not recorded" } (options::<Gender>(None)) }
                    label for="citizenship" { "Citizenship" span.hint { "ISO country code, e.g. NG" } }
                    input type="text" id="citizenship" name="citizenship" maxlength="2" autocomplete="off";
                    label for="language" { "Primary language" span.hint { "ISO 639 code, e.g. en" } }
                    input type="text" id="language" name="language" maxlength="3" autocomplete="off";
                }
                fieldset {
                    legend { "Trafficking" }
                    label for="trafficking_status" { "Trafficking status" }
                    select id="trafficking_status" name="trafficking_status" { option value="" { "Not decided" } (options::<TraffickingStatus>(None)) }
                    label for="exploitation" { "Type of exploitation" }
                    select id="exploitation" name="exploitation" { option value="" { "Not known" } (options::<ExploitationType>(None)) }
                }
                fieldset {
                    legend { "Case" }
                    label for="team" { "Team" }
                    select id="team" name="team" { @for team in &s.teams { option value=(team) { (team) } } }
                }
                fieldset {
                    legend { "Consent given today" }
                    p.hint { "Record only what the person agreed to. Each can be withdrawn later." }
                    label { input type="checkbox" name="consent_referral" value="yes"; " Referral to service providers" }
                    label { input type="checkbox" name="consent_law_enforcement" value="yes"; " Sharing with law enforcement and partner agencies" }
                    label { input type="checkbox" name="consent_statistics" value="yes"; " De-identified statistics and research" }
                }
                p { button type="submit" { "Create case" } }
            }
            h2 { "Or import an HTCDS 2.0 case document" }
            form method="post" action="/staff/cases/import" {
                input type="hidden" name="csrf" value=(s.csrf);
                label for="document" { "HTCDS JSON (one case, as " code { "ctip schema htcds" } " describes)" }
                textarea id="document" name="document" rows="12" {}
                label for="import_team" { "Team" }
                select id="import_team" name="team" { @for team in &s.teams { option value=(team) { (team) } } }
                p { button type="submit" { "Import case" } }
            }
        },
    )
}

pub async fn new_form(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers, creates_cases) {
        Ok(s) => html_page(StatusCode::OK, new_case_form(&s, &[])),
        Err(r) => *r,
    }
}

#[derive(Deserialize)]
pub struct NewCaseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    second_name: String,
    #[serde(default)]
    birthdate: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    citizenship: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    trafficking_status: String,
    #[serde(default)]
    exploitation: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    consent_referral: Option<String>,
    #[serde(default)]
    consent_law_enforcement: Option<String>,
    #[serde(default)]
    consent_statistics: Option<String>,
}

fn new_case_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    format!(
        "case-{}",
        data_encoding::BASE32_NOPAD
            .encode(&bytes)
            .to_ascii_lowercase()
    )
}

fn purpose_record(s: &Session, today: &str) -> Value {
    json!({ "given_on": today, "recorded_by": s.name })
}

/// The HTCDS document for the new-case form.
fn document_from_form(s: &Session, f: &NewCaseForm, case_id: &str, today: &str) -> Value {
    let mut victim = serde_json::Map::new();
    victim.insert("id".into(), json!("victim-1"));
    let mut put = |key: &str, value: &str| {
        let value = value.trim();
        if !value.is_empty() {
            victim.insert(key.into(), json!(value));
        }
    };
    put("prs_FirstName", &f.first_name);
    put("prs_SecondName", &f.second_name);
    put("prs_Birthdate", &f.birthdate);
    put("prs_Gender", &f.gender);
    put("prs_PrimaryLanguage", &f.language.to_ascii_lowercase());
    put("vic_TraffickingStatus", &f.trafficking_status);
    if !f.citizenship.trim().is_empty() {
        victim.insert(
            "prs_Citizenship".into(),
            json!([f.citizenship.trim().to_ascii_uppercase()]),
        );
    }
    if !f.exploitation.is_empty() {
        victim.insert("vic_TypeOfExploitation".into(), json!([f.exploitation]));
    }
    let mut consent = serde_json::Map::new();
    for (given, purpose) in [
        (&f.consent_referral, ConsentPurpose::ReferralToServices),
        (
            &f.consent_law_enforcement,
            ConsentPurpose::SharingWithLawEnforcement,
        ),
        (&f.consent_statistics, ConsentPurpose::StatisticsAndResearch),
    ] {
        if given.is_some() {
            consent.insert(purpose.key().into(), purpose_record(s, today));
        }
    }
    let mut document = json!({
        "htcds_version": "2.0",
        "id": case_id,
        "cas_Status": "Active",
        "cas_CaseOwner": s.name,
        "victim": Value::Object(victim),
    });
    if !consent.is_empty() {
        document["consent"] = Value::Object(consent);
    }
    document
}

async fn create_case(state: &Shared, s: &Session, case: Case, team: &str) -> Response {
    let Some(principal) = principal(s) else {
        return forbidden(s);
    };
    let Ok(team_id) = RecordId::parse(team) else {
        return problem(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not created",
            &["Choose one of your teams.".into()],
        );
    };
    let record = format!("case:{}", case.id.as_str());
    let resource = ctip_cases::CaseResource {
        tenant_id: case_store::tenant_record_id(s.tenant_id),
        case_id: case.id.clone(),
        owner: case.owner.clone(),
        team_id: Some(team_id.clone()),
        referrals: Vec::new(),
    };
    if let decision @ Decision::Deny { reason, .. } =
        decide_case(&principal, Operation::Create, &resource)
    {
        if !audit(state, s, "denied", &record, &format!("create: {reason}")).await {
            return failure(s);
        }
        let _ = decision;
        return problem(
            s,
            StatusCode::FORBIDDEN,
            "Not created",
            &["A new case must be yours and in one of your teams.".into()],
        );
    }
    if !audit(state, s, "create", &record, "").await {
        return failure(s);
    }
    let today = case_store::today(now());
    match case_store::insert(
        &state.db,
        &case,
        s.tenant_id,
        Some(team_id.as_str()),
        &field_key(&s.org_key),
        today,
    )
    .await
    {
        Ok(true) => Redirect::to(&format!("/staff/cases/{}", case.id.as_str())).into_response(),
        Ok(false) => problem(
            s,
            StatusCode::CONFLICT,
            "Not created",
            &[format!(
                "Your organisation already holds a case {}.",
                case.id.as_str()
            )],
        ),
        Err(e) => {
            tracing::error!(target: "ctip::cases", "{e}");
            failure(s)
        }
    }
}

pub async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<NewCaseForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, creates_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let today = case_store::today(now()).to_string();
    let document = document_from_form(&s, &f, &new_case_id(), &today);
    match import_case_value(&document) {
        Ok(case) => create_case(&state, &s, case, &f.team).await,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            html_page(StatusCode::UNPROCESSABLE_ENTITY, new_case_form(&s, &lines))
        }
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    team: String,
}

pub async fn import(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<ImportForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, creates_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mut case = match ctip_cases::import_case(&f.document) {
        Ok(case) => case,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return html_page(StatusCode::UNPROCESSABLE_ENTITY, new_case_form(&s, &lines));
        }
    };
    // The importer takes the case on; the document's owner belongs to the
    // system it came from.
    case.owner = RecordId::parse(&s.name).ok();
    create_case(&state, &s, case, &f.team).await
}

// ---------------------------------------------------------------- view

/// One JSON value as HTML: objects as definition lists, arrays as lists.
fn render_value(value: &Value) -> Markup {
    match value {
        Value::Object(map) => html! {
            dl.fields {
                @for (key, item) in map {
                    @if key != "$schema" && key != "htcds_version" {
                        dt { (key) }
                        dd { (render_value(item)) }
                    }
                }
            }
        },
        Value::Array(items) => html! {
            ol { @for item in items { li { (render_value(item)) } } }
        },
        Value::String(text) => crate::layout::multiline(text),
        Value::Bool(true) => html! { "yes" },
        Value::Bool(false) => html! { "no" },
        Value::Null => html! {},
        Value::Number(n) => html! { (n) },
    }
}

/// What a provider sees: its own referrals; once accepted, also the
/// person's details the referral needs to deliver the service.
fn provider_document(case: &Case, provider: Option<&str>, view: View) -> Value {
    let document = export_case(case);
    let referrals: Vec<Value> = document["outgoing_referrals"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| r["cas_ReferredOrganisation"].as_str() == provider)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut shown = json!({ "id": document["id"], "outgoing_referrals": referrals });
    if view == View::Referral {
        let mut person = serde_json::Map::new();
        if let Some(victim) = document["victim"].as_object() {
            for (key, value) in victim {
                if key.starts_with("prs_") {
                    person.insert(key.clone(), value.clone());
                }
            }
        }
        shown["victim"] = Value::Object(person);
    }
    shown
}

fn consent_summary(case: &Case, today: IsoDate) -> Markup {
    html! {
        // Three columns, the record's facts in one cell, so the table fits a
        // 360 px phone.
        table {
            thead { tr { th scope="col" { "Purpose" } th scope="col" { "Stands today" } th scope="col" { "Record" } } }
            tbody {
                @for purpose in ConsentPurpose::ALL {
                    @let record = case.consent.as_ref().and_then(|c| match purpose {
                        ConsentPurpose::ReferralToServices => c.referral_to_services.as_ref(),
                        ConsentPurpose::SharingWithLawEnforcement => c.sharing_with_law_enforcement.as_ref(),
                        ConsentPurpose::StatisticsAndResearch => c.statistics_and_research.as_ref(),
                    });
                    tr {
                        th scope="row" { (purpose_label(purpose)) }
                        td { @if record.is_some_and(|r| r.stands_on(today)) { "yes" } @else { "no" } }
                        td {
                            @if let Some(r) = record {
                                "given " (r.given_on) " by " (r.recorded_by.as_str())
                                @if let Some(day) = r.withdrawn_on { "; withdrawn " (day) }
                            } @else { "not recorded" }
                        }
                    }
                }
            }
        }
    }
}

fn purpose_label(purpose: ConsentPurpose) -> &'static str {
    match purpose {
        ConsentPurpose::ReferralToServices => "Referral to service providers",
        ConsentPurpose::SharingWithLawEnforcement => "Sharing with law enforcement and partners",
        ConsentPurpose::StatisticsAndResearch => "De-identified statistics and research",
    }
}

fn may(loaded: &Loaded, operation: Operation) -> bool {
    decide_case(&loaded.principal, operation, &loaded.resource).is_allowed()
}

pub async fn view(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let s = match signed_in(&state, &headers, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Read, "read").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let today = case_store::today(now());
    let directory = state.directory.read().await;
    let shown = match loaded.view {
        View::Full => export_case(&loaded.case),
        View::Deidentified => export_case(&deidentify(&loaded.case, today)),
        View::Referral | View::ReferralOffer => {
            provider_document(&loaded.case, s.provider_id.as_deref(), loaded.view)
        }
    };
    let case_id = loaded.case.id.as_str();
    let row = &loaded.row;
    let csrf = &s.csrf;
    let body = html! {
        h1 { "Case " (case_id) }
        p.meta {
            "Status " strong { (row.status) }
            @if let Some(owner) = &row.owner { " · owner " (owner) }
            @if let Some(team) = &row.team_id { " · team " (team) }
            " · updated " (row.updated_day)
            @if row.legal_hold { " · " strong { "legal hold" } }
            @if let Some(day) = &row.closed_on { " · closed " (day) }
        }
        @match loaded.view {
            View::Deidentified => p.meta { "De-identified view: names, birth dates, contact details, identity numbers and free text are left out; people are numbered." },
            View::ReferralOffer => p.meta { "A referral offer: accept it to see the person's details the service needs." },
            _ => {}
        }
        @if loaded.view == View::Full {
            h2 { "Consent" }
            (consent_summary(&loaded.case, today))
            @if may(&loaded, Operation::Update) {
                form method="post" action={ "/staff/cases/" (case_id) "/consent" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="purpose" { "Purpose" }
                    select id="purpose" name="purpose" {
                        @for purpose in ConsentPurpose::ALL { option value=(purpose.as_str()) { (purpose_label(purpose)) } }
                    }
                    label for="change" { "Change" }
                    select id="change" name="change" {
                        option value="give" { "Consent given today" }
                        option value="withdraw" { "Consent withdrawn today" }
                    }
                    p { button type="submit" { "Record consent" } }
                }
            }
        }
        h2 { "Record" }
        (render_value(&shown))
        @if loaded.view == View::Full && may(&loaded, Operation::Update) {
            h2 { "Status" }
            form method="post" action={ "/staff/cases/" (case_id) "/status" } {
                input type="hidden" name="csrf" value=(csrf);
                label for="status" { "Case status" }
                select id="status" name="status" { (options::<CaseStatus>(Some(row.status.as_str()))) }
                label for="closure" { "Reason for closing (if closing)" }
                textarea id="closure" name="closure" rows="2" {}
                p { button type="submit" { "Save status" } }
            }
            details {
                summary { "Edit the whole record (HTCDS JSON)" }
                form method="post" action={ "/staff/cases/" (case_id) "/document" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="document" { "The case as an HTCDS 2.0 document; it is validated before it replaces the record" }
                    textarea id="document" name="document" rows="16" {
                        (serde_json::to_string_pretty(&shown).unwrap_or_default())
                    }
                    p { button type="submit" { "Save the record" } }
                }
            }
            h2 { "Comment" }
            form method="post" action={ "/staff/cases/" (case_id) "/comment" } {
                input type="hidden" name="csrf" value=(csrf);
                label for="comment" { "Add a comment" }
                textarea id="comment" name="comment" rows="3" {}
                p { button type="submit" { "Add comment" } }
            }
        }
        @if loaded.view == View::Full && may(&loaded, Operation::Refer) {
            h2 { "Refer to a service" }
            @if directory.service_count() == 0 {
                p { "The service directory is empty: an administrator imports it with " code { "ctip serve directory import" } "." }
            } @else {
                form method="post" action={ "/staff/cases/" (case_id) "/refer" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="provider" { "Service" }
                    select id="provider" name="provider" {
                        @for organization in directory.organizations() {
                            @for service in &organization.services {
                                option value=(service.id) { (organization.name) " — " (service.name) }
                            }
                        }
                    }
                    label for="reason" { "Reason" }
                    select id="reason" name="reason" { (options::<ReferralReason>(None)) }
                    label for="details" { "What the provider needs to know" span.hint { "Written for the provider; shared with them on acceptance." } }
                    textarea id="details" name="details" rows="3" {}
                    @if may(&loaded, Operation::OverrideConsent) {
                        fieldset {
                            legend { "Only if the person has not consented to referral" }
                            label for="override_code" { "Override reason" }
                            select id="override_code" name="override_code" {
                                option value="" { "No override" }
                                @for code in OverrideReasonCode::ALL { option value=(code.as_str()) { (code.as_str()) } }
                            }
                            label for="override_reason" { "Explain (recorded in the audit log)" }
                            textarea id="override_reason" name="override_reason" rows="2" {}
                        }
                    }
                    p { button type="submit" { "Send referral" } }
                }
            }
        }
        @if matches!(loaded.view, View::Referral | View::ReferralOffer) {
            h2 { "Respond to the referral" }
            @for (position, referral) in loaded.case.outgoing_referrals.iter().enumerate() {
                @if Some(referral.referred_organisation.as_str()) == s.provider_id.as_deref() {
                    @if let Some(status) = referral.status {
                        @let next = ctip_cases::referral::next_statuses(status);
                        @if !next.is_empty() {
                            form method="post" action={ "/staff/cases/" (case_id) "/referrals/" (position) } {
                                input type="hidden" name="csrf" value=(csrf);
                                p { "Referral " (position + 1) ": " (status.as_str()) }
                                @for to in next {
                                    button type="submit" name="to" value=(to.as_str()) { (to.as_str()) }
                                    " "
                                }
                            }
                        }
                    }
                }
            }
        }
        @if loaded.view == View::Full && may(&loaded, Operation::Export) {
            h2 { "Export" }
            form method="post" action={ "/staff/cases/" (case_id) "/export" } {
                input type="hidden" name="csrf" value=(csrf);
                p.hint { "An HTCDS 2.0 JSON file for law enforcement or a partner agency. Needs the person's consent to sharing." }
                @if may(&loaded, Operation::OverrideConsent) {
                    label for="export_override_code" { "Override reason (only without consent)" }
                    select id="export_override_code" name="override_code" {
                        option value="" { "No override" }
                        @for code in OverrideReasonCode::ALL { option value=(code.as_str()) { (code.as_str()) } }
                    }
                    label for="export_override_reason" { "Explain (recorded in the audit log)" }
                    textarea id="export_override_reason" name="override_reason" rows="2" {}
                }
                p { button type="submit" { "Export HTCDS JSON" } }
            }
        }
        @if may(&loaded, Operation::Purge) {
            h2 { "Retention" }
            form method="post" action={ "/staff/cases/" (case_id) "/hold" } {
                input type="hidden" name="csrf" value=(csrf);
                @if row.legal_hold {
                    input type="hidden" name="hold" value="off";
                    p { button type="submit" { "Lift the legal hold" } }
                } @else {
                    input type="hidden" name="hold" value="on";
                    p { button type="submit" { "Place under legal hold" } }
                }
            }
            @if !row.legal_hold {
                form method="post" action={ "/staff/cases/" (case_id) "/purge" } {
                    input type="hidden" name="csrf" value=(csrf);
                    p.hint { "Erase the case now, for example when the person asks for it. This cannot be undone; the audit log keeps only that it happened." }
                    label for="confirm" { "Type the case id to confirm" }
                    input type="text" id="confirm" name="confirm" autocomplete="off";
                    p { button type="submit" { "Erase this case" } }
                }
            }
        }
    };
    html_page(StatusCode::OK, staff_page(&s, case_id, body))
}

// ---------------------------------------------------------------- changes

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    change: String,
}

pub async fn consent(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ConsentForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Update, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let Some(purpose) = ConsentPurpose::ALL
        .into_iter()
        .find(|p| p.as_str() == f.purpose)
    else {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["Unknown purpose.".into()],
        );
    };
    let today = case_store::today(now()).to_string();
    let mut document = export_case(&loaded.case);
    if !document["consent"].is_object() {
        document["consent"] = json!({});
    }
    let slot = &mut document["consent"][purpose.key()];
    match f.change.as_str() {
        "give" => *slot = purpose_record(&s, &today),
        "withdraw" if slot.is_object() && slot.get("withdrawn_on").is_none() => {
            slot["withdrawn_on"] = json!(today);
        }
        "withdraw" => {
            return problem(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not saved",
                &["There is no standing consent for that purpose to withdraw.".into()],
            );
        }
        _ => {
            return problem(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not saved",
                &["Unknown change.".into()],
            );
        }
    }
    unwrap_response(save(&state, &s, &loaded, &document).await)
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    closure: String,
}

pub async fn status(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Update, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let Ok(status) = CaseStatus::parse(&f.status) else {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["Unknown status.".into()],
        );
    };
    let mut document = export_case(&loaded.case);
    document["cas_Status"] = json!(status.as_str());
    if !f.closure.trim().is_empty() {
        document["cas_ReasonForCaseClosure"] = json!(f.closure.trim());
    }
    unwrap_response(save(&state, &s, &loaded, &document).await)
}

#[derive(Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    document: String,
}

/// Replaces the record with an edited HTCDS document: the way to change
/// any field (the person, events, perpetrators, support plans). The id
/// cannot change, and the owner stays unless a supervisor reassigns.
pub async fn document(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DocumentForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Update, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let mut edited = match ctip_cases::import_case(&f.document) {
        Ok(case) => case,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return problem(&s, StatusCode::UNPROCESSABLE_ENTITY, "Not saved", &lines);
        }
    };
    if edited.id != loaded.case.id {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["/id: a case keeps its id".into()],
        );
    }
    if edited.owner != loaded.case.owner
        && !decide_case(&loaded.principal, Operation::Assign, &loaded.resource).is_allowed()
    {
        edited.owner = loaded.case.owner.clone();
    }
    // Referral statuses move only through the provider's answers.
    if edited.outgoing_referrals.len() < loaded.case.outgoing_referrals.len()
        || edited
            .outgoing_referrals
            .iter()
            .zip(&loaded.case.outgoing_referrals)
            .any(|(new, old)| new.status != old.status)
        || edited.outgoing_referrals[loaded.case.outgoing_referrals.len()..]
            .iter()
            .any(|new| new.status.is_some())
    {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["/outgoing_referrals: referrals made through ctip are kept, are sent only with the referral form, and change status only by the provider's answer".into()],
        );
    }
    unwrap_response(save(&state, &s, &loaded, &export_case(&edited)).await)
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

pub async fn comment(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CommentForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Update, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    if f.comment.trim().is_empty() {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["The comment is empty.".into()],
        );
    }
    let mut document = export_case(&loaded.case);
    push_comment(
        &mut document,
        json!({
            "cco_CaseComment": f.comment.trim(),
            "ctip:author": s.name,
            "ctip:created_on": case_store::today(now()).to_string(),
        }),
    );
    unwrap_response(save(&state, &s, &loaded, &document).await)
}

#[derive(Deserialize)]
pub struct ReferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    override_code: String,
    #[serde(default)]
    override_reason: String,
}

/// The consent grant for `purpose`, or the supervisor's audited override.
/// With an override, also the case comment that keeps the written reason
/// in the (sealed) record; the audit entry holds only its category. Errors
/// are pages to show.
async fn consent_or_override(
    state: &Shared,
    s: &Session,
    loaded: &Loaded,
    purpose: ConsentPurpose,
    override_code: &str,
    override_reason: &str,
) -> Result<(ctip_cases::ConsentGrant, Option<Value>), Response> {
    let today = case_store::today(now());
    let refusal = match ctip_cases::consent_for(&loaded.case, purpose, today) {
        Ok(grant) => return Ok((grant, None)),
        Err(refusal) => refusal,
    };
    if override_code.is_empty() {
        return Err(problem(
            s,
            StatusCode::FORBIDDEN,
            "Refused: no consent",
            &[format!(
                "{refusal} ({}). A supervisor may override with a reason.",
                purpose_label(purpose)
            )],
        ));
    }
    let Some(code) = OverrideReasonCode::parse(override_code) else {
        return Err(problem(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Refused",
            &["Unknown override reason.".into()],
        ));
    };
    let reason = OverrideReason::new(override_reason).map_err(|e| {
        problem(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Refused",
            &[e.to_string()],
        )
    })?;
    let request = ctip_cases::ConsentOverride {
        by: loaded.principal.clone(),
        purpose,
        reason_code: code,
        reason: reason.clone(),
    };
    let grant = ctip_cases::override_consent(&loaded.case, &loaded.resource, today, &request)
        .map_err(|e| problem(s, StatusCode::FORBIDDEN, "Refused", &[e.to_string()]))?;
    let record = format!("case:{}", loaded.case.id.as_str());
    let detail = match grant.audit_note() {
        Some(note) => format!(
            "{} {} {} refusal={}",
            ctip_cases::AuditNote::EVENT,
            note.purpose.as_str(),
            note.reason_code.as_str(),
            note.refusal.as_str()
        ),
        None => format!("{} {}", purpose.as_str(), code.as_str()),
    };
    if !audit(state, s, "override", &record, &detail).await {
        return Err(failure(s));
    }
    let comment = json!({
        "cco_CaseComment": format!(
            "Consent override for {} ({}): {}",
            purpose_label(purpose),
            code.as_str(),
            reason.as_str()
        ),
        "ctip:author": s.name,
        "ctip:created_on": today.to_string(),
    });
    Ok((grant, Some(comment)))
}

/// Appends a comment to a document, numbering it after the others.
fn push_comment(document: &mut Value, mut comment: Value) {
    let mut comments = document["comments"].as_array().cloned().unwrap_or_default();
    comment["id"] = json!(format!("comment-{}", comments.len() + 1));
    comments.push(comment);
    document["comments"] = Value::Array(comments);
}

pub async fn refer(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReferForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Refer, "refer").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let (grant, override_comment) = match consent_or_override(
        &state,
        &s,
        &loaded,
        ConsentPurpose::ReferralToServices,
        &f.override_code,
        &f.override_reason,
    )
    .await
    {
        Ok(granted) => granted,
        Err(r) => return r,
    };
    let directory = state.directory.read().await;
    let Some((organization, service)) = directory.service(&f.provider) else {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not sent",
            &["Choose a service from the directory.".into()],
        );
    };
    let Ok(provider) = RecordId::parse(&service.id) else {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not sent",
            &["The service's directory id cannot be referred to.".into()],
        );
    };
    let known = ctip_cases::ServiceDirectory::new([provider.clone()]);
    let today = case_store::today(now());
    let referral = match ctip_cases::send_referral(
        &loaded.principal,
        &loaded.resource,
        &provider,
        &known,
        &grant,
        today,
    ) {
        Ok(referral) => referral,
        Err(e) => return problem(&s, StatusCode::FORBIDDEN, "Not sent", &[e.to_string()]),
    };
    let mut document = export_case(&loaded.case);
    let mut organisations = document["organisations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !organisations
        .iter()
        .any(|o| o["id"] == json!(provider.as_str()))
    {
        organisations.push(json!({
            "id": provider.as_str(),
            "org_Name": format!("{} — {}", organization.name, service.name),
        }));
    }
    document["organisations"] = Value::Array(organisations);
    let mut referral = serde_json::to_value(&referral).unwrap_or(Value::Null);
    if ReferralReason::parse(&f.reason).is_ok() {
        referral["cas_ReasonForOutgoingReferral"] = json!(f.reason);
    }
    if !f.details.trim().is_empty() {
        referral["cas_OutgoingReferralDetails"] = json!(f.details.trim());
    }
    let mut referrals = document["outgoing_referrals"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    referrals.push(referral);
    document["outgoing_referrals"] = Value::Array(referrals);
    if let Some(comment) = override_comment {
        push_comment(&mut document, comment);
    }
    drop(directory);
    unwrap_response(save(&state, &s, &loaded, &document).await)
}

#[derive(Deserialize)]
pub struct RespondForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

pub async fn respond(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, position)): Path<(String, usize)>,
    Form(f): Form<RespondForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::RespondToReferral, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let Ok(to) = ReferralStatus::parse(&f.to) else {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            &["Unknown referral status.".into()],
        );
    };
    let Some(referral) = loaded.case.outgoing_referrals.get(position) else {
        return not_found(&s);
    };
    let to = match ctip_cases::move_referral(&loaded.principal, &loaded.resource, referral, to) {
        Ok(to) => to,
        Err(e) => return problem(&s, StatusCode::FORBIDDEN, "Not saved", &[e.to_string()]),
    };
    let mut document = export_case(&loaded.case);
    document["outgoing_referrals"][position]["ctip:status"] = json!(to.as_str());
    // The provider's own page after the change: its view may have narrowed
    // (a rejected referral shows nothing more).
    match save(&state, &s, &loaded, &document).await {
        Ok(_) if matches!(to, ReferralStatus::Rejected | ReferralStatus::Completed) => {
            Redirect::to("/staff/cases").into_response()
        }
        other => unwrap_response(other),
    }
}

#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    override_code: String,
    #[serde(default)]
    override_reason: String,
}

pub async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ExportForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Export, "export").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let shown = match loaded.view {
        View::Full => {
            let override_comment = match consent_or_override(
                &state,
                &s,
                &loaded,
                ConsentPurpose::SharingWithLawEnforcement,
                &f.override_code,
                &f.override_reason,
            )
            .await
            {
                Ok((_, comment)) => comment,
                Err(r) => return r,
            };
            let exported = export_case(&loaded.case);
            if let Some(comment) = override_comment {
                // The override's reason stays with the case, not in the
                // exported file.
                let mut document = exported.clone();
                push_comment(&mut document, comment);
                if let Err(r) = save(&state, &s, &loaded, &document).await {
                    return r;
                }
            }
            exported
        }
        // An analyst's export is the de-identified record, which needs
        // consent to statistics and research.
        View::Deidentified => {
            if let Err(r) = consent_or_override(
                &state,
                &s,
                &loaded,
                ConsentPurpose::StatisticsAndResearch,
                "",
                "",
            )
            .await
            {
                return r;
            }
            export_case(&deidentify(&loaded.case, case_store::today(now())))
        }
        View::Referral | View::ReferralOffer => return forbidden(&s),
    };
    let mut response = (
        StatusCode::OK,
        serde_json::to_string_pretty(&shown).unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.htcds.json\"",
        loaded.case.id.as_str()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[derive(Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    hold: String,
}

pub async fn hold(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HoldForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    // Holding or lifting a hold decides whether a case may be purged, so it
    // needs the purge permission (supervisors).
    let loaded = match load(&state, &s, &id, Operation::Purge, "update").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    let hold = match f.hold.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            return problem(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Not saved",
                &["Say on or off.".into()],
            );
        }
    };
    let record = format!("case:{}", loaded.row.case_id);
    let detail = if hold {
        "legal-hold on"
    } else {
        "legal-hold off"
    };
    if !audit(&state, &s, "update", &record, detail).await {
        return failure(&s);
    }
    let mut row = loaded.row.clone();
    row.legal_hold = hold;
    row.version += 1;
    row.updated_day = case_store::today(now()).to_string();
    let referrals = case_store::referral_index(&loaded.case);
    match state
        .db
        .update_case(&row, loaded.row.version, &referrals)
        .await
    {
        Ok(true) => Redirect::to(&format!("/staff/cases/{}", row.case_id)).into_response(),
        Ok(false) => problem(
            &s,
            StatusCode::CONFLICT,
            "Changed meanwhile",
            &["Open the case again.".into()],
        ),
        Err(_) => failure(&s),
    }
}

#[derive(Deserialize)]
pub struct PurgeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// Erases a case before its retention period ends (a supervisor, for
/// example at the person's request). Refused under legal hold.
pub async fn purge(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<PurgeForm>,
) -> Response {
    let s = match signed_in_form(&state, &headers, &f.csrf, works_cases) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let loaded = match load(&state, &s, &id, Operation::Purge, "read").await {
        Ok(loaded) => loaded,
        Err(r) => return r,
    };
    if f.confirm.trim() != loaded.row.case_id {
        return problem(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not erased",
            &["Type the case id exactly to confirm.".into()],
        );
    }
    if loaded.row.legal_hold {
        return problem(
            &s,
            StatusCode::CONFLICT,
            "Not erased",
            &["The case is under legal hold; lift the hold first.".into()],
        );
    }
    let record = format!("case:{}", loaded.row.case_id);
    if !audit(&state, &s, "purge", &record, "on request").await {
        return failure(&s);
    }
    match state.db.delete_case(s.tenant_id, &loaded.row.case_id).await {
        Ok(_) => Redirect::to("/staff/cases").into_response(),
        Err(_) => failure(&s),
    }
}
