//! What meetings decide and what follows: decisions with their votes, their later
//! status, the actions they assign, and approved minutes.

use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId};
use crate::said::SaidDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Took note (tog til efterretning).
    Noted,
    Approved,
    /// Approved with reservations (med det forbehold, at ...): the reservations are conditions.
    ApprovedWithReservations,
    /// A resolution in its own words (besluttede).
    Decided,
    /// Discussed without a decision (drøftede).
    Discussed,
    Rejected,
    Postponed,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Noted,
        Outcome::Approved,
        Outcome::ApprovedWithReservations,
        Outcome::Decided,
        Outcome::Discussed,
        Outcome::Rejected,
        Outcome::Postponed,
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecorded {
    pub decision: DecisionId,
    pub meeting: MeetingId,
    pub item: u32,
    pub outcome: Outcome,
    /// The decision in the minutes' own words.
    pub text: String,
    /// Reservations attached to an approval, each a condition to be met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// When the decision takes effect, if later than the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takes_effect: Option<SaidDate>,
    /// What the decision leaves for later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred: Option<String>,
    /// How the members voted, where the minutes say. A new field: bodies without it
    /// are the same bytes, and hash the same, as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub votes: Option<Votes>,
}

/// A vote's tally, and on a roll call who voted how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Votes {
    pub in_favour: u32,
    pub against: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub abstaining: u32,
    /// The minutes say the decision was unanimous: nobody voted against.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unanimous: bool,
    /// A roll call: the voters by name, as many as the counts say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roll_call: Option<RollCall>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollCall {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_favour: Vec<PersonId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<PersonId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abstaining: Vec<PersonId>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// No later status recorded: as decided at the meeting.
    Recorded,
    ConditionsMet,
    InProgress,
    Implemented,
    Superseded,
    Revoked,
}

impl DecisionStatus {
    pub const ALL: [DecisionStatus; 6] = [
        DecisionStatus::Recorded,
        DecisionStatus::ConditionsMet,
        DecisionStatus::InProgress,
        DecisionStatus::Implemented,
        DecisionStatus::Superseded,
        DecisionStatus::Revoked,
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionStatusChanged {
    pub decision: DecisionId,
    pub status: DecisionStatus,
    /// Required for `superseded`, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Who an action falls to: a person, or a whole group or organisation ("the secretariat",
/// "all members of the reference group").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Person(PersonId),
    Group(GroupId),
    Organisation(OrgId),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionAssigned {
    pub action: ActionId,
    pub meeting: MeetingId,
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    pub owner: Party,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<SaidDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCompleted {
    pub action: ActionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A minutes document was approved; from now on the meeting's record is locked: its
/// agenda, attendance, texts, decisions and actions change only by a correction (which
/// says why) or after `MinutesReopened`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesApproved {
    pub meeting: MeetingId,
    /// Plain BLAKE3 of the approved document's bytes (as `b3sum` prints it).
    pub document_hash: Hash,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_name: Option<String>,
    /// Where it was approved, the way bodies do it: an item of the next meeting
    /// ("godkendelse af referat"), a written procedure, a chair's decision. New fields,
    /// these three: approvals without them are the bytes they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_meeting: Option<MeetingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    /// The log as it stood when the minutes were approved, written by the ledger: what
    /// the approved document records is what those events said, and a signed checkpoint
    /// of any later size proves the approval and everything before it. A new field:
    /// approvals recorded before it have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<LogCheckpoint>,
}

/// A tree of the log, as a checkpoint states it: `size` leaves (the events with seq 1
/// to `size`) and the RFC 6962 `root` in standard base64 (FORMAT.md, "The Merkle tree").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogCheckpoint {
    pub size: u64,
    pub root: String,
}

impl LogCheckpoint {
    pub fn of(size: u64, root: &crate::merkle::TreeHash) -> LogCheckpoint {
        LogCheckpoint { size, root: crate::proof::to_base64(root) }
    }
}

/// The draft minutes were sent to the members for comments ("udsendt til kommentering").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesCirculated {
    pub meeting: MeetingId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Approved minutes are opened again, and say why: the record can change until it is
/// approved anew.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesReopened {
    pub meeting: MeetingId,
    pub reason: String,
}
