//! One test per rule: the refused event, its message, and a history left as it was.

use crate::common::at;
use protokol::event::Event;
use protokol::ids::Seq;
use protokol::input::NewEvent;
use protokol::rules::Refusal;
use protokol::when::When;
use protokol::{query, Error, Ledger};
use serde_json::{json, Value};

/// A ledger in a directory of its own, for one test.
struct History {
    ledger: Ledger,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for History {
    type Target = Ledger;
    fn deref(&self) -> &Ledger {
        &self.ledger
    }
}

fn push(h: &mut History, effective: &str, kind: &str, body: Value) -> Result<(), Refusal> {
    let event = NewEvent::new(When::parse(effective).unwrap(), Event::from_parts(kind, body).unwrap(), "test".into());
    match h.ledger.append("test", vec![event], None, "test", at("2026-02-01T10:00:00Z")) {
        Ok(_) => Ok(()),
        Err(Error::Refused { refusal, .. }) => Err(*refusal),
        Err(e) => panic!("not a refusal: {e}"),
    }
}

/// amgros, erik (co-chair since 2025-01-01), nina, the steering group, meeting 1 on
/// 2025-03-01 with items 1 and 2, decision d1 on item 1, action a1 from it.
fn base() -> History {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History { ledger: Ledger::create(&dir.path().join("l")).unwrap(), _dir: dir };
    let steps: Vec<(&str, &str, Value)> = vec![
        ("2025-01-01", "OrganisationRegistered", json!({"organisation": "amgros", "name": "Amgros"})),
        ("2025-01-01", "PersonRegistered", json!({"person": "erik-jylling", "name": "Erik Jylling"})),
        (
            "2025-01-01",
            "PersonRegistered",
            json!({"person": "nina-uldal", "name": "Nina Uldal", "affiliation": "amgros"}),
        ),
        (
            "2025-01-01",
            "GroupEstablished",
            json!({"group": "styregruppen", "name": "Styregruppen", "group_kind": "steering"}),
        ),
        ("2025-01-01", "MemberJoined", json!({"person": "erik-jylling", "group": "styregruppen", "role": "co_chair"})),
        (
            "2025-03-01",
            "MeetingHeld",
            json!({"meeting": "sg-1", "group": "styregruppen", "number": 1, "meeting_kind": "ordinary", "starts_at": "2025-03-01T14:00:00+01:00"}),
        ),
        (
            "2025-03-01",
            "AgendaSet",
            json!({"meeting": "sg-1", "items": [{"number": 1, "title": "Dagsorden"}, {"number": 2, "title": "Eventuelt"}]}),
        ),
        (
            "2025-03-01",
            "DecisionRecorded",
            json!({"decision": "d1", "meeting": "sg-1", "item": 1, "outcome": "approved", "text": "Godkendt."}),
        ),
        (
            "2025-03-01",
            "ActionAssigned",
            json!({"action": "a1", "meeting": "sg-1", "item": 1, "decision": "d1", "owner": {"person": "erik-jylling"}, "description": "Følg op", "due": "2025-04-01"}),
        ),
    ];
    for (eff, kind, body) in steps {
        push(&mut h, eff, kind, body).unwrap_or_else(|r| panic!("base {kind}: {r}"));
    }
    h
}

/// Asserts the event is refused under `rule` with `message` in its text, changing nothing.
#[track_caller]
fn refused(h: &mut History, effective: &str, kind: &str, body: Value, rule: &str, message: &str) {
    let before = h.model().pairs().unwrap();
    let head = h.head_seq();
    let r = push(h, effective, kind, body).expect_err("must be refused");
    assert_eq!(r.rule, rule, "{r}");
    assert!(r.message.contains(message), "expected {message:?} in {:?}", r.message);
    assert_eq!(h.head_seq(), head);
    assert_eq!(h.model().pairs().unwrap(), before);
}

#[test]
fn unknown_references_are_refused() {
    let mut h = base();
    refused(
        &mut h,
        "2025-05-01",
        "MemberJoined",
        json!({"person": "ghost", "group": "styregruppen", "role": "member"}),
        "unknown-reference",
        "unknown person \"ghost\"",
    );
    refused(
        &mut h,
        "2025-05-01",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "nowhere", "role": "member"}),
        "unknown-reference",
        "unknown group \"nowhere\"",
    );
    refused(
        &mut h,
        "2025-05-01",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "member", "on_behalf_of": "lif"}),
        "unknown-reference",
        "unknown organisation \"lif\"",
    );
    refused(
        &mut h,
        "2025-05-01",
        "DecisionRecorded",
        json!({"decision": "d9", "meeting": "sg-9", "item": 1, "outcome": "noted", "text": "x"}),
        "unknown-reference",
        "unknown meeting \"sg-9\"",
    );
    refused(
        &mut h,
        "2025-05-01",
        "DecisionRecorded",
        json!({"decision": "d9", "meeting": "sg-1", "item": 7, "outcome": "noted", "text": "x"}),
        "unknown-reference",
        "has no agenda item 7",
    );
    refused(
        &mut h,
        "2025-05-01",
        "ActionAssigned",
        json!({"action": "a9", "meeting": "sg-1", "item": 2, "decision": "d-missing", "owner": {"group": "styregruppen"}, "description": "x"}),
        "unknown-reference",
        "action for unknown decision \"d-missing\"",
    );
    refused(
        &mut h,
        "2025-05-01",
        "ActionCompleted",
        json!({"action": "a-missing"}),
        "unknown-reference",
        "unknown action",
    );
    refused(
        &mut h,
        "2025-05-01",
        "DecisionStatusChanged",
        json!({"decision": "d-missing", "status": "implemented"}),
        "unknown-reference",
        "unknown decision",
    );
}

