//! The registers: decisions, each with its status on the query date, and actions.

use super::{org_name, person_name};
use crate::error::Error;
use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, Seq};
use crate::kv::ReadError;
use crate::model::{Action, Decision, Model, StatusChange};
use crate::said::SaidDate;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

/// Which decisions to list; every field narrows the register.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    pub group: Option<GroupId>,
    pub meeting: Option<MeetingId>,
    pub outcome: Option<Outcome>,
    pub status: Option<DecisionStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Words the decision's text or a reservation holds, in any case.
    pub text: Option<String>,
    /// Rows of the register passed over before the page starts.
    pub skip: usize,
    /// At most this many rows, the earliest first: a page of the register.
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DecisionView {
    pub id: DecisionId,
    pub group: GroupId,
    pub meeting: MeetingId,
    pub meeting_number: Option<u32>,
    /// Absent for an ordinary meeting.
    #[serde(default, skip_serializing_if = "MeetingKind::is_ordinary")]
    pub meeting_kind: MeetingKind,
    pub date: NaiveDate,
    pub item: u32,
    pub item_title: String,
    pub outcome: Outcome,
    pub text: String,
    pub conditions: Vec<String>,
    pub takes_effect: Option<SaidDate>,
    pub deferred: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Votes>,
    /// Status on the query date.
    pub status: DecisionStatus,
    /// Status changes up to the query date.
    pub status_history: Vec<StatusChange>,
    pub actions: Vec<ActionId>,
    pub seq: Seq,
}

pub(super) fn decision_view(id: &DecisionId, d: Decision, at: NaiveDate) -> DecisionView {
    DecisionView {
        id: id.clone(),
        status: d.status_on(at),
        status_history: d.status_history.into_iter().filter(|s| s.date <= at).collect(),
        actions: d.actions.into_iter().filter(|(_, assigned)| *assigned <= at).map(|(a, _)| a).collect(),
        group: d.group,
        meeting: d.meeting,
        meeting_number: d.meeting_number,
        meeting_kind: d.meeting_kind,
        date: d.date,
        item: d.item,
        item_title: d.item_title,
        outcome: d.outcome,
        text: d.text,
        conditions: d.conditions,
        takes_effect: d.takes_effect,
        deferred: d.deferred,
        votes: d.votes,
        seq: d.seq,
    }
}

/// The decision register as it stood on `at`, by date, meeting and item.
pub fn decisions(m: &Model, filter: &DecisionFilter, at: NaiveDate) -> Result<Vec<DecisionView>, Error> {
    // A meeting's decisions, or the rows of the register in date order (a group's own
    // when a group is named), read only as far as a page needs.
    let by_date: Box<dyn Iterator<Item = Result<(DecisionId, Decision), ReadError>>> = match &filter.meeting {
        Some(mt) => {
            let mut rows = Vec::new();
            for id in m.meeting_decisions(mt)? {
                let d = m.decision(&id)?.ok_or_else(|| ReadError(format!("decision {id:?} of {mt:?}: missing")))?;
                rows.push((id, d));
            }
            rows.sort_by_key(|(_, d)| d.date);
            Box::new(rows.into_iter().map(Ok))
        }
        None => m.decisions_by_date(filter.group.as_ref(), filter.outcome),
    };
    let last = filter.to.map_or(at, |t| t.min(at));
    // The rows passed over are gathered as the page's are: the order within a day is
    // settled only by the sort below.
    let limit = filter.limit.map_or(usize::MAX, |l| l.saturating_add(filter.skip));
    let words = filter.text.as_deref().map(str::to_lowercase);
    let mut out: Vec<DecisionView> = Vec::new();
    for row in by_date {
        let (id, d) = row?;
        if d.date > last || (out.len() >= limit && out.last().is_some_and(|v| v.date < d.date)) {
            break;
        }
        let wanted = filter.from.is_none_or(|f| d.date >= f)
            && filter.group.as_ref().is_none_or(|g| g == &d.group)
            && filter.meeting.as_ref().is_none_or(|x| x == &d.meeting)
            && filter.outcome.is_none_or(|o| o == d.outcome)
            && filter.status.is_none_or(|s| s == d.status_on(at))
            && words.as_deref().is_none_or(|w| {
                d.text.to_lowercase().contains(w) || d.conditions.iter().any(|c| c.to_lowercase().contains(w))
            });
        if wanted {
            out.push(decision_view(&id, d, at));
        }
    }
    out.sort_by(|a, b| (a.date, &a.meeting, a.item).cmp(&(b.date, &b.meeting, b.item)));
    out.truncate(limit);
    out.drain(..filter.skip.min(out.len()));
    Ok(out)
}

