//! The JSON API under `/api`: the same queries as the CLI with the same `at` and
//! `known_at`, the event feed for auditors and replicas, and authenticated writes.
//! Routes are declared once in [`ROUTES`]; the router and the OpenAPI document are both
//! built from it, so neither can list a route the other lacks.

use crate::error::Error;
use crate::event::{DecisionStatus, Outcome};
use crate::ids::{GroupId, Hash, MeetingId, PersonId, Seq};
use crate::import;
use crate::input::parse_events;
use crate::ledger::Expect;
use crate::minutes::{self, Format, Lang};
use crate::query::{self, ActionState, DecisionFilter};
use crate::record_file;
use crate::server::{ApiError, AppState, PAGE_LEN_MAX};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

type ApiResult = Result<Response, ApiError>;

/// Adds `T`'s schema to the generator and returns a reference to it.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HeadView {
    pub seq: Seq,
    pub hash: Hash,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerifyView {
    pub ok: bool,
    pub count: u64,
    pub head: Hash,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventsPage {
    /// Canonical envelopes, as in the JSON Lines export (docs/FORMAT.md).
    pub events: Vec<Value>,
    /// The `after` for the next page; null on the last page.
    pub next_after: Option<Seq>,
    pub head: HeadView,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Appended {
    pub appended: usize,
    pub first: Seq,
    pub last: Seq,
    pub head: HeadView,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Imported {
    pub file: String,
    /// Events appended; 0 when the same content was imported before.
    pub appended: usize,
    pub first: Option<u64>,
    pub last: Option<u64>,
    pub already_imported_at: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MinutesCheck {
    pub document_hash: Hash,
    /// Every approval of minutes this document is; empty if none.
    pub approved: Vec<minutes::Approved>,
}

/// One documented route: what the OpenAPI document says about it.
pub struct RouteDoc {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Query parameters, each `name: description`.
    pub query: &'static [(&'static str, &'static str)],
    /// The request body's media type, for writes.
    pub body: Option<&'static str>,
    /// Response statuses besides 200 or 201, with their meaning.
    pub errors: &'static [(u16, &'static str)],
    /// The success response's media type and schema.
    pub response: (&'static str, SchemaFn),
}

const JSON: &str = "application/json";

const ASOF: &[(&str, &str)] = &[
    ("at", "valid time: the world on this date (YYYY-MM-DD); default today"),
    ("known_at", "transaction time: what the ledger held after this seq, or at this RFC 3339 instant"),
];

const FILTERS: &[(&str, &str)] = &[
    ("at", "valid time (YYYY-MM-DD); default today"),
    ("known_at", "transaction time: a seq or an RFC 3339 instant"),
    ("group", "only this group's decisions"),
    ("meeting", "only this meeting's decisions"),
    ("outcome", "noted, approved, approved_with_reservations, decided, discussed, rejected, postponed"),
    ("status", "recorded, conditions_met, in_progress, implemented, superseded, revoked"),
    ("from", "decided on or after (YYYY-MM-DD)"),
    ("to", "decided on or before (YYYY-MM-DD)"),
    ("limit", "at most this many decisions, the earliest first (a page of the register)"),
];

const BAD: (u16, &str) = (400, "bad parameters");
const MISSING: (u16, &str) = (404, "no such group, person or meeting");
const WRITE: &[(u16, &str)] = &[
    (400, "unreadable body"),
    (401, "no or unknown token"),
    (403, "the server is read-only"),
    (409, "the log moved on past the expected head"),
    (413, "body too large"),
    (422, "an event breaks a rule"),
];

/// Every API route, in the order the OpenAPI document lists them.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: "/api/head",
        summary: "The ledger's head: seq and hash",
        query: &[],
        body: None,
        errors: &[],
        response: (JSON, schema::<HeadView>),
    },
    RouteDoc {
        method: "get",
        path: "/api/verify",
        summary: "Verify the whole chain",
        query: &[],
        body: None,
        errors: &[(500, "verification failed")],
        response: (JSON, schema::<VerifyView>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups",
        summary: "The groups and their size",
        query: ASOF,
        body: None,
        errors: &[BAD],
        response: (JSON, schema::<Vec<query::GroupRow>>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups/{group}/members",
        summary: "A group's composition",
        query: ASOF,
        body: None,
        errors: &[BAD, MISSING],
        response: (JSON, schema::<query::Composition>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups/{group}/timeline",
        summary: "Every membership interval of a group",
        query: ASOF,
        body: None,
        errors: &[BAD, MISSING],
        response: (JSON, schema::<query::Timeline>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups/{group}/meetings/{number}",
        summary: "A meeting's full record",
        query: ASOF,
        body: None,
        errors: &[BAD, MISSING],
        response: (JSON, schema::<query::MeetingRecord>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups/{group}/meetings/{number}/minutes",
        summary: "A meeting's minutes rendered from the ledger",
        query: &[
            ("lang", "da (default) or en"),
            ("format", "md (default) or html"),
            ("known_at", "a seq or an RFC 3339 instant"),
        ],
        body: None,
        errors: &[BAD, MISSING],
        response: ("text/markdown", schema::<String>),
    },
    RouteDoc {
        method: "get",
        path: "/api/people/{person}",
        summary: "A person's memberships, nominations and attendance",
        query: ASOF,
        body: None,
        errors: &[BAD, MISSING],
        response: (JSON, schema::<query::PersonHistory>),
    },
    RouteDoc {
        method: "get",
        path: "/api/decisions",
        summary: "The decision register",
        query: FILTERS,
        body: None,
        errors: &[BAD],
        response: (JSON, schema::<Vec<query::DecisionView>>),
    },
    RouteDoc {
        method: "get",
        path: "/api/decisions.csv",
        summary: "The decision register as CSV",
        query: FILTERS,
        body: None,
        errors: &[BAD],
        response: ("text/csv", schema::<String>),
    },
    RouteDoc {
        method: "get",
        path: "/api/actions",
        summary: "Actions: open, overdue and done",
        query: &[
            ("at", "valid time (YYYY-MM-DD)"),
            ("known_at", "a seq or an RFC 3339 instant"),
            ("open", "true: only open and overdue"),
        ],
        body: None,
        errors: &[BAD],
        response: (JSON, schema::<Vec<query::ActionView>>),
    },
    RouteDoc {
        method: "get",
        path: "/api/events",
        summary: "The event feed: canonical envelopes with hashes, paged",
        query: &[("after", "events after this seq (default 0)"), ("limit", "page size, at most 1000 (default 100)")],
        body: None,
        errors: &[BAD],
        response: (JSON, schema::<EventsPage>),
    },
    RouteDoc {
        method: "post",
        path: "/api/events",
        summary: "Append a batch: {expect_seq?, expect_hash?, events: [{effective, kind, body}]}",
        query: &[],
        body: Some("application/json"),
        errors: WRITE,
        response: (JSON, schema::<Appended>),
    },
    RouteDoc {
        method: "post",
        path: "/api/import",
        summary: "Import a meeting or register file (TOML)",
        query: &[("name", "the file's name, e.g. 2026-04-29-styregruppen-5.toml")],
        body: Some("application/toml"),
        errors: WRITE,
        response: (JSON, schema::<Imported>),
    },
    RouteDoc {
        method: "post",
        path: "/api/verify-minutes",
        summary: "Which approved minutes is this document (any bytes)?",
        query: &[],
        body: Some("application/octet-stream"),
        errors: &[(413, "body too large")],
        response: (JSON, schema::<MinutesCheck>),
    },
    RouteDoc {
        method: "get",
        path: "/api/export/popolo.json",
        summary: "Groups, people, organisations and memberships as Popolo",
        query: &[],
        body: None,
        errors: &[],
        response: (JSON, schema::<Value>),
    },
    RouteDoc {
        method: "get",
        path: "/api/openapi.json",
        summary: "This document",
        query: &[],
        body: None,
        errors: &[],
        response: (JSON, schema::<Value>),
    },
];

fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    match (method, path) {
        ("get", "/api/head") => get(head),
        ("get", "/api/verify") => get(verify),
        ("get", "/api/groups") => get(groups),
        ("get", "/api/groups/{group}/members") => get(members),
        ("get", "/api/groups/{group}/timeline") => get(timeline),
        ("get", "/api/groups/{group}/meetings/{number}") => get(meeting),
        ("get", "/api/groups/{group}/meetings/{number}/minutes") => get(meeting_minutes),
        ("get", "/api/people/{person}") => get(person),
        ("get", "/api/decisions") => get(decisions),
        ("get", "/api/decisions.csv") => get(decisions_csv),
        ("get", "/api/actions") => get(actions),
        ("get", "/api/events") => get(events),
        ("post", "/api/events") => post(post_events),
        ("post", "/api/import") => post(post_import),
        ("post", "/api/verify-minutes") => post(verify_minutes),
        ("get", "/api/export/popolo.json") => get(popolo),
        ("get", "/api/openapi.json") => get(openapi),
        _ => unreachable!("every route in ROUTES has a handler: {method} {path}"),
    }
}

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
    paths.dedup();
    for path in paths {
        let mut methods: Option<MethodRouter<AppState>> = None;
        for r in ROUTES.iter().filter(|r| r.path == path) {
            let h = handler(r.method, r.path);
            methods = Some(match methods {
                None => h,
                Some(m) => m.merge(h),
            });
        }
        router = router.route(path, methods.expect("at least one method"));
    }
    router.fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
}

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

fn at(asof: &AsOf) -> Result<NaiveDate, ApiError> {
    Ok(date("at", &asof.at)?.unwrap_or_else(|| Utc::now().date_naive()))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

fn id<T: TryFrom<String, Error = String>>(what: &str, s: String) -> Result<T, ApiError> {
    T::try_from(s).map_err(|e| ApiError::bad_request(format!("{what}: {e}")))
}

fn number(s: &str) -> Result<u32, ApiError> {
    s.parse().map_err(|_| ApiError::bad_request(format!("{s:?} is not a meeting number")))
}

fn ok<T: serde::Serialize>(value: T) -> ApiResult {
    Ok(Json(value).into_response())
}

async fn head(State(s): State<AppState>) -> ApiResult {
    let l = s.read();
    let (seq, hash) = l.head().unwrap_or((Seq(0), Hash::ZERO));
    ok(HeadView { seq, hash })
}

async fn verify(State(s): State<AppState>) -> ApiResult {
    let v = s.read().verify()?;
    ok(VerifyView { ok: true, count: v.count, head: v.head })
}

async fn groups(State(s): State<AppState>, q: Result<Query<AsOf>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    ok(query::groups(&h, at(&q)?)?)
}

async fn members(
    State(s): State<AppState>,
    Path(group): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    ok(query::composition(&h, &id::<GroupId>("group", group)?, at(&q)?)?)
}

async fn timeline(
    State(s): State<AppState>,
    Path(group): Path<String>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    ok(query::timeline(&h, &id::<GroupId>("group", group)?)?)
}

async fn meeting(
    State(s): State<AppState>,
    Path((group, n)): Path<(String, String)>,
    q: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    ok(query::meeting_record(&h, &id::<GroupId>("group", group)?, number(&n)?, at(&q)?)?)
}

#[derive(Debug, Deserialize)]
pub struct MinutesQuery {
    lang: Option<String>,
    format: Option<String>,
    known_at: Option<String>,
}

async fn meeting_minutes(
    State(s): State<AppState>,
    Path((group, n)): Path<(String, String)>,
    q: Result<Query<MinutesQuery>, QueryRejection>,
) -> ApiResult {
    let q = query(q)?;
    let lang = match q.lang.as_deref() {
        None | Some("da") => Lang::Da,
        Some("en") => Lang::En,
        Some(x) => return Err(ApiError::bad_request(format!("lang: {x:?} is not da or en"))),
    };
    let format = match q.format.as_deref() {
        None | Some("md") => Format::Md,
        Some("html") => Format::Html,
        Some(x) => return Err(ApiError::bad_request(format!("format: {x:?} is not md or html"))),
    };
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    let text = minutes::render_meeting(&h, &group, number(&n)?, lang, format)?;
    let mime = if format == Format::Md { "text/markdown; charset=utf-8" } else { "text/html; charset=utf-8" };
    Ok(([(header::CONTENT_TYPE, mime)], text).into_response())
}

async fn person(State(s): State<AppState>, Path(p): Path<String>, q: Result<Query<AsOf>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    ok(query::person_history(&h, &id::<PersonId>("person", p)?)?)
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
    limit: Option<String>,
}

fn snake<T: serde::de::DeserializeOwned>(name: &str, v: &Option<String>) -> Result<Option<T>, ApiError> {
    v.as_ref()
        .map(|s| {
            serde_json::from_value(Value::String(s.clone())).map_err(|e| ApiError::bad_request(format!("{name}: {e}")))
        })
        .transpose()
}

fn register(s: &AppState, q: &DecisionQuery) -> Result<Vec<query::DecisionView>, ApiError> {
    let filter = DecisionFilter {
        group: q.group.clone().map(|g| id::<GroupId>("group", g)).transpose()?,
        meeting: q.meeting.clone().map(|m| id::<MeetingId>("meeting", m)).transpose()?,
        outcome: snake::<Outcome>("outcome", &q.outcome)?,
        status: snake::<DecisionStatus>("status", &q.status)?,
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
        limit: q
            .limit
            .as_ref()
            .map(|n| n.parse::<usize>().map_err(|_| ApiError::bad_request(format!("limit: {n:?} is not a count"))))
            .transpose()?,
    };
    let day = date("at", &q.at)?.unwrap_or_else(|| Utc::now().date_naive());
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    Ok(query::decisions(&h, &filter, day)?)
}

async fn decisions(State(s): State<AppState>, q: Result<Query<DecisionQuery>, QueryRejection>) -> ApiResult {
    ok(register(&s, &query(q)?)?)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The register for spreadsheets: one row a decision, conditions joined by " | ".
pub fn decisions_as_csv(rows: &[query::DecisionView]) -> String {
    let mut out = String::from(
        "id,group,meeting,meeting_number,date,item,item_title,outcome,status,text,conditions,takes_effect,deferred\r\n",
    );
    for d in rows {
        let cells = [
            d.id.to_string(),
            d.group.to_string(),
            d.meeting.to_string(),
            d.meeting_number.map(|n| n.to_string()).unwrap_or_default(),
            d.date.to_string(),
            d.item.to_string(),
            d.item_title.clone(),
            crate::render::outcome(d.outcome),
            crate::render::status(d.status),
            d.text.clone(),
            d.conditions.join(" | "),
            d.takes_effect.map(|t| t.to_string()).unwrap_or_default(),
            d.deferred.clone().unwrap_or_default(),
        ];
        out += &cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
        out += "\r\n";
    }
    out
}

async fn decisions_csv(State(s): State<AppState>, q: Result<Query<DecisionQuery>, QueryRejection>) -> ApiResult {
    let rows = register(&s, &query(q)?)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], decisions_as_csv(&rows)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ActionsQuery {
    at: Option<String>,
    known_at: Option<String>,
    open: Option<bool>,
}

async fn actions(State(s): State<AppState>, q: Result<Query<ActionsQuery>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let day = date("at", &q.at)?.unwrap_or_else(|| Utc::now().date_naive());
    let l = s.read();
    let h = l.known_at(q.known_at.as_deref())?;
    let mut rows = query::actions(&h, day)?;
    if q.open == Some(true) {
        rows.retain(|a| a.state != ActionState::Done);
    }
    ok(rows)
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

async fn events(State(s): State<AppState>, q: Result<Query<EventsQuery>, QueryRejection>) -> ApiResult {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > PAGE_LEN_MAX {
        return Err(ApiError::bad_request(format!("limit: 1 to {PAGE_LEN_MAX}")));
    }
    let l = s.read();
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

fn body(b: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    b.map_err(|e| {
        let status = e.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
        ApiError::new(status, code, e.body_text())
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    expect_seq: Option<u64>,
    expect_hash: Option<String>,
    events: Value,
}

/// Reads a `POST /api/events` body: `{expect_seq?, expect_hash?, events: [...]}`.
pub fn parse_batch(bytes: &[u8]) -> Result<(Option<Expect>, Vec<crate::input::NewEvent>), ApiError> {
    let batch: Batch = serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("request: {e}")))?;
    let expect = match (batch.expect_seq, &batch.expect_hash) {
        (Some(seq), _) => Some(Expect::Seq(Seq(seq))),
        (None, Some(h)) => {
            Some(Expect::Hash(Hash::from_hex(h).map_err(|e| ApiError::bad_request(format!("expect_hash: {e}")))?))
        }
        (None, None) => None,
    };
    Ok((expect, parse_events("request", &batch.events.to_string())?))
}

async fn post_events(State(s): State<AppState>, headers: HeaderMap, b: Result<Bytes, BytesRejection>) -> ApiResult {
    let by = s.writer(&headers)?;
    let (expect, events) = parse_batch(&body(b)?)?;
    let records = s.write().append("request", events, expect, &by, Utc::now())?;
    let last = records.last().expect("a batch is never empty");
    let out = Appended {
        appended: records.len(),
        first: records[0].seq(),
        last: last.seq(),
        head: HeadView { seq: last.seq(), hash: last.hash },
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    name: String,
}

async fn post_import(
    State(s): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<ImportQuery>, QueryRejection>,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let by = s.writer(&headers)?;
    let q = query(q)?;
    let bytes = body(b)?;
    let text =
        String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::bad_request(format!("{}: not UTF-8", q.name)))?;
    let file = record_file::parse(&q.name, &text)?;
    let mut l = s.write();
    match import::import_file(&mut l, &file, &by, Utc::now())? {
        import::Outcome::Appended { file, events, first, last } => {
            Ok((StatusCode::CREATED, Json(json!({"file": file, "appended": events, "first": first, "last": last})))
                .into_response())
        }
        import::Outcome::AlreadyImported { file, seq } => {
            ok(json!({"file": file, "appended": 0, "already_imported_at": seq}))
        }
    }
}

async fn verify_minutes(State(s): State<AppState>, b: Result<Bytes, BytesRejection>) -> ApiResult {
    let bytes = body(b)?;
    let l = s.read();
    let found = minutes::find_approved(&l.model(), &bytes)?;
    ok(MinutesCheck { document_hash: crate::hash::document_hash(&bytes), approved: found })
}

/// Popolo (popoloproject.com) JSON: people, organisations (groups and the organisations
/// they seat), and memberships with inclusive `end_date`s.
pub fn popolo_document(m: &crate::state::Model) -> Value {
    let persons: Vec<Value> = m
        .people()
        .iter()
        .map(|(id, p)| {
            let mut v = json!({"id": id, "name": p.name});
            if let Some(t) = &p.title {
                v["honorific_prefix"] = json!(t);
            }
            v
        })
        .collect();
    let mut organizations: Vec<Value> = m
        .organisations()
        .iter()
        .map(|(id, o)| json!({"id": id, "name": o.name, "other_names": o.short_name.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}))
        .collect();
    organizations.extend(m.groups().iter().map(|(id, g)| {
        json!({
            "id": id,
            "name": g.name,
            "classification": g.group_kind,
            "parent_id": g.parent,
            "founding_date": g.established,
            "dissolution_date": g.dissolved.and_then(|d| d.pred_opt()),
        })
    }));
    let memberships: Vec<Value> = m
        .memberships()
        .iter()
        .map(|x| {
            json!({
                "person_id": x.person,
                "organization_id": x.group,
                "role": x.role,
                "on_behalf_of_id": x.on_behalf_of,
                "start_date": x.start,
                "end_date": x.end.and_then(|d| d.pred_opt()),
            })
        })
        .collect();
    json!({"persons": persons, "organizations": organizations, "memberships": memberships})
}

async fn popolo(State(s): State<AppState>) -> ApiResult {
    ok(popolo_document(&s.read().model()))
}

/// The OpenAPI 3.1 document, built from [`ROUTES`].
pub fn openapi_document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into());
    let mut generator = settings.into_generator();
    let mut paths = serde_json::Map::new();
    for r in ROUTES {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(r.query.iter().map(|(name, description)| {
            json!({"name": name, "in": "query", "required": *name == "name", "description": description, "schema": {"type": "string"}})
        }));
        let ok_status = if r.method == "post" && r.path != "/api/verify-minutes" { "201" } else { "200" };
        let mut responses = serde_json::Map::new();
        let (media, response) = r.response;
        let body_schema = response(&mut generator);
        responses
            .insert(ok_status.into(), json!({"description": "success", "content": {media: {"schema": body_schema}}}));
        for (status, what) in r.errors {
            responses.insert(
                status.to_string(),
                json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        let mut op = json!({"summary": r.summary, "parameters": params, "responses": responses});
        if let Some(mime) = r.body {
            op["requestBody"] = json!({"required": true, "content": {mime: {}}});
            op["security"] = if r.path == "/api/verify-minutes" { json!([]) } else { json!([{"bearer": []}]) };
        }
        paths.entry(r.path).or_insert_with(|| json!({}))[r.method] = op;
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {"title": "protokol", "version": env!("CARGO_PKG_VERSION"), "description": "A committee's record as a tamper-evident decision ledger"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        }
    })
}

async fn openapi() -> ApiResult {
    ok(openapi_document())
}
