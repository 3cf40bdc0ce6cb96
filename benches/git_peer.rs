//! The peer, side by side: the same generated workload kept the way many secretariats
//! would otherwise keep it, in git (one commit per event, the event as a file). Compares
//! appending, verifying (`git fsck --full`) and the as-of question (`git rev-list
//! --before` then reading the tree, against protokol's `known_at`). Prints a table; see
//! docs/PERFORMANCE.md. Run: `cargo bench --bench git_peer` (PROTOKOL_BENCH_EVENTS to
//! change the size, default 10,000).

use protokol::ids::{GroupId, Seq};
use protokol::input::NewEvent;
use protokol::model::{fold, Entry};
use protokol::when::RecordedAt;
use protokol::Ledger;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

const APPEND_SAMPLE: usize = 200;

fn git(repo: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new("git").arg("-C").arg(repo).args(args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Where the n-th event's file lives: at most 100 entries in a folder, so each commit
/// rewrites a few small trees, as a secretariat sorting its files by folder would, and
/// building the repository does not grow with the square of the log. Names sort in log
/// order.
fn event_path(n: usize) -> String {
    format!("events/{:04}/{:02}/{n:08}.json", n / 10_000, n / 100 % 100)
}

fn event_json(e: &NewEvent) -> String {
    e.to_json().to_string()
}

fn main() {
    let n: usize = std::env::var("PROTOKOL_BENCH_EVENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let events: Vec<NewEvent> = protokol::gen::generate(n, 7).into_iter().flatten().collect();
    let n = events.len();
    let dir = tempfile::tempdir_in(".").unwrap();
    let base = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let recorded = |i: usize| base + chrono::Duration::seconds(i as i64);

    // protokol: one durable append per event for a sample, then the rest in its batches.
    let mut l = Ledger::create(&dir.path().join("ledger")).unwrap();
    let t = Instant::now();
    for (i, e) in events.iter().take(APPEND_SAMPLE).enumerate() {
        l.append("bench", vec![e.clone()], None, "bench", recorded(i)).unwrap();
    }
    let protokol_append_us = t.elapsed().as_secs_f64() * 1e6 / APPEND_SAMPLE as f64;
    for (i, chunk) in events[APPEND_SAMPLE..].chunks(1000).enumerate() {
        l.append("bench", chunk.to_vec(), None, "bench", recorded(APPEND_SAMPLE + i * 1000)).unwrap();
    }
    let t = Instant::now();
    l.verify().unwrap();
    let protokol_verify_ms = t.elapsed().as_secs_f64() * 1e3;
    // What `git fsck --full` checks, object hashes and the links between them, is the
    // chain half of protokol's verify; the other half re-derives the projection.
    let t = Instant::now();
    l.verify_chain().unwrap();
    let protokol_chain_ms = t.elapsed().as_secs_f64() * 1e3;
    let half = Seq(n as u64 / 2);
    let g0: GroupId = "g-0".try_into().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2016, 6, 1).unwrap();
    let t = Instant::now();
    let past = l.known_at(Some(protokol::ledger::KnownAt::Seq(half))).unwrap();
    let c1 = protokol::query::composition(&past, &g0, day).unwrap();
    let protokol_asof_ms = t.elapsed().as_secs_f64() * 1e3;

    // git: a sample of real `git add` + `git commit` per event...
    let repo = dir.path().join("sample");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.name", "bench"]);
    git(&repo, &["config", "user.email", "bench@example.invalid"]);
    let t = Instant::now();
    for (i, e) in events.iter().take(APPEND_SAMPLE).enumerate() {
        let name = event_path(i + 1);
        std::fs::create_dir_all(repo.join(&name).parent().unwrap()).unwrap();
        std::fs::write(repo.join(&name), event_json(e)).unwrap();
        git(&repo, &["add", &name]);
        git(&repo, &["commit", "-q", "-m", e.event.kind()]);
    }
    let git_append_us = t.elapsed().as_secs_f64() * 1e6 / APPEND_SAMPLE as f64;

    // ...and the whole history built with fast-import, one commit per event.
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    git(&full, &["init", "-q"]);
    let mut fi = Command::new("git")
        .arg("-C")
        .arg(&full)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut w = std::io::BufWriter::new(fi.stdin.take().unwrap());
        for (i, e) in events.iter().enumerate() {
            let data = event_json(e);
            let when = recorded(i).timestamp();
            writeln!(
                w,
                "commit refs/heads/main\ncommitter bench <bench@example.invalid> {when} +0000\ndata {}\n{}",
                e.event.kind().len(),
                e.event.kind()
            )
            .unwrap();
            writeln!(w, "M 100644 inline {}\ndata {}\n{data}", event_path(i + 1), data.len()).unwrap();
        }
    }
    assert!(fi.wait().unwrap().success());
    let t = Instant::now();
    git(&full, &["fsck", "--full", "--no-progress"]);
    let git_verify_ms = t.elapsed().as_secs_f64() * 1e3;

    // The as-of question through git: the commit before the instant, its tree, every
    // event file in it read and folded.
    let t = Instant::now();
    let instant = recorded(half.0 as usize - 1).timestamp();
    let commit =
        String::from_utf8(git(&full, &["rev-list", "-1", &format!("--before={instant}"), "main"]).stdout).unwrap();
    let listing = String::from_utf8(git(&full, &["ls-tree", "-r", commit.trim()]).stdout).unwrap();
    let blobs: Vec<&str> = listing.lines().map(|l| l.split_whitespace().nth(2).unwrap()).collect();
    let mut cat = Command::new("git")
        .arg("-C")
        .arg(&full)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed the names from another thread: cat-file answers as it reads, and a full pipe
    // either way would stall both.
    let names: String = blobs.iter().map(|b| format!("{b}\n")).collect();
    let mut stdin = cat.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(names.as_bytes()).unwrap());
    let out = cat.wait_with_output().unwrap().stdout;
    feeder.join().unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut entries = Vec::new();
    let mut corrections = std::collections::HashMap::new();
    let mut lines = text.lines();
    while let Some(header) = lines.next() {
        if header.is_empty() {
            continue;
        }
        let body = lines.next().unwrap();
        let e = protokol::input::parse_events("git", body).unwrap().remove(0);
        let seq = Seq(entries.len() as u64 + 1);
        if let protokol::event::Event::EventCorrected(c) = &e.event {
            corrections.insert(c.target, c.clone());
        }
        entries.push(Ok::<_, protokol::Error>(Entry {
            seq,
            recorded_at: RecordedAt(base),
            effective: e.effective,
            recorded_by: "git".into(),
            event: e.event,
        }));
    }
    let model = fold(entries.into_iter(), &corrections).unwrap();
    let c2 = protokol::query::composition(&model, &g0, day).unwrap();
    let git_asof_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(c1.members.len(), c2.members.len(), "both answer the same");

    println!("| operation ({n} events) | protokol | git | git / protokol |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| append one event (durable) | {protokol_append_us:.0} µs | {git_append_us:.0} µs | {:.1}x |",
        git_append_us / protokol_append_us
    );
    println!(
        "| verify every hash and link | {protokol_chain_ms:.0} ms (chain) | {git_verify_ms:.0} ms (`git fsck --full`) | {:.1}x |",
        git_verify_ms / protokol_chain_ms
    );
    println!(
        "| verify everything | {protokol_verify_ms:.0} ms (chain and projection) | {git_verify_ms:.0} ms (`git fsck --full`) | {:.1}x |",
        git_verify_ms / protokol_verify_ms
    );
    println!("| as known halfway, composition at a date | {protokol_asof_ms:.0} ms | {git_asof_ms:.0} ms (`rev-list --before` + tree) | {:.1}x |", git_asof_ms / protokol_asof_ms);
}