#[test]
fn effective_dates_before_the_thing_existed_are_refused() {
    let mut h = base();
    refused(
        &mut h,
        "2024-12-31",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "member"}),
        "before-it-existed",
        "person \"nina-uldal\" dates from 2025-01-01",
    );
    refused(
        &mut h,
        "2025-02-01",
        "DecisionStatusChanged",
        json!({"decision": "d1", "status": "implemented"}),
        "before-it-existed",
        "decision \"d1\" dates from 2025-03-01",
    );
    refused(
        &mut h,
        "2025-02-01",
        "ActionCompleted",
        json!({"action": "a1"}),
        "before-it-existed",
        "action \"a1\" dates from 2025-03-01",
    );
    refused(
        &mut h,
        "2025-02-28",
        "MinutesApproved",
        json!({"meeting": "sg-1", "document_hash": "00".repeat(32)}),
        "before-it-existed",
        "meeting \"sg-1\" dates from 2025-03-01",
    );
    refused(
        &mut h,
        "2025-02-01",
        "MeetingHeld",
        json!({"meeting": "sg-2", "group": "styregruppen", "number": 2, "meeting_kind": "ordinary", "starts_at": "2025-03-05"}),
        "before-it-existed",
        "cannot be recorded as held on 2025-02-01",
    );
}

/// A replacement decided at the meeting of 1 March with effect from 20 February: the
/// membership changes cite the decision, which is dated after them, and stand; the
/// decision itself must be recorded.
#[test]
fn a_membership_change_may_take_effect_before_the_decision_that_made_it() {
    let mut h = base();
    let retroactive =
        |person: &str| json!({"person": person, "group": "styregruppen", "role": "member", "decision": "d1"});
    push(&mut h, "2025-02-20", "MemberJoined", retroactive("nina-uldal")).unwrap();
    push(
        &mut h,
        "2025-02-20",
        "MemberLeft",
        json!({"person": "erik-jylling", "group": "styregruppen", "decision": "d1"}),
    )
    .unwrap();
    push(&mut h, "2025-02-15", "MemberNominated", retroactive("erik-jylling")).unwrap();
    let members = |d: &str| {
        let c = protokol::query::composition(&h.model(), &"styregruppen".parse().unwrap(), d.parse().unwrap()).unwrap();
        c.members.iter().map(|m| m.person.to_string()).collect::<Vec<_>>()
    };
    assert_eq!(members("2025-02-19"), ["erik-jylling"]);
    assert_eq!(members("2025-02-20"), ["nina-uldal"], "in effect before the decision of 1 March");
    refused(
        &mut h,
        "2025-02-20",
        "MemberJoined",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "member", "decision": "d9"}),
        "unknown-reference",
        "unknown decision \"d9\"",
    );
}

/// A tally must add up; a roll call names as many as it counts, each once.
#[test]
fn votes_are_recorded_with_a_decision_when_they_add_up() {
    let mut h = base();
    let decided = |votes: Value| json!({"decision": "d2", "meeting": "sg-1", "item": 2, "outcome": "approved", "text": "Vedtaget.", "votes": votes});
    for (votes, message) in [
        (json!({"in_favour": 1, "against": 1, "unanimous": true}), "unanimous decision with 1 votes against"),
        (
            json!({"in_favour": 2, "against": 0, "roll_call": {"in_favour": ["erik-jylling"]}}),
            "2 in_favour, but the roll call names 1",
        ),
        (
            json!({"in_favour": 1, "against": 1, "roll_call": {"in_favour": ["erik-jylling"], "against": ["erik-jylling"]}}),
            "voted twice",
        ),
        (json!({"in_favour": 100000, "against": 1}), "100001 votes, more than 100000"),
    ] {
        refused(&mut h, "2025-03-01", "DecisionRecorded", decided(votes), "votes", message);
    }
    refused(
        &mut h,
        "2025-03-01",
        "DecisionRecorded",
        decided(json!({"in_favour": 1, "against": 0, "roll_call": {"in_favour": ["ingen"]}})),
        "unknown-reference",
        "unknown person \"ingen\"",
    );
    let roll =
        json!({"in_favour": 1, "against": 1, "roll_call": {"in_favour": ["erik-jylling"], "against": ["nina-uldal"]}});
    push(&mut h, "2025-03-01", "DecisionRecorded", decided(roll.clone())).unwrap();
    let d = h.model().decision(&"d2".parse().unwrap()).unwrap().unwrap();
    assert_eq!(serde_json::to_value(&d.votes).unwrap(), roll);
    let undecided = h.model().decision(&"d1".parse().unwrap()).unwrap().unwrap();
    assert_eq!(undecided.votes, None);
    h.ledger.verify().unwrap();
}

