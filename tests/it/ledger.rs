//! The ledger core: atomic, durable appends on a chain that verify checks end to end.

use crate::common::*;
use protokol::envelope::Problem;
use protokol::ids::Seq;
use protokol::ledger::{self, Expect, Ledger};
use protokol::store::{Storage, StoreError};
use protokol::Error;
use serde_json::json;

fn org(id: &str) -> serde_json::Value {
    json!({"effective": "2025-01-01", "kind": "OrganisationRegistered", "body": {"organisation": id, "name": id}})
}

fn small(dir: &std::path::Path) -> Ledger {
    let mut l = Ledger::create(dir).unwrap();
    l.append("t", events(json!([org("a"), org("b"), org("c")])), None, "test", now()).unwrap();
    l.append("t", events(json!([org("d"), org("e")])), None, "test", now()).unwrap();
    l
}

#[test]
fn append_then_verify_round_trips_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let head = {
        let l = small(&path);
        let (seq, hash) = l.head().unwrap();
        assert_eq!(seq, Seq(5));
        hash
    };
    let v = ledger::verify(&path).unwrap();
    assert_eq!((v.count, v.head), (5, head));
    assert_eq!(v.to_string(), format!("ok: 5 events, head {head}"));
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.head(), Some((Seq(5), head)));
    assert_eq!(l.model().organisations().unwrap().len(), 5);
}

#[test]
fn a_batch_with_one_bad_event_leaves_the_ledger_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let mut l = small(&path);
    let before = l.head();
    // The third event repeats an id: the first two, though valid, must not be written.
    let batch =
        protokol::input::parse_events("batch.json", &json!([org("f"), org("g"), org("a")]).to_string()).unwrap();
    let err = l.append("batch.json", batch, None, "test", now()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("batch.json: event 3: OrganisationRegistered (effective 2025-01-01) refused"), "{msg}");
    assert!(msg.contains("duplicate-id"), "{msg}");
    assert_eq!(protokol::cli::exit_code(&err), 2);
    assert_eq!(l.head(), before);
    assert!(l.model().organisation(&"f".try_into().unwrap()).unwrap().is_none());
    drop(l);
    assert_eq!(ledger::verify(&path).unwrap().count, 5);
}

#[test]
fn an_expected_head_conflict_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let mut l = small(&path);
    let (seq, hash) = l.head().unwrap();
    let stale = Expect::Seq(Seq(3));
    let err = l.append("t", events(json!([org("x")])), Some(stale), "test", now()).unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    assert_eq!(protokol::cli::exit_code(&err), 1);
    assert_eq!(protokol::http::status(&err).0.as_u16(), 409);
    let err = l
        .append("t", events(json!([org("x")])), Some(Expect::Hash(protokol::ids::Hash([7; 32]))), "test", now())
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }));
    assert_eq!(l.head(), Some((seq, hash)));
    // The right expectation, by seq or by hash, goes through.
    l.append("t", events(json!([org("x")])), Some(Expect::Seq(seq)), "test", now()).unwrap();
    let (seq, hash) = l.head().unwrap();
    l.append("t", events(json!([org("y")])), Some(Expect::Hash(hash)), "test", now()).unwrap();
    assert_eq!(l.head().unwrap().0, seq.next());
}

