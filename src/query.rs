//! The questions people ask of the record, as pure functions of a [`Model`] and a valid-time
//! date. Transaction time (`known_at`) is chosen before: by folding the log up to a seq.
//! Every view is serializable; the `--json` output and the API are these structs.

use crate::error::Error;
use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, OrgId, PersonId, Seq};
use crate::state::{
    Action, Decision, Meeting, MeetingStatus, Membership, MinutesApproval, Model, Nomination, StatusChange,
};
use crate::when::When;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

fn person_name(m: &Model, id: &PersonId) -> String {
    m.person(id).map_or_else(|| id.to_string(), |p| p.name)
}

fn org_name(m: &Model, id: &OrgId) -> String {
    m.organisation(id).map_or_else(|| id.to_string(), |o| o.name)
}

fn group_of(m: &Model, id: &GroupId) -> Result<crate::state::Group, Error> {
    m.group(id).ok_or_else(|| Error::NotFound(format!("no group {id:?}")))
}

/// Every answer ends here: a read of the projection that failed on the way is an
/// error, not an answer with something missing.
fn answer<T>(m: &Model, t: T) -> Result<T, Error> {
    m.fault()?;
    Ok(t)
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct GroupRow {
    pub id: GroupId,
    pub name: String,
    pub group_kind: GroupKind,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    pub predecessor: Option<GroupId>,
    pub successor: Option<GroupId>,
    /// Members on the query date.
    pub members: usize,
}

/// Every group established on or before `at`, with its size that day.
pub fn groups(m: &Model, at: NaiveDate) -> Result<Vec<GroupRow>, Error> {
    let rows = m
        .groups()
        .into_iter()
        .filter(|(_, g)| g.established <= at)
        .map(|(id, g)| GroupRow {
            name: g.name,
            group_kind: g.group_kind,
            established: g.established,
            dissolved: g.dissolved,
            predecessor: g.predecessor,
            successor: g.successor,
            members: m.group_memberships(&id).iter().filter(|x| x.covers(at)).count(),
            id,
        })
        .collect();
    answer(m, rows)
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

fn interval(m: &Model, x: &Membership) -> Interval {
    Interval {
        membership: x.clone(),
        name: person_name(m, &x.person),
        chair: x.role.is_chair(),
        organisation: x.on_behalf_of.as_ref().map(|o| org_name(m, o)),
    }
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

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Composition {
    pub group: GroupId,
    pub name: String,
    pub at: NaiveDate,
    /// Chairs first, then by role and name.
    pub members: Vec<Interval>,
    /// Nominations made on or before `at` not yet followed by an appointment.
    pub nominations: Vec<NominationView>,
}

pub fn composition(m: &Model, group: &GroupId, at: NaiveDate) -> Result<Composition, Error> {
    let g = group_of(m, group)?;
    let mut members: Vec<Interval> =
        m.group_memberships(group).iter().filter(|x| x.covers(at)).map(|x| interval(m, x)).collect();
    members.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));
    let nominations = m
        .group_nominations(group)
        .into_iter()
        .filter(|n| n.date <= at)
        .filter(|n| !m.memberships_of(&n.person, group).iter().any(|x| x.start >= n.date && x.start <= at))
        .map(|n| NominationView { name: person_name(m, &n.person), nomination: n })
        .collect();
    answer(m, Composition { group: group.clone(), name: g.name, at, members, nominations })
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
    let mut intervals: Vec<Interval> = m.group_memberships(group).iter().map(|x| interval(m, x)).collect();
    intervals.sort_by(|a, b| (a.start, &a.name, a.opened_by).cmp(&(b.start, &b.name, b.opened_by)));
    let mut meetings: Vec<_> = m
        .group_meetings(group)
        .into_iter()
        .filter(|(_, x)| x.status == MeetingStatus::Held)
        .map(|(id, x)| (id, x.number, x.date()))
        .collect();
    meetings.sort_by_key(|x| x.2);
    answer(
        m,
        Timeline {
            group: group.clone(),
            name: g.name,
            established: g.established,
            dissolved: g.dissolved,
            intervals,
            meetings,
        },
    )
}

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
    pub affiliation: Option<OrgId>,
    pub memberships: Vec<Interval>,
    pub nominations: Vec<NominationView>,
    pub attendance: Vec<Attendance>,
}

pub fn person_history(m: &Model, person: &PersonId) -> Result<PersonHistory, Error> {
    let p = m.person(person).ok_or_else(|| Error::NotFound(format!("no person {person:?}")))?;
    let mut memberships: Vec<Interval> = m.person_memberships(person).iter().map(|x| interval(m, x)).collect();
    memberships.sort_by(|a, b| (a.start, &a.group, a.opened_by).cmp(&(b.start, &b.group, b.opened_by)));
    let nominations = m
        .person_nominations(person)
        .into_iter()
        .map(|n| NominationView { name: person_name(m, &n.person), nomination: n })
        .collect();
    let mut attendance: Vec<Attendance> = m
        .meetings_attended(person)
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
    answer(
        m,
        PersonHistory {
            person: person.clone(),
            name: p.name,
            title: p.title,
            affiliation: p.affiliation,
            memberships,
            nominations,
            attendance,
        },
    )
}

