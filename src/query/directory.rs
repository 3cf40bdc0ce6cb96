//! The indexes a visitor browses: every meeting of every group by date, every person
//! and every organisation, each as the record stood on a date.

use super::{group_of, meeting_ref};
use crate::error::Error;
use crate::event::MeetingKind;
use crate::ids::{GroupId, MeetingId, OrgId, PersonId};
use crate::kv::ReadError;
use crate::model::{MeetingStatus, Model};
use crate::when::When;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MeetingRow {
    pub meeting: MeetingId,
    /// How a link names it: its number where that finds it, its id otherwise.
    pub reference: String,
    pub group: GroupId,
    pub group_name: String,
    pub meeting_kind: MeetingKind,
    pub number: Option<u32>,
    /// Scheduled (still to come, or not yet recorded as held) or held.
    pub held: bool,
    pub title: Option<String>,
    pub place: Option<String>,
    pub starts_at: When,
    pub ends_at: Option<When>,
}

/// A group's name, read once for a list however many of its rows the list has.
fn group_name(m: &Model, names: &mut BTreeMap<GroupId, String>, id: &GroupId) -> Result<String, Error> {
    if let Some(n) = names.get(id) {
        return Ok(n.clone());
    }
    let n = group_of(m, id)?.name;
    names.insert(id.clone(), n.clone());
    Ok(n)
}

/// A meeting as a row of the calendar.
fn meeting_row(
    m: &Model,
    names: &mut BTreeMap<GroupId, String>,
    id: MeetingId,
    mt: crate::model::Meeting,
) -> Result<MeetingRow, Error> {
    let group_name = group_name(m, names, &mt.group)?;
    Ok(MeetingRow {
        reference: meeting_ref(&id, mt.number, mt.meeting_kind).to_string(),
        meeting: id,
        group: mt.group,
        group_name,
        meeting_kind: mt.meeting_kind,
        number: mt.number,
        held: mt.status == MeetingStatus::Held,
        title: mt.title,
        place: mt.place,
        starts_at: mt.starts_at,
        ends_at: mt.ends_at,
    })
}

/// Every meeting of every group, by start (then group and id): the calendar.
pub fn meetings(m: &Model) -> Result<Vec<MeetingRow>, Error> {
    let mut names = BTreeMap::new();
    let mut out = Vec::new();
    for (id, mt) in m.meetings()? {
        out.push(meeting_row(m, &mut names, id, mt)?);
    }
    out.sort_by(|a, b| (a.starts_at.date(), &a.group, &a.meeting).cmp(&(b.starts_at.date(), &b.group, &b.meeting)));
    Ok(out)
}

/// The meetings from `from` on that have not been held, the soonest first: read from
/// the end of the meetings by day, as far back as `from`.
pub fn upcoming(m: &Model, from: NaiveDate) -> Result<Vec<MeetingRow>, Error> {
    let (rows, _) = meetings_latest(m, from, 0, usize::MAX)?;
    let mut out: Vec<MeetingRow> = rows.into_iter().filter(|r| !r.held).collect();
    out.sort_by(|a, b| (a.starts_at.date(), &a.group, &a.meeting).cmp(&(b.starts_at.date(), &b.group, &b.meeting)));
    Ok(out)
}

