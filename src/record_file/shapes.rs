//! The shapes of the two files, as TOML reads them: what a secretary may write.

use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, OrgId, PersonId};
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterFile {
    /// Valid time of every entry that does not give its own.
    pub(super) effective: Datetime,
    #[serde(default)]
    pub(super) organisation: Vec<Spanned<OrgIn>>,
    #[serde(default)]
    pub(super) person: Vec<Spanned<PersonIn>>,
    #[serde(default)]
    pub(super) group: Vec<Spanned<GroupIn>>,
    #[serde(default)]
    pub(super) membership: Vec<Spanned<MembershipIn>>,
    /// Dated changes after the fact: renames, aliases, affiliations, leaves, roles.
    #[serde(default)]
    pub(super) change: Vec<Spanned<ChangeIn>>,
    #[serde(default)]
    pub(super) end_dates: EndDates,
}

/// What a file's end dates (`until`, a `left` change's `effective`) mean: the first day
/// without (the default, and the ledger's own reading: half-open) or the last day with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EndDates {
    #[default]
    FirstDayWithout,
    LastDay,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrgIn {
    pub(super) id: OrgId,
    pub(super) name: String,
    pub(super) short_name: Option<String>,
    pub(super) since: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonIn {
    pub(super) id: PersonId,
    pub(super) name: String,
    pub(super) title: Option<String>,
    pub(super) affiliation: Option<OrgId>,
    pub(super) since: Option<Datetime>,
    /// Other spellings of the name, each recorded as an alias.
    #[serde(default)]
    pub(super) aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupIn {
    pub(super) id: GroupId,
    pub(super) name: String,
    pub(super) kind: GroupKind,
    pub(super) parent: Option<GroupId>,
    pub(super) predecessor: Option<GroupId>,
    pub(super) mandate: Option<String>,
    pub(super) established: Option<Datetime>,
    pub(super) dissolved: Option<Datetime>,
    pub(super) successor: Option<GroupId>,
    pub(super) dissolution_note: Option<String>,
    /// Its seats from its establishment on, at most `seats_per_constituency` of them for
    /// one constituency, refused beyond with `seats_enforced`.
    pub(super) seats: Option<u32>,
    pub(super) seats_per_constituency: Option<u32>,
    #[serde(default)]
    pub(super) seats_enforced: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MembershipIn {
    pub(super) person: PersonId,
    pub(super) group: GroupId,
    pub(super) role: Role,
    pub(super) rank: Option<u8>,
    pub(super) on_behalf_of: Option<OrgId>,
    pub(super) seat: Option<String>,
    pub(super) substitute_for: Option<PersonId>,
    pub(super) decision: Option<DecisionId>,
    pub(super) from: Option<Datetime>,
    pub(super) until: Option<Datetime>,
    pub(super) note: Option<String>,
    /// Held besides another role of the person's in the group.
    #[serde(default)]
    pub(super) additional: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeetingFile {
    pub(super) meeting: Spanned<MeetingIn>,
    #[serde(default)]
    pub(super) attendance: Vec<Spanned<AttendeeIn>>,
    #[serde(default)]
    pub(super) membership: Vec<Spanned<ChangeIn>>,
    #[serde(default)]
    pub(super) item: Vec<Spanned<ItemIn>>,
    #[serde(default)]
    pub(super) scheduled: Vec<Spanned<ScheduledIn>>,
    #[serde(default)]
    pub(super) end_dates: EndDates,
}

pub(super) fn ordinary() -> MeetingKind {
    MeetingKind::Ordinary
}

pub(super) fn present() -> Presence {
    Presence::Present
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeetingIn {
    pub(super) id: MeetingId,
    pub(super) group: GroupId,
    /// Among the group's meetings of its kind; left out where a body goes by date.
    pub(super) number: Option<u32>,
    #[serde(default = "ordinary")]
    pub(super) kind: MeetingKind,
    pub(super) title: Option<String>,
    pub(super) place: Option<String>,
    pub(super) starts: Datetime,
    pub(super) ends: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttendeeIn {
    pub(super) person: PersonId,
    #[serde(default = "present")]
    pub(super) presence: Presence,
    #[serde(rename = "as")]
    pub(super) capacity: Capacity,
    pub(super) on_behalf_of: Option<OrgId>,
    pub(super) in_place_of: Option<PersonId>,
    #[serde(default)]
    pub(super) items: Vec<u32>,
    #[serde(default)]
    pub(super) minute_taker: bool,
    #[serde(default)]
    pub(super) except_items: Vec<u32>,
    pub(super) arrived: Option<Datetime>,
    pub(super) departed: Option<Datetime>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Change {
    Joined,
    Left,
    RoleChanged,
    Nominated,
    /// A leave of absence begins (`until`, `substitute`, `reason`).
    Leave,
    /// Back from leave.
    Returned,
    /// A new name (`name`).
    Renamed,
    /// Another spelling of the name (`alias`).
    Alias,
    /// A new party, faction or organisation (`affiliation`; none for an independent).
    Affiliation,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangeIn {
    pub(super) change: Change,
    pub(super) person: PersonId,
    /// Every change but a person's own (renamed, alias, affiliation) is in a group.
    pub(super) group: Option<GroupId>,
    pub(super) role: Option<Role>,
    pub(super) rank: Option<u8>,
    pub(super) on_behalf_of: Option<OrgId>,
    pub(super) seat: Option<String>,
    pub(super) substitute_for: Option<PersonId>,
    pub(super) decision: Option<DecisionId>,
    /// Defaults to the meeting's date (a register's `effective`).
    pub(super) effective: Option<Datetime>,
    pub(super) note: Option<String>,
    #[serde(default)]
    pub(super) additional: bool,
    /// Which role changes or ends, where the person holds several in the group.
    pub(super) from_role: Option<Role>,
    pub(super) until: Option<Datetime>,
    pub(super) substitute: Option<PersonId>,
    pub(super) reason: Option<String>,
    pub(super) name: Option<String>,
    pub(super) alias: Option<String>,
    pub(super) affiliation: Option<OrgId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ItemIn {
    pub(super) number: u32,
    pub(super) label: Option<String>,
    pub(super) title: String,
    #[serde(default)]
    pub(super) presenters: Vec<PersonId>,
    pub(super) text: Option<String>,
    pub(super) decision: Option<Spanned<DecisionIn>>,
    /// Several decisions on one item (`[[item.decisions]]`), instead of `decision`.
    #[serde(default)]
    pub(super) decisions: Vec<Spanned<DecisionIn>>,
    #[serde(default)]
    pub(super) action: Vec<Spanned<ActionIn>>,
}

impl ItemIn {
    /// The item's decisions, one or several, in the file's order.
    pub(super) fn all_decisions(&self) -> impl Iterator<Item = &Spanned<DecisionIn>> {
        self.decision.iter().chain(&self.decisions)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionIn {
    pub(super) id: DecisionId,
    pub(super) outcome: Outcome,
    pub(super) text: String,
    #[serde(default)]
    pub(super) conditions: Vec<String>,
    /// A date, or a date as said (`"2026-04"`, `"3. kvartal 2025"`): see `SaidDate`.
    pub(super) takes_effect: Option<toml::Value>,
    pub(super) deferred: Option<String>,
    #[serde(default)]
    pub(super) approves_agenda: bool,
    pub(super) votes: Option<Votes>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ActionIn {
    pub(super) id: ActionId,
    /// A person, group or organisation id.
    pub(super) owner: String,
    /// The decision it follows from, where the item has several; by default the item's
    /// only decision.
    pub(super) decision: Option<DecisionId>,
    pub(super) description: String,
    /// A date, or a date as said (`"2025-Q3"`, `"2025-06-10~"`, `"next-meeting"`).
    pub(super) due: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScheduledIn {
    pub(super) id: MeetingId,
    pub(super) group: GroupId,
    #[serde(default = "ordinary")]
    pub(super) kind: MeetingKind,
    pub(super) starts: Datetime,
    pub(super) ends: Option<Datetime>,
    pub(super) place: Option<String>,
}
