//! The durability point's cost: one durable append (sled flush + fdatasync of its data file)
//! against one raw write + fsync on the same disk, and batch appends. Prints a table; see
//! docs/PERFORMANCE.md. Run: `cargo bench --bench append`.

use protokol::input::parse_events;
use protokol::Ledger;
use std::io::Write;
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

    let mut ledger = Ledger::create(&dir.path().join("single")).unwrap();
    let single_us: Vec<f64> = (0..SINGLE_RUNS)
        .map(|i| {
            let events = parse_events("bench", &org(i)).unwrap();
            let t = Instant::now();
            ledger.append("bench", events, None, "bench", now).unwrap();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();

    let mut batched = Ledger::create(&dir.path().join("batch")).unwrap();
    let mut per_s = Vec::new();
    for run in 0..BATCH_RUNS {
        let text = (0..BATCH_LEN).map(|i| org(run * BATCH_LEN + i)).collect::<Vec<_>>().join("\n");
        let events = parse_events("bench", &text).unwrap();
        let t = Instant::now();
        batched.append("bench", events, None, "bench", now).unwrap();
        per_s.push(BATCH_LEN as f64 / t.elapsed().as_secs_f64());
    }

    println!("| operation | runs | median | p99 |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| raw 512-byte write + fsync | {SINGLE_RUNS} | {:.0} µs | {:.0} µs |",
        percentile(fsync_us.clone(), 0.5),
        percentile(fsync_us, 0.99)
    );
    println!(
        "| single durable append (1 event) | {SINGLE_RUNS} | {:.0} µs | {:.0} µs |",
        percentile(single_us.clone(), 0.5),
        percentile(single_us, 0.99)
    );
    println!(
        "| batch append ({BATCH_LEN} events, one flush + fdatasync) | {BATCH_RUNS} | {:.0} events/s | |",
        percentile(per_s, 0.5)
    );
}
