//! A meeting's full record: who attended in what capacity, the agenda with each item's
//! text, decision and actions, and the next meeting announced at it.

use super::register::{action_views, decision_view, ActionView, DecisionView};
use super::{group_of, org_name, person_name_on};
use crate::error::Error;
use crate::event::*;
use crate::ids::{GroupId, MeetingId, MeetingRef, PersonId, Seq};
use crate::kv::ReadError;
use crate::model::{Meeting, MeetingStatus, Membership, MinutesApproval, MinutesStatus, Model};
use crate::when::When;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AttendeeView {
    pub person: PersonId,
    pub name: String,
    pub organisation: Option<String>,
    pub presence: Presence,
    pub capacity: Capacity,
    /// The person's role in the group on the meeting's date, if a member.
    pub role: Option<Role>,
    /// The office's rank (1 for the 1st vice chair), where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u8>,
    pub in_place_of: Option<PersonId>,
    pub in_place_of_name: Option<String>,
    pub items: Vec<u32>,
    pub minute_taker: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except_items: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrived: Option<When>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departed: Option<When>,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Presenter {
    pub person: PersonId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ItemView {
    pub number: u32,
    /// How the body numbers the item, where that is not its number ("7A").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub title: String,
    pub presenters: Vec<Presenter>,
    pub text: Option<String>,
    /// The item's first decision: what clients read before an item could have several.
    pub decision: Option<DecisionView>,
    /// Every decision on the item, in log order.
    pub decisions: Vec<DecisionView>,
    pub actions: Vec<ActionView>,
}

impl ItemView {
    /// The item's number as the minutes say it: its label, or else its number.
    pub fn shown_number(&self) -> String {
        self.label.clone().unwrap_or_else(|| self.number.to_string())
    }
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
    /// Where the minutes stand: a draft, sent for comments, approved (the record locked),
    /// or reopened.
    pub minutes_status: MinutesStatus,
    pub seqs: Vec<Seq>,
}

/// Finds a group's meeting by its number or id. Where kinds are numbered apart, a
/// number is the ordinary meeting's if there is one, and otherwise must be one kind's.
pub fn find_meeting(m: &Model, group: &GroupId, which: &MeetingRef) -> Result<(MeetingId, Meeting), Error> {
    group_of(m, group)?;
    let id = match which {
        MeetingRef::Id(id) => match m.meeting(id)? {
            Some(mt) if &mt.group == group => return Ok((id.clone(), mt)),
            _ => return Err(Error::NotFound(format!("{group:?} has no meeting {id:?}"))),
        },
        MeetingRef::Number(number) => {
            let found = m.meetings_numbered(group, *number)?;
            match found.iter().find(|(k, _)| *k == MeetingKind::Ordinary).or(found.first()) {
                None => return Err(Error::NotFound(format!("{group:?} has no meeting number {number}"))),
                Some((_, id)) if found.len() == 1 || found.iter().any(|(k, _)| *k == MeetingKind::Ordinary) => {
                    id.clone()
                }
                Some(_) => {
                    let ids = found.iter().map(|(k, id)| format!("{id} ({})", name_of(k))).collect::<Vec<_>>();
                    return Err(Error::NotFound(format!(
                        "{group:?} has several meetings number {number}: {}; name one by its id",
                        ids.join(", ")
                    )));
                }
            }
        }
    };
    let mt = m.meeting(&id)?.ok_or_else(|| ReadError(format!("meeting {id:?}, numbered {which}: missing")))?;
    Ok((id, mt))
}

/// How to name a meeting in a link or a command: its number where that finds it (a
/// numbered ordinary meeting, as ATMP's all are), its id otherwise.
pub fn meeting_ref(id: &MeetingId, number: Option<u32>, kind: MeetingKind) -> MeetingRef {
    match number {
        Some(n) if kind.is_ordinary() => MeetingRef::Number(n),
        _ => MeetingRef::Id(id.clone()),
    }
}

/// A meeting's full record, as of the meeting's own date for memberships and as of
/// `at` for what followed (decision status, actions).
pub fn meeting_record(m: &Model, group: &GroupId, which: &MeetingRef, at: NaiveDate) -> Result<MeetingRecord, Error> {
    let (id, mt) = find_meeting(m, group, which)?;
    let id = &id;
    let day = mt.date();
    let member_then = |person: &PersonId| -> Result<Option<Membership>, ReadError> {
        Ok(m.memberships_of(person, &mt.group)?.into_iter().find(|x| x.covers(day)))
    };
    let mut attendees = Vec::new();
    for a in &mt.attendees {
        let member = member_then(&a.person)?;
        let organisation = match (&a.on_behalf_of, member.as_ref().and_then(|x| x.on_behalf_of.as_ref())) {
            (Some(o), _) | (None, Some(o)) => Some(org_name(m, o)?),
            (None, None) => None,
        };
        attendees.push(AttendeeView {
            person: a.person.clone(),
            name: person_name_on(m, &a.person, day)?,
            organisation,
            presence: a.presence,
            capacity: a.capacity,
            role: member.as_ref().map(|x| x.role),
            rank: member.as_ref().and_then(|x| x.rank),
            in_place_of: a.in_place_of.clone(),
            in_place_of_name: a.in_place_of.as_ref().map(|p| person_name_on(m, p, day)).transpose()?,
            items: a.items.clone(),
            minute_taker: a.minute_taker,
            except_items: a.except_items.clone(),
            arrived: a.arrived,
            departed: a.departed,
        });
    }
    let all_actions = action_views(m, m.meeting_actions(id)?, at)?;
    let mut agenda = Vec::new();
    for it in &mt.agenda {
        let mut presenters = Vec::new();
        for p in &it.presenters {
            presenters.push(Presenter { person: p.clone(), name: person_name_on(m, p, day)? });
        }
        let mut decisions = Vec::new();
        for did in m.decisions_on_item(id, it.number)? {
            let d = m.decision(&did)?.ok_or_else(|| ReadError(format!("decision {did:?}: missing")))?;
            decisions.push(decision_view(&did, d, at.max(day)));
        }
        agenda.push(ItemView {
            number: it.number,
            label: it.label.clone(),
            title: it.title.clone(),
            presenters,
            text: mt.item_texts.get(&it.number).cloned(),
            decision: decisions.first().cloned(),
            decisions,
            actions: all_actions.iter().filter(|a| &a.meeting == id && a.item == it.number).cloned().collect(),
        });
    }
    // The next meeting is the group's own, announced at this one (not other groups' meetings it mentions).
    let next_meeting = m
        .meetings_announced_at(id)?
        .into_iter()
        .filter(|(_, x)| x.group == mt.group)
        .min_by_key(|(_, x)| x.date())
        .map(|(nid, x)| match x.announced_as {
            // As announced, whatever happened to it since: the minutes said that.
            Some(a) => NextMeeting { meeting: nid, starts_at: a.starts_at, ends_at: a.ends_at, place: a.place },
            None => NextMeeting { meeting: nid, starts_at: x.starts_at, ends_at: x.ends_at, place: x.place },
        });
    Ok(MeetingRecord {
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
        minutes_status: mt.minutes_status(),
        seqs: mt.seqs.clone(),
    })
}