/// The `n` latest decisions taken on or before `at`, the latest first: what a visitor
/// to the home page wants to see, read from the end of the register.
pub fn latest_decisions(m: &Model, at: NaiveDate, n: usize) -> Result<Vec<DecisionView>, Error> {
    let mut out = Vec::new();
    let mut rows = m.decisions_latest_first();
    while out.len() < n {
        let Some(row) = rows.next() else { break };
        let (id, d) = row?;
        if d.date <= at {
            out.push(decision_view(&id, d, at));
        }
    }
    Ok(out)
}

/// The actions open on a day: how many, and the latest agreed of them.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct OpenActions {
    pub count: u64,
    /// The latest assigned first.
    pub latest: Vec<ActionView>,
}

/// The actions open on `at` (assigned by then, not done by then): their count and the
/// `n` latest agreed, read from the indexes' ends: the actions with no completion recorded
/// (less those assigned after `at`), and those done after `at` (still open on it).
pub fn open_actions(m: &Model, at: NaiveDate, n: usize) -> Result<OpenActions, Error> {
    open_actions_page(m, at, 0, n)
}

/// `open_actions`, the `n` after the first `skip`.
pub fn open_actions_page(m: &Model, at: NaiveDate, skip: usize, n: usize) -> Result<OpenActions, Error> {
    let mut count = m.open_action_count()?;
    let wanted = skip.saturating_add(n);
    let mut latest: Vec<(ActionId, Action)> = Vec::new();
    for row in m.open_actions_latest_first() {
        let (assigned, id) = row?;
        if assigned > at {
            count = count.checked_sub(1).ok_or_else(|| ReadError("count/acto: below its entries".into()))?;
            continue;
        }
        if latest.len() >= wanted {
            break;
        }
        let a = m.action(&id)?.ok_or_else(|| ReadError(format!("open actions: no action {id:?}")))?;
        latest.push((id, a));
    }
    for row in m.completions_latest_first() {
        let (done, id) = row?;
        if done <= at {
            break;
        }
        let a = m.action(&id)?.ok_or_else(|| ReadError(format!("completions: no action {id:?}")))?;
        if a.assigned <= at {
            count += 1;
            latest.push((id, a));
        }
    }
    latest.sort_by_key(|(_, a)| std::cmp::Reverse((a.assigned, a.seq)));
    latest.truncate(wanted);
    latest.drain(..skip.min(latest.len()));
    let mut latest = action_views(m, latest, at)?;
    latest.sort_by_key(|a| std::cmp::Reverse((a.assigned, a.seq)));
    Ok(OpenActions { count, latest })
}

/// The actions done by `at`, the latest completion first: `n` after the first `skip`,
/// and whether there are more; read from the end of the completions by day.
pub fn done_actions_page(m: &Model, at: NaiveDate, skip: usize, n: usize) -> Result<(Vec<ActionView>, bool), Error> {
    let mut rows: Vec<(ActionId, Action)> = Vec::new();
    let mut more = false;
    let mut passed = 0;
    for row in m.completions_latest_first() {
        let (done, id) = row?;
        if done > at {
            continue;
        }
        if passed < skip {
            passed += 1;
            continue;
        }
        if rows.len() == n {
            more = true;
            break;
        }
        let a = m.action(&id)?.ok_or_else(|| ReadError(format!("completions: no action {id:?}")))?;
        rows.push((id, a));
    }
    let mut views = action_views(m, rows, at)?;
    views.sort_by_key(|a| std::cmp::Reverse((a.completed, a.seq)));
    Ok((views, more))
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
    /// The deadline as it was said: a day, a month, a quarter, "next-meeting"...
    pub due: Option<SaidDate>,
    /// The last day of that deadline, after which the action is overdue; for the next
    /// meeting, that meeting's day once the ledger knows it.
    pub due_by: Option<NaiveDate>,
    pub assigned: NaiveDate,
    pub meeting: MeetingId,
    pub item: u32,
    pub decision: Option<DecisionId>,
    pub completed: Option<NaiveDate>,
    pub seq: Seq,
}

