//! The public tip line: no cookies, no scripts, no third parties.
//!
//! Language travels in the address (`?lang=`) and in hidden form fields, so
//! nothing is stored on the reporter's phone. Every page offers the quick
//! exit.

use axum::Form;
use axum::extract::{ConnectInfo, Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ctip_store::tipline::NewTip;
use ctip_tipline::form::MAX_TEXT_CHARS;
use ctip_tipline::{
    AttachmentError, Country, FieldError, Locale, MAX_ATTACHMENT_BYTES, ReceiptCode, TipForm,
    Urgency, clean_attachment, day_of, emergency_numbers,
};
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

use crate::layout::public_page;
use crate::{Shared, now};

/// Most attachments per report.
pub const MAX_ATTACHMENTS: usize = 3;
/// Largest request body: the attachments plus room for the text fields.
pub const MAX_REQUEST_BYTES: usize = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024;

#[derive(Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The reporter's language: the one they chose, else their browser's.
pub(crate) fn locale_for(
    state: &Shared,
    chosen: Option<&str>,
    headers: &HeaderMap,
) -> &'static Locale {
    match chosen.filter(|c| !c.is_empty()) {
        Some(code) => state.catalog.locale(code),
        None => state.catalog.negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        ),
    }
}

fn page(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

fn lang_field(locale: &Locale) -> Markup {
    html! { input type="hidden" name="lang" value=(locale.code); }
}

pub async fn home(
    State(state): State<Shared>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let l = locale_for(&state, q.lang.as_deref(), &headers);
    let body = html! {
        h1 { (l.t("site_title")) }
        p { (l.t("home_intro")) }
        p.banner { (l.fill("danger_banner", &[("number", "112 / 911")])) }
        div.actions {
            a.button href={ "/report?lang=" (l.code) } { (l.t("home_report")) }
            a.button.secondary href={ "/followup?lang=" (l.code) } { (l.t("home_followup")) }
            a.button.secondary href={ "/help?lang=" (l.code) } { (l.t("home_help")) }
        }
    };
    page(StatusCode::OK, public_page(l, l.t("site_title"), "/", body))
}

/// Leaves for a neutral site. `Clear-Site-Data` asks the browser to drop
/// whatever it kept of this site; `no-referrer` keeps the destination from
/// learning where the visitor came from.
pub async fn quick_exit(State(state): State<Shared>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let Ok(target) = HeaderValue::from_str(&state.config.exit_url) {
        h.insert(header::LOCATION, target);
    }
    h.insert(
        header::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"storage\""),
    );
    response
}

pub async fn not_found(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let l = locale_for(&state, None, &headers);
    let body = html! {
        h1 { (l.t("error_not_found")) }
        p { a href={ "/?lang=" (l.code) } { (l.t("back_home")) } }
    };
    page(
        StatusCode::NOT_FOUND,
        public_page(l, l.t("error_not_found"), "/", body),
    )
}

fn country_select(l: &Locale, selected: &str) -> Markup {
    html! {
        label for="country" { (l.t("country_label")) }
        select id="country" name="country" {
            option value="" selected[selected.is_empty()] { (l.t("country_other")) }
            @for c in Country::all() {
                option value=(c.code) selected[c.code == selected] { (c.name) " (" (c.code) ")" }
            }
        }
    }
}

/// Step one: is anyone in danger, and where. Asked first so that emergency
/// numbers come before any long form.
pub async fn start(
    State(state): State<Shared>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let l = locale_for(&state, q.lang.as_deref(), &headers);
    let body = html! {
        h1 { (l.t("start_title")) }
        form method="post" action="/report/details" {
            (lang_field(l))
            fieldset {
                legend { (l.t("danger_question")) }
                @for (value, key) in [("yes", "danger_yes"), ("no", "danger_no"), ("unsure", "danger_unsure")] {
                    label.choice {
                        input type="radio" name="danger" value=(value) checked[value == "unsure"];
                        (l.t(key))
                    }
                }
            }
            (country_select(l, ""))
            p { button type="submit" { (l.t("continue")) } }
        }
    };
    page(
        StatusCode::OK,
        public_page(l, l.t("start_title"), "/report", body),
    )
}

