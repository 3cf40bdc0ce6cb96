//! What every answer says about itself: the browser protections (OWASP's secure headers)
//! and an ETag tied to what the answer was made from, so a reader revalidating a page
//! is answered 304 without the page being made again.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// No script at all, styles only from the site's own stylesheet, no framing: the pages
/// need nothing else, so an injected tag could do nothing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the browser protections to every answer.
pub(super) async fn secure(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// The tag of everything a read's answer depends on beside its URL: the head (seq and
/// hash), today's date (queries without a date answer for today) and the last verify
/// shown. Two answers to one URL with the same tag are the same. Read without the
/// ledger's lock: a write in progress holds up no page that needs no ledger.
fn etag(state: &AppState) -> String {
    let mut h = blake3::Hasher::new();
    if let Some((seq, hash)) = state.head() {
        h.update(&seq.0.to_be_bytes());
        h.update(&hash.0);
    }
    h.update(state.today().to_string().as_bytes());
    if let Some(v) = state.last_verify() {
        h.update(&[u8::from(v.ok)]);
        h.update(&v.count.to_be_bytes());
        h.update(v.verified_at.to_rfc3339().as_bytes());
    }
    format!("\"{}\"", &h.finalize().to_hex()[..32])
}

fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag
    })
}

/// For GET and HEAD: 304 when the reader holds the answer of this tag already; else the
/// answer, tagged and to be revalidated before reuse (`no-cache`), unless its handler
/// said how it may be cached (tiles, checkpoints).
pub(super) async fn revalidate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let tag = etag(&state);
    let value = HeaderValue::from_str(&tag).expect("hex in quotes");
    if matches(req.headers(), &tag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, value), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        )
            .into_response();
    }
    let mut response = next.run(req).await;
    if response.status() == StatusCode::OK && !response.headers().contains_key(header::CACHE_CONTROL) {
        let h = response.headers_mut();
        h.insert(header::ETAG, value);
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
