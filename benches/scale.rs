//! How cost grows with the log: a generated workload at 10k and 100k events (1M with
//! PROTOKOL_BENCH_SIZES=10000,100000,1000000), measured operation by operation. Prints a
//! table; see docs/PERFORMANCE.md. Run: `cargo bench --bench scale`.
//!
//! Appending, the first opens, full verification, export and compaction (plain, then
//! compressed, in a second table) run as `protokol` processes,
//! so that each one's peak memory (GNU time's `%M`) is its own; the queries run in this
//! process against an opened ledger.

use chrono::NaiveDate;
use protokol::ids::{GroupId, Seq};
use protokol::query::{self, DecisionFilter};
use protokol::Ledger;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_protokol");
/// Rows in a page of the register.
const REGISTER_PAGE_LEN: usize = 50;

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dir_bytes(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

/// Runs `protokol` with `args` under GNU time: (stdout, wall seconds, peak RSS in MiB).
fn run(ledger: &Path, args: &[&str]) -> (String, f64, f64) {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", BIN, "--ledger"])
        .arg(ledger)
        .args(args)
        .output()
        .expect("GNU time (/usr/bin/time) runs protokol");
    let wall_s = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "protokol {args:?}: {stderr}");
    let rss_kib: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0.0);
    (String::from_utf8_lossy(&out.stdout).into_owned(), wall_s, rss_kib / 1024.0)
}