/// A page of the meetings on or after `from`, held or not, the latest first: `n` after
/// the first `skip`, and whether there are more; read from the end of the meetings by day.
pub fn meetings_latest(m: &Model, from: NaiveDate, skip: usize, n: usize) -> Result<(Vec<MeetingRow>, bool), Error> {
    let mut names = BTreeMap::new();
    let mut out = Vec::new();
    for row in m.meetings_latest_first().skip(skip) {
        let (day, id) = row?;
        if day < from {
            break;
        }
        if out.len() == n {
            return Ok((out, true));
        }
        let mt = m.meeting_head(&id)?.ok_or_else(|| ReadError(format!("meetings by day: no meeting {id:?}")))?;
        out.push(meeting_row(m, &mut names, id, mt)?);
    }
    Ok((out, false))
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Seat {
    pub group: GroupId,
    pub group_name: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct PersonRow {
    pub person: PersonId,
    /// The name on the date asked.
    pub name: String,
    pub title: Option<String>,
    pub affiliation: Option<OrgId>,
    pub affiliation_name: Option<String>,
    /// The groups the person was a member of on that date.
    pub groups: Vec<Seat>,
}

/// Everyone the record names, by name, with their groups and affiliation on `at`.
pub fn people(m: &Model, at: NaiveDate) -> Result<Vec<PersonRow>, Error> {
    let mut groups: BTreeMap<PersonId, Vec<Seat>> = BTreeMap::new();
    let mut names: BTreeMap<GroupId, String> = BTreeMap::new();
    for x in m.memberships()?.into_iter().filter(|x| x.covers(at)) {
        let group_name = group_name(m, &mut names, &x.group)?;
        let seats = groups.entry(x.person).or_default();
        if !seats.iter().any(|s| s.group == x.group) {
            seats.push(Seat { group: x.group, group_name });
        }
    }
    let orgs: BTreeMap<OrgId, String> = m.organisations()?.into_iter().map(|(id, o)| (id, o.name)).collect();
    let mut out: Vec<PersonRow> = m
        .people()?
        .into_iter()
        .map(|(id, p)| {
            let affiliation = p.affiliation_on(at).cloned();
            PersonRow {
                name: p.name_on(at).to_string(),
                title: p.title,
                affiliation_name: affiliation.as_ref().map(|o| orgs.get(o).cloned().unwrap_or_else(|| o.to_string())),
                affiliation,
                groups: groups.remove(&id).unwrap_or_default(),
                person: id,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.name.to_lowercase(), &a.person).cmp(&(b.name.to_lowercase(), &b.person)));
    Ok(out)
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Member {
    pub person: PersonId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct OrganisationRow {
    pub organisation: OrgId,
    pub name: String,
    pub short_name: Option<String>,
    /// The people affiliated with it on the date asked.
    pub people: Vec<Member>,
    /// The people sitting in a group on its behalf on that date.
    pub represented_by: Vec<Member>,
}

/// Every organisation the record names, by name, with its people on `at`.
pub fn organisations(m: &Model, at: NaiveDate) -> Result<Vec<OrganisationRow>, Error> {
    let people = m.people()?;
    let names: BTreeMap<&PersonId, String> = people.iter().map(|(id, p)| (id, p.name_on(at).to_string())).collect();
    let mut rows: BTreeMap<OrgId, OrganisationRow> = m
        .organisations()?
        .into_iter()
        .map(|(id, o)| {
            let row = OrganisationRow {
                organisation: id.clone(),
                name: o.name,
                short_name: o.short_name,
                people: Vec::new(),
                represented_by: Vec::new(),
            };
            (id, row)
        })
        .collect();
    for (id, p) in &people {
        if let Some(row) = p.affiliation_on(at).and_then(|o| rows.get_mut(o)) {
            row.people.push(Member { person: id.clone(), name: names[id].clone() });
        }
    }
    for x in m.memberships()?.into_iter().filter(|x| x.covers(at)) {
        if let Some(row) = x.on_behalf_of.as_ref().and_then(|o| rows.get_mut(o)) {
            if !row.represented_by.iter().any(|r| r.person == x.person) {
                let name = names.get(&x.person).cloned().unwrap_or_else(|| x.person.to_string());
                row.represented_by.push(Member { person: x.person, name });
            }
        }
    }
    let mut out: Vec<OrganisationRow> = rows.into_values().collect();
    for row in &mut out {
        row.people.sort_by_key(|p| p.name.to_lowercase());
        row.represented_by.sort_by_key(|p| p.name.to_lowercase());
    }
    out.sort_by(|a, b| (a.name.to_lowercase(), &a.organisation).cmp(&(b.name.to_lowercase(), &b.organisation)));
    Ok(out)
}
