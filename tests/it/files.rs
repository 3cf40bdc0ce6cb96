//! What register and meeting files can say beyond the ATMP record: end dates meant as
//! the last day, dated changes, several decisions on an item, proceedings that are not
//! meetings; and how a file that says it wrongly is told so.

use crate::common::*;
use protokol::import;
use protokol::minutes::{render_meeting, Format, Lang};
use protokol::record_file;
use protokol::Ledger;

const REGISTER: &str = r#"effective = 2024-01-01
end_dates = "last_day"

[[person]]
id = "a"
name = "Anne"

[[person]]
id = "b"
name = "Bent"

[[group]]
id = "bestyrelsen"
name = "Bestyrelsen"
kind = "board"

[[membership]]
person = "a"
group = "bestyrelsen"
role = "chair"

[[membership]]
person = "b"
group = "bestyrelsen"
role = "member"
until = 2024-06-30
"#;

fn import(l: &mut Ledger, name: &str, text: &str) -> Result<(), String> {
    let head = l.head();
    let result = record_file::parse(name, text).and_then(|f| import::import_file(l, &f, "test", now()));
    if result.is_err() {
        assert_eq!(l.head(), head, "nothing appended");
    }
    result.map(drop).map_err(|e| e.to_string())
}

fn board() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    import(&mut l, "register.toml", REGISTER).unwrap();
    (dir, l)
}

#[test]
fn end_dates_may_be_the_last_day_and_are_read_as_the_first_day_without() {
    let (_dir, l) = board();
    let bent = l.model().memberships_of(&"b".parse().unwrap(), &"bestyrelsen".parse().unwrap()).unwrap();
    assert_eq!(bent[0].end.map(|d| d.to_string()).as_deref(), Some("2024-07-01"));
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let err =
        import(&mut l, "register.toml", &REGISTER.replace("until = 2024-06-30", "until = 2024-06-30T12:00:00+02:00"))
            .unwrap_err();
    assert!(
        err.contains("register.toml:22: 2024-06-30T12:00:00+02:00: with end_dates = \"last_day\" an end is a date"),
        "{err}"
    );
}

#[test]
fn a_change_with_a_field_it_does_not_take_is_named_at_its_line() {
    let (_dir, mut l) = board();
    let text = "effective = 2025-01-01\n\n[[change]]\nchange = \"renamed\"\nperson = \"a\"\nname = \"Anne Berg\"\ngroup = \"bestyrelsen\"\n";
    let err = import(&mut l, "changes.toml", text).unwrap_err();
    assert!(err.contains("changes.toml:3: group does not go with change = \"renamed\""), "{err}");
    let err =
        import(&mut l, "changes.toml", "effective = 2025-01-01\n\n[[change]]\nchange = \"leave\"\nperson = \"a\"\n")
            .unwrap_err();
    assert!(err.contains("changes.toml:3: change = \"leave\" needs a group"), "{err}");
    import(&mut l, "changes.toml", &text.replace("group = \"bestyrelsen\"\n", "")).unwrap();
    assert_eq!(l.model().person(&"a".parse().unwrap()).unwrap().unwrap().name, "Anne Berg");
}

#[test]
fn a_refused_batch_cites_its_own_entries_never_seqs_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let twice = format!(
        "{REGISTER}\n[[membership]]\nperson = \"a\"\ngroup = \"bestyrelsen\"\nrole = \"member\"\nfrom = 2024-03-01\n"
    );
    let err = import(&mut l, "register.toml", &twice).unwrap_err();
    assert!(err.contains("[rule membership-overlap]"), "{err}");
    assert!(err.contains("as chair from 2024-01-01 (entry 4 of this batch, register.toml:17)"), "{err}");
    assert!(!err.contains("seq"), "{err}");
}

const CHAIRS_DECISION: &str = r#"
[meeting]
id = "formandsbeslutning-2025-02-03"
group = "bestyrelsen"
kind = "chairs_decision"
starts = 2025-02-03

[[membership]]
change = "joined"
person = "b"
group = "bestyrelsen"
role = "member"
decision = "fb-2025-1"
effective = 2025-02-01

[[attendance]]
person = "a"
as = "member"

[[item]]
number = 1
title = "Midlertidig udpegning"

[[item.decisions]]
id = "fb-2025-1"
outcome = "decided"
text = "Formanden udpegede Bent som medlem fra 1. februar 2025."

