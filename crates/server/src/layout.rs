//! The page shell: language, direction, quick exit, stylesheet.

use axum::http::header;
use axum::response::IntoResponse;
use ctip_tipline::Locale;
use maud::{DOCTYPE, Markup, html};

use crate::session::Session;

const STYLESHEET: &str = include_str!("../static/site.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
}

/// A public tip-line page. `path` is the page's own address, for the language
/// links (GET pages only; form results link to the start page instead).
pub fn public_page(locale: &Locale, title: &str, path: &str, body: Markup) -> Markup {
    let catalog = ctip_tipline::Catalog::get();
    html! {
        (DOCTYPE)
        html lang=(locale.code) dir=(locale.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                link rel="stylesheet" href="/site.css";
            }
            body {
                header.topbar {
                    a.brand href={ "/?lang=" (locale.code) } { (locale.t("site_title")) }
                    a.exit href="/exit" rel="noreferrer" title=(locale.t("quick_exit_hint")) accesskey="x" {
                        (locale.t("quick_exit"))
                    }
                }
                main {
                    nav.langs aria-label=(locale.t("language")) {
                        @for l in catalog.locales() {
                            @if l.code == locale.code {
                                a aria-current="page" lang=(l.code) href={ (path) "?lang=" (l.code) } { (l.name) }
                            } @else {
                                a lang=(l.code) hreflang=(l.code) href={ (path) "?lang=" (l.code) } { (l.name) }
                            }
                        }
                    }
                    (body)
                }
                footer {
                    p { (locale.t("home_safety")) }
                }
            }
        }
    }
}

/// A staff page: English, with the navigation and a sign-out form.
pub fn staff_page(session: &Session, title: &str, body: Markup) -> Markup {
    let org = &session.org_name;
    html! {
        (DOCTYPE)
        html lang="en" dir="ltr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (title) " · ctip staff" }
                link rel="stylesheet" href="/site.css";
            }
            body {
                header.topbar {
                    nav.staff aria-label="Staff" {
                        a.brand href="/staff" { "ctip" }
                        @if !org.is_empty() { span { (org) } }
                        @if crate::staff::reads_tips(session) {
                            a href="/staff" { "Tip inbox" }
                        }
                        @if crate::cases::works_cases(session) {
                            a href="/staff/cases" { "Cases" }
                        }
                        @if session.role == ctip_tipline::Role::Supervisor {
                            a href="/staff/exchange/psi" { "Shared identifiers (PSI)" }
                        }
                        @if crate::staff::searches_intelligence(session) {
                            a href="/staff/search" { "Search identifiers" }
                        }
                        @if crate::staff::reads_audit(session) {
                            a href="/staff/audit" { "Audit log" }
                        }
                        span { (session.name) " (" (session.role.as_str()) ")" }
                        form method="post" action="/staff/logout" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main.wide { (body) }
            }
        }
    }
}

/// A bare staff page for signing in.
pub fn plain_staff_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" dir="ltr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                link rel="stylesheet" href="/site.css";
            }
            body { main { (body) } }
        }
    }
}

/// Text with line breaks kept, escaped.
pub fn multiline(text: &str) -> Markup {
    html! { div.pre { (text) } }
}