fn per_query_us(runs: usize, mut f: impl FnMut(usize)) -> f64 {
    let t = Instant::now();
    for i in 0..runs {
        f(i);
    }
    t.elapsed().as_secs_f64() * 1e6 / runs as f64
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PROTOKOL_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    // `compact --compress`, measured after the rest, in a table of its own.
    let mut compressed_rows = Vec::new();
    println!("| events | batch append | first open + query (after appends / after a clean close / after compacting) | composition at a date | register page (50 rows), filtered | known_at (half the log) | verify: chain | BLAKE3 alone | verify: full (chain + projection, `protokol verify`) | export | disk / export (as appended; compacted) | peak RSS: append / query / verify / export / compact |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for n in sizes {
        let dir = tempfile::tempdir_in(".").unwrap();
        let path = dir.path().join("l");
        let n_arg = n.to_string();

        // "generated N events (seed 7) in X s; ok: ..."
        let (out, _, append_rss) = run(&path, &["gen", "--events", &n_arg, "--seed", "7"]);
        let words: Vec<&str> = out.split_whitespace().collect();
        let count: u64 = words[1].parse().unwrap();
        let append_s: f64 = words[6].parse().unwrap();

        let first = ["members", "g-0", "--at", "2016-06-01"];
        let (_, open_after_append_s, query_rss) = run(&path, &first);
        let (_, open_clean_s, _) = run(&path, &first);

        let t = Instant::now();
        let l = Ledger::open(&path).unwrap();
        let open_in_process_ms = t.elapsed().as_secs_f64() * 1e3;
        let m = l.model();
        let groups: Vec<GroupId> = m.groups().unwrap().into_iter().map(|(id, _)| id).collect();
        let start = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let composition_us = per_query_us(1000, |i| {
            let day = start + chrono::Days::new((i as u64 * 37) % 3000);
            std::hint::black_box(query::composition(&m, &groups[i % groups.len()], day).unwrap());
        });
        let register_us = per_query_us(100, |i| {
            let filter = DecisionFilter {
                group: Some(groups[i % groups.len()].clone()),
                outcome: Some(protokol::event::Outcome::Approved),
                limit: Some(REGISTER_PAGE_LEN),
                ..Default::default()
            };
            std::hint::black_box(query::decisions(&m, &filter, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()).unwrap());
        });
        let g0: GroupId = "g-0".try_into().unwrap();
        let t = Instant::now();
        let past = l.known_at(Some(protokol::ledger::KnownAt::Seq(Seq(count / 2)))).unwrap();
        std::hint::black_box(query::composition(&past, &g0, NaiveDate::from_ymd_opt(2016, 6, 1).unwrap()).unwrap());
        let known_at_ms = t.elapsed().as_secs_f64() * 1e3;
        drop(past);

        let t = Instant::now();
        let v = l.verify_chain().unwrap();
        let chain_s = t.elapsed().as_secs_f64();
        assert_eq!(v.count, count);
        let mut total = 0usize;
        let mut blake3_s = 0.0;
        let mut after = Seq(0);
        loop {
            let records = l.records_after(after, 10_000).unwrap();
            let Some(last) = records.last() else { break };
            after = last.seq();
            let bytes: Vec<Vec<u8>> = records.iter().map(|r| r.encode()).collect();
            total += bytes.iter().map(Vec::len).sum::<usize>();
            let t = Instant::now();
            for b in &bytes {
                std::hint::black_box(blake3::hash(b));
            }
            blake3_s += t.elapsed().as_secs_f64();
        }
        // A model view holds the store open: both go before the next process opens it.
        drop(m);
        drop(l);

        let (_, verify_s, verify_rss) = run(&path, &["verify"]);
        let export_path = dir.path().join("export.jsonl");
        let (_, export_s, export_rss) = run(&path, &["export", "--out", export_path.to_str().unwrap()]);
        let export_bytes = std::fs::metadata(&export_path).unwrap().len();
        let disk = dir_bytes(&path);
        let (_, compact_s, compact_rss) = run(&path, &["compact"]);
        let disk_compacted = dir_bytes(&path);
        let (_, open_compacted_s, _) = run(&path, &first);
        println!(
            "| {count} | {:.0} events/s | {:.0} ms / {:.0} ms / {:.0} ms (open alone, in process: {open_in_process_ms:.1} ms) | {composition_us:.1} µs | {register_us:.0} µs | {known_at_ms:.0} ms | {:.0} events/s, {:.0} MB/s | {:.0} MB/s | {:.0} events/s | {:.0} ms | {:.1}x ({} / {} bytes per event); compacted {:.1}x ({} bytes per event) in {compact_s:.1} s | {append_rss:.0} / {query_rss:.0} / {verify_rss:.0} / {export_rss:.0} / {compact_rss:.0} MiB |",
            count as f64 / append_s,
            open_after_append_s * 1e3,
            open_clean_s * 1e3,
            open_compacted_s * 1e3,
            count as f64 / chain_s,
            total as f64 / 1e6 / chain_s,
            total as f64 / 1e6 / blake3_s,
            count as f64 / verify_s,
            export_s * 1e3,
            disk as f64 / export_bytes as f64,
            disk / count,
            export_bytes / count,
            disk_compacted as f64 / export_bytes as f64,
            disk_compacted / count,
        );

        let (_, compress_s, compress_rss) = run(&path, &["compact", "--compress"]);
        let disk_compressed = dir_bytes(&path);
        let (_, open_compressed_s, query_compressed_rss) = run(&path, &first);
        let (_, verify_compressed_s, verify_compressed_rss) = run(&path, &["verify"]);
        compressed_rows.push(format!(
            "| {count} | {:.2}x ({} bytes per event) | {compress_s:.1} s, {compress_rss:.0} MiB | {:.0} ms, {query_compressed_rss:.0} MiB | {:.0} events/s, {verify_compressed_rss:.0} MiB |",
            disk_compressed as f64 / export_bytes as f64,
            disk_compressed / count,
            open_compressed_s * 1e3,
            count as f64 / verify_compressed_s,
        ));
    }
    println!();
    println!("| events | after `compact --compress`: disk / export | its time, peak RSS | first open + query, peak RSS | `protokol verify`, peak RSS |");
    println!("| --- | --- | --- | --- | --- |");
    for row in compressed_rows {
        println!("{row}");
    }
}
