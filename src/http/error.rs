//! Errors at the HTTP edge: the one map from the library's errors to statuses, and the
//! JSON body every API error has.

use crate::error::Error;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Every error the API returns: a status, a stable code and a message, as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

/// The one map from the library's errors to HTTP: a status and a stable code. The site
/// answers with the same statuses.
pub fn status(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::Input(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        Error::Refused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        Error::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        Error::KeyReused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
        Error::NotFound(_) | Error::Store(StoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "not_found"),
        Error::NoMatch(_) => (StatusCode::NOT_FOUND, "no_match"),
        Error::Proof(_) => (StatusCode::CONFLICT, "proof_failed"),
        Error::Store(StoreError::Locked(_)) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        Error::Read(_) => (StatusCode::INTERNAL_SERVER_ERROR, "read_failed"),
        Error::Verify(_) => (StatusCode::INTERNAL_SERVER_ERROR, "verification_failed"),
        Error::Projection(_) => (StatusCode::INTERNAL_SERVER_ERROR, "projection"),
        Error::Document(_) => (StatusCode::INTERNAL_SERVER_ERROR, "document"),
        Error::Store(StoreError::Corrupt { .. }) => (StatusCode::INTERNAL_SERVER_ERROR, "corrupt"),
        Error::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let (status, code) = status(&e);
        ApiError { status, code, message: e.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(serde_json::json!({"error": {"code": self.code, "message": self.message}})))
            .into_response()
    }
}
