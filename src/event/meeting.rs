//! Meetings: scheduled, held, their agenda, attendance and the minutes' texts.

use crate::ids::{DecisionId, GroupId, MeetingId, OrgId, PersonId};
use crate::when::When;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    #[default]
    Ordinary,
    Extraordinary,
    /// Skriftlig behandling: decided in writing over a period (`starts_at` to `ends_at`);
    /// its attendance is who answered (`present`) and who did not (`absent`).
    WrittenProcedure,
    /// An annual general meeting (generalforsamling, årsmøde) that elects or appoints.
    AnnualMeeting,
    /// An election or ballot; its result is decisions with their votes.
    Election,
    /// A decision the chair takes alone under a delegation (formandsbeslutning).
    ChairsDecision,
}

impl MeetingKind {
    pub fn is_ordinary(&self) -> bool {
        *self == MeetingKind::Ordinary
    }

    pub const ALL: [MeetingKind; 6] = [
        MeetingKind::Ordinary,
        MeetingKind::Extraordinary,
        MeetingKind::WrittenProcedure,
        MeetingKind::AnnualMeeting,
        MeetingKind::Election,
        MeetingKind::ChairsDecision,
    ];
}

/// A meeting announced ahead ("Næste møde"); it has no number until it is held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingScheduled {
    pub meeting: MeetingId,
    pub group: GroupId,
    pub meeting_kind: MeetingKind,
    pub starts_at: When,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<When>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The meeting at which it was announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_at: Option<MeetingId>,
}

/// A meeting took place; its number within the group and kind is fixed now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingHeld {
    pub meeting: MeetingId,
    pub group: GroupId,
    /// Its number among the group's meetings of its kind ("5. ordinære møde"); absent
    /// where a body goes by date. Optional since the number became per kind: a number
    /// is written as it always was, so old events are the bytes they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub meeting_kind: MeetingKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub starts_at: When,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<When>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// The item's place in the agenda, and its key: decisions and texts cite it.
    pub number: u32,
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presenters: Vec<PersonId>,
    /// How the body numbers the item, where that is not its number: "7A", "4.2",
    /// "Special Order 7A". A new field: items without it are the bytes they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl AgendaItem {
    /// The item's number as the minutes say it.
    pub fn shown_number(&self) -> String {
        self.label.clone().unwrap_or_else(|| self.number.to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaSet {
    pub meeting: MeetingId,
    pub items: Vec<AgendaItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaApproved {
    pub meeting: MeetingId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Present,
    /// Sent apologies (afbud).
    Apologies,
    Absent,
}

/// In what capacity someone was at a meeting; members' roles come from their membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    Member,
    Observer,
    Secretariat,
    Guest,
    /// Stands in for a member at this meeting ("X i stedet for Y"): `in_place_of` names
    /// the member, who must be one on the meeting's date. Never counted as a member.
    Substitute,
    /// Attends by virtue of an office (a municipal director, the board's auditor).
    Officer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    pub person: PersonId,
    pub presence: Presence,
    pub capacity: Capacity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OrgId>,
    /// Attending in the absence of this person (the observer for the ministry's co-chair).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_place_of: Option<PersonId>,
    /// Agenda items attended, when only some ("under punkt 5 og 7"); empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub minute_taker: bool,
    /// Agenda items not taken part in ("deltog ikke i behandlingen af punkt 12"), where
    /// that is shorter than listing the others. New fields, these three: attendance
    /// without them is the bytes it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_items: Vec<u32>,
    /// Arrived after the start ("kom kl. 11.02").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived: Option<When>,
    /// Left before the end ("gik kl. 11.04").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departed: Option<When>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRecorded {
    pub meeting: MeetingId,
    pub attendees: Vec<Attendee>,
}

/// The minutes' account of an item (what was presented and discussed), apart from its decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemMinuted {
    pub meeting: MeetingId,
    pub item: u32,
    pub text: String,
}
