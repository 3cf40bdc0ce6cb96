//! Who and what a record is about: organisations, people, groups, their seats, and
//! memberships from nomination to leaving.

use crate::ids::{DecisionId, GroupId, OrgId, PersonId};
use chrono::NaiveDate;
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

/// A person's name from the effective date on ("Donghee Na" became "Dong-hee Na"). The
/// record keeps the names before: minutes of earlier meetings say the name then, and a
/// search by a former name finds the person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRenamed {
    pub person: PersonId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Another spelling under which the same person appears in records ("Donghee Na" for
/// "Dong-hee Na"): one identity, found by either.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonAliasRecorded {
    pub person: PersonId,
    pub alias: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A person's party, faction or organisation from the effective date on (none: an
/// independent). A timeline of its own: a party switch leaves every membership whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffiliationChanged {
    pub person: PersonId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<OrgId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    /// A role held besides one the person already has in the group (an officer who is
    /// also a member, the chair of two things): asked for, so that joining twice by
    /// mistake is still refused. A new field: joins without it are the bytes they were.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub additional: bool,
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
    /// Which of the person's roles changes, where they hold several in the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_role: Option<Role>,
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
    /// Which of the person's roles ends, where they hold several in the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// A member goes on leave (orlov, barsel) from the effective date and stays a member:
/// counted, holding the seat, with the substitute who stands in for the period, if any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveOfAbsenceBegan {
    pub person: PersonId,
    pub group: GroupId,
    /// The first day back, where it is known; otherwise `LeaveOfAbsenceEnded` ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<PersonId>,
    /// The kind of leave as the record may say it publicly ("orlov", "barselsorlov").
    /// Health is special-category personal data: a record says "leave", not the illness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A member's leave ends: the effective date is their first day back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveOfAbsenceEnded {
    pub person: PersonId,
    pub group: GroupId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
