//! Approved documents kept in the ledger, served as downloads by the API and the site.

use crate::error::Error;
use crate::http::ApiError;
use crate::http::AppState;
use axum::extract::{Path, State};
use axum::response::IntoResponse;

/// A kept document as a download, never shown inline: its bytes are the approved ones,
/// whatever they hold.
pub(crate) async fn document(
    State(s): State<AppState>,
    Path(h): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let hash = crate::ids::Hash::from_hex(&h).map_err(|e| ApiError::bad_request(format!("hash: {e}")))?;
    let l = s.read()?;
    let bytes = l.document(&hash)?.ok_or_else(|| Error::NotFound(format!("no document kept under {hash}")))?;
    let name = l
        .model()
        .meetings_approving(&hash)
        .map_err(Error::from)?
        .into_iter()
        .flat_map(|(_, mt)| mt.minutes_approvals)
        .find_map(|a| a.document_name.filter(|_| a.document_hash == hash))
        .unwrap_or_else(|| format!("{hash}.bin"));
    Ok(download(&name, bytes))
}

/// Bytes as a file to save, typed by its name's extension.
fn download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    let kind = match ext.as_str() {
        "pdf" => "application/pdf",
        "html" | "htm" => "text/html; charset=utf-8",
        "md" | "txt" => "text/plain; charset=utf-8",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    };
    let safe: String = name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\').collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, kind.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
