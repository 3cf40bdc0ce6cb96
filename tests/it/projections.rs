//! Projections over the ATMP Danmark record: compositions on the days around the 4th
//! steering group meeting, the decision register, actions, and what a correction changes
//! in valid and in transaction time.

use crate::common::*;
use chrono::NaiveDate;

use protokol::cli::render;
use protokol::event::{DecisionStatus, Outcome};
use protokol::ids::{GroupId, PersonId, Seq};
use protokol::ledger::KnownAt;
use protokol::query::{self, ActionState, DecisionFilter};
use serde_json::json;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sg() -> GroupId {
    "styregruppen".try_into().unwrap()
}

#[test]
fn steering_group_composition_around_the_4th_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let m = &l.model();
    let settings = insta_settings();
    for d in ["2026-01-20", "2026-01-21", "2026-01-22"] {
        let c = query::composition(m, &sg(), day(d)).unwrap();
        settings.bind(|| insta::assert_snapshot!(format!("composition_styregruppen_{d}"), render::composition(&c)));
    }
    // What the snapshots show, asserted directly.
    let before = query::composition(m, &sg(), day("2026-01-20")).unwrap();
    let on = query::composition(m, &sg(), day("2026-01-21")).unwrap();
    let names = |c: &query::Composition| c.members.iter().map(|x| x.person.to_string()).collect::<Vec<_>>();
    assert!(!names(&before).contains(&"flemming-sonne".to_string()));
    assert!(names(&on).contains(&"flemming-sonne".to_string()));
    let chairs: Vec<_> = on.members.iter().filter(|x| x.chair).map(|x| x.name.as_str()).collect();
    assert_eq!(chairs, ["Dorte Bech Vizard", "Erik Jylling"]);
    assert!(before.nominations.is_empty());
    assert_eq!(on.nominations.len(), 1);
    assert_eq!(on.nominations[0].person.as_str(), "malene-fischer");
}

#[test]
fn amgros_moves_its_representative_between_the_groups() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let m = &l.model();
    let rg: GroupId = "referencegruppen".try_into().unwrap();
    let ids = |g: &GroupId, d: &str| {
        query::composition(m, g, day(d)).unwrap().members.iter().map(|x| x.person.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&rg, "2026-01-20"), ["flemming-sonne"]);
    assert_eq!(ids(&rg, "2026-01-21"), ["nina-uldal"]);
    let flemming: PersonId = "flemming-sonne".try_into().unwrap();
    let h = query::person_history(m, &flemming).unwrap();
    let spans: Vec<_> = h
        .memberships
        .iter()
        .map(|x| (x.group.to_string(), x.start.to_string(), x.end.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        spans,
        vec![
            ("referencegruppen".into(), "2025-05-02".into(), Some("2026-01-21".into())),
            ("styregruppen".into(), "2026-01-21".into(), None),
        ]
    );
    assert_eq!(h.attendance.len(), 1);
    let t = query::timeline(m, &rg).unwrap();
    assert_eq!(t.intervals.len(), 2);
    assert_eq!(t.meetings.len(), 1);
}

#[test]
fn decision_register_of_the_4th_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let m = &l.model();
    let filter = DecisionFilter { meeting: Some("styregruppen-2026-01-21".try_into().unwrap()), ..Default::default() };
    let rows = query::decisions(m, &filter, day("2026-01-21")).unwrap();
    insta_settings().bind(|| insta::assert_snapshot!("decisions_styregruppen_4", render::decisions(&rows)));
    assert_eq!(rows.len(), 11);
    let with_reservations: Vec<u32> = rows.iter().filter(|d| !d.conditions.is_empty()).map(|d| d.item).collect();
    assert_eq!(with_reservations, [6, 7]);
    // Filters narrow; the day before the meeting there was nothing to list.
    let noted = DecisionFilter { outcome: Some(Outcome::Noted), ..filter.clone() };
    assert_eq!(query::decisions(m, &noted, day("2026-01-21")).unwrap().len(), 5);
    assert!(query::decisions(m, &filter, day("2026-01-20")).unwrap().is_empty());
    let by_group = DecisionFilter { group: Some("referencegruppen".try_into().unwrap()), ..Default::default() };
    assert!(query::decisions(m, &by_group, day("2026-12-31")).unwrap().is_empty());
}

