//! How cost grows with the log: a generated workload at 10k and 100k events (1M with
//! PROTOKOL_BENCH_SIZES=10000,100000,1000000), measured operation by operation. Prints a
//! table; see docs/PERFORMANCE.md. Run: `cargo bench --bench scale`.

use chrono::NaiveDate;
use protokol::ids::{GroupId, Seq};
use protokol::query::{self, DecisionFilter};
use protokol::Ledger;
use std::time::Instant;

fn dir_bytes(p: &std::path::Path) -> u64 {
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

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
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
    let now = chrono::Utc::now();
    println!("| events | batch append | open + first query | composition at a date | register, filtered | known_at (half the log) | verify | BLAKE3 alone | export | disk / export | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for n in sizes {
        let dir = tempfile::tempdir_in(".").unwrap();
        let path = dir.path().join("l");
        let batches = protokol::gen::generate(n, 7);
        let t = Instant::now();
        let mut count = 0;
        {
            let mut l = Ledger::create(&path).unwrap();
            for b in batches {
                count += l.append("bench", b, None, "bench", now).unwrap().len();
            }
        }
        let append_per_s = count as f64 / t.elapsed().as_secs_f64();

        let g0: GroupId = "g-0".try_into().unwrap();
        let t = Instant::now();
        let l = Ledger::open(&path).unwrap();
        let c = query::composition(&l.model(), &g0, NaiveDate::from_ymd_opt(2016, 6, 1).unwrap()).unwrap();
        let open_ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(!c.members.is_empty());

        let m = &l.model();
        let groups: Vec<GroupId> = m.groups().into_iter().map(|(id, _)| id).collect();
        let start = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let composition_us = per_query_us(1000, |i| {
            let day = start + chrono::Days::new((i as u64 * 37) % 3000);
            std::hint::black_box(query::composition(m, &groups[i % groups.len()], day).unwrap());
        });
        let filter = DecisionFilter {
            group: Some(groups[1 % groups.len()].clone()),
            outcome: Some(protokol::event::Outcome::Approved),
            ..Default::default()
        };
        let register_us = per_query_us(100, |_| {
            std::hint::black_box(query::decisions(m, &filter, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()).unwrap());
        });
        let t = Instant::now();
        let past = l.known_at(Some(&(count / 2).to_string())).unwrap();
        std::hint::black_box(query::composition(&past, &g0, NaiveDate::from_ymd_opt(2016, 6, 1).unwrap()).unwrap());
        let known_at_ms = t.elapsed().as_secs_f64() * 1e3;

        let t = Instant::now();
        let v = l.verify().unwrap();
        let verify_s = t.elapsed().as_secs_f64();
        let records = l.records_after(Seq(0), usize::MAX).unwrap();
        let bytes: Vec<Vec<u8>> = records.iter().map(|r| r.encode()).collect();
        let total: usize = bytes.iter().map(Vec::len).sum();
        let t = Instant::now();
        for b in &bytes {
            std::hint::black_box(blake3::hash(b));
        }
        let blake3_mb_s = total as f64 / 1e6 / t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut export = Vec::new();
        l.export(&mut export).unwrap();
        let export_ms = t.elapsed().as_secs_f64() * 1e3;
        drop(l);
        let disk = dir_bytes(&path);
        println!(
            "| {count} | {append_per_s:.0} events/s | {open_ms:.0} ms | {composition_us:.1} µs | {register_us:.0} µs | {known_at_ms:.0} ms | {:.0} events/s, {:.0} MB/s | {blake3_mb_s:.0} MB/s | {export_ms:.0} ms | {:.1}x ({} / {} bytes per event) | {:.0} MiB |",
            v.count as f64 / verify_s,
            total as f64 / 1e6 / verify_s,
            disk as f64 / export.len() as f64,
            disk / count as u64,
            export.len() / count,
            peak_rss_mib()
        );
    }
}
