//! The API's writes: a batch of events (with an expected head and an idempotency key)
//! and a meeting or register file, each from a writer a token names.

use super::handlers::{ok, query};
use super::routes::*;
use crate::http::{ApiError, AppState};
use crate::ids::{Hash, Seq};
use crate::import;
use crate::input::parse_events;
use crate::ledger::Expect;
use crate::record_file;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub(super) fn body(b: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    b.map_err(|e| {
        let status = e.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_request" };
        ApiError::new(status, code, e.body_text())
    })
}

/// A batch to append, all or nothing.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The head's seq the batch was written against: refused (409) if the log has moved.
    expect_seq: Option<u64>,
    /// The head's hash, likewise; both are checked when both are sent.
    expect_hash: Option<String>,
    /// Read by the event catalogue, which names the event and field at fault.
    #[schemars(with = "Vec<EventInput>")]
    events: Value,
}

/// One event of a batch, as `protokol append` takes it (docs/MODEL.md has each kind's body).
#[allow(dead_code)]
#[derive(schemars::JsonSchema)]
struct EventInput {
    /// Valid time: a date (YYYY-MM-DD) or an RFC 3339 instant.
    effective: String,
    #[schemars(schema_with = "kinds")]
    kind: String,
    /// The kind's fields.
    body: serde_json::Map<String, Value>,
}

fn kinds(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "enum": crate::event::KINDS})
}

/// Reads a `POST /api/events` body: `{expect_seq?, expect_hash?, events: [...]}`.
pub fn parse_batch(bytes: &[u8]) -> Result<(Option<Expect>, Vec<crate::input::NewEvent>), ApiError> {
    let batch: Batch = serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("request: {e}")))?;
    let hash = match &batch.expect_hash {
        Some(h) => Some(Hash::from_hex(h).map_err(|e| ApiError::bad_request(format!("expect_hash: {e}")))?),
        None => None,
    };
    let expect = Expect::of(batch.expect_seq.map(Seq), hash);
    Ok((expect, parse_events("request", &batch.events.to_string())?))
}

pub(super) async fn post_events(
    State(s): State<AppState>,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let by = s.writer(&headers)?;
    let bytes = body(b)?;
    let (expect, events) = parse_batch(&bytes)?;
    let Some(key) = idempotency_key(&headers)? else {
        let records = s.write().append("request", events, expect, &by, s.now())?;
        return Ok((StatusCode::CREATED, Json(Appended::of(&records))).into_response());
    };
    let once = crate::store::Once {
        key: *blake3::Hasher::new().update(by.as_bytes()).update(&[0]).update(key.as_bytes()).finalize().as_bytes(),
        request: *blake3::hash(&bytes).as_bytes(),
    };
    match s.write().append_once("request", events, expect, &by, s.now(), &once)? {
        crate::ledger::Appended::Now(records) => {
            Ok((StatusCode::CREATED, Json(Appended::of(&records))).into_response())
        }
        // The answer the first request had, said to be a replay.
        crate::ledger::Appended::Before(records) => {
            Ok((StatusCode::CREATED, [("idempotent-replayed", "true")], Json(Appended::of(&records))).into_response())
        }
    }
}

/// Longest idempotency key, in characters.
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 200;

/// The `Idempotency-Key` header (IETF httpapi-idempotency-key-header: a string, quoted
/// or not): 1 to 200 visible ASCII characters, a UUID as most clients send.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let v = v.to_str().map_err(|_| ApiError::bad_request("Idempotency-Key: visible ASCII characters only"))?;
    let key = v.strip_prefix('"').and_then(|k| k.strip_suffix('"')).unwrap_or(v);
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_CHARS_MAX || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(format!(
            "Idempotency-Key: 1 to {IDEMPOTENCY_KEY_CHARS_MAX} visible ASCII characters, such as a UUID"
        )));
    }
    Ok(Some(key.to_string()))
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    name: String,
}

pub(super) async fn post_import(
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
    match import::import_file(&mut l, &file, &by, s.now())? {
        import::Outcome::Appended { file, events, first, last } => {
            Ok((StatusCode::CREATED, Json(json!({"file": file, "appended": events, "first": first, "last": last})))
                .into_response())
        }
        import::Outcome::AlreadyImported { file, seq } => {
            ok(json!({"file": file, "appended": 0, "already_imported_at": seq}))
        }
        // import_file never amends: an edited file is refused with its corrections.
        import::Outcome::Corrected { file, corrections, first, last } => {
            ok(json!({"file": file, "corrections": corrections, "first": first, "last": last}))
        }
    }
}