#[test]
fn open_actions_and_their_states_over_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let open = |l: &protokol::Ledger, d: &str| {
        let mut rows = query::actions(&l.model(), day(d)).unwrap();
        rows.retain(|a| a.state != ActionState::Done);
        rows
    };
    insta_settings()
        .bind(|| insta::assert_snapshot!("open_actions_2026-02-01", render::actions(&open(&l, "2026-02-01"))));
    let state = |l: &protokol::Ledger, d: &str, id: &str| {
        query::actions(&l.model(), day(d)).unwrap().into_iter().find(|a| a.id.as_str() == id).map(|a| a.state)
    };
    assert_eq!(state(&l, "2025-05-02", "rg1-tilbagemelding-1-juni"), Some(ActionState::Open));
    assert_eq!(state(&l, "2025-06-02", "rg1-tilbagemelding-1-juni"), Some(ActionState::Overdue));
    assert_eq!(state(&l, "2025-05-01", "rg1-tilbagemelding-1-juni"), None, "not yet assigned");
    l.append("t", events(json!([{"effective": "2026-02-03", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}])), None, "test", now()).unwrap();
    assert_eq!(state(&l, "2026-02-02", "sg4-p7-kontakt-henrik-frederiksen"), Some(ActionState::Open));
    assert_eq!(state(&l, "2026-02-03", "sg4-p7-kontakt-henrik-frederiksen"), Some(ActionState::Done));
}

#[test]
fn decision_status_is_a_lifecycle_in_valid_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    l.append(
        "t",
        events(json!([
            {"effective": "2026-03-01", "kind": "DecisionStatusChanged", "body": {"decision": "sg4-p7", "status": "conditions_met", "note": "Afgrænsningen er aftalt med DCCC."}},
            {"effective": "2026-04-01", "kind": "DecisionStatusChanged", "body": {"decision": "sg4-p8", "status": "in_progress"}}
        ])),
        None,
        "test",
        now(),
    )
    .unwrap();
    let m = &l.model();
    let status = |d: &str, id: &str| {
        query::decisions(m, &DecisionFilter::default(), day(d))
            .unwrap()
            .into_iter()
            .find(|x| x.id.as_str() == id)
            .unwrap()
            .status
    };
    assert_eq!(status("2026-02-28", "sg4-p7"), DecisionStatus::Recorded);
    assert_eq!(status("2026-03-01", "sg4-p7"), DecisionStatus::ConditionsMet);
    assert_eq!(status("2026-04-01", "sg4-p8"), DecisionStatus::InProgress);
    let in_progress = DecisionFilter { status: Some(DecisionStatus::InProgress), ..Default::default() };
    assert_eq!(query::decisions(m, &in_progress, day("2026-04-01")).unwrap().len(), 1);
    assert_eq!(query::decisions(m, &in_progress, day("2026-03-31")).unwrap().len(), 0);
}

