//! The binary as a user meets it: exit codes, messages, and no panics on bad input.

use crate::common::*;

const ORG: &str =
    r#"{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{"organisation":"amgros","name":"Amgros"}}"#;

fn init(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("l");
    let r = protokol(&path, &["init"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    path
}

#[test]
fn init_append_log_verify_export_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = init(&dir);
    let r = protokol(&path, &["append", "-"], Some(ORG));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("standard input: appended 1 events, seq 1..1, head "), "{}", r.stdout);

    let r = protokol(&path, &["log"], None);
    assert!(r.stdout.contains("OrganisationRegistered") && r.stdout.contains("test"), "{}", r.stdout);
    let r = protokol(&path, &["log", "--json"], None);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log[0]["body"]["name"], "Amgros");

    let r = protokol(&path, &["verify"], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("ok: 1 events, head "), "{}", r.stdout);

    // From inside the ledger, as `--ledger .`: the copy still goes beside it.
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_protokol"))
        .current_dir(&path)
        .args(["--ledger", ".", "compact"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(stdout.starts_with("compacted 10 keys, read back and compared: "), "{stdout}");
    assert!(!dir.path().join("l.compacting").exists());
    assert!(protokol(&path, &["verify"], None).stdout.starts_with("ok: 1 events, head "));
    // Compressed, kept so by a plain `compact`, queried and appended to as such.
    let r = protokol(&path, &["compact", "--compress", "--plain"], None);
    assert!(r.code != 0 && r.stderr.contains("cannot be used with"), "{}", r.stderr);
    let r = protokol(&path, &["compact", "--compress"], None);
    assert!(r.stdout.starts_with("compacted 10 keys, compressed, read back and compared: "), "{}", r.stderr);
    assert!(protokol(&path, &["compact"], None).stdout.starts_with("compacted 10 keys, compressed, "));
    assert!(protokol(&path, &["log"], None).stdout.contains("OrganisationRegistered"));
    assert!(protokol(&path, &["compact", "--plain"], None).stdout.starts_with("compacted 10 keys, read back"));
    assert!(protokol(&path, &["verify"], None).stdout.starts_with("ok: 1 events, head "));

    let export = dir.path().join("x.jsonl");
    assert_eq!(protokol(&path, &["export", "--out", export.to_str().unwrap()], None).code, 0);
    let copy = dir.path().join("copy");
    let r = protokol(&copy, &["import", export.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(protokol(&copy, &["verify"], None).stdout, protokol(&path, &["verify"], None).stdout);
}

#[test]
fn the_global_ledger_option_goes_before_or_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let path = init(&dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_protokol"))
        .args(["verify", "--ledger"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 0 events"));
}

#[test]
fn malformed_input_is_a_clear_error_with_exit_2_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = init(&dir);
    let cases: &[(&str, &str)] = &[
        ("{\"effective\": \"2025-01-01\", \"kind\": ", "EOF while parsing"),
        (
            r#"{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{"organisation":7,"name":"A"}}"#,
            "invalid type: integer `7`",
        ),
        (
            r#"{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{"organisation":"a","name":"A","colour":"red"}}"#,
            "unknown field `colour`",
        ),
        (
            r#"{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{"organisation":"a","name":"A"},"extra":1}"#,
            "unknown field \"extra\"",
        ),
        (
            r#"{"effective":"1. maj","kind":"OrganisationRegistered","body":{"organisation":"a","name":"A"}}"#,
            "effective: \"1. maj\" is neither a date",
        ),
        (
            r#"{"effective":"2025-01-01","kind":"OrganizationRegistered","body":{}}"#,
            "unknown kind \"OrganizationRegistered\"",
        ),
        (
            r#"{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{"organisation":"Amgros A/S","name":"A"}}"#,
            "lowercase letters",
        ),
        ("[]", "no events"),
        ("42", "expected an event object"),
    ];
    for (input, expect) in cases {
        let r = protokol(&path, &["append", "-"], Some(input));
        assert_eq!(r.code, 2, "{input}: {}", r.stderr);
        assert!(r.stderr.contains(expect), "{input}: expected {expect:?} in {:?}", r.stderr);
        assert!(r.stderr.starts_with("protokol: standard input"), "names the source: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // JSON Lines errors name the line.
    let r = protokol(&path, &["append", "-"], Some(&format!("{ORG}\n{{\"effective\":\"x\"}}\n")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("standard input:2: "), "{}", r.stderr);
    assert!(protokol(&path, &["verify"], None).stdout.starts_with("ok: 0 events"));
}

#[test]
fn a_refused_event_names_the_file_the_event_and_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = init(&dir);
    let file = dir.path().join("join.json");
    std::fs::write(
        &file,
        r#"[{"effective":"2025-01-01","kind":"MemberJoined","body":{"person":"erik-jylling","group":"styregruppen","role":"co_chair"}}]"#,
    )
    .unwrap();
    let r = protokol(&path, &["append", file.to_str().unwrap()], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("join.json: event 1: MemberJoined (effective 2025-01-01) refused: unknown person \"erik-jylling\" [rule unknown-reference]"), "{}", r.stderr);
}

#[test]
fn missing_and_locked_ledgers_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    for args in [&["verify"][..], &["members", "styregruppen"], &["append", "-"], &["log"], &["compact"]] {
        let r = protokol(&missing, args, Some(ORG));
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains("no ledger at"), "{}", r.stderr);
    }
    assert!(!missing.exists(), "reading must not create a ledger");

    let path = init(&dir);
    let _held = protokol::Ledger::open(&path).unwrap();
    let r = protokol(&path, &["append", "-"], Some(ORG));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("in use by another process"), "{}", r.stderr);

    let r = protokol(&path, &["init"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}

#[test]
fn a_stale_expected_head_is_a_conflict_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = init(&dir);
    assert_eq!(protokol(&path, &["append", "-", "--expect-seq", "0"], Some(ORG)).code, 0);
    let second = ORG.replace("amgros", "lif");
    let r = protokol(&path, &["append", "-", "--expect-seq", "0"], Some(&second));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("conflict: expected head seq 0, but the ledger's head is seq 1"), "{}", r.stderr);
    assert!(protokol(&path, &["verify"], None).stdout.starts_with("ok: 1 events"));
}

#[test]
fn seed_builds_the_atmp_danmark_record_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atmp");
    let r = protokol(&path, &["seed"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Erik Jylling (formandskab)"), "{}", r.stdout);
    assert!(r.stdout.contains("Malene Fischer"), "nomination shown: {}", r.stdout);
    let head = r.stdout.lines().find(|l| l.starts_with("ok: ")).unwrap().to_string();
    let again = protokol(&path, &["seed"], None);
    assert!(again.stdout.contains("already holds a record"));
    assert!(again.stdout.contains(&head), "no second copy appended");
    let r = protokol(&path, &["members", "styregruppen", "--at", "2026-01-21", "--json"], None);
    let c: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(c["members"].as_array().unwrap().len(), 12);
    let r = protokol(&path, &["meeting", "styregruppen", "4"], None);
    assert!(r.stdout.contains("in place of Dorte Bech Vizard"), "{}", r.stdout);
    let r = protokol(&path, &["decisions", "--outcome", "approved-with-reservations", "--json"], None);
    let rows: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ids: Vec<&str> = rows.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["sg4-p6", "sg4-p7"]);
    let r = protokol(&path, &["decisions", "--status", "implemented"], None);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("sg4-"), "no decision is implemented yet: {}", r.stdout);
    let r = protokol(&path, &["history", "søren-pihlkjær-hjortshøj"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Søren Pihlkjær Hjortshøj"));
}

#[test]
fn the_embedded_seed_lists_every_file_in_events() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/events/atmp-danmark");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = protokol::seed::FILES.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
    for (name, text) in protokol::seed::FILES {
        assert_eq!(
            std::fs::read_to_string(format!("{dir}/{name}")).unwrap(),
            *text,
            "{name} is embedded as it is on disk"
        );
    }
}

#[test]
fn serve_seeds_a_missing_ledger_answers_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let token = "never-logged-token-0123456789";
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_protokol"))
        .args(["--ledger", path.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .env("PROTOKOL_TOKENS", format!("cecilie:{token}"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines().map(|l| l.unwrap());
    let site = lines.by_ref().find_map(|l| l.strip_prefix("serving on ").map(str::to_string)).expect("serving");
    let mut resp = ureq::get(&format!("{site}api/head")).call().unwrap();
    let head: serde_json::Value = resp.body_mut().read_json().unwrap();
    assert_eq!(head["seq"], 109, "seeded with the ATMP Danmark record");
    let resp = ureq::post(&format!("{site}api/events?token={token}"))
        .header("authorization", &format!("Bearer {token}"))
        .config()
        .http_status_as_error(false)
        .build()
        .send_json(serde_json::json!({"events": []}))
        .unwrap();
    assert_eq!(resp.status(), 400, "an empty batch");

    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    assert_eq!(protokol::ledger::verify(&path).unwrap().count, 109);
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("path=/api/events") && log.contains("status=400"), "one line per request: {log}");
    assert!(!log.contains(token), "tokens are never logged: {log}");
}

/// The log offset the newest sled page-table snapshot of a ledger covers (sled names the
/// file `snap.<offset in hex>`).
fn snapshot_offset(ledger: &std::path::Path) -> u64 {
    std::fs::read_dir(ledger)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            u64::from_str_radix(name.strip_prefix("snap.")?, 16).ok()
        })
        .max()
        .expect("a sled snapshot")
}

/// sled 0.34 writes its page-table snapshot only when it opens, and every open replays
/// sled's log since the last snapshot (19 s after a million appends). So each bulk
/// writer ends with a checkpoint (`compact` with the reopening of its copy): its snapshot
/// then covers what it wrote, and opening
/// the ledger again finds little more to cover (sled writes a few kB on closing).
#[test]
fn bulk_writers_leave_a_snapshot_covering_their_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let covered_then_reopened = |path: &std::path::Path, args: &[&str]| {
        let r = protokol(path, args, None);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let covered = snapshot_offset(path);
        drop(protokol::Ledger::open(path).unwrap());
        let reopened = snapshot_offset(path);
        assert!(reopened - covered < reopened / 100, "{args:?}: the snapshot covers {covered} of {reopened}");
        covered
    };
    covered_then_reopened(&path, &["gen", "--events", "3000", "--seed", "1"]);
    covered_then_reopened(&path, &["rebuild"]);
    covered_then_reopened(&path, &["compact"]);
    let export = dir.path().join("export.jsonl");
    assert_eq!(protokol(&path, &["export", "--out", export.to_str().unwrap()], None).code, 0);
    covered_then_reopened(&dir.path().join("l2"), &["import", export.to_str().unwrap()]);
}
