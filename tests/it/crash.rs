//! Crash tests: writers killed with SIGKILL at random moments. After every kill the
//! ledger opens, verifies, has contiguous seqs, and holds every acknowledged event with
//! the hash it was acknowledged with. Quick by default (30 kills); set
//! PROTOKOL_CRASH_KILLS=1000 for the long run and PROTOKOL_CRASH_SEED to replay one.

use protokol::gen::Rng;
use protokol::ids::{Hash, Seq};
use protokol::ledger;
use protokol::store::Storage;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn settings() -> (usize, Rng) {
    let kills = std::env::var("PROTOKOL_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(30);
    let seed = std::env::var("PROTOKOL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test: {kills} kills, PROTOKOL_CRASH_SEED={seed}");
    (kills, Rng::from_state(seed))
}

fn org(n: u64) -> String {
    format!(
        r#"{{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{{"organisation":"org-{n}","name":"Org {n}"}}}}"#
    )
}

/// Opens the ledger after a kill and checks every promise; returns its head seq.
fn check(path: &std::path::Path, acked: &BTreeMap<Seq, Hash>, kill: usize, seed_note: &str) -> u64 {
    let keep = |what: &str, e: &dyn std::fmt::Display| -> ! {
        let copy = std::env::temp_dir().join(format!("protokol-crash-{}", std::process::id()));
        let _ = Command::new("cp").arg("-r").arg(path).arg(&copy).status();
        panic!("kill {kill}: {what} failed: {e} ({seed_note}); ledger copied to {}", copy.display())
    };
    let ledger = protokol::Ledger::open(path).unwrap_or_else(|e| keep("open", &e));
    let v = ledger.verify().unwrap_or_else(|e| keep("verify", &e));
    let records = ledger.records_after(Seq(0), usize::MAX).unwrap();
    assert_eq!(records.len() as u64, v.count);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq(), Seq(i as u64 + 1), "kill {kill}: seqs are contiguous");
    }
    for (seq, hash) in acked {
        let r = records
            .get(seq.0 as usize - 1)
            .unwrap_or_else(|| panic!("kill {kill}: acknowledged seq {seq} lost ({seed_note})"));
        assert_eq!(r.hash, *hash, "kill {kill}: acknowledged seq {seq} changed");
    }
    v.count
}

/// The seq and hash `append` reports: "standard input: appended 1 events, seq S..S, head H".
fn acknowledged(line: &str) -> (Seq, Hash) {
    let seq: u64 = line.split("seq ").nth(1).unwrap().split("..").next().unwrap().parse().unwrap();
    (Seq(seq), Hash::from_hex(line.trim_end().rsplit(' ').next().unwrap()).unwrap())
}

#[test]
fn cli_appends_killed_at_random_survive() {
    appends_killed_at_random_survive(Storage::Plain);
}

/// The same with the pages compressed (`compact --compress`): sled compresses each page it
/// writes, and what an append acknowledged must survive a kill all the same.
#[test]
fn cli_appends_to_a_compressed_ledger_killed_at_random_survive() {
    appends_killed_at_random_survive(Storage::Compressed);
}

fn appends_killed_at_random_survive(storage: Storage) {
    let (kills, mut rng) = settings();
    let seed_note = format!("seed {}", rng.state());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(protokol::Ledger::create(&path).unwrap());
    if storage == Storage::Compressed {
        ledger::compact(&path, Some(storage)).unwrap();
    }
    let mut acked = BTreeMap::new();
    let mut n = 0u64;
    let mut killed_mid_flight = 0;
    for kill in 0..kills.div_ceil(2).max(15) {
        // A few appends that finish, then one killed at a random moment.
        for _ in 0..rng.below(3) {
            n += 1;
            let out = Command::new(env!("CARGO_BIN_EXE_protokol"))
                .args(["--ledger", path.to_str().unwrap(), "append", "-", "--by", "crash"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    c.stdin.take().unwrap().write_all(org(n).as_bytes())?;
                    c.wait_with_output()
                })
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let (seq, hash) = acknowledged(&String::from_utf8(out.stdout).unwrap());
            acked.insert(seq, hash);
        }
        n += 1;
        let mut child = Command::new(env!("CARGO_BIN_EXE_protokol"))
            .args(["--ledger", path.to_str().unwrap(), "append", "-", "--by", "crash"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(org(n).as_bytes()).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
            let (seq, hash) = acknowledged(&line);
            acked.insert(seq, hash);
        } else {
            killed_mid_flight += 1;
        }
        check(&path, &acked, kill, &seed_note);
    }
    // Still kept as it was, by every writer that took it over.
    assert_eq!(ledger::compact(&path, None).unwrap().storage, storage);
    eprintln!(
        "cli, {storage:?}: {} acknowledged appends kept; {killed_mid_flight} writers killed before acknowledging",
        acked.len()
    );
}

#[test]
fn the_server_killed_at_random_while_taking_posts_survives() {
    let (kills, mut rng) = settings();
    let seed_note = format!("seed {}", rng.state());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let token = "crash-test-token-0123456789";
    let mut acked: BTreeMap<Seq, Hash> = BTreeMap::new();
    let mut n = 10_000u64;
    for kill in 0..(kills / 2).max(15) {
        let mut server = Command::new(env!("CARGO_BIN_EXE_protokol"))
            .args(["--ledger", path.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
            .env("PROTOKOL_TOKENS", format!("crash:{token}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines().map(|l| l.unwrap());
        let site = lines.find_map(|l| l.strip_prefix("serving on ").map(str::to_string)).expect("serving");
        let deadline = Instant::now() + Duration::from_millis(rng.below(150) + 5);
        let client = {
            let site = site.clone();
            let first = n;
            std::thread::spawn(move || {
                let mut acks = Vec::new();
                let mut i = first;
                loop {
                    i += 1;
                    let body = format!(r#"{{"events":[{}]}}"#, org(i));
                    let resp = ureq::post(&format!("{site}api/events"))
                        .header("authorization", &format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .send(body.as_bytes());
                    match resp {
                        Ok(mut r) if r.status() == 201 => {
                            let v: serde_json::Value = r.body_mut().read_json().unwrap();
                            acks.push((v["last"].as_u64().unwrap(), v["head"]["hash"].as_str().unwrap().to_string()));
                        }
                        _ => return (acks, i),
                    }
                }
            })
        };
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = server.kill();
        let _ = server.wait();
        let (acks, last) = client.join().unwrap();
        n = last + 1;
        for (seq, hash) in acks {
            acked.insert(Seq(seq), Hash::from_hex(&hash).unwrap());
        }
        check(&path, &acked, kill, &seed_note);
    }
    eprintln!("server: {} acknowledged appends kept over the kills", acked.len());
}
