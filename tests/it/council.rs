//! The constructed council record (events/constructed-council): a retroactive
//! replacement, a standing and a one-off substitute, a leave of absence, a party switch,
//! a change of name, a roll-call vote, two decisions on one item and a written procedure,
//! imported through its files, asked through the queries and the command line, and its
//! minutes held to snapshots.

use crate::common::*;
use chrono::NaiveDate;
use protokol::ids::GroupId;
use protokol::ledger::Ledger;
use protokol::minutes::{render_meeting, Format, Lang};
use protokol::query;
use std::path::{Path, PathBuf};

const RECORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/events/constructed-council");

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn council() -> GroupId {
    "byraadet".parse().unwrap()
}

fn imported(dir: &Path) -> Ledger {
    let mut l = Ledger::create(dir).unwrap();
    protokol::import::import_paths(&mut l, &[PathBuf::from(RECORD)], "test", now(), &protokol::progress::Silent)
        .unwrap();
    l
}

fn member_ids(c: &query::Composition) -> Vec<String> {
    let mut ids: Vec<String> = c.members.iter().map(|m| m.person.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn the_constructed_record_imports_verifies_and_renders_its_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let l = imported(dir.path());
    l.verify().unwrap();
    let m = &l.model();
    assert_eq!(query::seat_flags(m).unwrap(), [], "the replacement leaves no overlap");
    let first = render_meeting(m, &council(), &1.into(), Lang::Da, Format::Md).unwrap();
    let written =
        render_meeting(m, &council(), &"byraadet-skriftlig-2026-1".parse().unwrap(), Lang::Da, Format::Md).unwrap();
    let first_en = render_meeting(m, &council(), &1.into(), Lang::En, Format::Md).unwrap();
    let settings = insta_settings();
    settings.bind(|| insta::assert_snapshot!("minutes_constructed_byraadet_1_da", first));
    settings.bind(|| insta::assert_snapshot!("minutes_constructed_byraadet_skriftlig_1_da", written));
    settings.bind(|| insta::assert_snapshot!("minutes_constructed_byraadet_1_en", first_en));
    // What each part of committee life looks like in the minutes.
    for line in [
        "- Dong-hee Na (1. næstformand), deltog ikke under punkt 3A",
        "- Gitte Skov, kom kl. 17.10",
        "**Stedfortrædere:** Ida Falk, i stedet for Eva Lund",
        "**Embedsmænd:** Karen Vig (referent)",
        "**Afbud:** Eva Lund",
        "## 3A. Budgetopfølgning, 4. kvartal 2025",
        "- 4 for, 1 imod, 1 undlod at stemme",
        "- Imod: Frederik Moe",
        "Byrådet vedtog lokalplanens del 1 (boliger).",
        "Del 2 (erhverv) blev udsat til næste møde.",
    ] {
        assert!(first.contains(line), "missing {line:?} in\n{first}");
    }
    assert_eq!(first.matches("**Beslutning**").count(), 6, "five items, one of them with two decisions");
    for line in [
        "**Periode:** 2. marts 2026 - 6. marts 2026",
        "**Svar modtaget fra:**",
        "- Gitte Skov Berg",
        "**Stedfortrædere:** Jens Ravn, i stedet for Frederik Moe",
        "**Svarede ikke:** Eva Lund",
        "**Afstemning:** Enstemmigt: 6 for",
    ] {
        assert!(written.contains(line), "missing {line:?} in\n{written}");
    }
    // The minutes of 10 February name Gitte Skov as she was named then, not as renamed.
    assert!(!first.contains("Skov Berg"));
    assert!(first_en.contains("- Dong-hee Na (1st vice chair), not taking part in item 3A"));
}

#[test]
fn a_replacement_with_effect_before_its_decision_answers_as_recorded_and_as_decided() {
    let dir = tempfile::tempdir().unwrap();
    let l = imported(dir.path());
    let recorded = query::composition(&l.model(), &council(), day("2026-02-05")).unwrap();
    assert!(member_ids(&recorded).contains(&"henrik-bay".to_string()));
    assert!(!member_ids(&recorded).contains(&"carla-dahl".to_string()));
    // As decided by 5 February, the replacement of the 10th had not been decided.
    let decided_then = l.decided_by(day("2026-02-05"), l.head_seq()).unwrap();
    let then = query::composition(&decided_then, &council(), day("2026-02-05")).unwrap();
    assert!(member_ids(&then).contains(&"carla-dahl".to_string()));
    assert!(!member_ids(&then).contains(&"henrik-bay".to_string()));
    // As decided by the 10th, it is as recorded.
    let decided = l.decided_by(day("2026-02-10"), l.head_seq()).unwrap();
    assert_eq!(
        member_ids(&query::composition(&decided, &council(), day("2026-02-05")).unwrap()),
        member_ids(&recorded)
    );
    // Seven seats, seven members, the standing substitute apart and not counted.
    let seats = recorded.seats.as_ref().unwrap();
    assert_eq!((seats.seats, seats.held, seats.vacant, seats.over_capacity), (7, 7, 0, 0));
    assert_eq!(recorded.substitutes.len(), 1);
    assert_eq!(recorded.substitutes[0].substitute_for.as_ref().unwrap().as_str(), "eva-lund");
}

#[test]
fn a_member_on_leave_stays_a_member_with_a_substitute_for_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let l = imported(dir.path());
    let m = &l.model();
    let during = query::composition(m, &council(), day("2026-03-01")).unwrap();
    assert!(member_ids(&during).contains(&"frederik-moe".to_string()));
    assert_eq!(during.seats.as_ref().unwrap().held, 7);
    let leave: Vec<_> = during.on_leave.iter().map(|l| (l.person.as_str(), l.substitute_name.as_deref())).collect();
    assert_eq!(leave, [("frederik-moe", Some("Jens Ravn"))]);
    assert_eq!(during.on_leave[0].end, Some(day("2026-05-01")));
    for (date, on_leave) in [("2026-02-10", 0), ("2026-02-11", 1), ("2026-04-30", 1), ("2026-05-01", 0)] {
        assert_eq!(query::composition(m, &council(), day(date)).unwrap().on_leave.len(), on_leave, "{date}");
    }
    let history = query::person_history(m, &"frederik-moe".parse().unwrap()).unwrap();
    assert_eq!(history.leaves.len(), 1);
    assert_eq!(history.memberships.len(), 1, "the leave does not split the membership");
}

