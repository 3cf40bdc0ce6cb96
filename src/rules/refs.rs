//! The checks the rules are made of: that a reference names something that existed on
//! the event's date, and that a text or list keeps to its limits.

use super::{Refusal, RuleError};
use crate::event::*;
use crate::ids::{DecisionId, GroupId, MeetingId, OrgId, PersonId};
use crate::model::{Meeting, MeetingStatus, Model};
use crate::when::When;
use chrono::NaiveDate;

pub(super) fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, RuleError> {
    Err(RuleError::Refused(Refusal { rule, message: message.into(), subject: None }))
}

pub(super) fn not_before(rule_subject: &str, since: NaiveDate, date: NaiveDate) -> Result<(), RuleError> {
    if date < since {
        return refuse(
            "before-it-existed",
            format!("{rule_subject} dates from {since}, after this event's date {date}"),
        );
    }
    Ok(())
}

pub(super) fn org(m: &Model, id: &OrgId, date: NaiveDate) -> Result<(), RuleError> {
    let Some(o) = m.organisation(id)? else {
        return refuse("unknown-reference", format!("unknown organisation {id:?}"));
    };
    not_before(&format!("organisation {id:?}"), o.since, date)
}

pub(super) fn person(m: &Model, id: &PersonId, date: NaiveDate) -> Result<(), RuleError> {
    let Some(p) = m.person(id)? else {
        return refuse("unknown-reference", format!("unknown person {id:?}"));
    };
    not_before(&format!("person {id:?}"), p.since, date)
}

pub(super) fn group(m: &Model, id: &GroupId, date: NaiveDate) -> Result<(), RuleError> {
    let Some(g) = m.group(id)? else {
        return refuse("unknown-reference", format!("unknown group {id:?}"));
    };
    not_before(&format!("group {id:?}"), g.established, date)?;
    if let Some(d) = g.dissolved.filter(|d| *d <= date) {
        return refuse("group-dissolved", format!("group {id:?} was dissolved on {d}"));
    }
    Ok(())
}

pub(super) fn meeting(m: &Model, id: &MeetingId, date: NaiveDate, held: bool) -> Result<Meeting, RuleError> {
    let Some(mt) = m.meeting_head(id)? else {
        return refuse("unknown-reference", format!("unknown meeting {id:?}"));
    };
    if held && mt.status != MeetingStatus::Held {
        return refuse("meeting-not-held", format!("meeting {id:?} is scheduled but not recorded as held"));
    }
    if held {
        not_before(&format!("meeting {id:?}"), mt.date(), date)?;
    }
    Ok(mt)
}

pub(super) fn item(mt: &Meeting, id: &MeetingId, number: u32) -> Result<(), RuleError> {
    if mt.item(number).is_none() {
        return refuse("unknown-reference", format!("meeting {id:?} has no agenda item {number}"));
    }
    Ok(())
}

/// The decision a membership change rests on: it must be recorded, and it may be dated
/// after the change, which often takes effect before the decision that made it (a
/// replacement decided on the 6th with effect from the 2nd).
pub(super) fn decided_by(m: &Model, id: &DecisionId) -> Result<(), RuleError> {
    match m.decision(id)? {
        Some(_) => Ok(()),
        None => refuse("unknown-reference", format!("unknown decision {id:?}")),
    }
}

pub(super) fn decision(m: &Model, id: &DecisionId, date: NaiveDate) -> Result<(), RuleError> {
    let Some(d) = m.decision(id)? else {
        return refuse("unknown-reference", format!("unknown decision {id:?}"));
    };
    not_before(&format!("decision {id:?}"), d.date, date)
}

pub(super) fn opt<T>(value: &Option<T>, f: impl FnOnce(&T) -> Result<(), RuleError>) -> Result<(), RuleError> {
    value.as_ref().map_or(Ok(()), f)
}

pub(super) fn name(field: &str, s: &str) -> Result<(), RuleError> {
    if s.trim().is_empty() {
        return refuse("limits", format!("{field} is empty"));
    }
    visible(field, s, false)?;
    text_max(field, s, NAME_CHARS_MAX)
}

pub(super) fn text(field: &str, s: &str) -> Result<(), RuleError> {
    if s.trim().is_empty() {
        return refuse("limits", format!("{field} is empty"));
    }
    visible(field, s, true)?;
    text_max(field, s, TEXT_CHARS_MAX)
}

