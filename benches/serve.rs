//! Issue 21's targets: every page and API read answered in under 50 ms at the 99th
//! percentile, and `/` at the median in under 5 ms, on a ledger of a million events
//! with four readers and one writer at once. The server runs in this process on a real
//! socket, as `protokol serve` does. Prints a table; see docs/PERFORMANCE.md. Run:
//! `cargo bench --bench serve` (`PROTOKOL_BENCH_SECONDS=N`, default 30;
//! `PROTOKOL_BENCH_LEDGER=DIR` for another ledger). By default it uses the ledger
//! `cargo bench --bench accountability` generates (a million events), and its writer
//! appends to it a person a write.

use protokol::http::{AppState, Tokens};
use protokol::Ledger;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const READERS: usize = 4;
const TOKEN: &str = "bench-writer-token-0123456789";
/// A writer's pause between appends: a secretariat recording through the API.
const WRITE_PAUSE_MS: u64 = 20;

fn ledger() -> PathBuf {
    if let Some(dir) = std::env::var_os("PROTOKOL_BENCH_LEDGER") {
        return PathBuf::from(dir);
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("accountability-bundled-1000000");
    if !path.exists() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_protokol"))
            .arg("--ledger")
            .arg(&path)
            .args(["gen", "--events", "1000000", "--seed", "1"])
            .output()
            .expect("protokol gen runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    path
}

fn get(agent: &ureq::Agent, url: &str) -> Value {
    agent.get(url).call().unwrap_or_else(|e| panic!("{url}: {e}")).body_mut().read_json().unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let seconds: u64 = std::env::var("PROTOKOL_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let path = ledger();
    let opened = Instant::now();
    let ledger = Ledger::open(&path).unwrap();
    let events = ledger.head_seq().0;
    eprintln!("opened {events} events in {:.1} s", opened.elapsed().as_secs_f64());
    // Signing, as `serve --key` does: `/checkpoint` and proofs sign the head when it moved.
    let (skey, _) = protokol::checkpoint::new_key("bench.example/log", &mut rand_core::OsRng).unwrap();
    let state = AppState::new(ledger, Tokens::parse("bench", &format!("writer:{TOKEN}")).unwrap())
        .signing(Some(skey), Vec::new());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let _ =
            runtime.block_on(protokol::http::run(state, "127.0.0.1:0".parse().unwrap(), move |a| tx.send(a).unwrap()));
    });
    let base = format!("http://{}", rx.recv().unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(true).build().into();

    // Real ids from the ledger: a meeting that decided something, its group, a member.
    let decisions = get(&agent, &format!("{base}/api/decisions?limit=1"));
    let group = decisions[0]["group"].as_str().expect("the ledger has a decision").to_string();
    let meeting_no = decisions[0]["meeting_number"].as_u64().unwrap_or(1);
    let members = get(&agent, &format!("{base}/api/groups/{group}/members"));
    let person = members["members"][0]["person"].as_str().unwrap_or("nobody").to_string();
    let urls: Vec<String> = [
        "/".to_string(),
        format!("/groups/{group}"),
        format!("/meetings/{group}/{meeting_no}"),
        "/decisions".to_string(),
        format!("/decisions?group={group}&page=3"),
        format!("/people/{person}"),
        "/meetings".to_string(),
        "/meetings.ics".to_string(),
        "/decisions.atom".to_string(),
        "/people".to_string(),
        "/organisations".to_string(),
        "/actions".to_string(),
        "/audit".to_string(),
        "/search?q=decision".to_string(),
        "/api/head".to_string(),
        "/api/verify".to_string(),
        "/api/groups".to_string(),
        format!("/api/groups/{group}/members"),
        "/api/decisions".to_string(),
        "/api/actions".to_string(),
        format!("/api/events?after={}", events / 2),
        format!("/api/proof/{}", events / 3),
        "/checkpoint".to_string(),
    ]
    .into();
    // Each once, not timed: the pages sled reads first come from the disk.
    for u in &urls {
        if let Err(e) = agent.get(format!("{base}{u}")).call() {
            panic!("{u}: {e}");
        }
    }

    let done = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let writer = {
        let (base, done, writes) = (base.clone(), done.clone(), writes.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(true).build().into();
            let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            let mut latencies = Vec::new();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                let body = format!(
                    r#"{{"events":[{{"effective":"2026-01-01","kind":"PersonRegistered","body":{{"person":"bench-{run}-{i}","name":"Bench Person {i}"}}}}]}}"#
                );
                let t = Instant::now();
                agent
                    .post(format!("{base}/api/events"))
                    .header("authorization", format!("Bearer {TOKEN}"))
                    .content_type("application/json")
                    .send(body)
                    .unwrap();
                latencies.push(t.elapsed());
                writes.fetch_add(1, Ordering::Relaxed);
                i += 1;
                std::thread::sleep(Duration::from_millis(WRITE_PAUSE_MS));
            }
            latencies
        })
    };
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (base, done, urls) = (base.clone(), done.clone(), urls.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(true).build().into();
                let mut by_url: Vec<Vec<Duration>> = vec![Vec::new(); urls.len()];
                let mut k = r;
                while !done.load(Ordering::Relaxed) {
                    let i = k % urls.len();
                    let t = Instant::now();
                    let mut resp =
                        agent.get(format!("{base}{}", urls[i])).call().unwrap_or_else(|e| panic!("{}: {e}", urls[i]));
                    let _ = resp.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
                    by_url[i].push(t.elapsed());
                    k += 1;
                }
                by_url
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    done.store(true, Ordering::Relaxed);
    let mut all: Vec<Vec<Duration>> = vec![Vec::new(); urls.len()];
    for r in readers {
        for (i, l) in r.join().unwrap().into_iter().enumerate() {
            all[i].extend(l);
        }
    }
    let mut w = writer.join().unwrap();
    w.sort();

    println!("{events} events, {READERS} readers and a writer (an append every {WRITE_PAUSE_MS} ms) for {seconds} s");
    println!();
    println!("| request | answered | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    for (u, mut l) in urls.iter().zip(all) {
        l.sort();
        if l.is_empty() {
            println!("| `{u}` | 0 | | | |");
            continue;
        }
        println!(
            "| `{u}` | {} | {} | {} | {} |",
            l.len(),
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99)),
            ms(*l.last().unwrap())
        );
    }
    if !w.is_empty() {
        println!(
            "| `POST /api/events` (one event, durable) | {} | {} | {} | {} |",
            w.len(),
            ms(percentile(&w, 0.5)),
            ms(percentile(&w, 0.99)),
            ms(*w.last().unwrap())
        );
    }
}