/// Opens the sled database behind a closed ledger, as an attacker or a bad disk would.
pub(crate) fn with_log_tree<T>(path: &std::path::Path, f: impl FnOnce(&sled::Tree) -> T) -> T {
    // The ledger just closed may hold its lock for a moment (see Store::open_sled).
    let mut attempt = 0;
    let db = loop {
        match sled::open(path) {
            Ok(db) => break db,
            Err(e) if attempt < 20 => {
                attempt += 1;
                eprintln!("waiting for the lock: {e}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let tree = db.open_tree("log").unwrap();
    let out = f(&tree);
    db.flush().unwrap();
    out
}

#[test]
fn flipping_one_byte_of_a_stored_record_makes_verify_name_that_seq() {
    for (offset_from_end, expect_body) in [(3usize, true), (0, false)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l");
        drop(small(&path));
        with_log_tree(&path, |t| {
            let key = 3u64.to_be_bytes();
            let mut v = t.get(key).unwrap().unwrap().to_vec();
            // Near the end is inside the body; byte 40 is inside the header.
            let i = if expect_body { v.len() - offset_from_end } else { 40 };
            v[i] ^= 0x01;
            t.insert(key, v).unwrap();
        });
        let err = ledger::verify(&path).unwrap_err();
        let Error::Verify(fault) = &err else { panic!("{err}") };
        assert_eq!(fault.seq, Seq(3), "{err}");
        if expect_body {
            assert!(matches!(fault.problem, Problem::BodyHashMismatch { .. } | Problem::Undecodable(_)), "{err}");
        } else {
            assert!(matches!(fault.problem, Problem::HashMismatch { .. } | Problem::Undecodable(_)), "{err}");
        }
        assert_eq!(protokol::cli::exit_code(&err), 1);
    }
}

#[test]
fn a_deleted_record_is_reported_as_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    with_log_tree(&path, |t| {
        t.remove(2u64.to_be_bytes()).unwrap();
    });
    let err = ledger::verify(&path).unwrap_err();
    let Error::Verify(fault) = &err else { panic!("{err}") };
    assert_eq!(fault.seq, Seq(2));
    assert_eq!(fault.problem, Problem::Gap { expected: Seq(2) });
    assert!(err.to_string().contains("seq 2: gap"), "{err}");
    // Opening does not read the log, but every read of it finds the gap.
    let l = Ledger::open(&path).unwrap();
    let Err(Error::Verify(f)) = l.records_after(Seq(0), 10) else { panic!("the feed must find the gap") };
    assert_eq!(f.problem, Problem::Gap { expected: Seq(2) });
    let Err(Error::Verify(f)) = l.folded(Seq(2)) else { panic!("a fold from the start must find the gap") };
    assert_eq!(f.problem, Problem::Gap { expected: Seq(2) });
}

#[test]
fn a_relinked_record_with_a_recomputed_hash_is_a_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    // Replace record 4 by a well-formed record, hashed correctly, that links to nothing.
    with_log_tree(&path, |t| {
        let key = 4u64.to_be_bytes();
        let mut r = protokol::envelope::Record::decode(&t.get(key).unwrap().unwrap()).unwrap();
        r.header.prev = protokol::ids::Hash([9; 32]);
        let forged = protokol::envelope::Record::seal(r.header, r.body_bytes);
        t.insert(key, forged.encode()).unwrap();
    });
    let err = ledger::verify(&path).unwrap_err();
    let Error::Verify(fault) = &err else { panic!("{err}") };
    assert_eq!(fault.seq, Seq(4));
    assert!(matches!(fault.problem, Problem::BrokenLink { .. }), "{err}");
}

#[test]
fn opening_checks_the_head_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    with_log_tree(&path, |t| {
        let key = 5u64.to_be_bytes();
        let mut v = t.get(key).unwrap().unwrap().to_vec();
        let n = v.len();
        v[n - 2] ^= 0x20;
        t.insert(key, v).unwrap();
    });
    match Ledger::open(&path) {
        Err(Error::Store(StoreError::DamagedHead(f))) => assert_eq!(f.seq, Seq(5)),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a damaged head must not open"),
    }
}

#[test]
fn export_then_import_into_a_fresh_ledger_gives_the_same_head() {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(&dir.path().join("a"));
    let mut out = Vec::new();
    assert_eq!(a.export(&mut out).unwrap(), a.head().unwrap().0 .0);
    let mut b = Ledger::create(&dir.path().join("b")).unwrap();
    let v = b.import_export("x.jsonl", &mut out.as_slice()).unwrap();
    assert_eq!(Some((Seq(v.count), v.head)), a.head());
    assert_eq!(b.head(), a.head());
    assert_eq!(b.model().pairs().unwrap(), a.model().pairs().unwrap());
    // Importing again is refused: an export only goes into an empty ledger.
    assert!(b.import_export("x.jsonl", &mut out.as_slice()).is_err());
}

#[test]
fn an_edited_export_line_is_refused_with_its_line_number() {
    let dir = tempfile::tempdir().unwrap();
    let a = small(&dir.path().join("a"));
    let mut out = Vec::new();
    a.export(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let edits: [(&str, &str); 3] = [
        ("\"name\":\"c\"", "\"name\":\"C\""), // body: body hash no longer matches
        ("\"effective\":\"2025-01-01\",\"hash\"", "\"effective\":\"2025-01-02\",\"hash\""), // header
        ("\"seq\":3", "\"seq\":4"),
    ];
    for (from, to) in edits {
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        lines[2] = lines[2].replacen(from, to, 1);
        assert_ne!(lines[2], text.lines().nth(2).unwrap(), "edit {from:?} must apply");
        let edited = lines.join("\n");
        let mut b = Ledger::create(&dir.path().join(format!("b{}", from.len()))).unwrap();
        let err = b.import_export("edited.jsonl", &mut edited.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("edited.jsonl:3: "), "{err}");
        assert_eq!(b.head(), None, "nothing imported");
    }
    // Dropping a line is a gap at the next one.
    let dropped: Vec<&str> = text.lines().enumerate().filter(|(i, _)| *i != 1).map(|(_, l)| l).collect();
    let mut b = Ledger::create(&dir.path().join("dropped")).unwrap();
    let err = b.import_export("d.jsonl", &mut dropped.join("\n").as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("d.jsonl:2: seq 2: gap"), "{err}");
}

#[test]
fn a_second_opener_gets_a_clear_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let _held = small(&path);
    match Ledger::open(&path) {
        Err(e @ Error::Store(StoreError::Locked(_))) => {
            assert!(e.to_string().contains("in use by another process"), "{e}");
            assert_eq!(protokol::cli::exit_code(&e), 2);
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a ledger in use must not open twice"),
    }
}

#[test]
fn recorded_time_never_goes_backwards() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    l.append("t", events(json!([org("a")])), None, "test", at("2026-02-01T10:00:00Z")).unwrap();
    // The clock jumped back an hour.
    let r = l.append("t", events(json!([org("b")])), None, "test", at("2026-02-01T09:00:00Z")).unwrap();
    assert_eq!(r[0].header.recorded_at.to_string(), "2026-02-01T10:00:00.000000Z");
}

/// Regression: opening used to check only the head while queries folded the records,
/// so they could answer from a tampered record in the middle of the log. Queries now
/// answer from the projection written with each append, and every read of a record
/// checks it.
#[test]
fn a_tampered_record_never_reaches_an_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    with_log_tree(&path, |t| {
        let key = 2u64.to_be_bytes();
        let mut v = t.get(key).unwrap().unwrap().to_vec();
        let needle = b"\"name\":\"b\"";
        let at = v.windows(needle.len()).position(|w| w == needle).unwrap();
        v[at + needle.len() - 2] = b'B';
        t.insert(key, v).unwrap();
    });
    let l = Ledger::open(&path).unwrap();
    assert_eq!(
        l.model().organisation(&"b".try_into().unwrap()).unwrap().unwrap().name,
        "b",
        "the answer is the honest one"
    );
    let damaged = |e: Error| match e {
        Error::Verify(f) => {
            assert_eq!(f.seq, Seq(2));
            assert!(matches!(f.problem, Problem::BodyHashMismatch { .. }), "{f}");
        }
        e => panic!("unexpected error: {e}"),
    };
    damaged(l.entry(Seq(2)).unwrap_err());
    damaged(l.records_after(Seq(0), 10).unwrap_err());
    damaged(l.folded(Seq(2)).err().expect("a fold from the start reads the damaged record"));
    damaged(l.verify().unwrap_err());
}

