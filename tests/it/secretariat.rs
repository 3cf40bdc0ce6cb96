//! The secretariat's working day: imports that write everything or nothing, and a dry
//! run that reports every problem at once.

use crate::common::*;
use std::path::Path;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/events/atmp-danmark");
const COUNCIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/events/constructed-council");

/// The constructed council's folder, with its written procedure made to cite a person
/// nobody registered and its meeting to have an attendee listed twice.
fn council_with_two_bad_files(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(COUNCIL).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        // Named apart from ATMP's files: a file is known by its name.
        let name = format!("byraad-{}", p.file_name().unwrap().to_str().unwrap());
        let mut text = std::fs::read_to_string(&p).unwrap();
        if name.contains("skriftlig") {
            text = text.replace("person = \"jens-ravn\"", "person = \"jens-ravnn\"");
        }
        if name.contains("byraadet-1") {
            text = text.replace("[[attendance]]\nperson = \"bo-krag\"", "[[attendance]]\nperson = \"anna-holm\"");
        }
        std::fs::write(to.join(name), text).unwrap();
    }
}

#[test]
fn a_folder_with_a_bad_file_imports_nothing_and_leaves_the_ledger_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    assert_eq!(protokol(&ledger, &["import", EVENTS], None).code, 0);
    assert_eq!(protokol(&ledger, &["groups"], None).code, 0);
    let before = bytes_of(&ledger);
    let folder = dir.path().join("council");
    council_with_two_bad_files(&folder);
    let r = protokol(&ledger, &["import", folder.to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stdout, "", "nothing imported, nothing said to be");
    assert!(r.stderr.contains("[rule duplicate-attendee]"), "{}", r.stderr);
    assert!(bytes_of(&ledger) == before, "the ledger's files changed");
    // A ledger the import would have created is not left behind.
    let fresh = dir.path().join("fresh");
    assert_eq!(protokol(&fresh, &["import", folder.to_str().unwrap()], None).code, 2);
    assert!(!fresh.exists());
    // The good files of a folder go in together, one batch, each listed.
    let r = protokol(&fresh, &["import", COUNCIL], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "register.toml: imported 29 events, seq 1..29");
    assert_eq!(lines[1], "2026-02-10-byraadet-1.toml: imported 18 events, seq 30..47");
    assert_eq!(lines[2], "2026-03-02-byraadet-skriftlig-1.toml: imported 6 events, seq 48..53");
}