/// A standing substitute stands in for a member, is not counted as one, and made a
/// member stands in for nobody.
#[test]
fn a_substitute_stands_in_for_a_member_and_is_not_one() {
    let mut h = base();
    let substitute = |person: &str, principal: &str| json!({"person": person, "group": "styregruppen", "role": "substitute", "substitute_for": principal});
    refused(
        &mut h,
        "2025-02-01",
        "MemberJoined",
        substitute("nina-uldal", "nina-uldal"),
        "substitute-principal",
        "themself",
    );
    refused(
        &mut h,
        "2024-12-01",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "substitute", "substitute_for": "erik-jylling"}),
        "before-it-existed",
        "dates from 2025-01-01",
    );
    push(&mut h, "2025-02-01", "MemberJoined", substitute("nina-uldal", "erik-jylling")).unwrap();
    let sg = "styregruppen".parse().unwrap();
    let c = protokol::query::composition(&h.model(), &sg, "2025-02-01".parse().unwrap()).unwrap();
    let people = |v: &[protokol::query::Interval]| v.iter().map(|m| m.person.to_string()).collect::<Vec<_>>();
    assert_eq!(people(&c.members), ["erik-jylling"], "a substitute is not a member");
    assert_eq!(people(&c.substitutes), ["nina-uldal"]);
    let groups = protokol::query::groups(&h.model(), "2025-02-01".parse().unwrap()).unwrap();
    assert_eq!(groups[0].members, 1, "nor counted as one");
    // Erik leaves; a new substitute for him is refused, and Nina, made a member, stands
    // in for nobody.
    push(&mut h, "2025-02-10", "MemberLeft", json!({"person": "erik-jylling", "group": "styregruppen"})).unwrap();
    push(&mut h, "2025-02-10", "PersonRegistered", json!({"person": "ole", "name": "Ole"})).unwrap();
    refused(
        &mut h,
        "2025-02-11",
        "MemberJoined",
        substitute("ole", "erik-jylling"),
        "substitute-principal",
        "is not a member",
    );
    push(
        &mut h,
        "2025-02-12",
        "MemberRoleChanged",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "member"}),
    )
    .unwrap();
    let c = protokol::query::composition(&h.model(), &sg, "2025-02-12".parse().unwrap()).unwrap();
    assert_eq!(people(&c.members), ["nina-uldal"]);
    assert_eq!(c.members[0].substitute_for, None, "a member stands in for nobody");
    push(&mut h, "2025-02-13", "MemberJoined", substitute("ole", "nina-uldal")).unwrap();
    let c = protokol::query::composition(&h.model(), &sg, "2025-02-13".parse().unwrap()).unwrap();
    assert_eq!((people(&c.members), people(&c.substitutes)), (vec!["nina-uldal".to_string()], vec!["ole".to_string()]));
    h.ledger.verify().unwrap();
}

