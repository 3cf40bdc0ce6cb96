//! The Merkle tree over the log (issue 20, part 1): written with the records, its root the
//! one the export's hashes give, built once for a ledger written before it, and checked
//! by verify.

use crate::common::*;
use crate::ledger::with_log_tree;
use protokol::merkle::{self, RootFromLeaves};
use protokol::Ledger;

/// The root an outsider computes from an export alone: RFC 6962 over each line's `hash`.
fn root_of_export(export: &str) -> merkle::TreeHash {
    let mut tree = RootFromLeaves::default();
    for line in export.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let _ = tree.push(&protokol::ids::Hash::from_hex(v["hash"].as_str().unwrap()).unwrap());
    }
    tree.root()
}

#[test]
fn the_tree_is_written_with_the_log_and_its_root_is_the_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let mut l = seeded(&path);
    let (size, root) = l.tree_root().unwrap();
    assert_eq!(size, l.head_seq().0);
    let mut export = Vec::new();
    l.export(&mut export).unwrap();
    assert_eq!(root, root_of_export(&String::from_utf8(export).unwrap()));
    // Each append extends it in the same write; an inclusion proof checks against it.
    l.append("t", events(serde_json::json!([{"effective": "2026-02-03", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}])), None, "test", now()).unwrap();
    let (size, root) = l.tree_root().unwrap();
    assert_eq!(size, 110);
    let mut export = Vec::new();
    l.export(&mut export).unwrap();
    assert_eq!(root, root_of_export(&String::from_utf8(export).unwrap()));
    l.verify().unwrap();
}

#[test]
fn a_ledger_written_before_the_tree_gets_it_on_open_and_a_damaged_tree_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let root = {
        let l = seeded(&path);
        l.tree_root().unwrap()
    };
    // As the binaries before the tree left a ledger: no `mtree` keys at all.
    with_log_tree(&path, |t| {
        let keys: Vec<_> = t.scan_prefix(b"mtree").map(|kv| kv.unwrap().0).collect();
        assert!(!keys.is_empty());
        for k in keys {
            t.remove(k).unwrap();
        }
    });
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.tree_root().unwrap(), root, "built again from the records, the same tree");
    l.verify().unwrap();
    drop(l);
    // One stored hash changed: verify names the tree.
    with_log_tree(&path, |t| {
        let (k, _) = t.scan_prefix(b"mtree/").nth(5).unwrap().unwrap();
        t.insert(k, vec![7u8; 32]).unwrap();
    });
    let l = Ledger::open(&path).unwrap();
    let err = l.verify().unwrap_err().to_string();
    assert!(err.contains("Merkle tree: a hash the tree keeps for this record is not the one it gives"), "{err}");
}

#[test]
fn format_mds_python_computes_the_same_root_from_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let l = seeded(&path);
    let (size, root) = l.tree_root().unwrap();
    let mut export = Vec::new();
    l.export(&mut export).unwrap();
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, export).unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let block =
        doc.split("<!-- example:python-tree-root -->\n```python\n").nth(1).unwrap().split("```").next().unwrap();
    let out = std::process::Command::new("python3").arg("-c").arg(block).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hex = protokol::ids::Hash(root.0).to_hex();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), hex, "the root of {size} leaves");
    drop(l);
    let shown = protokol(&path, &["verify"], None).stdout;
    assert!(shown.contains(&format!("tree: {size} leaves, root {hex}")), "{shown}");
}

#[test]
fn a_checkpoint_is_signed_with_the_ledgers_key_and_never_one_that_does_not_extend_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    drop(seeded(&path));
    let key = dir.path().join("protokol.key");
    let key_arg = key.to_str().unwrap();
    let made = protokol(&path, &["key", "init", "--origin", "example.org/atmp", "--key", key_arg], None);
    assert_eq!(made.code, 0, "{}", made.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "readable by its owner alone");
    }
    let again = protokol(&path, &["key", "init", "--origin", "example.org/atmp", "--key", key_arg], None);
    assert_eq!(again.code, 2, "an existing key is never overwritten");
    let vkey = protokol(&path, &["key", "public", "--key", key_arg], None).stdout.trim().to_string();
    assert!(vkey.starts_with("example.org/atmp+") && made.stdout.contains(&vkey), "{vkey}");

    let signed = protokol(&path, &["checkpoint", "--key", key_arg], None);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let (origin, size, root) = protokol::checkpoint::open(&signed.stdout, &vkey).unwrap();
    let l = Ledger::open(&path).unwrap();
    assert_eq!((origin.as_str(), size, root), ("example.org/atmp", 109, l.tree_root().unwrap().1));
    drop(l);
    // The last checkpoint kept says another root for that size: nothing is signed.
    with_log_tree(&path, |t| {
        let mut v = t.get(b"mckpt").unwrap().unwrap().to_vec();
        v[8] ^= 1;
        t.insert(b"mckpt", v).unwrap();
    });
    let refused = protokol(&path, &["checkpoint", "--key", key_arg], None);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stderr.contains("does not extend it; nothing was signed"), "{}", refused.stderr);
}
