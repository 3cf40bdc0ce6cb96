//! `protokol serve`: one process, one ledger, a JSON API under `/api` and a public site.
//! `app()` builds the router, so tests drive it with `oneshot` and no network.

pub mod api;
mod auth;
mod error;
mod headers;
mod listen;
pub mod site;
mod tlog;

pub use auth::{Tokens, TOKENS_MAX};
pub use error::{status, ApiError};
pub use headers::CONTENT_SECURITY_POLICY;
pub use listen::Limits;

use crate::error::Error;
use crate::Ledger;
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::{Arc, Mutex, MutexGuard};

/// Largest request body (a batch of events, a meeting file, a document to check).
pub const REQUEST_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Most events one page of `/api/events` returns.
pub const PAGE_LEN_MAX: usize = 1000;

/// Where the server's time comes from: recorded time for writes, today for queries
/// without a date. Passed in, as the CLI passes its `now`, so tests fix it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct Shared {
    /// The ledger, for the writer alone: readers never take this lock (`AppState::read`).
    ledger: Mutex<Ledger>,
    /// Where each reader opens its view of the ledger as the last durable write left it.
    reads: crate::ledger::Reads,
    pub tokens: Tokens,
    clock: Clock,
    /// The log's signer key: with one, the server signs the checkpoint of the head when
    /// it is asked for one and the last signed is behind.
    signer: Option<String>,
    /// The witnesses whose cosignatures the server takes and serves (verifier keys).
    witnesses: Vec<String>,
    /// What the last verify found: requests show it, and never run one (a verify reads
    /// the whole log; on a request path anyone could stall the server with it).
    last_verify: std::sync::Mutex<Option<LastVerify>>,
    /// The head as the last write left it, for what must not wait for a writer (an
    /// answer's ETag): kept by `LedgerWrite` as it lets go of the ledger.
    head: std::sync::Mutex<Option<(crate::ids::Seq, crate::ids::Hash)>>,
}

/// The ledger held for a write; letting go of it notes the head it leaves.
pub struct LedgerWrite<'a> {
    guard: MutexGuard<'a, Ledger>,
    head: &'a std::sync::Mutex<Option<(crate::ids::Seq, crate::ids::Hash)>>,
}

impl std::ops::Deref for LedgerWrite<'_> {
    type Target = Ledger;
    fn deref(&self) -> &Ledger {
        &self.guard
    }
}

impl std::ops::DerefMut for LedgerWrite<'_> {
    fn deref_mut(&mut self) -> &mut Ledger {
        &mut self.guard
    }
}

impl Drop for LedgerWrite<'_> {
    fn drop(&mut self) {
        *self.head.lock().unwrap_or_else(|e| e.into_inner()) = self.guard.head();
    }
}

/// The outcome of the last verify the server ran (at start, and again in the background
/// once the head has moved on).
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct LastVerify {
    pub ok: bool,
    /// The events it verified, and the head hash they end in.
    pub count: u64,
    pub head: crate::ids::Hash,
    /// What failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it ended (the server's clock).
    pub verified_at: DateTime<Utc>,
}

