//! Proofs through the API: an event's or a decision's inclusion bundle, the consistency
//! of the current checkpoint with an older tree, and cosignatures sent by witnesses.
//! Each reads O(log n) stored hashes; none walks the log.

use super::routes::ApiResult;
use crate::error::Error;
use crate::http::{ApiError, AppState};
use crate::ids::{DecisionId, Seq};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};

/// The consistency of the served checkpoint with the tree of `from` leaves.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ConsistencyProof {
    /// The older tree's size.
    pub from: u64,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: String,
    /// The RFC 6962 consistency proof from the tree of `from` leaves to the checkpoint's, in base64.
    pub proof: Vec<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Cosigned {
    /// The witnesses whose cosignatures were added.
    pub added: Vec<String>,
    /// The checkpoint as it is served now.
    pub checkpoint: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct From {
    from: Option<u64>,
}

/// The served checkpoint (signed now if the server has the key and the head moved).
fn served(s: &AppState) -> Result<String, ApiError> {
    s.checkpoint()?.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "no checkpoint signed yet: run `protokol checkpoint`, or serve with --key",
        )
    })
}

fn bundle(s: &AppState, seqs: &[Seq]) -> ApiResult {
    served(s)?;
    let b = s.read()?.prove(seqs, None)?;
    Ok(Json(b).into_response())
}

pub(super) async fn proof(State(s): State<AppState>, Path(seq): Path<String>) -> ApiResult {
    let seq: u64 = seq.parse().map_err(|_| ApiError::bad_request(format!("seq: {seq:?} is not a number")))?;
    bundle(&s, &[Seq(seq)])
}

pub(super) async fn decision_proof(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id = DecisionId::try_from(id).map_err(|e| ApiError::bad_request(format!("decision: {e}")))?;
    let seqs = s.read()?.decision_seqs(&id)?;
    bundle(&s, &seqs)
}

pub(super) async fn consistency(State(s): State<AppState>, q: Result<Query<From>, QueryRejection>) -> ApiResult {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let from = q.from.ok_or_else(|| ApiError::bad_request("from: the older tree's size is needed"))?;
    let note = served(&s)?;
    let size = crate::proof::read_checkpoint(&note, None).map_err(|e| Error::Proof(e.to_string()))?.size;
    if from > size {
        return Err(ApiError::bad_request(format!("from: {from} is beyond the checkpoint's {size} events")));
    }
    let proof = s.read()?.consistency_path(from, size)?;
    Ok(Json(ConsistencyProof { from, checkpoint: note, proof: proof.iter().map(crate::proof::to_base64).collect() })
        .into_response())
}

/// A witness sends the served checkpoint back with its cosignature; it is kept if the
/// witness is one the server was told of and the cosignature checks.
pub(super) async fn post_cosignature(State(s): State<AppState>, b: Result<Bytes, BytesRejection>) -> ApiResult {
    let bytes = b.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::bad_request("a cosigned checkpoint is text"))?;
    if s.witnesses().is_empty() {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "this server takes no cosignatures (serve with --witness VKEY)",
        ));
    }
    let l = s.write();
    let added = l.add_cosignatures(text, s.witnesses())?;
    let checkpoint = l.cosigned_checkpoint()?.unwrap_or_default();
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(Cosigned { added, checkpoint })).into_response())
}
