//! Erasure with the chain intact (issue 19, part 6): `protokol redact` takes personal data
//! recorded by mistake out of the store, the export, the state, search and the copy of the
//! file it came from, and what remains says that something was erased, when, by whom and
//! why, never what.

use crate::common::*;
use crate::import::GOOD;
use crate::server::{call, get_json, state, TOKEN};
use axum::body::Body;
use axum::http::StatusCode;
use protokol::ids::Seq;
use protokol::ledger::Ledger;
use serde_json::{json, Value};
use std::path::Path;

const SECRET: &str = "Hansen er sygemeldt med stress";

/// A ledger with the ATMP record and a fifth steering group meeting whose item 1 says
/// something that should never have been written down; the seq of that item's text.
fn with_a_mistake(ledger: &Path, dir: &Path) -> u64 {
    assert_eq!(
        protokol(ledger, &["import", concat!(env!("CARGO_MANIFEST_DIR"), "/events/atmp-danmark")], None).code,
        0
    );
    let text =
        GOOD.replace("title = \"Velkommen\"\n", &format!("title = \"Velkommen\"\ntext = \"Velkomst. {SECRET}.\"\n"));
    let file = dir.join("2026-04-29-styregruppen-5.toml");
    std::fs::write(&file, text).unwrap();
    let r = protokol(ledger, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let l = Ledger::open(ledger).unwrap();
    let seq = l
        .entries_after(Seq(0), 10_000)
        .unwrap()
        .into_iter()
        .find(|e| e.event.kind() == "ItemMinuted" && e.event.body_value()["text"].as_str().unwrap().contains(SECRET))
        .unwrap()
        .seq;
    seq.0
}

/// Whether any file of the directory holds the bytes.
fn anywhere(dir: &Path, text: &str) -> Vec<String> {
    bytes_of(dir)
        .into_iter()
        .filter(|(_, b)| b.windows(text.len()).any(|w| w == text.as_bytes()))
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn a_redacted_export_verifies_and_no_longer_holds_the_erased_text_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    let seq = with_a_mistake(&ledger, dir.path()).to_string();
    assert!(!anywhere(&ledger, SECRET).is_empty(), "the mistake is in the store to begin with");
    let before_redaction = Ledger::open(&ledger).unwrap().head_seq();

    let shown = protokol(
        &ledger,
        &["redact", &seq, "--reason", "Helbredsoplysning skrevet ved en fejl", "--set", "text=Velkomst."],
        None,
    );
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("ItemMinuted: the event asked for"), "{}", shown.stdout);
    assert!(shown.stdout.contains("FileImported: the text of the file it was imported from"), "{}", shown.stdout);
    assert!(shown.stdout.contains("nothing was written"), "{}", shown.stdout);
    let r = protokol(
        &ledger,
        &["redact", &seq, "--reason", "Helbredsoplysning skrevet ved en fejl", "--set", "text=Velkomst.", "--yes"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // The store (compacted by redact), the export and its re-import hold it nowhere.
    assert_eq!(anywhere(&ledger, SECRET), Vec::<String>::new());
    assert_eq!(protokol(&ledger, &["verify"], None).code, 0);
    let export = protokol(&ledger, &["export"], None).stdout;
    assert!(!export.contains(SECRET) && !export.contains("sygemeldt"));
    let erased_line = export.lines().find(|l| l.contains(&format!("\"seq\":{seq}}}"))).unwrap();
    assert!(erased_line.contains("\"redacted\":{\"by\":") && !erased_line.contains("\"body\":"), "{erased_line}");
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, &export).unwrap();
    let copy = dir.path().join("copy");
    let r = protokol(&copy, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(protokol(&copy, &["verify"], None).stdout, protokol(&ledger, &["verify"], None).stdout);
    assert_eq!(anywhere(&copy, SECRET), Vec::<String>::new());

    // The state, search, the minutes and the past as known before the erasure read the
    // replacement; what remains says that something was erased, when, by whom and why.
    for l in [&ledger, &copy] {
        let record = protokol(l, &["meeting", "styregruppen", "5"], None).stdout;
        assert!(record.contains("1. Velkommen") && !record.contains("sygemeldt"), "{record}");
        let known = before_redaction.0.to_string();
        let past = protokol(l, &["meeting", "styregruppen", "5", "--known-at", &known], None).stdout;
        assert!(!past.contains("sygemeldt"), "{past}");
        let found = protokol(l, &["search", "sygemeldt", "--json"], None).stdout;
        assert_eq!(serde_json::from_str::<serde_json::Value>(&found).unwrap(), serde_json::json!([]), "{found}");
        let minutes = protokol(l, &["minutes", "styregruppen", "5"], None).stdout;
        assert!(minutes.contains("Velkomst.") && !minutes.contains("sygemeldt"), "{minutes}");
        let m = Ledger::open(l).unwrap().model();
        let erasure = m.erasure(Seq(seq.parse().unwrap())).unwrap().unwrap();
        assert_eq!(
            (erasure.reason.as_str(), erasure.recorded_by.as_str(), erasure.replaced),
            ("Helbredsoplysning skrevet ved en fejl", "test", true)
        );
        assert_eq!(m.import_of_file("2026-04-29-styregruppen-5.toml").unwrap().unwrap().content, "");
    }

    // The FORMAT.md verifier, run as it is written there.
    python_verifier(&file);
}

/// Runs the Python verifier of docs/FORMAT.md on an export: CI installs `blake3` for it;
/// elsewhere, without it, the check is left to CI.
fn python_verifier(export: &Path) {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let block = doc.split("<!-- example:python-verifier -->\n```python\n").nth(1).unwrap().split("```").next().unwrap();
    let has_blake3 =
        std::process::Command::new("python3").args(["-c", "import blake3"]).status().is_ok_and(|s| s.success());
    if !has_blake3 {
        assert!(std::env::var("CI").is_err(), "CI installs python3's blake3 for this test");
        eprintln!("python3 with blake3 is not installed: the FORMAT.md verifier is run in CI");
        return;
    }
    let out = std::process::Command::new("python3").arg("-c").arg(block).arg(export).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "), "{}", String::from_utf8_lossy(&out.stdout));
    // And it refuses an erased body with the redaction taken away.
    let text = std::fs::read_to_string(export).unwrap();
    let cut: String = text
        .lines()
        .filter(|l| !l.contains("\"kind\":\"BodyRedacted\""))
        .take_while(|_| true)
        .map(|l| format!("{l}\n"))
        .collect();
    let cut_file = export.with_extension("cut.jsonl");
    std::fs::write(&cut_file, cut).unwrap();
    let out = std::process::Command::new("python3").arg("-c").arg(block).arg(&cut_file).output().unwrap();
    assert!(!out.status.success(), "a body erased with no redaction must fail");
}

#[test]
fn an_erasure_that_would_break_later_events_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    let seq = with_a_mistake(&ledger, dir.path()).to_string();
    let before = bytes_of(&ledger);
    // Seq 1 registers an organisation later events cite: it cannot simply be taken out.
    let r = protokol(&ledger, &["redact", "1", "--reason", "fejl", "--yes"], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("[rule correction-breaks-later-event]"), "{}", r.stderr);
    assert!(bytes_of(&ledger) == before, "the ledger's files changed");
    // A body is erased once, and a redaction is not itself erased.
    assert_eq!(protokol(&ledger, &["redact", &seq, "--reason", "fejl", "--yes"], None).code, 0);
    let r = protokol(&ledger, &["redact", &seq, "--reason", "igen", "--yes"], None);
    assert!(r.code == 2 && r.stderr.contains("was erased already"), "{}", r.stderr);
    let head = Ledger::open(&ledger).unwrap().head_seq().0.to_string();
    let r = protokol(&ledger, &["redact", &head, "--reason", "x", "--yes"], None);
    assert!(r.code == 2 && r.stderr.contains("is a BodyRedacted"), "{}", r.stderr);
}

#[test]
fn an_export_whose_erasures_do_not_match_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    let seq = with_a_mistake(&ledger, dir.path()).to_string();
    assert_eq!(protokol(&ledger, &["redact", &seq, "--reason", "fejl", "--yes"], None).code, 0);
    let export = protokol(&ledger, &["export"], None).stdout;
    let cases = [
        // the redactions taken away: bodies missing with nothing to account for them
        (export.lines().filter(|l| !l.contains("\"kind\":\"BodyRedacted\"")).collect::<Vec<_>>().join("\n"), "no redaction there names it"),
        // a replacement smuggled into an erased line
        (export.replacen("\"redacted\":{\"by\":", "\"redacted\":{\"replacement\":{\"item\":1,\"meeting\":\"styregruppen-2026-04-29\",\"text\":\"Velkomst.\"},\"by\":", 1), "another replacement"),
    ];
    for (i, (text, expect)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad-{i}.jsonl"));
        std::fs::write(&file, text).unwrap();
        let target = dir.path().join(format!("bad-{i}"));
        let r = protokol(&target, &["import", file.to_str().unwrap()], None);
        assert_eq!(r.code, 2, "case {i}: {}", r.stdout);
        assert!(r.stderr.contains(expect), "case {i}: {}", r.stderr);
        assert!(!target.exists(), "case {i}: a ledger the import would have created is not left behind");
    }
}