/// Seats: a sixth member of a five-seat group is recorded and reported; with enforced
/// seats, and for a constituency beyond its share, refused.
#[test]
fn seats_are_counted_reported_and_where_enforced_kept() {
    let mut h = base();
    refused(&mut h, "2025-01-02", "SeatsDeclared", json!({"group": "styregruppen", "seats": 0}), "seats", "1 to");
    refused(
        &mut h,
        "2025-01-02",
        "SeatsDeclared",
        json!({"group": "styregruppen", "seats": 2, "per_constituency": 3}),
        "seats",
        "per_constituency",
    );
    push(&mut h, "2025-01-02", "SeatsDeclared", json!({"group": "styregruppen", "seats": 1})).unwrap();
    let join = |person: &str, org: Option<&str>| {
        let mut v = json!({"person": person, "group": "styregruppen", "role": "member"});
        if let Some(o) = org {
            v["on_behalf_of"] = json!(o);
        }
        v
    };
    // Over capacity, recorded: Erik holds the one seat, Nina joins.
    push(&mut h, "2025-01-03", "MemberJoined", join("nina-uldal", Some("amgros"))).unwrap();
    let sg = "styregruppen".parse().unwrap();
    let seats = |h: &History, d: &str| {
        protokol::query::composition(&h.model(), &sg, d.parse().unwrap()).unwrap().seats.unwrap()
    };
    let s = seats(&h, "2025-01-03");
    assert_eq!((s.seats, s.held, s.vacant, s.over_capacity), (1, 2, 0, 1));
    // Enforced from 1 February: three seats, at most one for Amgros.
    let enforced = json!({"group": "styregruppen", "seats": 3, "per_constituency": 1, "enforced": true});
    push(&mut h, "2025-02-01", "SeatsDeclared", enforced).unwrap();
    assert_eq!(seats(&h, "2025-02-01").vacant, 1, "the new count from its date");
    assert_eq!(seats(&h, "2025-01-31").seats, 1, "the old one before");
    for (id, name) in [("ole", "Ole"), ("pia", "Pia"), ("kim", "Kim")] {
        push(&mut h, "2025-02-01", "PersonRegistered", json!({"person": id, "name": name})).unwrap();
    }
    refused(&mut h, "2025-02-02", "MemberJoined", join("ole", Some("amgros")), "seats", "\"amgros\" holds its 1 seats");
    push(&mut h, "2025-02-02", "MemberJoined", join("ole", None)).unwrap();
    refused(&mut h, "2025-02-03", "MemberJoined", join("pia", None), "seats", "has 3 seats, all held");
    // An observer holds no seat; made a member, they would.
    push(&mut h, "2025-02-03", "MemberJoined", json!({"person": "kim", "group": "styregruppen", "role": "observer"}))
        .unwrap();
    refused(
        &mut h,
        "2025-02-04",
        "MemberRoleChanged",
        json!({"person": "kim", "group": "styregruppen", "role": "member"}),
        "seats",
        "all held",
    );
    h.ledger.verify().unwrap();
    // The excess of January is flagged for the period it lasted: two holders of one seat
    // from the 3rd until three seats were declared on 1 February.
    let flags = protokol::query::seat_flags(&h.model()).unwrap();
    let shown: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    assert_eq!(shown, ["styregruppen: 2 seat holders for 1 seats from 2025-01-03 until 2025-02-01"]);
}

#[test]
fn duplicate_ids_are_refused() {
    let mut h = base();
    refused(
        &mut h,
        "2025-05-01",
        "OrganisationRegistered",
        json!({"organisation": "amgros", "name": "Amgros I/S"}),
        "duplicate-id",
        "organisation \"amgros\" is already registered",
    );
    refused(
        &mut h,
        "2025-05-01",
        "PersonRegistered",
        json!({"person": "nina-uldal", "name": "Nina"}),
        "duplicate-id",
        "already registered",
    );
    refused(
        &mut h,
        "2025-05-01",
        "GroupEstablished",
        json!({"group": "styregruppen", "name": "X", "group_kind": "other"}),
        "duplicate-id",
        "already established",
    );
    refused(
        &mut h,
        "2025-05-01",
        "ActionAssigned",
        json!({"action": "a1", "meeting": "sg-1", "item": 2, "owner": {"person": "nina-uldal"}, "description": "x"}),
        "duplicate-id",
        "action \"a1\" already exists",
    );
}

#[test]
fn memberships_cannot_overlap_and_only_members_can_leave() {
    let mut h = base();
    refused(
        &mut h,
        "2025-06-01",
        "MemberJoined",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "member"}),
        "membership-overlap",
        "already holds a membership of \"styregruppen\" as co_chair from 2025-01-01",
    );
    refused(
        &mut h,
        "2025-06-01",
        "MemberLeft",
        json!({"person": "nina-uldal", "group": "styregruppen"}),
        "not-a-member",
        "\"nina-uldal\" is not a member of \"styregruppen\"",
    );
    refused(
        &mut h,
        "2025-01-01",
        "MemberLeft",
        json!({"person": "erik-jylling", "group": "styregruppen"}),
        "not-a-member",
        "starts 2025-01-01, not before 2025-01-01",
    );
    refused(
        &mut h,
        "2025-06-01",
        "MemberRoleChanged",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "co_chair"}),
        "same-role",
        "already holds role",
    );

    // Leaving and coming back is a second interval; the first is never overwritten.
    push(&mut h, "2025-06-01", "MemberLeft", json!({"person": "erik-jylling", "group": "styregruppen"})).unwrap();
    refused(
        &mut h,
        "2025-05-01",
        "MemberJoined",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "member"}),
        "membership-overlap",
        "until 2025-06-01",
    );
    push(
        &mut h,
        "2025-09-01",
        "MemberJoined",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "member"}),
    )
    .unwrap();
    push(
        &mut h,
        "2025-10-01",
        "MemberRoleChanged",
        json!({"person": "erik-jylling", "group": "styregruppen", "role": "chair"}),
    )
    .unwrap();
    let terms: Vec<_> = h
        .model()
        .memberships()
        .unwrap()
        .iter()
        .map(|m| (m.role, m.start.to_string(), m.end.map(|d| d.to_string())))
        .collect();
    use protokol::event::Role::*;
    assert_eq!(
        terms,
        vec![
            (CoChair, "2025-01-01".into(), Some("2025-06-01".into())),
            (Member, "2025-09-01".into(), Some("2025-10-01".into())),
            (Chair, "2025-10-01".into(), None),
        ]
    );
}