/// Appends, to the seeded record, a correction that moves Flemming Sonne's start in the
/// steering group to 1 January 2026 (a test-only correction, not in events/).
fn with_correction(dir: &std::path::Path) -> (protokol::Ledger, Seq) {
    let mut l = seeded(dir);
    let before = l.head().unwrap().0;
    let target = l
        .entries_after(Seq(0), usize::MAX)
        .unwrap()
        .into_iter()
        .find(|e| {
            e.event.kind() == "MemberJoined"
                && e.event.body_value()["person"] == "flemming-sonne"
                && e.event.body_value()["group"] == "styregruppen"
        })
        .unwrap()
        .seq;
    l.append(
        "t",
        events(json!([{"effective": "2026-02-01", "kind": "EventCorrected", "body": {
            "target": target.0, "reason": "Udpegningen gjaldt fra 1. januar 2026.", "effective": "2026-01-01",
            "replacement": {"kind": "MemberJoined", "body": {"person": "flemming-sonne", "group": "styregruppen", "role": "member", "on_behalf_of": "amgros"}}
        }}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    (l, before)
}

#[test]
fn known_at_shows_what_the_ledger_held_before_a_correction() {
    let dir = tempfile::tempdir().unwrap();
    let (l, before) = with_correction(&dir.path().join("l"));
    let then = l.known_at(Some(KnownAt::Seq(before))).unwrap();
    let now_ = l.known_at(None).unwrap();
    let c_then = query::composition(&then, &sg(), day("2026-01-20")).unwrap();
    let c_now = query::composition(&now_, &sg(), day("2026-01-20")).unwrap();
    let text = format!(
        "as known at seq {before}:\n{}\nas known now (seq {}):\n{}",
        render::composition(&c_then),
        l.head().unwrap().0,
        render::composition(&c_now)
    );
    insta_settings().bind(|| insta::assert_snapshot!("known_at_correction_styregruppen_2026-01-20", text));
    assert_eq!(c_then.members.len() + 1, c_now.members.len());
    assert_eq!(now_.corrections().unwrap().len(), 1);
    assert!(then.corrections().unwrap().is_empty());
    // known_at by instant: everything was recorded at `now()`, so an earlier instant knows
    // nothing, and says so (not "no group ...").
    for before in ["2026-01-01T00:00:00Z", "0"] {
        let err = l.known_at(Some(before.parse().unwrap())).err().unwrap();
        assert!(matches!(err, protokol::Error::NotFound(_)), "{err:?}");
        assert!(
            err.to_string().contains("nothing was known") && err.to_string().contains("2026-02-01T10:00:00"),
            "{err}"
        );
    }
    assert!("yesterday".parse::<KnownAt>().is_err());
}

#[test]
fn rebuilding_from_scratch_equals_the_incremental_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mut l, _) = with_correction(&dir.path().join("l"));
    let incremental = l.model().pairs().unwrap();
    assert!(incremental.len() as u64 > l.head_seq().0, "the projection holds the record");
    // Verify re-derives the projection from the log and compares it with the stored one.
    l.verify().unwrap();
    l.rebuild().unwrap();
    assert_eq!(l.model().pairs().unwrap(), incremental);
    // And reopening reads the same stored state again.
    let path = l.path().to_path_buf();
    drop(l);
    assert_eq!(protokol::Ledger::open(&path).unwrap().model().pairs().unwrap(), incremental);
}

#[test]
fn a_meeting_record_shows_who_sat_then_not_today() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    // Flemming Sonne later leaves the steering group; the 4th meeting's record keeps his seat.
    l.append("t", events(json!([{"effective": "2026-06-01", "kind": "MemberLeft", "body": {"person": "flemming-sonne", "group": "styregruppen"}}])), None, "test", now()).unwrap();
    let r = query::meeting_record(&l.model(), &sg(), &4.into(), day("2026-12-31")).unwrap();
    let flemming = r.attendees.iter().find(|a| a.person.as_str() == "flemming-sonne").unwrap();
    assert_eq!(flemming.role, Some(protokol::event::Role::Member));
    let eva = r.attendees.iter().find(|a| a.person.as_str() == "eva-jensen").unwrap();
    assert_eq!(eva.in_place_of_name.as_deref(), Some("Dorte Bech Vizard"));
    assert_eq!(r.agenda.len(), 11);
    assert!(r.agenda_approved);
    assert_eq!(r.next_meeting.as_ref().unwrap().starts_at.to_string(), "2026-04-29T13:00:00+02:00");
    assert_eq!(r.agenda[6].actions.len(), 1);
    assert!(query::meeting_record(&l.model(), &sg(), &5.into(), day("2026-12-31")).is_err());
}

/// The projection built incrementally (with corrections rebased from their targets on),
/// the one `verify` re-derives, and a plain fold of the whole log hold the same state;
/// and every past state, whether reached by rewinding from the head or read key by key
/// from the versions, equals the fold of that prefix. On a generated workload with corrections, at every 173rd seq.
#[test]
fn rewinding_rebasing_and_folding_agree_on_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = protokol::Ledger::create(&dir.path().join("l")).unwrap();
    for batch in protokol::gen::generate(3_000, 7) {
        l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}"));
    }
    let head = l.head_seq();
    let corrections = l.model().corrections().unwrap();
    assert!(corrections.len() >= 5, "the workload corrects events: {}", corrections.len());
    l.verify().unwrap();
    assert_eq!(l.model().state_pairs().unwrap(), l.folded(head).unwrap().state_pairs().unwrap());
    for k in (0..=head.0).step_by(173).chain([head.0 - 1]) {
        let (rewound, folded) = (l.rewound(Seq(k)).unwrap(), l.folded(Seq(k)).unwrap());
        assert!(rewound.state_pairs().unwrap() == folded.state_pairs().unwrap(), "the state after seq {k} differs");
        let as_of = l.as_of(Seq(k));
        assert!(as_of.state_pairs().unwrap() == folded.state_pairs().unwrap(), "the state as of seq {k} differs");
    }
}