/// The first character (its position from 0, and it) that a terminal or a browser acts
/// on rather than shows: a control character, but for a text's line breaks and tabs, or
/// a bidi embedding, override or isolate.
pub fn hidden_char(s: &str, text: bool) -> Option<(usize, char)> {
    let hidden = |c: char| {
        (c.is_control() && !(text && matches!(c, '\n' | '\r' | '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    s.chars().enumerate().find(|(_, c)| hidden(*c))
}

/// No character that a terminal or a browser acts on rather than shows: a control
/// character (an ESC sequence rewrites a terminal; a text may hold line breaks and tabs,
/// a name not even those) or a bidi embedding, override or isolate, which shows what
/// follows it in another order than it is recorded in.
fn visible(field: &str, s: &str, text: bool) -> Result<(), RuleError> {
    match hidden_char(s, text) {
        Some((i, c)) => refuse(
            "characters",
            format!(
                "{field} holds U+{:04X} at character {}: {}",
                c as u32,
                i + 1,
                if text {
                    "a text holds visible characters, line breaks and tabs, no control or bidi override characters"
                } else {
                    "a name is one line of visible characters, with no control or bidi override characters"
                }
            ),
        ),
        None => Ok(()),
    }
}

pub(super) fn text_max(field: &str, s: &str, max: usize) -> Result<(), RuleError> {
    let n = s.chars().count();
    if n > max {
        return refuse("limits", format!("{field} is {n} characters, more than {max}"));
    }
    Ok(())
}

pub(super) fn list<T>(field: &str, items: &[T]) -> Result<(), RuleError> {
    if items.len() > LIST_LEN_MAX {
        return refuse("limits", format!("{field} has {} entries, more than {LIST_LEN_MAX}", items.len()));
    }
    Ok(())
}

/// A meeting's end is not before its start: by the instant where both are instants (in
/// whatever offsets they were given), by the date where either is a date.
pub(super) fn ends_after(starts: &When, ends: &Option<When>) -> Result<(), RuleError> {
    let Some(end) = ends else { return Ok(()) };
    let before = match (starts, end) {
        (When::Instant(s), When::Instant(e)) => e < s,
        _ => end.date() < starts.date(),
    };
    if before {
        return refuse("limits", format!("a meeting cannot end ({end}) before it starts ({starts})"));
    }
    Ok(())
}

/// A tally that adds up: within its limit, no votes against a unanimous decision, and on
/// a roll call as many names as votes, each a person of the ledger, none twice.
pub(super) fn votes(m: &Model, v: &Votes, date: NaiveDate) -> Result<(), RuleError> {
    let total = u64::from(v.in_favour) + u64::from(v.against) + u64::from(v.abstaining);
    if total > u64::from(VOTES_MAX) {
        return refuse("votes", format!("{total} votes, more than {VOTES_MAX}"));
    }
    if v.unanimous && v.against > 0 {
        return refuse("votes", format!("a unanimous decision with {} votes against", v.against));
    }
    let Some(roll) = &v.roll_call else { return Ok(()) };
    let mut seen = std::collections::BTreeSet::new();
    for (side, names, count) in [
        ("in_favour", &roll.in_favour, v.in_favour),
        ("against", &roll.against, v.against),
        ("abstaining", &roll.abstaining, v.abstaining),
    ] {
        if names.len() as u64 != u64::from(count) {
            return refuse("votes", format!("{count} {side}, but the roll call names {}", names.len()));
        }
        for p in names {
            person(m, p, date)?;
            if !seen.insert(p) {
                return refuse("votes", format!("{p:?} voted twice in the roll call"));
            }
        }
    }
    Ok(())
}

/// The one a substitute stands in for: someone else, a member (not a substitute) of the
/// group on the date.
pub(super) fn principal(
    m: &Model,
    principal: &PersonId,
    substitute: &PersonId,
    group: &GroupId,
    date: NaiveDate,
) -> Result<(), RuleError> {
    if principal == substitute {
        return refuse("substitute-principal", format!("{substitute:?} cannot stand in for themself"));
    }
    let member = m.memberships_of(principal, group)?.iter().any(|x| x.covers(date) && x.role != Role::Substitute);
    if !member {
        return refuse(
            "substitute-principal",
            format!("{principal:?}, for whom {substitute:?} would stand in, is not a member of {group:?} on {date}"),
        );
    }
    Ok(())
}

/// With enforced seats, a new seat holder must find a seat free on the date, and one
/// within their constituency's share. (Without, the excess is recorded and reported.)
pub(super) fn seats(
    m: &Model,
    group: &GroupId,
    person: &PersonId,
    constituency: Option<&OrgId>,
    date: NaiveDate,
) -> Result<(), RuleError> {
    let Some(g) = m.group(group)? else { return Ok(()) };
    let Some(s) = g.seats_on(date).filter(|s| s.enforced) else { return Ok(()) };
    let holders: Vec<_> = m.seat_holders(group, date)?.into_iter().filter(|x| &x.person != person).collect();
    if holders.len() as u64 >= u64::from(s.seats) {
        return refuse("seats", format!("{group:?} has {} seats, all held on {date}", s.seats));
    }
    if let (Some(share), Some(c)) = (s.per_constituency, constituency) {
        let of_c = holders.iter().filter(|x| x.on_behalf_of.as_ref() == Some(c)).count();
        if of_c as u64 >= u64::from(share) {
            return refuse("seats", format!("{c:?} holds its {share} seats of {group:?} on {date}"));
        }
    }
    Ok(())
}

/// An arrival and a departure on the meeting's own day, in order: a time of day, with
/// its offset, or nothing.
pub(super) fn attendance_times(
    mt: &Meeting,
    person: &PersonId,
    arrived: &Option<When>,
    departed: &Option<When>,
) -> Result<(), RuleError> {
    for (what, t) in [("arrived", arrived), ("departed", departed)] {
        match t {
            Some(When::Date(_)) => {
                return refuse("attendance-times", format!("{person:?} {what}: a time of day, not a date"))
            }
            Some(t) if t.date() != mt.date() => {
                return refuse(
                    "attendance-times",
                    format!("{person:?} {what} on {}, not the meeting's day {}", t.date(), mt.date()),
                )
            }
            _ => {}
        }
    }
    if let (Some(When::Instant(a)), Some(When::Instant(d))) = (arrived, departed) {
        if d < a {
            return refuse("attendance-times", format!("{person:?} departed ({d}) before arriving ({a})"));
        }
    }
    Ok(())
}

/// One attendee of an attendance.
pub(super) fn attendee<'a>(
    m: &Model,
    mt: &crate::model::Meeting,
    meeting_id: &crate::ids::MeetingId,
    a: &'a Attendee,
    seen: &mut std::collections::BTreeSet<&'a crate::ids::PersonId>,
    date: chrono::NaiveDate,
) -> Result<(), RuleError> {
    person(m, &a.person, date)?;
    if !seen.insert(&a.person) {
        return refuse("duplicate-attendee", format!("{:?} is listed twice", a.person));
    }
    opt(&a.on_behalf_of, |o| org(m, o, date))?;
    opt(&a.in_place_of, |p| person(m, p, date))?;
    for i in a.items.iter().chain(&a.except_items) {
        item(mt, meeting_id, *i)?;
    }
    if !a.items.is_empty() && !a.except_items.is_empty() {
        return refuse(
            "attendance-times",
            format!("{:?}: items attended, or items not taken part in, not both", a.person),
        );
    }
    attendance_times(mt, &a.person, &a.arrived, &a.departed)?;
    if a.capacity == Capacity::Substitute {
        let Some(p) = &a.in_place_of else {
            return refuse(
                "substitute-principal",
                format!("{:?} attends as a substitute: say for whom, with in_place_of", a.person),
            );
        };
        principal(m, p, &a.person, &mt.group, mt.date())?;
    }
    if a.capacity == Capacity::Member {
        let day = mt.date();
        let terms = m.memberships_of(&a.person, &mt.group)?;
        if !terms.iter().any(|x| x.covers(day)) {
            // Where the order of events is the cause, say so: a membership that starts
            // after the meeting, or ended before it.
            let why =
                match (terms.iter().find(|x| x.start > day), terms.iter().rfind(|x| x.end.is_some_and(|e| e <= day))) {
                    (Some(x), _) => format!(" (their membership starts {}, after the meeting)", x.start),
                    (None, Some(x)) => format!(" (their membership ended {})", x.end.unwrap_or(day)),
                    (None, None) => String::new(),
                };
            return refuse(
                "attendee-not-member",
                format!("{:?} attends as a member but is not a member of {:?} on {day}{why}", a.person, mt.group),
            );
        }
    }
    Ok(())
}
