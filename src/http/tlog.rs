//! The log as C2SP `tlog-tiles` serves it, outside `/api`: `/checkpoint` (signed, with the
//! cosignatures witnesses sent) and `/tile/...`, static resources any cache may keep.
//! Every answer reads a bounded amount: one checkpoint, or one tile of 256 hashes or events.

use super::{ApiError, AppState};
use crate::error::Error;
use crate::tiles::Resource;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/checkpoint", get(checkpoint)).route("/tile/{*path}", get(tile))
}

fn no_checkpoint() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no checkpoint signed yet: run `protokol checkpoint`, or serve with --key",
    )
}

async fn checkpoint(State(s): State<AppState>) -> Result<Response, ApiError> {
    let note = s.checkpoint()?.ok_or_else(no_checkpoint)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-cache, max-age=0")], note)
        .into_response())
}

async fn tile(State(s): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let full = format!("tile/{path}");
    let r = Resource::parse(&full)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{full}: not a tlog-tiles path")))?;
    let note = s.checkpoint()?.ok_or_else(no_checkpoint)?;
    let size = crate::proof::read_checkpoint(&note, None).map_err(|e| Error::Proof(e.to_string()))?.size;
    let bytes = s.read()?.resource(&r, size)?;
    let kind = if matches!(r, Resource::Lines { .. }) {
        "application/jsonl; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    // A full tile never changes; a partial one is replaced by a wider one as the log grows.
    let partial = full.contains(".p/");
    let cache = if partial { "public, max-age=60" } else { "public, max-age=31536000, immutable" };
    Ok(([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, cache)], bytes).into_response())
}
