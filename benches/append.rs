//! The durability point's cost: one durable append (sled flush + fdatasync of its data file)
//! against one raw write + fsync on the same disk, and batch appends, into a ledger kept
//! plain and one kept compressed (`compact --compress`). Prints a table; see
//! docs/PERFORMANCE.md. Run: `cargo bench --bench append`.

use protokol::input::parse_events;
use protokol::ledger;
use protokol::store::Storage;
use protokol::Ledger;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const SINGLE_RUNS: usize = 200;
const BATCH_LEN: usize = 1000;
const BATCH_RUNS: usize = 10;

fn percentile(mut us: Vec<f64>, p: f64) -> f64 {
    us.sort_by(|a, b| a.total_cmp(b));
    us[((us.len() - 1) as f64 * p).round() as usize]
}

fn org(i: usize) -> String {
    format!(
        r#"{{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{{"organisation":"org-{i}","name":"Organisation {i}"}}}}"#
    )
}

fn main() {
    let dir = tempfile::tempdir_in(".").unwrap();
    let now = chrono::Utc::now();

    let raw_path = dir.path().join("raw");
    let mut raw = std::fs::File::create(&raw_path).unwrap();
    let block = vec![b'x'; 512];
    let fsync_us: Vec<f64> = (0..SINGLE_RUNS)
        .map(|_| {
            let t = Instant::now();
            raw.write_all(&block).unwrap();
            raw.sync_all().unwrap();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();

    let plain = appends(&dir.path().join("plain"), Storage::Plain, now);
    let compressed = appends(&dir.path().join("compressed"), Storage::Compressed, now);

    println!("| operation | runs | median | p99 |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| raw 512-byte write + fsync | {SINGLE_RUNS} | {:.0} µs | {:.0} µs |",
        percentile(fsync_us.clone(), 0.5),
        percentile(fsync_us, 0.99)
    );
    for (storage, (single_us, per_s)) in [("plain", plain), ("compressed", compressed)] {
        println!(
            "| single durable append (1 event), {storage} | {SINGLE_RUNS} | {:.0} µs | {:.0} µs |",
            percentile(single_us.clone(), 0.5),
            percentile(single_us, 0.99)
        );
        println!(
            "| batch append ({BATCH_LEN} events, one flush + fdatasync), {storage} | {BATCH_RUNS} | {:.0} events/s | |",
            percentile(per_s, 0.5)
        );
    }
}

/// Single appends, then batches, into a fresh ledger at `path` kept as `storage`: the
/// microseconds of each single append and the events/s of each batch.
fn appends(path: &Path, storage: Storage, now: chrono::DateTime<chrono::Utc>) -> (Vec<f64>, Vec<f64>) {
    drop(Ledger::create(path).unwrap());
    if storage == Storage::Compressed {
        ledger::compact(path, Some(storage)).unwrap();
    }
    let mut ledger = Ledger::open(path).unwrap();
    let single_us: Vec<f64> = (0..SINGLE_RUNS)
        .map(|i| {
            let events = parse_events("bench", &org(i)).unwrap();
            let t = Instant::now();
            ledger.append("bench", events, None, "bench", now).unwrap();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    let mut per_s = Vec::new();
    for run in 0..BATCH_RUNS {
        let text = (0..BATCH_LEN).map(|i| org(SINGLE_RUNS + run * BATCH_LEN + i)).collect::<Vec<_>>().join("\n");
        let events = parse_events("bench", &text).unwrap();
        let t = Instant::now();
        ledger.append("bench", events, None, "bench", now).unwrap();
        per_s.push(BATCH_LEN as f64 / t.elapsed().as_secs_f64());
    }
    (single_us, per_s)
}