/// A later correction that cites an earlier event than one corrected before it makes
/// the rebase start further back; a retraction removes what the event did.
#[test]
fn corrections_of_corrected_neighbourhoods_rebase_from_the_earliest_target() {
    let dir = tempfile::tempdir().unwrap();
    let (mut l, _) = with_correction(&dir.path().join("l"));
    let first = l.model().corrections().unwrap()[0].target;
    let find = |l: &protokol::Ledger, kind: &str, person: &str| {
        l.entries_after(Seq(0), usize::MAX)
            .unwrap()
            .into_iter()
            .find(|e| e.event.kind() == kind && e.event.body_value()["person"] == person)
            .unwrap()
            .seq
    };
    let earlier = find(&l, "PersonRegistered", "nina-uldal");
    assert!(earlier < first);
    l.append(
        "t",
        events(json!([{"effective": "2026-02-02", "kind": "EventCorrected", "body": {
            "target": earlier.0, "reason": "Navnet var stavet forkert.",
            "replacement": {"kind": "PersonRegistered", "body": {"person": "nina-uldal", "name": "Nina Uldahl", "affiliation": "amgros"}}
        }}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    let nina: PersonId = "nina-uldal".try_into().unwrap();
    assert_eq!(l.model().person(&nina).unwrap().unwrap().name, "Nina Uldahl");
    let head = l.head_seq();
    assert_eq!(l.model().state_pairs().unwrap(), l.folded(head).unwrap().state_pairs().unwrap());
    assert_eq!(
        l.rewound(Seq(head.0 - 1)).unwrap().person(&nina).unwrap().unwrap().name,
        "Nina Uldal",
        "as known before"
    );
    l.verify().unwrap();
}

/// An erratum in a minuted text is taken in place; when the same item was minuted again
/// later, the later text stands. Either way the state is the fold's.
#[test]
fn an_erratum_changes_the_minuted_text_unless_a_later_minute_replaced_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let minuted = |l: &protokol::Ledger, item: u32| {
        l.entries_after(Seq(0), usize::MAX)
            .unwrap()
            .into_iter()
            .rfind(|e| e.event.kind() == "ItemMinuted" && e.event.body_value()["item"] == item)
            .unwrap()
    };
    let text = |l: &protokol::Ledger, meeting: &str, item: u32| {
        l.model().meeting(&meeting.try_into().unwrap()).unwrap().unwrap().item_texts[&item].clone()
    };
    let erratum = |target: &protokol::model::Entry, text: &str| {
        let mut body = target.event.body_value();
        body["text"] = json!(text);
        events(json!([{"effective": "2026-02-01", "kind": "EventCorrected", "body": {
            "target": target.seq.0, "reason": "Skrivefejl.", "replacement": {"kind": "ItemMinuted", "body": body}
        }}]))
    };
    let first = minuted(&l, 3);
    let meeting = first.event.body_value()["meeting"].as_str().unwrap().to_string();
    l.append("t", erratum(&first, "Rettet tekst."), None, "test", now()).unwrap();
    assert_eq!(text(&l, &meeting, 3), "Rettet tekst.");
    // Minuted again, then the first minute corrected: the later minute stands.
    let mut again = first.event.body_value();
    again["text"] = json!("Senere referat.");
    l.append(
        "t",
        events(json!([{"effective": "2026-02-02", "kind": "ItemMinuted", "body": again}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    l.append("t", erratum(&first, "Anden rettelse."), None, "test", now()).unwrap();
    assert_eq!(text(&l, &meeting, 3), "Senere referat.");
    let head = l.head_seq();
    assert_eq!(l.model().state_pairs().unwrap(), l.folded(head).unwrap().state_pairs().unwrap());
    assert_eq!(
        l.rewound(Seq(head.0 - 2)).unwrap().meeting(&meeting.as_str().try_into().unwrap()).unwrap().unwrap().item_texts
            [&3],
        "Rettet tekst."
    );
    // The latest minute first moved to another item, then given an erratum: the target
    // was corrected already, so the erratum is replayed (`rebase`), not made in place,
    // and the moved text goes with the correction it came from.
    let latest = minuted(&l, 3);
    let before = l.model().meeting(&meeting.as_str().try_into().unwrap()).unwrap().unwrap().item_texts;
    let mut moved = latest.event.body_value();
    (moved["item"], moved["text"]) = (json!(4), json!("Flyttet."));
    l.append(
        "t",
        events(json!([{"effective": "2026-02-03", "kind": "EventCorrected", "body": {
            "target": latest.seq.0, "reason": "Forkert punkt.", "replacement": {"kind": "ItemMinuted", "body": moved}
        }}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    assert_eq!(text(&l, &meeting, 4), "Flyttet.");
    l.append("t", erratum(&latest, "Rettelse af punkt 3."), None, "test", now()).unwrap();
    assert_eq!(text(&l, &meeting, 3), "Rettelse af punkt 3.");
    assert_eq!(text(&l, &meeting, 4), before[&4], "item 4's own text is back");
    let head = l.head_seq();
    assert_eq!(l.model().state_pairs().unwrap(), l.folded(head).unwrap().state_pairs().unwrap());
    l.verify().unwrap();
}

/// A page of the register is the start of the whole register, however it is filtered.
#[test]
fn a_register_page_is_the_start_of_the_whole_register() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = protokol::Ledger::create(&dir.path().join("l")).unwrap();
    for batch in protokol::gen::generate(2_000, 3) {
        l.append("gen", batch, None, "gen", now()).unwrap();
    }
    let m = l.model();
    let ids = |rows: Vec<query::DecisionView>| rows.into_iter().map(|d| d.id.to_string()).collect::<Vec<_>>();
    let filters = [
        DecisionFilter::default(),
        DecisionFilter { group: Some("g-1".try_into().unwrap()), ..Default::default() },
        DecisionFilter { outcome: Some(Outcome::Approved), from: Some(day("2015-06-01")), ..Default::default() },
        DecisionFilter { group: Some("g-2".try_into().unwrap()), to: Some(day("2016-01-01")), ..Default::default() },
        DecisionFilter { group: Some("g-0".try_into().unwrap()), outcome: Some(Outcome::Noted), ..Default::default() },
    ];
    for filter in filters {
        let all = ids(query::decisions(&m, &filter, day("2030-01-01")).unwrap());
        assert!(all.len() > 10, "{filter:?}: {}", all.len());
        for limit in [0, 1, 7, all.len() + 1] {
            let page =
                ids(query::decisions(&m, &DecisionFilter { limit: Some(limit), ..filter.clone() }, day("2030-01-01"))
                    .unwrap());
            assert_eq!(page, all[..limit.min(all.len())], "{filter:?} limit {limit}");
        }
    }
}

/// A register row carries its item's title and its meeting's number; an agenda set again
/// after the decision, or a correction of it, shows in the row, and a row as known
/// before shows the title then.
#[test]
fn a_register_row_follows_its_agenda_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let before = l.head().unwrap().0;
    let m = l.model();
    let (id, d) = m.decisions().unwrap().into_iter().find(|(_, d)| d.group == sg()).unwrap();
    let mut agenda = m.meeting_head(&d.meeting).unwrap().unwrap().agenda;
    let old_title = agenda.iter().find(|i| i.number == d.item).unwrap().title.clone();
    assert_eq!(d.item_title, old_title);
    drop(m);
    agenda.iter_mut().find(|i| i.number == d.item).unwrap().title = "Ny titel".into();
    let body = json!({"meeting": d.meeting, "items": agenda});
    l.append("t", events(json!([{"effective": "2026-02-01", "kind": "AgendaSet", "body": body}])), None, "test", now())
        .unwrap();
    let title_now = |m: &protokol::model::Model| {
        let rows = query::decisions(m, &DecisionFilter { group: Some(sg()), ..Default::default() }, day("2030-01-01"));
        rows.unwrap().into_iter().find(|r| r.id == id).unwrap().item_title
    };
    assert_eq!(title_now(&l.model()), "Ny titel");
    assert_eq!(l.model().decision(&id).unwrap().unwrap().item_title, "Ny titel");
    assert_eq!(title_now(&l.known_at(Some(KnownAt::Seq(before))).unwrap()), old_title);
    // Retracting the new agenda brings the old title back.
    let seq = l.head().unwrap().0;
    l.append(
        "t",
        events(json!([{"effective": "2026-02-02", "kind": "EventCorrected", "body": {"target": seq.0, "reason": "Fejl."}}])),
        None,
        "test",
        now(),
    )
    .unwrap();
    assert_eq!(title_now(&l.model()), old_title);
    assert_eq!(l.model().state_pairs().unwrap(), l.folded(l.head().unwrap().0).unwrap().state_pairs().unwrap());
}

/// The home page's indexes (open actions and their count, meetings by day) answer what
/// the whole registers do, on every day and as of every point of a log with corrections,
/// completions and rescheduled meetings.
#[test]
fn the_open_actions_and_upcoming_meetings_read_from_the_indexes_are_the_registers() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = protokol::Ledger::create(&dir.path().join("l")).unwrap();
    for batch in protokol::gen::generate(3_000, 11) {
        l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}"));
    }
    let head = l.head_seq();
    let all = query::meetings(&l.model()).unwrap();
    let (first, last) = (all.first().unwrap().starts_at.date(), all.last().unwrap().starts_at.date());
    let mut checked = 0;
    for k in [head.0 / 3, head.0 / 2, head.0] {
        let m = l.as_of(Seq(k));
        let mut d = first - chrono::Days::new(10);
        while d <= last + chrono::Days::new(10) {
            let mut open: Vec<_> =
                query::actions(&m, d).unwrap().into_iter().filter(|a| a.state != ActionState::Done).collect();
            open.sort_by_key(|a| std::cmp::Reverse((a.assigned, a.seq)));
            let fast = query::open_actions(&m, d, 5).unwrap();
            assert_eq!(fast.count as usize, open.len(), "open actions on {d} as of {k}");
            let ids = |v: &[query::ActionView]| v.iter().map(|a| a.id.to_string()).collect::<Vec<_>>();
            assert_eq!(ids(&fast.latest), ids(&open[..open.len().min(5)]), "the latest open on {d} as of {k}");
            let paged = query::open_actions_page(&m, d, 3, 4).unwrap();
            assert_eq!(ids(&paged.latest), ids(&open[open.len().min(3)..open.len().min(7)]), "a page of the open");
            let mut done: Vec<_> =
                query::actions(&m, d).unwrap().into_iter().filter(|a| a.state == ActionState::Done).collect();
            done.sort_by_key(|a| std::cmp::Reverse((a.completed, a.seq)));
            // Page by page, the done are every done action once, the latest done first.
            let mut pages = Vec::new();
            loop {
                let (page, more) = query::done_actions_page(&m, d, pages.len(), 5).unwrap();
                pages.extend(page);
                if !more {
                    break;
                }
            }
            let days: Vec<_> = pages.iter().map(|a| a.completed).collect();
            assert!(days.windows(2).all(|w| w[0] >= w[1]), "the latest done first on {d}");
            let (mut got, mut want) = (ids(&pages), ids(&done));
            got.sort();
            want.sort();
            assert_eq!(got, want, "the done on {d} as of {k}");
            let want: Vec<String> = query::meetings(&m)
                .unwrap()
                .into_iter()
                .filter(|r| !r.held && r.starts_at.date() >= d)
                .map(|r| r.meeting.to_string())
                .collect();
            let got: Vec<String> = query::upcoming(&m, d).unwrap().into_iter().map(|r| r.meeting.to_string()).collect();
            assert_eq!(got, want, "upcoming from {d} as of {k}");
            checked += fast.count;
            d = d + chrono::Days::new(37);
        }
    }
    assert!(checked > 0, "some actions were open");
}

/// A group's size in the list of groups, read from the steps `apply` keeps, is the count
/// of its composition that day (each person once, substitutes apart) on every day a
/// membership starts or ends and the day before, as of several points of the log.
#[test]
fn the_size_of_each_group_is_its_composition_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = protokol::Ledger::create(&dir.path().join("l")).unwrap();
    for batch in protokol::gen::generate(3_000, 13) {
        l.append("gen", batch, None, "gen", now()).unwrap_or_else(|e| panic!("{e}"));
    }
    let head = l.head_seq();
    let mut checked = 0;
    for k in [head.0 / 3, head.0] {
        let m = l.as_of(Seq(k));
        for g in query::groups(&m, day("9999-12-31")).unwrap() {
            let t = query::timeline(&m, &g.id).unwrap();
            let mut days: Vec<NaiveDate> = t.intervals.iter().flat_map(|x| [Some(x.start), x.end]).flatten().collect();
            days.extend(days.clone().into_iter().map(|d| d - chrono::Days::new(1)));
            days.sort();
            days.dedup();
            for d in days.into_iter().filter(|d| *d >= g.established) {
                let mut people: Vec<_> =
                    query::composition(&m, &g.id, d).unwrap().members.into_iter().map(|x| x.person.clone()).collect();
                people.sort();
                people.dedup();
                let row = query::groups(&m, d).unwrap().into_iter().find(|r| r.id == g.id).unwrap();
                assert_eq!(row.members, people.len(), "{} on {d} as of {k}", g.id);
                checked += people.len();
            }
        }
    }
    assert!(checked > 100, "groups had members: {checked}");
}
