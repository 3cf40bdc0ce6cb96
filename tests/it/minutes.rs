//! Minutes rendered from the ledger, and documents checked against approved minutes.

use crate::common::*;
use protokol::minutes::render_meeting;
use protokol::minutes::{Format, Lang};

#[test]
fn danish_minutes_of_both_seed_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let m = &l.model();
    let sg = render_meeting(m, &"styregruppen".parse().unwrap(), &4.into(), Lang::Da, Format::Md).unwrap();
    let rg = render_meeting(m, &"referencegruppen".parse().unwrap(), &1.into(), Lang::Da, Format::Md).unwrap();
    let settings = insta_settings();
    settings.bind(|| insta::assert_snapshot!("minutes_styregruppen_4_da", sg));
    settings.bind(|| insta::assert_snapshot!("minutes_referencegruppen_1_da", rg));
    // The seed's own wording comes back.
    assert!(sg.starts_with("# Beslutningsreferat"));
    assert!(sg.contains("**Dato og tid:** Onsdag 21. januar 2026 kl. 14.00-17.00"));
    assert!(sg.contains("Styregruppen tog orienteringen til efterretning."));
    assert!(sg.contains("- Nicoline Kerzel Duel under punkt 5 og 7"));
    assert!(sg.contains("- Erik Jylling, Region Hovedstaden (formandskab)"));
    assert!(sg.contains("**Næste møde:** Onsdag 29. april 2026 kl. 13.00-15.00"));
    // Deterministic: rendering twice, or from a reopened ledger, gives the same bytes.
    assert_eq!(sg, render_meeting(m, &"styregruppen".parse().unwrap(), &4.into(), Lang::Da, Format::Md).unwrap());
}

#[test]
fn english_and_html_renderings_escape_what_they_print() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    l.append(
        "t",
        events(serde_json::json!([{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "mallory", "name": "<script>alert(1)</script>"}}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    let m = &l.model();
    let en = render_meeting(m, &"styregruppen".parse().unwrap(), &4.into(), Lang::En, Format::Html).unwrap();
    assert!(en.starts_with("<!doctype html>\n<html lang=\"en\">"));
    assert!(en.contains("<strong>Date and time:</strong> Wednesday 21 January 2026, 14:00-17:00"), "{en}");
    assert!(en.contains("Eva Jensen, Indenrigs- og Sundhedsministeriet, in the absence of Dorte Bech Vizard"));
    let da = render_meeting(m, &"styregruppen".parse().unwrap(), &4.into(), Lang::Da, Format::Html).unwrap();
    assert!(!da.contains("<script>"));
}

#[test]
fn approve_then_verify_a_document_and_a_one_byte_change_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let doc = dir.path().join("referat.pdf");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&doc, &bytes).unwrap();
    let doc_s = doc.to_str().unwrap();

    let r = protokol(&path, &["verify-minutes", doc_s], None);
    assert_eq!(r.code, 1, "not approved yet: {}", r.stdout);
    assert!(r.stderr.contains("matches no approved minutes"), "{}", r.stderr);

    let r =
        protokol(&path, &["approve-minutes", "styregruppen", "4", "--file", doc_s, "--effective", "2026-04-29"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = protokol(&path, &["verify-minutes", doc_s], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("is the approved minutes of styregruppen meeting 4 (styregruppen-2026-01-21, held 2026-01-21), approved 2026-04-29 at seq"), "{}", r.stdout);

    let mut changed = bytes.clone();
    changed[2048] ^= 0x01;
    let other = dir.path().join("referat-2.pdf");
    std::fs::write(&other, &changed).unwrap();
    let r = protokol(&path, &["verify-minutes", other.to_str().unwrap()], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("matches no approved minutes"), "{}", r.stderr);

    // Approving minutes of a meeting that does not exist is refused.
    let r = protokol(&path, &["approve-minutes", "styregruppen", "9", "--file", doc_s], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no meeting number 9"), "{}", r.stderr);
}

#[test]
fn verify_rendered_minutes_against_the_approved_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["seed"], None).code, 0);
    let r = protokol(&path, &["verify-minutes", "--rendered", "styregruppen", "4"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has no approved minutes"), "{}", r.stderr);

    let file = dir.path().join("referat.html");
    let f = file.to_str().unwrap();
    assert_eq!(protokol(&path, &["minutes", "styregruppen", "4", "--format", "html", "--out", f], None).code, 0);
    assert_eq!(protokol(&path, &["approve-minutes", "styregruppen", "4", "--file", f], None).code, 0);
    let r = protokol(&path, &["verify-minutes", "--rendered", "styregruppen", "4"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(Da, Html)"), "{}", r.stdout);

    // A correction that changes what the minutes say breaks the match.
    let seq = protokol(&path, &["log", "--json"], None);
    let log: serde_json::Value = serde_json::from_str(&seq.stdout).unwrap();
    let target = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "DecisionRecorded" && e["body"]["decision"] == "sg4-p10")
        .unwrap();
    let mut body = target["body"].clone();
    body["text"] = "Styregruppen tog orienteringen til efterretning.".into();
    let correction = serde_json::json!({"effective": "2026-02-02", "kind": "EventCorrected", "body": {
        "target": target["seq"], "reason": "Manglende punktum.", "replacement": {"kind": "DecisionRecorded", "body": body}
    }});
    assert_eq!(protokol(&path, &["append", "-"], Some(&correction.to_string())).code, 0);
    let r = protokol(&path, &["verify-minutes", "--rendered", "styregruppen", "4"], None);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("the record has changed since approval"), "{}", r.stderr);
}
