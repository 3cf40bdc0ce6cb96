//! Erasure through the API: `redact::plan` for one seq, recorded with the writer's token.

use super::routes::Appended;
use crate::http::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `{seq, reason, set?}`: the event whose body goes, why, and the fields that stay in its
/// place (each a JSON value or text), as `protokol redact SEQ --reason --set` takes them.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactionRequest {
    seq: crate::ids::Seq,
    reason: String,
    #[serde(default)]
    set: BTreeMap<String, serde_json::Value>,
}

pub(crate) async fn post_redaction(
    State(s): State<AppState>,
    headers: HeaderMap,
    b: Result<Bytes, BytesRejection>,
) -> Result<axum::response::Response, ApiError> {
    let by = s.writer(&headers)?;
    let bytes = b.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    let r: RedactionRequest =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(format!("redaction: {e}")))?;
    let sets: Vec<(String, String)> = r
        .set
        .into_iter()
        .map(|(k, v)| (k, if let serde_json::Value::String(s) = v { s } else { v.to_string() }))
        .collect();
    let mut l = s.write();
    let plan = crate::redact::plan(&l, r.seq, &r.reason, &sets)?;
    let records = l.append(&format!("redact {}", r.seq), plan.events, None, &by, s.now())?;
    Ok((StatusCode::CREATED, Json(Appended::of(&records))).into_response())
}
