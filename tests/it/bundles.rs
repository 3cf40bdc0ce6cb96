//! Records and the tree's hashes kept in bundles (issue 20, part 6): a bundled log
//! reads, verifies, proves, erases and exports as one stored a record a key, a ledger
//! stored the old way keeps working and bundles what it completes, and damage inside a
//! bundle is named by seq.

use crate::common::*;
use crate::ledger::with_log_tree;
use protokol::ids::Seq;
use protokol::Ledger;
use std::collections::{BTreeMap, BTreeSet};
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
fn split(bundle: &[u8], len: usize) -> Vec<Vec<u8>> {
    assert_eq!(bundle[0], 1, "version 1");
    let mut rest = &bundle[1..];
    let mut values = Vec::new();
    while !rest.is_empty() {
        let n = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
        values.push(rest[4..4 + n].to_vec());
        rest = &rest[4 + n..];
    }
    assert_eq!(values.len(), len);
    values
}

/// Where a sequence's single values and its bundles are kept (FORMAT.md).
pub(crate) struct Place {
    singles: &'static [u8],
    end: &'static [u8],
    bundles: &'static [u8],
    first: u64,
    len: u64,
}

pub(crate) const RECORDS: Place = Place { singles: b"", end: b"head", bundles: b"rec/", first: 1, len: 8 };
const TREE: Place = Place { singles: b"mtree/", end: b"mtree0", bundles: b"mtreeb/", first: 0, len: 128 };

/// Bundles and single values hold each index of `first..first + count` once: every
/// bundle a whole group, and (the rest of the log aside) nearly every group bundled.
fn holds_once(p: &Place, (bundles, singles): &(Vec<u64>, Vec<u64>), count: u64) {
    let mut all: Vec<u64> = singles.clone();
    for b in bundles {
        assert_eq!((b - p.first) % p.len, 0, "a bundle starts a group: {b}");
        all.extend(*b..b + p.len);
    }
    all.sort();
    assert_eq!(all, (p.first..p.first + count).collect::<Vec<_>>());
    let groups = count / p.len;
    assert!(bundles.len() as u64 * 10 >= groups * 9, "{} of {groups} groups bundled", bundles.len());
}

/// The first index of each bundle, and each single value's index.
fn keys(t: &sled::Tree, p: &Place) -> (Vec<u64>, Vec<u64>) {
    let index = |k: &[u8], prefix: &[u8]| u64::from_be_bytes(k[prefix.len()..].try_into().unwrap());
    let bundles = t.scan_prefix(p.bundles).map(|kv| index(&kv.unwrap().0, p.bundles)).collect();
    let singles = t
        .range(p.singles..p.end)
        .map(|kv| kv.unwrap().0)
        .filter(|k| k.len() == p.singles.len() + 8 && k.starts_with(p.singles))
        .map(|k| index(&k, p.singles))
        .collect();
    (bundles, singles)
}

/// Every bundle spread out again into one key a value: a ledger as protokol stored it
/// before bundles.
fn unbundle(t: &sled::Tree, p: &Place) {
    let (bundles, _) = keys(t, p);
    for first in bundles {
        let bundle = t.remove([p.bundles, &first.to_be_bytes()].concat()).unwrap().unwrap();
        for (i, v) in split(&bundle, p.len as usize).into_iter().enumerate() {
            t.insert([p.singles, &(first + i as u64).to_be_bytes()].concat(), v).unwrap();
        }
    }
}

/// A stored sequence read whole, whichever form each value is kept in: to damage it
/// through sled as a disk or a person could, and put it back.
pub(crate) struct Spread {
    pub values: BTreeMap<u64, Vec<u8>>,
    bundled: BTreeSet<u64>,
}

pub(crate) fn spread(t: &sled::Tree, p: &Place) -> Spread {
    let (bundles, singles) = keys(t, p);
    let mut values = BTreeMap::new();
    for &first in &bundles {
        let bundle = t.get([p.bundles, &first.to_be_bytes()].concat()).unwrap().unwrap();
        values.extend(split(&bundle, p.len as usize).into_iter().enumerate().map(|(i, v)| (first + i as u64, v)));
    }
    for i in singles {
        values.insert(i, t.get([p.singles, &i.to_be_bytes()].concat()).unwrap().unwrap().to_vec());
    }
    Spread { values, bundled: bundles.into_iter().collect() }
}