fn service_name<'a>(l: &'a Locale, service: &str) -> &'a str {
    match service {
        "emergency" => l.t("service_emergency"),
        "police" => l.t("service_police"),
        "ambulance" => l.t("service_ambulance"),
        "trafficking_hotline" => l.t("service_trafficking_hotline"),
        "emergency_sms" => l.t("service_emergency_sms"),
        _ => l.t("service_emergency"),
    }
}

/// The emergency numbers for a country, large enough to dial from.
fn emergency_box(l: &Locale, country: &str) -> Markup {
    let numbers = emergency_numbers(Some(country).filter(|c| !c.is_empty()));
    html! {
        section.danger role="alert" aria-labelledby="emergency-title" {
            h2 id="emergency-title" { (l.t("emergency_title")) }
            p { (l.t("emergency_text")) }
            ul {
                @for n in &numbers {
                    li {
                        (service_name(l, &n.service)) ": "
                        a.number.ltr href={ "tel:" (n.number.replace(' ', "")) } { (n.number) }
                        @if let Some(note) = &n.note { " " span.meta { "(" bdi { (note) } ")" } }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    danger: String,
    #[serde(default)]
    country: String,
}

/// Step two: the questionnaire, with the emergency numbers on top when the
/// reporter said someone is in danger.
pub async fn details(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(start): Form<StartForm>,
) -> Response {
    let l = locale_for(&state, Some(&start.lang), &headers);
    let country = Country::parse(start.country.trim())
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let form = TipForm {
        danger: Urgency::parse(start.danger.trim())
            .unwrap_or_default()
            .as_str()
            .to_owned(),
        country,
        language: l.code.to_owned(),
        ..TipForm::default()
    };
    page(StatusCode::OK, questionnaire(l, &form, &[]))
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldError> {
    errors.iter().find(|e| e.field == field)
}

fn questionnaire(l: &Locale, form: &TipForm, errors: &[FieldError]) -> Markup {
    let text_field = |name: &'static str,
                      label: &str,
                      hint: Option<&str>,
                      value: &str,
                      long: bool| {
        let error = error_for(errors, name);
        html! {
            label for=(name) {
                (label)
                @if let Some(hint) = hint { span.hint id={ (name) "-hint" } { (hint) } }
            }
            @if let Some(e) = error { p.field-error id={ (name) "-error" } { (l.t(e.message)) } }
            textarea id=(name) name=(name) class=[long.then_some("long")]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[hint.map(|_| format!("{name}-hint"))] { (value) }
        }
    };
    let body = html! {
        @if form.danger == "yes" { (emergency_box(l, &form.country)) }
        h1 { (l.t("form_title")) }
        @if !errors.is_empty() {
            div.errors role="alert" tabindex="-1" {
                h2 { (l.t("errors_title")) }
                ul {
                    @for e in errors {
                        li { a href={ "#" (e.field) } { (l.t(e.message)) } }
                    }
                }
            }
        }
        p { (l.t("form_intro")) }
        form method="post" action="/report" enctype="multipart/form-data" {
            (lang_field(l))
            input type="hidden" name="danger" value=(form.danger);
            (text_field("what_happened", l.t("what_label"), Some(l.t("what_hint")), &form.what_happened, true))
            (country_select(l, &form.country))
            label for="city" { (l.t("city_label")) }
            input type="text" id="city" name="city" value=(form.city) autocomplete="off";
            (text_field("when", l.t("when_label"), Some(l.t("when_hint")), &form.when, false))
            (text_field("people", l.t("people_label"), Some(l.t("people_hint")), &form.people, false))
            fieldset {
                legend { (l.t("identifiers_title")) }
                (text_field("phones", l.t("phones_label"), None, &form.phones, false))
                (text_field("handles", l.t("handles_label"), None, &form.handles, false))
                (text_field("vehicles", l.t("vehicles_label"), None, &form.vehicles, false))
                (text_field("addresses", l.t("addresses_label"), None, &form.addresses, false))
            }
            (text_field("contact", l.t("contact_label"), Some(l.t("contact_hint")), &form.contact, false))
            label for="attachments" {
                (l.t("attachments_label"))
                span.hint id="attachments-hint" {
                    (l.fill("attachments_hint", &[
                        ("count", &MAX_ATTACHMENTS.to_string()),
                        ("size", &(MAX_ATTACHMENT_BYTES / (1024 * 1024)).to_string()),
                    ]))
                }
            }
            @if let Some(e) = error_for(errors, "attachments") { p.field-error { (l.t(e.message)) } }
            input type="file" id="attachments" name="attachments" multiple accept="image/jpeg,image/png,image/webp" aria-describedby="attachments-hint";
            section.note {
                h2 { (l.t("what_happens_title")) }
                p { (l.t("what_happens_text")) }
            }
            p { button type="submit" { (l.t("submit")) } }
        }
    };
    public_page(l, l.t("form_title"), "/report", body)
}

/// A field of the multipart form, as text; an unknown name is ignored.
fn set_field(form: &mut TipForm, name: &str, value: String) {
    let slot = match name {
        "what_happened" => &mut form.what_happened,
        "city" => &mut form.city,
        "country" => &mut form.country,
        "when" => &mut form.when,
        "people" => &mut form.people,
        "phones" => &mut form.phones,
        "handles" => &mut form.handles,
        "vehicles" => &mut form.vehicles,
        "addresses" => &mut form.addresses,
        "danger" => &mut form.danger,
        "contact" => &mut form.contact,
        "lang" => &mut form.language,
        _ => return,
    };
    *slot = value;
}

fn generic_error(l: &Locale, status: StatusCode, key: &str) -> Response {
    let body = html! {
        h1 { (l.t(key)) }
        p { a href={ "/?lang=" (l.code) } { (l.t("back_home")) } }
    };
    page(status, public_page(l, l.t(key), "/", body))
}

/// Receives a report: validate, clean attachments, seal, store, and only
/// then show the receipt.
pub async fn submit(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let mut form = TipForm::default();
    let mut raw_attachments: Vec<Vec<u8>> = Vec::new();
    let mut errors = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                let l = locale_for(&state, Some(&form.language), &headers);
                return generic_error(l, StatusCode::BAD_REQUEST, "error_generic");
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "attachments" {
            let has_file = field.file_name().is_some_and(|f| !f.is_empty());
            let Ok(bytes) = field.bytes().await else {
                let l = locale_for(&state, Some(&form.language), &headers);
                return generic_error(l, StatusCode::PAYLOAD_TOO_LARGE, "error_attachment_size");
            };
            // A file input left empty still sends a part with no name and
            // no bytes.
            if has_file || !bytes.is_empty() {
                raw_attachments.push(bytes.to_vec());
            }
            continue;
        }
        match field.text().await {
            Ok(text) => set_field(&mut form, &name, text),
            Err(_) => {
                let l = locale_for(&state, Some(&form.language), &headers);
                return generic_error(l, StatusCode::BAD_REQUEST, "error_generic");
            }
        }
    }
    let l = locale_for(&state, Some(&form.language), &headers);
    form.language = l.code.to_owned();
    if !state
        .tip_limiter
        .allow(peer.ip().to_string().as_bytes(), now())
    {
        return generic_error(l, StatusCode::TOO_MANY_REQUESTS, "error_rate_limited");
    }
    let contents = match form.validate() {
        Ok(contents) => Some(contents),
        Err(field_errors) => {
            errors = field_errors;
            None
        }
    };
    let mut attachments = Vec::new();
    if raw_attachments.len() > MAX_ATTACHMENTS {
        errors.push(FieldError {
            field: "attachments",
            message: "error_attachment_count",
        });
    } else {
        for raw in &raw_attachments {
            match clean_attachment(raw) {
                Ok(clean) => attachments.push(clean),
                Err(e) => {
                    errors.push(FieldError {
                        field: "attachments",
                        message: match e {
                            AttachmentError::TooLarge(_) => "error_attachment_size",
                            _ => "error_attachment_type",
                        },
                    });
                    break;
                }
            }
        }
    }
    let contents = match contents {
        Some(c) if errors.is_empty() => c,
        _ => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                questionnaire(l, &form, &errors),
            );
        }
    };

    let code = ReceiptCode::generate();
    let plaintext = serde_json::to_vec(&contents).expect("tip contents serialise");
    let tip = NewTip {
        lookup: state.receipt_key.lookup_hash(&code).to_vec(),
        reporter_key: code.reporter_keys().public().to_bytes().to_vec(),
        received_day: day_of(now()),
        urgency: contents.danger.rank(),
        sealed: state.org_public.seal(&plaintext),
        attachments: attachments
            .iter()
            .map(|a| (a.media_type.to_owned(), state.org_public.seal(&a.bytes)))
            .collect(),
    };
    drop(plaintext);
    match state.writer.store(tip).await {
        Ok(_) => page(StatusCode::OK, receipt_page(l, &code, false)),
        Err(_) => generic_error(l, StatusCode::SERVICE_UNAVAILABLE, "error_generic"),
    }
}

/// The receipt, shown once, with a step that makes the reporter prove they
/// kept it. The code sits in a hidden field of this same page so a mistyped
/// confirmation can show it again; it is never stored.
fn receipt_page(l: &Locale, code: &ReceiptCode, mismatch: bool) -> Markup {
    let shown = code.display();
    let body = html! {
        h1 { (l.t("receipt_title")) }
        p { (l.t("receipt_text")) }
        p.receipt id="receipt" { (shown) }
        form method="post" action="/report/confirm" {
            (lang_field(l))
            input type="hidden" name="code" value=(shown);
            label for="typed" { (l.t("receipt_confirm_label")) }
            @if mismatch { p.field-error id="typed-error" { (l.t("receipt_mismatch")) } }
            input type="text" id="typed" name="typed" autocomplete="off" autocapitalize="characters"
                spellcheck="false" aria-invalid=[mismatch.then_some("true")];
            p { button type="submit" { (l.t("receipt_confirm")) } }
        }
    };
    public_page(l, l.t("receipt_title"), "/", body)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    typed: String,
}

pub async fn confirm(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let l = locale_for(&state, Some(&f.lang), &headers);
    let Ok(code) = ReceiptCode::parse(&f.code) else {
        return generic_error(l, StatusCode::BAD_REQUEST, "error_receipt");
    };
    if ReceiptCode::parse(&f.typed).is_ok_and(|typed| typed == code) {
        let body = html! {
            h1 { (l.t("thanks_title")) }
            p { (l.t("thanks_text")) }
            p { a.button.secondary href={ "/help?lang=" (l.code) } { (l.t("home_help")) } }
        };
        return page(
            StatusCode::OK,
            public_page(l, l.t("thanks_title"), "/", body),
        );
    }
    // Show the code again only for a report that exists, so this form is no
    // way to mint plausible-looking receipts.
    match state
        .db
        .tip_by_lookup(&state.receipt_key.lookup_hash(&code))
        .await
    {
        Ok(Some(_)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            receipt_page(l, &code, true),
        ),
        Ok(None) => generic_error(l, StatusCode::NOT_FOUND, "error_receipt"),
        Err(_) => generic_error(l, StatusCode::SERVICE_UNAVAILABLE, "error_generic"),
    }
}

fn followup_code_form(l: &Locale, error: bool) -> Markup {
    let body = html! {
        h1 { (l.t("followup_title")) }
        form method="post" action="/followup" {
            (lang_field(l))
            label for="code" { (l.t("followup_code_label")) }
            @if error { p.field-error { (l.t("error_receipt")) } }
            input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters"
                spellcheck="false" aria-invalid=[error.then_some("true")];
            p { button type="submit" { (l.t("followup_open")) } }
        }
    };
    public_page(l, l.t("followup_title"), "/followup", body)
}

pub async fn followup_form(
    State(state): State<Shared>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let l = locale_for(&state, q.lang.as_deref(), &headers);
    page(StatusCode::OK, followup_code_form(l, false))
}

#[derive(Deserialize)]
pub struct FollowupForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    text: String,
}

/// Finds the report behind a receipt, counting the attempt against the
/// client's limit so codes cannot be guessed at speed.
async fn open_receipt(
    state: &Shared,
    l: &Locale,
    peer: SocketAddr,
    typed: &str,
) -> Result<(ReceiptCode, ctip_store::tipline::TipRow), Response> {
    let unknown = || page(StatusCode::NOT_FOUND, followup_code_form(l, true));
    if !state
        .login_limiter
        .allow(peer.ip().to_string().as_bytes(), now())
    {
        return Err(generic_error(
            l,
            StatusCode::TOO_MANY_REQUESTS,
            "error_rate_limited",
        ));
    }
    let code = ReceiptCode::parse(typed).map_err(|_| unknown())?;
    match state
        .db
        .tip_by_lookup(&state.receipt_key.lookup_hash(&code))
        .await
    {
        Ok(Some(tip)) => Ok((code, tip)),
        Ok(None) => Err(unknown()),
        Err(_) => Err(generic_error(
            l,
            StatusCode::SERVICE_UNAVAILABLE,
            "error_generic",
        )),
    }
}

async fn status_page(
    state: &Shared,
    l: &Locale,
    code: &ReceiptCode,
    tip: &ctip_store::tipline::TipRow,
    added: bool,
) -> Response {
    let messages = match state.db.messages(tip.id).await {
        Ok(m) => m,
        Err(_) => return generic_error(l, StatusCode::SERVICE_UNAVAILABLE, "error_generic"),
    };
    let keys = code.reporter_keys();
    let replies: Vec<(String, String)> = messages
        .iter()
        .filter_map(|m| {
            let sealed = m.sealed_reporter.as_ref()?;
            let text = keys.open(sealed).ok()?;
            Some((m.day.clone(), String::from_utf8_lossy(&text).into_owned()))
        })
        .collect();
    let status_key = match tip.status.as_str() {
        "triaged" => "status_triaged",
        "linked" => "status_linked",
        "closed" => "status_closed",
        _ => "status_new",
    };
    let body = html! {
        h1 { (l.t("followup_title")) }
        @if added { p.note role="status" { (l.t("added")) } }
        p { strong { (l.t("status_label")) ": " } (l.t(status_key)) }
        p.meta { (l.fill("received_on", &[("day", &tip.received_day)])) }
        h2 { (l.t("replies_title")) }
        @if replies.is_empty() { p { (l.t("no_replies")) } }
        @for (day, text) in &replies {
            div.message { span.meta { (day) } "\n" (text) }
        }
        @if tip.status != "closed" {
            form method="post" action="/followup/add" {
                (lang_field(l))
                input type="hidden" name="code" value=(code.display());
                label for="text" { (l.t("add_info_label")) }
                textarea id="text" name="text" {}
                p { button type="submit" { (l.t("add_info_submit")) } }
            }
        }
    };
    page(
        StatusCode::OK,
        public_page(l, l.t("followup_title"), "/followup", body),
    )
}

pub async fn followup(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<FollowupForm>,
) -> Response {
    let l = locale_for(&state, Some(&f.lang), &headers);
    match open_receipt(&state, l, peer, &f.code).await {
        Ok((code, tip)) => status_page(&state, l, &code, &tip, false).await,
        Err(refusal) => refusal,
    }
}

/// More information from the reporter, sealed to the organisation.
pub async fn followup_add(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<FollowupForm>,
) -> Response {
    let l = locale_for(&state, Some(&f.lang), &headers);
    let (code, tip) = match open_receipt(&state, l, peer, &f.code).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let text = f.text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS || tip.status == "closed" {
        return status_page(&state, l, &code, &tip, false).await;
    }
    let sealed = state.org_public.seal(text.as_bytes());
    match state
        .db
        .add_message(tip.id, "reporter", &day_of(now()), &sealed, None)
        .await
    {
        Ok(_) => status_page(&state, l, &code, &tip, true).await,
        Err(_) => generic_error(l, StatusCode::SERVICE_UNAVAILABLE, "error_generic"),
    }
}
