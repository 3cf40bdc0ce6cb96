//! A person: every membership, nomination and attendance.

use super::groups::{interval, nomination_view, Interval, NominationView};
use crate::error::Error;
use crate::event::{Capacity, Presence};
use crate::ids::{GroupId, MeetingId, OrgId, PersonId};
use crate::model::{Dated, Leave, Model};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Attendance {
    pub meeting: MeetingId,
    pub group: GroupId,
    pub number: Option<u32>,
    pub date: NaiveDate,
    pub presence: Presence,
    pub capacity: Capacity,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PersonHistory {
    pub person: PersonId,
    pub name: String,
    pub title: Option<String>,
    /// The affiliation now: the last change's, or the registered one.
    pub affiliation: Option<OrgId>,
    /// Every name the person has had, by date (empty if never renamed).
    pub names: Vec<Dated<String>>,
    pub aliases: Vec<String>,
    /// Changes of affiliation, by date.
    pub affiliations: Vec<Dated<Option<OrgId>>>,
    pub leaves: Vec<Leave>,
    pub memberships: Vec<Interval>,
    pub nominations: Vec<NominationView>,
    pub attendance: Vec<Attendance>,
}

pub fn person_history(m: &Model, person: &PersonId) -> Result<PersonHistory, Error> {
    let p = m.person(person)?.ok_or_else(|| Error::NotFound(format!("no person {person:?}")))?;
    let mut memberships = Vec::new();
    for x in m.person_memberships(person)? {
        memberships.push(interval(m, &x)?);
    }
    memberships.sort_by(|a, b| (a.start, &a.group, a.opened_by).cmp(&(b.start, &b.group, b.opened_by)));
    let mut leaves = Vec::new();
    for g in memberships.iter().map(|x| &x.group).collect::<std::collections::BTreeSet<_>>() {
        leaves.extend(m.leaves_of(person, g)?);
    }
    leaves.sort_by_key(|l| (l.start, l.opened_by));
    let mut nominations = Vec::new();
    for n in m.person_nominations(person)? {
        nominations.push(nomination_view(m, n)?);
    }
    let mut attendance: Vec<Attendance> = m
        .meetings_attended(person)?
        .into_iter()
        .flat_map(|(id, mt)| {
            mt.attendees
                .iter()
                .filter(|a| &a.person == person)
                .map(|a| Attendance {
                    meeting: id.clone(),
                    group: mt.group.clone(),
                    number: mt.number,
                    date: mt.date(),
                    presence: a.presence,
                    capacity: a.capacity,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    attendance.sort_by_key(|a| a.date);
    Ok(PersonHistory {
        person: person.clone(),
        affiliation: p.affiliations.last().map_or(p.affiliation.clone(), |a| a.value.clone()),
        name: p.name,
        title: p.title,
        names: p.names,
        aliases: p.aliases,
        affiliations: p.affiliations,
        leaves,
        memberships,
        nominations,
        attendance,
    })
}
