//! Meeting and register files: the ATMP Danmark record imports and answers; bad files are
//! named by file and line and write nothing; re-imports are no-ops; changes are refused.

use crate::common::*;
use chrono::NaiveDate;
use protokol::cli::render;
use protokol::ids::GroupId;
use protokol::import::{self, Outcome};
use protokol::query::{self, DecisionFilter};
use protokol::record_file;
use protokol::Ledger;

const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/events/atmp-danmark");

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_atmp_danmark_folder_imports_verifies_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let r = protokol(&path, &["import", EVENTS], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("register.toml: imported "), "registers first: {}", r.stdout);
    assert!(lines[1].starts_with("2025-05-02-referencegruppen-1.toml: imported "), "{}", r.stdout);
    assert!(lines[2].starts_with("2026-01-21-styregruppen-4.toml: imported "), "{}", r.stdout);
    assert!(lines[3].starts_with("ok: "), "{}", r.stdout);

    let r = protokol(&path, &["members", "styregruppen", "--at", "2026-01-21"], None);
    assert!(
        r.stdout.contains("Erik Jylling (formandskab)") && r.stdout.contains("Dorte Bech Vizard (formandskab)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("12 members"), "{}", r.stdout);
    let r = protokol(&path, &["decisions", "--meeting", "styregruppen-2026-01-21"], None);
    assert!(
        r.stdout.contains("reservation: Der skal foretages en yderligere faglig afgrænsning af opgaven."),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("approved with reservations").count(), 2, "{}", r.stdout);
    let r = protokol(&path, &["actions", "--open", "--at", "2026-02-01"], None);
    assert!(r.stdout.contains("sg4-p7-kontakt-henrik-frederiksen"), "{}", r.stdout);
}

#[test]
fn importing_the_same_files_again_is_a_no_op_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    assert_eq!(protokol(&path, &["import", EVENTS], None).code, 0);
    let head = protokol(&path, &["verify"], None).stdout;
    let r = protokol(&path, &["import", EVENTS], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.matches("already imported (same content").count(), 3, "{}", r.stdout);
    assert_eq!(protokol(&path, &["verify"], None).stdout, head);
}

#[test]
fn a_changed_file_is_refused_with_a_diff_and_advice() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let head = l.head();
    let original = std::fs::read_to_string(format!("{EVENTS}/2026-01-21-styregruppen-4.toml")).unwrap();
    let changed = original.replace("number = 4", "number = 5");
    let file = record_file::parse("2026-01-21-styregruppen-4.toml", &changed).unwrap();
    let err = import::import_file(&mut l, &file, "test", now()).unwrap_err().to_string();
    assert!(err.contains("has changed since"), "{err}");
    assert!(err.contains("import it again with --yes --reason TEXT"), "advice to record the corrections: {err}");
    assert!(err.contains(": number: 4 -> 5;"), "the edit as a correction: {err}");
    assert!(err.contains("-number = 4\n+number = 5"), "a diff: {err}");
    assert_eq!(l.head(), head);
}

/// Imports `text` as a meeting file on top of the seeded record; returns the error text.
fn import_error(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let head = l.head();
    let err = record_file::parse(name, text).and_then(|f| import::import_file(&mut l, &f, "test", now()));
    let msg = err.expect_err("must fail").to_string();
    assert_eq!(l.head(), head, "nothing appended for: {msg}");
    msg
}

pub(crate) const GOOD: &str = r#"
[meeting]
id = "styregruppen-2026-04-29"
group = "styregruppen"
number = 5
starts = 2026-04-29T13:00:00+02:00

[[item]]
number = 1
title = "Velkommen"

[item.decision]
id = "sg5-p1"
outcome = "noted"
text = "Styregruppen tog orienteringen til efterretning."

[[item.action]]
id = "sg5-p1-a"
owner = "atmp-danmark-sekretariatet"
description = "Følge op"
due = 2026-05-15
"#;

#[test]
fn a_good_meeting_file_imports_on_top_of_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(&dir.path().join("l"));
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", GOOD).unwrap();
    let out = import::import_file(&mut l, &f, "test", now()).unwrap();
    assert!(matches!(out, Outcome::Appended { events: 5, .. }), "{out:?}");
    let m = &l.model();
    let held = m.meeting(&"styregruppen-2026-04-29".try_into().unwrap()).unwrap().unwrap();
    assert_eq!(held.number, Some(5), "the scheduled meeting is now held, with its number");
    assert_eq!(
        m.action(&"sg5-p1-a".try_into().unwrap()).unwrap().unwrap().owner,
        protokol::event::Party::Group("atmp-danmark-sekretariatet".try_into().unwrap())
    );
}