/// Regression (found by the crash test): a process killed while sled wrote a snapshot
/// left `snap.N.generating`, which sled 0.34 then read as the newest snapshot, failing
/// every later open with "Read corrupted data".
#[test]
fn an_unfinished_snapshot_left_by_a_killed_process_does_not_brick_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let head = small(&path).head();
    std::fs::write(path.join("snap.FFFFFFFFFFFFFFFF.generating"), b"").unwrap();
    let l = Ledger::open(&path).expect("opens despite the leftover");
    assert_eq!(l.head(), head);
    assert_eq!(l.verify().unwrap().count, 5);
    assert!(!path.join("snap.FFFFFFFFFFFFFFFF.generating").exists());
}

#[test]
fn a_log_cut_short_at_its_end_is_caught_by_the_recorded_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    with_log_tree(&path, |t| {
        t.remove(5u64.to_be_bytes()).unwrap();
        t.remove(4u64.to_be_bytes()).unwrap();
    });
    let err = ledger::verify(&path).unwrap_err();
    let Error::Verify(fault) = &err else { panic!("{err}") };
    assert_eq!(fault.seq, Seq(4), "{err}");
    assert!(err.to_string().contains("the recorded head is seq 5"), "{err}");
    assert!(Ledger::open(&path).is_err());
}