/// How often the server verifies the ledger again in the background, if the head moved.
pub const REVERIFY_INTERVAL_S: u64 = 3600;

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl AppState {
    /// A server's state with the system clock.
    pub fn new(ledger: Ledger, tokens: Tokens) -> AppState {
        AppState::with_clock(ledger, tokens, Arc::new(Utc::now))
    }

    pub fn with_clock(ledger: Ledger, tokens: Tokens, clock: Clock) -> AppState {
        let head = std::sync::Mutex::new(ledger.head());
        AppState(Arc::new(Shared {
            head,
            reads: ledger.reads(),
            ledger: Mutex::new(ledger),
            tokens,
            clock,
            signer: None,
            witnesses: Vec::new(),
            last_verify: std::sync::Mutex::new(None),
        }))
    }

    /// The server signs checkpoints with `skey`, and takes cosignatures from `witnesses`.
    pub fn signing(mut self, skey: Option<String>, witnesses: Vec<String>) -> AppState {
        let shared = Arc::get_mut(&mut self.0).expect("set before the state is shared");
        shared.signer = skey;
        shared.witnesses = witnesses;
        self
    }

    /// The checkpoint to serve: the last signed, with the cosignatures it received; signed
    /// anew first when the server has the key and the head has moved past it.
    pub fn checkpoint(&self) -> Result<Option<String>, Error> {
        {
            let l = self.read()?;
            let last = l.last_checkpoint_size()?;
            if self.0.signer.is_none() || last == Some(l.head_seq().0) {
                return l.cosigned_checkpoint();
            }
        }
        let l = self.write();
        if l.last_checkpoint_size()? != Some(l.head_seq().0) {
            l.sign_checkpoint(self.0.signer.as_deref().expect("checked above"))?;
        }
        l.cosigned_checkpoint()
    }

    /// Checks the chain and the tree (every record re-hashed and linked, every tree hash
    /// recomputed: `verify_chain`) and keeps the outcome for the pages and `/api/verify`
    /// to show: about a second a million events, on a reader's view, so appends go on.
    /// The full verify, which also replays every event over the stored projection, took
    /// two minutes at a million: that one is `protokol verify`'s. A blocking call: the
    /// server runs it off the async workers.
    pub fn verify_now(&self) -> LastVerify {
        let outcome = {
            let l = match self.read() {
                Ok(l) => l,
                Err(e) => {
                    let (seq, hash) = self.head().unwrap_or((crate::ids::Seq(0), crate::ids::Hash::ZERO));
                    let error = Some(e.to_string());
                    let outcome = LastVerify { ok: false, count: seq.0, head: hash, error, verified_at: self.now() };
                    *self.0.last_verify.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome.clone());
                    return outcome;
                }
            };
            let head = l.head().unwrap_or((crate::ids::Seq(0), crate::ids::Hash::ZERO));
            match l.verify_chain() {
                Ok(v) => LastVerify { ok: true, count: v.count, head: v.head, error: None, verified_at: self.now() },
                Err(e) => LastVerify {
                    ok: false,
                    count: head.0 .0,
                    head: head.1,
                    error: Some(e.to_string()),
                    verified_at: self.now(),
                },
            }
        };
        *self.0.last_verify.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome.clone());
        outcome
    }

    /// The last verify's outcome, if one has run.
    pub fn last_verify(&self) -> Option<LastVerify> {
        self.0.last_verify.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn witnesses(&self) -> &[String] {
        &self.0.witnesses
    }

    /// The ledger for one answer, as its last durable write left it: a view of its own,
    /// which neither waits for a write nor holds one up (`Reads::view`).
    pub fn read(&self) -> Result<Ledger, Error> {
        self.0.reads.view()
    }

    /// A poisoned lock means a handler panicked mid-request; the ledger itself is only
    /// changed by a completed append, so writing on is safe.
    pub fn write(&self) -> LedgerWrite<'_> {
        LedgerWrite { guard: self.0.ledger.lock().unwrap_or_else(|e| e.into_inner()), head: &self.0.head }
    }

    /// The head the last completed write left, without waiting for one in progress.
    pub fn head(&self) -> Option<(crate::ids::Seq, crate::ids::Hash)> {
        *self.0.head.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0.clock)()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The whole application: API and site over one ledger.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(tlog::routes())
        .merge(site::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::revalidate))
        .layer(axum::middleware::from_fn(headers::secure))
        .layer(axum::extract::DefaultBodyLimit::max(REQUEST_BYTES_MAX))
        .layer(axum::middleware::from_fn(off_the_workers))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// A path nothing serves: JSON under `/api`, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
    } else {
        site::not_found(&uri)
    }
}

/// Runs each request on tokio's blocking pool: handlers wait for the ledger's lock, read
/// sled and fsync, and on an async worker each of those would stall every connection
/// that worker serves (one append's fsync, or a reader waiting on a writer, held up
/// pages that need no ledger at all). In one place rather than in each handler.
async fn off_the_workers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let runtime = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || runtime.block_on(next.run(req))).await {
        Ok(response) => response,
        // A handler that panicked: the client gets a 500, the server goes on.
        Err(e) => {
            tracing::error!("a request's handler failed: {e}");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
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
    run_with(state, addr, Limits::default(), ready).await
}

/// `run`, with other limits on the connections.
pub async fn run_with(
    state: AppState,
    addr: std::net::SocketAddr,
    limits: Limits,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), Error> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| Error::Input(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| Error::Input(e.to_string()))?;
    ready(local);
    // The ledger verified at start and again when the head has moved, on a thread of
    // its own: it holds the state only while it verifies, so that the server's end
    // closes the ledger, and the process's end stops the thread.
    let verifier = Arc::downgrade(&state.0);
    std::thread::spawn(move || {
        let mut verified = None;
        while let Some(shared) = verifier.upgrade() {
            let s = AppState(shared);
            let head = s.head().map_or(0, |h| h.0 .0);
            if verified != Some(head) {
                verified = Some(s.verify_now().count);
            }
            drop(s);
            std::thread::sleep(std::time::Duration::from_secs(REVERIFY_INTERVAL_S));
        }
    });
    listen::serve(listener, app(state), limits, shutdown()).await;
    Ok(())
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
