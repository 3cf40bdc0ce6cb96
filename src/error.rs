//! The library's error: one enum at the boundary, saying what went wrong. Each edge maps
//! it once: the CLI to an exit code (`cli::exit_code`), the server to an HTTP status
//! (`http::status`).

use crate::envelope::Fault;
use crate::kv::ReadError;
use crate::rules::Refusal;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Input that cannot be read as what it claims to be; names the source and place.
    #[error("{0}")]
    Input(String),
    /// A well-formed event that breaks a rule of the model.
    #[error("{origin}: {kind} (effective {effective}) refused: {refusal}")]
    Refused { origin: String, kind: String, effective: String, refusal: Box<Refusal> },
    /// The log moved on since the writer read it; nothing was written.
    #[error("conflict: expected head {expected}, but the ledger's head is {actual}; nothing was written")]
    Conflict { expected: String, actual: String },
    /// An idempotency key sent again with another request than the one it recorded.
    #[error("{0}")]
    KeyReused(String),
    /// A read of the stored state failed, or found what its layout does not allow: the
    /// answer it was for is not given (never an answer with a gap, never a refusal).
    #[error("the ledger's stored state could not be read ({0}); nothing was answered or written; `protokol verify` checks it against the log and `protokol rebuild` re-derives it")]
    Read(#[from] ReadError),
    /// The persisted projection is not what the log gives; `protokol rebuild` re-derives it.
    /// Found only after the chain checked, so the advice can say the log is whole.
    #[error("the ledger's projection (what queries answer from) is damaged: {0}; the log itself checked, and `protokol rebuild` derives the projection from it again")]
    Projection(String),
    #[error("verification failed: {0}")]
    Verify(#[from] Fault),
    #[error("{0}")]
    NotFound(String),
    /// A proof, a checkpoint or a log that does not hold what it claims: a rewritten or
    /// forked log, a bad signature.
    #[error("{0}")]
    Proof(String),
    /// A document that is not what it is checked against (verify-minutes).
    #[error("{0}")]
    NoMatch(String),
    /// A kept document that does not hash to the key it is kept under, or that no
    /// approval names.
    #[error("verification failed: {0}")]
    Document(String),
}