/// Appends check a batch against the live history and roll it back on refusal; the
/// rolled-back history must be exactly the one the ledger holds on disk.
#[test]
fn a_refused_batch_rolls_the_history_back_to_what_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let mut l = seeded(&path);
    let bad = json!([
        {"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}},
        {"effective": "2026-02-01", "kind": "MemberLeft", "body": {"person": "flemming-sonne", "group": "styregruppen"}},
        {"effective": "2026-02-01", "kind": "MemberLeft", "body": {"person": "flemming-sonne", "group": "styregruppen"}}
    ]);
    assert!(l.append("t", events(bad), None, "test", now()).is_err());
    let after_refusal = l.model().pairs().unwrap();
    let head = l.head();
    drop(l);
    let reopened = Ledger::open(&path).unwrap();
    assert_eq!(reopened.head(), head);
    assert_eq!(reopened.model().pairs().unwrap(), after_refusal);
}

#[test]
fn the_generated_workload_is_accepted_whole_and_is_deterministic() {
    let a = protokol::gen::generate(3_000, 42);
    let b = protokol::gen::generate(3_000, 42);
    assert_eq!(a, b, "same seed, same events");
    assert_ne!(a, protokol::gen::generate(3_000, 43));
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let mut n = 0;
    for batch in a {
        n += l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}")).len();
    }
    assert!(n >= 3_000);
    let m = l.model();
    assert!(
        m.meetings().unwrap().len() > 30 && m.decisions().unwrap().len() > 100 && m.actions().unwrap().len() > 20,
        "a realistic mix"
    );
    assert!(m.memberships().unwrap().iter().any(|x| x.end.is_some()), "people leave");
    assert_eq!(l.verify().unwrap().count, n as u64);
    // A rebuild moving the derived projection to a scratch store every 1,000 writes, as
    // a long log's does, derives the same projection, history and all.
    let incremental = l.model().pairs().unwrap();
    drop(m);
    assert_eq!(l.rebuild_spilling_every(1_000).unwrap().count, n as u64);
    assert!(l.model().pairs().unwrap() == incremental, "the rebuilt projection differs");
    let path = l.path().to_path_buf();
    drop(l);
    let row = with_log_tree(&path, |t| {
        let (k, v) = t.scan_prefix(b"~decg/").last().unwrap().unwrap();
        let at = v.windows(10).position(|w| w == b"beslutning").expect("a decision row carries its text");
        let mut edited = v.to_vec();
        edited[at..at + 10].copy_from_slice(b"BESLUTNING");
        t.insert(&k, edited).unwrap();
        String::from_utf8_lossy(&k).into_owned()
    });
    let err = Ledger::open(&path).unwrap().verify().unwrap_err();
    assert!(matches!(err, Error::Projection(_)) && err.to_string().contains(&row[1..]), "{err}");
}

/// The projection is a derived copy: edited behind the log's back, `verify` finds the
/// key that differs and `rebuild` restores it from the log.
#[test]
fn an_edited_projection_fails_verify_and_rebuild_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let honest = small(&path).model().pairs().unwrap();
    with_log_tree(&path, |t| {
        let key = b"~org/b";
        let v = t.get(key).unwrap().expect("organisation b is in the projection").to_vec();
        let edited = String::from_utf8(v).unwrap().replace("\"name\":\"b\"", "\"name\":\"B\"");
        t.insert(key, edited.as_bytes()).unwrap();
    });
    let err = ledger::verify(&path).unwrap_err();
    assert!(matches!(err, Error::Projection(_)), "{err}");
    assert!(err.to_string().contains("org/b"), "{err}");
    assert_eq!(protokol::cli::exit_code(&err), 1);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.model().organisation(&"b".try_into().unwrap()).unwrap().unwrap().name, "B", "what was edited");
    l.rebuild().unwrap();
    assert_eq!(l.model().pairs().unwrap(), honest);
    drop(l);
    ledger::verify(&path).unwrap();
}

