//! The API's handlers: each parses what it is given (ids, dates, `known_at`) once, calls
//! the library under the ledger's lock, and answers JSON; errors go through the one map
//! (`http::status`).

use super::routes::*;
use super::writes::body;
use crate::error::Error;
use crate::event::{from_name, DecisionStatus, Outcome};
use crate::export::{csv, popolo};
use crate::http::{ApiError, AppState, PAGE_LEN_MAX};
use crate::ids::{GroupId, Hash, MeetingId, MeetingRef, PersonId, Seq};
use crate::ledger::KnownAt;
use crate::minutes::{self, Format, Lang};
use crate::model::Model;
use crate::query::{self, DecisionFilter};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct AsOf {
    at: Option<String>,
    known_at: Option<String>,
}

fn date(name: &str, s: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    s.as_deref()
        .map(|v| v.parse().map_err(|_| ApiError::bad_request(format!("{name}: {v:?} is not a date (YYYY-MM-DD)"))))
        .transpose()
}

fn at(s: &AppState, asof: &AsOf) -> Result<NaiveDate, ApiError> {
    Ok(date("at", &asof.at)?.unwrap_or_else(|| s.today()))
}

/// Transaction time, parsed once here.
fn known(k: &Option<String>) -> Result<Option<KnownAt>, ApiError> {
    k.as_deref().map(|k| k.parse().map_err(|e| ApiError::bad_request(format!("known_at: {e}")))).transpose()
}

pub(super) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

fn id<T: TryFrom<String, Error = String>>(what: &str, s: String) -> Result<T, ApiError> {
    T::try_from(s).map_err(|e| ApiError::bad_request(format!("{what}: {e}")))
}

fn number(s: &str) -> Result<MeetingRef, ApiError> {
    s.parse().map_err(|e| ApiError::bad_request(format!("{s:?}: {e}")))
}

/// Answers from the state as known at `known_at`, read from a view of its own.
fn answer<T>(
    s: &AppState,
    known_at: &Option<String>,
    f: impl FnOnce(&Model) -> Result<T, Error>,
) -> Result<T, ApiError> {
    let known_at = known(known_at)?;
    let l = s.read()?;
    Ok(f(&l.known_at(known_at)?)?)
}

pub(super) fn ok<T: serde::Serialize>(value: T) -> ApiResult {
    Ok(Json(value).into_response())
}

pub(super) async fn head(State(s): State<AppState>) -> ApiResult {
    let l = s.read()?;
    let (seq, hash) = l.head().unwrap_or((Seq(0), Hash::ZERO));
    ok(HeadView { seq, hash })
}

pub(super) async fn verify(State(s): State<AppState>) -> ApiResult {
    let last = s.last_verify();
    let l = s.read()?;
    let (seq, hash) = l.head().unwrap_or((Seq(0), Hash::ZERO));
    let flags = query::seat_flags(&l.model())?;
    ok(VerifyView {
        ok: last.as_ref().is_some_and(|v| v.ok),
        count: last.as_ref().map_or(0, |v| v.count),
        head: last.as_ref().map_or(Hash::ZERO, |v| v.head),
        last,
        head_now: HeadView { seq, hash },
        flags,
    })
}

