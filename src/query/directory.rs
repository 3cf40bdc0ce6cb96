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

/// A page of everyone the record names, in id order (which a page can be read in, and
/// which for ids made from names is nearly the order of names): the `n` after the first
/// `skip`, each with their groups and affiliation on `at`, and whether more follow.
/// Reads the people up to the page's end, and the page's memberships, not the rest.
pub fn people_page(m: &Model, at: NaiveDate, skip: usize, n: usize) -> Result<(Vec<PersonRow>, bool), Error> {
    let mut names: BTreeMap<GroupId, String> = BTreeMap::new();
    let mut orgs: BTreeMap<OrgId, String> = BTreeMap::new();
    let mut out = Vec::new();
    let mut people = m.people_in_order().skip(skip);
    for row in people.by_ref().take(n) {
        let (id, p) = row?;
        let mut groups: Vec<Seat> = Vec::new();
        for x in m.person_memberships(&id)?.into_iter().filter(|x| x.covers(at)) {
            if !groups.iter().any(|s| s.group == x.group) {
                let group_name = group_name(m, &mut names, &x.group)?;
                groups.push(Seat { group: x.group, group_name });
            }
        }
        let affiliation = p.affiliation_on(at).cloned();
        let affiliation_name = match &affiliation {
            Some(o) => Some(match orgs.get(o) {
                Some(name) => name.clone(),
                None => {
                    let name = m.organisation(o)?.map_or_else(|| o.to_string(), |org| org.name);
                    orgs.insert(o.clone(), name.clone());
                    name
                }
            }),
            None => None,
        };
        out.push(PersonRow {
            name: p.name_on(at).to_string(),
            title: p.title,
            affiliation_name,
            affiliation,
            groups,
            person: id,
        });
    }
    let more = people.next().transpose()?.is_some();
    Ok((out, more))
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

/// A page of the organisations the record names, by name: the `n` after the first
/// `skip`, each with its people on `at`, and whether more follow. Only the page's people
/// and memberships are read (through `orgp/` and `orgm/`).
pub fn organisations_page(
    m: &Model,
    at: NaiveDate,
    skip: usize,
    n: usize,
) -> Result<(Vec<OrganisationRow>, bool), Error> {
    let mut orgs = m.organisations()?;
    orgs.sort_by(|(a_id, a), (b_id, b)| (a.name.to_lowercase(), a_id).cmp(&(b.name.to_lowercase(), b_id)));
    let more = orgs.len() > skip.saturating_add(n);
    let mut names: BTreeMap<PersonId, String> = BTreeMap::new();
    let mut name_of = |m: &Model, id: &PersonId| -> Result<String, Error> {
        if let Some(name) = names.get(id) {
            return Ok(name.clone());
        }
        let name = m.person(id)?.map_or_else(|| id.to_string(), |p| p.name_on(at).to_string());
        names.insert(id.clone(), name.clone());
        Ok(name)
    };
    let mut out = Vec::new();
    for (id, o) in orgs.into_iter().skip(skip).take(n) {
        let mut people = Vec::new();
        for person in m.ever_affiliated(&id) {
            let person = person?;
            let on_the_day = m.person(&person)?.is_some_and(|p| p.affiliation_on(at) == Some(&id));
            if on_the_day {
                people.push(Member { name: name_of(m, &person)?, person });
            }
        }
        let mut represented_by: Vec<Member> = Vec::new();
        for x in m.memberships_for(&id)? {
            let sits_for = x.covers(at) && x.on_behalf_of.as_ref() == Some(&id);
            if sits_for && !represented_by.iter().any(|r| r.person == x.person) {
                represented_by.push(Member { name: name_of(m, &x.person)?, person: x.person });
            }
        }
        people.sort_by_key(|p| p.name.to_lowercase());
        represented_by.sort_by_key(|p| p.name.to_lowercase());
        out.push(OrganisationRow { organisation: id, name: o.name, short_name: o.short_name, people, represented_by });
    }
    Ok((out, more))
}