/// `verify` replays each event over the stored state as it stood before it and holds
/// the store to what the event wrote, then counts what else it holds. So every kind of
/// stored key (the first and the last of each: entities, lookups, register rows,
/// versions, undo records) dropped, edited, given another `since`, or copied under a key
/// of its own must fail it, and the ledger put back must pass.
#[test]
fn every_damage_to_the_stored_projection_or_its_history_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    {
        let mut l = Ledger::create(&path).unwrap();
        for batch in protokol::gen::generate(1_500, 3) {
            l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = with_log_tree(&path, |t| {
        t.scan_prefix(b"~")
            .map(|p| p.unwrap())
            .filter(|(k, _)| !k.starts_with(b"~~"))
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect()
    });
    let kind = |k: &[u8]| {
        let s = String::from_utf8_lossy(k).into_owned();
        let parts: Vec<&str> = s.split('/').collect();
        if parts[0] == "~ver" {
            format!("~ver/{}", parts[1])
        } else {
            parts[0].to_string()
        }
    };
    let mut picked: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, (k, _)) in pairs.iter().enumerate() {
        let seen = picked.entry(kind(k)).or_default();
        if seen.len() == 2 {
            seen.pop();
        }
        seen.push(i);
    }
    for expected in ["~undo", "~ver/meett", "~ver/decg", "~ver/mem", "~corr", "~decgo", "~att"] {
        assert!(picked.contains_key(expected), "the workload stores {expected} keys: {:?}", picked.keys());
    }
    let edited = |v: &[u8]| {
        let mut v = v.to_vec();
        match (8..v.len()).rev().find(|&i| v[i].is_ascii_lowercase()) {
            Some(at) => v[at] = v[at].to_ascii_uppercase(),
            None => v.push(b'x'), // a mark: its `since` alone
        }
        v
    };
    let since_moved = |v: &[u8]| {
        let since = u64::from_be_bytes(v[..8].try_into().unwrap());
        [&(since + 1).to_be_bytes()[..], &v[8..]].concat()
    };
    let keys: std::collections::BTreeSet<&[u8]> = pairs.iter().map(|(k, _)| k.as_slice()).collect();
    // A key the store does not hold: a version or an undo record under another seq, or
    // a state key of another name.
    let elsewhere = |k: &[u8]| {
        let s = String::from_utf8_lossy(k).into_owned();
        let other = |n: u64| match s.rsplit_once(['\0', '/']) {
            Some((head, seq)) if s.starts_with("~ver/") || s.starts_with("~undo/") => {
                let seq = u64::from_str_radix(seq, 16).unwrap() + 16 * n;
                format!("{head}{}{seq:016x}", &s[head.len()..head.len() + 1]).into_bytes()
            }
            _ => format!("{s}-{n}").into_bytes(),
        };
        (1..).map(other).find(|k| !keys.contains(k.as_slice())).unwrap()
    };
    let earlier_version = |k: &[u8], v: &[u8]| {
        let s = String::from_utf8_lossy(k).into_owned();
        let (head, seq) = s.strip_prefix("~ver/")?.rsplit_once('\0')?;
        let (at, since) = (u64::from_str_radix(seq, 16).unwrap(), u64::from_be_bytes(v[..8].try_into().unwrap()));
        let earlier = format!("~ver/{head}\0{:016x}", at - 1).into_bytes();
        (at - 1 > since && !keys.contains(earlier.as_slice())).then_some(earlier)
    };
    let (mut runs, mut moved_earlier) = (0, 0);
    for (k, v) in picked.values().flatten().map(|&i| &pairs[i]) {
        let mut damages = vec![
            ("dropped", vec![(k.clone(), None)]),
            ("edited", vec![(k.clone(), Some(edited(v)))]),
            ("copied", vec![(elsewhere(k), Some(v.clone()))]),
            ("moved", vec![(k.clone(), None), (elsewhere(k), Some(v.clone()))]),
        ];
        if !k.starts_with(b"~undo/") {
            damages.push(("given another since", vec![(k.clone(), Some(since_moved(v)))]));
        }
        // A version moved to a seq before the change that wrote it, but after its value
        // was written: as-of reads in between would miss the value.
        if let Some(earlier) = earlier_version(k, v) {
            moved_earlier += 1;
            damages.push(("moved earlier", vec![(k.clone(), None), (earlier, Some(v.clone()))]));
        }
        for (what, writes) in damages {
            let key = String::from_utf8_lossy(k).replace('\0', "@");
            with_log_tree(&path, |t| {
                for (wk, wv) in &writes {
                    match wv {
                        Some(wv) => t.insert(wk, wv.as_slice()).unwrap(),
                        None => t.remove(wk).unwrap(),
                    };
                }
            });
            let found = Ledger::open(&path).and_then(|l| l.verify());
            assert!(matches!(found, Err(Error::Projection(_))), "{key} {what}: {found:?}");
            with_log_tree(&path, |t| {
                for (wk, _) in &writes {
                    t.remove(wk).unwrap();
                }
                t.insert(k, v.as_slice()).unwrap();
            });
            runs += 1;
        }
    }
    assert!(runs > 100 && moved_earlier > 0, "{runs} damages tried, {moved_earlier} versions moved earlier");
    Ledger::open(&path).unwrap().verify().unwrap();
}