#[test]
fn a_dissolved_group_takes_no_new_members() {
    let mut h = base();
    push(&mut h, "2025-12-31", "GroupDissolved", json!({"group": "styregruppen"})).unwrap();
    refused(
        &mut h,
        "2026-01-01",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "member"}),
        "group-dissolved",
        "was dissolved on 2025-12-31",
    );
}

#[test]
fn meeting_rules() {
    let mut h = base();
    let held = |id: &str, n: u32| json!({"meeting": id, "group": "styregruppen", "number": n, "meeting_kind": "ordinary", "starts_at": "2025-06-01"});
    refused(
        &mut h,
        "2025-06-01",
        "MeetingHeld",
        held("sg-x", 1),
        "duplicate-meeting-number",
        "already has a meeting number 1 of kind ordinary (\"sg-1\")",
    );
    // Kinds are numbered apart, and a body that goes by date leaves the number out.
    let mut written = held("sg-w1", 1);
    written["meeting_kind"] = json!("written_procedure");
    push(&mut h, "2025-06-01", "MeetingHeld", written.clone()).unwrap();
    written["meeting"] = json!("sg-w2");
    refused(
        &mut h,
        "2025-06-01",
        "MeetingHeld",
        written,
        "duplicate-meeting-number",
        "of kind written_procedure (\"sg-w1\")",
    );
    let mut unnumbered = held("sg-by-date", 1);
    unnumbered.as_object_mut().unwrap().remove("number");
    push(&mut h, "2025-06-01", "MeetingHeld", unnumbered).unwrap();
    let model = h.model();
    let sg: protokol::ids::GroupId = "styregruppen".parse().unwrap();
    let (ordinary, _) = query::find_meeting(&model, &sg, &1.into()).unwrap();
    assert_eq!(ordinary.as_str(), "sg-1", "a number names the ordinary meeting first");
    let (by_id, mt) = query::find_meeting(&model, &sg, &"sg-by-date".parse().unwrap()).unwrap();
    assert_eq!((by_id.as_str(), mt.number), ("sg-by-date", None));
    drop(model);
    refused(&mut h, "2025-06-01", "MeetingHeld", held("sg-1", 5), "meeting-already-held", "already recorded as held");
    refused(
        &mut h,
        "2025-06-01",
        "AgendaSet",
        json!({"meeting": "sg-1", "items": [{"number": 1, "title": "a"}, {"number": 1, "title": "b"}]}),
        "agenda-numbering",
        "zero or repeated",
    );
    refused(
        &mut h,
        "2025-06-01",
        "AgendaSet",
        json!({"meeting": "sg-1", "items": [{"number": 1, "title": "a", "label": "7A"}, {"number": 2, "title": "b", "label": "7A"}]}),
        "agenda-numbering",
        "label \"7A\" is repeated",
    );
    refused(
        &mut h,
        "2025-06-01",
        "AttendanceRecorded",
        json!({"meeting": "sg-1", "attendees": [{"person": "nina-uldal", "presence": "present", "capacity": "member"}]}),
        "attendee-not-member",
        "\"nina-uldal\" attends as a member but is not a member of \"styregruppen\" on 2025-03-01",
    );
    refused(
        &mut h,
        "2025-06-01",
        "AttendanceRecorded",
        json!({"meeting": "sg-1", "attendees": [{"person": "nina-uldal", "presence": "present", "capacity": "guest", "items": [3]}]}),
        "unknown-reference",
        "has no agenda item 3",
    );
    // A scheduled meeting keeps its group when it is held, and gets its number then.
    push(&mut h, "2025-03-01", "MeetingScheduled", json!({"meeting": "sg-2", "group": "styregruppen", "meeting_kind": "extraordinary", "starts_at": "2025-06-01", "announced_at": "sg-1"})).unwrap();
    refused(
        &mut h,
        "2025-06-01",
        "DecisionRecorded",
        json!({"decision": "d2", "meeting": "sg-2", "item": 1, "outcome": "noted", "text": "x"}),
        "meeting-not-held",
        "scheduled but not recorded as held",
    );
    push(&mut h, "2025-06-01", "MeetingHeld", held("sg-2", 2)).unwrap();
    assert_eq!(h.model().meeting(&"sg-2".try_into().unwrap()).unwrap().unwrap().number, Some(2));
}