/// Which decisions to list; every field narrows the register.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    pub group: Option<GroupId>,
    pub meeting: Option<MeetingId>,
    pub outcome: Option<Outcome>,
    pub status: Option<DecisionStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// At most this many rows, the earliest first: a page of the register.
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DecisionView {
    pub id: DecisionId,
    pub group: GroupId,
    pub meeting: MeetingId,
    pub meeting_number: Option<u32>,
    pub date: NaiveDate,
    pub item: u32,
    pub item_title: String,
    pub outcome: Outcome,
    pub text: String,
    pub conditions: Vec<String>,
    pub takes_effect: Option<When>,
    pub deferred: Option<String>,
    /// Status on the query date.
    pub status: DecisionStatus,
    /// Status changes up to the query date.
    pub status_history: Vec<StatusChange>,
    pub actions: Vec<ActionId>,
    pub seq: Seq,
}

fn decision_view(id: &DecisionId, d: Decision, at: NaiveDate) -> DecisionView {
    DecisionView {
        id: id.clone(),
        status: d.status_on(at),
        status_history: d.status_history.into_iter().filter(|s| s.date <= at).collect(),
        actions: d.actions.into_iter().filter(|(_, assigned)| *assigned <= at).map(|(a, _)| a).collect(),
        group: d.group,
        meeting: d.meeting,
        meeting_number: d.meeting_number,
        date: d.date,
        item: d.item,
        item_title: d.item_title,
        outcome: d.outcome,
        text: d.text,
        conditions: d.conditions,
        takes_effect: d.takes_effect,
        deferred: d.deferred,
        seq: d.seq,
    }
}

