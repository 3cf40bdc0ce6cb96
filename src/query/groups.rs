//! A group: the groups and their size, its composition on a date, and every membership
//! interval it has had.

use super::{group_of, org_name, person_name};
use crate::error::Error;
use crate::event::{GroupKind, MeetingKind, Role};
use crate::ids::{GroupId, MeetingId, OrgId};
use crate::kv::ReadError;
use crate::model::{Group, Leave, MeetingStatus, Membership, Model, Nomination};
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
    /// The group it reports to; none for the body at the top.
    pub parent: Option<GroupId>,
    /// Its terms of reference, as the record gives them.
    pub mandate: Option<String>,
    /// Members on the query date (substitutes are not counted).
    pub members: usize,
}

/// A group as a list names it, without reading its members.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GroupSummary {
    pub id: GroupId,
    pub name: String,
    pub group_kind: GroupKind,
    pub parent: Option<GroupId>,
    pub mandate: Option<String>,
    pub dissolved: Option<NaiveDate>,
}

/// Every group established on or before `at`: what a home page lists, at the cost of
/// the groups alone.
pub fn group_summaries(m: &Model, at: NaiveDate) -> Result<Vec<GroupSummary>, Error> {
    Ok(m.groups()?
        .into_iter()
        .filter(|(_, g)| g.established <= at)
        .map(|(id, g)| GroupSummary {
            id,
            name: g.name,
            group_kind: g.group_kind,
            parent: g.parent,
            mandate: g.mandate,
            dissolved: g.dissolved,
        })
        .collect())
}

/// Every group established on or before `at`, with its size that day.
pub fn groups(m: &Model, at: NaiveDate) -> Result<Vec<GroupRow>, Error> {
    Ok(groups_page(m, at, 0, usize::MAX)?.0)
}

/// A page of `groups`, in the same order: the `n` after the first `skip`, and whether
/// more follow.
pub fn groups_page(m: &Model, at: NaiveDate, skip: usize, n: usize) -> Result<(Vec<GroupRow>, bool), Error> {
    let mut established = m.groups()?.into_iter().filter(|(_, g)| g.established <= at).skip(skip);
    let mut rows = Vec::new();
    for (id, g) in established.by_ref().take(n) {
        rows.push(GroupRow {
            name: g.name,
            group_kind: g.group_kind,
            established: g.established,
            dissolved: g.dissolved,
            predecessor: g.predecessor,
            successor: g.successor,
            parent: g.parent,
            mandate: g.mandate,
            members: m.group_size(&id, at)? as usize,
            id,
        });
    }
    Ok((rows, established.next().is_some()))
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
    /// The seats declared for `at`, if any, and how they are filled.
    pub seats: Option<SeatCount>,
    /// Members on leave on `at`: still members, each with any substitute for the period.
    pub on_leave: Vec<LeaveView>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct LeaveView {
    #[serde(flatten)]
    pub leave: Leave,
    pub name: String,
    pub substitute_name: Option<String>,
}

impl std::ops::Deref for LeaveView {
    type Target = Leave;

    fn deref(&self) -> &Leave {
        &self.leave
    }
}

/// A group's seats on a date against its seat holders: vacancies and any excess are
/// reported, never silently absorbed (real records do overlap).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct SeatCount {
    pub seats: u32,
    /// Members and chairs (substitutes, observers and staff hold no seat).
    pub held: u32,
    pub vacant: u32,
    pub over_capacity: u32,
    pub per_constituency: Option<u32>,
    /// Constituencies (`on_behalf_of`) holding more than their share, with how many.
    pub over_share: Vec<(OrgId, u32)>,
    pub enforced: bool,
}

fn seat_count(g: &Group, members: &[Interval], at: NaiveDate) -> Option<SeatCount> {
    let s = g.seats_on(at)?;
    // One seat a person, whatever roles they hold.
    let mut holders: Vec<_> = members.iter().filter(|m| m.role.holds_seat()).collect();
    holders.sort_by(|a, b| a.person.cmp(&b.person));
    holders.dedup_by(|a, b| a.person == b.person);
    let held = holders.len() as u32;
    let mut by: std::collections::BTreeMap<&OrgId, u32> = std::collections::BTreeMap::new();
    for m in &holders {
        if let Some(c) = &m.on_behalf_of {
            *by.entry(c).or_default() += 1;
        }
    }
    let over_share = match s.per_constituency {
        Some(share) => by.into_iter().filter(|(_, n)| *n > share).map(|(c, n)| (c.clone(), n)).collect(),
        None => Vec::new(),
    };
    Some(SeatCount {
        seats: s.seats,
        held,
        vacant: s.seats.saturating_sub(held),
        over_capacity: held.saturating_sub(s.seats),
        per_constituency: s.per_constituency,
        over_share,
        enforced: s.enforced,
    })
}

