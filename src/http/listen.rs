//! The accept loop: HTTP/1.1 over TCP with a limit on connections and on the time a
//! client may take to send a request's header, or leave a kept-alive connection idle.
//! `axum::serve` has neither, so 300 half-open connections stayed open as long as their
//! clients liked (issue 21).

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What one server lets its clients hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once; the next waits in the kernel's queue until one closes.
    pub connections_max: usize,
    /// From a connection's opening, or the end of its last answer, to the end of the
    /// next request's header: a client slower than this is cut off (hyper's header read
    /// timeout, which hyper starts again whenever a kept-alive connection is idle).
    pub header_read_ms_max: u64,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_ms_max: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { connections_max: 1024, header_read_ms_max: 5_000, shutdown_ms_max: 10_000 }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in
/// flight finish (for `shutdown_ms_max` at most).
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    assert!(limits.connections_max > 0 && limits.header_read_ms_max > 0, "limits allow a connection");
    let open = Arc::new(tokio::sync::Semaphore::new(limits.connections_max));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(Duration::from_millis(limits.header_read_ms_max));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // taken: nothing to answer; a pause so as not to spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that goes away or is too slow ends its connection: nothing to report.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_millis(limits.shutdown_ms_max)) => {
            tracing::warn!("requests still in flight after {} ms: stopped", limits.shutdown_ms_max);
        }
    }
}