/// A ledger whose projection is missing (written by an older protokol, or lost) gets one
/// derived from its log on open, and answers as before.
#[test]
fn a_ledger_without_its_projection_rebuilds_it_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let honest = small(&path).model().pairs().unwrap();
    with_log_tree(&path, |t| {
        let keys: Vec<_> = t.scan_prefix(b"~").keys().map(|k| k.unwrap()).collect();
        assert!(keys.len() > 5);
        for k in keys {
            t.remove(k).unwrap();
        }
    });
    assert_eq!(Ledger::open(&path).unwrap().model().pairs().unwrap(), honest);
    ledger::verify(&path).unwrap();
}

/// A projection value that cannot be read back is an error for the query, never an
/// answer with something missing.
#[test]
fn an_unreadable_projection_value_is_an_error_not_a_gap_in_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(small(&path));
    with_log_tree(&path, |t| {
        t.insert(b"~org/c", b"{not json".to_vec()).unwrap();
    });
    let l = Ledger::open(&path).unwrap();
    let err = Error::from(l.model().organisations().unwrap_err());
    assert!(matches!(err, Error::Read(_)), "reported, not read as absent: {err}");
    assert!(err.to_string().contains("org/c"), "{err}");
    assert_eq!(protokol::http::status(&err).0.as_u16(), 500);
    assert_eq!(protokol::cli::exit_code(&err), 3);
    // The failure belongs to the answer that read the key; one that does not is fine.
    assert!(l.model().organisation(&"a".try_into().unwrap()).unwrap().is_some());
}

/// A projection written by another version's key layout (its head says which) is not
/// read: opening rebuilds it from the log.
#[test]
fn a_projection_of_another_layout_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let honest = small(&path).model().pairs().unwrap();
    with_log_tree(&path, |t| {
        let mut head = t.get(b"~~head").unwrap().expect("the projection's head").to_vec();
        assert!(head.starts_with(b"v"), "a version leads the projection's head");
        head[1] = b'0';
        t.insert(b"~~head", head).unwrap();
        // What an older layout left behind goes too.
        t.insert(b"~old/key", b"\"value\"".to_vec()).unwrap();
    });
    assert_eq!(Ledger::open(&path).unwrap().model().pairs().unwrap(), honest);
    ledger::verify(&path).unwrap();
}

/// Every pair of every tree of the sled database at `path`, the way `compact` must keep
/// them: tree by tree, in key order.
/// Every pair of every tree, read with sled's own API; sled refuses to open a database
/// kept with the other `storage`, so this also tells how it is kept.
fn every_stored_pair(path: &std::path::Path, storage: Storage) -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let db = sled::Config::new().path(path).use_compression(storage == Storage::Compressed).open().unwrap();
    let mut names = db.tree_names();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        for pair in db.open_tree(&name).unwrap().iter() {
            let (k, v) = pair.unwrap();
            out.push((name.to_vec(), k.to_vec(), v.to_vec()));
        }
    }
    out
}

fn generated(path: &std::path::Path, events: usize) -> Ledger {
    let mut l = Ledger::create(path).unwrap();
    for batch in protokol::gen::generate(events, 5) {
        l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}"));
    }
    l
}

/// What a compaction writes is the ledger, byte for byte, in less space; the ledger then
/// verifies, answers as before and takes new appends.
#[test]
fn compacting_keeps_every_stored_byte_and_gives_back_space() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let head = generated(&path, 10_000).head().unwrap();
    let before = every_stored_pair(&path, Storage::Plain);
    let compacted = ledger::compact(&path, None).unwrap();
    assert_eq!(compacted.pairs, before.len() as u64);
    assert!(
        compacted.bytes_after * 10 < compacted.bytes_before * 9,
        "{} bytes after, {} before",
        compacted.bytes_after,
        compacted.bytes_before
    );
    assert!(!dir.path().join("l.compacting").exists(), "the old database is removed");
    assert_eq!(every_stored_pair(&path, Storage::Plain), before);
    let v = ledger::verify(&path).unwrap();
    assert_eq!((v.count, v.head), (head.0 .0, head.1));
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.head(), Some(head));
    l.append("t", events(json!([org("after-compacting")])), None, "test", now()).unwrap();
    drop(l);
    assert_eq!(ledger::verify(&path).unwrap().count, head.0 .0 + 1);
}

