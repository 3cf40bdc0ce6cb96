//! The entities the log folds into, as the projection stores them (JSON under their
//! keys) and the queries read them.

use super::minutes::{Announced, MinutesApproval, MinutesStatus};
use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::said::SaidDate;
use crate::when::{RecordedAt, When};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A recorded event, decoded: what the fold and the queries read.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub seq: Seq,
    pub recorded_at: RecordedAt,
    pub effective: When,
    pub recorded_by: String,
    pub event: Event,
}

impl Entry {
    pub fn date(&self) -> NaiveDate {
        self.effective.date()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub short_name: Option<String>,
    pub since: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The name now; `names` holds the ones before.
    pub name: String,
    pub title: Option<String>,
    /// The affiliation registered with the person; `affiliations` holds its changes.
    pub affiliation: Option<OrgId>,
    pub since: NaiveDate,
    pub seq: Seq,
    /// Every name the person has had, by date, the registered one first (absent from
    /// people never renamed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<Dated<String>>,
    /// Other spellings of the name in records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Changes of affiliation, by date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affiliations: Vec<Dated<Option<OrgId>>>,
}

impl Person {
    /// The name the person went by on `date` (the registered one before any rename).
    pub fn name_on(&self, date: NaiveDate) -> &str {
        self.names.iter().rfind(|n| n.date <= date).or(self.names.first()).map_or(&self.name, |n| &n.value)
    }

    /// The party, faction or organisation the person belonged to on `date`.
    pub fn affiliation_on(&self, date: NaiveDate) -> Option<&OrgId> {
        match self.affiliations.iter().rfind(|a| a.date <= date) {
            Some(a) => a.value.as_ref(),
            None => self.affiliation.as_ref(),
        }
    }

    /// Whether `name` is one of the person's names, now, before, or as an alias.
    pub fn goes_by(&self, name: &str) -> bool {
        let same = |n: &str| n.to_lowercase() == name.to_lowercase();
        same(&self.name) || self.names.iter().any(|n| same(&n.value)) || self.aliases.iter().any(|a| same(a))
    }
}

/// A value that holds from a date on, and the event that set it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dated<T> {
    pub value: T,
    pub date: NaiveDate,
    pub seq: Seq,
}

/// A member's leave of absence: `[start, end)`, the member still a member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Leave {
    pub person: PersonId,
    pub group: GroupId,
    pub start: NaiveDate,
    /// First day back, if known.
    pub end: Option<NaiveDate>,
    pub substitute: Option<PersonId>,
    pub reason: Option<String>,
    pub decision: Option<DecisionId>,
    pub note: Option<String>,
    pub opened_by: Seq,
    pub closed_by: Option<Seq>,
}

impl Leave {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date < end)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub group_kind: GroupKind,
    pub parent: Option<GroupId>,
    pub predecessor: Option<GroupId>,
    pub successor: Option<GroupId>,
    pub mandate: Option<String>,
    pub decision: Option<DecisionId>,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    pub seq: Seq,
    /// Its seats over time, by date (absent from groups that never declared any, whose
    /// rows are the bytes they always were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<Seats>,
}

impl Group {
    pub fn exists_on(&self, date: NaiveDate) -> bool {
        self.established <= date && self.dissolved.is_none_or(|d| date < d)
    }

