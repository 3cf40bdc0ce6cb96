//! Records and the tree's hashes kept 256 to a bundle (issue 20, part 6): a bundled log
//! reads, verifies, proves, erases and exports as one stored a record a key, a ledger
//! stored the old way keeps working and bundles what it completes, and damage inside a
//! bundle is named by seq.

use crate::common::*;
use crate::ledger::with_log_tree;
use protokol::ids::Seq;
use protokol::Ledger;
use std::path::Path;

/// A generated ledger of a little over `events` events; its size.
fn generated(path: &Path, events: u64) -> u64 {
    let run = protokol(path, &["gen", "--events", &events.to_string(), "--seed", "3"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    Ledger::open(path).unwrap().head_seq().0
}

fn export(path: &Path) -> String {
    let mut out = Vec::new();
    Ledger::open(path).unwrap().export(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A bundle's values, read as FORMAT.md's "Stored form" says.
fn split(bundle: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!(bundle[0], 1, "version 1");
    let mut rest = &bundle[1..];
    let mut values = Vec::new();
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
        values.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    assert_eq!(values.len(), 256);
    values
}

/// Where a sequence's single values and its bundles are kept (FORMAT.md).
struct Place {
    singles: &'static [u8],
    end: &'static [u8],
    bundles: &'static [u8],
}

const RECORDS: Place = Place { singles: b"", end: b"head", bundles: b"rec/" };
const TREE: Place = Place { singles: b"mtree/", end: b"mtree0", bundles: b"mtreeb/" };

/// The first index of each bundle, and each single value's index.
fn keys(t: &sled::Tree, p: &Place) -> (Vec<u64>, Vec<u64>) {
    let index = |k: &[u8], prefix: &[u8]| u64::from_be_bytes(k[prefix.len()..].try_into().unwrap());
    let bundles = t.scan_prefix(p.bundles).map(|kv| index(&kv.unwrap().0, p.bundles)).collect();
    let singles = t.range(p.singles..p.end).map(|kv| index(&kv.unwrap().0, p.singles)).collect();
    (bundles, singles)
}

/// Every bundle spread out again into one key a value: a ledger as protokol stored it
/// before bundles.
fn unbundle(t: &sled::Tree, p: &Place) {
    let (bundles, _) = keys(t, p);
    for first in bundles {
        let bundle = t.remove([p.bundles, &first.to_be_bytes()].concat()).unwrap().unwrap();
        for (i, v) in split(&bundle).into_iter().enumerate() {
            t.insert([p.singles, &(first + i as u64).to_be_bytes()].concat(), v).unwrap();
        }
    }
}

#[test]
fn a_bundled_log_reads_verifies_and_proves_and_one_stored_the_old_way_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let n = generated(&path, 700);
    let before = export(&path);
    let (size, root) = Ledger::open(&path).unwrap().tree_root().unwrap();
    assert_eq!(size, n);
    let stored_hashes = protokol::merkle::stored_count(n);

    // Whole groups of 256 are bundles; the rest of the log is one record a key.
    with_log_tree(&path, |t| {
        let (bundles, singles) = keys(t, &RECORDS);
        let full = n / 256;
        assert_eq!(bundles, (0..full).map(|g| g * 256 + 1).collect::<Vec<_>>());
        assert_eq!(singles, (full * 256 + 1..=n).collect::<Vec<_>>());
        let (bundles, singles) = keys(t, &TREE);
        assert_eq!(bundles, (0..stored_hashes / 256).map(|g| g * 256).collect::<Vec<_>>());
        assert_eq!(singles, (stored_hashes / 256 * 256..stored_hashes).collect::<Vec<_>>());
    });
    let l = Ledger::open(&path).unwrap();
    l.verify().unwrap();
    for seq in [1, 256, 257, 300, 512, n] {
        let line = before.lines().nth(seq as usize - 1).unwrap();
        assert_eq!(l.record(Seq(seq)).unwrap().to_export_line().unwrap(), line);
    }
    assert_eq!(
        l.entries_after(Seq(250), 10).unwrap().iter().map(|e| e.seq.0).collect::<Vec<_>>(),
        (251..=260).collect::<Vec<_>>()
    );
    drop(l);
    // A proof of a bundled event checks.
    let key = dir.path().join("k");
    let run = protokol(&path, &["key", "init", "--origin", "gen.example/log", "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bundle = dir.path().join("p.json");
    let run =
        protokol(&path, &["prove", "300", "--key", key.to_str().unwrap(), "--out", bundle.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = protokol(&path, &["verify-proof", bundle.to_str().unwrap(), "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Stored the old way, one value a key: the same log, the same tree, and appends
    // that complete a group bundle it, old values and new.
    with_log_tree(&path, |t| {
        unbundle(t, &RECORDS);
        unbundle(t, &TREE);
        assert!(keys(t, &RECORDS).0.is_empty());
    });
    let l = Ledger::open(&path).unwrap();
    l.verify().unwrap();
    assert_eq!(l.tree_root().unwrap(), (size, root));
    drop(l);
    assert_eq!(export(&path), before);
    let mut l = Ledger::open(&path).unwrap();
    let people: Vec<_> = (0..300)
        .map(|i| {
            serde_json::json!({"effective": "2026-03-01", "kind": "PersonRegistered",
            "body": {"person": format!("bundle-person-{i}"), "name": format!("Person {i}")}})
        })
        .collect();
    l.append("t", events(serde_json::Value::Array(people)), None, "t", now()).unwrap();
    l.verify().unwrap();
    drop(l);
    let m = n + 300;
    with_log_tree(&path, |t| {
        let (bundles, singles) = keys(t, &RECORDS);
        let done = n / 256; // groups whole before the append stay single keys
        assert_eq!(bundles, (done..m / 256).map(|g| g * 256 + 1).collect::<Vec<_>>());
        assert_eq!(singles.len() as u64, done * 256 + m % 256);
    });
    assert!(export(&path).starts_with(&before));
}

#[test]
fn damage_inside_a_bundle_is_named_by_seq_and_an_erasure_in_a_bundle_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    generated(&path, 600);
    let bundle_key = [&b"rec/"[..], &257u64.to_be_bytes()].concat();
    let pristine = with_log_tree(&path, |t| t.get(&bundle_key).unwrap().unwrap().to_vec());

    // One byte of seq 300's body (its last) flipped: verify names seq 300.
    let mut values = split(&pristine);
    *values[300 - 257].last_mut().unwrap() ^= 1;
    let mut damaged = vec![1u8];
    for v in &values {
        damaged.extend_from_slice(&(v.len() as u32).to_be_bytes());
        damaged.extend_from_slice(v);
    }
    with_log_tree(&path, |t| t.insert(&bundle_key, damaged.clone()).unwrap());
    let run = protokol(&path, &["verify"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("seq 300"), "{}", run.stderr);

    // A bundle cut short: verify names its first seq.
    with_log_tree(&path, |t| t.insert(&bundle_key, &pristine[..pristine.len() - 10]).unwrap());
    let run = protokol(&path, &["verify"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("seq 257"), "{}", run.stderr);

    // Whole again, an event in the bundle erased: the bundle holds the erased record,
    // and the log verifies.
    with_log_tree(&path, |t| t.insert(&bundle_key, pristine.clone()).unwrap());
    let lines = export(&path);
    let target = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["seq"].as_u64().unwrap() > 256 && e["kind"] == "ActionCompleted")
        .expect("an action completed in the second bundle");
    let seq = target["seq"].as_u64().unwrap().to_string();
    let run = protokol(&path, &["redact", &seq, "--reason", "a mistake", "--yes"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(protokol(&path, &["verify"], None).code, 0);
    let line = export(&path).lines().nth(seq.parse::<usize>().unwrap() - 1).unwrap().to_string();
    assert!(line.contains("\"redacted\":{\"by\":") && !line.contains("\"body\""), "{line}");
    let still = with_log_tree(&path, |t| t.get(&bundle_key).unwrap().is_some());
    assert!(still, "the erased record is in its bundle");
}
