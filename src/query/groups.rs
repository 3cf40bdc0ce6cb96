//! A group: the groups and their size, its composition on a date, and every membership
//! interval it has had.

use super::{group_of, org_name, person_name};
use crate::error::Error;
use crate::event::{GroupKind, Role};
use crate::ids::{GroupId, MeetingId};
use crate::kv::ReadError;
use crate::model::{MeetingStatus, Membership, Model, Nomination};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GroupRow {
    pub id: GroupId,
    pub name: String,
    pub group_kind: GroupKind,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    pub predecessor: Option<GroupId>,
    pub successor: Option<GroupId>,
    /// Members on the query date (substitutes are not counted).
    pub members: usize,
}

/// Every group established on or before `at`, with its size that day.
pub fn groups(m: &Model, at: NaiveDate) -> Result<Vec<GroupRow>, Error> {
    let mut rows = Vec::new();
    for (id, g) in m.groups()? {
        if g.established > at {
            continue;
        }
        rows.push(GroupRow {
            name: g.name,
            group_kind: g.group_kind,
            established: g.established,
            dissolved: g.dissolved,
            predecessor: g.predecessor,
            successor: g.successor,
            members: m.group_memberships(&id)?.iter().filter(|x| x.covers(at) && x.role != Role::Substitute).count(),
            id,
        });
    }
    Ok(rows)
}

/// One interval of a membership, with the events behind it (`opened_by`, `closed_by`)
/// and the names a reader needs.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Interval {
    #[serde(flatten)]
    pub membership: Membership,
    pub name: String,
    pub chair: bool,
    pub organisation: Option<String>,
}

impl std::ops::Deref for Interval {
    type Target = Membership;

    fn deref(&self) -> &Membership {
        &self.membership
    }
}

pub(super) fn interval(m: &Model, x: &Membership) -> Result<Interval, ReadError> {
    Ok(Interval {
        membership: x.clone(),
        name: person_name(m, &x.person)?,
        chair: x.role.is_chair(),
        organisation: x.on_behalf_of.as_ref().map(|o| org_name(m, o)).transpose()?,
    })
}

/// A nomination with the nominee's name.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct NominationView {
    #[serde(flatten)]
    pub nomination: Nomination,
    pub name: String,
}

impl std::ops::Deref for NominationView {
    type Target = Nomination;

    fn deref(&self) -> &Nomination {
        &self.nomination
    }
}

pub(super) fn nomination_view(m: &Model, n: Nomination) -> Result<NominationView, ReadError> {
    Ok(NominationView { name: person_name(m, &n.person)?, nomination: n })
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Composition {
    pub group: GroupId,
    pub name: String,
    pub at: NaiveDate,
    /// Chairs first, then by role and name. Substitutes are not members: they are apart.
    pub members: Vec<Interval>,
    /// Standing substitutes (stedfortræder, suppleant) on `at`, each with whom they stand in for.
    pub substitutes: Vec<Interval>,
    /// Nominations made on or before `at` not yet followed by an appointment.
    pub nominations: Vec<NominationView>,
}

pub fn composition(m: &Model, group: &GroupId, at: NaiveDate) -> Result<Composition, Error> {
    let g = group_of(m, group)?;
    let (mut members, mut substitutes) = (Vec::new(), Vec::new());
    for x in m.group_memberships(group)?.iter().filter(|x| x.covers(at)) {
        match x.role {
            Role::Substitute => substitutes.push(interval(m, x)?),
            _ => members.push(interval(m, x)?),
        }
    }
    members.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));
    substitutes.sort_by(|a, b| a.name.cmp(&b.name));
    let mut nominations = Vec::new();
    for n in m.group_nominations(group)?.into_iter().filter(|n| n.date <= at) {
        let appointed = m.memberships_of(&n.person, group)?.iter().any(|x| x.start >= n.date && x.start <= at);
        if !appointed {
            nominations.push(nomination_view(m, n)?);
        }
    }
    Ok(Composition { group: group.clone(), name: g.name, at, members, substitutes, nominations })
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Timeline {
    pub group: GroupId,
    pub name: String,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    /// Every interval ever held in the group, by start date.
    pub intervals: Vec<Interval>,
    /// Meetings held, by date: (id, number, date).
    pub meetings: Vec<(MeetingId, Option<u32>, NaiveDate)>,
}

pub fn timeline(m: &Model, group: &GroupId) -> Result<Timeline, Error> {
    let g = group_of(m, group)?;
    let mut intervals = Vec::new();
    for x in m.group_memberships(group)? {
        intervals.push(interval(m, &x)?);
    }
    intervals.sort_by(|a, b| (a.start, &a.name, a.opened_by).cmp(&(b.start, &b.name, b.opened_by)));
    let mut meetings: Vec<_> = m
        .group_meetings(group)?
        .into_iter()
        .filter(|(_, x)| x.status == MeetingStatus::Held)
        .map(|(id, x)| (id, x.number, x.date()))
        .collect();
    meetings.sort_by_key(|x| x.2);
    Ok(Timeline {
        group: group.clone(),
        name: g.name,
        established: g.established,
        dissolved: g.dissolved,
        intervals,
        meetings,
    })
}