#[derive(Debug, Deserialize)]
pub struct GroupsQuery {
    at: Option<String>,
    known_at: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// A page of the groups, `LIST_PAGE_LEN` by default; a full page links the next.
pub(super) async fn groups(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    q: Result<Query<GroupsQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let day = date("at", &q.at)?.unwrap_or_else(|| s.today());
    let (offset, limit) = page("groups", &q.offset, &q.limit)?;
    let (rows, more) = answer(&s, &q.known_at, |h| query::groups_page(h, day, offset, limit))?;
    Ok(with_next(Json(&rows).into_response(), &uri, more.then_some(offset + rows.len())))
}

/// Rows in a page of a list that is paged from the start: `LIST_PAGE_LEN` unless the
/// query asks for fewer or more, never more than `PAGE_LEN_MAX`.
pub const LIST_PAGE_LEN: usize = 100;

/// A list query's `offset` and `limit`, checked.
fn page(what: &str, offset: &Option<String>, limit: &Option<String>) -> Result<(usize, usize), ApiError> {
    let limit = count("limit", limit)?.unwrap_or(LIST_PAGE_LEN);
    if limit == 0 || limit > PAGE_LEN_MAX {
        return Err(ApiError::bad_request(format!("limit: 1 to {PAGE_LEN_MAX} {what} a page")));
    }
    Ok((count("offset", offset)?.unwrap_or(0), limit))
}

pub(super) async fn members(
    State(s): State<AppState>,
    Path(group): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let (q, group) = (query(q)?, id::<GroupId>("group", group)?);
    let day = at(&s, &q)?;
    ok(answer(&s, &q.known_at, |h| query::composition(h, &group, day))?)
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: String,
    at: Option<String>,
    known_at: Option<String>,
}

pub(super) async fn search(State(s): State<AppState>, q: Result<Query<SearchQuery>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let day = date("at", &q.at)?.unwrap_or(s.today());
    ok(answer(&s, &q.known_at, |h| query::search(h, &q.q, day))?)
}

pub(super) async fn affiliations(
    State(s): State<AppState>,
    Path(group): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let (q, group) = (query(q)?, id::<GroupId>("group", group)?);
    let day = at(&s, &q)?;
    ok(answer(&s, &q.known_at, |h| query::affiliation_counts(h, &group, day))?)
}

pub(super) async fn timeline(
    State(s): State<AppState>,
    Path(group): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let (q, group) = (query(q)?, id::<GroupId>("group", group)?);
    ok(answer(&s, &q.known_at, |h| query::timeline(h, &group))?)
}

pub(super) async fn meeting(
    State(s): State<AppState>,
    Path((group, n)): Path<(String, String)>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let (q, group, number) = (query(q)?, id::<GroupId>("group", group)?, number(&n)?);
    let day = at(&s, &q)?;
    ok(answer(&s, &q.known_at, |h| query::meeting_record(h, &group, &number, day))?)
}

#[derive(Debug, Deserialize)]
pub struct MinutesQuery {
    lang: Option<String>,
    format: Option<String>,
    known_at: Option<String>,
}

pub(super) async fn meeting_minutes(
    State(s): State<AppState>,
    Path((group, n)): Path<(String, String)>,
    q: Result<Query<MinutesQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let lang: Lang =
        q.lang.as_deref().unwrap_or("da").parse().map_err(|e| ApiError::bad_request(format!("lang: {e}")))?;
    let format: Format =
        q.format.as_deref().unwrap_or("md").parse().map_err(|e| ApiError::bad_request(format!("format: {e}")))?;
    let group = id::<GroupId>("group", group)?;
    let number = number(&n)?;
    let text = answer(&s, &q.known_at, |h| minutes::render_meeting(h, &group, &number, lang, format))?;
    let mime = if format == Format::Md { "text/markdown; charset=utf-8" } else { "text/html; charset=utf-8" };
    Ok(([(header::CONTENT_TYPE, mime)], text).into_response())
}

pub(super) async fn person(
    State(s): State<AppState>,
    Path(p): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let (q, person) = (query(q)?, id::<PersonId>("person", p)?);
    ok(answer(&s, &q.known_at, |h| query::person_history(h, &person))?)
}

#[derive(Debug, Deserialize)]
pub struct DecisionQuery {
    at: Option<String>,
    known_at: Option<String>,
    group: Option<String>,
    meeting: Option<String>,
    outcome: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    text: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// A value of one of `all`; anything else is refused, naming what is allowed.
fn named<T: serde::de::DeserializeOwned + serde::Serialize>(
    name: &str,
    v: &Option<String>,
    all: &[T],
) -> Result<Option<T>, ApiError> {
    v.as_deref()
        .map(|s| {
            from_name(name, s).map_err(|_| {
                ApiError::bad_request(format!("{name}: {s:?} is not one of {}", crate::event::names_of(all)))
            })
        })
        .transpose()
}

fn count(name: &str, v: &Option<String>) -> Result<Option<usize>, ApiError> {
    v.as_ref()
        .map(|n| n.parse::<usize>().map_err(|_| ApiError::bad_request(format!("{name}: {n:?} is not a count"))))
        .transpose()
}

/// The register's rows the query asks for: of a page (`LIST_PAGE_LEN` by default, at
/// most `PAGE_LEN_MAX`), or all of them; and the limit it applied.
fn register(
    s: &AppState,
    q: &DecisionQuery,
    paged: bool,
) -> Result<(Vec<query::DecisionView>, Option<usize>), ApiError> {
    let limit = match (count("limit", &q.limit)?, paged) {
        (Some(l), true) if l > PAGE_LEN_MAX => {
            return Err(ApiError::bad_request(format!("limit: at most {PAGE_LEN_MAX} decisions a page")));
        }
        (l, true) => Some(l.unwrap_or(LIST_PAGE_LEN)),
        (l, false) => l,
    };
    let filter = DecisionFilter {
        group: q.group.clone().map(|g| id::<GroupId>("group", g)).transpose()?,
        meeting: q.meeting.clone().map(|m| id::<MeetingId>("meeting", m)).transpose()?,
        outcome: named("outcome", &q.outcome, &Outcome::ALL)?,
        status: named("status", &q.status, &DecisionStatus::ALL)?,
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
        text: q.text.clone().filter(|t| !t.trim().is_empty()),
        skip: count("offset", &q.offset)?.unwrap_or(0),
        limit,
    };
    let day = date("at", &q.at)?.unwrap_or_else(|| s.today());
    Ok((answer(s, &q.known_at, |h| query::decisions(h, &filter, day))?, limit))
}

/// A page of the register, `LIST_PAGE_LEN` rows by default and `PAGE_LEN_MAX` at most;
/// a full page links the next (RFC 8288 `Link: <...>; rel="next"`), so the answer stays
/// a list of decisions.
pub(super) async fn decisions(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    q: Result<Query<DecisionQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let (rows, limit) = register(&s, &q, true)?;
    let offset = count("offset", &q.offset)?.unwrap_or(0);
    let more = limit.is_some_and(|limit| rows.len() == limit && limit > 0);
    Ok(with_next(Json(&rows).into_response(), &uri, more.then_some(offset + rows.len())))
}

/// Links a full page to the next (RFC 8288 `Link: <...>; rel="next"`): the same query
/// with `offset` moved on. The answer stays a list.
fn with_next(
    mut response: axum::response::Response,
    uri: &axum::http::Uri,
    next: Option<usize>,
) -> axum::response::Response {
    let Some(offset) = next else { return response };
    let kept: Vec<&str> =
        uri.query().unwrap_or("").split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("offset=")).collect();
    let next = format!(
        "<{}?{}offset={offset}>; rel=\"next\"",
        uri.path(),
        kept.iter().map(|kv| format!("{kv}&")).collect::<String>()
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&next) {
        response.headers_mut().insert(header::LINK, v);
    }
    response
}

pub(super) async fn decisions_csv(
    State(s): State<AppState>,
    q: Result<Query<DecisionQuery>, QueryRejection>,
) -> ApiResult {
    // The whole register (or the page asked for): a download, not a page.
    let (rows, _) = register(&s, &query(q)?, false)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv::decisions(&rows)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ActionsQuery {
    at: Option<String>,
    known_at: Option<String>,
    open: Option<bool>,
    limit: Option<String>,
    offset: Option<String>,
}

/// A page of the actions in id order, `LIST_PAGE_LEN` by default; a full page links the
/// next.
pub(super) async fn actions(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    q: Result<Query<ActionsQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let day = date("at", &q.at)?.unwrap_or_else(|| s.today());
    let (offset, limit) = page("actions", &q.offset, &q.limit)?;
    let open = q.open == Some(true);
    let (rows, more) = answer(&s, &q.known_at, |h| query::actions_page(h, day, open, offset, limit))?;
    Ok(with_next(Json(&rows).into_response(), &uri, more.then_some(offset + rows.len())))
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

pub(super) async fn events(State(s): State<AppState>, q: Result<Query<EventsQuery>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > PAGE_LEN_MAX {
        return Err(ApiError::bad_request(format!("limit: 1 to {PAGE_LEN_MAX}")));
    }
    let l = s.read()?;
    let records = l.records_after(Seq(q.after.unwrap_or(0)), limit)?;
    let mut lines = Vec::with_capacity(records.len());
    for r in &records {
        let line =
            r.to_export_line().map_err(|problem| Error::Verify(crate::envelope::Fault { seq: r.seq(), problem }))?;
        lines.push(serde_json::from_str::<Value>(&line).expect("export lines are JSON"));
    }
    let (seq, hash) = l.head().unwrap_or((Seq(0), Hash::ZERO));
    let next_after = records.last().map(|r| r.seq()).filter(|last| *last < seq);
    ok(EventsPage { events: lines, next_after, head: HeadView { seq, hash } })
}

pub(super) async fn verify_minutes(State(s): State<AppState>, b: Result<Bytes, BytesRejection>) -> ApiResult {
    let bytes = body(b)?;
    let l = s.read()?;
    let found = minutes::find_approved(&l.model(), &bytes)?;
    ok(MinutesCheck { document_hash: crate::hash::document_hash(&bytes), approved: found })
}

pub(super) async fn popolo(State(s): State<AppState>) -> ApiResult {
    ok(popolo::document(&s.read()?.model()).map_err(Error::from)?)
}

pub(super) async fn openapi() -> ApiResult {
    ok(super::openapi::document())
}