/// Compressed storage, chosen when compacting: the same pairs in less than half the
/// space of plain, opened as such by the next open (sled refuses the other setting) and
/// kept by the next compaction; plain again on request.
#[test]
fn compacting_compressed_keeps_every_stored_byte_in_less_space_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let head = generated(&path, 10_000).head().unwrap();
    let before = every_stored_pair(&path, Storage::Plain);
    let plain = ledger::compact(&path, None).unwrap();
    assert_eq!(plain.storage, Storage::Plain);
    let compressed = ledger::compact(&path, Some(Storage::Compressed)).unwrap();
    assert_eq!(compressed.storage, Storage::Compressed);
    assert!(
        compressed.bytes_after * 2 < plain.bytes_after,
        "{} bytes compressed, {} plain",
        compressed.bytes_after,
        plain.bytes_after
    );
    assert_eq!(every_stored_pair(&path, Storage::Compressed), before);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.head(), Some(head));
    l.append("t", events(json!([org("after-compressing")])), None, "test", now()).unwrap();
    drop(l);
    assert_eq!(ledger::verify(&path).unwrap().count, head.0 .0 + 1);
    assert_eq!(ledger::compact(&path, None).unwrap().storage, Storage::Compressed);
    let appended = every_stored_pair(&path, Storage::Compressed);
    assert!(appended.len() > before.len());
    let back = ledger::compact(&path, Some(Storage::Plain)).unwrap();
    assert!(back.bytes_after > back.bytes_before, "{back:?}");
    assert_eq!(every_stored_pair(&path, Storage::Plain), appended);
    assert_eq!(ledger::verify(&path).unwrap().count, head.0 .0 + 1);
}

/// A compaction stopped before it finished leaves its copy (or, after the exchange, the
/// old database) beside the ledger; the ledger is whole, and the next compaction clears it.
#[test]
fn a_compaction_left_unfinished_is_cleared_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let head = small(&path).head().unwrap();
    let left = dir.path().join("l.compacting");
    std::fs::create_dir(&left).unwrap();
    std::fs::write(left.join("db"), b"half a copy").unwrap();
    assert_eq!(Ledger::open(&path).unwrap().head(), Some(head));
    ledger::compact(&path, None).unwrap();
    assert!(!left.exists());
    assert_eq!(ledger::verify(&path).unwrap().head, head.1);
}

#[test]
fn a_ledger_in_use_is_not_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let held = small(&path);
    match ledger::compact(&path, None) {
        Err(Error::Store(StoreError::Locked(_))) => {}
        other => panic!("expected the ledger to be locked, got {other:?}"),
    }
    assert!(!dir.path().join("l.compacting").exists());
    drop(held);
    ledger::verify(&path).unwrap();
}

/// A kept approved document changed on disk, or one no approval names, fails verify.
#[test]
fn a_kept_document_that_is_not_what_was_approved_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let doc = dir.path().join("referat.txt");
    std::fs::write(&doc, "Referatet som godkendt.").unwrap();
    assert_eq!(
        protokol(&path, &["approve-minutes", "styregruppen", "4", "--file", doc.to_str().unwrap()], None).code,
        0
    );
    let hash = protokol::hash::document_hash(b"Referatet som godkendt.");
    let key = [b"idoc/".as_slice(), &hash.0].concat();
    with_log_tree(&path, |t| t.insert(&key, b"Referatet som rettet bagefter.".as_slice()).unwrap());
    let r = protokol(&path, &["verify"], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("a kept document hashes to"), "{}", r.stderr);
    let stray = protokol::hash::document_hash(b"ingen godkendelse");
    with_log_tree(&path, |t| {
        t.insert(&key, b"Referatet som godkendt.".as_slice()).unwrap();
        t.insert([b"idoc/".as_slice(), &stray.0].concat(), b"ingen godkendelse".as_slice()).unwrap()
    });
    let r = protokol(&path, &["verify"], None);
    assert!(r.code == 1 && r.stderr.contains("is named by no approval of minutes"), "{}", r.stderr);
}
