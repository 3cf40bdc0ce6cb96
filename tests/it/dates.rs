//! Dates as the minutes said them (issue 19, part 5): a quarter, part of a month, an
//! expected day, the next meeting. Kept at their precision, said in words, and overdue
//! only once every day they cover has passed.

use crate::common::*;
use crate::import::GOOD;
use protokol::minutes::{render_meeting, Format, Lang};
use protokol::query::{self, ActionState, ActionView};
use protokol::{import, record_file, Ledger};
use serde_json::json;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn action(l: &Ledger, on: &str, id: &str) -> Option<ActionView> {
    query::actions(&l.model(), day(on)).unwrap().into_iter().find(|a| a.id.as_str() == id)
}

#[test]
fn a_quarter_is_overdue_only_after_its_last_day_and_is_shown_as_said() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let site = |on| action(&l, on, "rg1-ny-hjemmeside").unwrap();
    assert_eq!(site("2025-09-30").state, ActionState::Open);
    assert_eq!(site("2025-10-01").state, ActionState::Overdue);
    let json = serde_json::to_value(site("2025-10-01")).unwrap();
    assert_eq!((json["due"].as_str(), json["due_by"].as_str()), (Some("2025-Q3"), Some("2025-09-30")));
    let expected = action(&l, "2025-06-10", "rg1-udsende-styregruppemateriale").unwrap();
    assert_eq!(expected.due.unwrap().to_string(), "2025-06-10~");
    assert_eq!(expected.state, ActionState::Open);

    let sg = render_meeting(&l.model(), &"styregruppen".parse().unwrap(), &4.into(), Lang::Da, Format::Md).unwrap();
    assert!(sg.contains("**Træder i kraft:** april 2026"), "no day nobody said: {sg}");
    let rg = render_meeting(&l.model(), &"referencegruppen".parse().unwrap(), &1.into(), Lang::En, Format::Md).unwrap();
    assert!(rg.contains("(due Q3 2025)") && rg.contains("(due around 10 June 2025)"), "{rg}");
    assert!(!rg.contains("30 September"), "{rg}");
}

#[test]
fn before_the_next_meeting_is_due_on_the_day_the_ledger_learns_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let text = GOOD.replace("due = 2026-05-15", "due = \"inden næste møde\"")
        + "\n[[item.action]]\nid = \"sg5-p1-b\"\nowner = \"atmp-danmark-sekretariatet\"\ndescription = \"Ringe\"\ndue = \"medio maj 2026\"\n";
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", &text).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap();

    let next = action(&l, "2027-01-01", "sg5-p1-a").unwrap();
    assert_eq!((next.due.unwrap().to_string(), next.due_by), ("next-meeting".into(), None));
    assert_eq!(next.state, ActionState::Open, "no next meeting known, so not overdue");
    let mid = |on| action(&l, on, "sg5-p1-b").unwrap().state;
    assert_eq!((mid("2026-05-20"), mid("2026-05-21")), (ActionState::Open, ActionState::Overdue));

    l.append(
        "t",
        events(json!([{"effective": "2026-04-29", "kind": "MeetingScheduled", "body": {
            "meeting": "styregruppen-2026-06-10", "group": "styregruppen", "meeting_kind": "ordinary",
            "starts_at": "2026-06-10T13:00:00+02:00"}}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    let next = |on| action(&l, on, "sg5-p1-a").unwrap();
    assert_eq!(next("2026-06-10").due_by, Some(day("2026-06-10")));
    assert_eq!((next("2026-06-10").state, next("2026-06-11").state), (ActionState::Open, ActionState::Overdue));

    // The minutes say what was said, and stay the same when the next meeting is known.
    let da = render_meeting(&l.model(), &"styregruppen".parse().unwrap(), &5.into(), Lang::Da, Format::Md).unwrap();
    assert!(da.contains("Følge op (frist inden næste møde)") && da.contains("Ringe (frist medio maj 2026)"), "{da}");
}

#[test]
fn json_input_takes_a_date_as_said_and_refuses_one_that_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", GOOD).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap();
    let assign = |due: &str| {
        json!([{"effective": "2026-04-29", "kind": "ActionAssigned", "body": {
            "action": "sg5-json", "meeting": "styregruppen-2026-04-29", "item": 1,
            "owner": {"group": "atmp-danmark-sekretariatet"}, "description": "x", "due": due}}])
    };
    let head = l.head();
    let bad = protokol::input::parse_events("batch.json", &assign("someday").to_string());
    let err = bad.map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("batch.json") && err.contains("\"someday\" is not a date as said"), "{err}");
    assert_eq!(l.head(), head);
    l.append("t", events(assign("2026-H2")), None, "test", now()).unwrap();
    assert_eq!(action(&l, "2026-12-31", "sg5-json").unwrap().state, ActionState::Open);
    assert_eq!(action(&l, "2027-01-01", "sg5-json").unwrap().state, ActionState::Overdue);
}
