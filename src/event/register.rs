//! Who and what a record is about: organisations, people, groups, their seats, and
//! memberships from nomination to leaving.

use crate::ids::{DecisionId, GroupId, OrgId, PersonId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
