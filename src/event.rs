//! The event catalogue: everything that happens in and around a committee's meetings.
//! Each variant's name is the envelope's `kind`, its struct the `body` (docs/MODEL.md).
//! Bodies refuse unknown fields: a misspelt field must be an error, not silently lost.
//!
//! Over 400 lines on purpose: the whole catalogue is read in one place, as docs/MODEL.md
//! lists it, and each body is a few plain lines.

use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::when::When;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Longest name or title, in characters.
pub const NAME_CHARS_MAX: usize = 200;
/// Longest free text (an item's narrative, a decision's wording), in characters.
pub const TEXT_CHARS_MAX: usize = 20_000;
/// Most entries in any list inside one event (agenda items, attendees, conditions).
pub const LIST_LEN_MAX: usize = 500;
/// Most votes one tally may count: more than any parliament has members.
pub const VOTES_MAX: u32 = 100_000;
/// Most seats a group may declare.
pub const SEATS_MAX: u32 = 100_000;
/// Largest meeting file kept in a `FileImported` event, in characters.
pub const FILE_CHARS_MAX: usize = 200_000;

/// Declares the catalogue once: the enum, its kind names and `kind()` cannot disagree.
macro_rules! catalogue {
    ($($kind:ident),* $(,)?) => {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "body")]
        pub enum Event {
            $($kind($kind)),*
        }

        /// Every kind in the catalogue, in catalogue order.
        pub const KINDS: &[&str] = &[$(stringify!($kind)),*];

        impl Event {
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$kind(_) => stringify!($kind)),*
                }
            }
        }
    };
}

catalogue!(
    OrganisationRegistered,
    PersonRegistered,
    GroupEstablished,
    GroupDissolved,
    MemberNominated,
    MemberJoined,
    MemberRoleChanged,
    MemberLeft,
    MeetingScheduled,
    MeetingHeld,
    AgendaSet,
    AgendaApproved,
    AttendanceRecorded,
    ItemMinuted,
    DecisionRecorded,
    DecisionStatusChanged,
    ActionAssigned,
    ActionCompleted,
    MinutesApproved,
    EventCorrected,
    FileImported,
    SeatsDeclared,
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRegistered {
    pub organisation: OrgId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRegistered {
    pub person: PersonId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<OrgId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Steering,
    Reference,
    Working,
    Secretariat,
    Other,
    /// An elected council (byråd, regionsråd) or assembly.
    Council,
    /// A board of directors (bestyrelse).
    Board,
    /// A standing committee (udvalg).
    Committee,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEstablished {
    pub group: GroupId,
    pub name: String,
    pub group_kind: GroupKind,
    /// The group it reports to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<GroupId>,
    /// The group this one continues (the national ATMP working group became the reference group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predecessor: Option<GroupId>,
    /// Terms of reference (kommissorium), as text or a reference to the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDissolved {
    pub group: GroupId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Chair,
    CoChair,
    ViceChair,
    Member,
    Substitute,
    Observer,
    Secretary,
    Staff,
    MinuteTaker,
}

impl Role {
    /// Chair-like roles: the ones the minutes mark "(formandskab)".
    pub fn is_chair(self) -> bool {
        matches!(self, Role::Chair | Role::CoChair)
    }

    /// The roles that take one of a group's seats: its members and its chairs, not its
    /// substitutes, observers, secretaries or staff.
    pub fn holds_seat(self) -> bool {
        matches!(self, Role::Chair | Role::CoChair | Role::ViceChair | Role::Member)
    }
}

/// How many seats a group has from the effective date on (a council of 41, a board of
/// nine), and at most how many of them one constituency (the organisation, state or
/// party a member sits for, `on_behalf_of`) may hold. More members than seats are
/// recorded and reported as over capacity; with `enforced`, refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatsDeclared {
    pub group: GroupId,
    pub seats: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_constituency: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enforced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A proposal (indstilling) that someone be appointed; it precedes, and does not make,
/// a membership.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberNominated {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Opens a membership interval at the event's effective date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberJoined {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    /// The office's place where a body numbers them (1 for the 1st vice chair, 2 for
    /// the 2nd). A new field: events without it are the bytes they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    /// For a substitute: the member they stand in for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_for: Option<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Closes the current interval and opens one with the new role, same seat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRoleChanged {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    /// The office's place where a body numbers them (1 for the 1st vice chair, 2 for
    /// the 2nd). A new field: events without it are the bytes they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Closes the current interval: the effective date is the first day without it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLeft {
    pub person: PersonId,
    pub group: GroupId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    Ordinary,
    Extraordinary,
    WrittenProcedure,
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

/// A meeting took place; its number within the group is fixed now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingHeld {
    pub meeting: MeetingId,
    pub group: GroupId,
    pub number: u32,
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
    pub takes_effect: Option<When>,
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

/// The one spelling of a value of the catalogue's enums (`approved_with_reservations`):
/// serde's, as events carry it. Keys, tables, pages and option lists all use this.
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("the catalogue's enums serialize as strings"),
    }
}

/// Reads a value of one of the catalogue's enums by its name (`approved_with_reservations`;
/// hyphens work too), so no edge keeps a second copy of the names.
pub fn from_name<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(name.replace('-', "_"))).map_err(|e| format!("{what}: {e}"))
}

/// The names of a list of values, joined for a help text or an error.
pub fn names_of<T: Serialize>(values: &[T]) -> String {
    values.iter().map(name_of).collect::<Vec<_>>().join(", ")
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
    pub due: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCompleted {
    pub action: ActionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesApproved {
    pub meeting: MeetingId,
    /// Plain BLAKE3 of the approved document's bytes (as `b3sum` prints it).
    pub document_hash: Hash,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_name: Option<String>,
}

/// An erratum: amends (with a replacement of the same kind) or retracts (without one) an
/// earlier event. The earlier event stays in the log; projections apply the correction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventCorrected {
    pub target: Seq,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Box<Event>>,
    /// A corrected valid time for the target, if that was what was wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<When>,
}

/// A meeting or register file was imported; the batch it belongs to holds its events.
/// The file's text is kept, so a later, changed copy can be shown as a diff and the
/// record can always say which document it was built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileImported {
    /// The file's name (not its path: the same file imported from elsewhere is the same file).
    pub file: String,
    /// Plain BLAKE3 of the file's bytes.
    pub content_hash: Hash,
    pub content: String,
}

impl Event {
    /// Rebuilds the typed event from an envelope's `kind` and `body`.
    pub fn from_parts(kind: &str, body: serde_json::Value) -> Result<Event, String> {
        if !KINDS.contains(&kind) {
            return Err(format!("unknown kind {kind:?} (known kinds: {})", KINDS.join(", ")));
        }
        serde_json::from_value(serde_json::json!({ "kind": kind, "body": body }))
            .map_err(|e| format!("{kind} body: {e}"))
    }

    pub fn body_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("events serialize");
        value["body"].take()
    }
}