#[test]
fn a_file_whose_text_was_erased_says_so_when_it_is_imported_changed() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    let seq = with_a_mistake(&ledger, dir.path()).to_string();
    assert_eq!(
        protokol(&ledger, &["redact", &seq, "--reason", "fejl", "--set", "text=Velkomst.", "--yes"], None).code,
        0
    );
    let file = dir.path().join("2026-04-29-styregruppen-5.toml");
    // The very file again is still known as imported (its hash is kept).
    let r = protokol(&ledger, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("already imported"), "{}", r.stdout);
    std::fs::write(&file, std::fs::read_to_string(&file).unwrap().replace(SECRET, "")).unwrap();
    let r = protokol(&ledger, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("was erased (BodyRedacted)") && r.stderr.contains("protokol correct"), "{}", r.stderr);
}

#[tokio::test]
async fn a_redaction_through_the_api_needs_a_token_and_erases_the_text_from_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let page = "/api/groups/referencegruppen/meetings/1";
    let said = "Formandskabet for ATMP Danmarks styregruppe Erik Jylling og";
    assert!(get_json(&s, page).await.to_string().contains(said));
    let request = json!({"seq": 62, "reason": "Ved en fejl", "set": {"text": "[slettet]"}}).to_string();
    let (status, _) = call(&s, "POST", "/api/redactions", None, request.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = call(&s, "POST", "/api/redactions", Some(TOKEN), request.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["appended"], 2, "the item's text and the text of the file it came from: {body}");
    for uri in [page, "/api/events?after=61&limit=1", "/api/events?after=76&limit=1"] {
        let answer = get_json(&s, uri).await.to_string();
        assert!(!answer.contains(said), "{uri}: {answer}");
    }
    let feed = get_json(&s, "/api/events?after=61&limit=1").await;
    assert_eq!(feed["events"][0]["redacted"]["by"], 110, "{feed}");
    let (_, html) = call(&s, "GET", "/meetings/referencegruppen/1", None, Body::empty()).await;
    assert!(html.contains("[slettet]") && !html.contains(said));
    let (_, audit) = call(&s, "GET", "/audit?after=61", None, Body::empty()).await;
    assert!(audit.contains("ItemMinuted (indholdet slettet ved seq 110)"), "{audit}");
    assert!(s.verify_now().ok);
    let verified = get_json(&s, "/api/verify").await;
    assert_eq!((verified["ok"].as_bool(), verified["count"].as_u64()), (Some(true), Some(111)), "{verified}");
    // Twice is refused, and says why.
    let (status, body) = call(&s, "POST", "/api/redactions", Some(TOKEN), request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("erased already"), "{body}");
}
