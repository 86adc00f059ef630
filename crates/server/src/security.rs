//! Headers every response carries, and the only request log we keep.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// No script may run, nothing may load from elsewhere, no page may be framed,
/// and forms post only to us. The tip line works fully without JavaScript,
/// so forbidding it costs nothing and removes a whole class of attacks.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    }
    // Nothing a reporter saw may stay in a shared phone's cache.
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::PRAGMA, "no-cache");
    // Leaving for the quick-exit site must not tell it where the visitor was.
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    response
}

/// Logs method, route pattern, status and duration: never the address, the
/// user agent, the query string or the concrete path (a path can carry a
/// receipt code or a record id).
pub async fn access_log(request: Request<Body>, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_millis();
    // Public requests are logged only when debugging: even without an
    // address, a line per report is a timing record that could be matched
    // against someone's network traffic.
    if route.starts_with("/staff") || status >= 500 {
        tracing::info!(target: "ctip::http", "{method} {route} {status} {millis}ms");
    } else {
        tracing::debug!(target: "ctip::http", "{method} {route} {status} {millis}ms");
    }
    response
}
