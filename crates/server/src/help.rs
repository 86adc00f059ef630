//! "Find help": the public face of the service directory.
//!
//! Only [`ctip_directory::PublicView`]s reach these pages, and that type has
//! no field that could hold a confidential shelter's address.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use ctip_directory::{Distance, Gender, PublicLocation, PublicView, ServiceType};
use ctip_tipline::Locale;
use maud::{Markup, html};
use serde::Deserialize;

use crate::Shared;
use crate::layout::public_page;
use crate::public::locale_for;

/// Results shown at most.
const MAX_RESULTS: usize = 30;
/// Radius around the place searched for, kilometres.
const RADIUS_KM: f64 = 100.0;

#[derive(Deserialize, Default)]
pub struct HelpQuery {
    lang: Option<String>,
    place: Option<String>,
    kind: Option<String>,
    language: Option<String>,
    age: Option<String>,
    gender: Option<String>,
}

const KINDS: [(&str, &str, ServiceType); 5] = [
    ("shelter", "help_type_shelter", ServiceType::Shelter),
    ("legal-aid", "help_type_legal", ServiceType::LegalAid),
    ("medical", "help_type_medical", ServiceType::Medical),
    (
        "counselling",
        "help_type_counselling",
        ServiceType::Counselling,
    ),
    ("hotline", "help_type_hotline", ServiceType::Hotline),
];

pub async fn find_help(
    State(state): State<Shared>,
    Query(q): Query<HelpQuery>,
    headers: HeaderMap,
) -> Response {
    let l = locale_for(&state, q.lang.as_deref(), &headers);
    let place = q.place.as_deref().unwrap_or("").trim();
    let kind = q.kind.as_deref().unwrap_or("");
    let language = q.language.as_deref().unwrap_or("").trim();
    let age: Option<u32> = q
        .age
        .as_deref()
        .and_then(|a| a.trim().parse().ok())
        .filter(|a| *a < 130);
    let gender = q.gender.as_deref().and_then(Gender::from_code);
    let searched = q.place.is_some() || q.kind.is_some();
    let mut unknown_place = false;
    let hits = if searched {
        let directory = state.directory.read().await;
        let mut query = ctip_directory::Query::new().limit(MAX_RESULTS);
        if !place.is_empty() {
            match directory.resolve_place(place) {
                Some(point) => query = query.near(point, Some(RADIUS_KM)),
                None => unknown_place = true,
            }
        }
        if let Some((_, _, t)) = KINDS.iter().find(|(code, _, _)| *code == kind) {
            query = query.service_type(*t);
        }
        if !language.is_empty() {
            query = query.language(language);
        }
        if age.is_some() || gender.is_some() {
            query = query.eligible_for(age, gender);
        }
        if unknown_place {
            Vec::new()
        } else {
            directory.search(&query)
        }
    } else {
        Vec::new()
    };
    let body = html! {
        h1 { (l.t("help_title")) }
        p { (l.t("help_intro")) }
        form method="get" action="/help" {
            input type="hidden" name="lang" value=(l.code);
            label for="place" { (l.t("help_place_label")) }
            input type="text" id="place" name="place" value=(place) autocomplete="off";
            label for="kind" { (l.t("help_type_label")) }
            select id="kind" name="kind" {
                option value="" { (l.t("help_type_any")) }
                @for (code, key, _) in KINDS { option value=(code) selected[code == kind] { (l.t(key)) } }
            }
            label for="language" { (l.t("help_language_label")) }
            select id="language" name="language" {
                option value="" { (l.t("help_type_any")) }
                @for loc in state.catalog.locales() {
                    option value=(loc.code) selected[loc.code == language] { (loc.name) }
                }
            }
            label for="age" { (l.t("help_age_label")) }
            input type="number" id="age" name="age" min="0" max="120" inputmode="numeric" value=[age];
            label for="gender" { (l.t("help_gender_label")) }
            select id="gender" name="gender" {
                option value="" { (l.t("help_gender_any")) }
                option value="female" selected[gender == Some(Gender::Female)] { (l.t("help_gender_female")) }
                option value="male" selected[gender == Some(Gender::Male)] { (l.t("help_gender_male")) }
            }
            p { button type="submit" { (l.t("help_search")) } }
        }
        @if unknown_place { p.field-error role="status" { (l.t("help_unknown_place")) } }
        @else if searched && hits.is_empty() { p role="status" { (l.t("help_none")) } }
        @for hit in &hits { (service_card(l, &hit.service, hit.distance)) }
    };
    (
        StatusCode::OK,
        Html(public_page(l, l.t("help_title"), "/help", body).into_string()),
    )
        .into_response()
}

fn tel(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

fn service_card(l: &Locale, view: &PublicView, distance: Option<Distance>) -> Markup {
    let kind_key = KINDS
        .iter()
        .find(|(_, _, t)| *t == view.service_type)
        .map(|(_, key, _)| *key);
    let km = match distance {
        Some(Distance::Exact { km }) => Some(format!("{km:.0}")),
        Some(Distance::Band { from_km, to_km }) => Some(format!("{from_km}–{to_km}")),
        None => None,
    };
    html! {
        article.message {
            h2 { (view.name) }
            p.meta {
                (view.organization_name)
                @if let Some(key) = kind_key { " · " (l.t(key)) }
                @if let Some(km) = km { " · " (l.fill("help_distance", &[("km", &km)])) }
            }
            @if let Some(d) = &view.description { p { (d) } }
            @if !view.languages.is_empty() {
                p.meta { @for lang in &view.languages { span.tag { (lang.name.clone().unwrap_or_else(|| lang.code.clone())) } } }
            }
            ul {
                @for p in view.phones.iter().chain(view.organization_phones.iter()).take(3) {
                    li { a.ltr href={ "tel:" (tel(&p.number)) } { (p.number) } }
                }
                @if let Some(e) = view.email.as_ref().or(view.organization_email.as_ref()) {
                    li { a.ltr href={ "mailto:" (e) } { (e) } }
                }
            }
            @for location in &view.locations {
                @match location {
                    PublicLocation::Disclosed { addresses, .. } => {
                        @for a in addresses { p { (a.address_1) ", " (a.city) " " (a.postal_code) ", " (a.country) } }
                    },
                    PublicLocation::Confidential { area, phones } => {
                        p {
                            (l.t("help_confidential")) " "
                            @for p in phones { a.ltr href={ "tel:" (tel(&p.number)) } { (p.number) } " " }
                            @if let Some(city) = &area.city { "(" (city) ")" }
                        }
                    },
                    _ => {}
                }
            }
        }
    }
}