#[test]
fn check_reports_every_problem_in_every_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("council");
    council_with_two_bad_files(&folder);
    let ledger = dir.path().join("l");
    let r = protokol(&ledger, &["check", folder.to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(!ledger.exists(), "checked against an empty ledger, none made");
    // Both problems, each at its own line: the attendee listed twice, and the unknown
    // substitute of the written procedure (checked though the file before was refused).
    assert!(r.stdout.contains("byraad-2026-02-10-byraadet-1.toml:54: AttendanceRecorded"), "{}", r.stdout);
    assert!(r.stdout.contains("\"anna-holm\" is listed twice [rule duplicate-attendee]"), "{}", r.stdout);
    assert!(r.stdout.contains("byraad-2026-03-02-byraadet-skriftlig-1.toml:35: AttendanceRecorded"), "{}", r.stdout);
    assert!(r.stdout.contains("unknown person \"jens-ravnn\""), "{}", r.stdout);
    assert!(r.stderr.contains("2 problems in the files; nothing was written"), "{}", r.stderr);
    // Clean files: ok, with what an import would write.
    let r = protokol(&ledger, &["check", COUNCIL], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.stdout.trim_end(), "ok: 3 files, 53 events to import; nothing was written");
    // Against a ledger that has them already: nothing to import.
    assert_eq!(protokol(&ledger, &["import", COUNCIL], None).code, 0);
    let r = protokol(&ledger, &["check", COUNCIL], None);
    assert_eq!(r.stdout.trim_end(), "ok: 3 files, 0 events to import; nothing was written");
}

#[test]
fn check_reports_every_shape_problem_of_a_file_each_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("files");
    std::fs::create_dir_all(&folder).unwrap();
    // Three entries of lists, each with a problem of its shape: a field nobody knows, a
    // number written as text, an outcome that does not exist.
    let text = crate::import::GOOD
        .replace("title = \"Velkommen\"\n", "title = \"Velkommen\"\ncolour = \"red\"\n")
        + "\n[[item]]\nnumber = \"two\"\ntitle = \"Andet\"\n\n[[item]]\nnumber = 3\ntitle = \"Tredje\"\n\n[item.decision]\nid = \"sg5-p3\"\noutcome = \"accepted\"\ntext = \"x\"\n";
    std::fs::write(folder.join("2026-04-29-styregruppen-5.toml"), &text).unwrap();
    let r = protokol(&dir.path().join("l"), &["check", folder.to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (needle, what) in
        [("colour", "unknown field `colour`"), ("\"two\"", "invalid type"), ("accepted", "unknown variant `accepted`")]
    {
        let at = format!("line {}", line_of(needle));
        assert!(
            r.stdout.lines().any(|l| l.contains(what) && l.contains(&at))
                || r.stdout.contains(&format!("{at},")) && r.stdout.contains(what),
            "{what} at {at}: {}",
            r.stdout
        );
    }
    assert!(r.stderr.contains("3 problems in the files"), "{}", r.stderr);
}

#[test]
fn check_shows_the_seat_flags_an_import_would_raise() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("council");
    std::fs::create_dir_all(&folder).unwrap();
    let register = std::fs::read_to_string(Path::new(COUNCIL).join("register.toml")).unwrap();
    std::fs::write(folder.join("register.toml"), register.replace("seats = 7", "seats = 6")).unwrap();
    let r = protokol(&dir.path().join("l"), &["check", folder.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("flag: byraadet: 7 seat holders for 6 seats from 2026-01-01\n"), "{}", r.stdout);
}

/// A draft, sent for comments, approved at the next meeting's item, locked; reopened
/// with a reason, changed, approved anew. The rendered minutes say where they stand, and
/// today's rendering still matches each approved document.
#[test]
fn the_minutes_life_locks_the_record_until_it_is_reopened_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let md = |path: &Path| protokol(path, &["minutes", "styregruppen", "4"], None).stdout;
    assert!(md(&path).contains("**Status:** Udkast\n"));
    let r = protokol(&path, &["circulate-minutes", "styregruppen", "4", "--effective", "2026-02-02"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(md(&path).contains("**Status:** Udsendt til kommentering 2. februar 2026\n"));
    // The document sent round is what is approved, as item 2 of the next meeting, held.
    let doc = dir.path().join("referat.md");
    let out = ["minutes", "styregruppen", "4", "--out", doc.to_str().unwrap()];
    assert_eq!(protokol(&path, &out, None).code, 0);
    let next = r#"[
      {"effective": "2026-04-29", "kind": "MeetingHeld", "body": {"meeting": "styregruppen-2026-04-29", "group": "styregruppen", "number": 5, "meeting_kind": "ordinary", "starts_at": "2026-04-29T13:00:00+02:00"}},
      {"effective": "2026-04-29", "kind": "AgendaSet", "body": {"meeting": "styregruppen-2026-04-29", "items": [{"number": 1, "title": "Velkommen"}, {"number": 2, "title": "Godkendelse af referat"}]}}
    ]"#;
    assert_eq!(protokol(&path, &["append", "-"], Some(next)).code, 0);
    let approve = |item: &str| {
        let args = [
            "approve-minutes",
            "styregruppen",
            "4",
            "--file",
            doc.to_str().unwrap(),
            "--effective",
            "2026-04-29",
            "--at-meeting",
            "styregruppen-2026-04-29",
            "--item",
            item,
        ];
        protokol(&path, &args, None)
    };
    let r = approve("3");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no agenda item 3"), "{}", r.stderr);
    let r = approve("2");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(md(&path).contains("**Status:** Godkendt 29. april 2026\n"));
    // Regression: holding the next meeting (without its announced end and place) changed
    // this meeting's "Næste møde", so its approved rendering no longer matched.
    let r = protokol(&path, &["verify-minutes", "--rendered", "styregruppen", "4"], None);
    assert_eq!(r.code, 0, "the status the document had is the one before approval: {}", r.stderr);
    let meeting = protokol(&path, &["meeting", "styregruppen", "4", "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&meeting.stdout).unwrap();
    assert_eq!(v["minutes_approvals"][0]["at_meeting"], "styregruppen-2026-04-29");
    assert_eq!(v["minutes_status"]["status"], "approved");

    // Locked: a new text for an item is refused, and the ledger keeps what it had.
    let text = r#"{"effective": "2026-05-01", "kind": "ItemMinuted", "body": {"meeting": "styregruppen-2026-01-21", "item": 2, "text": "Efterskrift."}}"#;
    let r = protokol(&path, &["append", "-"], Some(text));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("[rule minutes-locked]"), "{}", r.stderr);
    assert!(r.stderr.contains("were approved on 2026-04-29"), "{}", r.stderr);
    // Reopened with a reason, it takes the change; approved again, it is locked again.
    let r = protokol(
        &path,
        &[
            "reopen-minutes",
            "styregruppen",
            "4",
            "--reason",
            "Punkt 2 mangler en sætning.",
            "--effective",
            "2026-05-01",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(md(&path).contains("**Status:** Genåbnet 1. maj 2026: Punkt 2 mangler en sætning.\n"));
    assert_eq!(protokol(&path, &["append", "-"], Some(text)).code, 0);
    let r = protokol(&path, &["reopen-minutes", "styregruppen", "4", "--reason", "igen"], None);
    assert!(r.code == 2 && r.stderr.contains("[rule minutes-not-approved]"), "{}", r.stderr);
    assert_eq!(protokol(&path, &["verify"], None).code, 0);
}

/// An edited meeting file imported again is shown as corrections, recorded only with
/// --yes and a reason; one event is corrected from the command line, its date alone
/// too; what is corrected answers corrected, and the log keeps both.
#[test]
fn edits_become_corrections_a_secretary_can_see_and_confirm() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    for e in std::fs::read_dir(COUNCIL).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, files.join(p.file_name().unwrap())).unwrap();
        }
    }
    let ledger = dir.path().join("l");
    let folder = files.to_str().unwrap();
    assert_eq!(protokol(&ledger, &["import", folder], None).code, 0);
    let meeting = files.join("2026-02-10-byraadet-1.toml");
    let text = std::fs::read_to_string(&meeting).unwrap();
    let edited = text
        .replace("Budgetopfølgningen blev godkendt.", "Budgetopfølgningen for 4. kvartal blev godkendt.")
        .replace("effective = 2026-02-11\n", "effective = 2026-02-12\n");
    std::fs::write(&meeting, edited).unwrap();
    let head = protokol(&ledger, &["verify"], None).stdout;
    let shown = protokol(&ledger, &["import", folder], None);
    assert_eq!(shown.code, 2, "{}", shown.stdout);
    for line in [
        "  seq 39 DecisionRecorded: text: \"Budgetopfølgningen blev godkendt.\" -> \"Budgetopfølgningen for 4. kvartal blev godkendt.\";\n",
        "  seq 45 LeaveOfAbsenceBegan: effective 2026-02-11 -> 2026-02-12;\n",
        "  seq 47 FileImported: the file's text, as edited;\n",
        "To record them, import it again with --yes --reason TEXT.",
    ] {
        assert!(shown.stderr.contains(line), "missing {line:?} in {}", shown.stderr);
    }
    assert_eq!(protokol(&ledger, &["verify"], None).stdout, head, "nothing written");
    let r = protokol(&ledger, &["import", folder, "--yes", "--reason", "Rettet efter kommentarer"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("2026-02-10-byraadet-1.toml: recorded 3 corrections of its import, seq 54..56"),
        "{}",
        r.stdout
    );
    // The edited file is now the one on record: importing it again is a no-op.
    let again = protokol(&ledger, &["import", folder], None);
    assert_eq!(again.stdout.matches("already imported (same content").count(), 3, "{}", again.stdout);
    let on = |d: &str| protokol(&ledger, &["members", "byraadet", "--at", d, "--json"], None).stdout;
    assert!(on("2026-02-11").contains("\"on_leave\": []"), "the leave now starts on the 12th");
    assert!(!on("2026-02-12").contains("\"on_leave\": []"));

    // One event from the command line: shown, then recorded with --yes.
    let r =
        protokol(&ledger, &["correct", "33", "--effective", "2026-02-03", "--reason", "Indtrådt dagen efter"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("seq 33 MemberJoined: effective 2026-02-02 -> 2026-02-03;\nnothing was written"),
        "{}",
        r.stdout
    );
    let r = protokol(
        &ledger,
        &["correct", "33", "--effective", "2026-02-03", "--reason", "Indtrådt dagen efter", "--yes"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let members = |d: &str| protokol(&ledger, &["members", "byraadet", "--at", d], None).stdout;
    assert!(!members("2026-02-02").contains("henrik-bay") && members("2026-02-03").contains("henrik-bay"));
    let r = protokol(
        &ledger,
        &["correct", "4", "--set", "name=Ådal Kommune (forvaltningen)", "--reason", "Navn", "--yes"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = protokol(&ledger, &["correct", "4", "--set", "nickname=x", "--reason", "Navn"], None);
    assert!(r.code == 2 && r.stderr.contains("unknown field `nickname`"), "{}", r.stderr);
    let r = protokol(&ledger, &["correct", "9999", "--retract", "--reason", "x"], None);
    assert!(r.code == 2 && r.stderr.contains("no event with seq 9999"), "{}", r.stderr);
    assert_eq!(protokol(&ledger, &["verify"], None).code, 0);
}

/// Search finds "Real World Data" in the steering group's item 8, through the command
/// line, the API and the site; word forms and case aside; as the record stood on a date;
/// and never by words a correction took out.
#[test]
fn search_finds_words_in_the_record_and_not_the_words_corrected_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let hits = |q: &str, extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["search", q, "--json"];
        args.extend_from_slice(extra);
        let r = protokol(&path, &args, None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    };
    let found = hits("Real World Data", &[]);
    let item8 = found.iter().find(|h| h["meeting"] == "styregruppen-2026-01-21" && h["item"] == 8);
    assert!(item8.is_some(), "{found:?}");
    assert_eq!(item8.unwrap()["link"], "/meetings/styregruppen/4");
    assert_eq!(hits("real world data", &[]).len(), found.len(), "case aside");
    assert!(!hits("beslutningerne", &[]).is_empty(), "a word form finds its stem");
    assert!(hits("Real World Data", &["--at", "2025-12-31"]).iter().all(|h| h["date"] == "2025-05-02"), "as of a date");
    assert!(!hits("Nina Uldal", &[]).is_empty(), "people by name");
    // A text corrected away is not found by its old words.
    let seq = {
        let log = protokol(&path, &["log", "--json", "--limit", "200"], None).stdout;
        let v: Vec<serde_json::Value> = serde_json::from_str(&log).unwrap();
        v.iter()
            .find(|e| {
                e["kind"] == "ItemMinuted" && e["body"]["text"].as_str().is_some_and(|t| t.contains("Real World Data"))
            })
            .map(|e| e["seq"].as_u64().unwrap())
            .unwrap()
    };
    let r = protokol(
        &path,
        &["correct", &seq.to_string(), "--set", "text=Teksten er rettet.", "--reason", "test", "--yes"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(hits("Real World Data", &[]).len() < found.len(), "the corrected text no longer answers");
    assert!(!hits("rettet", &[]).is_empty(), "its new words do");
    let eleven: Vec<String> = (0..11).map(|i| format!("ord{i}")).collect();
    let r = protokol(&path, &["search", &eleven.join(" ")], None);
    assert!(r.code == 2 && r.stderr.contains("1 to 10 words"), "{}", r.stderr);
}

/// The approved document is kept in the ledger by its hash, in the approval's write:
/// served by the API and the site as a download, and checked by verify.
#[tokio::test]
async fn an_approved_document_is_kept_served_and_verified() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let doc = dir.path().join("referat.pdf");
    let bytes: Vec<u8> = b"%PDF-1.7\n".iter().copied().chain((0..5000u32).map(|i| (i * 7 % 256) as u8)).collect();
    std::fs::write(&doc, &bytes).unwrap();
    let r = protokol(&path, &["approve-minutes", "styregruppen", "4", "--file", doc.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(protokol(&path, &["verify"], None).code, 0);
    let hash = protokol::hash::document_hash(&bytes);
    let state = protokol::http::AppState::new(protokol::Ledger::open(&path).unwrap(), Default::default());
    for uri in [format!("/api/documents/{hash}"), format!("/documents/{hash}")] {
        let req = axum::http::Request::get(&uri).body(axum::body::Body::empty()).unwrap();
        let res = protokol::http::app(state.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), 200, "{uri}");
        let h = res.headers();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["content-disposition"], "attachment; filename=\"referat.pdf\"");
        let got = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        assert!(got == bytes, "{uri}: the bytes approved");
    }
    let req =
        axum::http::Request::get(format!("/api/documents/{}", "0".repeat(64))).body(axum::body::Body::empty()).unwrap();
    assert_eq!(protokol::http::app(state.clone()).oneshot(req).await.unwrap().status(), 404);
    let req = axum::http::Request::get("/meetings/styregruppen/4").body(axum::body::Body::empty()).unwrap();
    let page = axum::body::to_bytes(protokol::http::app(state).oneshot(req).await.unwrap().into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&page).contains(&format!("<a href=\"/documents/{hash}\">referat.pdf</a>")));
}