#[test]
fn each_kind_of_file_error_names_file_line_and_what_is_wrong() {
    let name = "2026-04-29-styregruppen-5.toml";
    let cases: Vec<(String, &str)> = vec![
        // TOML syntax
        (GOOD.replace("number = 5", "number = 5\nnumber = 6"), "TOML parse error at line 6, column 1"),
        // unknown field
        (GOOD.replace("number = 5", "number = 5\ncolour = \"red\""), "unknown field `colour`"),
        // wrong type
        (GOOD.replace("number = 5", "number = \"five\""), "invalid type: string \"five\""),
        // a bad id
        (GOOD.replace("id = \"sg5-p1\"", "id = \"SG5 P1\""), "lowercase letters"),
        // a local time with no offset
        (GOOD.replace("13:00:00+02:00", "13:00:00"), "needs a UTC offset"),
        // a due date that is not a date, even as said
        (GOOD.replace("due = 2026-05-15", "due = \"soon\""), "due: \"soon\" is not a date as said"),
        (GOOD.replace("due = 2026-05-15", "due = 2026-13"), "TOML parse error"),
        (GOOD.replace("due = 2026-05-15", "due = 15"), "due: expected a date or a date as said"),
        // an owner nobody knows
        (
            GOOD.replace("owner = \"atmp-danmark-sekretariatet\"", "owner = \"nobody\""),
            "owner \"nobody\" is no known person, group or organisation",
        ),
        // an unknown outcome
        (GOOD.replace("outcome = \"noted\"", "outcome = \"accepted\""), "unknown variant `accepted`"),
        // missing required field
        (GOOD.replace("title = \"Velkommen\"\n", ""), "missing field `title`"),
    ];
    for (text, expect) in cases {
        let msg = import_error(name, &text);
        assert!(msg.starts_with(name), "names the file: {msg}");
        assert!(msg.contains(expect), "expected {expect:?} in {msg}");
        assert!(msg.contains("line ") || msg.contains(&format!("{name}:")), "names the line: {msg}");
    }
    // A rule refusal points at the line of the table that made the event.
    let msg = import_error(name, &GOOD.replace("number = 5", "number = 4"));
    assert!(msg.starts_with(&format!("{name}:2: MeetingHeld")), "{msg}");
    assert!(msg.contains("duplicate-meeting-number"), "{msg}");
    let msg = import_error(
        name,
        &GOOD
            .replace("owner = \"atmp-danmark-sekretariatet\"", "owner = \"erik-jylling\"\n")
            .replace("id = \"sg5-p1\"", "id = \"sg4-p1\""),
    );
    let decision_line = GOOD.lines().position(|l| l == "[item.decision]").unwrap() + 1;
    assert!(msg.starts_with(&format!("{name}:{decision_line}: DecisionRecorded")), "{msg}");
    assert!(msg.contains("duplicate-id"), "{msg}");
    let msg = import_error("notes.toml", "title = \"x\"\n");
    assert!(msg.contains("neither a meeting file"), "{msg}");
}

#[test]
fn compositions_of_both_groups_after_import() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let m = &l.model();
    let settings = insta_settings();
    for g in ["styregruppen", "referencegruppen"] {
        let group: GroupId = g.try_into().unwrap();
        for d in ["2025-05-02", "2026-01-20", "2026-01-22"] {
            if g == "styregruppen" && d != "2025-05-02" {
                continue; // the steering group's are the projection snapshots
            }
            let c = query::composition(m, &group, day(d)).unwrap();
            settings.bind(|| insta::assert_snapshot!(format!("composition_{g}_{d}"), render::composition(&c)));
        }
    }
}

#[test]
fn the_whole_decision_register_after_import() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded(&dir.path().join("l"));
    let rows = query::decisions(&l.model(), &DecisionFilter::default(), day("2026-11-22")).unwrap();
    insta_settings().bind(|| insta::assert_json_snapshot!("decision_register_atmp_danmark", rows));
}

#[test]
fn a_fresh_ledger_is_refused_a_meeting_before_its_register() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let f = record_file::parse("m.toml", GOOD).unwrap();
    let msg = import::import_file(&mut l, &f, "test", now()).unwrap_err().to_string();
    assert!(msg.contains("owner \"atmp-danmark-sekretariatet\" is no known"), "{msg}");
    assert_eq!(l.head(), None);
}

/// One who joins by a decision of the meeting attends it as a member: the change, and
/// the decision it cites, come before the attendance is checked. (It was refused:
/// `attendee-not-member`.)
#[test]
fn a_member_appointed_at_a_meeting_attends_it_as_a_member() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(dir.path());
    let text = r#"
