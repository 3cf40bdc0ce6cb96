//! The rules of a person's own events: names, aliases, affiliation, and leave.

use super::refs::*;
use super::RuleError;
use crate::event::*;
use crate::model::Model;
use chrono::NaiveDate;

pub(super) fn renamed(m: &Model, e: &PersonRenamed, date: NaiveDate) -> Result<(), RuleError> {
    person(m, &e.person, date)?;
    name("name", &e.name)?;
    opt(&e.note, |s| text("note", s))
}

pub(super) fn alias(m: &Model, e: &PersonAliasRecorded, date: NaiveDate) -> Result<(), RuleError> {
    person(m, &e.person, date)?;
    name("alias", &e.alias)?;
    opt(&e.note, |s| text("note", s))?;
    if m.person(&e.person)?.is_some_and(|p| p.goes_by(&e.alias)) {
        return refuse("duplicate-id", format!("{:?} already goes by {:?}", e.person, e.alias));
    }
    Ok(())
}

pub(super) fn affiliation(m: &Model, e: &AffiliationChanged, date: NaiveDate) -> Result<(), RuleError> {
    person(m, &e.person, date)?;
    opt(&e.affiliation, |o| org(m, o, date))?;
    opt(&e.note, |s| text("note", s))
}

/// A leave is a member's: they hold a seat on its first day, it ends after it starts,
/// overlaps no other leave of theirs, and any substitute stands in for them.
pub(super) fn leave_began(m: &Model, e: &LeaveOfAbsenceBegan, date: NaiveDate) -> Result<(), RuleError> {
    person(m, &e.person, date)?;
    group(m, &e.group, date)?;
    opt(&e.reason, |s| name("reason", s))?;
    opt(&e.note, |s| text("note", s))?;
    opt(&e.decision, |d| decided_by(m, d))?;
    let seated = m.memberships_of(&e.person, &e.group)?.iter().any(|x| x.covers(date) && x.role.holds_seat());
    if !seated {
        return refuse(
            "leave",
            format!("{:?} is not a member of {:?} on {date}: only a member goes on leave", e.person, e.group),
        );
    }
    if e.until.is_some_and(|u| u <= date) {
        return refuse("leave", format!("a leave from {date} must end after it starts"));
    }
    let overlapping = m
        .leaves_of(&e.person, &e.group)?
        .into_iter()
        .find(|l| l.end.is_none_or(|end| end > date) && e.until.is_none_or(|u| l.start < u));
    if let Some(l) = overlapping {
        return refuse(
            "leave",
            format!(
                "{:?} is already on leave from {} (seq {}), which overlaps this one",
                e.person, l.start, l.opened_by
            ),
        );
    }
    opt(&e.substitute, |s| {
        person(m, s, date)?;
        principal(m, &e.person, s, &e.group, date)
    })
}

pub(super) fn leave_ended(m: &Model, e: &LeaveOfAbsenceEnded, date: NaiveDate) -> Result<(), RuleError> {
    person(m, &e.person, date)?;
    group(m, &e.group, date)?;
    opt(&e.note, |s| text("note", s))?;
    if !m.leaves_of(&e.person, &e.group)?.iter().any(|l| l.covers(date) && l.start < date) {
        return refuse("leave", format!("{:?} is not on leave from {:?} before {date}", e.person, e.group));
    }
    Ok(())
}
