//! Every API route, declared once in [`ROUTES`]: the router and the OpenAPI document are
//! both built from it, so neither can list a route the other lacks. Over 400 lines: it
//! is that one list, with each route's documentation.

use super::handlers::*;
use super::writes::*;
use crate::http::{ApiError, AppState};
use crate::ids::{Hash, Seq};
use crate::minutes;
use crate::query;
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::Value;

pub(super) type ApiResult = Result<Response, ApiError>;

/// Adds `T`'s schema to the generator and returns a reference to it.
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

fn text(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string"})
}

fn binary(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string", "contentMediaType": "application/octet-stream"})
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HeadView {
    pub seq: Seq,
    pub hash: Hash,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerifyView {
    /// Of the last verify the server ran (at start, then in the background when the
    /// head has moved; none on a request): whether it passed, the events it verified
    /// and the head hash they end in. `false` and 0 until one has run.
    pub ok: bool,
    pub count: u64,
    pub head: Hash,
    /// That verify, whole: when it ran, and what failed, if anything did.
    pub last: Option<crate::http::LastVerify>,
    /// The head now, which may be past the one verified.
    pub head_now: HeadView,
    /// What the record holds that was accepted but should be looked at: seats over
    /// capacity, a constituency beyond its share.
    pub flags: Vec<query::SeatFlag>,
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

impl Appended {
    /// What an append wrote: a batch is never empty.
    pub fn of(records: &[crate::envelope::Record]) -> Appended {
        let (first, last) = (records.first().expect("a batch is never empty"), records.last().expect("not empty"));
        Appended {
            appended: records.len(),
            first: first.seq(),
            last: last.seq(),
            head: HeadView { seq: last.seq(), hash: last.hash },
        }
    }
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
    /// The request body's media type and schema, for writes.
    pub body: Option<(&'static str, SchemaFn)>,
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

const SEARCH: &[(&str, &str)] = &[
    ("q", "the words to find (1 to 10; every one must be found)"),
    ("at", "valid time: the record as it stood on this date (YYYY-MM-DD); default today"),
    ("known_at", "transaction time: a seq or an RFC 3339 instant"),
];

const FILTERS: &[(&str, &str)] = &[
    ("at", "valid time (YYYY-MM-DD); default today"),
    ("known_at", "transaction time: a seq or an RFC 3339 instant"),
    ("group", "only this group's decisions"),
    ("meeting", "only this meeting's decisions"),
    ("outcome", "only decisions with this outcome"),
    ("status", "only decisions with this status on the date"),
    ("from", "decided on or after (YYYY-MM-DD)"),
    ("to", "decided on or before (YYYY-MM-DD)"),
    ("text", "only decisions whose text or a reservation holds these words (any case)"),
    ("offset", "decisions of the register passed over before the page starts; default 0"),
    ("limit", "at most this many decisions, the earliest first; JSON pages hold 100 unless it asks for another length, 1000 at most, and a full page's Link header (rel=next) names the next"),
];

const BAD: (u16, &str) = (400, "bad parameters");
const MISSING: (u16, &str) = (404, "no such group, person or meeting");
const WRITE: &[(u16, &str)] = &[
    (400, "unreadable body"),
    (401, "no or unknown token"),
    (403, "the server is read-only"),
    (409, "the log moved on past the expected head"),
    (413, "body too large"),
    (422, "an event breaks a rule, or an idempotency key recorded another request"),
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
        summary: "The last check of the chain and the tree the server ran (at start, then in the background once the head moves; never on a request; `protokol verify` also checks the projection), the head now, and the seat flags",
        query: &[],
        body: None,
        errors: &[],
        response: (JSON, schema::<VerifyView>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups",
        summary: "The groups and their size, a page at a time (a full page links the next: Link rel=next)",
        query: &[
            ("at", "valid time: the world on this date (YYYY-MM-DD); default today"),
            ("known_at", "transaction time: what the ledger held after this seq, or at this RFC 3339 instant"),
            ("limit", "page size, at most 1000 (default 100)"),
            ("offset", "groups to skip (default 0)"),
        ],
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
        path: "/api/search",
        summary: "Search decisions, items, actions, people and organisations (q: the words, every one found)",
        query: SEARCH,
        body: None,
        errors: &[BAD],
        response: (JSON, schema::<Vec<query::Hit>>),
    },
    RouteDoc {
        method: "get",
        path: "/api/groups/{group}/affiliations",
        summary: "How a group's members divide by affiliation and by constituency on a date",
        query: ASOF,
        body: None,
        errors: &[BAD, MISSING],
        response: (JSON, schema::<query::AffiliationCounts>),
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
        summary: "Actions: open, overdue and done, in id order, a page at a time (a full page links the next: Link rel=next)",
        query: &[
            ("at", "valid time (YYYY-MM-DD)"),
            ("known_at", "a seq or an RFC 3339 instant"),
            ("open", "true: only open and overdue"),
            ("limit", "page size, at most 1000 (default 100)"),
            ("offset", "actions to skip (default 0)"),
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
        summary: "Append a batch: {expect_seq?, expect_hash?, events: [{effective, kind, body}]}. With an Idempotency-Key header (1 to 200 visible ASCII characters, a UUID), the same request sent again appends nothing and answers what the first appended (with Idempotent-Replayed: true); another request under the key is a 422",
        query: &[],
        body: Some((JSON, schema::<super::writes::Batch>)),
        errors: WRITE,
        response: (JSON, schema::<Appended>),
    },
    RouteDoc {
        method: "post",
        path: "/api/redactions",
        summary: "Erase an event's body and every copy the log keeps of it (personal data recorded by mistake): {seq, reason, set?: {field: value}}; the chain still verifies",
        query: &[],
        body: Some((JSON, schema::<super::redactions::RedactionRequest>)),
        errors: WRITE,
        response: (JSON, schema::<Appended>),
    },
    RouteDoc {
        method: "post",
        path: "/api/import",
        summary: "Import a meeting or register file (TOML)",
        query: &[("name", "the file's name, e.g. 2026-04-29-styregruppen-5.toml")],
        body: Some(("application/toml", text)),
        errors: WRITE,
        response: (JSON, schema::<Imported>),
    },
    RouteDoc {
        method: "get",
        path: "/api/documents/{hash}",
        summary: "An approved document kept in the ledger, by its BLAKE3 hash, as a download",
        query: &[],
        body: None,
        errors: &[BAD, (404, "no document kept under this hash")],
        response: ("application/octet-stream", schema::<String>),
    },
    RouteDoc {
        method: "post",
        path: "/api/verify-minutes",
        summary: "Which approved minutes is this document (any bytes)?",
        query: &[],
        body: Some(("application/octet-stream", binary)),
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
        path: "/api/proof/{seq}",
        summary: "An event's inclusion bundle: its export line, its RFC 6962 path and the signed checkpoint (check it with `protokol verify-proof`)",
        query: &[],
        body: None,
        errors: &[BAD, (404, "no such event, or no checkpoint signed yet")],
        response: (JSON, schema::<crate::proof::InclusionBundle>),
    },
    RouteDoc {
        method: "get",
        path: "/api/proof/decision/{decision}",
        summary: "The inclusion bundle of every event that made a decision: its recording, corrections and changes of status",
        query: &[],
        body: None,
        errors: &[BAD, (404, "no such decision, or no checkpoint signed yet")],
        response: (JSON, schema::<crate::proof::InclusionBundle>),
    },
    RouteDoc {
        method: "get",
        path: "/api/consistency",
        summary: "The consistency proof from an older tree to the served checkpoint",
        query: &[("from", "the older tree's size")],
        body: None,
        errors: &[BAD, (404, "no checkpoint signed yet")],
        response: (JSON, schema::<super::proofs::ConsistencyProof>),
    },
    RouteDoc {
        method: "post",
        path: "/api/cosignatures",
        summary: "A witness's cosignature (C2SP tlog-cosignature) of the served checkpoint: the checkpoint with its signature line added",
        query: &[],
        body: Some(("text/plain", text)),
        errors: &[(400, "not the served checkpoint, or a cosignature that does not check"), (403, "the server takes no cosignatures")],
        response: (JSON, schema::<super::proofs::Cosigned>),
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
        ("get", "/api/groups/{group}/affiliations") => get(affiliations),
        ("get", "/api/search") => get(search),
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
        ("post", "/api/redactions") => post(super::redactions::post_redaction),
        ("post", "/api/verify-minutes") => post(verify_minutes),
        ("get", "/api/documents/{hash}") => get(super::documents::document),
        ("get", "/api/export/popolo.json") => get(popolo),
        ("get", "/api/proof/{seq}") => get(super::proofs::proof),
        ("get", "/api/proof/decision/{decision}") => get(super::proofs::decision_proof),
        ("get", "/api/consistency") => get(super::proofs::consistency),
        ("post", "/api/cosignatures") => post(super::proofs::post_cosignature),
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
    router
}
