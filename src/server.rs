//! `protokol serve`: one process, one ledger, a JSON API under `/api` and a public site.
//! `app()` builds the router, so tests drive it with `oneshot` and no network.

use crate::error::Error;
use crate::store::StoreError;
use crate::Ledger;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Largest request body (a batch of events, a meeting file, a document to check).
pub const REQUEST_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Most events one page of `/api/events` returns.
pub const PAGE_LEN_MAX: usize = 1000;
/// Most write tokens configured.
pub const TOKENS_MAX: usize = 1000;

/// Write tokens, each bound to the name that becomes `recorded_by`. Only their BLAKE3
/// hashes are kept, and comparison is of fixed-size hashes in constant time.
#[derive(Clone, Default)]
pub struct Tokens(Vec<(String, blake3::Hash)>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// Reads `name:token` pairs, one per line or comma-separated; `#` starts a comment.
    pub fn parse(source: &str, text: &str) -> Result<Tokens, Error> {
        let mut out = Vec::new();
        for (n, entry) in text.split(['\n', ',']).enumerate() {
            let entry = entry.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            let Some((name, token)) = entry.split_once(':') else {
                return Err(Error::Input(format!("{source}: entry {}: expected name:token", n + 1)));
            };
            let (name, token) = (name.trim(), token.trim());
            if name.is_empty() || token.len() < 16 {
                return Err(Error::Input(format!(
                    "{source}: entry {}: a name, and a token of at least 16 characters",
                    n + 1
                )));
            }
            out.push((name.to_string(), blake3::hash(token.as_bytes())));
        }
        if out.len() > TOKENS_MAX {
            return Err(Error::Input(format!("{source}: more than {TOKENS_MAX} tokens")));
        }
        Ok(Tokens(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The name bound to `presented`, looking at every token whatever matches
    /// (`blake3::Hash` equality is constant-time).
    fn who(&self, presented: &str) -> Option<String> {
        let h = blake3::hash(presented.as_bytes());
        let mut found = None;
        for (name, hash) in &self.0 {
            if *hash == h {
                found = Some(name.clone());
            }
        }
        found
    }
}

pub struct Shared {
    ledger: RwLock<Ledger>,
    pub tokens: Tokens,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl AppState {
    pub fn new(ledger: Ledger, tokens: Tokens) -> AppState {
        AppState(Arc::new(Shared { ledger: RwLock::new(ledger), tokens }))
    }

    /// A poisoned lock means a handler panicked mid-request; the ledger itself is only
    /// changed by a completed append, so reading on is safe.
    pub fn read(&self) -> RwLockReadGuard<'_, Ledger> {
        self.0.ledger.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Ledger> {
        self.0.ledger.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The authenticated writer, from `Authorization: Bearer TOKEN`.
    pub fn writer(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        if self.0.tokens.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "this server has no write tokens configured",
            ));
        }
        let presented = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send Authorization: Bearer TOKEN")
            })?;
        self.0
            .tokens
            .who(presented)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token"))
    }
}

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

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let code = match &e {
            Error::Input(_) => "bad_request",
            Error::Refused { .. } => "refused",
            Error::Conflict { .. } => "conflict",
            Error::Verify(_) => "verification_failed",
            Error::Projection(_) => "projection",
            Error::NotFound(_) | Error::Store(StoreError::NotFound(_)) => "not_found",
            Error::NoMatch(_) => "no_match",
            Error::Store(StoreError::Locked(_)) => "unavailable",
            Error::Store(StoreError::Corrupt { .. }) => "corrupt",
            Error::Store(_) => "storage",
        };
        let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, code, message: e.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(serde_json::json!({"error": {"code": self.code, "message": self.message}})))
            .into_response()
    }
}

/// The whole application: API and site over one ledger.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(crate::api::routes())
        .merge(crate::site::routes())
        .layer(axum::extract::DefaultBodyLimit::max(REQUEST_BYTES_MAX))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// One log line per request: method, path (never the query or headers, which could carry
/// a token), status and time taken.
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), latency_us = started.elapsed().as_micros() as u64, "request");
    response
}

/// Runs the server until Ctrl-C or SIGTERM; in-flight requests finish, then the ledger
/// (flushed on every append) is closed.
pub async fn run(
    state: AppState,
    addr: std::net::SocketAddr,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), Error> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| Error::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| Error::Input(e.to_string()))?;
    ready(local);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| Error::Input(format!("server: {e}")))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
