//! How soon `protokol serve` answers after it starts, on a missing ledger (it seeds the
//! ATMP Danmark record first) and on an existing one. Prints a table; see
//! docs/PERFORMANCE.md. Run: `cargo bench --bench startup`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 10;

fn start_to_first_answer(ledger: &std::path::Path) -> Duration {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_protokol"))
        .args(["--ledger", ledger.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .env_remove("PROTOKOL_TOKENS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("protokol runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines().map(|l| l.unwrap());
    let site = lines.find_map(|l| l.strip_prefix("serving on ").map(str::to_string)).expect("serving");
    let url = format!("{site}api/head");
    while ureq::get(&url).call().is_err() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let fresh: Vec<f64> =
        (0..RUNS).map(|i| start_to_first_answer(&dir.path().join(format!("fresh-{i}"))).as_secs_f64() * 1e3).collect();
    let existing = dir.path().join("fresh-0");
    let reopen: Vec<f64> = (0..RUNS).map(|_| start_to_first_answer(&existing).as_secs_f64() * 1e3).collect();
    println!("| case | runs | median ms | max ms |");
    println!("| --- | --- | --- | --- |");
    for (name, ms) in [("serve on a missing ledger (seeds 109 events)", fresh), ("serve on the seeded ledger", reopen)]
    {
        let (median, max) = summary(ms);
        println!("| {name} | {RUNS} | {median:.1} | {max:.1} |");
    }
}
