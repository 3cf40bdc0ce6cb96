//! The server's connections, over real sockets: a client slow to send its header, or
//! idle after an answer, is cut off; no more connections are served at once than the
//! limit (issue 21).

use crate::common::*;
use protokol::http::{AppState, Limits, Tokens};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn serve(limits: Limits) -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(seeded(&dir.path().join("l")), Tokens::default());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let _ = runtime.block_on(protokol::http::run_with(state, "127.0.0.1:0".parse().unwrap(), limits, move |a| {
            tx.send(a).unwrap()
        }));
    });
    (rx.recv().unwrap(), dir)
}

/// Reads until the server closes the connection (or `limit` passes): what it sent, and
/// whether it closed.
fn read_to_close(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let until = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (got, false);
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return (got, true),
            Err(_) => return (got, false),
        }
    }
}

#[test]
fn three_hundred_half_open_connections_are_closed_within_ten_seconds() {
    let (addr, _dir) = serve(Limits::default());
    let mut streams: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").unwrap();
            s
        })
        .collect();
    let opened = Instant::now();
    for (i, s) in streams.iter_mut().enumerate() {
        let left = Duration::from_secs(10).saturating_sub(opened.elapsed());
        let (_, closed) = read_to_close(s, left);
        assert!(closed, "connection {i} still open {:?} after its half a header", opened.elapsed());
    }
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_its_answer() {
    let limits = Limits { header_read_ms_max: 1_000, ..Limits::default() };
    let (addr, _dir) = serve(limits);
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /api/head HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let (got, closed) = read_to_close(&mut s, Duration::from_secs(10));
    assert!(got.starts_with(b"HTTP/1.1 200"), "answered: {}", String::from_utf8_lossy(&got));
    assert!(!String::from_utf8_lossy(&got).to_ascii_lowercase().contains("connection: close"), "kept alive");
    assert!(closed, "closed once idle");
}

#[test]
fn no_more_connections_are_served_at_once_than_the_limit() {
    let limits = Limits { connections_max: 2, header_read_ms_max: 60_000, ..Limits::default() };
    let (addr, _dir) = serve(limits);
    let ask = |s: &mut TcpStream| s.write_all(b"GET /api/head HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let answered = |s: &mut TcpStream, wait: Duration| {
        s.set_read_timeout(Some(wait)).unwrap();
        let mut buf = [0u8; 12];
        s.read_exact(&mut buf).is_ok() && &buf == b"HTTP/1.1 200"
    };
    // Two connections held open, kept alive, each answered.
    let mut held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for s in &mut held {
        ask(s);
        assert!(answered(s, Duration::from_secs(10)), "within the limit, answered");
    }
    // A third is queued, not served, while both are open.
    let mut third = TcpStream::connect(addr).unwrap();
    ask(&mut third);
    assert!(!answered(&mut third, Duration::from_millis(500)), "beyond the limit, not served yet");
    // One closed, the third is served.
    drop(held.pop());
    assert!(answered(&mut third, Duration::from_secs(10)), "served once a connection closed");
}

#[test]
fn a_request_waiting_for_the_ledger_holds_up_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(seeded(&dir.path().join("l")), Tokens::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let server_state = state.clone();
    // One async worker: a handler blocking on it would stop every other request.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let _ = runtime
            .block_on(protokol::http::run(server_state, "127.0.0.1:0".parse().unwrap(), move |a| tx.send(a).unwrap()));
    });
    let addr = rx.recv().unwrap();
    let ask = |path: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
        s
    };
    // A writer holds the ledger (as an append's fsync would); a read of it waits...
    let held = state.write();
    let mut waiting = ask("/api/head");
    std::thread::sleep(Duration::from_millis(200));
    // ...and a page that needs no ledger is answered meanwhile.
    let (got, closed) = read_to_close(&mut ask("/style.css"), Duration::from_secs(10));
    assert!(
        closed && got.starts_with(b"HTTP/1.1 200"),
        "answered while a read waits: {}",
        String::from_utf8_lossy(&got)
    );
    drop(held);
    let (got, _) = read_to_close(&mut waiting, Duration::from_secs(10));
    assert!(got.starts_with(b"HTTP/1.1 200"), "the waiting read is answered once the writer is done");
}
