//! docs/FORMAT.md is a public contract: its worked example must verify, by the rule as
//! written (BLAKE3 called directly here, not through protokol's helpers).

use protokol::envelope::{ChainChecker, Record};
use protokol::ids::Seq;

fn example(doc: &str, name: &str) -> String {
    let marker = format!("<!-- example:{name} -->");
    let after = &doc[doc.find(&marker).unwrap_or_else(|| panic!("FORMAT.md has no {marker}")) + marker.len()..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].trim_end_matches('\n').to_string()
}

#[test]
fn worked_example_in_format_md_verifies() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let line = example(&doc, "export-line");
    let canonical_body = example(&doc, "canonical-body");
    let canonical_header = example(&doc, "canonical-header");

    // The rule as written, straight from the bytes in the document.
    let body_hash = blake3::derive_key("protokol 2026-11 body v1", canonical_body.as_bytes());
    let hash = blake3::derive_key("protokol 2026-11 event v1", canonical_header.as_bytes());
    let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(hex(body_hash), example(&doc, "body-hash"));
    assert_eq!(hex(hash), example(&doc, "hash"));

    // And protokol reads the export line to exactly those bytes and accepts the chain.
    let record = Record::from_export_line(&line).unwrap();
    assert_eq!(record.body_bytes, canonical_body.as_bytes());
    assert_eq!(record.header_bytes, canonical_header.as_bytes());
    assert_eq!(record.hash.to_hex(), example(&doc, "hash"));
    assert_eq!(record.to_export_line().unwrap(), line, "export lines are canonical");
    let mut chain = ChainChecker::default();
    chain.check(Some(Seq(1)), &record).unwrap();
    assert_eq!(chain.head(), record.hash);
}

#[test]
fn a_sealed_record_survives_the_stored_framing_byte_for_byte() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let record = Record::from_export_line(&example(&doc, "export-line")).unwrap();
    let bytes = record.encode();
    assert_eq!(bytes[0], 1, "record version");
    assert_eq!(&bytes[1..33], &record.hash.0);
    assert_eq!(Record::decode(&bytes).unwrap(), record);
}

/// Export lines are spliced from the stored canonical bytes; each must still be exactly
/// the canonical form of the object it holds, for the real record (Danish text, quotes,
/// nested lists) and a generated one.
#[test]
fn every_export_line_is_canonical_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut generated = protokol::Ledger::create(&dir.path().join("gen")).unwrap();
    for batch in protokol::gen::generate(1_500, 5) {
        generated.append("gen", batch, None, "gen", crate::common::now()).unwrap();
    }
    for ledger in [crate::common::seeded(&dir.path().join("seed")), generated] {
        let mut out = Vec::new();
        let n = ledger.export(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count() as u64, n);
        for (i, line) in text.lines().enumerate() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let canonical = serde_json_canonicalizer::to_string(&value).unwrap();
            assert_eq!(line, canonical, "line {}", i + 1);
        }
    }
}

/// A ledger written by an earlier protokol, as its export: today's code imports it into
/// an empty ledger re-checking every event, ends at the same head, and answers from it.
#[test]
fn an_export_of_an_earlier_version_imports_to_the_same_head_and_answers() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/export-2026-12-01.jsonl");
    let text = std::fs::read_to_string(fixture).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let r = crate::common::protokol(&path, &["import", fixture], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = crate::common::protokol(&path, &["verify"], None);
    assert_eq!(v.stdout.lines().next().unwrap(), format!("ok: 118 events, head {}", last["hash"].as_str().unwrap()));
    let l = protokol::Ledger::open(&path).unwrap();
    let m = l.model();
    let raadet = "raadet".parse().unwrap();
    let c = protokol::query::composition(&m, &raadet, "2026-02-10".parse().unwrap()).unwrap();
    assert_eq!((c.members.len(), c.substitutes.len()), (2, 1));
    assert_eq!(c.members[0].rank, Some(1));
    let s = c.seats.unwrap();
    assert_eq!((s.seats, s.held, s.over_share.len()), (2, 2, 1), "two for amgros, one allowed");
    // The written procedure numbered 1 among all the group's meetings then is found by
    // its number now, numbered among written procedures.
    let r = protokol::query::meeting_record(&m, &raadet, &1.into(), "2026-02-10".parse().unwrap()).unwrap();
    assert_eq!(r.agenda[0].shown_number(), "1A");
    assert_eq!(r.agenda[0].decisions[0].votes.as_ref().map(|v| (v.in_favour, v.against)), Some((1, 1)));
    let sg = protokol::query::composition(&m, &"styregruppen".parse().unwrap(), "2026-01-21".parse().unwrap()).unwrap();
    assert_eq!(sg.members.len(), 12);
}