[meeting]
id = "styregruppen-2026-04-29"
group = "styregruppen"
number = 5
starts = 2026-04-29T13:00:00+02:00

[[item]]
number = 1
title = "Udpegning af nyt medlem"

[item.decision]
id = "sg5-p1"
outcome = "decided"
text = "Styregruppen udpegede Malene Fischer som medlem."

[[membership]]
change = "joined"
person = "malene-fischer"
group = "styregruppen"
role = "member"
decision = "sg5-p1"

[[attendance]]
person = "malene-fischer"
as = "member"

[[attendance]]
person = "erik-jylling"
as = "member"

[[attendance]]
person = "flemming-sonne"
as = "member"
presence = "absent"

[[attendance]]
person = "camilla-lund-cramer"
as = "member"
presence = "apologies"
"#;
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", text).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap_or_else(|e| panic!("{e}"));
    let m = l.model();
    let sg = GroupId::try_from("styregruppen").unwrap();
    let r = query::meeting_record(&m, &sg, &5.into(), day("2026-04-29")).unwrap();
    let malene = r.attendees.iter().find(|a| a.person.as_str() == "malene-fischer").unwrap();
    assert_eq!(malene.role, Some(protokol::event::Role::Member), "a member on the meeting's day");
    let joined = m.memberships_of(&"malene-fischer".parse().unwrap(), &sg).unwrap();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].decision.as_ref().map(|d| d.as_str()), Some("sg5-p1"));
    // The absent member is in the minutes, apart from those who sent apologies.
    let da = protokol::minutes::render_meeting(
        &m,
        &sg,
        &5.into(),
        protokol::minutes::Lang::Da,
        protokol::minutes::Format::Md,
    )
    .unwrap();
    assert!(da.contains("**Afbud:** Camilla Lund-Cramer"), "{da}");
    assert!(da.contains("**Fraværende uden afbud:** Flemming Sonne"), "{da}");
    l.verify().unwrap();
}

/// A vote in a meeting file: the tally and the roll call reach the register and the
/// minutes, in both languages.
#[test]
fn a_vote_in_a_meeting_file_reaches_the_register_and_the_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(dir.path());
    let text = r#"
[meeting]
id = "styregruppen-2026-04-29"
group = "styregruppen"
number = 5
starts = 2026-04-29T13:00:00+02:00

[[item]]
number = 1
label = "7A"
title = "Budget 2027"

[item.decision]
id = "sg5-p1"
outcome = "approved"
text = "Styregruppen godkendte budgettet."

[item.decision.votes]
in_favour = 2
against = 1

[item.decision.votes.roll_call]
in_favour = ["erik-jylling", "flemming-sonne"]
against = ["malene-fischer"]
"#;
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", text).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap_or_else(|e| panic!("{e}"));
    let m = l.model();
    let rows = query::decisions(&m, &DecisionFilter::default(), day("2026-05-01")).unwrap();
    let d = rows.iter().find(|d| d.id.as_str() == "sg5-p1").unwrap();
    let votes = d.votes.as_ref().unwrap();
    assert_eq!((votes.in_favour, votes.against, votes.abstaining), (2, 1, 0));
    let sg = GroupId::try_from("styregruppen").unwrap();
    let render =
        |lang| protokol::minutes::render_meeting(&m, &sg, &5.into(), lang, protokol::minutes::Format::Md).unwrap();
    let da = render(protokol::minutes::Lang::Da);
    let want = "**Afstemning:**\n\n- 2 for, 1 imod\n- For: Erik Jylling, Flemming Sonne\n- Imod: Malene Fischer";
    assert!(da.contains(want), "{da}");
    // The item as the body numbers it, in the agenda and its heading; its number stays
    // the key the decision cites.
    assert!(da.contains("## Dagsorden\n\n- 7A. Budget 2027\n") && da.contains("## 7A. Budget 2027\n"), "{da}");
    assert_eq!(d.item, 1);
    let en = render(protokol::minutes::Lang::En);
    let want = "- 2 in favour, 1 against\n- In favour: Erik Jylling, Flemming Sonne\n- Against: Malene Fischer";
    assert!(en.contains(want), "{en}");
    l.verify().unwrap();
}

