//! Search at size: a generated ledger of N events (`PROTOKOL_BENCH_EVENTS`, default
//! 100,000), then each query 50 times, p50 and p99 in milliseconds: a rare word (the
//! corrected texts), a word in one meeting's texts, and a word in nearly every text.
//! Prints a table; see docs/PERFORMANCE.md. Run: `cargo bench --bench search`.

use protokol::query;
use protokol::Ledger;
use std::time::Instant;

const RUNS: usize = 50;

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(|a, b| a.total_cmp(b));
    ms[((ms.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let events: usize = std::env::var("PROTOKOL_BENCH_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir_in(".").unwrap();
    let mut ledger = Ledger::create(&dir.path().join("l")).unwrap();
    let now = chrono::Utc::now();
    let t = Instant::now();
    protokol::gen::generate_each(events, 1, |batch| ledger.append("gen", batch, None, "bench", now).map(drop)).unwrap();
    let ledger = ledger.checkpoint().unwrap();
    eprintln!("{} events generated in {:.1} s", ledger.head_seq(), t.elapsed().as_secs_f64());
    let today = now.date_naive();
    println!("| query | hits | p50 ms | p99 ms |\n| --- | --- | --- | --- |");
    for q in ["rettet", "punkt 7", "sekretariatet orienterede"] {
        let m = ledger.model();
        let mut ms = Vec::with_capacity(RUNS);
        let mut hits = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            hits = query::search(&m, q, today).unwrap().len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!("| `{q}` | {hits} | {:.2} | {:.2} |", percentile(ms.clone(), 0.5), percentile(ms, 0.99));
    }
}