pub fn composition(m: &Model, group: &GroupId, at: NaiveDate) -> Result<Composition, Error> {
    let g = group_of(m, group)?;
    let (mut members, mut substitutes) = (Vec::new(), Vec::new());
    for x in m.group_memberships(group)?.iter().filter(|x| x.covers(at)) {
        // Named as they were named that day, as the minutes of the day name them.
        let mut row = interval(m, x)?;
        if let Some(p) = m.person(&x.person)? {
            row.name = p.name_on(at).to_string();
        }
        match x.role {
            Role::Substitute => substitutes.push(row),
            _ => members.push(row),
        }
    }
    members.sort_by(|a, b| (a.role, a.rank, &a.name).cmp(&(b.role, b.rank, &b.name)));
    substitutes.sort_by(|a, b| a.name.cmp(&b.name));
    let mut nominations = Vec::new();
    for n in m.group_nominations(group)?.into_iter().filter(|n| n.date <= at) {
        let appointed = m.memberships_of(&n.person, group)?.iter().any(|x| x.start >= n.date && x.start <= at);
        if !appointed {
            nominations.push(nomination_view(m, n)?);
        }
    }
    let seats = seat_count(&g, &members, at);
    let mut on_leave = Vec::new();
    for l in m.group_leaves(group)?.into_iter().filter(|l| l.covers(at)) {
        on_leave.push(LeaveView {
            name: person_name(m, &l.person)?,
            substitute_name: l.substitute.as_ref().map(|s| person_name(m, s)).transpose()?,
            leave: l,
        });
    }
    Ok(Composition { group: group.clone(), name: g.name, at, members, substitutes, nominations, seats, on_leave })
}

/// How a group's seat holders divide on a date: by the party, faction or organisation
/// each belonged to that day (their affiliation), and by whom each sits for
/// (`on_behalf_of`). Each person counts once.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AffiliationCounts {
    pub group: GroupId,
    pub name: String,
    pub at: NaiveDate,
    pub members: u32,
    pub by_affiliation: Vec<Count>,
    pub by_constituency: Vec<Count>,
}

/// Members of one affiliation or constituency (none: independents, or sitting for nobody).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Count {
    pub organisation: Option<OrgId>,
    pub name: Option<String>,
    pub members: u32,
}

pub fn affiliation_counts(m: &Model, group: &GroupId, at: NaiveDate) -> Result<AffiliationCounts, Error> {
    let g = group_of(m, group)?;
    let seated = m.seat_holders(group, at)?;
    let mut by_affiliation = std::collections::BTreeMap::<Option<OrgId>, u32>::new();
    let mut by_constituency = std::collections::BTreeMap::<Option<OrgId>, u32>::new();
    for x in &seated {
        let affiliation = m.person(&x.person)?.and_then(|p| p.affiliation_on(at).cloned());
        *by_affiliation.entry(affiliation).or_default() += 1;
        *by_constituency.entry(x.on_behalf_of.clone()).or_default() += 1;
    }
    let counts = |by: std::collections::BTreeMap<Option<OrgId>, u32>| -> Result<Vec<Count>, ReadError> {
        let mut out = Vec::new();
        for (o, n) in by {
            out.push(Count { name: o.as_ref().map(|o| org_name(m, o)).transpose()?, organisation: o, members: n });
        }
        // Largest first, then by name: how a council's parties are listed.
        out.sort_by(|a, b| b.members.cmp(&a.members).then_with(|| a.name.cmp(&b.name)));
        Ok(out)
    };
    Ok(AffiliationCounts {
        group: group.clone(),
        name: g.name,
        at,
        members: seated.len() as u32,
        by_affiliation: counts(by_affiliation)?,
        by_constituency: counts(by_constituency)?,
    })
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Timeline {
    pub group: GroupId,
    pub name: String,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    /// Every interval ever held in the group, by start date.
    pub intervals: Vec<Interval>,
    /// Meetings held, by date: (id, number, date, kind).
    pub meetings: Vec<(MeetingId, Option<u32>, NaiveDate, MeetingKind)>,
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
        .map(|(id, x)| (id, x.number, x.date(), x.meeting_kind))
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