/// A register file declares a group's seats; an excess is recorded and reported by
/// `members`, and with `seats_enforced` refused, naming the file and line.
#[test]
fn seats_declared_in_a_register_file_are_reported_and_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let register = |enforced: bool| {
        format!(
            r#"effective = 2025-01-01

[[organisation]]
id = "kommune"
name = "Kommunen"

[[person]]
id = "a"
name = "Anne"

[[person]]
id = "b"
name = "Bo"

[[group]]
id = "bestyrelsen"
name = "Bestyrelsen"
kind = "other"
seats = 1
seats_enforced = {enforced}

[[membership]]
person = "a"
group = "bestyrelsen"
role = "chair"

[[membership]]
person = "b"
group = "bestyrelsen"
role = "member"
"#
        )
    };
    let file = dir.path().join("register.toml");
    std::fs::write(&file, register(false)).unwrap();
    let reported = dir.path().join("reported");
    let r = protokol(&reported, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = protokol(&reported, &["members", "bestyrelsen", "--at", "2025-06-01"], None);
    assert!(r.stdout.contains("Seats: 2 held of 1, 1 over capacity"), "{}", r.stdout);
    std::fs::write(&file, register(true)).unwrap();
    let refused = dir.path().join("refused");
    let r = protokol(&refused, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("register.toml:27:") && r.stderr.contains("[rule seats]"), "{}", r.stderr);
}

/// A roll in Popolo JSON imports as register events, and protokol's own Popolo export
/// reads back in as the same roll.
#[test]
fn a_popolo_roll_imports_and_the_popolo_export_reads_back_in() {
    let dir = tempfile::tempdir().unwrap();
    let exported = protokol::export::popolo::document(&seeded(&dir.path().join("a")).model()).unwrap();
    let file = dir.path().join("roll.json");
    std::fs::write(&file, exported.to_string()).unwrap();
    let b = dir.path().join("b");
    let r = protokol(&b, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = protokol::export::popolo::document(&Ledger::open(&b).unwrap().model()).unwrap();
    assert_eq!(again, exported, "the same persons, organizations and memberships");
}

/// A roll from elsewhere: a council, its parties as organisations, two terms of one
/// member (the second after a break), a role protokol does not name, inclusive end
/// dates; and its errors name the entry.
#[test]
fn a_popolo_roll_from_elsewhere_gives_terms_roles_and_errors_by_entry() {
    let dir = tempfile::tempdir().unwrap();
    let roll = serde_json::json!({
        "persons": [{"id": "ann", "name": "Ann", "gender": "female"}, {"id": "bo", "name": "Bo"}],
        "organizations": [
            {"id": "council", "name": "Byrådet", "classification": "council", "founding_date": "2022-01-01"},
            {"id": "party-a", "name": "Parti A", "classification": "party"}
        ],
        "memberships": [
            {"person_id": "ann", "organization_id": "council", "on_behalf_of_id": "party-a", "start_date": "2022-01-01", "end_date": "2022-06-30"},
            {"person_id": "ann", "organization_id": "council", "role": "Chair", "start_date": "2023-01-01"},
            {"person_id": "bo", "organization_id": "council", "role": "Alderman", "start_date": "2022-01-01"}
        ]
    });
    let file = dir.path().join("council.json");
    std::fs::write(&file, roll.to_string()).unwrap();
    let l = dir.path().join("l");
    let r = protokol(&l, &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = Ledger::open(&l).unwrap().model();
    let council = GroupId::try_from("council").unwrap();
    let terms = m.memberships_of(&"ann".parse().unwrap(), &council).unwrap();
    let spans: Vec<_> = terms.iter().map(|t| (t.start.to_string(), t.end.map(|d| d.to_string()), t.role)).collect();
    assert_eq!(
        spans,
        [
            ("2022-01-01".to_string(), Some("2022-07-01".to_string()), protokol::event::Role::Member),
            ("2023-01-01".to_string(), None, protokol::event::Role::Chair)
        ]
    );
    assert!(m.organisation(&"party-a".parse().unwrap()).unwrap().is_some(), "a party is an organisation");
    let bo = &m.memberships_of(&"bo".parse().unwrap(), &council).unwrap()[0];
    assert_eq!(bo.note.as_deref(), Some("role in the roll: Alderman"));
    let c = query::composition(&m, &council, day("2022-08-01")).unwrap();
    assert_eq!(c.members.len(), 1, "Ann's first term ended on 30 June");
    // Errors name the entry at fault, and nothing is written.
    let mut bad = roll.clone();
    bad["memberships"][2]["start_date"] = serde_json::json!("2022");
    std::fs::write(&file, bad.to_string()).unwrap();
    let r = protokol(&dir.path().join("m"), &["import", file.to_str().unwrap()], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("council.json: memberships[2]: start_date \"2022\" is not a date"), "{}", r.stderr);
}

/// A register file gives one person two terms of one group, with a break between: each
/// leaves before the next begins. (It was refused as an overlap.)
#[test]
fn a_register_file_gives_one_person_two_terms_of_one_group() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"effective = 2024-01-01

[[person]]
id = "a"
name = "Anne"

[[group]]
id = "bestyrelsen"
name = "Bestyrelsen"
kind = "other"

[[membership]]
person = "a"
group = "bestyrelsen"
role = "member"
from = 2025-01-01

[[membership]]
person = "a"
group = "bestyrelsen"
role = "chair"
until = 2024-07-01
"#;
    let mut l = Ledger::create(&dir.path().join("l")).unwrap();
    let f = record_file::parse("register.toml", text).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap_or_else(|e| panic!("{e}"));
    let terms = l.model().memberships_of(&"a".parse().unwrap(), &"bestyrelsen".parse().unwrap()).unwrap();
    let spans: Vec<_> = terms.iter().map(|t| (t.role, t.start.to_string(), t.end.map(|d| d.to_string()))).collect();
    use protokol::event::Role::{Chair, Member};
    assert_eq!(
        spans,
        [(Chair, "2024-01-01".into(), Some("2024-07-01".into())), (Member, "2025-01-01".into(), None)],
        "in date order, whatever the file's"
    );
}

/// Attendance in detail: who came late, who left early, who did not take part in an
/// item; the minutes say so, and a departure before the arrival is refused.
#[test]
fn arrivals_departures_and_items_not_taken_part_in_reach_the_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(dir.path());
    let text = |departed: &str| {
        format!(
            r#"
[meeting]
id = "styregruppen-2026-04-29"
group = "styregruppen"
number = 5
starts = 2026-04-29T13:00:00+02:00

[[item]]
number = 1
title = "Velkommen"

[[item]]
number = 2
title = "Budget"

[[attendance]]
person = "erik-jylling"
as = "member"
arrived = 2026-04-29T13:20:00+02:00
departed = {departed}

[[attendance]]
person = "flemming-sonne"
as = "member"
except_items = [2]
"#
        )
    };
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", &text("2026-04-29T13:10:00+02:00")).unwrap();
    let err = import::import_file(&mut l, &f, "test", now()).unwrap_err().to_string();
    assert!(err.contains("departed") && err.contains("[rule attendance-times]"), "{err}");
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", &text("2026-04-29T14:45:00+02:00")).unwrap();
    import::import_file(&mut l, &f, "test", now()).unwrap_or_else(|e| panic!("{e}"));
    let sg = GroupId::try_from("styregruppen").unwrap();
    let render = |lang| {
        protokol::minutes::render_meeting(&l.model(), &sg, &5.into(), lang, protokol::minutes::Format::Md).unwrap()
    };
    let da = render(protokol::minutes::Lang::Da);
    assert!(da.contains("(formandskab), kom kl. 13.20, gik kl. 14.45"), "{da}");
    assert!(da.contains("Flemming Sonne, Amgros, deltog ikke under punkt 2"), "{da}");
    let en = render(protokol::minutes::Lang::En);
    assert!(en.contains("arrived 13:20, left 14:45") && en.contains("not taking part in item 2"), "{en}");
}