/// Writes `s` back in place of what is stored: a group bundled before and still whole
/// stays one bundle (its values as they are now), any other value is a single key.
pub(crate) fn put_back(t: &sled::Tree, p: &Place, s: &Spread) {
    let (bundles, singles) = keys(t, p);
    for b in bundles {
        t.remove([p.bundles, &b.to_be_bytes()].concat()).unwrap();
    }
    for i in singles {
        t.remove([p.singles, &i.to_be_bytes()].concat()).unwrap();
    }
    let whole = |first: u64| (first..first + p.len).all(|i| s.values.contains_key(&i));
    for (&i, v) in &s.values {
        let first = i - (i - p.first) % p.len;
        if !(s.bundled.contains(&first) && whole(first)) {
            t.insert([p.singles, &i.to_be_bytes()].concat(), v.clone()).unwrap();
        }
    }
    for &first in s.bundled.iter().filter(|&&f| whole(f)) {
        let mut bundle = vec![1u8];
        for i in first..first + p.len {
            bundle.extend_from_slice(&(s.values[&i].len() as u32).to_be_bytes());
            bundle.extend_from_slice(&s.values[&i]);
        }
        t.insert([p.bundles, &first.to_be_bytes()].concat(), bundle).unwrap();
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

    // Whole groups are bundles; the rest of the log is one record a key.
    with_log_tree(&path, |t| {
        let records = keys(t, &RECORDS);
        holds_once(&RECORDS, &records, n);
        assert!(
            records.1.iter().filter(|&&s| s > n / 8 * 8).count() as u64 == n % 8,
            "the last, incomplete group single"
        );
        holds_once(&TREE, &keys(t, &TREE), stored_hashes);
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
        // Groups whole before the append stay single keys; the ones it completes are bundles.
        assert!(bundles.iter().all(|&b| b > n / 8 * 8 - 8), "{bundles:?}");
        assert_eq!(bundles.len() as u64, m / 8 - n / 8);
        assert_eq!(singles.len() as u64 + bundles.len() as u64 * 8, m);
    });
    assert!(export(&path).starts_with(&before));
}

#[test]
fn damage_inside_a_bundle_is_named_by_seq_and_an_erasure_in_a_bundle_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    generated(&path, 600);
    // Seq 300 is in the group of seqs 297 to 304.
    let bundle_key = [&b"rec/"[..], &297u64.to_be_bytes()].concat();
    let pristine = with_log_tree(&path, |t| t.get(&bundle_key).unwrap().unwrap().to_vec());

    // One byte of seq 300's body (its last) flipped: verify names seq 300.
    let mut values = split(&pristine, 8);
    *values[300 - 297].last_mut().unwrap() ^= 1;
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
    assert!(run.stderr.contains("seq 297"), "{}", run.stderr);

    // Whole again, an event in the bundle erased: the bundle holds the erased record,
    // and the log verifies.
    with_log_tree(&path, |t| t.insert(&bundle_key, pristine.clone()).unwrap());
    let lines = export(&path);
    let target = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["seq"].as_u64().unwrap() > 8 && e["kind"] == "ActionCompleted")
        .expect("an action completed after the first bundle");
    let seq = target["seq"].as_u64().unwrap().to_string();
    let run = protokol(&path, &["redact", &seq, "--reason", "a mistake", "--yes"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(protokol(&path, &["verify"], None).code, 0);
    let line = export(&path).lines().nth(seq.parse::<usize>().unwrap() - 1).unwrap().to_string();
    assert!(line.contains("\"redacted\":{\"by\":") && !line.contains("\"body\""), "{line}");
    let n: u64 = seq.parse().unwrap();
    let its_bundle = [&b"rec/"[..], &(1 + (n - 1) / 8 * 8).to_be_bytes()].concat();
    let held = with_log_tree(&path, |t| t.get(&its_bundle).unwrap().map(|b| split(&b, 8)));
    let held = held.expect("the erased record's group is a bundle");
    assert_eq!(held[((n - 1) % 8) as usize][0], 2, "the bundle holds the record erased (record version 2)");
}