/// The decision register as it stood on `at`, by date, meeting and item.
pub fn decisions(m: &Model, filter: &DecisionFilter, at: NaiveDate) -> Result<Vec<DecisionView>, Error> {
    // A meeting's decisions, or the rows of the register in date order (a group's own
    // when a group is named), read only as far as a page needs.
    let by_date: Box<dyn Iterator<Item = (DecisionId, Decision)>> = match &filter.meeting {
        Some(mt) => {
            let mut rows: Vec<_> =
                m.meeting_decisions(mt).into_iter().filter_map(|id| m.decision(&id).map(|d| (id, d))).collect();
            rows.sort_by_key(|(_, d)| d.date);
            Box::new(rows.into_iter())
        }
        None => m.decisions_by_date(filter.group.as_ref(), filter.outcome),
    };
    let last = filter.to.map_or(at, |t| t.min(at));
    let limit = filter.limit.unwrap_or(usize::MAX);
    let mut out: Vec<DecisionView> = Vec::new();
    for (id, d) in by_date {
        if d.date > last || (out.len() >= limit && out.last().is_some_and(|v| v.date < d.date)) {
            break;
        }
        let wanted = filter.from.is_none_or(|f| d.date >= f)
            && filter.group.as_ref().is_none_or(|g| g == &d.group)
            && filter.meeting.as_ref().is_none_or(|x| x == &d.meeting)
            && filter.outcome.is_none_or(|o| o == d.outcome)
            && filter.status.is_none_or(|s| s == d.status_on(at));
        if wanted {
            out.push(decision_view(&id, d, at));
        }
    }
    out.sort_by(|a, b| (a.date, &a.meeting, a.item).cmp(&(b.date, &b.meeting, b.item)));
    out.truncate(limit);
    answer(m, out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    Open,
    Overdue,
    Done,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ActionView {
    pub id: ActionId,
    pub state: ActionState,
    pub owner: Party,
    pub owner_name: String,
    pub description: String,
    pub due: Option<NaiveDate>,
    pub assigned: NaiveDate,
    pub meeting: MeetingId,
    pub item: u32,
    pub decision: Option<DecisionId>,
    pub completed: Option<NaiveDate>,
    pub seq: Seq,
}

/// Actions assigned on or before `at`: done if completed by then, overdue if past due.
pub fn actions(m: &Model, at: NaiveDate) -> Result<Vec<ActionView>, Error> {
    answer(m, action_views(m, m.actions(), at))
}

fn action_views(m: &Model, actions: Vec<(ActionId, Action)>, at: NaiveDate) -> Vec<ActionView> {
    let mut out: Vec<ActionView> = actions
        .into_iter()
        .filter(|(_, a)| a.assigned <= at)
        .map(|(id, a)| {
            let completed = a.completed.as_ref().filter(|c| c.date <= at).map(|c| c.date);
            let state = match (completed, a.due) {
                (Some(_), _) => ActionState::Done,
                (None, Some(due)) if due < at => ActionState::Overdue,
                _ => ActionState::Open,
            };
            ActionView {
                id,
                state,
                owner: a.owner.clone(),
                owner_name: match &a.owner {
                    Party::Person(p) => person_name(m, p),
                    Party::Group(g) => m.group(g).map_or_else(|| g.to_string(), |x| x.name),
                    Party::Organisation(o) => org_name(m, o),
                },
                description: a.description,
                due: a.due,
                assigned: a.assigned,
                meeting: a.meeting,
                item: a.item,
                decision: a.decision,
                completed,
                seq: a.seq,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.due.is_none(), a.due, a.assigned, &a.id).cmp(&(b.due.is_none(), b.due, b.assigned, &b.id)));
    out
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AttendeeView {
    pub person: PersonId,
    pub name: String,
    pub organisation: Option<String>,
    pub presence: Presence,
    pub capacity: Capacity,
    /// The person's role in the group on the meeting's date, if a member.
    pub role: Option<Role>,
    pub in_place_of: Option<PersonId>,
    pub in_place_of_name: Option<String>,
    pub items: Vec<u32>,
    pub minute_taker: bool,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Presenter {
    pub person: PersonId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ItemView {
    pub number: u32,
    pub title: String,
    pub presenters: Vec<Presenter>,
    pub text: Option<String>,
    pub decision: Option<DecisionView>,
    pub actions: Vec<ActionView>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct NextMeeting {
    pub meeting: MeetingId,
    pub starts_at: When,
    pub ends_at: Option<When>,
    pub place: Option<String>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct MeetingRecord {
    pub id: MeetingId,
    pub group: GroupId,
    pub group_name: String,
    pub number: Option<u32>,
    pub meeting_kind: MeetingKind,
    pub status: MeetingStatus,
    pub title: Option<String>,
    pub place: Option<String>,
    pub starts_at: When,
    pub ends_at: Option<When>,
    pub attendees: Vec<AttendeeView>,
    pub agenda_approved: bool,
    pub agenda: Vec<ItemView>,
    pub next_meeting: Option<NextMeeting>,
    pub minutes_approvals: Vec<MinutesApproval>,
    pub seqs: Vec<Seq>,
}

/// Finds a group's meeting by its number.
pub fn find_meeting(m: &Model, group: &GroupId, number: u32) -> Result<(MeetingId, Meeting), Error> {
    group_of(m, group)?;
    let found = m.meeting_numbered(group, number).and_then(|id| m.meeting(&id).map(|mt| (id, mt)));
    m.fault()?;
    found.ok_or_else(|| Error::NotFound(format!("{group:?} has no meeting number {number}")))
}

/// A meeting's full record, as of the meeting's own date for memberships and as of
/// `at` for what followed (decision status, actions).
pub fn meeting_record(m: &Model, group: &GroupId, number: u32, at: NaiveDate) -> Result<MeetingRecord, Error> {
    let (id, mt) = find_meeting(m, group, number)?;
    let id = &id;
    let day = mt.date();
    let member_then = |person: &PersonId| m.memberships_of(person, &mt.group).into_iter().find(|x| x.covers(day));
    let attendees = mt
        .attendees
        .iter()
        .map(|a| AttendeeView {
            person: a.person.clone(),
            name: person_name(m, &a.person),
            organisation: a
                .on_behalf_of
                .as_ref()
                .map(|o| org_name(m, o))
                .or_else(|| member_then(&a.person).and_then(|x| x.on_behalf_of.as_ref().map(|o| org_name(m, o)))),
            presence: a.presence,
            capacity: a.capacity,
            role: member_then(&a.person).map(|x| x.role),
            in_place_of: a.in_place_of.clone(),
            in_place_of_name: a.in_place_of.as_ref().map(|p| person_name(m, p)),
            items: a.items.clone(),
            minute_taker: a.minute_taker,
        })
        .collect();
    let all_actions = action_views(m, m.meeting_actions(id), at);
    let agenda = mt
        .agenda
        .iter()
        .map(|it| ItemView {
            number: it.number,
            title: it.title.clone(),
            presenters: it
                .presenters
                .iter()
                .map(|p| Presenter { person: p.clone(), name: person_name(m, p) })
                .collect(),
            text: mt.item_texts.get(&it.number).cloned(),
            decision: m
                .decision_on_item(id, it.number)
                .and_then(|did| m.decision(&did).map(|d| decision_view(&did, d, at.max(day)))),
            actions: all_actions.iter().filter(|a| &a.meeting == id && a.item == it.number).cloned().collect(),
        })
        .collect();
    // The next meeting is the group's own, announced at this one (not other groups' meetings it mentions).
    let next_meeting = m
        .meetings_announced_at(id)
        .into_iter()
        .filter(|(_, x)| x.group == mt.group)
        .min_by_key(|(_, x)| x.date())
        .map(|(nid, x)| NextMeeting { meeting: nid, starts_at: x.starts_at, ends_at: x.ends_at, place: x.place });
    answer(
        m,
        MeetingRecord {
            id: id.clone(),
            group: mt.group.clone(),
            group_name: group_of(m, &mt.group)?.name,
            number: mt.number,
            meeting_kind: mt.meeting_kind,
            status: mt.status,
            title: mt.title.clone(),
            place: mt.place.clone(),
            starts_at: mt.starts_at,
            ends_at: mt.ends_at,
            attendees,
            agenda_approved: mt.agenda_approved.is_some(),
            agenda,
            next_meeting,
            minutes_approvals: mt.minutes_approvals.to_vec(),
            seqs: mt.seqs.clone(),
        },
    )
}
