//! How a person's own events change the projection: names and aliases, affiliation over
//! time, and leaves of absence (which keep the member a member).

use super::keys::{hex_seq, key};
use super::*;
use crate::event::*;
use crate::ids::{OrgId, PersonId, Seq};
use crate::kv::ReadError;
use chrono::NaiveDate;

impl Model {
    pub(super) fn rename(&mut self, e: &PersonRenamed, date: NaiveDate, seq: Seq) -> Result<(), ReadError> {
        let Some(mut p) = self.person(&e.person)? else { return Ok(()) };
        if p.names.is_empty() {
            p.names.push(Dated { value: p.name.clone(), date: p.since, seq: p.seq });
        }
        p.names.push(Dated { value: e.name.clone(), date, seq });
        p.names.sort_by_key(|n| (n.date, n.seq));
        p.name = p.names.last().map(|n| n.value.clone()).unwrap_or_default();
        self.save(key(&["person", e.person.as_str()]), &p)
    }

    pub(super) fn add_alias(&mut self, e: &PersonAliasRecorded) -> Result<(), ReadError> {
        let Some(mut p) = self.person(&e.person)? else { return Ok(()) };
        p.aliases.push(e.alias.clone());
        self.save(key(&["person", e.person.as_str()]), &p)
    }

    pub(super) fn change_affiliation(
        &mut self,
        e: &AffiliationChanged,
        date: NaiveDate,
        seq: Seq,
    ) -> Result<(), ReadError> {
        let Some(mut p) = self.person(&e.person)? else { return Ok(()) };
        self.affiliated(&e.person, e.affiliation.as_ref())?;
        p.affiliations.push(Dated { value: e.affiliation.clone(), date, seq });
        p.affiliations.sort_by_key(|a| (a.date, a.seq));
        self.save(key(&["person", e.person.as_str()]), &p)
    }

    /// Notes that `person` has been affiliated with `org` at some time (`orgp/ORG/PERSON`):
    /// the organisations index reads these, and the person's affiliations decide.
    pub(super) fn affiliated(&mut self, person: &PersonId, org: Option<&OrgId>) -> Result<(), ReadError> {
        match org {
            Some(org) => self.mark(key(&["orgp", org.as_str(), person.as_str()])),
            None => Ok(()),
        }
    }

    pub(super) fn begin_leave(&mut self, e: &LeaveOfAbsenceBegan, date: NaiveDate, seq: Seq) -> Result<(), ReadError> {
        let at = hex_seq(seq);
        self.mark(key(&["leavep", e.person.as_str(), e.group.as_str(), &at]))?;
        self.save(
            key(&["leave", e.group.as_str(), &at]),
            &Leave {
                person: e.person.clone(),
                group: e.group.clone(),
                start: date,
                end: e.until,
                substitute: e.substitute.clone(),
                reason: e.reason.clone(),
                decision: e.decision.clone(),
                note: e.note.clone(),
                opened_by: seq,
                closed_by: None,
            },
        )
    }

    pub(super) fn end_leave(&mut self, e: &LeaveOfAbsenceEnded, date: NaiveDate, seq: Seq) -> Result<(), ReadError> {
        let open = self.leaves_of(&e.person, &e.group)?.into_iter().find(|l| l.covers(date) && l.start < date);
        let Some(mut l) = open else { return Ok(()) };
        l.end = Some(date);
        l.closed_by = Some(seq);
        self.save(key(&["leave", e.group.as_str(), &hex_seq(l.opened_by)]), &l)
    }
}
