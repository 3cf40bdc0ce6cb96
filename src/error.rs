//! The library's error: one enum at the boundary, each case knowing its exit code and
//! HTTP status so the CLI and the server never have to guess.

use crate::envelope::Fault;
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
    Refused { origin: String, kind: String, effective: String, refusal: Refusal },
    /// The log moved on since the writer read it; nothing was written.
    #[error("conflict: expected head {expected}, but the ledger's head is {actual}; nothing was written")]
    Conflict { expected: String, actual: String },
    /// The persisted projection could not be read back; `protokol verify` re-derives it.
    #[error("the ledger's projection is damaged ({0}); run `protokol verify`, which rebuilds it from the log")]
    Projection(String),
    #[error("verification failed: {0}")]
    Verify(#[from] Fault),
    #[error("{0}")]
    NotFound(String),
    /// A document that is not what it is checked against (verify-minutes).
    #[error("{0}")]
    NoMatch(String),
}

impl Error {
    /// 0 ok, 1 verification failed or conflict, 2 usage or input error (and anything else).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Conflict { .. } | Error::Verify(_) | Error::NoMatch(_) | Error::Projection(_) => 1,
            Error::Store(StoreError::DamagedHead(_) | StoreError::Corrupt { .. }) => 1,
            _ => 2,
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            Error::Input(_) => 400,
            Error::Refused { .. } => 422,
            Error::Conflict { .. } => 409,
            Error::NotFound(_) | Error::NoMatch(_) | Error::Store(StoreError::NotFound(_)) => 404,
            Error::Store(StoreError::Locked(_)) => 503,
            Error::Verify(_) | Error::Store(_) | Error::Projection(_) => 500,
        }
    }
}