#[test]
fn a_party_switch_moves_the_count_and_leaves_the_membership_whole() {
    let dir = tempfile::tempdir().unwrap();
    let l = imported(dir.path());
    let m = &l.model();
    let count = |date: &str| -> Vec<(String, u32)> {
        query::affiliation_counts(m, &council(), day(date))
            .unwrap()
            .by_affiliation
            .into_iter()
            .map(|c| (c.organisation.map(|o| o.to_string()).unwrap_or_default(), c.members))
            .collect()
    };
    let before = count("2026-02-19");
    let after = count("2026-02-20");
    let of = |counts: &[(String, u32)], party: &str| counts.iter().find(|(p, _)| p == party).map_or(0, |c| c.1);
    assert_eq!((of(&before, "faellespartiet"), of(&before, "groen-fremtid")), (3, 2));
    assert_eq!((of(&after, "faellespartiet"), of(&after, "groen-fremtid")), (2, 3));
    assert_eq!(after.iter().map(|c| c.1).sum::<u32>(), 7);
    let bo = query::person_history(m, &"bo-krag".parse().unwrap()).unwrap();
    assert_eq!(bo.memberships.len(), 1);
    assert_eq!(bo.affiliation.as_ref().map(|o| o.as_str()), Some("groen-fremtid"));
}

#[test]
fn the_command_line_answers_by_alias_as_decided_and_by_affiliation() {
    let dir = tempfile::tempdir().unwrap();
    drop(imported(&dir.path().join("l")));
    let ledger = dir.path().join("l");
    let by_alias = protokol(&ledger, &["history", "Donghee Na", "--json"], None);
    assert_eq!(by_alias.code, 0, "{}", by_alias.stderr);
    let v: serde_json::Value = serde_json::from_str(&by_alias.stdout).unwrap();
    assert_eq!((v["person"].as_str(), v["aliases"][0].as_str()), (Some("dong-hee-na"), Some("Donghee Na")));
    let unknown = protokol(&ledger, &["history", "Nobody Here"], None);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no person with the id or name \"Nobody Here\""), "{}", unknown.stderr);
    let decided = protokol(&ledger, &["members", "byraadet", "--at", "2026-02-05", "--decided-by", "2026-02-05"], None);
    assert_eq!(decided.code, 0, "{}", decided.stderr);
    assert!(decided.stdout.contains("carla-dahl") && !decided.stdout.contains("henrik-bay"), "{}", decided.stdout);
    let counts = protokol(&ledger, &["affiliations", "byraadet", "--at", "2026-02-25"], None);
    assert_eq!(counts.code, 0, "{}", counts.stderr);
    assert!(counts.stdout.contains("Grøn Fremtid   groen-fremtid   3"), "{}", counts.stdout);
    // A written procedure is numbered apart: number 1 is the ordinary meeting, the
    // written procedure is named by its id.
    let first = protokol(&ledger, &["meeting", "byraadet", "1", "--json"], None);
    let written = protokol(&ledger, &["meeting", "byraadet", "byraadet-skriftlig-2026-1", "--json"], None);
    let kind = |r: &Run| serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()["meeting_kind"].clone();
    assert_eq!((kind(&first), kind(&written)), (serde_json::json!("ordinary"), serde_json::json!("written_procedure")));
    // Carla Dahl back for March: eight holders of seven seats, accepted and flagged.
    let clean = protokol(&ledger, &["verify"], None);
    assert_eq!((clean.code, clean.stdout.contains("flag:")), (0, false), "{}", clean.stdout);
    let back = r#"{"effective": "2026-03-01", "kind": "MemberJoined", "body": {"person": "carla-dahl", "group": "byraadet", "role": "member"}}"#;
    assert_eq!(protokol(&ledger, &["append", "-"], Some(back)).code, 0);
    let flagged = protokol(&ledger, &["verify"], None);
    assert_eq!(flagged.code, 0, "a flag is not a failure: {}", flagged.stderr);
    assert!(
        flagged.stdout.contains("flag: byraadet: 8 seat holders for 7 seats from 2026-03-01\n"),
        "{}",
        flagged.stdout
    );
}