[[item.decisions]]
id = "fb-2025-2"
outcome = "noted"
text = "Udpegningen forelægges bestyrelsen på næste møde."

[[item.action]]
id = "fb-2025-2-forelaeg"
owner = "a"
decision = "fb-2025-2"
description = "Forelægge udpegningen for bestyrelsen."
"#;

#[test]
fn a_chairs_decision_unnumbered_decides_twice_on_one_item_and_appoints() {
    let (_dir, mut l) = board();
    import(&mut l, "fb.toml", CHAIRS_DECISION).unwrap();
    l.verify().unwrap();
    let m = &l.model();
    let g = "bestyrelsen".parse().unwrap();
    let bent = m.memberships_of(&"b".parse().unwrap(), &g).unwrap();
    assert_eq!(bent.last().map(|x| x.start.to_string()).as_deref(), Some("2025-02-01"));
    let record =
        protokol::query::meeting_record(m, &g, &"formandsbeslutning-2025-02-03".parse().unwrap(), now().date_naive())
            .unwrap();
    assert_eq!(record.number, None);
    let ids: Vec<&str> = record.agenda[0].decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["fb-2025-1", "fb-2025-2"]);
    assert_eq!(record.agenda[0].actions[0].decision.as_ref().map(|d| d.as_str()), Some("fb-2025-2"));
    let md = render_meeting(m, &g, &"formandsbeslutning-2025-02-03".parse().unwrap(), Lang::Da, Format::Md).unwrap();
    assert!(md.contains("**Mødetitel:** Bestyrelsen, formandsbeslutning\n"), "{md}");
    // A number names no meeting of a body that goes by date.
    assert!(protokol::query::find_meeting(m, &g, &1.into()).is_err());
}

#[test]
fn an_item_says_its_decisions_one_way_and_its_actions_name_one_of_them() {
    let (_dir, mut l) = board();
    let both = CHAIRS_DECISION.replacen("[[item.decisions]]\nid = \"fb-2025-1\"", "[item.decision]\nid = \"fb-2025-0\"\noutcome = \"noted\"\ntext = \"x\"\n\n[[item.decisions]]\nid = \"fb-2025-1\"", 1);
    let err = import(&mut l, "fb.toml", &both).unwrap_err();
    assert!(err.contains("item 1: give `decision` or `[[item.decisions]]`, not both"), "{err}");
    let stray =
        CHAIRS_DECISION.replace("decision = \"fb-2025-2\"\ndescription", "decision = \"fb-2025-9\"\ndescription");
    let err = import(&mut l, "fb.toml", &stray).unwrap_err();
    assert!(err.contains("action fb-2025-2-forelaeg: item 1 has no decision \"fb-2025-9\""), "{err}");
}

#[test]
fn a_register_gives_a_second_role_held_besides_and_its_end_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let text = format!(
        "{REGISTER}\n[[membership]]\nperson = \"a\"\ngroup = \"bestyrelsen\"\nrole = \"secretary\"\nadditional = true\nuntil = 2024-12-31\n"
    );
    import(&mut l, "register.toml", &text).unwrap();
    let m = l.model();
    let g = "bestyrelsen".parse().unwrap();
    let roles = |d: &str| -> Vec<String> {
        protokol::query::composition(&m, &g, d.parse().unwrap())
            .unwrap()
            .members
            .iter()
            .filter(|x| x.person.as_str() == "a")
            .map(|x| protokol::event::name_of(&x.role))
            .collect()
    };
    assert_eq!(roles("2024-12-31"), ["chair", "secretary"]);
    assert_eq!(roles("2025-01-01"), ["chair"], "the last day was the 31st; the chair goes on");
}

#[test]
fn an_attendee_whose_membership_starts_after_the_meeting_is_told_the_order() {
    let (_dir, mut l) = board();
    let text = CHAIRS_DECISION
        .replace("effective = 2025-02-01", "effective = 2025-03-01")
        .replace("[[attendance]]\nperson = \"a\"\nas = \"member\"", "[[attendance]]\nperson = \"b\"\nas = \"member\"");
    let err = import(&mut l, "fb.toml", &text).unwrap_err();
    assert!(err.contains("\"b\" attends as a member but is not a member of \"bestyrelsen\" on 2025-02-03 (their membership starts 2025-03-01, after the meeting)"), "{err}");
}