/// Actions assigned on or before `at`: done if completed by then, overdue if past due.
pub fn actions(m: &Model, at: NaiveDate) -> Result<Vec<ActionView>, Error> {
    Ok(action_views(m, m.actions()?, at)?)
}

/// A page of the actions assigned by `at` (only those not done by then, if `open`), in
/// id order, which a page can be read in: the `n` after the first `skip`, and whether
/// more follow. Reads the actions up to the page's end, not the rest.
pub fn actions_page(
    m: &Model,
    at: NaiveDate,
    open: bool,
    skip: usize,
    n: usize,
) -> Result<(Vec<ActionView>, bool), Error> {
    let mut rows = Vec::with_capacity(n.min(1024));
    let mut more = false;
    let mut passed = 0;
    for row in m.actions_in_order() {
        let (id, a) = row?;
        let done = a.completed.as_ref().is_some_and(|c| c.date <= at);
        if a.assigned > at || (open && done) {
            continue;
        }
        if passed < skip {
            passed += 1;
            continue;
        }
        if rows.len() == n {
            more = true;
            break;
        }
        rows.push((id, a));
    }
    let mut views = action_views(m, rows, at)?;
    views.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((views, more))
}

pub(super) fn action_views(
    m: &Model,
    actions: Vec<(ActionId, Action)>,
    at: NaiveDate,
) -> Result<Vec<ActionView>, ReadError> {
    let mut next_meetings = NextMeetings::default();
    let mut out: Vec<ActionView> = actions
        .into_iter()
        .filter(|(_, a)| a.assigned <= at)
        .map(|(id, a)| {
            let completed = a.completed.as_ref().filter(|c| c.date <= at).map(|c| c.date);
            let due_by = match a.due {
                Some(SaidDate::NextMeeting) => next_meetings.after(m, &a.meeting, a.assigned)?,
                Some(d) => d.last_day(),
                None => None,
            };
            let state = match (completed, due_by) {
                (Some(_), _) => ActionState::Done,
                (None, Some(due)) if due < at => ActionState::Overdue,
                _ => ActionState::Open,
            };
            Ok(ActionView {
                id,
                state,
                owner: a.owner.clone(),
                owner_name: match &a.owner {
                    Party::Person(p) => person_name(m, p)?,
                    Party::Group(g) => m.group(g)?.map_or_else(|| g.to_string(), |x| x.name),
                    Party::Organisation(o) => org_name(m, o)?,
                },
                description: a.description,
                due: a.due,
                due_by,
                assigned: a.assigned,
                meeting: a.meeting,
                item: a.item,
                decision: a.decision,
                completed,
                seq: a.seq,
            })
        })
        .collect::<Result<_, ReadError>>()?;
    out.sort_by(|a, b| {
        (a.due_by.is_none(), a.due_by, a.assigned, &a.id).cmp(&(b.due_by.is_none(), b.due_by, b.assigned, &b.id))
    });
    Ok(out)
}

/// "Before the next meeting", resolved: the day of the first meeting of the same group
/// after the one that set the action, as the ledger knows its meetings. Each group's
/// meetings are read once per listing.
#[derive(Default)]
struct NextMeetings(std::collections::HashMap<MeetingId, Option<NaiveDate>>);

impl NextMeetings {
    fn after(&mut self, m: &Model, meeting: &MeetingId, assigned: NaiveDate) -> Result<Option<NaiveDate>, ReadError> {
        if let Some(d) = self.0.get(meeting) {
            return Ok(*d);
        }
        let next = match m.meeting_head(meeting)? {
            Some(set_at) => m
                .group_meetings(&set_at.group)?
                .into_iter()
                .map(|(_, x)| x.starts_at.date())
                .filter(|d| *d > set_at.starts_at.date().max(assigned))
                .min(),
            None => None,
        };
        self.0.insert(meeting.clone(), next);
        Ok(next)
    }
}
