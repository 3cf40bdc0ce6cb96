//! Eight writers appending through the API with expected heads while readers read: the
//! chain never forks, no acknowledged event is lost, every conflict is a 409 that a retry
//! gets past, and no reader ever sees half a batch.

use crate::common::*;
use protokol::http::{AppState, Tokens};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

const WRITERS: usize = 8;
const BATCHES_PER_WRITER: usize = 10;
const BATCH_LEN: u64 = 3;
const TOKEN: &str = "concurrency-token-0123456789";

fn get(url: &str) -> Value {
    ureq::get(url).call().unwrap().body_mut().read_json().unwrap()
}

#[test]
fn eight_writers_with_expected_heads_and_readers_in_between() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let state = AppState::new(seeded(&path), Tokens::parse("test", &format!("w:{TOKEN}")).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_state = state.clone();
    runtime.spawn(async move {
        let _ =
            protokol::http::run(server_state, "127.0.0.1:0".parse().unwrap(), move |addr| tx.send(addr).unwrap()).await;
    });
    let base = format!("http://{}", rx.recv().unwrap());
    let start = get(&format!("{base}/api/head"))["seq"].as_u64().unwrap();

    let conflicts = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (base, done) = (base.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::Relaxed) {
                    let head = get(&format!("{base}/api/head"))["seq"].as_u64().unwrap();
                    assert_eq!((head - start) % BATCH_LEN, 0, "a reader saw half a batch: head {head}");
                    let page = get(&format!("{base}/api/events?after={}&limit=1000", start.saturating_sub(1)));
                    let seqs: Vec<u64> =
                        page["events"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
                    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "the feed has no gaps");
                    assert_eq!((seqs.last().unwrap() - start) % BATCH_LEN, 0, "the feed ends on a whole batch");
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (base, conflicts) = (base.clone(), conflicts.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for b in 0..BATCHES_PER_WRITER {
                    let events: Vec<Value> = (0..BATCH_LEN)
                        .map(|i| json!({"effective": "2025-01-01", "kind": "OrganisationRegistered", "body": {"organisation": format!("w{w}-b{b}-e{i}"), "name": "X"}}))
                        .collect();
                    loop {
                        let head = get(&format!("{base}/api/head"))["seq"].as_u64().unwrap();
                        let resp = ureq::post(&format!("{base}/api/events"))
                            .header("authorization", &format!("Bearer {TOKEN}"))
                            .config()
                            .http_status_as_error(false)
                            .build()
                            .send_json(json!({"expect_seq": head, "events": events}))
                            .unwrap();
                        let status = resp.status().as_u16();
                        let v: Value = resp.into_body().read_json().unwrap();
                        match status {
                            201 => {
                                acked.push((v["last"].as_u64().unwrap(), v["head"]["hash"].as_str().unwrap().to_string()));
                                break;
                            }
                            409 => {
                                assert_eq!(v["error"]["code"], "conflict");
                                conflicts.fetch_add(1, Ordering::Relaxed);
                            }
                            other => panic!("writer {w}: {other} {v}"),
                        }
                    }
                }
                acked
            })
        })
        .collect();
    let acked: Vec<(u64, String)> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    done.store(true, Ordering::Relaxed);
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    drop(runtime);

    let ledger = state.read().unwrap();
    let v = ledger.verify().unwrap();
    assert_eq!(v.count, start + (WRITERS * BATCHES_PER_WRITER) as u64 * BATCH_LEN, "every batch exactly once");
    let records = ledger.records_after(protokol::ids::Seq(0), usize::MAX).unwrap();
    for (seq, hash) in &acked {
        assert_eq!(&records[*seq as usize - 1].hash.to_hex(), hash, "acknowledged seq {seq} is there, unchanged");
    }
    eprintln!(
        "concurrent: {} batches appended by {WRITERS} writers, {} conflicts retried, {reads} reads in between",
        acked.len(),
        conflicts.load(Ordering::Relaxed)
    );
}
