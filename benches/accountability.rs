//! Issue 20's targets on a generated log of a million events: checking the chain and the
//! tree (`verify_chain`: every record re-hashed and linked, every stored tree hash
//! recomputed), an inclusion proof, and a checkpoint signed. Prints a table; see
//! docs/PERFORMANCE.md. Run: `cargo bench --bench accountability`
//! (`PROTOKOL_BENCH_EVENTS=N` for another size). The generated ledger is kept under
//! `target/` and reused by the next run; `PROTOKOL_BENCH_LEDGER=DIR` measures another
//! (one written before bundles, say).

use protokol::ids::Seq;
use protokol::Ledger;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_protokol");
/// Proofs and checkpoints timed, each.
const RUNS: usize = 1000;
const CHECKPOINT_RUNS: usize = 200;

fn ledger(events: u64) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("accountability-bundled-{events}"));
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("partial");
        let _ = std::fs::remove_dir_all(&tmp);
        let out = Command::new(BIN)
            .arg("--ledger")
            .arg(&tmp)
            .args(["gen", "--events", &events.to_string(), "--seed", "1"])
            .output()
            .expect("protokol gen runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::rename(&tmp, &path).unwrap();
        eprintln!("generated {events} events in {:.0} s", t.elapsed().as_secs_f64());
    }
    path
}

fn main() {
    let events: u64 = std::env::var("PROTOKOL_BENCH_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let path = std::env::var_os("PROTOKOL_BENCH_LEDGER").map_or_else(|| ledger(events), PathBuf::from);
    let l = Ledger::open(&path).unwrap();
    let n = l.head_seq().0;

    // The chain and the tree, three times (the first after the open, as a user meets it).
    let mut walks = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let v = l.verify_chain().unwrap();
        walks.push(v.count as f64 / t.elapsed().as_secs_f64());
    }

    // A proof of one event, against a checkpoint signed beforehand, as `prove` makes it.
    let (skey, vkey) = protokol::checkpoint::new_key("bench.example/log", &mut rand_core::OsRng).unwrap();
    l.sign_checkpoint(&skey).unwrap();
    let seqs: Vec<Seq> = (0..RUNS as u64).map(|i| Seq(1 + i * (n - 1) / (RUNS as u64 - 1))).collect();
    let mut bundle_bytes_max = 0;
    let t = Instant::now();
    for s in &seqs {
        let b = l.prove(&[*s], None).unwrap();
        // The event's line is as long as the event; the rest grows with log2 of the log.
        let line = b.entries.iter().map(|e| e.line.len()).sum::<usize>();
        bundle_bytes_max = bundle_bytes_max.max(serde_json::to_vec(&b).unwrap().len() - line);
    }
    let prove_us = t.elapsed().as_secs_f64() * 1e6 / RUNS as f64;
    let b = l.prove(&[Seq(n / 2)], None).unwrap();
    let t = Instant::now();
    for _ in 0..RUNS {
        protokol::proof::check_inclusion(&b, &vkey).unwrap();
    }
    let check_us = t.elapsed().as_secs_f64() * 1e6 / RUNS as f64;

    // A checkpoint of the head: its root read from the stored tree and signed; then as
    // `protokol checkpoint` does it, checked against the last one signed and kept
    // durably (an fdatasync) before it is given out.
    let t = Instant::now();
    for _ in 0..CHECKPOINT_RUNS {
        let (size, root) = l.tree_root().unwrap();
        protokol::checkpoint::sign(&skey, size, root).unwrap();
    }
    let sign_us = t.elapsed().as_secs_f64() * 1e6 / CHECKPOINT_RUNS as f64;
    let t = Instant::now();
    for _ in 0..CHECKPOINT_RUNS {
        l.sign_checkpoint(&skey).unwrap();
    }
    let kept_us = t.elapsed().as_secs_f64() * 1e6 / CHECKPOINT_RUNS as f64;

    println!("| events | chain + tree checked (3 runs) | a proof made | its bundle, largest, the event's line aside | a proof checked | a checkpoint signed | signed and kept durably |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {n} | {} events/s | {prove_us:.0} µs | {bundle_bytes_max} bytes | {check_us:.0} µs | {sign_us:.0} µs | {kept_us:.0} µs |",
        walks.iter().map(|w| format!("{w:.0}")).collect::<Vec<_>>().join(" / "),
    );
}
