//! Held to account (issue 20): proofs anyone checks offline, with protokol or with an
//! independent checker written from FORMAT.md, the log as tiles, served and published,
//! replicas and witnesses, and the attack they stop: the operator rebuilding the log with
//! one old event changed and signing it with the same key.

use crate::common::*;
use protokol::ids::Seq;
use protokol::proof::{self, ConsistencyBundle, InclusionBundle};
use protokol::tiles::Resource;
use protokol::Ledger;
use std::path::Path;

/// A seeded ledger with a key; returns the key file and the verifier key.
fn keyed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let ledger = dir.join("l");
    drop(seeded(&ledger));
    let key = dir.join("log.key");
    let run =
        protokol(&ledger, &["key", "init", "--origin", "atmp.example/protokol", "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let vkey = std::fs::read_to_string(&key).unwrap().lines().nth(1).unwrap().to_string();
    (ledger, key, vkey)
}

/// One more event (seq 110): the log grows.
fn append_one(ledger: &Path) {
    let mut l = Ledger::open(ledger).unwrap();
    let one = serde_json::json!([{"effective": "2026-02-03", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]);
    l.append("t", events(one), None, "test", now()).unwrap();
}

fn skey(key: &Path) -> String {
    std::fs::read_to_string(key).unwrap().lines().next().unwrap().to_string()
}

#[test]
fn a_proof_of_an_event_and_of_a_decision_checks_offline_and_a_changed_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let bundle = dir.path().join("p.json");
    let run =
        protokol(&ledger, &["prove", "85", "--key", key.to_str().unwrap(), "--out", bundle.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = protokol(&ledger, &["verify-proof", bundle.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("seq 85 DecisionRecorded"), "{}", run.stdout);
    assert!(run.stdout.contains("of 109 events"), "{}", run.stdout);

    // Each part of the bundle is held: the line, the path, the checkpoint, the key.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let b: InclusionBundle = serde_json::from_str(&text).unwrap();
    let mut changed = b.clone();
    changed.entries[0].line = changed.entries[0].line.replace("\"seq\":85", "\"seq\":86");
    let mut other_path = b.clone();
    other_path.entries[0].proof[0] = proof::to_base64(&protokol::merkle::TreeHash([1; 32]));
    let mut other_checkpoint = b.clone();
    other_checkpoint.checkpoint = other_checkpoint.checkpoint.replace("\n109\n", "\n108\n");
    for (what, bad) in [("line", changed), ("path", other_path), ("checkpoint", other_checkpoint)] {
        let f = dir.path().join(format!("{what}.json"));
        std::fs::write(&f, serde_json::to_string(&bad).unwrap()).unwrap();
        let run = protokol(&ledger, &["verify-proof", f.to_str().unwrap(), "--key", &vkey], None);
        assert_eq!(run.code, 1, "a changed {what} is refused: {}", run.stdout);
    }
    let (_, other) = protokol::checkpoint::new_key("atmp.example/protokol", &mut rand_core::OsRng).unwrap();
    let run = protokol(&ledger, &["verify-proof", bundle.to_str().unwrap(), "--key", &other], None);
    assert_eq!(run.code, 1, "another key is refused");

    // A decision's proof holds every event that made it as the register shows it.
    let l = Ledger::open(&ledger).unwrap();
    let seqs = l.decision_seqs(&"sg4-p1".to_string().try_into().unwrap()).unwrap();
    let b = l.prove(&seqs, None).unwrap();
    let (head, proved) = proof::check_inclusion(&b, &vkey).unwrap();
    assert_eq!(head.size, 109);
    assert_eq!(proved.iter().map(|p| p.seq).collect::<Vec<_>>(), seqs);
    assert!(proved.iter().any(|p| p.kind == "DecisionRecorded"));
}

#[test]
fn consistency_with_an_older_checkpoint_holds_as_the_log_grows_and_fails_once_it_is_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let old = dir.path().join("old.txt");
    let run = protokol(&ledger, &["checkpoint", "--key", key.to_str().unwrap()], None);
    std::fs::write(&old, format!("{}\n", run.stdout.trim_end())).unwrap();
    append_one(&ledger);
    let out = dir.path().join("c.json");
    let run = protokol(
        &ledger,
        &[
            "consistency",
            old.to_str().unwrap(),
            "--vkey",
            &vkey,
            "--key",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let b: ConsistencyBundle = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let (then, now) = proof::check_consistency(&b, &vkey).unwrap();
    assert_eq!((then.size, now.size), (109, 110));
    assert!(!b.proof.is_empty());
    let run = protokol(&ledger, &["verify-proof", out.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // The same events with the decision at seq 85 changed and every hash recomputed.
    let rewritten = dir.path().join("rewritten");
    rewrite(&ledger, &rewritten, 85);
    let run = protokol(&rewritten, &["consistency", old.to_str().unwrap(), "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("does not extend the checkpoint"), "{}", run.stderr);
    assert!(run.stderr.contains("at or before seq 109"), "{}", run.stderr);
}

/// What an operator who controls the ledger can do: export it, change the text of `seq` (a decision),
/// recompute every hash from there on, and import the result into a new ledger.
fn rewrite(from: &Path, to: &Path, seq: u64) {
    rewrite_with(from, to, seq, |body| {
        let text = &mut body["text"];
        *text = format!("{} Dog ikke enstemmigt.", text.as_str().unwrap()).into();
    })
    .unwrap();
}

/// `rewrite`, with `change` made to the body of `seq`: the import's answer.
fn rewrite_with(
    from: &Path,
    to: &Path,
    seq: u64,
    change: impl Fn(&mut serde_json::Value),
) -> Result<protokol::ledger::Verified, protokol::Error> {
    let l = Ledger::open(from).unwrap();
    let mut export = Vec::new();
    l.export(&mut export).unwrap();
    drop(l);
    let mut prev = protokol::ids::Hash::ZERO;
    let mut out = String::new();
    for line in String::from_utf8(export).unwrap().lines() {
        let mut e: serde_json::Value = serde_json::from_str(line).unwrap();
        let m = e.as_object_mut().unwrap();
        m.remove("hash");
        if m["seq"] == seq {
            change(m.get_mut("body").unwrap());
        }
        let body = m.remove("body").unwrap();
        m.insert(
            "body_hash".into(),
            protokol::hash::body_hash(&protokol::hash::canonical(&body).unwrap()).to_hex().into(),
        );
        m.insert("prev".into(), prev.to_hex().into());
        let hash = protokol::hash::event_hash(&protokol::hash::canonical(&e).unwrap());
        let m = e.as_object_mut().unwrap();
        m.insert("body".into(), body);
        m.insert("hash".into(), hash.to_hex().into());
        prev = hash;
        out.push_str(&String::from_utf8(protokol::hash::canonical(&e).unwrap()).unwrap());
        out.push('\n');
    }
    let mut l = Ledger::create(to).unwrap();
    l.import_export("rewritten", &mut out.as_bytes())
}

#[test]
fn the_rewrite_attack_a_follower_and_a_witness_refuse_it_and_name_the_first_seq_that_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let published = dir.path().join("site");
    let run = protokol(&ledger, &["publish", published.to_str().unwrap(), "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A follower takes the log in, and a witness cosigns what it verified.
    let replica = dir.path().join("replica");
    let run = protokol(&replica, &["follow", published.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("took in seqs 1 to 109"), "{}", run.stdout);
    let witness_key = dir.path().join("w.key");
    assert_eq!(
        protokol(
            &replica,
            &["key", "init", "--origin", "witness.example/w1", "--key", witness_key.to_str().unwrap()],
            None
        )
        .code,
        0
    );
    let witness = dir.path().join("witness");
    let run = protokol(
        &witness,
        &["witness", published.to_str().unwrap(), "--key", &vkey, "--witness-key", witness_key.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let wvkey = protokol(&replica, &["key", "public", "--key", witness_key.to_str().unwrap(), "--cosigner"], None)
        .stdout
        .trim()
        .to_string();
    let cosigned = run.stdout.split_once("root ").unwrap().1.split_once('\n').unwrap().1.to_string();
    assert_eq!(protokol::checkpoint::cosignatures(&cosigned, &[wvkey]).unwrap().len(), 1, "{cosigned}");
    let export_of = |path: &Path| {
        let l = Ledger::open(path).unwrap();
        let mut out = Vec::new();
        l.export(&mut out).unwrap();
        (out, l.accepted_checkpoint().unwrap())
    };
    let replica_before = export_of(&replica);

    // The operator rewrites the decision at seq 85, signs the result with the same key, and publishes it
    // afresh (over the old publication it is refused).
    let rewritten = dir.path().join("rewritten");
    rewrite(&ledger, &rewritten, 85);
    let run = protokol(&rewritten, &["publish", published.to_str().unwrap(), "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    std::fs::remove_dir_all(&published).unwrap();
    let run = protokol(&rewritten, &["publish", published.to_str().unwrap(), "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The new checkpoint's signature checks: only its history says what happened.
    let note = std::fs::read_to_string(published.join("checkpoint")).unwrap();
    assert_eq!(proof::read_checkpoint(&note, Some(&vkey)).unwrap().size, 109);

    for (who, ledger, args) in [
        ("follower", &replica, vec!["follow", published.to_str().unwrap(), "--key", &vkey]),
        (
            "witness",
            &witness,
            vec![
                "witness",
                published.to_str().unwrap(),
                "--key",
                &vkey,
                "--witness-key",
                witness_key.to_str().unwrap(),
            ],
        ),
    ] {
        let run = protokol(ledger, &args, None);
        assert_eq!(run.code, 1, "the {who} refuses: {}", run.stdout);
        assert!(run.stderr.contains("the log was rewritten: seq 85 differs"), "{who}: {}", run.stderr);
        assert!(!run.stdout.contains("cosignature"), "{who} cosigns nothing");
    }
    assert_eq!(export_of(&replica), replica_before, "the replica keeps what it had, and the checkpoint it accepted");
    let l = Ledger::open(&replica).unwrap();
    assert_eq!(l.head_seq(), Seq(109));
    l.verify().unwrap();
}

#[test]
fn a_truncated_log_is_refused_and_a_grown_one_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let site = dir.path().join("site");
    let k = key.to_str().unwrap();
    assert_eq!(protokol(&ledger, &["publish", site.to_str().unwrap(), "--key", k], None).code, 0);
    let replica = dir.path().join("replica");
    assert_eq!(protokol(&replica, &["follow", site.to_str().unwrap(), "--key", &vkey], None).code, 0);
    append_one(&ledger);
    let run = protokol(&ledger, &["publish", site.to_str().unwrap(), "--key", k], None);
    assert!(run.stdout.contains("new since its checkpoint of 109"), "{}", run.stdout);
    let run = protokol(&replica, &["follow", site.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("took in seqs 110 to 110"), "{}", run.stdout);

    // The first 108 events, signed anew with the same key and published.
    let short = dir.path().join("short");
    {
        let l = Ledger::open(&ledger).unwrap();
        let mut export = Vec::new();
        l.export(&mut export).unwrap();
        let text = String::from_utf8(export).unwrap();
        let first: String = text.lines().take(108).map(|l| format!("{l}\n")).collect();
        Ledger::create(&short).unwrap().import_export("short", &mut first.as_bytes()).unwrap();
    }
    std::fs::remove_dir_all(&site).unwrap();
    assert_eq!(protokol(&short, &["publish", site.to_str().unwrap(), "--key", k], None).code, 0);
    let run = protokol(&replica, &["follow", site.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("truncated") && run.stderr.contains("seqs 109 to 110 are gone"), "{}", run.stderr);
    // A checkpoint signed by another key is not the log's.
    let (other, _) = protokol::checkpoint::new_key("atmp.example/protokol", &mut rand_core::OsRng).unwrap();
    let l = Ledger::open(&ledger).unwrap();
    let (size, root) = l.tree_root().unwrap();
    std::fs::write(site.join("checkpoint"), protokol::checkpoint::sign(&other, size, root).unwrap()).unwrap();
    let run = protokol(&replica, &["follow", site.to_str().unwrap(), "--key", &vkey], None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("signature"), "{}", run.stderr);
}

#[test]
fn the_published_tiles_are_the_stored_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, _) = keyed(dir.path());
    let site = dir.path().join("site");
    assert_eq!(protokol(&ledger, &["publish", site.to_str().unwrap(), "--key", key.to_str().unwrap()], None).code, 0);
    let l = Ledger::open(&ledger).unwrap();
    let tile = std::fs::read(site.join("tile/0/000.p/109")).unwrap();
    assert_eq!(tile.len(), 109 * 32);
    // Level 0 holds the leaf hashes: SHA-256 of 0x00 and each event's hash.
    for (i, h) in tile.chunks(32).enumerate() {
        let record = l.record(Seq(i as u64 + 1)).unwrap();
        assert_eq!(h, protokol::merkle::leaf_hash(&record.hash).0);
    }
    let entries = std::fs::read(site.join("tile/entries/000.p/109")).unwrap();
    let entries = protokol::tiles::read_entry_bundle(&entries).unwrap();
    assert_eq!(entries.len(), 109);
    assert_eq!(entries[84], &l.record(Seq(85)).unwrap().hash.0[..]);
    let lines = std::fs::read_to_string(site.join("tile/entries/000.p/109.jsonl")).unwrap();
    let mut export = Vec::new();
    l.export(&mut export).unwrap();
    assert_eq!(lines.as_bytes(), &export[..], "the lines are the export");
    // The root from the level-0 tile alone is the checkpoint's.
    let note = std::fs::read_to_string(site.join("checkpoint")).unwrap();
    let head = proof::read_checkpoint(&note, None).unwrap();
    let mut tree = protokol::merkle::RootFromLeaves::default();
    for i in 1..=109 {
        let _ = tree.push(&l.record(Seq(i)).unwrap().hash);
    }
    assert_eq!(tree.root(), head.root);
    assert_eq!(Resource::parse("tile/0/000.p/109").unwrap().leaves_needed(), Some(109));
}

#[tokio::test]
async fn the_server_serves_its_checkpoint_tiles_proofs_and_the_cosignatures_it_was_sent() {
    use crate::server::call;
    use axum::body::Body;
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let witness = protokol::checkpoint::new_key("witness.example/w1", &mut rand_core::OsRng).unwrap().0;
    let wvkey = protokol::checkpoint::cosigner_key(&witness).unwrap();
    let state = protokol::http::AppState::new(Ledger::open(&ledger).unwrap(), protokol::http::Tokens::default())
        .signing(Some(skey(&key)), vec![wvkey.clone()]);
    let (status, note) = call(&state, "GET", "/checkpoint", None, Body::empty()).await;
    assert_eq!(status, 200, "{note}");
    let head = proof::read_checkpoint(&note, Some(&vkey)).unwrap();
    assert_eq!(head.size, 109);
    for (path, want) in [
        ("/tile/0/000.p/109", 200),
        ("/tile/entries/000.p/109", 200),
        ("/tile/0/000.p/110", 404),
        ("/tile/0/000", 404),
        ("/tile/0/000.p/0", 404),
        ("/tile/entries/000.p/109.jsonl", 200),
    ] {
        assert_eq!(call(&state, "GET", path, None, Body::empty()).await.0.as_u16(), want, "{path}");
    }
    let (status, body) = call(&state, "GET", "/api/proof/85", None, Body::empty()).await;
    assert_eq!(status, 200, "{body}");
    let b: InclusionBundle = serde_json::from_str(&body).unwrap();
    assert_eq!(proof::check_inclusion(&b, &vkey).unwrap().1[0].seq, Seq(85));
    let (status, body) = call(&state, "GET", "/api/proof/decision/sg4-p1", None, Body::empty()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&state, "GET", "/api/consistency?from=50", None, Body::empty()).await;
    assert_eq!(status, 200, "{body}");
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    let path: Vec<_> = c["proof"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
    let old_root = {
        let mut t = protokol::merkle::RootFromLeaves::default();
        let lines: Vec<serde_json::Value> = {
            let (_, text) = call(&state, "GET", "/tile/entries/000.p/109.jsonl", None, Body::empty()).await;
            text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
        };
        for v in &lines[..50] {
            let _ = t.push(&protokol::ids::Hash::from_hex(v["hash"].as_str().unwrap()).unwrap());
        }
        t.root()
    };
    let hashes: Vec<_> = path
        .iter()
        .map(|h| {
            use base64::Engine;
            protokol::merkle::TreeHash(base64::engine::general_purpose::STANDARD.decode(h).unwrap().try_into().unwrap())
        })
        .collect();
    protokol::merkle::check_consistency(&hashes, 109, head.root, 50, old_root).unwrap();
    assert_eq!(call(&state, "GET", "/api/consistency?from=200", None, Body::empty()).await.0, 400);

    // A witness's cosignature of the served checkpoint is kept and served with it; one
    // by a witness the server was not told of, or of another checkpoint, is not.
    let cosigned = protokol::checkpoint::cosign(&note, &witness, 1_780_000_000).unwrap();
    let (status, body) = call(&state, "POST", "/api/cosignatures", None, Body::from(cosigned.clone())).await;
    assert_eq!(status, 200, "{body}");
    let (_, served) = call(&state, "GET", "/checkpoint", None, Body::empty()).await;
    assert_eq!(served, cosigned);
    assert_eq!(protokol::checkpoint::cosignatures(&served, &[wvkey]).unwrap().len(), 1);
    let stranger = protokol::checkpoint::new_key("stranger.example/w", &mut rand_core::OsRng).unwrap().0;
    let (_, served_before) = call(&state, "GET", "/checkpoint", None, Body::empty()).await;
    let by_stranger = protokol::checkpoint::cosign(&note, &stranger, 1_780_000_000).unwrap();
    let (status, body) = call(&state, "POST", "/api/cosignatures", None, Body::from(by_stranger)).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(&state, "POST", "/api/cosignatures", None, Body::from(cosigned)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"added\":[]"), "sent twice, kept once: {body}");
    assert_eq!(call(&state, "GET", "/checkpoint", None, Body::empty()).await.1, served_before);
}

/// Runs the independent checker (`tests/checkers/proofs.py`, written from FORMAT.md):
/// its exit code and output. None where python3 lacks blake3 or cryptography, outside
/// CI, which installs them.
fn python_checker(what: &str, file: &Path, vkey: &str) -> Option<(i32, String)> {
    let has = std::process::Command::new("python3")
        .args(["-c", "import blake3, cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(std::env::var("CI").is_err(), "CI installs python3's blake3 and cryptography for this test");
        eprintln!("python3 with blake3 and cryptography is not installed: the Python checker is run in CI");
        return None;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/checkers/proofs.py");
    let out = std::process::Command::new("python3").args([script, what]).arg(file).arg(vkey).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    Some((out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

#[test]
fn an_independent_python_checker_written_from_format_md_agrees_with_protokol() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let file = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        f
    };
    let holds = |what: &str, f: &Path, key: &str| -> Option<String> {
        let (code, out) = python_checker(what, f, key)?;
        assert_eq!(code, 0, "{what} {}: {out}", f.display());
        assert!(out.starts_with("ok: "), "{out}");
        Some(out)
    };
    let refused = |what: &str, f: &Path, key: &str, why: &str| {
        if let Some((code, out)) = python_checker(what, f, key) {
            assert_eq!(code, 1, "{what} {} must be refused: {out}", f.display());
            assert!(out.starts_with("refused: ") && out.contains(why), "{what} {}: {out}", f.display());
        }
    };

    // A checkpoint, as `protokol checkpoint` prints it; and with another key, or changed.
    let run = protokol(&ledger, &["checkpoint", "--key", key.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let note = file("checkpoint", &run.stdout);
    let Some(out) = holds("checkpoint", &note, &vkey) else { return };
    let (size, root) = Ledger::open(&ledger).unwrap().tree_root().unwrap();
    assert_eq!(
        out.trim(),
        format!(
            "ok: atmp.example/protokol's tree of {size} events, root {}",
            root.0.map(|b| format!("{b:02x}")).concat()
        )
    );
    let (_, other) = protokol::checkpoint::new_key("atmp.example/protokol", &mut rand_core::OsRng).unwrap();
    refused("checkpoint", &note, &other, "no signature by atmp.example/protokol");
    let grown = file("grown", &run.stdout.replace("\n109\n", "\n110\n"));
    refused("checkpoint", &grown, &vkey, "the log's signature does not check");

    // A decision's inclusion bundle, from the CLI: every event that made it.
    let bundle = dir.path().join("sg4-p1.json");
    let run = protokol(
        &ledger,
        &["prove", "--decision", "sg4-p1", "--key", key.to_str().unwrap(), "--out", bundle.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = holds("inclusion", &bundle, key.to_str().unwrap()).unwrap();
    assert!(out.contains("85 DecisionRecorded"), "{out}");
    refused("inclusion", &bundle, &other, "no signature");
    let b: InclusionBundle = serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let mut body = b.clone();
    body.entries[0].line = body.entries[0].line.replacen("\"body\":{", "\"body\":{\"extra\":1,", 1);
    let mut index = b.clone();
    index.entries[0].index += 1;
    let mut path = b.clone();
    path.entries[0].proof.swap(0, 1);
    let mut short = b.clone();
    short.entries[0].proof.pop();
    for (name, bad, why) in [
        ("body", body, "the body does not hash to body_hash"),
        ("index", index, "index 85 is not seq 85 - 1"),
        ("path", path, "leaf 84 does not reach the root of 109"),
        ("short", short, "leaf 84 does not reach the root of 109"),
    ] {
        refused("inclusion", &file(name, &serde_json::to_string(&bad).unwrap()), &vkey, why);
    }

    // Consistency from trees of every shape (a power of two, odd, even, one leaf, the
    // same tree) to the head's, and from the CLI once the log has grown.
    let l = Ledger::open(&ledger).unwrap();
    let skey = skey(&key);
    let mut roots = protokol::merkle::RootFromLeaves::default();
    let mut old_roots = vec![roots.root()];
    for r in l.records_after(Seq(0), 200).unwrap() {
        roots.push(&r.hash);
        old_roots.push(roots.root());
    }
    let head = protokol::checkpoint::sign(&skey, size, root).unwrap();
    for old in [1u64, 2, 3, 7, 64, 65, 100, 108, 109] {
        let path = l.consistency_path(old, size).unwrap();
        let c = ConsistencyBundle {
            format: proof::CONSISTENCY_FORMAT.into(),
            old: protokol::checkpoint::sign(&skey, old, old_roots[old as usize]).unwrap(),
            checkpoint: head.clone(),
            proof: path.iter().map(proof::to_base64).collect(),
        };
        let out = holds("consistency", &file(&format!("c{old}.json"), &serde_json::to_string(&c).unwrap()), &vkey);
        assert!(out.unwrap().contains(&format!("tree of 109 events extends its tree of {old}")));
        // The same proof does not hold for another old tree of that size.
        if old < size {
            let wrong = ConsistencyBundle {
                old: protokol::checkpoint::sign(&skey, old, old_roots[old as usize - 1]).unwrap(),
                ..c.clone()
            };
            let f = file(&format!("w{old}.json"), &serde_json::to_string(&wrong).unwrap());
            refused("consistency", &f, &vkey, &format!("the tree of 109 does not extend the tree of {old}"));
        }
    }
    drop(l);
    append_one(&ledger);
    let out = dir.path().join("grown.json");
    let run = protokol(
        &ledger,
        &["consistency", note.to_str().unwrap(), "--key", key.to_str().unwrap(), "--out", out.to_str().unwrap()],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    holds("consistency", &out, &vkey);
    refused("consistency", &out, &other, "no signature");
}

/// The body the ledger recorded at `seq`.
fn body_at(l: &Ledger, seq: u64) -> serde_json::Value {
    l.record(Seq(seq)).unwrap().body().unwrap()
}

/// The checkpoint member an approval at `seq` must record: the tree of the events before.
fn log_before(l: &Ledger, seq: u64) -> serde_json::Value {
    let mut tree = protokol::merkle::RootFromLeaves::default();
    for r in l.records_after(Seq(0), (seq - 1) as usize).unwrap() {
        tree.push(&r.hash);
    }
    assert_eq!(tree.size(), seq - 1);
    serde_json::json!({"size": seq - 1, "root": proof::to_base64(&tree.root())})
}

#[test]
fn each_minutes_approval_records_the_checkpoint_it_was_approved_at() {
    let dir = tempfile::tempdir().unwrap();
    let (ledger, key, vkey) = keyed(dir.path());
    let hash = "ab".repeat(32);
    let approval = |checkpoint: Option<serde_json::Value>| {
        let mut body = serde_json::json!({"meeting": "styregruppen-2026-01-21", "document_hash": hash});
        if let Some(c) = checkpoint {
            body["checkpoint"] = c;
        }
        serde_json::json!({"effective": "2026-02-01", "kind": "MinutesApproved", "body": body})
    };

    // One that gives another log than the one before it is refused, and writes nothing.
    let signed = protokol(&ledger, &["checkpoint", "--key", key.to_str().unwrap()], None);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let mut l = Ledger::open(&ledger).unwrap();
    let before = l.head();
    for wrong in [log_before(&l, 109), serde_json::json!({"size": 109, "root": "AAAA"})] {
        let err = l.append("t", events(serde_json::json!([approval(Some(wrong))])), None, "t", now()).unwrap_err();
        assert!(err.to_string().contains("approval-checkpoint"), "{err}");
    }
    assert_eq!(l.head(), before, "a refused approval writes nothing");
    assert_eq!(l.tree_root().unwrap().0, 109);
    drop(l);

    // Approved from the command line, it records the log of the checkpoint signed just
    // before: the 109 events of the seed, and that checkpoint's root.
    let doc = dir.path().join("referat.pdf");
    std::fs::write(&doc, b"%PDF referat").unwrap();
    let run = protokol(&ledger, &["approve-minutes", "styregruppen", "4", "--file", doc.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let head = proof::read_checkpoint(&signed.stdout, Some(&vkey)).unwrap();
    let l = Ledger::open(&ledger).unwrap();
    let recorded = body_at(&l, 110)["checkpoint"].clone();
    assert_eq!(recorded, serde_json::json!({"size": 109, "root": proof::to_base64(&head.root)}));
    assert_eq!(recorded, log_before(&l, 110));
    drop(l);
    let run = protokol(&ledger, &["verify-minutes", doc.to_str().unwrap()], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let said = format!("when the log held 109 events (tree root {})", proof::to_base64(&head.root));
    assert!(run.stdout.contains(&said), "{}", run.stdout);

    // In a batch, an approval's log holds the events of the batch before it; given
    // exactly, it is taken as it is.
    let mut l = Ledger::open(&ledger).unwrap();
    let reopened = serde_json::json!({"effective": "2026-02-02", "kind": "MinutesReopened",
        "body": {"meeting": "styregruppen-2026-01-21", "reason": "a name was misspelt"}});
    let mut again = approval(None);
    again["effective"] = "2026-02-03".into();
    l.append("t", events(serde_json::json!([reopened.clone(), again])), None, "t", now()).unwrap();
    assert_eq!(body_at(&l, 112)["checkpoint"], log_before(&l, 112));
    // The next batch's approval, at seq 114, after a reopening at 113 (whose hash is not
    // known before it is sealed): the tree of 113 leaves is the one of 112 and seq 113.
    let mut given = approval(None);
    given["effective"] = "2026-02-05".into();
    let mut reopened_again = reopened;
    reopened_again["effective"] = "2026-02-04".into();
    l.append("t", events(serde_json::json!([reopened_again.clone()])), None, "t", now()).unwrap();
    given["body"]["checkpoint"] = log_before(&l, 114);
    l.append("t", events(serde_json::json!([given])), None, "t", now()).unwrap();

    // A correction of an approval keeps its checkpoint, given or left out; another is refused.
    let correct = |checkpoint: Option<serde_json::Value>| {
        let mut replacement = approval(checkpoint)["body"].clone();
        replacement["document_name"] = "referat.pdf".into();
        serde_json::json!([{"effective": "2026-02-06", "kind": "EventCorrected",
            "body": {"target": 114, "reason": "the file's name", "replacement": {"kind": "MinutesApproved", "body": replacement}}}])
    };
    let err = l.append("t", events(correct(Some(log_before(&l, 110)))), None, "t", now()).unwrap_err();
    assert!(err.to_string().contains("approval-checkpoint"), "{err}");
    l.append("t", events(correct(None)), None, "t", now()).unwrap();
    assert_eq!(body_at(&l, 115)["replacement"]["body"]["checkpoint"], log_before(&l, 114));
    let old = log_before(&l, 100);
    drop(l);
    assert_eq!(protokol(&ledger, &["verify"], None).code, 0);

    // An export carries it, and the operator who rewrites it (every hash recomputed) is
    // refused on import, naming the approval.
    let copy = dir.path().join("copy");
    rewrite_with(&ledger, &copy, 1, |_| {}).unwrap();
    let err = rewrite_with(&ledger, &dir.path().join("rewritten"), 110, |body| {
        body["checkpoint"] = old.clone();
    })
    .unwrap_err();
    assert!(err.to_string().contains("seq 110") && err.to_string().contains("approval-checkpoint"), "{err}");
}

#[test]
fn verify_names_an_approval_whose_checkpoint_is_not_the_log_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    let l = seeded(&ledger);
    let (seq, prev) = l.head().unwrap();
    let wrong = log_before(&l, seq.0); // the log of 108 events, given as the log before seq 110
    drop(l);
    // Written past the rules, as only a changed program could: the chain and the tree hold.
    let body = serde_json::json!({"meeting": "styregruppen-2026-01-21", "document_hash": "ab".repeat(32),
        "checkpoint": {"size": seq.0, "root": wrong["root"]}});
    let bytes = protokol::hash::canonical(&body).unwrap();
    let header = protokol::envelope::Header {
        seq: seq.next(),
        recorded_at: protokol::when::RecordedAt(now()),
        effective: "2026-02-01".parse().unwrap(),
        recorded_by: "t".into(),
        kind: "MinutesApproved".into(),
        body_hash: protokol::hash::body_hash(&bytes),
        prev,
    };
    let store = protokol::store::Store::open(&ledger).unwrap();
    store
        .append(&[protokol::envelope::Record::seal(header, bytes)], Some((seq, prev)), &Default::default(), &[], None)
        .unwrap();
    drop(store);
    let run = protokol(&ledger, &["verify"], None);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("seq 110") && run.stderr.contains("approval-checkpoint"), "{}", run.stderr);
}
