//! The public transparency site: server-rendered HTML that works without JavaScript,
//! Danish by default and English with `?lang=en`. Pages are maud templates, which escape
//! every text they are given: no page is put together from strings. (The minutes shown on
//! a meeting's page are the minutes writer's own HTML, whose bytes are what an approved
//! document is checked against.)

mod about;
mod check;
mod directory;
mod feeds;
mod home;
mod pages;
mod registers;
mod timeline;

pub use directory::{MEETINGS_PAGE_LEN, ORGANISATIONS_PAGE_LEN, PEOPLE_PAGE_LEN};
pub use feeds::{CALENDAR_DAYS_BACK, CALENDAR_MEETINGS_MAX, FEED_DECISIONS_MAX};
pub use home::HOME_ROWS;
pub use registers::{ACTIONS_PAGE_LEN, DECISIONS_PAGE_LEN};

use crate::http::{AppState, PAGE_LEN_MAX};
use crate::minutes::Lang;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/style.css", get(stylesheet))
        .route("/groups/{group}", get(pages::group))
        .route("/meetings/{group}/{number}", get(pages::meeting))
        .route("/decisions", get(registers::decisions))
        .route("/people/{person}", get(pages::person))
        .route("/audit", get(registers::audit))
        .route("/check", get(check::check_form).post(check::check_upload))
        .route("/search", get(registers::search))
        .route("/actions", get(registers::actions))
        .route("/about", get(about::about))
        .route("/meetings", get(directory::meetings))
        .route("/meetings.ics", get(feeds::calendar))
        .route("/decisions.atom", get(feeds::decisions))
        .route("/people", get(directory::people))
        .route("/organisations", get(directory::organisations))
        // An approved document, the same download as the API's.
        .route("/documents/{hash}", get(document))
}

async fn document(
    s: axum::extract::State<AppState>,
    h: axum::extract::Path<String>,
    SiteQuery(p): SiteQuery,
) -> Response {
    match crate::http::api::document(s, h).await {
        Ok(r) => r,
        Err(e) => error(p.lang(), e.status, &e.message),
    }
}

/// A page's parameters; ones that do not parse are an error page in the page's own
/// language, as every error on the site is (the API's are JSON).
pub(super) struct SiteQuery(pub Params);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SiteQuery {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Query::<Params>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(p)) => Ok(SiteQuery(p)),
            Err(e) => Err(error(lang_of(parts.uri.query()), StatusCode::BAD_REQUEST, &e.body_text())),
        }
    }
}

/// The language a query asks for, read without parsing the rest of it.
fn lang_of(query: Option<&str>) -> Lang {
    if query.is_some_and(|q| q.split('&').any(|kv| kv == "lang=en")) {
        Lang::En
    } else {
        Lang::Da
    }
}

/// The answer to a path nothing serves: a page, in the language the query asks for.
pub fn not_found(uri: &axum::http::Uri) -> Response {
    let lang = lang_of(uri.query());
    error(lang, StatusCode::NOT_FOUND, t(lang, "Siden findes ikke.", "There is no such page."))
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub(super) lang: Option<String>,
    pub(super) at: Option<String>,
    pub(super) group: Option<String>,
    pub(super) outcome: Option<String>,
    pub(super) status: Option<String>,
    pub(super) after: Option<u64>,
    pub(super) q: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) page: Option<String>,
    pub(super) state: Option<String>,
}

impl Params {
    pub(super) fn lang(&self) -> Lang {
        if self.lang.as_deref() == Some("en") {
            Lang::En
        } else {
            Lang::Da
        }
    }

    /// Appended to links so the language sticks.
    pub(super) fn keep(&self) -> &'static str {
        if self.lang() == Lang::En {
            "lang=en"
        } else {
            "lang=da"
        }
    }
}

/// The page's date: `?at=`, or today; the error says what is allowed.
pub(super) fn page_day(lang: Lang, p: &Params, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, &'static str> {
    match p.at.as_deref().filter(|a| !a.is_empty()).map(str::parse::<chrono::NaiveDate>) {
        None => Ok(today),
        Some(Ok(d)) => Ok(d),
        Some(Err(_)) => Err(t(lang, "at: en dato (ÅÅÅÅ-MM-DD)", "at: a date (YYYY-MM-DD)")),
    }
}

pub(super) fn t(lang: Lang, da: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Da {
        da
    } else {
        en
    }
}

/// The language's code, for `lang=` in links and the page's `lang` attribute.
pub(super) fn code(lang: Lang) -> &'static str {
    if lang == Lang::Da {
        "da"
    } else {
        "en"
    }
}

/// The site's sections, in the order the navigation shows them.
const NAV: &[(&str, &str, &str)] = &[
    ("/", "protokol", "protokol"),
    ("/meetings", "Møder", "Meetings"),
    ("/decisions", "Beslutninger", "Decisions"),
    ("/actions", "Opgaver", "Actions"),
    ("/people", "Personer", "People"),
    ("/audit", "Revision", "Audit"),
    ("/check", "Tjek et dokument", "Check a document"),
    ("/search", "Søg", "Search"),
    ("/about", "Om", "About"),
];

pub(super) fn page(lang: Lang, title: &str, body: Markup) -> Response {
    let other = if lang == Lang::Da { "en" } else { "da" };
    let markup = html! {
        (PreEscaped("<!doctype html>\n"))
        html lang=(code(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – protokol" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                nav {
                    @for (i, (path, da, en)) in NAV.iter().enumerate() {
                        @if i > 0 { " · " }
                        a href={ (path) "?lang=" (code(lang)) } { (t(lang, da, en)) }
                    }
                    " · "
                    a href={ "?lang=" (other) } { (t(lang, "English", "Dansk")) }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// The stylesheet, a file of its own: the policy allows no inline style.
async fn stylesheet() -> impl axum::response::IntoResponse {
    use axum::http::header;
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}

pub(super) const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1b}nav{margin-bottom:1rem}nav a{margin-right:.25rem}table{border-collapse:collapse;margin:.5rem 0;display:block;max-width:100%;overflow-x:auto}svg{max-width:100%;height:auto}input,select{max-width:100%}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}.badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.85em;background:#e8e8e8}.badge.approved,.badge.implemented,.badge.conditions_met{background:#d4f4d4}.badge.approved_with_reservations,.badge.in_progress{background:#fff0c2}.badge.rejected,.badge.revoked,.badge.overdue{background:#f8d0d0}code{font-size:.85em;word-break:break-all}.err{color:#a00}.filters label{display:inline-block;margin:.2rem .6rem .2rem 0}.pager{margin:1rem 0}";

pub(super) fn error(lang: Lang, status: StatusCode, message: &str) -> Response {
    let mut r = page(lang, t(lang, "Fejl", "Error"), html! { p class="err" { (message) } });
    *r.status_mut() = status;
    r
}

pub(super) fn from_error(lang: Lang, e: crate::Error) -> Response {
    error(lang, crate::http::status(&e).0, &e.to_string())
}

/// A table's first row: its headings.
pub(super) fn header_row(headings: &[&str]) -> Markup {
    html! { tr { @for h in headings { th { (h) } } } }
}

/// A code shown as its word, styled by the code.
pub(super) fn badge(code: &str, word: &str) -> Markup {
    html! { span class={ "badge " (code) } { (word) } }
}