#[test]
fn decision_rules() {
    let mut h = base();
    // An item may carry several decisions; the record shows them in log order.
    push(
        &mut h,
        "2025-03-01",
        "DecisionRecorded",
        json!({"decision": "d1b", "meeting": "sg-1", "item": 1, "outcome": "rejected", "text": "x"}),
    )
    .unwrap();
    let r = query::meeting_record(
        &h.model(),
        &"styregruppen".parse().unwrap(),
        &1.into(),
        chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = r.agenda[0].decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d1b"]);
    assert_eq!(r.agenda[0].decision.as_ref().map(|d| d.id.as_str()), Some("d1"));
    refused(
        &mut h,
        "2025-03-01",
        "DecisionRecorded",
        json!({"decision": "d2", "meeting": "sg-1", "item": 2, "outcome": "approved_with_reservations", "text": "x"}),
        "reservations",
        "needs at least one condition",
    );
    refused(
        &mut h,
        "2025-03-01",
        "DecisionRecorded",
        json!({"decision": "d2", "meeting": "sg-1", "item": 2, "outcome": "approved", "text": "x", "conditions": ["y"]}),
        "reservations",
        "only approved_with_reservations",
    );
    refused(
        &mut h,
        "2025-03-01",
        "ActionAssigned",
        json!({"action": "a2", "meeting": "sg-1", "item": 2, "decision": "d1", "owner": {"group": "styregruppen"}, "description": "x"}),
        "action-decision-mismatch",
        "belongs to item 1",
    );
    refused(
        &mut h,
        "2025-04-01",
        "DecisionStatusChanged",
        json!({"decision": "d1", "status": "superseded"}),
        "status",
        "superseded needs superseded_by",
    );
    refused(
        &mut h,
        "2025-04-01",
        "DecisionStatusChanged",
        json!({"decision": "d1", "status": "implemented", "superseded_by": "d1"}),
        "status",
        "only with status superseded",
    );
    refused(
        &mut h,
        "2025-04-01",
        "DecisionStatusChanged",
        json!({"decision": "d1", "status": "recorded"}),
        "status",
        "cannot be set",
    );
    push(&mut h, "2025-04-01", "ActionCompleted", json!({"action": "a1"})).unwrap();
    refused(
        &mut h,
        "2025-04-02",
        "ActionCompleted",
        json!({"action": "a1"}),
        "already-completed",
        "was completed on 2025-04-01",
    );
}

#[test]
fn limits_are_enforced() {
    let mut h = base();
    refused(&mut h, "2025-05-01", "PersonRegistered", json!({"person": "x", "name": "  "}), "limits", "name is empty");
    refused(
        &mut h,
        "2025-05-01",
        "PersonRegistered",
        json!({"person": "x", "name": "n".repeat(201)}),
        "limits",
        "name is 201 characters, more than 200",
    );
    refused(
        &mut h,
        "2025-05-01",
        "ItemMinuted",
        json!({"meeting": "sg-1", "item": 1, "text": "t".repeat(20_001)}),
        "limits",
        "more than 20000",
    );
    // A meeting that ends before it starts, the same day: by the clock, whatever the
    // offsets (12.30 in London is before 14.00 in Copenhagen, 13.30 is after).
    let held = |ends: &str| {
        json!({"meeting": "sg-2", "group": "styregruppen", "number": 2, "meeting_kind": "ordinary",
               "starts_at": "2025-05-01T14:00:00+01:00", "ends_at": ends})
    };
    refused(&mut h, "2025-05-01", "MeetingHeld", held("2025-05-01T13:00:00+01:00"), "limits", "cannot end");
    refused(&mut h, "2025-05-01", "MeetingHeld", held("2025-05-01T12:30:00+00:00"), "limits", "cannot end");
    push(&mut h, "2025-05-01", "MeetingHeld", held("2025-05-01T13:30:00+00:00")).unwrap();
}

#[test]
fn correction_rules() {
    let mut h = base();
    let correct = |target: u64, replacement: Option<Value>| {
        let mut body = json!({"target": target, "reason": "fejl i referatet"});
        if let Some(r) = replacement {
            body["replacement"] = r;
        }
        body
    };
    refused(
        &mut h,
        "2025-05-01",
        "EventCorrected",
        correct(99, None),
        "correction-target",
        "no earlier event with seq 99",
    );
    let wrong_kind = json!({"kind": "PersonRegistered", "body": {"person": "y", "name": "Y"}});
    refused(
        &mut h,
        "2025-05-01",
        "EventCorrected",
        correct(1, Some(wrong_kind)),
        "correction-kind",
        "seq 1 is a OrganisationRegistered; its replacement must be one too",
    );
    // Retracting the meeting would orphan the decision recorded at it.
    refused(
        &mut h,
        "2025-05-01",
        "EventCorrected",
        correct(6, None),
        "correction-breaks-later-event",
        "would leave seq 7 breaking a rule: unknown meeting \"sg-1\"",
    );
    // Retracting an action works, once.
    push(&mut h, "2025-05-01", "EventCorrected", correct(9, None)).unwrap();
    assert!(h.model().actions().unwrap().is_empty());
    refused(&mut h, "2025-05-01", "EventCorrected", correct(9, None), "correction-target", "already been retracted");
    refused(&mut h, "2025-05-01", "EventCorrected", correct(10, None), "correction-target", "is itself a correction");
    assert_eq!(
        h.entry(Seq(9)).unwrap().unwrap().event.kind(),
        "ActionAssigned",
        "the corrected event stays in the log"
    );
}

/// 1st and 2nd vice chair are told apart, ordered by rank; a change of rank is a change.
#[test]
fn ranked_offices_are_told_apart() {
    let mut h = base();
    let vice =
        |person: &str, rank: u8| json!({"person": person, "group": "styregruppen", "role": "vice_chair", "rank": rank});
    push(&mut h, "2025-02-01", "PersonRegistered", json!({"person": "ole", "name": "Ole"})).unwrap();
    refused(&mut h, "2025-02-01", "MemberJoined", vice("ole", 0), "limits", "rank starts at 1");
    push(&mut h, "2025-02-01", "MemberJoined", vice("ole", 2)).unwrap();
    push(&mut h, "2025-02-01", "MemberJoined", vice("nina-uldal", 1)).unwrap();
    let sg = "styregruppen".parse().unwrap();
    let c = protokol::query::composition(&h.model(), &sg, "2025-02-01".parse().unwrap()).unwrap();
    let ranked: Vec<_> = c.members.iter().map(|m| (m.person.to_string(), m.rank)).collect();
    assert_eq!(ranked, [("erik-jylling".into(), None), ("nina-uldal".into(), Some(1)), ("ole".into(), Some(2))]);
    let text = protokol::cli::render::composition(&c);
    assert!(text.contains("1st vice chair") && text.contains("2nd vice chair"), "{text}");
    refused(&mut h, "2025-02-02", "MemberRoleChanged", vice("ole", 2), "same-role", "already holds");
    push(&mut h, "2025-02-02", "MemberRoleChanged", vice("ole", 1)).unwrap();
    h.ledger.verify().unwrap();
}

/// Leave, renames, aliases and affiliations as JSON events, each rule refusing what it
/// must and the queries seeing what was accepted.
#[test]
fn leave_names_and_affiliation_rules() {
    let mut h = base();
    let leave = |until: &str| json!({"person": "erik-jylling", "group": "styregruppen", "until": until, "substitute": "nina-uldal", "reason": "orlov"});
    refused(
        &mut h,
        "2025-04-01",
        "LeaveOfAbsenceBegan",
        json!({"person": "nina-uldal", "group": "styregruppen"}),
        "leave",
        "only a member goes on leave",
    );
    refused(&mut h, "2025-04-01", "LeaveOfAbsenceBegan", leave("2025-04-01"), "leave", "must end after it starts");
    refused(
        &mut h,
        "2025-04-01",
        "LeaveOfAbsenceBegan",
        json!({"person": "erik-jylling", "group": "styregruppen", "substitute": "erik-jylling"}),
        "substitute-principal",
        "cannot stand in for themself",
    );
    push(&mut h, "2025-04-01", "LeaveOfAbsenceBegan", leave("2025-06-01")).unwrap();
    refused(
        &mut h,
        "2025-05-01",
        "LeaveOfAbsenceBegan",
        leave("2025-07-01"),
        "leave",
        "already on leave from 2025-04-01",
    );
    refused(
        &mut h,
        "2025-07-01",
        "LeaveOfAbsenceEnded",
        json!({"person": "erik-jylling", "group": "styregruppen"}),
        "leave",
        "is not on leave",
    );
    let model = h.model();
    let sg: protokol::ids::GroupId = "styregruppen".parse().unwrap();
    let c = query::composition(&model, &sg, chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap()).unwrap();
    assert_eq!(c.members.len(), 1, "on leave, still a member");
    assert_eq!(c.on_leave[0].substitute_name.as_deref(), Some("Nina Uldal"));
    drop(model);
    // An open-ended leave ends when the member is back.
    push(&mut h, "2025-08-01", "LeaveOfAbsenceBegan", json!({"person": "erik-jylling", "group": "styregruppen"}))
        .unwrap();
    push(&mut h, "2025-09-01", "LeaveOfAbsenceEnded", json!({"person": "erik-jylling", "group": "styregruppen"}))
        .unwrap();
    let history = query::person_history(&h.model(), &"erik-jylling".parse().unwrap()).unwrap();
    let periods: Vec<_> = history.leaves.iter().map(|l| (l.start.to_string(), l.end.map(|d| d.to_string()))).collect();
    assert_eq!(
        periods,
        [("2025-04-01".into(), Some("2025-06-01".into())), ("2025-08-01".into(), Some("2025-09-01".into()))]
    );
    // A rename keeps the name before; an alias is one more name of the same person.
    push(&mut h, "2025-10-01", "PersonRenamed", json!({"person": "nina-uldal", "name": "Nina Uldal Berg"})).unwrap();
    push(&mut h, "2025-10-01", "PersonAliasRecorded", json!({"person": "nina-uldal", "alias": "N. Uldal"})).unwrap();
    refused(
        &mut h,
        "2025-10-02",
        "PersonAliasRecorded",
        json!({"person": "nina-uldal", "alias": "nina uldal"}),
        "duplicate-id",
        "already goes by",
    );
    let model = h.model();
    let p = model.person(&"nina-uldal".parse().unwrap()).unwrap().unwrap();
    assert_eq!(
        (p.name.as_str(), p.name_on(chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap())),
        ("Nina Uldal Berg", "Nina Uldal")
    );
    for name in ["Nina Uldal", "nina uldal berg", "N. Uldal"] {
        assert_eq!(query::people_named(&model, name).unwrap().len(), 1, "{name}");
    }
    drop(model);
    // An affiliation changes on its own timeline; an unknown one is refused.
    refused(
        &mut h,
        "2025-10-01",
        "AffiliationChanged",
        json!({"person": "nina-uldal", "affiliation": "nowhere"}),
        "unknown-reference",
        "unknown organisation",
    );
    push(&mut h, "2025-10-01", "AffiliationChanged", json!({"person": "nina-uldal"})).unwrap();
    let p = h.model().person(&"nina-uldal".parse().unwrap()).unwrap().unwrap();
    assert_eq!(
        p.affiliation_on(chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap()).map(|o| o.as_str()),
        Some("amgros")
    );
    assert_eq!(p.affiliation_on(chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()), None);
}

/// Two roles at once, asked for; leaving one of them must say which.
#[test]
fn several_roles_at_once_and_which_one_ends() {
    let mut h = base();
    let join = |role: &str, additional: bool| json!({"person": "erik-jylling", "group": "styregruppen", "role": role, "additional": additional});
    refused(
        &mut h,
        "2025-04-01",
        "MemberJoined",
        join("secretary", false),
        "membership-overlap",
        "already holds a membership",
    );
    refused(
        &mut h,
        "2025-04-01",
        "MemberJoined",
        join("co_chair", true),
        "membership-overlap",
        "already holds a membership",
    );
    push(&mut h, "2025-04-01", "MemberJoined", join("secretary", true)).unwrap();
    let left = json!({"person": "erik-jylling", "group": "styregruppen"});
    refused(&mut h, "2025-05-01", "MemberLeft", left.clone(), "which-membership", "holds co_chair and secretary");
    let mut wrong = left.clone();
    wrong["role"] = json!("member");
    refused(&mut h, "2025-05-01", "MemberLeft", wrong, "which-membership", "holds no role member");
    let mut secretary = left;
    secretary["role"] = json!("secretary");
    push(&mut h, "2025-05-01", "MemberLeft", secretary).unwrap();
    let sg: protokol::ids::GroupId = "styregruppen".parse().unwrap();
    let model = h.model();
    let on = |d: u32| query::composition(&model, &sg, chrono::NaiveDate::from_ymd_opt(2025, d, 15).unwrap()).unwrap();
    let roles = |c: query::Composition| c.members.iter().map(|m| protokol::event::name_of(&m.role)).collect::<Vec<_>>();
    assert_eq!(roles(on(4)), ["co_chair", "secretary"]);
    assert_eq!(roles(on(5)), ["co_chair"]);
    let groups = query::groups(&model, chrono::NaiveDate::from_ymd_opt(2025, 4, 15).unwrap()).unwrap();
    assert_eq!(groups[0].members, 1, "one person, counted once");
}

/// A one-off substitute at a meeting stands in for a member of that day.
#[test]
fn an_attending_substitute_names_a_member_it_stands_in_for() {
    let mut h = base();
    let attend = |extra: Value| {
        let mut a = json!({"person": "nina-uldal", "presence": "present", "capacity": "substitute"});
        a.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"meeting": "sg-1", "attendees": [a]})
    };
    refused(
        &mut h,
        "2025-03-01",
        "AttendanceRecorded",
        attend(json!({})),
        "substitute-principal",
        "say for whom, with in_place_of",
    );
    refused(
        &mut h,
        "2025-03-01",
        "AttendanceRecorded",
        attend(json!({"in_place_of": "nina-uldal"})),
        "substitute-principal",
        "themself",
    );
    push(&mut h, "2025-03-01", "AttendanceRecorded", attend(json!({"in_place_of": "erik-jylling"}))).unwrap();
}

/// A correction with only an effective date moves the event in valid time, keeping it
/// as it was; with neither a replacement nor a date it retracts it.
#[test]
fn a_date_only_correction_moves_the_event_and_keeps_it() {
    let mut h = base();
    let joined = h.head_seq().0 + 1;
    push(
        &mut h,
        "2025-04-01",
        "MemberJoined",
        json!({"person": "nina-uldal", "group": "styregruppen", "role": "member"}),
    )
    .unwrap();
    push(
        &mut h,
        "2025-04-02",
        "EventCorrected",
        json!({"target": joined, "reason": "dagen før", "effective": "2025-03-15"}),
    )
    .unwrap();
    let model = h.model();
    let terms = model.memberships_of(&"nina-uldal".parse().unwrap(), &"styregruppen".parse().unwrap()).unwrap();
    assert_eq!((terms.len(), terms[0].start.to_string()), (1, "2025-03-15".to_string()));
    assert!(!model.is_retracted(Seq(joined)).unwrap());
    drop(model);
    h.ledger.verify().unwrap();
}