    /// The seats declared as they stood on `date`.
    pub fn seats_on(&self, date: NaiveDate) -> Option<&Seats> {
        self.seats.iter().rfind(|s| s.date <= date)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Seats {
    pub seats: u32,
    pub per_constituency: Option<u32>,
    pub enforced: bool,
    pub date: NaiveDate,
    pub seq: Seq,
}

/// One interval of one person in one group with one role: `[start, end)`.
/// A second term, or a new role, is a new interval; nothing is overwritten.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Membership {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    /// 1 for the 1st vice chair, 2 for the 2nd; absent from memberships without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u8>,
    pub on_behalf_of: Option<OrgId>,
    pub seat: Option<String>,
    pub substitute_for: Option<PersonId>,
    pub start: NaiveDate,
    /// First day without the membership.
    pub end: Option<NaiveDate>,
    pub decision: Option<DecisionId>,
    pub note: Option<String>,
    pub opened_by: Seq,
    pub closed_by: Option<Seq>,
}

impl Membership {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date < end)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Nomination {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    pub on_behalf_of: Option<OrgId>,
    pub decision: Option<DecisionId>,
    pub note: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Held,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub group: GroupId,
    pub status: MeetingStatus,
    pub number: Option<u32>,
    pub meeting_kind: MeetingKind,
    pub title: Option<String>,
    pub place: Option<String>,
    pub starts_at: When,
    pub ends_at: Option<When>,
    pub announced_at: Option<MeetingId>,
    /// When and where it was announced to be, as the meeting that announced it said:
    /// what that meeting's minutes go on saying after this one is held elsewhen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_as: Option<Announced>,
    pub agenda_approved: Option<Seq>,
    /// The minutes' steps after the draft, in log order: sent for comments, approved
    /// (which locks the record), reopened. The last is where they stand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minutes_steps: Vec<MinutesStatus>,
    /// This and the fields below are kept under keys of their own, so that an event
    /// writes only what it changes (and its undo record stays small); filled in on reading.
    #[serde(skip)]
    pub agenda: Vec<AgendaItem>,
    #[serde(skip)]
    pub attendees: Vec<Attendee>,
    #[serde(skip)]
    pub minutes_approvals: Vec<MinutesApproval>,
    #[serde(skip)]
    pub item_texts: BTreeMap<u32, String>,
    /// Every event behind this record, in log order; kept and filled in like `item_texts`.
    #[serde(skip)]
    pub seqs: Vec<Seq>,
}

impl Meeting {
    /// A meeting with nothing recorded of it yet but its group, status, kind and start.
    pub fn new(group: GroupId, status: MeetingStatus, meeting_kind: MeetingKind, starts_at: When) -> Meeting {
        Meeting {
            group,
            status,
            number: None,
            meeting_kind,
            title: None,
            place: None,
            starts_at,
            ends_at: None,
            announced_at: None,
            announced_as: None,
            agenda_approved: None,
            minutes_steps: Vec::new(),
            agenda: Vec::new(),
            attendees: Vec::new(),
            minutes_approvals: Vec::new(),
            item_texts: BTreeMap::new(),
            seqs: Vec::new(),
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.starts_at.date()
    }

    /// Where the minutes stand now.
    pub fn minutes_status(&self) -> MinutesStatus {
        self.minutes_steps.last().cloned().unwrap_or_default()
    }

    pub fn item(&self, number: u32) -> Option<&AgendaItem> {
        self.agenda.iter().find(|i| i.number == number)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusChange {
    pub status: DecisionStatus,
    pub superseded_by: Option<DecisionId>,
    pub note: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub meeting: MeetingId,
    /// The meeting's group and number and the item's title, kept with the decision so
    /// that a page of the register is one scan of its rows. The group and number are
    /// fixed before any decision (a decision needs its meeting held); the title is
    /// brought up to date when the agenda is set again.
    pub group: GroupId,
    pub meeting_number: Option<u32>,
    #[serde(default, skip_serializing_if = "MeetingKind::is_ordinary")]
    pub meeting_kind: MeetingKind,
    pub item: u32,
    pub item_title: String,
    pub outcome: Outcome,
    pub text: String,
    pub conditions: Vec<String>,
    pub takes_effect: Option<SaidDate>,
    pub deferred: Option<String>,
    /// Absent from the rows of decisions without a vote, so those rows are the bytes
    /// they always were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<Votes>,
    pub date: NaiveDate,
    pub seq: Seq,
    pub status_history: Vec<StatusChange>,
    /// The actions assigned on it, each with the day it was assigned, in log order.
    pub actions: Vec<(ActionId, NaiveDate)>,
}

impl Decision {
    /// The decision's later status as it stood on `date`.
    pub fn status_on(&self, date: NaiveDate) -> DecisionStatus {
        self.status_history.iter().rfind(|s| s.date <= date).map_or(DecisionStatus::Recorded, |s| s.status)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub date: NaiveDate,
    pub note: Option<String>,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub meeting: MeetingId,
    pub item: u32,
    pub decision: Option<DecisionId>,
    pub owner: Party,
    pub description: String,
    pub due: Option<SaidDate>,
    pub assigned: NaiveDate,
    pub seq: Seq,
    pub completed: Option<Completion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub seq: Seq,
    pub target: Seq,
    pub reason: String,
    pub retracted: bool,
    pub recorded_by: String,
}

/// What remains of an erased body: that it was erased, when, by whom and why; never what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Erasure {
    /// The `BodyRedacted`.
    pub seq: Seq,
    /// The event whose body was erased.
    pub target: Seq,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: RecordedAt,
    /// Whether a replacement (the body without what had to go) stands in its place.
    pub replaced: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedFile {
    pub file: String,
    pub content_hash: Hash,
    pub content: String,
    pub date: NaiveDate,
    pub seq: Seq,
}