/// A refusal about one attendee, or one agenda item, names that entry's own line, not
/// the first line of the list. (It named the first attendee's.)
#[test]
fn a_refused_attendee_or_item_is_named_at_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded(dir.path());
    let text = |presenter: &str, attendee: &str| {
        format!(
            r#"[meeting]
id = "styregruppen-2026-04-29"
group = "styregruppen"
number = 5
starts = 2026-04-29T13:00:00+02:00

[[item]]
number = 1
title = "Velkommen"

[[item]]
number = 2
title = "Budget"
presenters = ["{presenter}"]

[[attendance]]
person = "erik-jylling"
as = "member"

[[attendance]]
person = "{attendee}"
as = "member"
"#
        )
    };
    let name = "2026-04-29-styregruppen-5.toml";
    let mut err = |presenter: &str, attendee: &str| {
        let f = record_file::parse(name, &text(presenter, attendee)).unwrap();
        import::import_file(&mut l, &f, "test", now()).unwrap_err().to_string()
    };
    let e = err("ingen", "erik-jylling");
    assert!(e.starts_with(&format!("{name}:11: AgendaSet")) && e.contains("unknown person \"ingen\""), "{e}");
    let e = err("erik-jylling", "ingen");
    assert!(e.starts_with(&format!("{name}:20: AttendanceRecorded")) && e.contains("\"ingen\""), "{e}");
}
